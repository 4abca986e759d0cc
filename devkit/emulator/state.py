"""The emulated GitHub world: the App, installations, repositories backed by real git
repositories, pull requests, and everything the bot writes.

All mutation goes through :class:`World` under one lock, because the server runs in a
background thread while the test thread inspects it.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .git_backend import DEFAULT_MAX_PATCH_BYTES, FileSpec, GitRepo, commit_on_branch, git, init_repo

DEFAULT_PERMISSIONS = {"metadata": "read", "contents": "read", "pull_requests": "write", "checks": "write",
                       "issues": "write"}
DEFAULT_EVENTS = ["pull_request", "pull_request_review_comment", "pull_request_review_thread", "issue_comment",
                  "check_run", "check_suite"]
SUGGESTION = re.compile(r"^(?P<fence>`{3,})suggestion\n(?P<text>.*?)\n(?P=fence)$", re.MULTILINE | re.DOTALL)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key_pair() -> tuple[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    return pem, key.public_key()


@dataclass
class Account:
    login: str
    id: int
    type: str = "User"  # or "Organization", "Bot"


@dataclass
class App:
    id: int
    slug: str
    name: str
    owner: Account
    client_id: str
    client_secret: str
    webhook_secret: str
    private_key_pem: str = field(repr=False)
    public_key: Any = field(repr=False)
    permissions: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PERMISSIONS))
    events: list[str] = field(default_factory=lambda: list(DEFAULT_EVENTS))
    created_at: datetime = field(default_factory=utcnow)

    @classmethod
    def generate(cls, id: int, slug: str, owner: Account, webhook_secret: str | None = None) -> App:
        pem, public = _key_pair()
        return cls(id=id, slug=slug, name=slug.replace("-", " ").title(), owner=owner,
                   client_id=f"Iv23li{secrets.token_hex(7)}", client_secret=secrets.token_hex(20),
                   webhook_secret=webhook_secret or secrets.token_hex(20), private_key_pem=pem, public_key=public)

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"


@dataclass
class Installation:
    id: int
    account: Account
    repositories: list[str]  # full names
    permissions: dict[str, str]
    events: list[str]
    repository_selection: str = "selected"
    suspended_at: datetime | None = None
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class Repository:
    id: int
    owner: Account
    name: str
    path: Path
    git: GitRepo = field(repr=False)
    default_branch: str = "main"
    private: bool = True
    created_at: datetime = field(default_factory=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class PullRequest:
    number: int
    id: int
    repo: str  # base repository full name
    title: str
    body: str | None
    author: Account
    base_ref: str
    base_sha: str
    head_ref: str
    head_sha: str
    head_repo: str  # full name; differs from `repo` for forks
    draft: bool = False
    state: str = "open"
    commit_shas: list[str] = field(default_factory=list)  # every head this PR has had, oldest first
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


@dataclass
class ReviewComment:
    id: int
    repo: str
    pull_number: int
    review_id: int | None
    user: Account
    body: str
    path: str
    commit_id: str
    diff_hunk: str
    line: int | None
    side: str | None
    start_line: int | None = None
    start_side: str | None = None
    position: int | None = None
    subject_type: str = "line"
    in_reply_to_id: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    edits: list[str] = field(default_factory=list)  # earlier bodies, oldest first


@dataclass
class Review:
    id: int
    repo: str
    pull_number: int
    user: Account
    body: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | PENDING | DISMISSED
    commit_id: str
    comment_ids: list[int] = field(default_factory=list)
    submitted_at: datetime | None = None
    dismissal_message: str | None = None


@dataclass
class IssueComment:
    id: int
    repo: str
    issue_number: int
    user: Account
    body: str
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


@dataclass
class CheckRun:
    id: int
    repo: str
    head_sha: str
    name: str
    status: str
    conclusion: str | None
    app_id: int
    check_suite_id: int
    details_url: str | None = None
    external_id: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    output: dict[str, Any] = field(default_factory=dict)  # title, summary, text
    annotations: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # every request body, create first


@dataclass
class Reaction:
    id: int
    comment_id: int
    user: Account
    content: str
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class ReviewThread:
    node_id: str
    repo: str
    pull_number: int
    comment_ids: list[int]
    resolved: bool = False
    resolved_by: str | None = None


@dataclass
class Token:
    token: str = field(repr=False)
    installation_id: int
    expires_at: datetime
    permissions: dict[str, str]
    repositories: list[str]


@dataclass
class RateBucket:
    limit: int
    remaining: int
    reset: int  # epoch seconds

    @property
    def used(self) -> int:
        return self.limit - self.remaining


class World:
    """Everything the emulator knows; tests build scenarios and inspect results here."""

    def __init__(self, root: Path, api_url: str = "http://127.0.0.1", web_url: str = "https://github.com",
                 app_id: int = 424242, app_slug: str = "auth-review") -> None:
        self.root = root
        self.api_url = api_url.rstrip("/")  # set by the runner once the port is known
        self.web_url = web_url.rstrip("/")
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self.accounts: dict[str, Account] = {}
        self.app = App.generate(app_id, app_slug, self.account("auth-review-owner", "Organization"))
        self.bot = Account(self.app.bot_login, self._next_id(), "Bot")
        self.installations: dict[int, Installation] = {}
        self.repos: dict[str, Repository] = {}
        self.pulls: dict[tuple[str, int], PullRequest] = {}
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.issue_comments: dict[int, IssueComment] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.reactions: dict[int, Reaction] = {}
        self.threads: dict[str, ReviewThread] = {}
        self.collaborators: dict[tuple[str, str], str] = {}  # (repo, login) -> admin|maintain|write|triage|read
        self.manifest_codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, Token] = {}
        self.token_lifetime = timedelta(hours=1)
        self.max_patch_bytes = DEFAULT_MAX_PATCH_BYTES
        self.rate_limit = 5000
        self.rate_buckets: dict[str, RateBucket] = {}

    # --- ids and accounts ---

    def _next_id(self) -> int:
        return next(self._ids)

    def account(self, login: str, type: str = "User") -> Account:
        with self.lock:
            if login not in self.accounts:
                self.accounts[login] = Account(login, self._next_id(), type)
            return self.accounts[login]

    # --- scenario building ---

    def install(self, account: str, repositories: list[str] | None = None, permissions: dict[str, str] | None = None,
                installation_id: int | None = None) -> Installation:
        with self.lock:
            owner = self.accounts.get(account) or self.account(account, "Organization")
            inst = Installation(installation_id or self._next_id(), owner, list(repositories or []),
                                dict(permissions or self.app.permissions), list(self.app.events))
            self.installations[inst.id] = inst
            return inst

    def create_repo(self, full_name: str, files: FileSpec, default_branch: str = "main", private: bool = True,
                    installation: Installation | None = None) -> Repository:
        owner_login, name = full_name.split("/", 1)
        path = self.root / "repos" / owner_login / name
        init_repo(path, files, branch=default_branch)
        with self.lock:
            repo = Repository(self._next_id(), self.account(owner_login), name, path,
                              GitRepo(path, self.max_patch_bytes), default_branch, private)
            self.repos[full_name] = repo
            if installation is not None and full_name not in installation.repositories:
                installation.repositories.append(full_name)
            return repo

    def open_pull(self, repo: str, head_files: FileSpec, head_ref: str = "feature", title: str = "Add feature",
                  author: str = "contributor", body: str | None = None, draft: bool = False,
                  renames: dict[str, str] | None = None, base_ref: str | None = None,
                  fork_owner: str | None = None) -> PullRequest:
        """Commit `head_files` on a new branch off the base branch and open a PR for it.

        With `fork_owner`, the branch lives in a clone `fork_owner/<name>` (a fork the App is not
        installed on) and, like GitHub, the base repository gets the head as `refs/pull/N/head`.
        """
        r = self.repos[repo]
        base_ref = base_ref or r.default_branch
        base_sha = r.git.resolve(base_ref)
        assert base_sha is not None, f"no base branch {base_ref}"
        head_repo = r
        if fork_owner is not None:
            head_repo = self._fork(r, fork_owner)
        head_sha = commit_on_branch(head_repo.path, head_ref, base_sha, head_files, renames, message=title)
        with self.lock:
            number = 1 + max((n for (name, n) in self.pulls if name == repo), default=0)
            pr = PullRequest(number, self._next_id(), repo, title, body, self.account(author), base_ref, base_sha,
                             head_ref, head_sha, head_repo.full_name, draft, commit_shas=[head_sha])
            self.pulls[(repo, number)] = pr
        self._publish_head(pr)
        return pr

    def _fork(self, upstream: Repository, owner: str) -> Repository:
        path = self.root / "repos" / owner / upstream.name
        git(upstream.path, "clone", "-q", str(upstream.path), str(path))
        with self.lock:
            fork = Repository(self._next_id(), self.account(owner), upstream.name, path,
                              GitRepo(path, self.max_patch_bytes), upstream.default_branch, upstream.private)
            self.repos[fork.full_name] = fork
            return fork

    def _publish_head(self, pr: PullRequest) -> None:
        """Every PR head is reachable in the base repository, as on GitHub (`refs/pull/N/head`)."""
        base, head = self.repos[pr.repo], self.repos[pr.head_repo]
        if base is not head:
            git(base.path, "fetch", "-q", str(head.path), f"+{pr.head_ref}:refs/pull/{pr.number}/head")

    def push(self, pr: PullRequest, files: FileSpec, renames: dict[str, str] | None = None,
             message: str = "Update") -> str:
        """A new head commit on the PR branch (what a `synchronize` webhook reports)."""
        r = self.repos[pr.head_repo]
        sha = commit_on_branch(r.path, pr.head_ref, pr.head_sha, files, renames, message=message)
        with self.lock:
            pr.head_sha = sha
            pr.commit_shas.append(sha)
            pr.updated_at = utcnow()
        self._publish_head(pr)
        return sha

    def force_push(self, pr: PullRequest, sha: str) -> None:
        """`git push --force` of an earlier commit `sha` to the PR branch (a `synchronize` webhook reports it)."""
        r = self.repos[pr.head_repo]
        git(r.path, "checkout", "-q", "-B", pr.head_ref, sha)
        with self.lock:
            pr.head_sha = sha
            pr.commit_shas.append(sha)
            pr.updated_at = utcnow()
        self._publish_head(pr)

    def add_review(self, pr: PullRequest, user: Account, body: str) -> Review:
        """A review without inline comments, submitted at the PR's head by `user` (a person or another App)."""
        with self.lock:
            review = Review(self._next_id(), pr.repo, pr.number, user, body, "COMMENTED", pr.head_sha, [], utcnow())
            self.reviews[review.id] = review
            return review

    def add_reply(self, parent_id: int, user: Account, body: str) -> ReviewComment:
        """A reply in the thread of review comment `parent_id` (threads are flat: it answers the root).

        Like GitHub, the reply comes wrapped in a review of its own, and joins the thread.
        """
        with self.lock:
            parent = self.review_comments[parent_id]
            root = self.review_comments[parent.in_reply_to_id] if parent.in_reply_to_id else parent
            c = ReviewComment(self._next_id(), root.repo, root.pull_number, None, user, body, root.path,
                              root.commit_id, root.diff_hunk, root.line, root.side, root.start_line, root.start_side,
                              root.position, root.subject_type, in_reply_to_id=root.id)
            review = Review(self._next_id(), root.repo, root.pull_number, user, "", "COMMENTED", root.commit_id, [c.id],
                            utcnow())
            c.review_id = review.id
            self.reviews[review.id] = review
            self.review_comments[c.id] = c
            thread = self.thread_for_comment(root.id)
            if thread is not None:
                thread.comment_ids.append(c.id)
            return c

    def reply_as(self, login: str, parent_id: int, body: str) -> ReviewComment:
        """A person replies in a review thread (e.g. `/auth-review dismiss`)."""
        return self.add_reply(parent_id, self.account(login), body)

    def set_thread_resolved(self, comment_id: int, resolved: bool, by: str) -> ReviewThread:
        """A person resolves (or unresolves) the thread of `comment_id`, as the "Resolve conversation" button does."""
        with self.lock:
            thread = self.thread_for_comment(comment_id)
            assert thread is not None, f"no thread holds comment {comment_id}"
            thread.resolved, thread.resolved_by = resolved, (self.account(by).login if resolved else None)
            return thread

    def apply_suggestion(self, pr: PullRequest, comment_id: int, message: str = "Apply suggestions from code review") -> str:
        """What "Commit suggestion" does: the comment's suggestion replaces the lines it covers at the PR's head.

        Like GitHub, it refuses when those lines changed since the comment was made.
        """
        c = self.review_comments[comment_id]
        match = SUGGESTION.search(c.body)
        assert match is not None and c.line is not None, "the comment carries no suggestion"
        base = self.repo_git(pr.repo)  # holds every head of the PR, forks included
        then = base.blob(base.rev(f"{c.commit_id}:{c.path}") or "").decode().splitlines(keepends=True)
        now = base.blob(base.rev(f"{pr.head_sha}:{c.path}") or "").decode().splitlines(keepends=True)
        first = c.start_line or c.line
        assert then[first - 1 : c.line] == now[first - 1 : c.line], "the suggestion is outdated"
        replacement = [line + "\n" for line in match["text"].split("\n")] if match["text"] else []
        return self.push(pr, {c.path: "".join(now[: first - 1] + replacement + now[c.line :])}, message=message)

    def set_permission(self, repo: str, login: str, permission: str) -> None:
        with self.lock:
            self.account(login)
            self.collaborators[(repo, login)] = permission

    def register_manifest_code(self, manifest: dict[str, Any] | None = None) -> str:
        """A one-time code as GitHub hands it to the redirect URL after the manifest flow."""
        code = secrets.token_hex(10)
        with self.lock:
            self.manifest_codes[code] = dict(manifest or {})
        return code

    # --- lookups for tests ---

    def pull(self, repo: str, number: int) -> PullRequest:
        return self.pulls[(repo, number)]

    def reviews_for(self, repo: str, number: int) -> list[Review]:
        with self.lock:
            return [r for r in self.reviews.values() if r.repo == repo and r.pull_number == number]

    def comments_for(self, repo: str, number: int) -> list[ReviewComment]:
        with self.lock:
            return [c for c in self.review_comments.values() if c.repo == repo and c.pull_number == number]

    def check_runs_for(self, repo: str, head_sha: str | None = None) -> list[CheckRun]:
        with self.lock:
            return [c for c in self.check_runs.values()
                    if c.repo == repo and (head_sha is None or c.head_sha == head_sha)]

    def thread_for_comment(self, comment_id: int) -> ReviewThread | None:
        with self.lock:
            return next((t for t in self.threads.values() if comment_id in t.comment_ids), None)

    def repo_git(self, repo: str) -> GitRepo:
        r = self.repos[repo]
        r.git.max_patch_bytes = self.max_patch_bytes
        return r.git
