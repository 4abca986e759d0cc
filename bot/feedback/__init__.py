"""Step 8: the feedback loop. Maintainers dismiss findings, pushes fix them, auth-review remembers.

Each flow runs as a job in the pull request's group, so it sees the reviews queued before it:

- **command** (``pull_request_review_comment`` created): a reply ``/auth-review dismiss [--repo] [reason]``
  (aliases ``ignore``, ``false-positive``, ``wontfix``) or ``/auth-review undismiss`` in the thread of an
  auth-review comment. Only write, maintain or admin may use it (asked of GitHub each time); the bot
  answers in the thread either way.
- **thread** (``pull_request_review_thread``): resolving the thread of an auth-review comment dismisses
  its finding unless it was fixed; unresolving brings back a finding dismissed that way. Both count
  only for people who may dismiss (the others are told so in the thread).
- **push** (``settle_push``, called by the review job): a commented finding absent at the new head is
  *accepted* when the suggested replacement stands where the finding was, *fixed* otherwise; the bot
  thanks once in the thread and resolves it. One that comes back is reopened, thread included. A
  finding whose file was renamed is followed to the new name (``follow_renames``).
- **restore** (``restore_from_github``, called by the review job): rows the database lost are rebuilt
  from this App's own comments and replies on GitHub (their hidden markers; another App's are ignored)
  and from the threads' resolution, so a pull request already reviewed is never commented twice.

State lives in ``comments.state`` (open | dismissed | accepted | fixed, with who, when, why and how);
every change is also appended to ``feedback`` (its ``source`` is unique, so a replayed job changes
nothing twice) and repository-wide dismissals sit in ``repo_dismissals``; ``bot/records.py`` owns those
tables. A maintainer's decision enqueues a fresh check run for the current head in the same transaction.

Modules: ``commands`` (what a reply asks), ``threads`` (GitHub: permissions, replies, thread resolution),
``state`` (``FeedbackContext``, the one argument every flow takes, and ``record``), one module per flow
(``decisions``: command and thread; ``push``; ``restore``) and ``check`` (the check run's text). The
names below are the package's interface; what was commented and decided is read through ``bot/records.py``.
"""

from __future__ import annotations

from .check import check_note
from .commands import COMMAND, DISMISS_WORDS, MAX_REASON, USAGE, Command, parse_command
from .decisions import on_command, on_thread
from .push import Head, Moved, Settled, follow_renames, settle_push, suggestion_applied
from .restore import restore_from_github
from .state import FeedbackContext, record, refresh_job
from .threads import (
    RESOLVE_MUTATION,
    THREADS_QUERY,
    UNRESOLVE_MUTATION,
    WRITE_ROLES,
    Thread,
    may_dismiss,
    reply,
    review_threads,
    set_thread_resolved,
)

__all__ = [
    "COMMAND", "DISMISS_WORDS", "MAX_REASON", "RESOLVE_MUTATION", "THREADS_QUERY", "UNRESOLVE_MUTATION", "USAGE",
    "WRITE_ROLES", "Command", "FeedbackContext", "Head", "Moved", "Settled", "Thread",
    "check_note", "follow_renames", "may_dismiss", "on_command", "on_thread",
    "parse_command", "record", "refresh_job", "reply", "restore_from_github",
    "review_threads", "set_thread_resolved", "settle_push", "suggestion_applied", "tracked_comment",
]
