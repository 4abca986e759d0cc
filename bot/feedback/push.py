"""Flow: a push. Which commented findings the new head fixed, took the suggestion for, or brought back.

A commented finding absent at the new head is *accepted* when the suggested replacement stands where
the finding was, *fixed* otherwise; the bot thanks once in the thread and resolves it. One that comes
back is reopened, thread included. A finding whose file was renamed is followed to the new name
(``follow_renames``). Only what this review could have reported counts: a rule switched off is not a fix.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from auth_review.analyzers.config import Config
from auth_review.analyzers.findings import Confidence, Finding, Severity, assign_fingerprints

from .. import fetch, post, records
from ..analyze import Analysis
from ..fetch import ChangedFile, PullRequest, Sources
from ..records import Change, Dismissal, Tracked
from ..store import Store
from ..tuning import RuleTuning
from .state import FeedbackContext, record
from .threads import reply, review_threads, set_thread_resolved


class Moved(NamedTuple):
    """A commented finding whose file was renamed since the comment."""

    path: str  # the file's name at head
    fingerprint: str | None  # the finding's fingerprint there (None: it is not there)


def _changed_paths(files: list[ChangedFile]) -> frozenset[str]:
    """Paths the pull request adds or modifies at head."""
    return frozenset(f.path for f in files if f.status != "removed")


def follow_renames(ctx: FeedbackContext, rows: Iterable[Tracked], files: list[ChangedFile],
                   analysis: Analysis) -> dict[str, Moved]:
    """Commented findings whose file was renamed since their comment, by their tracked fingerprint.

    A fingerprint covers the path, so the renamed file's findings are fingerprinted again as if it
    still had its old name. GitHub is asked (one compare per commented head) only about findings
    whose file the pull request no longer has under that name.
    """
    changed = _changed_paths(files)
    renames: dict[str, dict[str, str]] = {}  # commented head -> {old path: path at head}
    moved: dict[str, Moved] = {}
    for row in rows:
        if row.path in changed:
            continue
        if row.head_sha not in renames:
            renames[row.head_sha] = fetch.renames_since(ctx.gh, ctx.pr, row.head_sha)
        path = renames[row.head_sha].get(row.path)
        if path is not None:
            as_before = _fingerprints_as(analysis.found.get(path, []), row.path)
            moved[row.fingerprint] = Moved(path, as_before.get(row.fingerprint))
    return moved


def _fingerprints_as(findings: list[Finding], path: str) -> dict[str, str]:
    """The fingerprint each finding of one file would have if the file were named ``path`` -> its own."""
    renamed = [dataclasses.replace(f, path=path) for f in findings]
    assign_fingerprints(renamed)
    return {copy.fingerprint: f.fingerprint for copy, f in zip(renamed, findings, strict=False)}


@dataclass(frozen=True)
class Head:
    """What a review saw at the pull request's head: enough to tell which findings a push removed."""

    sha: str
    present: frozenset[str]  # fingerprints found at head
    analysed: frozenset[str]  # paths analysed at head
    changed: frozenset[str]  # paths the pull request still adds or modifies
    sources: dict[str, bytes]  # head versions
    config: Config
    tuning: RuleTuning
    moved: dict[str, Moved] = dataclasses.field(default_factory=dict)  # by tracked fingerprint

    @classmethod
    def of(cls, pr: PullRequest, analysis: Analysis, files: list[ChangedFile], sources: Sources, config: Config,
           tuning: RuleTuning, moved: dict[str, Moved] | None = None) -> Head:
        return cls(pr.head_sha, frozenset(analysis.present), frozenset(analysis.analysed), _changed_paths(files),
                   sources.head, config, tuning, moved or {})

    @property
    def renamed(self) -> frozenset[str]:
        """Fingerprints at head of commented findings whose file was renamed: they are commented already."""
        return frozenset(m.fingerprint for m in self.moved.values() if m.fingerprint is not None)

    def carry(self, decided: dict[str, Dismissal]) -> dict[str, Dismissal]:
        """``decided`` and, under its fingerprint at head, each decided finding whose file was renamed."""
        return {**decided, **{m.fingerprint: decided[fp] for fp, m in self.moved.items()
                              if m.fingerprint is not None and fp in decided}}

    def reports(self, row: Tracked) -> bool:
        """Would this review report the finding if it were there? (A rule switched off is not a fix.)"""
        if not self.config.rule_enabled(row.rule_id):
            return False
        if row.severity and Severity.parse(row.severity) < self.config.min_severity:
            return False
        if row.confidence:
            confidence = Confidence.parse(row.confidence)
            return confidence >= self.config.min_confidence and self.tuning.admits(row.rule_id, confidence)
        return True

    def gone(self, row: Tracked) -> bool | None:
        """True: the finding is no longer there; False: it is; None: this review cannot tell."""
        if not self.reports(row):
            return None
        moved = self.moved.get(row.fingerprint)
        if moved is not None:  # its file was renamed: the finding is looked for under the new name
            return None if moved.path not in self.analysed else moved.fingerprint is None
        if row.path not in self.changed:
            return True  # the file was deleted, or the pull request no longer changes it
        if row.path not in self.analysed:
            return None  # not readable this time
        return row.fingerprint not in self.present


