"""What the check run says about feedback: what this push settled, and which findings are not counted.

Reasons are people's words: they are quoted inert (``commands.quote``), never rendered as Markdown.
"""

from __future__ import annotations

from auth_review.analyzers.findings import Finding
from auth_review.analyzers.markup import code

from ..records import Dismissal
from .commands import quote
from .push import Settled


def check_note(settled: list[Settled], dismissed: list[Finding], decided: dict[str, Dismissal]) -> str | None:
    """The check run's opening lines: what this push settled, and which findings are not counted."""
    lines = []
    if settled:
        lines.append("**Since the last review:** " + "; ".join(
            f"{s.row.rule_id} in {code(s.row.path)} {'suggestion applied' if s.outcome == 'accepted' else 'fixed'}"
            for s in settled) + ".")
    if dismissed:
        lines.append(f"**Dismissed by maintainers, not counted ({len(dismissed)}):** " + "; ".join(
            _dismissal_text(f, decided[f.fingerprint]) for f in dismissed) + ".")
    return "\n\n".join(lines) or None


def _dismissal_text(finding: Finding, dismissal: Dismissal) -> str:
    who = f" by @{dismissal.by}" if dismissal.by else ""
    where = " for the repository" if dismissal.scope == "repo" else ""
    why = f": {quote(dismissal.reason)}" if dismissal.reason else ""
    return f"{finding.rule_id} at {code(f'{finding.path}:{finding.line}')}{where}{who}{why}"
