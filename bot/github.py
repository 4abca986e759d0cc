"""GitHub access through githubkit: App JWT auth, installation tokens, retries.

githubkit signs the App JWT from the private key and caches installation
tokens until a minute before their ``expires_at``; their shape is never
assumed. Retries: timeouts and 5xx up to 3 times with short backoff, except POSTs
that create something (a review, a reply, a check run): GitHub may have created it
before failing to answer, so their callers look for it before posting again
(``post.create_once``). Primary and secondary
rate limits honour ``Retry-After`` / ``X-RateLimit-Reset`` when the wait is
short, and otherwise raise so the job queue retries at the reset time
instead of pinning a worker.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException, RateLimitExceeded, RequestFailed, RequestTimeout
from githubkit.retry import RetryOption

from .settings import Credentials

log = logging.getLogger("auth_review.github")
USER_AGENT = "auth-review"


class RetryPolicy:
    """githubkit retry decision: bounded waits, never zero (githubkit turns 0 into 60 s)."""

    def __init__(self, server_retries: int = 3, rate_limit_retries: int = 3, max_wait: float = 60.0,
                 base_delay: float = 0.5) -> None:
        self.server_retries = server_retries
        self.rate_limit_retries = rate_limit_retries
        self.max_wait = max_wait
        self.base_delay = base_delay

    def __call__(self, exc: GitHubException, retry_count: int) -> RetryOption:
        if isinstance(exc, RateLimitExceeded):
            wait = max(0.05, exc.retry_after.total_seconds())
            if retry_count < self.rate_limit_retries and wait <= self.max_wait:
                log.warning("GitHub rate limit; waiting", extra={"kind": type(exc).__name__, "seconds": round(wait, 2),
                                                                 "attempt": retry_count + 1})
                return RetryOption(True, timedelta(seconds=wait))
            return RetryOption(False)
        status = exc.response.status_code if isinstance(exc, RequestFailed) else None
        if retry_count < self.server_retries and may_have_happened(exc) and may_repeat(_request_of(exc)):
            wait = self.delay(retry_count)
            log.warning("GitHub request failed; retrying", extra={"status": status, "seconds": wait,
                                                                  "attempt": retry_count + 1})
            return RetryOption(True, timedelta(seconds=wait))
        return RetryOption(False)

    def delay(self, retry_count: int) -> float:
        """The wait before retry number ``retry_count + 1`` after a timeout or a 5xx."""
        return self.base_delay * (2 ** retry_count)


# POSTs that create nothing anyone sees: a GraphQL query (mutations resolve threads: idempotent)
# and an installation token. Any other POST (a review, a reply, a check run) is retried by its
# caller only after looking for what it would create (post.create_once).
_REPEATABLE_POSTS = ("/graphql", "/access_tokens")


def may_have_happened(exc: BaseException) -> bool:
    """A timeout or a 5xx: GitHub may have done what was asked although the answer says otherwise."""
    if isinstance(exc, RequestTimeout):
        return True
    return isinstance(exc, RequestFailed) and not isinstance(exc, RateLimitExceeded) and exc.response.status_code >= 500


def may_repeat(request: httpx.Request | None) -> bool:
    """Whether a request may be sent again blindly after an answer that may hide its effect."""
    if request is None:
        return False
    return request.method.upper() != "POST" or request.url.path.endswith(_REPEATABLE_POSTS)


def _request_of(exc: GitHubException) -> httpx.Request | None:
    try:
        request = getattr(exc, "request", None)
    except RuntimeError:  # httpx: an exception raised without a request
        return None
    return request if isinstance(request, httpx.Request) else None


def _policy(gh: Any) -> RetryPolicy:
    """The client's own retry policy (the default one for a client built elsewhere)."""
    policy = getattr(getattr(gh, "config", None), "auto_retry", None)
    return policy if isinstance(policy, RetryPolicy) else RetryPolicy()


def pause_before_retry(gh: Any, retry_count: int) -> None:
    """Wait as the client's own retry policy would, before a caller's careful retry (see ``may_repeat``)."""
    time.sleep(_policy(gh).delay(retry_count))


def careful_retries(gh: Any) -> int:
    """How many times a caller retries a request it may not repeat blindly (as many as the client would)."""
    return _policy(gh).server_retries


def app_client(creds: Credentials, api_url: str, retry: RetryPolicy | None = None,
               timeout: float = 30.0) -> GitHub[AppAuthStrategy]:
    return GitHub(
        AppAuthStrategy(creds.app_id, creds.private_key),
        base_url=api_url,
        # githubkit's default cache is process-wide; tokens belong to this App and this GitHub.
        cache_strategy=MemCacheStrategy(),
        user_agent=USER_AGENT,
        timeout=timeout,
        auto_retry=retry or RetryPolicy(),
        http_cache=False,
    )


def installation_client(app: GitHub[AppAuthStrategy], installation_id: int) -> GitHub:  # type: ignore[type-arg]
    return app.with_auth(app.auth.as_installation(installation_id))


@dataclass(frozen=True)
class AppAccount:
    """This App's own account on GitHub, ``<slug>[bot]``: only what it wrote is auth-review's.

    Any App installed on a repository can comment as a bot; a marker is trusted only from this one.
    """

    slug: str

    @property
    def login(self) -> str:
        return f"{self.slug}[bot]"

    def owns(self, user: Any) -> bool:
        """Is ``user`` (a user object of the REST API or of a webhook) this App's bot account?"""
        return isinstance(user, dict) and user.get("type") == "Bot" and user.get("login") == self.login


def app_account(app: GitHub[AppAuthStrategy], creds: Credentials) -> AppAccount:
    """The App's account: its slug as saved by the manifest flow, else asked of GitHub (``GET /app``, App JWT)."""
    return AppAccount(creds.slug or str(app.rest.apps.get_authenticated().json()["slug"]))


def retry_after(exc: BaseException) -> float | None:
    """For the job queue: how long to wait before retrying after ``exc`` (None: use backoff)."""
    if isinstance(exc, RateLimitExceeded):
        return max(1.0, exc.retry_after.total_seconds())
    return None


def is_permanent(exc: BaseException) -> bool:
    """Errors a retry will not mend: 4xx other than rate limits, 401 (a stale token) and 408/409."""
    if isinstance(exc, RateLimitExceeded):
        return False
    if isinstance(exc, RequestFailed):
        status = exc.response.status_code
        return 400 <= status < 500 and status not in (401, 408, 409, 429)
    return False


def is_unauthorized(exc: BaseException) -> bool:
    return isinstance(exc, RequestFailed) and exc.response.status_code == 401


def paginate(call, /, **kwargs):  # type: ignore[no-untyped-def]
    """Every item of a list endpoint, following the ``Link: rel="next"`` header (raw JSON dicts)."""
    page = 1
    while True:
        response = call(**kwargs, per_page=100, page=page)
        items = response.json()
        yield from items
        if 'rel="next"' not in response.headers.get("link", "") or not items:
            return
        page += 1
