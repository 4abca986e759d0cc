"""Flow: restore what the database lost, from this App's own comments and replies on GitHub.

Their hidden markers say which finding each comment is about and which decisions were made (another
App's markers are ignored), and the threads' resolution says what was dismissed by resolving: so a
pull request already reviewed is never commented twice, and no decision is forgotten.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from .. import post, records
from ..fetch import PullRequest
from ..records import Change, Tracked
from ..store import Store, now
from .state import FeedbackContext, record
from .threads import may_dismiss, review_threads

log = logging.getLogger("auth_review.feedback")


def restore_from_github(ctx: FeedbackContext, on_github: list[post.PostedComment]) -> int:
    """Rebuild rows for the bot's comments the database lacks, with the decisions recorded on GitHub.

    Returns how many findings were rebuilt. Rows the database has are left alone: they are newer.
    """
    store, pr = ctx.store, ctx.pr
    known = set(records.tracked(store, pr.full_name, pr.number))
    rebuilt = [c for c in on_github if c.in_reply_to is None and c.fingerprint not in known]
    if not rebuilt:
        return 0
    for comment in rebuilt:
        records.remember(store, _rebuilt(pr, comment), _epoch(comment.created_at) or now())
    rows = {fp: row for fp, row in records.tracked(store, pr.full_name, pr.number).items()
            if fp in {c.fingerprint for c in rebuilt}}
    decided = _restore_decisions(store, rows, on_github)
    undecided = {row.comment_id: row for fp, row in rows.items() if fp not in decided}
    if undecided:
        _restore_resolved_threads(ctx, undecided)
    log.info("rebuilt pull request state from GitHub", extra={
        "repository": pr.full_name, "pull": pr.number, "findings": len(rebuilt), "decisions": len(decided)})
    return len(rebuilt)


def _rebuilt(pr: PullRequest, comment: post.PostedComment) -> Tracked:
    """The finding behind one of the bot's comments, as the comment has it (lines at the head it was made on)."""
    severity, confidence = comment.levels
    return Tracked(pr.full_name, pr.number, comment.fingerprint, comment.rule_id, comment.comment_id, comment.path,
                   comment.original_line or comment.line or 0, comment.original_start_line,
                   comment.commit_id or pr.head_sha, comment.suggestion, severity, confidence)


def _restore_decisions(store: Store, rows: dict[str, Tracked], on_github: list[post.PostedComment]) -> set[str]:
    """Apply the last decision the bot's replies record for each rebuilt finding; returns their fingerprints."""
    decided = set()
    for comment, mark in _latest_decisions(on_github):
        row = rows.get(mark.fingerprint)
        if row is not None:
            decided.add(mark.fingerprint)
            record(store, row, _restored_change(comment, mark))
    return decided


def _restore_resolved_threads(ctx: FeedbackContext, rows: dict[int | None, Tracked]) -> None:
    """A thread resolved by someone who may dismiss is a dismissal by thread, as it was when it happened (the bot
    resolves only what was fixed; others' resolutions were refused). A later fix can still settle it."""
    for thread in review_threads(ctx.gh, ctx.pr):
        row, resolver = rows.get(thread.root_id), thread.resolved_by
        if row is None or not thread.resolved or resolver in (None, thread.root_author):
            continue
        if may_dismiss(ctx.gh, ctx.pr, resolver):
            record(ctx.store, row, Change("dismissed", "dismissed", "thread", f"github:{thread.node_id}", resolver))


_RESTORABLE = {"dismissed": "dismissed", "open": "undismissed", "accepted": "accepted", "fixed": "fixed"}


def _latest_decisions(on_github: list[post.PostedComment]) -> Iterator[tuple[post.PostedComment, post.FeedbackMark]]:
    """The last recorded decision per fingerprint, from the bot's replies (oldest to newest by id)."""
    latest: dict[str, tuple[post.PostedComment, post.FeedbackMark]] = {}
    for comment in sorted(on_github, key=lambda c: c.comment_id):
        mark = comment.feedback
        if mark is not None and mark.state in _RESTORABLE:
            latest[mark.fingerprint] = (comment, mark)
    yield from latest.values()


def _restored_change(comment: post.PostedComment, mark: post.FeedbackMark) -> Change:
    return Change(_RESTORABLE[mark.state], mark.state, "github", f"github:{comment.comment_id}", mark.by or None,
                  mark.reason or None, mark.scope if mark.state == "dismissed" else "pull", mark.sha or None,
                  _epoch(comment.created_at))


def _epoch(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
