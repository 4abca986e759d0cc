"""A durable job queue in SQLite: enqueue, lease with a visibility timeout, ack, retry, dead-letter.

Handlers see only ``JobQueue``; a distributed backend can implement the same
protocol. A worker that dies mid-job loses nothing: its lease expires and the
job is leased again. Every lease counts as an attempt, so a job whose worker
dies every time is dead-lettered after its last one. Jobs sharing a ``group``
(one pull request) never run at the same time.

This module owns the ``jobs`` table: every statement on it is here, including the
two that look inside queued reviews (a newer push supersedes them; a decision's
refresh is queued once), so a second backend has one module to reimplement.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Protocol

from .jobs import ReviewJob, TypedJob
from .store import Store, now


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    group: str | None
    attempts: int
    max_attempts: int
    lease_owner: str


@dataclass(frozen=True)
class DeadJob:
    """A job dead-lettered without an answer from its worker, and why."""

    job: Job
    error: str


class JobQueue(Protocol):
    def enqueue(self, kind: str, payload: dict[str, Any], group: str | None = None, delay: float = 0.0) -> int: ...
    def submit(self, job: TypedJob) -> int: ...
    def lease(self, owner: str, seconds: float) -> Job | None: ...
    def dead_letter_lapsed(self) -> list[DeadJob]: ...
    def extend(self, job: Job, seconds: float) -> bool: ...
    def ack(self, job: Job, outcome: str = "done") -> None: ...
    def retry(self, job: Job, error: str, delay: float | None = None) -> bool: ...


def backoff(attempt: int, base: float = 2.0, cap: float = 300.0) -> float:
    """Exponential backoff with jitter: about 2, 4, 8... seconds, at most ``cap``."""
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return delay * (0.75 + random.random() / 2)  # nosec B311 - jitter, not security


# Runnable: queued and due, or leased with a lapsed lease and attempts left; its group idle and no older job of
# the group still pending (a pull request's jobs run in order, one at a time).
_LEASE_SQL = """
UPDATE jobs SET state = 'leased', lease_owner = ?, leased_until = ?, attempts = attempts + 1
WHERE id = (
    SELECT j.id FROM jobs j
    WHERE ((j.state = 'queued' AND j.run_after <= ?)
           OR (j.state = 'leased' AND j.leased_until <= ? AND j.attempts < j.max_attempts))
      AND (j.group_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM jobs o WHERE o.group_key = j.group_key AND o.id != j.id
            AND o.state = 'leased' AND o.leased_until > ?))
      AND (j.group_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM jobs e WHERE e.group_key = j.group_key AND e.id < j.id
            AND e.state IN ('queued', 'leased')))
    ORDER BY j.run_after, j.id LIMIT 1)
RETURNING id, kind, payload, group_key, attempts, max_attempts
"""

# A lapsed lease on the last attempt: its worker died running it every time (a job that crashes the
# process would crash-loop for ever). Each lapse counted as an attempt when the job was leased.
_DEAD_LAPSED_SQL = """
UPDATE jobs SET state = 'dead', finished_at = ?, leased_until = NULL,
    last_error = 'its lease lapsed on attempt ' || attempts || ' of ' || max_attempts
                 || ': the worker running it stopped (crashed or was killed) each time'
