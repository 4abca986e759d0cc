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
nothing twice) and repository-wide dismissals sit in ``repo_dismissals``. A maintainer's decision
enqueues a fresh check run for the current head in the same transaction.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from githubkit.exception import GraphQLFailed, RequestFailed

from auth_review.analyzers.config import Config
from auth_review.analyzers.findings import Confidence, Finding, Severity, assign_fingerprints
from auth_review.analyzers.markup import code, neutralize

from . import fetch, post
from .analyze import Analysis
from .fetch import ChangedFile, PullRequest, Sources
from .github import AppAccount
from .queue import SqliteQueue, pull_group
from .store import Store, now
from .tuning import RuleTuning

log = logging.getLogger("auth_review.feedback")

COMMAND = re.compile(r"^[ \t]*/auth-review\b(?P<rest>[^\n]*)", re.MULTILINE | re.IGNORECASE)
# Words that dismiss, and the reason each implies when none is given.
DISMISS_WORDS: dict[str, str | None] = {"dismiss": None, "ignore": None, "false-positive": "false positive",
                                        "wontfix": "won't fix"}
WRITE_ROLES = frozenset({"admin", "maintain", "write"})
MAX_REASON = 500
USAGE = ("Reply `/auth-review dismiss <reason>` (or `ignore`, `false-positive`, `wontfix`; `--repo` right after the "
         "word dismisses it in the whole repository), or `/auth-review undismiss` to bring it back.")


# --- commands ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    verb: str  # dismiss | undismiss | unknown
    scope: str = "pull"  # pull | repo
    reason: str | None = None
    word: str = ""  # as typed


def parse_command(body: str) -> Command | None:
    """The first ``/auth-review ...`` line of a comment, or None if there is none."""
    match = COMMAND.search(body)
    if match is None:
        return None
    words = match["rest"].split()
    if not words:
        return Command("unknown")
    word, rest = words[0].lower(), words[1:]
    if word in DISMISS_WORDS:
        repo_wide = bool(rest) and rest[0].lower() == "--repo"  # only right after the word: a reason may name it
        reason = " ".join(rest[1:] if repo_wide else rest).strip() or DISMISS_WORDS[word]
        return Command("dismiss", "repo" if repo_wide else "pull", reason[:MAX_REASON] if reason else None, word)
    if word == "undismiss":
        return Command("undismiss", word=word)
    return Command("unknown", word=word[:50])


@dataclass(frozen=True)
class CommandEvent:
    """A reply in a review thread that carries a command (from the job's payload)."""

    delivery: str
    comment_id: int
    parent_id: int  # the thread's first comment
    author: str
    body: str

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> CommandEvent:
        return cls(str(payload["delivery"]), int(payload["comment_id"]), int(payload["parent_id"]),
                   str(payload["author"]), str(payload["body"]))


@dataclass(frozen=True)
class ThreadEvent:
    """A review thread resolved or unresolved by a person (from the job's payload)."""

    delivery: str
    action: str  # resolved | unresolved
    root_id: int
    sender: str
    root_user: dict[str, Any]  # the author of the thread's first comment: {"login", "type"}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ThreadEvent:
        action = str(payload["action"])
        if action not in ("resolved", "unresolved"):
            raise ValueError(f"unknown thread action {action!r}")
        return cls(str(payload["delivery"]), action, int(payload["root_id"]), str(payload["sender"]),
                   dict(payload.get("root_user") or {}))


# --- what the database knows ----------------------------------------------------------------

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


_TRACKED = ("SELECT repository, number, fingerprint, rule_id, comment_id, path, line, start_line, head_sha, "
            "suggestion, severity, confidence, state, decided_via FROM comments")


def tracked(store: Store, repository: str, number: int) -> dict[str, Tracked]:
    rows = store.execute(f"{_TRACKED} WHERE repository = ? AND number = ?", (repository, number))
    return {row[2]: Tracked(*row) for row in rows}


