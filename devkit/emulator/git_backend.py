"""Answers about a pull request from a real git repository, through the ``git`` CLI.

Commits are immutable, so everything keyed by commit shas is cached per process
(the bot's latency benchmark goes through this module).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# GitHub drops `patch` from a file entry when its diff is too large to render
# (the threshold is not documented; this one is configurable per world).
DEFAULT_MAX_PATCH_BYTES = 300_000
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Emulator Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Emulator Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",  # ignore the user's ~/.gitconfig (hooks, signing, diff drivers)
}
_FULL_SHA = re.compile(r"[0-9a-f]{40}(?![0-9a-f])")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class GitError(RuntimeError):
    pass


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[str, ...]  # the header line first, then the body lines, as in `patch`
    first_position: int  # diff position of the header line (the first hunk's header is 0)


@dataclass(frozen=True)
class FileDiff:
    filename: str
    status: str  # added | removed | modified | renamed
    additions: int
    deletions: int
    sha: str  # blob sha on the head side (base side for removed files)
    previous_filename: str | None = None
    patch: str | None = None
    binary: bool = False
    hunks: tuple[Hunk, ...] = field(default=(), repr=False)

    @property
    def changes(self) -> int:
        return self.additions + self.deletions


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str
    committer_name: str
    committer_email: str
    committer_date: str
    message: str


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    env = {**os.environ, **_GIT_ENV}
    proc = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def parse_hunks(patch: str) -> tuple[Hunk, ...]:
    hunks: list[Hunk] = []
    current: list[str] = []
    header: tuple[int, int, int, int] | None = None
    start_position = 0
    position = -1
    for line in patch.split("\n"):
        position += 1
        match = _HUNK.match(line)
        if match:
            if header is not None:
                hunks.append(Hunk(*header, lines=tuple(current), first_position=start_position))
            a, b, c, d = match.groups()
            header = (int(a), int(b) if b is not None else 1, int(c), int(d) if d is not None else 1)
            current, start_position = [line], position
        elif header is not None:
            current.append(line)
    if header is not None:
        hunks.append(Hunk(*header, lines=tuple(current), first_position=start_position))
    return tuple(hunks)


class GitRepo:
    """Read-only queries on one repository; results for immutable shas are cached."""

    def __init__(self, path: Path, max_patch_bytes: int = DEFAULT_MAX_PATCH_BYTES) -> None:
        self.path = path
        self.max_patch_bytes = max_patch_bytes
        self._fixed: dict[tuple[str, str], str | None] = {}  # answers about full-sha specs never change

    def _cached(self, kind: str, spec: str, compute: Callable[[], str | None]) -> str | None:
        if not _FULL_SHA.match(spec):
            return compute()  # branch names move
        key = (kind, spec)
        if key not in self._fixed:
            self._fixed[key] = compute()
        return self._fixed[key]

    def git(self, *args: str, input: bytes | None = None) -> bytes:
        return git(self.path, *args, input=input)

    def resolve(self, ref: str) -> str | None:
        """Commit sha for a sha, branch or tag; None when unknown."""
        def compute() -> str | None:
            try:
                return self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
            except GitError:
                return None
        return self._cached("commit", ref, compute)

    @functools.lru_cache(maxsize=512)  # noqa: B019 - one repository per emulated repo, for the emulator's life
    def merge_base(self, base: str, head: str) -> str:
        return self.git("merge-base", base, head).decode().strip()

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one repository per emulated repo, for the emulator's life
    def diff(self, base: str, head: str) -> tuple[FileDiff, ...]:
        """Files changed between two commits, like GitHub's PR "files" (base is the merge base)."""
        raw = self.git("diff", "--raw", "--numstat", "-z", "-M", "--no-abbrev", base, head)
        return tuple(self._file_diff(base, head, entry, counts) for entry, counts in _parse_raw_numstat(raw))

    def _file_diff(self, base: str, head: str, entry: tuple[str, str, str, str, str | None], counts: tuple[str, str]) -> FileDiff:
        old_sha, new_sha, letter, path, old_path = entry
        status = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "T": "changed"}.get(letter[0], "modified")
        binary = counts == ("-", "-")
        additions = 0 if binary else int(counts[0])
        deletions = 0 if binary else int(counts[1])
        patch = None
        if not binary:
            paths = [old_path, path] if old_path else [path]
            text = self.git("diff", "-M", "--no-color", "--no-ext-diff", base, head, "--", *paths).decode("utf-8", "replace")
            at = text.find("\n@@")
            body = text[at + 1:] if at >= 0 else ""
            body = body[:-1] if body.endswith("\n") else body
            if body and len(body.encode()) <= self.max_patch_bytes:
                patch = body
        sha = old_sha if status == "removed" else new_sha
        hunks = parse_hunks(patch) if patch else ()
        return FileDiff(path, status, additions, deletions, sha, old_path, patch, binary, hunks)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one repository per emulated repo, for the emulator's life
    def commits_between(self, base: str, head: str) -> tuple[CommitInfo, ...]:
        """Commits reachable from head but not base, oldest first (GitHub's order)."""
        shas = self.git("rev-list", "--reverse", f"{base}..{head}").decode().split()
        return tuple(self.commit(sha) for sha in shas)

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one repository per emulated repo, for the emulator's life
    def commit(self, sha: str) -> CommitInfo:
        fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
        out = self.git("show", "-s", f"--format={fmt}", sha).decode("utf-8", "replace")
        parts = out.split("\x00", 9)
        return CommitInfo(parts[0], parts[1], tuple(parts[2].split()), parts[3], parts[4], parts[5],
                          parts[6], parts[7], parts[8], parts[9].rstrip("\n"))

    def object_type(self, spec: str) -> str | None:
        def compute() -> str | None:
            try:
                return self.git("cat-file", "-t", spec).decode().strip()
            except GitError:
                return None
        return self._cached("type", spec, compute)

    def rev(self, spec: str) -> str | None:
        def compute() -> str | None:
            try:
                return self.git("rev-parse", "--verify", "--quiet", spec).decode().strip()
            except GitError:
                return None
        return self._cached("rev", spec, compute)

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one repository per emulated repo, for the emulator's life
    def blob(self, sha: str) -> bytes:
        return self.git("cat-file", "blob", sha)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one repository per emulated repo, for the emulator's life
    def tree(self, tree_sha: str, recursive: bool) -> tuple[tuple[str, str, str, str, int | None], ...]:
        """(mode, type, sha, path, size) entries; recursive listings include sub-trees like GitHub's."""
        args = ["ls-tree", "-l", "-z"] + (["-r", "-t"] if recursive else []) + [tree_sha]
        entries = []
        for record in self.git(*args).split(b"\x00"):
            if not record:
                continue
            meta, path = record.decode("utf-8", "replace").split("\t", 1)
            mode, kind, sha, size = meta.split()
            entries.append((mode, kind, sha, path, None if size == "-" else int(size)))
        return tuple(entries)

    def archive(self, sha: str, prefix: str) -> bytes:
        """A gzip tarball with a single top folder, like codeload's legacy.tar.gz."""
        return self.git("archive", "--format=tar.gz", f"--prefix={prefix}/", sha)


