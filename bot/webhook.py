"""Step 1: receive a GitHub webhook, verify it, record it and enqueue its work.

Order matters: the size limit and the HMAC signature are checked on the raw
bytes before anything is parsed; the delivery and its jobs are written in
one transaction, so an accepted delivery is never lost and a redelivery
(same ``X-GitHub-Delivery``) is never processed twice.

This module owns the tables deliveries keep current: ``deliveries``,
``installations``, ``repositories`` and ``pull_heads`` (the job reads the
last two through ``installation_of`` and ``latest_head``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from .jobs import CommandJob, ReviewJob, ThreadJob, TypedJob, pull_group
from .queue import SqliteQueue
from .store import Store, now

log = logging.getLogger("auth_review.webhook")

REVIEW_ACTIONS = frozenset({"opened", "reopened", "synchronize", "ready_for_review"})
COMMAND_PREFIX = "/auth-review"


class WebhookRejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature_for(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of ``X-Hub-Signature-256`` against the raw body."""
    if not header:
        return False
    return hmac.compare_digest(signature_for(secret, body).encode(), header.strip().encode())


@dataclass(frozen=True)
class Delivery:
    id: str
    event: str
    payload: dict[str, Any]

    @property
    def action(self) -> str | None:
        action = self.payload.get("action")
        return action if isinstance(action, str) else None


