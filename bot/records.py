"""What auth-review commented on and what became of it: the ``comments``, ``feedback`` and ``repo_dismissals`` tables.

Every statement on those three tables is here (their schema is in ``store.py``), so the review job,
the feedback flows and the figures read and write them through one set of functions, and a second
backend has one module to reimplement.

``comments`` holds each commented finding and its current state (open | dismissed | accepted |
fixed, with who, when, why and how); every change is also appended to ``feedback``, whose
``source`` is unique so that a replayed job changes nothing twice; ``repo_dismissals`` holds the
fingerprints dismissed for a whole repository.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .store import Store


@dataclass(frozen=True)
class Tracked:
    """One finding auth-review commented on in a pull request, and what became of it."""

    repository: str
    number: int
    fingerprint: str
    rule_id: str
    comment_id: int | None
    path: str
    line: int  # last commented line, at ``head_sha``
    start_line: int | None
    head_sha: str  # the head the comment was posted on
    suggestion: str | None
    severity: str | None
    confidence: str | None
    state: str = "open"  # open | dismissed | accepted | fixed
    decided_via: str | None = None

    @property
    def first_line(self) -> int:
        return self.start_line or self.line


@dataclass(frozen=True)
class Dismissal:
    fingerprint: str
    rule_id: str
    by: str | None
    reason: str | None
    scope: str  # pull | repo


@dataclass(frozen=True)
class Change:
    """One state change of a tracked finding, as recorded in ``feedback``."""

    outcome: str  # dismissed | undismissed | accepted | fixed | reopened
    state: str  # the comment's state afterwards
    via: str  # command | thread | push | github
    source: str  # unique per cause: a replay is recognised and changes nothing
    actor: str | None = None
    reason: str | None = None
    scope: str = "pull"
    commit_sha: str | None = None
    at: float | None = None


# --- comments: what was commented -----------------------------------------------------------------

_TRACKED = ("SELECT repository, number, fingerprint, rule_id, comment_id, path, line, start_line, head_sha, "
            "suggestion, severity, confidence, state, decided_via FROM comments")


def tracked(store: Store, repository: str, number: int) -> dict[str, Tracked]:
    """The pull request's commented findings, by fingerprint."""
    rows = store.execute(f"{_TRACKED} WHERE repository = ? AND number = ?", (repository, number))
    return {row[2]: Tracked(*row) for row in rows}


def tracked_comment(store: Store, repository: str, comment_id: int) -> Tracked | None:
    """The finding behind one of the bot's comments (by GitHub's comment id)."""
    row = store.execute(f"{_TRACKED} WHERE repository = ? AND comment_id = ?", (repository, comment_id)).fetchone()
    return None if row is None else Tracked(*row)


def remember(store: Store, row: Tracked, created_at: float) -> None:
    """Record a commented finding (open); one the database already has is left as it is."""
    store.execute(
        "INSERT OR IGNORE INTO comments (repository, number, fingerprint, rule_id, comment_id, path, line, "
        "start_line, head_sha, suggestion, severity, confidence, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.repository, row.number, row.fingerprint, row.rule_id, row.comment_id, row.path, row.line,
         row.start_line, row.head_sha, row.suggestion, row.severity, row.confidence, created_at))


# --- decisions: dismissals and the feedback log ---------------------------------------------------

def dismissals(store: Store, repository: str, number: int) -> dict[str, Dismissal]:
    """Fingerprints not to raise in this pull request: dismissed here, or in the whole repository."""
    found = {fp: Dismissal(fp, rule, by, reason, "repo") for fp, rule, by, reason in store.execute(
        "SELECT fingerprint, rule_id, actor, reason FROM repo_dismissals WHERE repository = ?", (repository,))}
    for fp, rule, by, reason in store.execute(
            "SELECT fingerprint, rule_id, decided_by, reason FROM comments "
            "WHERE repository = ? AND number = ? AND state = 'dismissed'", (repository, number)):
        found.setdefault(fp, Dismissal(fp, rule, by, reason, "pull"))
    return found


