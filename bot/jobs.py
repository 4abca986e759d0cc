"""The jobs' payloads, typed: what the webhook (or a maintainer's decision) asks the worker to do.

Each kind is built once, where it is enqueued, and read once, where it runs. ``to_payload`` writes the
JSON the ``jobs`` table has always held (the same keys in the same order), so rows queued by an
earlier release still load; ``from_payload`` is the one place a stored payload is checked, and a
payload that does not fit raises ``JobError``: retrying would not mend it.

Every kind is about one pull request, and a pull request's jobs share a group (``pull_group``): the
queue runs them one at a time, in order, so a decision sees the reviews queued before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias


class JobError(RuntimeError):
    """A job cannot run as asked (bad payload); retrying will not help."""


def pull_group(repository: str, number: int) -> str:
    """The group of one pull request's jobs: they run one at a time, in order."""
    return f"{repository}#{number}"


@contextmanager
def _reading(kind: str) -> Iterator[None]:
    """Whatever a stored payload lacks or has wrong becomes one ``JobError`` naming the kind."""
    try:
        yield
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise JobError(f"malformed {kind} job: {exc}") from None


def _installation(payload: dict[str, Any]) -> int | None:
    """The installation the delivery came through; None when it had none (the job asks where it is installed)."""
    value = payload.get("installation_id")
    return int(value) if isinstance(value, int) else None


@dataclass(frozen=True, kw_only=True)
class PullJob:
    """What every job is about: one pull request, and the installation to reach it through."""

    kind: ClassVar[str] = ""
    repository: str  # owner/name
    number: int
    installation_id: int | None  # None: not in the delivery; looked up when the job runs

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def repo(self) -> str:
        return self.repository.split("/", 1)[1]

    @property
    def group(self) -> str:
        return pull_group(self.repository, self.number)


def read_pull(payload: dict[str, Any], kind: str) -> PullJob:
    """The pull request part of a stored payload of any kind: all a dead job's clean-up needs."""
    with _reading(kind):
        owner, repo = str(payload["repository"]).split("/", 1)
        return PullJob(repository=f"{owner}/{repo}", number=int(payload["number"]),
                       installation_id=_installation(payload))


@dataclass(frozen=True, kw_only=True)
class ReviewJob(PullJob):
    """Review the pull request at ``head_sha`` (or at the head GitHub reports when the job runs)."""

    kind: ClassVar[str] = "review"
    REFRESH: ClassVar[str] = "feedback"  # the ``reason`` of a review queued by a maintainer's decision
    delivery: str  # the delivery that asked for it; for a refresh, the decision's source
    head_sha: str
    draft: bool
    force: bool  # post a new check run even if this head was reviewed (re-requested, or a decision changed it)
    sender: str | None = None  # who pushed: thanked in the thread of a finding the push fixed
    reason: str | None = None  # why it was queued, when not for a delivery (``REFRESH``)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "delivery": self.delivery, "repository": self.repository, "number": self.number,
            "head_sha": self.head_sha, "installation_id": self.installation_id, "draft": self.draft,
            "force": self.force}
        # The two shapes stored so far: a delivery's review names its sender, a refresh names its reason.
        if self.reason is None:
            payload["sender"] = self.sender
        else:
            payload["reason"] = self.reason
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ReviewJob:
        pull = read_pull(payload, cls.kind)
        head_sha = payload.get("head_sha")
        if not isinstance(head_sha, str):
            raise JobError(f"malformed {cls.kind} job: no head_sha")
        sender, reason = payload.get("sender"), payload.get("reason")
        return cls(repository=pull.repository, number=pull.number, installation_id=pull.installation_id,
                   delivery=str(payload.get("delivery") or ""), head_sha=head_sha, draft=bool(payload.get("draft")),
                   force=bool(payload.get("force")), sender=sender if isinstance(sender, str) else None,
                   reason=reason if isinstance(reason, str) else None)


@dataclass(frozen=True, kw_only=True)
class CommandJob(PullJob):
    """A person's reply carrying ``/auth-review ...`` in a review thread."""

    kind: ClassVar[str] = "command"
    delivery: str
    comment_id: int  # the reply
    parent_id: int  # the thread's first comment
    author: str
    body: str

    def to_payload(self) -> dict[str, Any]:
        return {"delivery": self.delivery, "repository": self.repository, "number": self.number,
                "installation_id": self.installation_id, "comment_id": self.comment_id, "parent_id": self.parent_id,
                "author": self.author, "body": self.body}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> CommandJob:
        pull = read_pull(payload, cls.kind)
        with _reading(cls.kind):
            return cls(repository=pull.repository, number=pull.number, installation_id=pull.installation_id,
                       delivery=str(payload["delivery"]), comment_id=int(payload["comment_id"]),
                       parent_id=int(payload["parent_id"]), author=str(payload["author"]), body=str(payload["body"]))


@dataclass(frozen=True, kw_only=True)
class ThreadJob(PullJob):
    """A review thread resolved or unresolved by a person."""

    kind: ClassVar[str] = "thread"
    ACTIONS: ClassVar[frozenset[str]] = frozenset({"resolved", "unresolved"})
    delivery: str
    action: str  # resolved | unresolved
    root_id: int  # the thread's first comment
    sender: str
    root_user: dict[str, Any]  # the author of the thread's first comment: {"login", "type"}

    def to_payload(self) -> dict[str, Any]:
        return {"delivery": self.delivery, "repository": self.repository, "number": self.number,
                "installation_id": self.installation_id, "action": self.action, "root_id": self.root_id,
                "sender": self.sender, "root_user": self.root_user}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ThreadJob:
        pull = read_pull(payload, cls.kind)
        with _reading(cls.kind):
            action = str(payload["action"])
            if action not in cls.ACTIONS:
                raise ValueError(f"unknown thread action {action!r}")
            return cls(repository=pull.repository, number=pull.number, installation_id=pull.installation_id,
                       delivery=str(payload["delivery"]), action=action, root_id=int(payload["root_id"]),
                       sender=str(payload["sender"]), root_user=dict(payload.get("root_user") or {}))


TypedJob: TypeAlias = ReviewJob | CommandJob | ThreadJob
