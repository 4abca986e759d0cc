"""The ASGI app (starlette). Every endpoint is public or authenticated on purpose:

- ``POST /api/github/webhooks``: authenticated by the HMAC signature.
- ``GET /healthz``: public; whether the database is writable, a worker runs and the queue moves
  (503 otherwise), without any detail of the jobs.
- ``GET /`` and ``GET /setup``: public registration flow; ``/setup`` needs the
  one-time ``state`` this server issued, and is closed once registered.
- ``GET /stats``: operator only, ``Authorization: Bearer <ADMIN_TOKEN>`` compared in
  constant time; 401 without it (and always while ``ADMIN_TOKEN`` is unset).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import health, registration, stats, webhook
from .queue import SqliteQueue
from .settings import Credentials, Settings, save_credentials_file
from .store import Store

log = logging.getLogger("auth_review.server")
T = TypeVar("T")


@dataclass
class BotState:
    """The app's configured singletons; credentials may arrive at run time (manifest flow)."""

    settings: Settings
    store: Store
    queue: SqliteQueue
    wake: threading.Event = field(default_factory=threading.Event)
    states: registration.PendingStates = field(default_factory=registration.PendingStates)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The in-process worker's liveness (``serve``); None with ``--no-worker``: /healthz reads the heartbeats.
    worker_alive: Callable[[], bool] | None = None

    @property
    def credentials(self) -> Credentials | None:
        return self.settings.credentials

    def register(self, creds: Credentials) -> None:
        save_credentials_file(self.settings.credentials_path, creds)
        self.settings = replace(self.settings, credentials=creds)


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


# A signed payload whose values Python or SQLite cannot take (a string where GitHub sends an object,
# a lone surrogate, an id past SQLite's integer range) is the sender's fault: 400, not 500.
_UNSTORABLE = (AttributeError, TypeError, ValueError, OverflowError, RecursionError, sqlite3.ProgrammingError)


