"""What every feedback flow works on, and how a change of a finding's state is recorded.

``FeedbackContext`` is the one pull request a flow handles, with the clients and tables it needs.
``record`` applies a change and, for a maintainer's decision, queues the refresh of the check run
in the same transaction: a decision is never recorded without the check run that counts it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .. import records
from ..fetch import PullRequest
from ..github import AppAccount
from ..jobs import ReviewJob
from ..queue import SqliteQueue
from ..records import Change, Tracked
from ..store import Store, now

log = logging.getLogger("auth_review.feedback")


@dataclass(frozen=True)
class FeedbackContext:
    """One pull request, as each feedback flow receives it."""

    store: Store
    queue: SqliteQueue  # where a decision's refresh goes
    gh: Any  # the installation's githubkit client
    pr: PullRequest
    installation_id: int | None
    me: AppAccount  # this App's bot account: its comments are the ones tracked


def record(store: Store, row: Tracked, change: Change, queue: SqliteQueue | None = None,
           refresh: ReviewJob | None = None) -> bool:
    """Apply ``change`` (and enqueue ``refresh``) in one transaction; False if its source was seen before."""
    at = change.at or now()
    with store.transaction() as conn:
        if not records.apply_change(conn, row, change, at):
            return False
        # One queued refresh counts every decision made before it runs.
        if queue is not None and refresh is not None and not queue.refresh_waiting(refresh.group, conn):
            queue.submit(refresh, conn=conn)
    log.info("feedback recorded", extra={
        "outcome": change.outcome, "repository": row.repository, "pull": row.number, "rule": row.rule_id, "fingerprint": row.fingerprint,
        "by": change.actor, "via": change.via, "scope": change.scope, "commit": (change.commit_sha or "")[:12] or None,
        "refresh": refresh is not None})
    return True


def refresh_job(pr: PullRequest, installation_id: int | None, source: str) -> ReviewJob:
    """A review job for the current head that posts a new check run counting the new state."""
    return ReviewJob(delivery=source, repository=pr.full_name, number=pr.number, head_sha=pr.head_sha,
                     installation_id=installation_id, draft=pr.draft, force=True, reason=ReviewJob.REFRESH)