def remember(store: Store, row: Tracked, created_at: float) -> None:
    """Record a commented finding (open); one the database already has is left as it is."""
    store.execute(
        "INSERT OR IGNORE INTO comments (repository, number, fingerprint, rule_id, comment_id, path, line, "
        "start_line, head_sha, suggestion, severity, confidence, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.repository, row.number, row.fingerprint, row.rule_id, row.comment_id, row.path, row.line,
         row.start_line, row.head_sha, row.suggestion, row.severity, row.confidence, created_at))


def tracked_comment(store: Store, repository: str, comment_id: int) -> Tracked | None:
    row = store.execute(f"{_TRACKED} WHERE repository = ? AND comment_id = ?", (repository, comment_id)).fetchone()
    return None if row is None else Tracked(*row)


def dismissals(store: Store, repository: str, number: int) -> dict[str, Dismissal]:
    """Fingerprints not to raise in this pull request: dismissed here, or in the whole repository."""
    found = {fp: Dismissal(fp, rule, by, reason, "repo") for fp, rule, by, reason in store.execute(
        "SELECT fingerprint, rule_id, actor, reason FROM repo_dismissals WHERE repository = ?", (repository,))}
    for fp, rule, by, reason in store.execute(
            "SELECT fingerprint, rule_id, decided_by, reason FROM comments "
            "WHERE repository = ? AND number = ? AND state = 'dismissed'", (repository, number)):
        found.setdefault(fp, Dismissal(fp, rule, by, reason, "pull"))
    return found


def record(store: Store, row: Tracked, change: Change, queue: SqliteQueue | None = None,
           refresh: dict[str, Any] | None = None) -> bool:
    """Apply ``change`` (and enqueue ``refresh``) in one transaction; False if its source was seen before."""
    at = change.at or now()
    with store.transaction() as conn:
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
        group = pull_group(row.repository, row.number)
        if queue is not None and refresh is not None and not _refresh_waiting(conn, group):
            queue.enqueue("review", refresh, group, conn=conn)
    log.info("feedback recorded", extra={
        "outcome": change.outcome, "repository": row.repository, "pull": row.number, "rule": row.rule_id, "fingerprint": row.fingerprint,
        "by": change.actor, "via": change.via, "scope": change.scope, "commit": (change.commit_sha or "")[:12] or None,
        "refresh": refresh is not None})
    return True


def _refresh_waiting(conn: Any, group: str) -> bool:
    """A feedback refresh of this pull request is already queued: it will count this change too."""
    return conn.execute("SELECT 1 FROM jobs WHERE group_key = ? AND kind = 'review' AND state = 'queued' "
                        "AND json_extract(payload, '$.reason') = 'feedback'", (group,)).fetchone() is not None


def recorded(store: Store, source: str) -> bool:
    return store.execute("SELECT 1 FROM feedback WHERE source = ?", (source,)).fetchone() is not None


def _repo_dismissed(store: Store, row: Tracked) -> bool:
    return store.execute("SELECT 1 FROM repo_dismissals WHERE repository = ? AND fingerprint = ?",
                         (row.repository, row.fingerprint)).fetchone() is not None


def refresh_job(pr: PullRequest, installation_id: int | None, source: str) -> dict[str, Any]:
    """A review job for the current head that posts a new check run counting the new state."""
    return {"delivery": source, "repository": pr.full_name, "number": pr.number, "head_sha": pr.head_sha,
            "installation_id": installation_id, "draft": pr.draft, "force": True, "reason": "feedback"}


# --- GitHub: permissions, replies, threads ----------------------------------------------------

def may_dismiss(gh: Any, pr: PullRequest, login: str) -> bool:
    """Write, maintain or admin on the repository (custom roles count by their base permission)."""
    try:
        data = gh.rest.repos.get_collaborator_permission_level(pr.owner, pr.repo, login).json()
    except RequestFailed as exc:
        if exc.response.status_code == 404:  # not a user GitHub knows
            return False
        raise
    return data.get("role_name") in WRITE_ROLES or data.get("permission") in ("admin", "write")