def apply_change(conn: sqlite3.Connection, row: Tracked, change: Change, at: float) -> bool:
    """Log ``change`` and apply it to the finding (and to the repository's dismissals), inside the caller's
    transaction; False, changing nothing, if its source was logged before (a replay)."""
    inserted = conn.execute(
        "INSERT OR IGNORE INTO feedback (repository, number, fingerprint, rule_id, outcome, scope, actor, reason, "
        "via, commit_sha, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.repository, row.number, row.fingerprint, row.rule_id, change.outcome, change.scope, change.actor,
         change.reason, change.via, change.commit_sha, change.source, at)).rowcount
    if not inserted:
        return False
    conn.execute(
        "UPDATE comments SET state = ?, decided_at = ?, decided_by = ?, decided_via = ?, reason = ?, fixed_in = ? "
        "WHERE repository = ? AND number = ? AND fingerprint = ?",
        (change.state, at, change.actor, change.via, change.reason, change.commit_sha, row.repository, row.number,
         row.fingerprint))
    if change.outcome == "dismissed" and change.scope == "repo":
        conn.execute(
            "INSERT INTO repo_dismissals (repository, fingerprint, rule_id, number, actor, reason, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository, fingerprint) DO UPDATE SET "
            "number = excluded.number, actor = excluded.actor, reason = excluded.reason, created_at = excluded.created_at",
            (row.repository, row.fingerprint, row.rule_id, row.number, change.actor, change.reason, at))
    elif change.outcome == "undismissed":
        conn.execute("DELETE FROM repo_dismissals WHERE repository = ? AND fingerprint = ?",
                     (row.repository, row.fingerprint))
    return True


def recorded(store: Store, source: str) -> bool:
    """Has a change with this source been logged (the job that caused it ran before)?"""
    return store.execute("SELECT 1 FROM feedback WHERE source = ?", (source,)).fetchone() is not None


def changes(store: Store, row: Tracked) -> int:
    """How many changes the finding has had in its pull request."""
    (count,) = store.execute("SELECT count(*) FROM feedback WHERE repository = ? AND number = ? AND fingerprint = ?",
                             (row.repository, row.number, row.fingerprint)).fetchone()
    return int(count)


def repo_dismissed(store: Store, row: Tracked) -> bool:
    """Is the finding dismissed for its whole repository?"""
    return store.execute("SELECT 1 FROM repo_dismissals WHERE repository = ? AND fingerprint = ?",
                         (row.repository, row.fingerprint)).fetchone() is not None


# --- figures (``stats.py``) -------------------------------------------------------------------------

_PER_RULE = """
SELECT rule_id,
       sum(created_at >= :since),
       sum(state = 'accepted' AND decided_at >= :since),
       sum(state = 'fixed' AND decided_at >= :since),
       sum(state = 'dismissed' AND decided_at >= :since),
       sum(state = 'open' AND created_at >= :since)
FROM comments WHERE (:repo IS NULL OR repository = :repo)
GROUP BY rule_id ORDER BY rule_id
"""
_DISMISSALS = """
SELECT reason, decided_via, rule_id FROM comments
WHERE state = 'dismissed' AND decided_at >= :since AND (:repo IS NULL OR repository = :repo)
"""


def rule_counts(store: Store, repository: str | None, since: float) -> list[tuple[str, int, int, int, int, int]]:
    """Per rule, by rule id: (rule, posted, accepted, fixed, dismissed, open), for findings commented or decided
    since ``since`` (all repositories when ``repository`` is None)."""
    rows = store.execute(_PER_RULE, {"repo": repository, "since": since})
    return [(rule, int(posted or 0), int(accepted or 0), int(fixed or 0), int(dismissed or 0), int(still_open or 0))
            for rule, posted, accepted, fixed, dismissed, still_open in rows]


def dismissed_since(store: Store, repository: str | None, since: float) -> list[tuple[str | None, str | None, str]]:
    """(reason, decided via, rule) of each finding whose current dismissal was decided since ``since``."""
    rows = store.execute(_DISMISSALS, {"repo": repository, "since": since})
    return [(reason, via, rule) for reason, via, rule in rows]


def repo_dismissal_count(store: Store, repository: str | None) -> int:
    """Fingerprints currently dismissed for a whole repository (all repositories when ``repository`` is None)."""
    row = store.execute("SELECT count(*) FROM repo_dismissals WHERE (:repo IS NULL OR repository = :repo)",
                        {"repo": repository}).fetchone()
    return int(row[0])