def _parse_raw_numstat(raw: bytes) -> list[tuple[tuple[str, str, str, str, str | None], tuple[str, str]]]:
    """Pair `--raw` records with `--numstat` records from one `git diff -z` run."""
    fields = raw.decode("utf-8", "replace").split("\x00")
    entries: list[tuple[str, str, str, str, str | None]] = []
    counts: list[tuple[str, str]] = []
    i = 0
    while i < len(fields):
        item = fields[i]
        if item.startswith(":"):
            _, _, old_sha, new_sha, letter = item[1:].split(" ")
            if letter[0] in "RC":
                entries.append((old_sha, new_sha, letter, fields[i + 2], fields[i + 1]))
                i += 3
            else:
                entries.append((old_sha, new_sha, letter, fields[i + 1], None))
                i += 2
        elif item:
            added, deleted, path = item.split("\t", 2)
            counts.append((added, deleted))
            i += 3 if path == "" else 1  # renames: empty path, then old and new names
        else:
            i += 1
    return list(zip(entries, counts, strict=False))


# --- building scenario repositories ---------------------------------------------------------

FileSpec = dict[str, "str | bytes | None"]


def write_files(repo: Path, files: FileSpec) -> None:
    """Write (str/bytes) or delete (None) files in the work tree and stage them."""
    for name, content in files.items():
        target = repo / name
        if content is None:
            git(repo, "rm", "-q", "--", name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
        git(repo, "add", "--", name)


def commit_all(repo: Path, message: str) -> str:
    git(repo, "commit", "-q", "--allow-empty", "--no-verify", "--no-gpg-sign", "-m", message)
    return git(repo, "rev-parse", "HEAD").decode().strip()


def init_repo(path: Path, files: FileSpec, branch: str = "main", message: str = "Initial commit") -> str:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    write_files(path, files)
    return commit_all(path, message)


def commit_on_branch(path: Path, branch: str, start: str, files: FileSpec, renames: dict[str, str] | None = None,
                     message: str = "Change") -> str:
    """Check out `branch` (created at `start` if new), apply renames and files, commit."""
    existing = git(path, "branch", "--list", branch).strip()
    git(path, "checkout", "-q", *([branch] if existing else ["-b", branch, start]))
    for old, new in (renames or {}).items():
        (path / new).parent.mkdir(parents=True, exist_ok=True)
        git(path, "mv", "--", old, new)
    write_files(path, files)
    return commit_all(path, message)