async def _read_body(request: Request, limit: int, timeout: float) -> bytes:
    declared = request.headers.get("content-length")
    # (a length of thousands of digits is over any limit, and past what int() will parse)
    if declared and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise _TooLarge
    chunks, size = [], 0
    try:
        # One deadline for the whole body: a client that declares a length and stalls (or trickles)
        # must not hold the request open; uvicorn has no body timeout of its own.
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _TooLarge
                chunks.append(chunk)
    except TimeoutError:
        raise _TooSlow from None
    return b"".join(chunks)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _locked(lock: threading.Lock, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` holding ``lock``, in a worker thread: the server's threads share one connection.

    The lock is taken inside the thread, never across an ``await``, so a busy
    database cannot stall the event loop.
    """
    with lock:
        return fn(*args)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _closing(response: Response) -> Response:
    """The rest of the body is never read, so the connection cannot carry another request."""
    response.headers["Connection"] = "close"
    return response


async def receive_webhook(request: Request) -> Response:
    state: BotState = request.app.state.bot
    creds = state.credentials
    if creds is None:
        return _error(503, "auth-review is not registered yet; open / to register the GitHub App")
    timeout = state.settings.body_timeout
    try:
        body = await _read_body(request, state.settings.max_body_bytes, timeout)
    except _TooLarge:
        return _closing(_error(413, f"payload over {state.settings.max_body_bytes} bytes"))
    except _TooSlow:
        log.warning("webhook body not received in time", extra={"client": _client(request), "seconds": timeout})
        return _closing(_error(408, f"request body not received within {timeout:g} s"))
    except ClientDisconnect:  # nobody is left to answer: one line, no traceback
        log.info("client disconnected before sending the whole body", extra={"client": _client(request)})
        return Response(status_code=400)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        delivery = webhook.parse(creds.webhook_secret, body, headers)
    except webhook.WebhookRejected as exc:
        log.warning("webhook rejected", extra={"status": exc.status, "reason": exc.reason,
                                                "delivery": headers.get("x-github-delivery")})
        return _error(exc.status, exc.reason)
    try:
        is_new, jobs = await run_in_threadpool(_locked, state.lock, webhook.record, state.store, state.queue, delivery)
    except _UNSTORABLE as exc:
        log.warning("webhook payload refused", extra={"delivery": delivery.id, "event": delivery.event,
                                                      "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
        return _error(400, "payload has fields of unexpected types")
    if jobs:
        state.wake.set()
    log.info("webhook accepted" if is_new else "webhook redelivered; ignored",
             extra={"delivery": delivery.id, "event": delivery.event, "action": delivery.action, "jobs": jobs})
    return JSONResponse({"status": "accepted" if is_new else "duplicate", "jobs": len(jobs)},
                        status_code=202 if is_new else 200)


async def healthz(request: Request) -> Response:
    state: BotState = request.app.state.bot
    settings = state.settings
    report = await run_in_threadpool(_locked, state.lock, health.check, state.store, state.queue,
                                     settings.queue_max_age, settings.worker_timeout, state.worker_alive)
    body = {**report.to_dict(), "registered": state.credentials is not None}
    return JSONResponse(body, status_code=200 if report.ok else 503, headers={"Cache-Control": "no-store"})


def _base_url(request: Request, settings: Settings) -> str:
    return (settings.public_url or str(request.base_url)).rstrip("/")


async def home(request: Request) -> Response:
    state: BotState = request.app.state.bot
    if state.credentials is not None:
        return HTMLResponse(registration.installed_page(state.credentials))
    page = registration.registration_page(state.settings.github_url, _base_url(request, state.settings), state.states.issue())
    return HTMLResponse(page)


async def setup(request: Request) -> Response:
    state: BotState = request.app.state.bot
    if state.credentials is not None:
        return _error(409, "already registered")
    code, presented = request.query_params.get("code", ""), request.query_params.get("state", "")
    if not presented or not state.states.consume(presented):
        return _error(403, "unknown or expired registration state; start again from /")
    try:
        creds = await run_in_threadpool(registration.convert, state.settings.github_api_url, code)
    except registration.RegistrationError as exc:
        log.error("registration failed", extra={"reason": str(exc)})
        return _error(502, str(exc))
    state.register(creds)
    log.info("registered the GitHub App", extra={"app_id": creds.app_id, "slug": creds.slug})
    target = f"{creds.html_url}/installations/new" if creds.html_url else "/"
    return RedirectResponse(target, status_code=303)


def _is_operator(request: Request, token: str | None) -> bool:
    """A bearer token equal to ADMIN_TOKEN (constant-time); never true while no token is configured."""
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if token is None or scheme.lower() != "bearer" or not presented.strip():
        return False
    return hmac.compare_digest(presented.strip().encode("utf-8"), token.encode("utf-8"))


async def stats_page(request: Request) -> Response:
    state: BotState = request.app.state.bot
    if not _is_operator(request, state.settings.admin_token):
        log.warning("stats refused: no valid admin token", extra={"client": request.client.host if request.client else None,
                                                                  "configured": state.settings.admin_token is not None})
        response = _error(401, "operator only: send Authorization: Bearer <ADMIN_TOKEN>")
        response.headers["WWW-Authenticate"] = 'Bearer realm="auth-review"'
        return response
    repo, since_text = request.query_params.get("repo") or None, request.query_params.get("since")
    try:
        since = stats.parse_since(since_text) if since_text else None
    except ValueError as exc:
        return _error(400, str(exc))
    figures = await run_in_threadpool(_locked, state.lock, stats.collect, state.store, repo, since)
    headers = {"Cache-Control": "no-store"}
    wants_json = request.query_params.get("format") == "json" or "application/json" in request.headers.get("accept", "")
    if wants_json:
        return JSONResponse(figures.to_dict(), headers=headers)
    return HTMLResponse(stats.render_html(figures), headers=headers)


def create_app(state: BotState) -> Starlette:
    app = Starlette(
        routes=[
            Route("/api/github/webhooks", receive_webhook, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/", home, methods=["GET"]),
            Route("/setup", setup, methods=["GET"]),
            Route("/stats", stats_page, methods=["GET"]),
        ]
    )
    app.state.bot = state
    return app
