"""The job queue's attempts: a lapsed lease counts, and the last one dead-letters the job."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth_review.bot import queue as queue_module
from auth_review.bot.queue import SqliteQueue
from auth_review.bot.store import Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "state.db")


def _lease_and_die(queue: SqliteQueue, owner: str) -> queue_module.Job:
    """A worker leases a job and dies at once: a zero-second lease has lapsed by the next lease call."""
    leased = queue.lease(owner, seconds=0.0)
    assert leased is not None
    return leased


def test_a_job_whose_worker_dies_every_time_is_dead_lettered_after_max_attempts(store: Store) -> None:
    queue = SqliteQueue(store, max_attempts=3)
    crashing = queue.enqueue("review", {"n": 1}, group="o/r#1")
    after = queue.enqueue("review", {"n": 2}, group="o/r#1")
    attempts = [_lease_and_die(queue, f"worker-{i}") for i in range(3)]
    assert [(j.id, j.attempts) for j in attempts] == [(crashing, 1), (crashing, 2), (crashing, 3)]
    # The third lease lapsed too: no fourth attempt, and the next job of the pull request still waits.
    assert queue.lease("worker-3", 30) is None
    [dead] = queue.dead_letter_lapsed()
    assert (dead.job.id, dead.job.kind, dead.job.attempts, dead.job.payload) == (crashing, "review", 3, {"n": 1})
    assert "lapsed on attempt 3 of 3" in dead.error
    state, error = store.execute("SELECT state, last_error FROM jobs WHERE id = ?", (crashing,)).fetchone()
    assert state == "dead" and error == dead.error
    assert queue.dead_letter_lapsed() == []  # once
    following = queue.lease("worker-3", 30)
    assert following is not None and following.id == after


def test_a_lapsed_lease_with_attempts_left_is_leased_again_and_counted(store: Store) -> None:
    queue = SqliteQueue(store, max_attempts=3)
    job_id = queue.enqueue("review", {})
    _lease_and_die(queue, "a")
    assert queue.dead_letter_lapsed() == []  # attempts left: not dead
    again = queue.lease("b", 30)
    assert again is not None and again.id == job_id and again.attempts == 2


def test_the_dead_worker_cannot_revive_a_dead_lettered_job(store: Store) -> None:
    queue = SqliteQueue(store, max_attempts=1)
    queue.enqueue("review", {})
    stalled = _lease_and_die(queue, "slow")
    assert len(queue.dead_letter_lapsed()) == 1
    queue.ack(stalled, "reviewed")  # a worker that was only slow comes back: too late
    queue.retry(stalled, "boom", delay=0)
    assert queue.counts() == {"dead": 1}


def test_oldest_wait_counts_only_due_queued_jobs(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(queue_module, "now", lambda: clock[0])
    queue = SqliteQueue(store)
    assert queue.oldest_wait() == 0.0
    queue.enqueue("review", {}, delay=0.0)
    queue.enqueue("review", {}, delay=5000.0)  # backing off: not late
    clock[0] = 1600.0
    assert queue.oldest_wait() == 600.0
    leased = queue.lease("w", 30)
    assert leased is not None and queue.oldest_wait() == 0.0  # running is not waiting
