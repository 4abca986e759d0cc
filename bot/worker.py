"""The worker: lease a job, run it, ack it; retry with backoff; dead-letter after the last attempt.

Runs in the server's process (``auth-review serve``) or alone
(``auth-review worker``). While a job runs, a heartbeat keeps its lease; if
the process dies the lease lapses and another worker takes the job over (a
lapse counts as an attempt: a job that kills its worker every time ends
dead-lettered). A dead review's check run is concluded, never left in
progress. A failing database is retried with backoff; if it stays unusable
the worker stops with ``fatal`` set and the process exits ``EXIT_DATABASE``
so that a supervisor restarts it.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from githubkit.exception import GitHubException

from auth_review.analyzers.isolate import Sandbox

from . import github, health, job, jobs, queue
from .analyze import analysis_sandbox
from .settings import Credentials, Settings
from .store import Store

log = logging.getLogger("auth_review.worker")
T = TypeVar("T")

EXIT_DATABASE = 3  # exit status of a process whose worker gave up on the database


@dataclass(frozen=True)
class DatabaseRetry:
    """How a worker retries a failing database (locked, read-only, full, deleted) before giving up."""

    attempts: int = 6
    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.base * 2 ** (attempt - 1))


DATABASE_RETRY = DatabaseRetry()  # about 15 s of retries


class DatabaseUnavailable(RuntimeError):
    """The database kept failing through every retry."""


class Worker:
    def __init__(self, settings_source: Any, store_path: str, wake: threading.Event | None = None,
                 retry: github.RetryPolicy | None = None, parallel: bool = True, db_retry: DatabaseRetry | None = None,
                 on_fatal: Callable[[], None] | None = None) -> None:
        """``settings_source`` is a ``Settings`` or an object with a ``.settings`` attribute (credentials may change).

        ``on_fatal`` is called (from the worker's thread) when the worker gives up on the database.
        """
        self._settings_source = settings_source
        self.store = Store.open(store_path)
        self.queue = queue.SqliteQueue(self.store)
        self.wake = wake or threading.Event()
        self.retry = retry
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.stopping = threading.Event()
        self.db_retry = db_retry or DATABASE_RETRY
        self.on_fatal = on_fatal
        self.fatal: str | None = None  # why the worker gave up: the process should exit EXIT_DATABASE
        self._beaten = time.monotonic()
        health.register(self.store, self.owner)
        self._pool: Sandbox | None = None  # analysis never runs in this process: a hostile file costs a child
        self.parallel = parallel

    @property
    def settings(self) -> Settings:
        source = self._settings_source
        return source if isinstance(source, Settings) else source.settings

    @lru_cache(maxsize=4)  # noqa: B019 - one Worker per process, alive as long as the process
    def _app(self, creds: Credentials, api_url: str) -> Any:
        return github.app_client(creds, api_url, self.retry, self.settings.github_timeout)

    @lru_cache(maxsize=4)  # noqa: B019 - one Worker per process, alive as long as the process
    def _account(self, creds: Credentials, api_url: str) -> github.AppAccount:
        """Asked of GitHub once per App (a failure is not cached: the next job asks again)."""
        return github.app_account(self._app(creds, api_url), creds)

    def _context(self, creds: Credentials) -> job.JobContext:
        api_url = self.settings.github_api_url
        app = self._app(creds, api_url)
        if self._pool is None:
            self._pool = analysis_sandbox(self.settings.file_limits, None if self.parallel else 1)
        return job.JobContext(store=self.store, installation_client=lambda i: github.installation_client(app, i),
                              app_client=lambda: app, account=lambda: self._account(creds, api_url), pool=self._pool,
                              tuning=self.settings.tuning)

    def _github(self, creds: Credentials) -> job.JobContext:
        """GitHub and the database, without analysis: what concluding a dead job needs."""
        api_url = self.settings.github_api_url
        app = self._app(creds, api_url)
        return job.JobContext(store=self.store, installation_client=lambda i: github.installation_client(app, i),
                              app_client=lambda: app, account=lambda: self._account(creds, api_url))

    def run_once(self) -> bool:
        """Run one job if one is ready; False when there was nothing to do.

        Raises ``DatabaseUnavailable`` when the database keeps failing through ``db_retry``.
        """
        creds = self.settings.credentials
        if creds is None:
            return False  # not registered yet: jobs wait
        for dead in self._durably(self.queue.dead_letter_lapsed):
            log.error("job dead-lettered: its lease lapsed on its last attempt",
                      extra={**_about(dead.job), "error": dead.error})
            self._abandon(creds, dead.job, dead.error)
        leased = self._durably(self.queue.lease, self.owner, self.settings.lease_seconds)
        if leased is None:
            return False
        extra = _about(leased)
        heartbeat = self._durably(_Heartbeat, self.queue, leased, self.settings.lease_seconds, self.owner)
        heartbeat.start()
        try:
            outcome = job.run(self._context(creds), leased)
        except jobs.JobError as exc:
            self._fail(creds, leased, str(exc))
        except Exception as exc:  # any failure: retry later, never crash the worker
            error = f"{type(exc).__name__}: {_describe(exc)}"
            if github.is_unauthorized(exc):
                self._app.cache_clear()  # a revoked or stale token: the retry starts with a fresh one
            if github.is_permanent(exc):
                self._fail(creds, leased, error)
            elif self._durably(self.queue.retry, leased, error, github.retry_after(exc)):
                log.warning("job failed; will retry", extra={**extra, "error": error})
            else:
                log.error("job dead-lettered after its last attempt", extra={**extra, "error": error})
                self._abandon(creds, leased, error)
        else:
            self._durably(self.queue.ack, leased, outcome)
            log.info("job done", extra={**extra, "outcome": outcome})
        finally:
            heartbeat.stop()
        return True

    def _fail(self, creds: Credentials, leased: queue.Job, error: str) -> None:
        self._durably(queue.fail, self.queue, leased, error)
        log.error("job failed permanently", extra={**_about(leased), "error": error})
        self._abandon(creds, leased, error)

    def _abandon(self, creds: Credentials, dead: queue.Job, reason: str) -> None:
        """Conclude a dead review's check run (a required check left in progress blocks merging).

        Best effort: a failure is logged and the worker goes on (the job is dead either way).
        """
        try:
            concluded = job.abandon(self._github(creds), dead, reason)
        except Exception as exc:
            log.warning("could not conclude the check run of a dead job",
                        extra={**_about(dead), "error": f"{type(exc).__name__}: {_describe(exc)}"})
        else:
            if concluded:
                log.info("concluded the check run of a dead job", extra={**_about(dead), "check_runs": concluded})

    def _durably(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)``, retried with backoff while the database fails (locked, read-only, full, deleted).

        Raises ``DatabaseUnavailable`` after ``db_retry.attempts`` failures: the caller cannot go on.
        """
        for attempt in range(1, max(1, self.db_retry.attempts) + 1):
            try:
                return call(*args)
            except sqlite3.Error as exc:
                if attempt >= self.db_retry.attempts:
                    raise DatabaseUnavailable(f"{type(exc).__name__}: {exc}") from exc
                delay = self.db_retry.delay(attempt)
                log.warning("database error; retrying", extra={"error": f"{type(exc).__name__}: {exc}",
                                                              "attempt": attempt, "seconds": delay})
                self.stopping.wait(delay)
        raise AssertionError("unreachable")

    def _beat(self) -> None:
        """Tell ``/healthz`` (of a server without this worker) that the worker runs, every few seconds."""
        if time.monotonic() - self._beaten >= health.BEAT_SECONDS:
            health.beat(self.store, self.owner)
            self._beaten = time.monotonic()

    def run_forever(self) -> None:
        """Run jobs until ``stop``; returns early with ``fatal`` set (and ``on_fatal`` called) if the database
        stays unusable."""
        log.info("worker started", extra={"owner": self.owner})
        try:
            while not self.stopping.is_set():
                self._durably(self._beat)
                if self.run_once():
                    continue
                due = self._durably(self.queue.next_due)
                self.wake.wait(timeout=min(1.0, due) if due is not None else 1.0)
                self.wake.clear()
        except DatabaseUnavailable as exc:
            self.fatal = str(exc)
            log.critical("the database stays unusable; the worker stops so that the process is restarted",
                         extra={"owner": self.owner, "error": self.fatal})
            if self.on_fatal is not None:
                self.on_fatal()
            return
        try:
            health.stopped(self.store, self.owner)
        except sqlite3.Error as exc:
            log.warning("could not record that the worker stopped", extra={"owner": self.owner, "error": str(exc)})
        log.info("worker stopped", extra={"owner": self.owner})

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def close(self) -> None:
        """Release the analysis processes (after ``run_forever`` has returned)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None


class _Heartbeat:
    """While a job runs: extends its lease every third of its length and says the worker is alive."""

    def __init__(self, jobs: queue.SqliteQueue, leased: queue.Job, seconds: float, owner: str) -> None:
        self.jobs, self.leased, self.seconds, self.owner = jobs, leased, seconds, owner
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{leased.id}")
        self.store = Store(jobs.store.path)  # its own connection: sqlite3 connections are per thread

    def _beat(self) -> None:
        beats = queue.SqliteQueue(self.store)
        while not self.done.wait(min(self.seconds / 3, health.BEAT_SECONDS)):
            try:
                beats.extend(self.leased, self.seconds)
                health.beat(self.store, self.owner)
            except sqlite3.Error as exc:  # keep beating: the worker's own writes retry and decide
                log.warning("heartbeat failed", extra={"job": self.leased.id, "error": f"{type(exc).__name__}: {exc}"})

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        self.store.close()


def _about(leased: queue.Job) -> dict[str, Any]:
    """A job's fields for the log lines."""
    return {"job": leased.id, "kind": leased.kind, "attempt": leased.attempts,
            "repository": leased.payload.get("repository"), "pull": leased.payload.get("number")}


def _describe(exc: BaseException) -> str:
    """A log-safe description: method, URL path and status or cause for GitHub errors, never headers or tokens."""
    if isinstance(exc, GitHubException):
        response = getattr(exc, "response", None)
        cause = getattr(exc, "exc", None)  # githubkit's RequestError wraps the httpx error
        try:
            request = getattr(exc, "request", None)
            request = request if request is not None else getattr(cause, "request", None)
        except RuntimeError:  # httpx raises it for an error that has no request attached
            request = None
        target = f"{request.method} {request.url.path}" if request is not None else "a request"
        if response is not None:
            return f"GitHub answered {response.status_code} for {target}"
        if cause is not None:  # no response at all: timeout, refused or reset connection, TLS
            return f"no answer from GitHub for {target}: {type(cause).__name__}: {str(cause)[:200]}".rstrip(": ")
    return str(exc)[:500]
