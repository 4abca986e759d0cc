"""Step 4: fetch what a review needs from GitHub: the pull request, its files, their sources, the config.

Sources come from one tarball per commit (head and base), read in memory
(nothing is extracted to disk, so no path in an archive can escape), within
a size bound. Every Python file of both commits is kept, not only the
changed ones: route rules judge a changed view by the settings, urlconfs,
models and guards of unchanged modules (the project context). When a
tarball is refused or too large, the changed files come from blobs (head:
the exact blob sha GitHub lists) and the contents API at the base commit,
and the review runs without project context. The configuration is read from
the **base** commit so a pull request cannot switch rules off for itself.
"""

from __future__ import annotations

import base64
import io
import logging
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from githubkit.exception import RequestFailed

from auth_review.analyzers.config import Config, ConfigError, apply_mapping, parse_yaml

from .github import paginate

log = logging.getLogger("auth_review.fetch")

FETCH_CONCURRENCY = 8
MAX_TARBALL_BYTES = 200 * 1024 * 1024
MAX_CONTEXT_BYTES = 64 * 1024 * 1024  # Python sources kept per commit for project context
MAX_FILE_BYTES = 1024 * 1024
CONFIG_PATHS = (".github/auth-review.yml", ".github/auth-review.yaml")


@dataclass(frozen=True)
class PullRequest:
    owner: str
    repo: str
    number: int
    head_sha: str
    base_sha: str
    base_ref: str
    draft: bool
    state: str
    head_repo: str | None  # a fork's full name, or the same repository
    updated_at: str | None = None  # GitHub's, ISO 8601: orders what deliveries said about the head

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str  # added | modified | removed | renamed | copied | changed | unchanged
    previous_path: str | None
    blob_sha: str | None
    patch: str | None  # absent for binary files and very large diffs


@dataclass
class Sources:
    """File texts at head and base for the changed Python files, and the projects around them."""

    head: dict[str, bytes] = field(default_factory=dict)
    base: dict[str, bytes] = field(default_factory=dict)  # keyed by the *head* path
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why it was not fetched
    head_tree: dict[str, bytes] | None = None  # every Python file and OpenAPI document at head (None: no context)
    base_tree: dict[str, bytes] | None = None  # the same at base, by base path


def pull_request(gh: Any, owner: str, repo: str, number: int) -> PullRequest:
    data = gh.rest.pulls.get(owner, repo, number).json()
    head_repo = (data.get("head") or {}).get("repo") or {}
    return PullRequest(
        owner=owner, repo=repo, number=number,
        head_sha=data["head"]["sha"], base_sha=data["base"]["sha"], base_ref=data["base"]["ref"],
        draft=bool(data.get("draft")), state=data.get("state", "open"),
        head_repo=head_repo.get("full_name"), updated_at=data.get("updated_at"),
    )


def changed_files(gh: Any, pr: PullRequest) -> list[ChangedFile]:
    files = []
    for item in paginate(gh.rest.pulls.list_files, owner=pr.owner, repo=pr.repo, pull_number=pr.number):
        files.append(ChangedFile(
            path=item["filename"], status=item["status"], previous_path=item.get("previous_filename"),
            blob_sha=item.get("sha"), patch=item.get("patch"),
        ))
    return files


def renames_since(gh: Any, pr: PullRequest, since: str) -> dict[str, str]:
    """Files renamed between commit ``since`` and the pull request's head: old path -> path at head.

    Empty when GitHub no longer knows ``since`` (a force-push can drop it) or cannot compare it.
    """
    if since == pr.head_sha:
        return {}
    try:
        data = gh.rest.repos.compare_commits(pr.owner, pr.repo, f"{since}...{pr.head_sha}").json()
    except RequestFailed as exc:
        if exc.response.status_code in (404, 422):
            return {}
        raise
    return {f["previous_filename"]: f["filename"] for f in data.get("files") or []
            if f.get("status") == "renamed" and f.get("previous_filename")}


def is_python(path: str) -> bool:
    return path.endswith(".py")


# An OpenAPI or Swagger document is a route table (connexion names handlers in it): kept with the Python files.
_API_DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
MAX_API_DOCUMENT_BYTES = 1024 * 1024


def is_api_document(path: str, head: bytes) -> bool:
    """``openapi.yaml``/``swagger.json``: a YAML or JSON file whose first bytes declare an API description."""
    return path.endswith(_API_DOCUMENT_SUFFIXES) and (b"openapi" in head or b"swagger" in head)