@dataclass(frozen=True)
class Settled:
    row: Tracked
    outcome: str  # accepted | fixed


def settle_push(ctx: FeedbackContext, head: Head, on_github: list[post.PostedComment],
                pushed_by: str | None) -> list[Settled]:
    """Record the commented findings this head removed (thank once, resolve the thread) or brought back (reopen
    the thread)."""
    store, gh, pr = ctx.store, ctx.gh, ctx.pr
    settled: list[Settled] = []
    reopened: list[Tracked] = []
    earlier: dict[tuple[str, str], bytes | None] = {}  # (path, commit) -> file, fetched once
    for row in records.tracked(store, pr.full_name, pr.number).values():
        gone = head.gone(row)
        if gone and (row.state == "open" or (row.state == "dismissed" and row.decided_via == "thread")):
            settled.append(Settled(row, "accepted" if _suggestion_applied(ctx, row, head, earlier) else "fixed"))
        elif gone is False and row.state in ("accepted", "fixed"):
            reopened.append(row)
    if not settled and not reopened:
        return settled
    threads = {t.root_id: t for t in review_threads(gh, pr)}
    for row in reopened:
        set_thread_resolved(gh, threads.get(row.comment_id), False)
        record(store, row, Change("reopened", "open", "push", _push_source(store, row, head.sha), pushed_by,
                                  commit_sha=head.sha))
    thanked = {(c.feedback.fingerprint, c.feedback.sha) for c in on_github
               if c.feedback is not None and c.feedback.state in ("accepted", "fixed")}
    short = head.sha[:7]
    for item in settled:
        row = item.row
        if row.comment_id is not None and (row.fingerprint, head.sha) not in thanked:
            text = (f"Suggestion applied in {short}, thank you." if item.outcome == "accepted"
                    else f"Fixed in {short}, thank you.")
            reply(gh, pr, row.comment_id, text, post.FeedbackMark(row.fingerprint, row.rule_id, item.outcome,
                                                                  by=pushed_by or "", sha=head.sha))
        set_thread_resolved(gh, threads.get(row.comment_id), True)
        record(store, row, Change(item.outcome, item.outcome, "push", _push_source(store, row, head.sha), pushed_by,
                                  commit_sha=head.sha))
    return settled


def _push_source(store: Store, row: Tracked, sha: str) -> str:
    """A push's change to a finding, unique per change: a force-push back to a head that settled it before settles
    it again. A replayed job changes nothing twice all the same, as the row's state has moved on."""
    return f"push:{sha}:{row.fingerprint}:{records.changes(store, row)}"


def _suggestion_applied(ctx: FeedbackContext, row: Tracked, head: Head,
                        earlier: dict[tuple[str, str], bytes | None]) -> bool:
    """Is the comment's suggestion what now stands where the finding was?"""
    if row.suggestion is None or row.path not in head.sources:
        return False
    key = (row.path, row.head_sha)
    if key not in earlier:
        earlier[key] = fetch.content_at(ctx.gh, ctx.pr, row.path, row.head_sha)
    before = earlier[key]
    if before is None:
        return False
    return suggestion_applied(before.decode("utf-8", "replace"), head.sources[row.path].decode("utf-8", "replace"),
                              row.first_line, row.line, row.suggestion)


def suggestion_applied(before: str, after: str, first: int, last: int, replacement: str) -> bool:
    """Does ``after`` hold ``replacement`` where ``before`` had lines ``first``..``last`` (1-based)?

    Edits elsewhere may move the place: the unchanged line just above the range (or just below it)
    is followed through the diff, and the replacement must stand right after (or right before) it.
    A range at the start (or end) of the file has the file's start (or end) for that neighbour.
    """
    old, new = before.splitlines(), after.splitlines()
    want = [line.rstrip() for line in replacement.splitlines()]
    starts: list[int] = [0] if first == 1 else []
    if last >= len(old):
        starts.append(len(new) - len(want))
    for a, b, size in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        if first >= 2 and a <= first - 2 < a + size:  # the line above the range
            starts.append(b + (first - 2 - a) + 1)
        if a <= last < a + size:  # the line below the range
            starts.append(b + (last - a) - len(want))
    if not want:  # a suggestion that deletes lines: both neighbours must now touch
        return len(starts) >= 2 and len(set(starts)) == 1
    return any(s >= 0 and [line.rstrip() for line in new[s:s + len(want)]] == want for s in starts)
