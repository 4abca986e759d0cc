"""Scripted API failures for the bot's retry tests.

A fault matches an operation id (``"pulls/create-review"``), a glob on ``"METHOD /path"``
(``"GET /repos/*/pulls/*/files"``) or ``"*"``, and fires for its next ``times`` matching
requests, in the order faults were added.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field

DOCS_RATE_LIMIT = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                     "If you reach out to GitHub Support for help, please include the request ID {request_id}.")


@dataclass
class Fault:
    match: str
    kind: str  # "status" | "primary_rate_limit" | "secondary_rate_limit" | "hold" | "done_then_status" | "done_then_hold"
    status: int = 500
    times: int = 1
    reset_in: int = 2  # primary: seconds until X-RateLimit-Reset
    retry_after: int | None = 1  # secondary: Retry-After seconds (None: message-only secondary limit)
    fired: int = field(default=0)
    # "hold": the request waits for `release` (signalling `arrived` first), then proceeds normally.
    # "done_then_hold": the request is carried out, then its answer waits for `release` (`arrived` first).
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def matches(self, operation_id: str | None, method: str, path: str) -> bool:
        if self.match == "*" or self.match == operation_id:
            return True
        return fnmatch.fnmatchcase(f"{method.upper()} {path}", self.match)


def server_error(match: str, status: int = 502, times: int = 1) -> Fault:
    return Fault(match, "status", status=status, times=times)


def primary_rate_limit(match: str = "*", reset_in: int = 2) -> Fault:
    """Exhausts the caller's rate-limit bucket until `reset_in` seconds from now (like GitHub)."""
    return Fault(match, "primary_rate_limit", status=403, reset_in=reset_in)


def secondary_rate_limit(match: str = "*", status: int = 403, retry_after: int | None = 1, times: int = 1) -> Fault:
    return Fault(match, "secondary_rate_limit", status=status, retry_after=retry_after, times=times)


def hold(match: str) -> Fault:
    """Hold the next matching request until the test sets ``fault.release`` (``fault.arrived`` tells it came).

    Lets a test kill a client at a precise point, e.g. after GitHub accepted a review.
    """
    return Fault(match, "hold")


def done_then_error(match: str, status: int = 502) -> Fault:
    """GitHub carries the request out, then answers ``status`` (a 502 from a proxy that lost the answer)."""
    return Fault(match, "done_then_status", status=status)


def done_then_hold(match: str) -> Fault:
    """GitHub carries the request out, then holds the answer until ``fault.release`` is set: the client times out."""
    return Fault(match, "done_then_hold")


class FaultQueue:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def take(self, operation_id: str | None, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.fired < fault.times and fault.matches(operation_id, method, path):
                    fault.fired += 1
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [f for f in self._faults if f.fired < f.times]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
