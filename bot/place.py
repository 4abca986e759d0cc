"""Step 6: place findings on the diff, as GitHub allows review comments.

A comment may sit on any right-side line of a hunk (added or context).
A suggestion replaces exactly the commented lines, so a finding with a fix
is anchored on the fix's line range when that range lies inside one hunk;
otherwise it is anchored on its own lines without a suggestion, and a finding
on no hunk at all goes to the review summary. So does a finding below the
configured ``inline-confidence`` (default high: right at least 9 times in 10 on
maintained code): a maintainer is interrupted only where the bot is sure.
"""

from __future__ import annotations

from dataclasses import dataclass

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from auth_review.analyzers.findings import Confidence, Finding

from .fetch import ChangedFile


@dataclass(frozen=True)
class Hunk:
    start: int  # first right-side line
    end: int  # last right-side line

    def holds(self, first: int, last: int) -> bool:
        return self.start <= first and last <= self.end


@dataclass(frozen=True)
class Placement:
    finding: Finding
    start_line: int | None  # None for a single-line comment
    line: int
    suggest: bool


def hunks(changed: ChangedFile) -> list[Hunk]:
    """Right-side line spans of a file's patch (GitHub's ``patch`` has no file header; add one)."""
    if not changed.patch:
        return []
    text = f"--- a/{changed.path}\n+++ b/{changed.path}\n{changed.patch}"
    if not text.endswith("\n"):
        text += "\n"
    try:
        patch = PatchSet(text)
    except UnidiffParseError:
        return []
    spans = []
    for patched in patch:
        for hunk in patched:
            lines = [line.target_line_no for line in hunk if line.target_line_no is not None]
            if lines:
                spans.append(Hunk(min(lines), max(lines)))
    return spans


def place(findings: list[Finding], files: list[ChangedFile],
          inline_confidence: Confidence = Confidence.HIGH) -> tuple[list[Placement], list[Finding]]:
    """Split findings into inline placements and those for the summary."""
    by_path = {f.path: hunks(f) for f in files}
    inline: list[Placement] = []
    summary: list[Finding] = []
    for finding in findings:
        spans = by_path.get(finding.path, [])
        placement = _place_one(finding, spans) if finding.confidence >= inline_confidence else None
        if placement is None:
            summary.append(finding)
        else:
            inline.append(placement)
    return inline, summary


def _place_one(finding: Finding, spans: list[Hunk]) -> Placement | None:
    fix = finding.fix
    if fix is not None:
        for hunk in spans:
            if hunk.holds(fix.line, fix.end_line):
                start = fix.line if fix.end_line > fix.line else None
                return Placement(finding, start, fix.end_line, suggest=True)
    for hunk in spans:
        if hunk.holds(finding.line, finding.end_line):
            start = finding.line if finding.end_line > finding.line else None
            return Placement(finding, start, finding.end_line, suggest=False)
    for hunk in spans:
        if hunk.holds(finding.line, finding.line):
            return Placement(finding, None, finding.line, suggest=False)
    return None
