"""Is the App able to review? What ``GET /healthz`` answers, and the workers' heartbeats it reads.

Healthy means: the database takes a real write (not read-only, deleted or full), a worker is
running, and no due job has waited longer than ``HEALTH_MAX_QUEUE_AGE``. A server started with
``--no-worker`` cannot see the worker process, so every worker writes a heartbeat to the
``workers`` table (while idle and while a job runs); a server with an in-process worker asks
the worker's thread instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .queue import SqliteQueue
from .store import Store, now

BEAT_SECONDS = 10.0  # how often a worker says it is alive (HEALTH_WORKER_TIMEOUT is at least 30)
FORGET_SECONDS = 86400.0  # heartbeats of workers gone this long are deleted


@dataclass(frozen=True)
class Health:
    """Each check's problem, or None when it passed."""

    database: str | None
    worker: str | None
    queue: str | None
    oldest_wait: float | None  # seconds the oldest due job has waited (None: unknown)

    @property
    def ok(self) -> bool:
        return self.database is None and self.worker is None and self.queue is None

    def to_dict(self) -> dict[str, Any]:
        wait = None if self.oldest_wait is None else round(self.oldest_wait, 1)
        return {"status": "ok" if self.ok else "unavailable", "database": self.database or "ok",
                "worker": self.worker or "ok", "queue": self.queue or "ok", "oldest_queued_seconds": wait}


def register(store: Store, owner: str) -> None:
    """A worker starts: forget workers long gone, and beat."""
    store.execute("DELETE FROM workers WHERE beat_at < ?", (now() - FORGET_SECONDS,))
    beat(store, owner)


def beat(store: Store, owner: str) -> None:
    """Say ``owner`` is alive. Raises ``sqlite3.OperationalError`` when the database file is gone or
    replaced: SQLite would go on writing to the deleted file and every job's result would be lost."""
    problem = store.file_problem()
    if problem is not None:
        raise sqlite3.OperationalError(problem)
    t = now()
    store.execute("INSERT INTO workers (owner, started_at, beat_at) VALUES (?, ?, ?) ON CONFLICT (owner) "
                  "DO UPDATE SET beat_at = excluded.beat_at, stopped_at = NULL", (owner, t, t))


def stopped(store: Store, owner: str) -> None:
    """A worker stopped cleanly: it no longer counts as running."""
    store.execute("UPDATE workers SET stopped_at = ? WHERE owner = ?", (now(), owner))


def _last_beat(store: Store) -> float | None:
    row = store.execute("SELECT max(beat_at) FROM workers WHERE stopped_at IS NULL").fetchone()
    return None if row is None or row[0] is None else float(row[0])


def _writable(store: Store) -> str | None:
    """Why the database cannot be written, or None: a real write, so read-only and full disks show."""
    problem = store.file_problem()
    if problem is not None:
        return problem
    try:
        store.execute("INSERT INTO health_probe (id, checked_at) VALUES (1, ?) "
                      "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at", (now(),))
    except sqlite3.Error as exc:
        return f"not writable: {exc}"
    return None


def _worker(store: Store, timeout: float, alive: Callable[[], bool] | None) -> str | None:
    if alive is not None:  # in-process: the thread itself says
        return None if alive() else "the worker thread is not running"
    last = _last_beat(store)
    if last is None:
        return "no worker is running"
    silent = now() - last
    return None if silent <= timeout else f"no worker heartbeat for {silent:.0f} s"


def check(store: Store, queue: SqliteQueue, max_queue_age: float, worker_timeout: float,
          worker_alive: Callable[[], bool] | None = None) -> Health:
    """Every check; ``worker_alive`` is the in-process worker's liveness (None: read the heartbeats)."""
    database = _writable(store)
    try:
        worker = _worker(store, worker_timeout, worker_alive)
        wait = queue.oldest_wait()
    except sqlite3.Error as exc:
        return Health(database or f"not readable: {exc}", "unknown (database unreadable)", "unknown", None)
    late = None if wait <= max_queue_age else f"a job has waited {wait:.0f} s (limit {max_queue_age:.0f} s)"
    return Health(database, worker, late, wait)
