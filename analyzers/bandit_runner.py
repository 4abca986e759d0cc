"""Bandit, run in-process as a library.

One ``BanditManager`` is built per process (loading Bandit's plugins is the
expensive part) and reused for every file. Bandit's per-file entry point,
``_parse_file``, is the one its own ``run_tests`` loop calls; it reads
``# nosec`` comments itself, so Bandit's suppression semantics are exactly
Bandit's.
"""

from __future__ import annotations

import io
import logging
import re
from functools import lru_cache

from bandit.core import config as b_config
from bandit.core import manager as b_manager
from bandit.core import meta_ast, metrics

from .findings import Confidence, Finding, Severity

_SEVERITY = {"LOW": Severity.LOW, "MEDIUM": Severity.MEDIUM, "HIGH": Severity.HIGH}
# Confidence is measured precision (high: right 9 times in 10 on maintained code, bench/realworld.py). Bandit's
# "high" is about its pattern matching, not about a defect: there, its high-confidence findings were right
# 2 times in 250. So Bandit is reported at medium at most: in the CLI's default profile and the App's review
# summary, never an inline comment of its own.
_CONFIDENCE = {"LOW": Confidence.LOW, "MEDIUM": Confidence.MEDIUM, "HIGH": Confidence.MEDIUM}
# Tests measured there at 10 or more findings with (almost) none right are low: in `--all`, not in the default
# profile. mark_safe (B308/B703: 2 of 98 right), subprocess (B404/B603/B607: 0 of 53), try/except/pass
# (B110: 0 of 15), random (B311: 0 of 22; AR208 judges tokens from `random` with evidence).
_MEASURED_NOISE = frozenset({"B110", "B308", "B311", "B404", "B603", "B607", "B703"})


@lru_cache(maxsize=1)
def _manager() -> b_manager.BanditManager:
    # Bandit logs through the root logger at WARNING for every syntax error; we report those ourselves.
    logging.getLogger("bandit").setLevel(logging.CRITICAL)
    return b_manager.BanditManager(b_config.BanditConfig(), "file", quiet=True)


class BanditFailed(Exception):
    """Bandit could not analyse the file (its reason is the message)."""


def run_bandit(path: str, data: bytes) -> list[Finding]:
    """Bandit's findings for one file's bytes; ``path`` is only used for reporting."""
    mgr = _manager()
    # Fresh per-file state: the manager keeps results, metrics and AST nodes otherwise.
    mgr.results = []
    mgr.skipped = []
    mgr.scores = []
    mgr.metrics = metrics.Metrics()
    mgr.b_ma = meta_ast.BanditMetaAst()
    mgr._parse_file(path, io.BytesIO(data), [path])
    if mgr.skipped:
        raise BanditFailed(mgr.skipped[0][1])
    return [_to_finding(path, issue) for issue in mgr.results if not _is_noise(issue)]


def _to_finding(path: str, issue: object) -> Finding:
    line = int(issue.lineno)  # type: ignore[attr-defined]
    linerange = list(issue.linerange or [line])  # type: ignore[attr-defined]
    end_line = max(linerange) if linerange else line
    cwe = getattr(issue, "cwe", None)
    cwe_id = getattr(cwe, "id", None) or None
    text = " ".join(str(issue.text).split())  # type: ignore[attr-defined]
    if issue.test_id in _QUOTES_SECRET:  # type: ignore[attr-defined]
        text = _redact(text)
    return Finding(
        rule_id=issue.test_id,  # type: ignore[attr-defined]
        title=issue.test.replace("_", " ").capitalize(),  # type: ignore[attr-defined]
        severity=_SEVERITY.get(issue.severity, Severity.LOW),  # type: ignore[attr-defined]
        confidence=Confidence.LOW if issue.test_id in _MEASURED_NOISE  # type: ignore[attr-defined]
        else _CONFIDENCE.get(issue.confidence, Confidence.LOW),  # type: ignore[attr-defined]
        cwe=int(cwe_id) if cwe_id else None,
        path=path,
        line=line,
        end_line=max(end_line, line),
        column=int(getattr(issue, "col_offset", 0) or 0) + 1,
        end_column=int(getattr(issue, "end_col_offset", 0) or 0) + 1,
        message=text,
        tool="bandit",
        scope=issue.test,  # type: ignore[attr-defined]
        statement=(line, max(end_line, line)),
    )


# Bandit quotes the hard-coded password in these messages; reports and logs must not.
_QUOTES_SECRET = frozenset({"B105", "B106", "B107"})
_QUOTED_VALUE = re.compile(r": '(?P<value>.*)'$", re.DOTALL)
_URL_WITHOUT_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*(?:[/?#][^@\s]*)?$", re.IGNORECASE)
_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_RATE = re.compile(r"^\d+\s*(?:/|per\s+)\s*\d*\s*(?:s|sec|second|m|min|minute|h|hour|d|day)s?$", re.IGNORECASE)
# A sentence (three or more words, one of them a function word) is a message, not a passphrase.
_PROSE = re.compile(r"^(?=.*\b(?:a|an|the|to|of|from|with|for|is|are|be|in|on|by|and|or|not|no|your|this|that)\b)"
                    r"[A-Za-z'(),.:-]+(?: [A-Za-z'(),.:-]+){2,}$", re.IGNORECASE)


def _is_noise(issue: object) -> bool:
    """Bandit's password tests match on names alone; a URL, an env-var name, a rate limit or a
    sentence is no password.

    ``TOKEN_URL = "https://idp.example.com/token"``, ``SECRET_ENV = "APP_SECRET_KEY"``,
    ``{"password_reset": "5/hour"}`` and ``{"password": "takes a password from the client"}`` are
    Bandit's best-known false alarms.
    """
    if issue.test_id not in _QUOTES_SECRET:  # type: ignore[attr-defined]
        return False
    match = _QUOTED_VALUE.search(str(issue.text))  # type: ignore[attr-defined]
    if match is None:
        return False
    value = match.group("value")
    return any(p.match(value) for p in (_URL_WITHOUT_CREDENTIALS, _CONSTANT_NAME, _RATE, _PROSE))


def _redact(text: str) -> str:
    head, sep, _ = text.partition(": ")
    return f"{head} (value redacted)" if sep else text


def bandit_help_uri(test_id: str, test_name: str) -> str:
    prefix = {"B1": "plugins", "B2": "plugins", "B3": "blacklists", "B4": "blacklists", "B5": "plugins",
              "B6": "plugins", "B7": "plugins"}.get(test_id[:2], "plugins")
    if prefix == "blacklists":
        page = "blacklist_calls" if test_id[:2] == "B3" else "blacklist_imports"
        return f"https://bandit.readthedocs.io/en/latest/blacklists/{page}.html"
    return f"https://bandit.readthedocs.io/en/latest/plugins/{test_id.lower()}_{test_name}.html"
