"""Suppression comments: ``# auth-review: ignore[AR201]`` and Bandit's ``# nosec``.

A comment suppresses a finding when it stands on any line of the statement
holding the finding, or alone on the line just above that statement.
"""

from __future__ import annotations

import re

from .findings import Finding

_IGNORE = re.compile(r"#\s*auth-review\s*:\s*ignore\b(?:\[(?P<ids>[^\]]*)\])?", re.IGNORECASE)
_NOSEC = re.compile(r"#\s*nosec\b:?(?P<ids>[^#]*)", re.IGNORECASE)
_IDS = re.compile(r"[A-Za-z]+\d+")


def _ids(raw: str | None) -> set[str] | None:
    """None for a bare comment (every rule), else the ids it names."""
    if raw is None:
        return None
    found = {m.group(0).upper() for m in _IDS.finditer(raw)}
    return found or None


def _candidate_lines(lines: list[str], finding: Finding) -> list[str]:
    start, end = finding.statement if finding.statement != (0, 0) else (finding.line, finding.end_line)
    start, end = min(start, finding.line), max(end, finding.end_line)
    picked = lines[start - 1 : end]
    if start >= 2 and lines[start - 2].lstrip().startswith("#"):
        picked.append(lines[start - 2])
    return picked


def is_suppressed(lines: list[str], finding: Finding, bandit_ids: frozenset[str]) -> bool:
    """True when an ignore comment names this rule, or ``# nosec`` covers it.

    ``# nosec`` (bare, or naming a Bandit test equivalent to this rule) also
    quiets the AR rule: the line was already reviewed for that defect.
    """
    for line in _candidate_lines(lines, finding):
        if "#" not in line:
            continue
        for match in _IGNORE.finditer(line):
            ids = _ids(match.group("ids"))
            if ids is None or finding.rule_id in ids or any(finding.rule_id.startswith(i) for i in ids if len(i) < 5):
                return True
        for match in _NOSEC.finditer(line):
            ids = _ids(match.group("ids"))
            if ids is None or finding.rule_id in ids or ids & bandit_ids:
                return True
    return False
