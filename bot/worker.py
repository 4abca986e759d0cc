"""The worker: lease a job, run it, ack it; retry with backoff; dead-letter after the last attempt.

Runs in the server's process (``auth-review serve``) or alone
(``auth-review worker``). While a job runs, a heartbeat keeps its lease; if
the process dies the lease lapses and another worker takes the job over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import Executor
from functools import lru_cache
from typing import Any

from githubkit.exception import GitHubException

from .analyze import analysis_pool

from . import github, job, queue
from .settings import Credentials, Settings
from .store import Store

log = logging.getLogger("auth_review.worker")


class Worker:
    def __init__(self, settings_source: Any, store_path: str, wake: threading.Event | None = None,
                 retry: github.RetryPolicy | None = None, parallel: bool = True) -> None:
        """``settings_source`` is a ``Settings`` or an object with a ``.settings`` attribute (credentials may change)."""
        self._settings_source = settings_source
        self.store = Store.open(store_path)
        self.queue = queue.SqliteQueue(self.store)
        self.wake = wake or threading.Event()
        self.retry = retry
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.stopping = threading.Event()
        self._pool: Executor | None = None
        self.parallel = parallel

    @property
    def settings(self) -> Settings:
        source = self._settings_source
        return source if isinstance(source, Settings) else source.settings

    @lru_cache(maxsize=4)
    def _app(self, creds: Credentials, api_url: str) -> Any:
        return github.app_client(creds, api_url, self.retry)

    @lru_cache(maxsize=4)
    def _account(self, creds: Credentials, api_url: str) -> github.AppAccount:
        """Asked of GitHub once per App (a failure is not cached: the next job asks again)."""
        return github.app_account(self._app(creds, api_url), creds)

    def _context(self, creds: Credentials) -> job.JobContext:
        api_url = self.settings.github_api_url
        app = self._app(creds, api_url)
        if self.parallel and self._pool is None and (os.cpu_count() or 1) > 1:
            self._pool = analysis_pool()
        return job.JobContext(store=self.store, installation_client=lambda i: github.installation_client(app, i),
                              app_client=lambda: app, account=lambda: self._account(creds, api_url), pool=self._pool,
                              tuning=self.settings.tuning)

    def run_once(self) -> bool:
        """Run one job if one is ready; False when there was nothing to do."""
        creds = self.settings.credentials
        if creds is None:
            return False  # not registered yet: jobs wait
        leased = self.queue.lease(self.owner, self.settings.lease_seconds)
        if leased is None:
            return False
        extra = {"job": leased.id, "kind": leased.kind, "attempt": leased.attempts,
                 "repository": leased.payload.get("repository"), "pull": leased.payload.get("number")}
        heartbeat = _Heartbeat(self.queue, leased, self.settings.lease_seconds)
        heartbeat.start()
        try:
            outcome = job.run(self._context(creds), leased)
        except job.JobError as exc:
            queue.fail(self.queue, leased, str(exc))
            log.error("job failed permanently", extra={**extra, "error": str(exc)})
        except Exception as exc:  # any failure: retry later, never crash the worker
            error = f"{type(exc).__name__}: {_describe(exc)}"
            if github.is_unauthorized(exc):
                self._app.cache_clear()  # a revoked or stale token: the retry starts with a fresh one
            if github.is_permanent(exc):
                queue.fail(self.queue, leased, error)
                log.error("job failed permanently", extra={**extra, "error": error})
            elif self.queue.retry(leased, error, github.retry_after(exc)):
                log.warning("job failed; will retry", extra={**extra, "error": error})
            else:
                log.error("job dead-lettered after its last attempt", extra={**extra, "error": error})
        else:
            self.queue.ack(leased, outcome)
            log.info("job done", extra={**extra, "outcome": outcome})
        finally:
            heartbeat.stop()
        return True

    def run_forever(self) -> None:
        log.info("worker started", extra={"owner": self.owner})
        while not self.stopping.is_set():
            if self.run_once():
                continue
            due = self.queue.next_due()
            self.wake.wait(timeout=min(1.0, due) if due is not None else 1.0)
            self.wake.clear()
        log.info("worker stopped", extra={"owner": self.owner})

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def close(self) -> None:
        """Release the analysis processes (after ``run_forever`` has returned)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _Heartbeat:
    """Extends a job's lease every third of its length while the job runs."""

    def __init__(self, jobs: queue.SqliteQueue, leased: queue.Job, seconds: float) -> None:
        self.jobs, self.leased, self.seconds = jobs, leased, seconds
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{leased.id}")
        self.store = Store(jobs.store.path)  # its own connection: sqlite3 connections are per thread

    def _beat(self) -> None:
        beats = queue.SqliteQueue(self.store)
        while not self.done.wait(self.seconds / 3):
            beats.extend(self.leased, self.seconds)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        self.store.close()


def _describe(exc: BaseException) -> str:
    """A log-safe description: status and URL path for GitHub errors, never headers or tokens."""
    if isinstance(exc, GitHubException):
        response = getattr(exc, "response", None)
        request = getattr(exc, "request", None)
        status = getattr(response, "status_code", None)
        path = request.url.path if request is not None else ""
        return f"GitHub answered {status} for {getattr(request, 'method', '')} {path}".strip()
    return str(exc)[:500]
