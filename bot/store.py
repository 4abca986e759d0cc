"""The bot's state in SQLite (sqlite-utils): deliveries, jobs, installations, reviews, comments, feedback.

Each thread opens its own connection (``Store.open``); WAL mode lets the web
server write deliveries while the worker reads and writes jobs.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import sqlite_utils

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,            -- X-GitHub-Delivery
    event TEXT NOT NULL,
    action TEXT,
    installation_id INTEGER,
    repository TEXT,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,          -- JSON
    group_key TEXT,                 -- jobs of one group run one at a time (one pull request)
    state TEXT NOT NULL DEFAULT 'queued',   -- queued | leased | done | dead
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_after REAL NOT NULL,
    leased_until REAL,
    lease_owner TEXT,
    last_error TEXT,
    outcome TEXT,
    created_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (state, run_after);
CREATE INDEX IF NOT EXISTS jobs_group ON jobs (group_key, state);
CREATE TABLE IF NOT EXISTS installations (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    account_type TEXT,
    suspended INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS repositories (
    id INTEGER PRIMARY KEY,
    installation_id INTEGER NOT NULL,
    full_name TEXT NOT NULL,
    private INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pull_heads (
    repository TEXT NOT NULL,
    number INTEGER NOT NULL,
    head_sha TEXT NOT NULL,
    updated_at REAL NOT NULL,
    pr_updated_at REAL,             -- the pull request's updated_at (GitHub's) with that head: it only moves forward
    PRIMARY KEY (repository, number)
);
CREATE TABLE IF NOT EXISTS reviews (
    repository TEXT NOT NULL,
    number INTEGER NOT NULL,
    head_sha TEXT NOT NULL,
    review_id INTEGER,
    check_run_id INTEGER,
    findings INTEGER NOT NULL DEFAULT 0,
    inline INTEGER NOT NULL DEFAULT 0,
    posted_at REAL,
    PRIMARY KEY (repository, number, head_sha)
);
CREATE TABLE IF NOT EXISTS comments (
    repository TEXT NOT NULL,
    number INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    comment_id INTEGER,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    head_sha TEXT NOT NULL,
    suggestion TEXT,
    state TEXT NOT NULL DEFAULT 'open',     -- open | dismissed | accepted | fixed
    created_at REAL NOT NULL,
    start_line INTEGER,
    severity TEXT,
    confidence TEXT,
    decided_at REAL,                -- when ``state`` last changed
    decided_by TEXT,
    decided_via TEXT,               -- command | thread | push | github
    reason TEXT,
    fixed_in TEXT,                  -- the head commit that made the finding disappear
    PRIMARY KEY (repository, number, fingerprint)
);
CREATE INDEX IF NOT EXISTS comments_by_id ON comments (repository, comment_id);
-- Every maintainer decision and every fix, oldest first: who, when, why, and for which rule.
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repository TEXT NOT NULL,
    number INTEGER NOT NULL,        -- the pull request it happened in
    fingerprint TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    outcome TEXT NOT NULL,          -- dismissed | undismissed | accepted | fixed | reopened
    scope TEXT NOT NULL DEFAULT 'pull',     -- pull | repo
    actor TEXT,                     -- GitHub login
    reason TEXT,
    via TEXT NOT NULL,              -- command | thread | push | github (rebuilt from GitHub)
    commit_sha TEXT,
    source TEXT NOT NULL UNIQUE,    -- what caused it (comment, delivery, push): replays change nothing
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (repository, created_at);
-- Fingerprints dismissed for a whole repository (`/auth-review dismiss --repo`).
CREATE TABLE IF NOT EXISTS repo_dismissals (
    repository TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    number INTEGER,                 -- the pull request it was dismissed in
    actor TEXT,
    reason TEXT,
    created_at REAL NOT NULL,
    PRIMARY KEY (repository, fingerprint)
);
-- Workers' heartbeats: how a web server without an in-process worker knows one is running (/healthz).
CREATE TABLE IF NOT EXISTS workers (
    owner TEXT PRIMARY KEY,         -- host:pid:thread
    started_at REAL NOT NULL,
    beat_at REAL NOT NULL,
    stopped_at REAL                 -- set when it stopped cleanly
);
-- One row /healthz rewrites: the database is writable only if a real write succeeds.
CREATE TABLE IF NOT EXISTS health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at REAL NOT NULL
);
"""

# Columns added after a table's first release (also in its CREATE TABLE above): (table, column, declaration).
# A database created by an earlier release gains them on open.
ADDED_COLUMNS = (
    ("comments", "start_line", "INTEGER"),
    ("comments", "severity", "TEXT"),
    ("comments", "confidence", "TEXT"),
    ("comments", "decided_at", "REAL"),
    ("comments", "decided_by", "TEXT"),
    ("comments", "decided_via", "TEXT"),
    ("comments", "reason", "TEXT"),
    ("comments", "fixed_in", "TEXT"),
)
# Likewise for the other tables (kept apart: ADDED_COLUMNS are the comments table's feedback columns).
ADDED_OTHER_COLUMNS = (
    ("pull_heads", "pr_updated_at", "REAL"),
)


class Store:
    """One SQLite connection (use one per thread) plus the schema."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        conn = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        self.db = sqlite_utils.Database(conn)
        self.lock = threading.Lock()
        self.identity = _identity(self.path)

    @classmethod
    def open(cls, path: Path | str) -> Store:
        store = cls(path)
        store.db.conn.executescript(SCHEMA)
        _add_missing_columns(store.db.conn)
        return store

    def close(self) -> None:
        self.db.conn.close()

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def transaction(self) -> _Transaction:
        return _Transaction(self.db.conn)

    def healthy(self) -> bool:
        try:
            return self.db.execute("SELECT 1").fetchone() == (1,)
        except sqlite3.Error:
            return False

    def file_problem(self) -> str | None:
        """Why this connection no longer writes the file at ``path`` (deleted or replaced), else None.

        SQLite keeps writing to a deleted file's open inode without an error: the data would be lost.
        """
        current = _identity(self.path)
        if current is None:
            return "the database file is gone"
        return None if current == self.identity else "the database file was replaced"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``: writers queue up instead of failing mid-way."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a database created by an earlier release up to the current schema."""
    for table, column, declaration in ADDED_COLUMNS + ADDED_OTHER_COLUMNS:
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column in present:
            continue
        try:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        except sqlite3.OperationalError as exc:  # another process added it first
            if "duplicate column" not in str(exc):
                raise


def now() -> float:
    return time.time()
