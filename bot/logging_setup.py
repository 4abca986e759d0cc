"""How the bot's processes log: structured logs, one JSON object per line on stderr, with the context an
operator needs. (``analyzers/rules/logs`` is another thing: the rules that find secrets written to logs.)

Pass context as ``extra={"delivery": ..., "repository": ..., "pull": ...}``.
Secrets never go in: tokens and keys are not logged anywhere in ``bot``, and
``redact`` is there for any header map that must be logged.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

_SECRET_HEADERS = frozenset({"authorization", "x-hub-signature", "x-hub-signature-256", "cookie", "set-cookie"})


def configure(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # githubkit logs whole exceptions (with request headers) on each retry; our retry hook logs a summary.
    logging.getLogger("githubkit").setLevel(logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def redact(headers: dict[str, str]) -> dict[str, str]:
    return {k: ("[redacted]" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}