WHERE state = 'leased' AND leased_until <= ? AND attempts >= max_attempts
RETURNING id, kind, payload, group_key, attempts, max_attempts, lease_owner, last_error
"""


class SqliteQueue:
    def __init__(self, store: Store, max_attempts: int = 5) -> None:
        self.store = store
        self.max_attempts = max_attempts

    def enqueue(self, kind: str, payload: dict[str, Any], group: str | None = None, delay: float = 0.0,
                conn: Any = None) -> int:
        """Add a job; pass ``conn`` to enqueue inside the caller's transaction."""
        t = now()
        sql = ("INSERT INTO jobs (kind, payload, group_key, max_attempts, run_after, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?)")
        params = (kind, json.dumps(payload), group, self.max_attempts, t + delay, t)
        cursor = (conn or self.store.db.conn).execute(sql, params)
        return int(cursor.lastrowid or 0)

    def submit(self, job: TypedJob, conn: Any = None) -> int:
        """Enqueue a typed job in its pull request's group; pass ``conn`` to enqueue inside the caller's transaction."""
        return self.enqueue(job.kind, job.to_payload(), job.group, conn=conn)

    def supersede_reviews(self, group: str, conn: Any = None) -> None:
        """Close the group's reviews still queued as superseded: a newer push's review replaces them."""
        (conn or self.store.db.conn).execute(
            "UPDATE jobs SET state = 'done', outcome = 'superseded', finished_at = ? "
            "WHERE group_key = ? AND kind = ? AND state = 'queued'",
            (now(), group, ReviewJob.kind),
        )

    def refresh_waiting(self, group: str, conn: Any = None) -> bool:
        """A decision's refresh of this pull request is already queued: it will count a later decision too."""
        row = (conn or self.store.db.conn).execute(
            "SELECT 1 FROM jobs WHERE group_key = ? AND kind = ? AND state = 'queued' "
            "AND json_extract(payload, '$.reason') = ?",
            (group, ReviewJob.kind, ReviewJob.REFRESH),
        ).fetchone()
        return row is not None

    def lease(self, owner: str, seconds: float) -> Job | None:
        """Take the oldest runnable job whose group is not busy, for ``seconds``."""
        t = now()
        with self.store.transaction() as conn:
            row = conn.execute(_LEASE_SQL, (owner, t + seconds, t, t, t)).fetchone()
        if row is None:
            return None
        return Job(id=row[0], kind=row[1], payload=json.loads(row[2]), group=row[3], attempts=row[4],
                   max_attempts=row[5], lease_owner=owner)

    def dead_letter_lapsed(self) -> list[DeadJob]:
        """Dead-letter the jobs whose lease lapsed on their last attempt; returns them (to conclude their checks)."""
        t = now()
        with self.store.transaction() as conn:
            rows = conn.execute(_DEAD_LAPSED_SQL, (t, t)).fetchall()
        return [DeadJob(Job(id=r[0], kind=r[1], payload=json.loads(r[2]), group=r[3], attempts=r[4],
                            max_attempts=r[5], lease_owner=r[6] or ""), r[7]) for r in rows]

    def extend(self, job: Job, seconds: float) -> bool:
        """Keep a long job's lease; False if another worker has taken it over."""
        cursor = self.store.execute(
            "UPDATE jobs SET leased_until = ? WHERE id = ? AND lease_owner = ? AND state = 'leased'",
            (now() + seconds, job.id, job.lease_owner),
        )
        return cursor.rowcount == 1

    def ack(self, job: Job, outcome: str = "done") -> None:
        self.store.execute(
            "UPDATE jobs SET state = 'done', outcome = ?, finished_at = ?, leased_until = NULL "
            "WHERE id = ? AND lease_owner = ? AND state = 'leased'",
            (outcome, now(), job.id, job.lease_owner),
        )

    def retry(self, job: Job, error: str, delay: float | None = None) -> bool:
        """Put the job back after ``delay`` (default: backoff); dead-letter it after the last attempt.

        Returns False when the job went to the dead-letter state.
        """
        if job.attempts >= job.max_attempts:
            self.store.execute(
                "UPDATE jobs SET state = 'dead', last_error = ?, finished_at = ?, leased_until = NULL "
                "WHERE id = ? AND lease_owner = ? AND state = 'leased'",
                (error[:2000], now(), job.id, job.lease_owner),
            )
            return False
        wait = backoff(job.attempts) if delay is None else delay
        self.store.execute(
            "UPDATE jobs SET state = 'queued', last_error = ?, run_after = ?, leased_until = NULL "
            "WHERE id = ? AND lease_owner = ? AND state = 'leased'",
            (error[:2000], now() + wait, job.id, job.lease_owner),
        )
        return True

    def counts(self) -> dict[str, int]:
        return {state: n for state, n in self.store.execute("SELECT state, count(*) FROM jobs GROUP BY state")}

    def next_due(self) -> float | None:
        """Seconds until the next queued job becomes runnable (None if none is queued)."""
        row = self.store.execute("SELECT min(run_after) FROM jobs WHERE state = 'queued'").fetchone()
        return None if row is None or row[0] is None else max(0.0, row[0] - now())

    def oldest_wait(self) -> float:
        """Seconds the longest-waiting due job has waited to be leased (0 when none is due): a stuck queue grows it."""
        t = now()
        row = self.store.execute("SELECT min(run_after) FROM jobs WHERE state = 'queued' AND run_after <= ?",
                                 (t,)).fetchone()
        return 0.0 if row is None or row[0] is None else max(0.0, t - row[0])


def fail(queue: SqliteQueue, job: Job, error: str) -> None:
    """Dead-letter ``job`` now: the error is one a retry cannot mend."""
    queue.store.execute(
        "UPDATE jobs SET state = 'dead', last_error = ?, finished_at = ?, leased_until = NULL "
        "WHERE id = ? AND lease_owner = ? AND state = 'leased'",
        (error[:2000], now(), job.id, job.lease_owner),
    )
