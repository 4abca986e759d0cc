"""Feedback figures per rule: what auth-review posted and what became of it.

Shown by ``auth-review stats`` and ``GET /stats`` (operator only). *Posted* counts
inline comments made in the period; *accepted*, *fixed* and *dismissed* count
findings whose current outcome was reached in the period; the acceptance rate is
``(accepted + fixed) / (accepted + fixed + dismissed)``, over closed outcomes only.
The rows are read through ``records``, which owns the tables; this module adds them up and renders them.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from . import records
from .store import Store

TOP_REASONS = 10
NO_REASON = "(no reason given)"
THREAD_RESOLVED = "(thread resolved)"


@dataclass(frozen=True)
class RuleStats:
    rule_id: str
    posted: int = 0
    accepted: int = 0
    fixed: int = 0
    dismissed: int = 0
    open: int = 0  # posted in the period and not closed yet

    @property
    def closed(self) -> int:
        return self.accepted + self.fixed + self.dismissed

    @property
    def acceptance_rate(self) -> float | None:
        return (self.accepted + self.fixed) / self.closed if self.closed else None

    def to_dict(self) -> dict[str, Any]:
        rate = self.acceptance_rate
        return {**asdict(self), "acceptance_rate": None if rate is None else round(rate, 4)}


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    count: int
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    repository: str | None
    since: float | None
    rules: tuple[RuleStats, ...]
    reasons: tuple[ReasonCount, ...]
    repo_dismissals: int  # fingerprints currently dismissed for a whole repository

    @property
    def total(self) -> RuleStats:
        return RuleStats("all", *(sum(getattr(r, name) for r in self.rules)
                                  for name in ("posted", "accepted", "fixed", "dismissed", "open")))

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository, "since": _date(self.since),
            "rules": [r.to_dict() for r in self.rules], "total": self.total.to_dict(),
            "dismissal_reasons": [{"reason": r.reason, "count": r.count, "rules": list(r.rules)} for r in self.reasons],
            "repo_dismissals": self.repo_dismissals,
        }


def parse_since(text: str) -> float:
    """``2025-01-31`` or an ISO 8601 time (UTC unless it says otherwise) as a Unix time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or an ISO 8601 time)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def collect(store: Store, repository: str | None = None, since: float | None = None) -> Stats:
    rules = tuple(RuleStats(*counts) for counts in records.rule_counts(store, repository, since or 0.0))
    rules = tuple(r for r in rules if r.posted or r.closed)
    grouped: dict[str, list[str]] = {}
    for reason, via, rule in records.dismissed_since(store, repository, since or 0.0):
        key = " ".join((reason or "").lower().split()) or (THREAD_RESOLVED if via == "thread" else NO_REASON)
        grouped.setdefault(key, []).append(rule)
    reasons = tuple(ReasonCount(key, len(found), tuple(sorted(set(found))))
                    for key, found in sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0]))[:TOP_REASONS])
    return Stats(repository, since, rules, reasons, records.repo_dismissal_count(store, repository))


# --- rendering -----------------------------------------------------------------------------------

COLUMNS = ("rule", "posted", "accepted", "fixed", "dismissed", "open", "acceptance")


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def _cells(r: RuleStats) -> tuple[str, ...]:
    return (r.rule_id, str(r.posted), str(r.accepted), str(r.fixed), str(r.dismissed), str(r.open),
            _rate(r.acceptance_rate))


def _date(since: float | None) -> str | None:
    return None if since is None else datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _title(stats: Stats) -> str:
    scope = stats.repository or "all repositories"
    return f"auth-review feedback: {scope}" + (f", since {_date(stats.since)}" if stats.since else "")


def render_text(stats: Stats) -> str:
    lines = [_title(stats), ""]
    if not stats.rules:
        return "\n".join(lines + ["No comments posted in this period."])
    rows = [COLUMNS] + [_cells(r) for r in stats.rules] + [_cells(stats.total)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=False))))
    lines += ["", "acceptance = (accepted + fixed) / (accepted + fixed + dismissed)"]
    if stats.reasons:
        lines += ["", "Most common dismissal reasons:"]
        lines += [f"  {r.count:>4}  {r.reason}  ({', '.join(r.rules)})" for r in stats.reasons]
    if stats.repo_dismissals:
        lines += ["", f"{stats.repo_dismissals} finding(s) dismissed for a whole repository."]
    return "\n".join(lines)


def render_html(stats: Stats) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in _cells(r)) + "</tr>"
                   for r in (*stats.rules, stats.total))
    reasons = "".join(f"<li>{r.count} × {esc(r.reason)} <small>({esc(', '.join(r.rules))})</small></li>"
                      for r in stats.reasons) or "<li>none</li>"
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(_title(stats))}</title></head><body>"
            f"<h1>{esc(_title(stats))}</h1><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "<p>acceptance = (accepted + fixed) / (accepted + fixed + dismissed)</p>"
            f"<h2>Most common dismissal reasons</h2><ul>{reasons}</ul>"
            f"<p>{stats.repo_dismissals} finding(s) dismissed for a whole repository.</p></body></html>")