def sources(gh: Any, pr: PullRequest, files: list[ChangedFile]) -> Sources:
    wanted = [f for f in files if is_python(f.path) and f.status != "removed"]
    result = Sources()
    if not wanted:
        return result
    try:
        _from_tarballs(gh, pr, wanted, result)
        return result
    except (ValueError, tarfile.TarError) as exc:
        log.warning("reviewing without project context", extra={"repository": pr.full_name, "reason": str(exc)})
    except RequestFailed as exc:
        if exc.response.status_code not in (403, 404, 413, 422):
            raise
        log.warning("reviewing without project context",
                    extra={"repository": pr.full_name, "reason": f"tarball refused ({exc.response.status_code})"})
    result = Sources()
    # A handful of requests in flight at once: GitHub's latency, not our CPU, is the cost here.
    with ThreadPoolExecutor(max_workers=FETCH_CONCURRENCY) as pool:
        versions = list(pool.map(lambda changed: _versions(gh, pr, changed), wanted))
    for changed, (head, base) in zip(wanted, versions, strict=False):
        if head is None:
            result.skipped[changed.path] = "could not be fetched at the head commit"
        elif len(head) > MAX_FILE_BYTES:
            result.skipped[changed.path] = f"larger than {MAX_FILE_BYTES:,} bytes"
        else:
            result.head[changed.path] = head
            if base is not None:
                result.base[changed.path] = base
    return result


def _versions(gh: Any, pr: PullRequest, changed: ChangedFile) -> tuple[bytes | None, bytes | None]:
    """A changed file at head and at base (None where it does not exist)."""
    head = _blob(gh, pr, changed.blob_sha) if changed.blob_sha else content_at(gh, pr, changed.path, pr.head_sha)
    base = None
    if head is not None and changed.status != "added":
        base = content_at(gh, pr, changed.previous_path or changed.path, pr.base_sha)
    return head, base


def _blob(gh: Any, pr: PullRequest, sha: str) -> bytes | None:
    try:
        data = gh.rest.git.get_blob(pr.owner, pr.repo, sha).json()
    except RequestFailed as exc:
        if exc.response.status_code == 404:
            return None
        raise
    if data.get("encoding") == "base64":
        return base64.b64decode(data.get("content") or "")
    return str(data.get("content") or "").encode("utf-8")


def content_at(gh: Any, pr: PullRequest, path: str, ref: str) -> bytes | None:
    """A file's bytes at ``ref`` through the contents API (None if it does not exist there)."""
    try:
        data = gh.rest.repos.get_content(pr.owner, pr.repo, path, ref=ref).json()
    except RequestFailed as exc:
        if exc.response.status_code == 404:
            return None
        raise
    if not isinstance(data, dict) or data.get("type") != "file":
        return None
    if data.get("encoding") == "base64" and data.get("content") is not None:
        return base64.b64decode(data["content"])
    if data.get("sha"):  # over 1 MB the contents API leaves the content out; the blob has it
        return _blob(gh, pr, data["sha"])
    return None


def _from_tarballs(gh: Any, pr: PullRequest, wanted: list[ChangedFile], result: Sources) -> None:
    head = _python_tree(gh, pr, pr.head_sha)
    base_names = {(f.previous_path or f.path): f.path for f in wanted if f.status != "added"}
    base = _python_tree(gh, pr, pr.base_sha)
    for changed in wanted:
        if changed.path in head:
            result.head[changed.path] = head[changed.path]
        else:
            result.skipped[changed.path] = "missing from the head tarball"
    for old, new in base_names.items():
        if old in base:
            result.base[new] = base[old]
    result.head_tree, result.base_tree = head, base


def _python_tree(gh: Any, pr: PullRequest, ref: str) -> dict[str, bytes]:
    """Every Python file (and OpenAPI document) of one commit's tarball, read in memory, within the size bounds."""
    response = gh.rest.repos.download_tarball_archive(pr.owner, pr.repo, ref)
    data = response.content
    if len(data) > MAX_TARBALL_BYTES:
        raise ValueError(f"tarball of {ref[:7]} is over {MAX_TARBALL_BYTES:,} bytes")
    found: dict[str, bytes] = {}
    total = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive:
            if not member.isfile() or member.size > MAX_FILE_BYTES:
                continue
            python = is_python(member.name)
            if not python and not (member.name.endswith(_API_DOCUMENT_SUFFIXES)
                                   and member.size <= MAX_API_DOCUMENT_BYTES):
                continue
            total += member.size
            if total > MAX_CONTEXT_BYTES:
                raise ValueError(f"Python sources of {ref[:7]} are over {MAX_CONTEXT_BYTES:,} bytes")
            # GitHub's layout: one top folder (owner-repo-sha7/), then the repository's paths.
            _, _, rel = member.name.partition("/")
            handle = archive.extractfile(member)
            if rel and handle is not None:
                data = handle.read()
                if python or is_api_document(rel, data[:2048]):
                    found[rel] = data
                else:
                    total -= member.size  # a data file, not a route table: it does not count
    return found


def repo_config(gh: Any, pr: PullRequest) -> tuple[Config, str | None]:
    """The repository's configuration at the base commit, and an error message if it is invalid.

    An invalid file (too large, too deep, aliases, not UTF-8, wrong types) never fails the review:
    it runs with the defaults and the check run says why.
    """
    for path in CONFIG_PATHS:
        raw = content_at(gh, pr, path, pr.base_sha)
        if raw is None:
            continue
        try:
            return apply_mapping(Config(), parse_yaml(raw, path), path), None
        except ConfigError as exc:
            log.warning("invalid repository configuration", extra={"repository": pr.full_name, "error": str(exc)})
            reason = str(exc).removeprefix(f"{path}: ")
            return Config(), f"{path} was ignored (this review used the defaults): {reason}"
    return Config(), None