def parse(secret: str, body: bytes, headers: dict[str, str]) -> Delivery:
    """Verify and parse one delivery; raises ``WebhookRejected`` with the HTTP status to answer."""
    if not verify_signature(secret, body, headers.get("x-hub-signature-256")):
        raise WebhookRejected(401, "missing or invalid X-Hub-Signature-256")
    event, delivery_id = headers.get("x-github-event"), headers.get("x-github-delivery")
    if not event or not delivery_id:
        raise WebhookRejected(400, "missing X-GitHub-Event or X-GitHub-Delivery header")
    if len(delivery_id) > 200:
        raise WebhookRejected(400, "X-GitHub-Delivery is too long")
    try:
        # UTF-8 only, as GitHub sends it (json.loads would guess UTF-16/32 from bytes). ValueError also
        # covers integers past Python's int-str limit; the C decoder raises RecursionError on deep nesting.
        payload = json.loads(body.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        raise WebhookRejected(400, f"body is not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(payload, dict):
        raise WebhookRejected(400, "body is not a JSON object")
    return Delivery(id=delivery_id, event=event, payload=payload)


def record(store: Store, queue: SqliteQueue, delivery: Delivery) -> tuple[bool, list[int]]:
    """Store the delivery and enqueue its jobs atomically. Returns (new?, job ids)."""
    repo = _repo_name(delivery.payload)
    installation = delivery.payload.get("installation")
    installation_id = installation.get("id") if isinstance(installation, dict) else None
    with store.transaction() as conn:
        inserted = conn.execute(
            "INSERT OR IGNORE INTO deliveries (id, event, action, installation_id, repository, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (delivery.id, delivery.event, delivery.action, installation_id, repo, now()),
        ).rowcount
        if not inserted:
            return False, []
        _track_installations(conn, delivery)
        jobs = [queue.submit(job, conn=conn) for job in _jobs_for(conn, queue, delivery)]
    return True, jobs


def _repo_name(payload: dict[str, Any]) -> str | None:
    repo = payload.get("repository")
    name = repo.get("full_name") if isinstance(repo, dict) else None
    return name if isinstance(name, str) else None


def _jobs_for(conn: Any, queue: SqliteQueue, delivery: Delivery) -> list[TypedJob]:
    payload, event, action = delivery.payload, delivery.event, delivery.action
    if event == "pull_request" and action in REVIEW_ACTIONS:
        return _review_job(conn, queue, delivery, payload.get("pull_request"))
    if event in ("check_run", "check_suite") and action == "rerequested":
        holder = payload.get(event) or {}
        jobs: list[TypedJob] = []
        for pr in holder.get("pull_requests") or []:
            pr_ref = {"number": pr.get("number"), "head": {"sha": holder.get("head_sha")},
                      "base": pr.get("base") or {}, "draft": False}
            jobs += _review_job(conn, queue, delivery, pr_ref, force=True)
        return jobs
    if event == "pull_request_review_comment" and action == "created":
        return _command_job(delivery)
    if event == "pull_request_review_thread" and action in ("resolved", "unresolved"):
        return _thread_job(delivery)
    return []


@dataclass(frozen=True)
class _PullContext:
    """Repository, pull request number and installation of a feedback event."""

    repository: str
    number: int
    installation_id: Any  # as the delivery has it: the job reads it


def _pull_context(delivery: Delivery) -> _PullContext | None:
    """Repository, pull request number and installation of a feedback event (None if unusable)."""
    repo, pr = _repo_name(delivery.payload), delivery.payload.get("pull_request")
    number = pr.get("number") if isinstance(pr, dict) else None
    if repo is None or not isinstance(number, int):
        log.warning("delivery without a usable pull request", extra={"delivery": delivery.id, "event": delivery.event})
        return None
    installation = delivery.payload.get("installation") or {}
    return _PullContext(repo, number, installation.get("id"))


def _is_bot(account: Any) -> bool:
    """Any App's account: its replies are never commands and its resolutions never decisions.

    Whether a bot account is auth-review's own needs the App's slug, which the job knows
    (``AppAccount.owns``); the web server decides without asking GitHub anything.
    """
    return isinstance(account, dict) and account.get("type") == "Bot"


def _command_job(delivery: Delivery) -> list[TypedJob]:
    """A person's reply with ``/auth-review ...`` in a review thread (the bot's own replies are skipped)."""
    comment = delivery.payload.get("comment")
    if not isinstance(comment, dict) or _is_bot(comment.get("user")):
        return []
    body, parent = comment.get("body"), comment.get("in_reply_to_id")
    if not isinstance(body, str) or COMMAND_PREFIX not in body.lower() or not isinstance(parent, int):
        return []
    context = _pull_context(delivery)
    login = (comment.get("user") or {}).get("login")
    if context is None or not isinstance(login, str):
        return []
    # GitHub's comment id as sent (always an integer); the job checks it, as it checks every field.
    comment_id = cast(int, comment.get("id"))
    return [CommandJob(delivery=delivery.id, repository=context.repository, number=context.number,
                       installation_id=context.installation_id, comment_id=comment_id, parent_id=parent,
                       author=login, body=body[:4000])]


def _thread_job(delivery: Delivery) -> list[TypedJob]:
    """A review thread resolved or unresolved by a person (a bot, auth-review included, changes nothing)."""
    thread, sender = delivery.payload.get("thread"), delivery.payload.get("sender")
    if not isinstance(thread, dict) or not isinstance(sender, dict) or _is_bot(sender):
        return []
    comments = thread.get("comments") or []
    root = comments[0] if comments and isinstance(comments[0], dict) else {}
    context = _pull_context(delivery)
    if context is None or not isinstance(root.get("id"), int) or not _is_bot(root.get("user")):
        return []  # not a thread a bot started: none of ours (the job checks which bot it was)
    author = root["user"]
    login = cast(str, sender.get("login"))  # as sent (always a string); the job checks it
    return [ThreadJob(delivery=delivery.id, repository=context.repository, number=context.number,
                      installation_id=context.installation_id, action=str(delivery.action), root_id=root["id"],
                      sender=login, root_user={"login": author.get("login"), "type": author.get("type")})]


def _review_job(conn: Any, queue: SqliteQueue, delivery: Delivery, pr: Any, force: bool = False) -> list[TypedJob]:
    repo = _repo_name(delivery.payload)
    if not isinstance(pr, dict) or repo is None or not isinstance(pr.get("number"), int):
        log.warning("delivery without a usable pull request", extra={"delivery": delivery.id, "event": delivery.event})
        return []
    head_sha = (pr.get("head") or {}).get("sha")
    if not isinstance(head_sha, str):
        return []
    number = pr["number"]
    if advance_head(conn, repo, number, head_sha, github_time(pr.get("updated_at"))):
        # A newer push supersedes reviews still waiting for an older head (a late delivery supersedes nothing).
        queue.supersede_reviews(pull_group(repo, number), conn=conn)
    installation = delivery.payload.get("installation") or {}
    return [ReviewJob(delivery=delivery.id, repository=repo, number=number, head_sha=head_sha,
                      installation_id=installation.get("id"), draft=bool(pr.get("draft")), force=force,
                      sender=(delivery.payload.get("sender") or {}).get("login"))]


def advance_head(conn: Any, repository: str, number: int, head_sha: str, pr_updated_at: float | None) -> bool:
    """Record ``head_sha`` as the pull request's head unless the recorded one is newer; True if it is now recorded.

    Deliveries arrive late, out of order or replayed, so the head moves only forward, by GitHub's
    ``updated_at`` of the pull request (ties move it: the job then asks GitHub which head is current).
    Without a time (a re-requested check run) it is recorded only where none is.
    """
    conn.execute(
        "INSERT INTO pull_heads (repository, number, head_sha, updated_at, pr_updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (repository, number) DO UPDATE SET head_sha = excluded.head_sha, "
        "updated_at = excluded.updated_at, pr_updated_at = excluded.pr_updated_at "
        "WHERE excluded.pr_updated_at IS NOT NULL "
        "AND (pull_heads.pr_updated_at IS NULL OR excluded.pr_updated_at >= pull_heads.pr_updated_at)",
        (repository, number, head_sha, now(), pr_updated_at),
    )
    return latest_head(conn, repository, number) == head_sha


def latest_head(conn: Any, repository: str, number: int) -> str | None:
    """The newest head recorded for the pull request (``conn``: a connection or a ``Store``)."""
    row = conn.execute("SELECT head_sha FROM pull_heads WHERE repository = ? AND number = ?",
                       (repository, number)).fetchone()
    return None if row is None else str(row[0])


def installation_of(conn: Any, repository: str) -> int | None:
    """The installation ``repository`` is in, as deliveries recorded it (None: unknown or removed since)."""
    row = conn.execute("SELECT installation_id FROM repositories WHERE full_name = ? AND removed = 0",
                       (repository,)).fetchone()
    return None if row is None else int(row[0])


def github_time(value: Any) -> float | None:
    """An ISO 8601 time as GitHub writes it (``2024-05-01T12:00:00Z``), in epoch seconds; None if absent or odd."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _track_installations(conn: Any, delivery: Delivery) -> None:
    """Keep the installations and repositories tables current (cheap; done in the request)."""
    payload, event, action = delivery.payload, delivery.event, delivery.action
    installation = payload.get("installation")
    if event not in ("installation", "installation_repositories") or not isinstance(installation, dict):
        return
    inst_id = installation.get("id")
    account = (installation.get("account") or {})
    t = now()
    conn.execute(
        "INSERT INTO installations (id, account, account_type, suspended, deleted, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET account = excluded.account, suspended = excluded.suspended, "
        "deleted = excluded.deleted, updated_at = excluded.updated_at",
        (inst_id, account.get("login") or "", account.get("type"), int(action == "suspend" or
         (action != "unsuspend" and bool(installation.get("suspended_at")))), int(action == "deleted"), t),
    )
    added = payload.get("repositories") if event == "installation" else payload.get("repositories_added")
    removed = payload.get("repositories_removed") if event == "installation_repositories" else None
    if event == "installation" and action == "deleted":
        removed, added = payload.get("repositories") or [], None
    for repo in added or []:
        conn.execute(
            "INSERT INTO repositories (id, installation_id, full_name, private, removed, updated_at) VALUES (?, ?, ?, ?, 0, ?) "
            "ON CONFLICT (id) DO UPDATE SET installation_id = excluded.installation_id, full_name = excluded.full_name, "
            "removed = 0, updated_at = excluded.updated_at",
            (repo.get("id"), inst_id, repo.get("full_name"), int(bool(repo.get("private"))), t),
        )
    for repo in removed or []:
        conn.execute("UPDATE repositories SET removed = 1, updated_at = ? WHERE id = ?", (t, repo.get("id")))
