"""Flows: a maintainer's decision, by a command in a thread or by resolving the thread.

- **command**: ``/auth-review dismiss|undismiss`` replied in the thread of an auth-review comment. Only
  write, maintain or admin may use it (asked of GitHub each time); the bot answers in the thread either way.
- **thread**: resolving the thread dismisses its finding unless it was fixed; unresolving brings back a
  finding dismissed that way. Both count only for people who may dismiss (the others are told so).

Each decision queues a refresh of the check run (``state.record``). The bot answers each event once:
its reply's marker names the event, so a replayed job stays quiet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from auth_review.analyzers.markup import code

from .. import post, records
from ..fetch import PullRequest
from ..jobs import CommandJob, ReviewJob, ThreadJob
from ..records import Change, Tracked
from .commands import USAGE, Command, parse_command, quote
from .restore import restore_from_github
from .state import FeedbackContext, record, refresh_job
from .threads import answered, may_dismiss, reply

log = logging.getLogger("auth_review.feedback")


# --- flow: a command in a thread ------------------------------------------------------------------

@dataclass(frozen=True)
class _Conversation:
    """The thread a command was given in: the bot answers each command once (its marker says which)."""

    ctx: FeedbackContext
    row: Tracked
    job: CommandJob
    on_github: list[post.PostedComment]

    def answer(self, text: str, state: str, scope: str = "pull", reason: str | None = None) -> None:
        answer_to = str(self.job.comment_id)
        if self.row.comment_id is None or answered(self.on_github, answer_to):
            return
        mark = post.FeedbackMark(self.row.fingerprint, self.row.rule_id, state, scope, self.job.author, answer_to,
                                 reason=reason or "")
        reply(self.ctx.gh, self.ctx.pr, self.row.comment_id, text, mark)


def on_command(ctx: FeedbackContext, job: CommandJob) -> str:
    """Dismiss or bring back the finding of the thread, if the author may; answer in the thread either way."""
    pr = ctx.pr
    command = parse_command(job.body)
    if command is None:
        return "no command"
    on_github = post.posted_comments(ctx.gh, pr, ctx.me)
    row = _tracked_or_restored(ctx, job.parent_id, on_github)
    if row is None:
        log.info("command outside an auth-review thread; ignored",
                 extra={"repository": pr.full_name, "pull": pr.number, "comment": job.comment_id})
        return "not an auth-review thread"
    talk = _Conversation(ctx, row, job, on_github)
    if command.verb == "unknown":
        talk.answer(f"Sorry @{job.author}, I did not understand {code(f'/auth-review {command.word}')}. {USAGE}",
                    "unknown")
        return "unknown command"
    if not may_dismiss(ctx.gh, pr, job.author):
        log.info("command refused: no write permission", extra={
            "repository": pr.full_name, "pull": pr.number, "by": job.author, "rule": row.rule_id})
        talk.answer(f"Sorry @{job.author}, only people with write, maintain or admin permission on {pr.full_name} "
                    f"can {command.verb} auth-review findings. A maintainer can reply `/auth-review dismiss <reason>` "
                    "if this one is wrong.", "refused")
        return "refused"
    refresh = refresh_job(pr, ctx.installation_id, f"comment:{job.comment_id}")
    if command.verb == "dismiss":
        return _dismiss(talk, command, refresh)
    return _undismiss(talk, refresh)


def _dismiss(talk: _Conversation, command: Command, refresh: ReviewJob) -> str:
    row, author = talk.row, talk.job.author
    record(talk.ctx.store, row, Change("dismissed", "dismissed", "command", f"comment:{talk.job.comment_id}", author,
                                       command.reason, command.scope), talk.ctx.queue, refresh)
    talk.answer(_dismissed_text(talk.ctx.pr, author, command), "dismissed", command.scope, command.reason)
    return f"dismissed ({command.scope})"


def _undismiss(talk: _Conversation, refresh: ReviewJob) -> str:
    store = talk.ctx.store
    row, author, source = talk.row, talk.job.author, f"comment:{talk.job.comment_id}"
    repo_wide = records.repo_dismissed(store, row)
    if row.state != "dismissed" and not repo_wide and not records.recorded(store, source):
        talk.answer(f"@{author}, this finding is not dismissed; there is nothing to undo.", row.state)
        return "nothing to undismiss"
    scope = "repo" if repo_wide else "pull"
    record(store, row, Change("undismissed", "open", "command", source, author, scope=scope), talk.ctx.queue, refresh)
    talk.answer(f"Brought back by @{author}: auth-review counts this {row.rule_id} finding again"
                f"{' in the whole repository' if repo_wide else ''}.", "open", scope)
    return "undismissed"


def _dismissed_text(pr: PullRequest, author: str, command: Command) -> str:
    where = (f"in the whole repository {pr.full_name}: auth-review will not raise it here or in later pull requests"
             if command.scope == "repo" else "for this pull request: auth-review will not raise it here again")
    because = f" Reason: {quote(command.reason)}." if command.reason else ""
    return f"Dismissed by @{author} {where}.{because} Reply `/auth-review undismiss` to bring it back."


# --- flow: a thread resolved or unresolved --------------------------------------------------------

@dataclass(frozen=True)
class _Resolution:
    """A thread a person resolved or unresolved: the bot tells them once if that changed nothing."""

    ctx: FeedbackContext
    row: Tracked
    job: ThreadJob
    on_github: list[post.PostedComment]

    @property
    def source(self) -> str:
        return f"thread:{self.job.delivery}"

    def refuse(self, only_they_can: str, so_it: str) -> str:
        """Tell the person, once per event, that their resolving or unresolving changed nothing."""
        pr, row, job = self.ctx.pr, self.row, self.job
        log.info("thread event refused: no write permission", extra={
            "repository": pr.full_name, "pull": pr.number, "by": job.sender, "action": job.action, "rule": row.rule_id})
        if row.comment_id is not None and not answered(self.on_github, self.source):
            reply(self.ctx.gh, pr, row.comment_id,
                  f"@{job.sender} {job.action} this thread, but only people with write, maintain or admin permission "
                  f"on {pr.full_name} can {only_they_can}, so it {so_it}.",
                  post.FeedbackMark(row.fingerprint, row.rule_id, "refused", by=job.sender, answers=self.source))
        return "refused"


def on_thread(ctx: FeedbackContext, job: ThreadJob) -> str:
    """Resolving an auth-review thread dismisses its finding (unless fixed); unresolving brings back a finding
    dismissed that way. Either only if the person may dismiss."""
    on_github = post.posted_comments(ctx.gh, ctx.pr, ctx.me)
    row = _tracked_or_restored(ctx, job.root_id, on_github)
    if row is None:
        return "not an auth-review thread"
    refresh = refresh_job(ctx.pr, ctx.installation_id, f"thread:{job.delivery}")
    event = _Resolution(ctx, row, job, on_github)
    if job.action == "unresolved":
        return _thread_unresolved(event, refresh)
    return _thread_resolved(event, refresh)


def _thread_unresolved(event: _Resolution, refresh: ReviewJob) -> str:
    ctx, row = event.ctx, event.row
    if records.repo_dismissed(ctx.store, row):
        return "unresolved; finding stays dismissed in the repository (`/auth-review undismiss` brings it back)"
    if row.state != "dismissed":
        return f"unresolved; finding stays {row.state}"
    if row.decided_via != "thread":  # a command's dismissal is undone by a command
        return "unresolved; finding stays dismissed (`/auth-review undismiss` brings it back)"
    if not may_dismiss(ctx.gh, ctx.pr, event.job.sender):
        return event.refuse("bring back dismissed auth-review findings", "stays dismissed")
    record(ctx.store, row, Change("undismissed", "open", "thread", event.source, event.job.sender), ctx.queue, refresh)
    return "undismissed (thread unresolved)"


def _thread_resolved(event: _Resolution, refresh: ReviewJob) -> str:
    ctx, row = event.ctx, event.row
    if row.state != "open":
        return f"resolved; finding already {row.state}"  # fixed or accepted: not a dismissal
    if not may_dismiss(ctx.gh, ctx.pr, event.job.sender):
        return event.refuse("dismiss auth-review findings", "still counts")
    record(ctx.store, row, Change("dismissed", "dismissed", "thread", event.source, event.job.sender), ctx.queue,
           refresh)
    return "dismissed (thread resolved)"


def _tracked_or_restored(ctx: FeedbackContext, comment_id: int, on_github: list[post.PostedComment]) -> Tracked | None:
    """The finding behind a thread's first comment; rebuilt from GitHub if the database lost it."""
    pr = ctx.pr
    row = records.tracked_comment(ctx.store, pr.full_name, comment_id)
    if row is None:
        restore_from_github(ctx, on_github)
        row = records.tracked_comment(ctx.store, pr.full_name, comment_id)
    return row if row is not None and row.number == pr.number else None
