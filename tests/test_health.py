"""The worker when the database fails, and what /healthz answers."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth_review.bot import cli, health
from auth_review.bot import queue as queue_module
from auth_review.bot import worker as worker_module
from auth_review.bot.queue import SqliteQueue
from auth_review.bot.server import BotState, create_app
from auth_review.bot.settings import Credentials, Settings
from auth_review.bot.store import Store, now
from auth_review.bot.worker import DatabaseRetry, Worker
from devkit.emulator.run import serve

NO_WAIT = DatabaseRetry(attempts=4, base=0.0)


@pytest.fixture(scope="module")
def credentials() -> Credentials:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    return Credentials(app_id=1, private_key=pem, webhook_secret="s")


@pytest.fixture()
def settings(tmp_path: Path, credentials: Credentials) -> Settings:
    # No GitHub is ever reached: the API address is closed.
    return Settings(credentials=credentials, github_api_url="http://127.0.0.1:9", database_path=tmp_path / "bot.db",
                    queue_max_age=60.0, worker_timeout=60.0)


@pytest.fixture()
def worker(settings: Settings) -> Iterator[Worker]:
    running = Worker(settings, str(settings.database_path), parallel=False, db_retry=NO_WAIT)
    yield running
    running.close()


def _failing(times: int, real: Callable[..., Any]) -> tuple[Callable[..., Any], list[int]]:
    """``real``, except that its first ``times`` calls raise as a read-only database does."""
    calls: list[int] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(*args, **kwargs)
    return call, calls


# --- the worker --------------------------------------------------------------------------------

def test_a_failed_write_in_the_failure_path_is_retried(worker: Worker, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = worker.queue.enqueue("no-such-kind", {})  # fails permanently: queue.fail writes the dead letter
    fail, calls = _failing(2, queue_module.fail)
    monkeypatch.setattr(queue_module, "fail", fail)
    assert worker.run_once() is True
    assert len(calls) == 3
    state, error = worker.store.execute("SELECT state, last_error FROM jobs WHERE id = ?", (job_id,)).fetchone()
    assert state == "dead" and "unknown job kind" in error
    assert worker.fatal is None


def test_a_failed_ack_is_retried(worker: Worker, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = worker.queue.enqueue("review", {})
    monkeypatch.setattr(worker_module.job, "run", lambda ctx, leased: "reviewed")
    ack, calls = _failing(3, worker.queue.ack)
    monkeypatch.setattr(worker.queue, "ack", ack)
    assert worker.run_once() is True
    assert len(calls) == 4
    assert worker.store.execute("SELECT state, outcome FROM jobs WHERE id = ?", (job_id,)).fetchone() == ("done", "reviewed")


def test_a_database_that_stays_read_only_stops_the_worker_as_fatal(worker: Worker) -> None:
    worker.queue.enqueue("review", {})
    worker.store.execute("PRAGMA query_only = ON")  # every write fails from now on, as on a read-only file
    signalled: list[str | None] = []
    worker.on_fatal = lambda: signalled.append(worker.fatal)
    worker.run_forever()  # returns: it does not loop for ever, nor die silently
    assert worker.fatal is not None and "readonly" in worker.fatal
    assert signalled == [worker.fatal]


def test_the_worker_command_exits_non_zero_when_the_database_stays_unusable(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    monkeypatch.setattr(cli.logging_setup, "configure", lambda level: None)
    monkeypatch.setattr(worker_module, "DATABASE_RETRY", NO_WAIT)
    broken, calls = _failing(10_000, SqliteQueue.lease)
    monkeypatch.setattr(SqliteQueue, "lease", broken)
    assert cli.main(["worker"]) == worker_module.EXIT_DATABASE != 0
    assert len(calls) == NO_WAIT.attempts
    assert "database stays unusable" in capsys.readouterr().err


def test_a_lapsed_lease_on_the_last_attempt_is_dead_lettered_by_the_worker(worker: Worker) -> None:
    job_id = worker.queue.enqueue("thread", {"repository": "o/r", "number": 1})
    worker.store.execute("UPDATE jobs SET state = 'leased', attempts = max_attempts, lease_owner = 'gone', "
                         "leased_until = 0 WHERE id = ?", (job_id,))
    assert worker.run_once() is False  # nothing to run: the job is dead, not leased a sixth time
    state, error = worker.store.execute("SELECT state, last_error FROM jobs WHERE id = ?", (job_id,)).fetchone()
    assert state == "dead" and "lapsed" in error


# --- /healthz ------------------------------------------------------------------------------------

@pytest.fixture()
def server(settings: Settings) -> Iterator[tuple[BotState, httpx.Client]]:
    store = Store.open(settings.database_path)
    state = BotState(settings=settings, store=store, queue=SqliteQueue(store))
    with serve(create_app(state), "bot") as url, httpx.Client(base_url=url) as client:
        yield state, client
    store.close()


def _health(client: httpx.Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_healthy_with_a_worker_heartbeat(server: tuple[BotState, httpx.Client]) -> None:
    state, client = server
    health.register(state.store, "host:1:1")
    status, body = _health(client)
    assert (status, body["status"], body["database"], body["worker"], body["queue"]) == (200, "ok", "ok", "ok", "ok")


def test_unhealthy_without_a_running_worker(server: tuple[BotState, httpx.Client]) -> None:
    state, client = server
    status, body = _health(client)
    assert status == 503 and body["worker"] == "no worker is running"
    health.register(state.store, "host:1:1")
    health.stopped(state.store, "host:1:1")
    assert _health(client)[0] == 503  # stopped cleanly: not running either
    state.store.execute("UPDATE workers SET stopped_at = NULL, beat_at = ?", (now() - 600,))
    status, body = _health(client)
    assert status == 503 and body["worker"].startswith("no worker heartbeat for ")


def test_an_in_process_worker_is_judged_by_its_thread(server: tuple[BotState, httpx.Client]) -> None:
    state, client = server
    alive = [True]
    state.worker_alive = lambda: alive[0]
    assert _health(client)[0] == 200  # no heartbeat needed
    alive[0] = False
    status, body = _health(client)
    assert status == 503 and body["worker"] == "the worker thread is not running"


def test_unhealthy_when_the_database_is_read_only(server: tuple[BotState, httpx.Client]) -> None:
    state, client = server
    health.register(state.store, "host:1:1")
    state.store.execute("PRAGMA query_only = ON")
    status, body = _health(client)
    assert status == 503 and body["database"].startswith("not writable")


def test_unhealthy_when_the_database_file_was_deleted(server: tuple[BotState, httpx.Client], settings: Settings) -> None:
    state, client = server
    health.register(state.store, "host:1:1")
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{settings.database_path}{suffix}")
        if path.exists():
            os.remove(path)
    status, body = _health(client)
    assert status == 503 and body["database"] == "the database file is gone"


def test_unhealthy_when_the_oldest_queued_job_waited_too_long(server: tuple[BotState, httpx.Client]) -> None:
    state, client = server
    health.register(state.store, "host:1:1")
    job_id = state.queue.enqueue("review", {})
    assert _health(client)[0] == 200
    state.store.execute("UPDATE jobs SET run_after = ? WHERE id = ?", (now() - 120, job_id))  # limit: 60 s
    status, body = _health(client)
    assert status == 503 and body["queue"].startswith("a job has waited 1") and body["oldest_queued_seconds"] >= 120