def reply(gh: Any, pr: PullRequest, root_id: int, text: str, mark: post.FeedbackMark) -> None:
    gh.rest.pulls.create_reply_for_review_comment(pr.owner, pr.repo, pr.number, root_id,
                                                  data={"body": f"{text}\n\n{mark.marker()}"})


def _answered(on_github: list[post.PostedComment], answer_to: str) -> bool:
    return any(c.feedback is not None and c.feedback.answers == answer_to for c in on_github)


@dataclass(frozen=True)
class Thread:
    node_id: str
    resolved: bool
    resolved_by: str | None
    root_id: int | None
    root_author: str | None


THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        nodes { id isResolved resolvedBy { login } comments(first: 1) { nodes { databaseId author { login } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""
RESOLVE_MUTATION = "mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { id isResolved } } }"
UNRESOLVE_MUTATION = "mutation($id: ID!) { unresolveReviewThread(input: {threadId: $id}) { thread { id isResolved } } }"


def review_threads(gh: Any, pr: PullRequest) -> list[Thread]:
    """The pull request's review threads (GraphQL: REST has no thread resolution).

    If GitHub's GraphQL API refuses the query, that is logged and no thread is returned: thread
    resolution is a courtesy, and a review must not fail for it.
    """
    threads, after = [], None
    while True:
        try:
            data = gh.graphql.request(THREADS_QUERY, {"owner": pr.owner, "name": pr.repo, "number": pr.number,
                                                      "after": after})
        except GraphQLFailed as exc:
            log.warning("could not list review threads", extra={
                "repository": pr.full_name, "pull": pr.number, "error": str(exc)[:300]})
            return threads
        page = data["repository"]["pullRequest"]["reviewThreads"]
        for node in page["nodes"]:
            first = (node.get("comments") or {}).get("nodes") or [{}]
            threads.append(Thread(node["id"], bool(node["isResolved"]), (node.get("resolvedBy") or {}).get("login"),
                                  first[0].get("databaseId"), (first[0].get("author") or {}).get("login")))
        if not page["pageInfo"]["hasNextPage"]:
            return threads
        after = page["pageInfo"]["endCursor"]


def set_thread_resolved(gh: Any, thread: Thread | None, resolved: bool) -> bool:
    """Resolve or unresolve one of the bot's threads; False (logged) if there is none or GitHub refuses, which is
    not worth a retry."""
    if thread is None:
        return False
    if thread.resolved == resolved:
        return True
    try:
        gh.graphql.request(RESOLVE_MUTATION if resolved else UNRESOLVE_MUTATION, {"id": thread.node_id})
    except GraphQLFailed as exc:
        log.warning("could not change a review thread's resolution", extra={
            "thread": thread.node_id, "resolve": resolved, "error": str(exc)[:300]})
        return False
    return True


# --- flow: a command in a thread ------------------------------------------------------------------

@dataclass(frozen=True)
class _Conversation:
    """The thread a command was given in: the bot answers each command once (its marker says which)."""

    gh: Any
    pr: PullRequest
    row: Tracked
    event: CommandEvent
    on_github: list[post.PostedComment]

    def answer(self, text: str, state: str, scope: str = "pull", reason: str | None = None) -> None:
        answer_to = str(self.event.comment_id)
        if self.row.comment_id is None or _answered(self.on_github, answer_to):
            return
        mark = post.FeedbackMark(self.row.fingerprint, self.row.rule_id, state, scope, self.event.author, answer_to,
                                 reason=reason or "")
        reply(self.gh, self.pr, self.row.comment_id, text, mark)


def on_command(store: Store, queue: SqliteQueue, gh: Any, pr: PullRequest, installation_id: int | None,
               event: CommandEvent, me: AppAccount) -> str:
    """Dismiss or bring back the finding of the thread, if the author may; answer in the thread either way."""
    command = parse_command(event.body)
    if command is None:
        return "no command"
    on_github = post.posted_comments(gh, pr, me)
    row = _tracked_or_restored(store, gh, pr, event.parent_id, on_github)
    if row is None:
        log.info("command outside an auth-review thread; ignored",
                 extra={"repository": pr.full_name, "pull": pr.number, "comment": event.comment_id})
        return "not an auth-review thread"
    talk = _Conversation(gh, pr, row, event, on_github)
    if command.verb == "unknown":
        talk.answer(f"Sorry @{event.author}, I did not understand {code(f'/auth-review {command.word}')}. {USAGE}",
                    "unknown")
        return "unknown command"
    if not may_dismiss(gh, pr, event.author):
        log.info("command refused: no write permission", extra={
            "repository": pr.full_name, "pull": pr.number, "by": event.author, "rule": row.rule_id})
        talk.answer(f"Sorry @{event.author}, only people with write, maintain or admin permission on {pr.full_name} "
                    f"can {command.verb} auth-review findings. A maintainer can reply `/auth-review dismiss <reason>` "
                    "if this one is wrong.", "refused")
        return "refused"
    refresh = refresh_job(pr, installation_id, f"comment:{event.comment_id}")
    if command.verb == "dismiss":
        return _dismiss(store, queue, talk, command, refresh)
    return _undismiss(store, queue, talk, refresh)


def _dismiss(store: Store, queue: SqliteQueue, talk: _Conversation, command: Command, refresh: dict[str, Any]) -> str:
    row, author = talk.row, talk.event.author
    record(store, row, Change("dismissed", "dismissed", "command", f"comment:{talk.event.comment_id}", author,
                              command.reason, command.scope), queue, refresh)
    talk.answer(_dismissed_text(talk.pr, author, command), "dismissed", command.scope, command.reason)
    return f"dismissed ({command.scope})"


def _undismiss(store: Store, queue: SqliteQueue, talk: _Conversation, refresh: dict[str, Any]) -> str:
    row, author, source = talk.row, talk.event.author, f"comment:{talk.event.comment_id}"
    repo_wide = _repo_dismissed(store, row)
    if row.state != "dismissed" and not repo_wide and not recorded(store, source):
        talk.answer(f"@{author}, this finding is not dismissed; there is nothing to undo.", row.state)
        return "nothing to undismiss"
    scope = "repo" if repo_wide else "pull"
    record(store, row, Change("undismissed", "open", "command", source, author, scope=scope), queue, refresh)
    talk.answer(f"Brought back by @{author}: auth-review counts this {row.rule_id} finding again"
                f"{' in the whole repository' if repo_wide else ''}.", "open", scope)
    return "undismissed"


def _dismissed_text(pr: PullRequest, author: str, command: Command) -> str:
    where = (f"in the whole repository {pr.full_name}: auth-review will not raise it here or in later pull requests"
             if command.scope == "repo" else "for this pull request: auth-review will not raise it here again")
    because = f" Reason: {_quote(command.reason)}." if command.reason else ""
    return f"Dismissed by @{author} {where}.{because} Reply `/auth-review undismiss` to bring it back."


def _quote(text: str) -> str:
    """User text shown in the bot's reply: one line, with no mention, HTML, link or hidden marker."""
    return "“" + neutralize(" ".join(text.split())) + "”"


# --- flow: a thread resolved or unresolved --------------------------------------------------------

def on_thread(store: Store, queue: SqliteQueue, gh: Any, pr: PullRequest, installation_id: int | None,
              event: ThreadEvent, me: AppAccount) -> str:
    """Resolving an auth-review thread dismisses its finding (unless fixed); unresolving brings back a finding
    dismissed that way. Either only if the person may dismiss."""
    on_github = post.posted_comments(gh, pr, me)
    row = _tracked_or_restored(store, gh, pr, event.root_id, on_github)
    if row is None:
        return "not an auth-review thread"
    refresh = refresh_job(pr, installation_id, f"thread:{event.delivery}")
    if event.action == "unresolved":
        return _thread_unresolved(store, queue, gh, pr, row, event, on_github, refresh)
    return _thread_resolved(store, queue, gh, pr, row, event, on_github, refresh)


def _thread_unresolved(store: Store, queue: SqliteQueue, gh: Any, pr: PullRequest, row: Tracked, event: ThreadEvent,
                       on_github: list[post.PostedComment], refresh: dict[str, Any]) -> str:
    if _repo_dismissed(store, row):
        return "unresolved; finding stays dismissed in the repository (`/auth-review undismiss` brings it back)"
    if row.state != "dismissed":
        return f"unresolved; finding stays {row.state}"
    if row.decided_via != "thread":  # a command's dismissal is undone by a command
        return "unresolved; finding stays dismissed (`/auth-review undismiss` brings it back)"
    if not may_dismiss(gh, pr, event.sender):
        return _refuse_thread(gh, pr, row, event, on_github, "bring back dismissed auth-review findings",
                              "stays dismissed")
    record(store, row, Change("undismissed", "open", "thread", f"thread:{event.delivery}", event.sender), queue, refresh)
    return "undismissed (thread unresolved)"


def _thread_resolved(store: Store, queue: SqliteQueue, gh: Any, pr: PullRequest, row: Tracked, event: ThreadEvent,
                     on_github: list[post.PostedComment], refresh: dict[str, Any]) -> str:
    if row.state != "open":
        return f"resolved; finding already {row.state}"  # fixed or accepted: not a dismissal
    if not may_dismiss(gh, pr, event.sender):
        return _refuse_thread(gh, pr, row, event, on_github, "dismiss auth-review findings", "still counts")
    record(store, row, Change("dismissed", "dismissed", "thread", f"thread:{event.delivery}", event.sender), queue,
           refresh)
    return "dismissed (thread resolved)"


def _refuse_thread(gh: Any, pr: PullRequest, row: Tracked, event: ThreadEvent, on_github: list[post.PostedComment],
                   only_they_can: str, so_it: str) -> str:
    """Tell the person, once per event, that their resolving or unresolving changed nothing."""
    source = f"thread:{event.delivery}"
    log.info("thread event refused: no write permission", extra={
        "repository": pr.full_name, "pull": pr.number, "by": event.sender, "action": event.action, "rule": row.rule_id})
    if row.comment_id is not None and not _answered(on_github, source):
        reply(gh, pr, row.comment_id,
              f"@{event.sender} {event.action} this thread, but only people with write, maintain or admin permission "
              f"on {pr.full_name} can {only_they_can}, so it {so_it}.",
              post.FeedbackMark(row.fingerprint, row.rule_id, "refused", by=event.sender, answers=source))
    return "refused"


def _tracked_or_restored(store: Store, gh: Any, pr: PullRequest, comment_id: int,
                         on_github: list[post.PostedComment]) -> Tracked | None:
    """The finding behind a thread's first comment; rebuilt from GitHub if the database lost it."""
    row = tracked_comment(store, pr.full_name, comment_id)
    if row is None:
        restore_from_github(store, gh, pr, on_github)
        row = tracked_comment(store, pr.full_name, comment_id)
    return row if row is not None and row.number == pr.number else None


# --- flow: a push ---------------------------------------------------------------------------------

class Moved(NamedTuple):
    """A commented finding whose file was renamed since the comment."""

    path: str  # the file's name at head
    fingerprint: str | None  # the finding's fingerprint there (None: it is not there)


def _changed_paths(files: list[ChangedFile]) -> frozenset[str]:
    """Paths the pull request adds or modifies at head."""
    return frozenset(f.path for f in files if f.status != "removed")


def follow_renames(gh: Any, pr: PullRequest, rows: Iterable[Tracked], files: list[ChangedFile],
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
            renames[row.head_sha] = fetch.renames_since(gh, pr, row.head_sha)
        path = renames[row.head_sha].get(row.path)
        if path is not None:
            as_before = _fingerprints_as(analysis.found.get(path, []), row.path)
            moved[row.fingerprint] = Moved(path, as_before.get(row.fingerprint))
    return moved


def _fingerprints_as(findings: list[Finding], path: str) -> dict[str, str]:
    """The fingerprint each finding of one file would have if the file were named ``path`` -> its own."""
    renamed = [dataclasses.replace(f, path=path) for f in findings]
    assign_fingerprints(renamed)
    return {copy.fingerprint: f.fingerprint for copy, f in zip(renamed, findings)}


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


def settle_push(store: Store, gh: Any, pr: PullRequest, head: Head, on_github: list[post.PostedComment],
                pushed_by: str | None) -> list[Settled]:
    """Record the commented findings this head removed (thank once, resolve the thread) or brought back (reopen
    the thread)."""
    settled: list[Settled] = []
    reopened: list[Tracked] = []
    earlier: dict[tuple[str, str], bytes | None] = {}  # (path, commit) -> file, fetched once
    for row in tracked(store, pr.full_name, pr.number).values():
        gone = head.gone(row)
        if gone and (row.state == "open" or (row.state == "dismissed" and row.decided_via == "thread")):
            settled.append(Settled(row, "accepted" if _suggestion_applied(gh, pr, row, head, earlier) else "fixed"))
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
    (changes,) = store.execute("SELECT count(*) FROM feedback WHERE repository = ? AND number = ? AND fingerprint = ?",
                               (row.repository, row.number, row.fingerprint)).fetchone()
    return f"push:{sha}:{row.fingerprint}:{changes}"


def _suggestion_applied(gh: Any, pr: PullRequest, row: Tracked, head: Head,
                        earlier: dict[tuple[str, str], bytes | None]) -> bool:
    """Is the comment's suggestion what now stands where the finding was?"""
    if row.suggestion is None or row.path not in head.sources:
        return False
    key = (row.path, row.head_sha)
    if key not in earlier:
        earlier[key] = fetch.content_at(gh, pr, row.path, row.head_sha)
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


# --- flow: restore what the database lost ----------------------------------------------------------

def restore_from_github(store: Store, gh: Any, pr: PullRequest, on_github: list[post.PostedComment]) -> int:
    """Rebuild rows for the bot's comments the database lacks, with the decisions recorded on GitHub.

    Returns how many findings were rebuilt. Rows the database has are left alone: they are newer.
    """
    known = set(tracked(store, pr.full_name, pr.number))
    rebuilt = [c for c in on_github if c.in_reply_to is None and c.fingerprint not in known]
    if not rebuilt:
        return 0
    for comment in rebuilt:
        remember(store, _rebuilt(pr, comment), _epoch(comment.created_at) or now())
    rows = {fp: row for fp, row in tracked(store, pr.full_name, pr.number).items()
            if fp in {c.fingerprint for c in rebuilt}}
    decided = _restore_decisions(store, rows, on_github)
    undecided = {row.comment_id: row for fp, row in rows.items() if fp not in decided}
    if undecided:
        _restore_resolved_threads(store, gh, pr, undecided)
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


def _restore_resolved_threads(store: Store, gh: Any, pr: PullRequest, rows: dict[int | None, Tracked]) -> None:
    """A thread resolved by someone who may dismiss is a dismissal by thread, as it was when it happened (the bot
    resolves only what was fixed; others' resolutions were refused). A later fix can still settle it."""
    for thread in review_threads(gh, pr):
        row, resolver = rows.get(thread.root_id), thread.resolved_by
        if row is None or not thread.resolved or resolver in (None, thread.root_author):
            continue
        if may_dismiss(gh, pr, resolver):
            record(store, row, Change("dismissed", "dismissed", "thread", f"github:{thread.node_id}", resolver))


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


# --- what the check run says ---------------------------------------------------------------------

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
    why = f": {_quote(dismissal.reason)}" if dismissal.reason else ""
    return f"{finding.rule_id} at {code(f'{finding.path}:{finding.line}')}{where}{who}{why}"
