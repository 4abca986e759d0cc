"""Step 3: run one job. A review job goes fetch -> analyze -> place -> post, then settles feedback;
command and thread jobs are the maintainers' feedback (``feedback/``). Each kind's payload is read
into its type (``jobs.py``) once, by the kind's entry in ``HANDLERS``.

Safe to run again after a crash: a review already on GitHub for this head SHA
(found by the marker this App wrote) is not posted twice, the check run created by an
earlier attempt is reused, and findings already commented on in this pull
request (by fingerprint, from the database or from GitHub's own copy of the
comments) or dismissed by a maintainer are never repeated.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from auth_review.analyzers.isolate import Sandbox

from . import analyze, feedback, fetch, place, post, records, webhook
from .github import AppAccount, paginate
from .jobs import CommandJob, JobError, PullJob, ReviewJob, ThreadJob, read_pull
from .queue import Job, SqliteQueue
from .store import Store, now
from .tuning import Tuning

log = logging.getLogger("auth_review.job")

J = TypeVar("J", ReviewJob, CommandJob, ThreadJob)


@dataclass
class JobContext:
    store: Store
    installation_client: Callable[[int], Any]  # installation id -> githubkit client
    app_client: Callable[[], Any]
    account: Callable[[], AppAccount]  # this App's bot account (asked of GitHub once)
    pool: Sandbox | None = None  # child processes for analysis; None analyses in this thread (unit tests)
    tuning: Tuning = field(default_factory=Tuning)  # the operator's per-installation rule tuning


@dataclass(frozen=True)
class Handler(Generic[J]):
    """How one kind of job runs: its stored payload read into its type once, then handled."""

    read: Callable[[dict[str, Any]], J]
    handle: Callable[[JobContext, J], str]

    def __call__(self, ctx: JobContext, payload: dict[str, Any]) -> str:
        return self.handle(ctx, self.read(payload))


def run(ctx: JobContext, job: Job) -> str:
    """Run ``job``; returns a short outcome for the logs and the jobs table."""
    handler = HANDLERS.get(job.kind)
    if handler is None:
        raise JobError(f"unknown job kind {job.kind!r}")
    return handler(ctx, job.payload)


def _installation_id(ctx: JobContext, job: PullJob) -> int:
    if job.installation_id is not None:
        return job.installation_id
    recorded = webhook.installation_of(ctx.store, job.repository)
    if recorded is not None:
        return recorded
    # Some events (ready_for_review) come without an installation; ask GitHub which one it is.
    return int(ctx.app_client().rest.apps.get_repo_installation(job.owner, job.repo).json()["id"])


def _feedback(ctx: JobContext, gh: Any, pr: fetch.PullRequest, installation_id: int,
              me: AppAccount) -> feedback.FeedbackContext:
    return feedback.FeedbackContext(ctx.store, SqliteQueue(ctx.store), gh, pr, installation_id, me)


def command(ctx: JobContext, job: CommandJob) -> str:
    """``/auth-review dismiss|undismiss`` replied in a thread."""
    installation_id = _installation_id(ctx, job)
    gh = ctx.installation_client(installation_id)
    pr = fetch.pull_request(gh, job.owner, job.repo, job.number)
    return feedback.on_command(_feedback(ctx, gh, pr, installation_id, ctx.account()), job)


def thread(ctx: JobContext, job: ThreadJob) -> str:
    """A review thread resolved or unresolved."""
    me = ctx.account()
    if not me.owns(job.root_user):
        return "not an auth-review thread"  # another App's thread
    installation_id = _installation_id(ctx, job)
    gh = ctx.installation_client(installation_id)
    pr = fetch.pull_request(gh, job.owner, job.repo, job.number)
    return feedback.on_thread(_feedback(ctx, gh, pr, installation_id, me), job)


def abandon(ctx: JobContext, job: Job, reason: str) -> int:
    """A dead review job's check runs never stay in progress: conclude them neutral with ``reason``.

    Returns how many were concluded (a check run already completed keeps its conclusion).
    """
    if job.kind != ReviewJob.kind:
        return 0
    pull = read_pull(job.payload, job.kind)  # the pull request is all it needs: a dead job's payload may be odd
    pending = _unfinished_checks(ctx.store, pull.repository, pull.number)
    if not pending:
        return 0
    gh = ctx.installation_client(_installation_id(ctx, pull))
    return sum(post.abandon_check(gh, pull.owner, pull.repo, head, check_id, reason) for head, check_id in pending)


def review(ctx: JobContext, job: ReviewJob) -> str:
    owner, repo, number, full_name = job.owner, job.repo, job.number, job.repository
    head_sha, force = job.head_sha, job.force
    latest = webhook.latest_head(ctx.store, full_name, number)
    if latest and latest != head_sha:
        return "superseded"  # a newer delivery moved the head on: its job reviews the newest head
    if not force and _reviewed(ctx.store, full_name, number, head_sha):
        return "already reviewed"

    installation_id = _installation_id(ctx, job)
    gh = ctx.installation_client(installation_id)
    pr = fetch.pull_request(gh, owner, repo, number)
    if pr.head_sha != head_sha:
        # A late or replayed delivery, or a push whose webhook has not arrived yet: whatever order
        # deliveries come in, the head GitHub reports now is the one reviewed.
        webhook.advance_head(ctx.store, full_name, number, pr.head_sha, webhook.github_time(pr.updated_at))
        head_sha, force = pr.head_sha, False
        if _reviewed(ctx.store, full_name, number, head_sha):
            return "already reviewed"
    state = _review_row(ctx.store, full_name, number, head_sha)
    if pr.state != "open":
        return "closed"
    repo_config, config_error = fetch.repo_config(gh, pr)
    tuned = ctx.tuning.for_installation(owner, installation_id)
    config = tuned.apply(repo_config)
    if pr.draft and not config.review_drafts:
        return "draft skipped"

    check_id = state["check_run_id"] if state and state["check_run_id"] and not force else None
    if check_id is None:
        check_id = post.start_check(gh, pr)
        _save_review(ctx.store, pr, check_run_id=check_id)

    clock = _Clock()
    files = fetch.changed_files(gh, pr)
    sources = fetch.sources(gh, pr, files)
    clock.lap("fetch")
    analysis = analyze.new_findings(sources, config, ctx.pool, lambda f: tuned.admits(f.rule_id, f.confidence))
    clock.lap("analyze")
    errors = [f"{e.path}: {e.message}" for e in analysis.errors]
    if config_error:
        errors.insert(0, config_error)

    me = ctx.account()
    on_github = post.posted_comments(gh, pr, me)
    pull = _feedback(ctx, gh, pr, installation_id, me)
    feedback.restore_from_github(pull, on_github)  # a lost database: rebuilt from the markers
    commented = records.tracked(ctx.store, full_name, number)
    moved = feedback.follow_renames(pull, commented.values(), files, analysis)
    head = feedback.Head.of(pr, analysis, files, sources, config, tuned, moved)
    settled = feedback.settle_push(pull, head, on_github, job.sender)
    dismissed = head.carry(records.dismissals(ctx.store, full_name, number))
    already = {c.fingerprint for c in on_github} | set(commented) | head.renamed | set(dismissed)
    fresh = [f for f in analysis.new if f.fingerprint not in already]
    inline, summary = place.place(fresh, files, config.inline_confidence)

    counted = [f for f in analysis.new if f.fingerprint not in dismissed]
    note = feedback.check_note(settled, [f for f in analysis.new if f.fingerprint in dismissed], dismissed)
    # The check run and the review do not depend on each other: both go out at once.
    with ThreadPoolExecutor(max_workers=1) as side:
        check = side.submit(post.finish_check, gh, pr, check_id, config, counted, analysis.existing, errors, note)
        review_id = None
        if fresh:
            review_id = post.review_exists(gh, pr, me)
            if review_id is None:
                review_id, shown = post.post_review(gh, pr, config, inline, summary, errors, me)
                _record_comments(ctx.store, gh, pr, review_id, shown)
        conclusion = check.result()
    clock.lap("post")
    _save_review(ctx.store, pr, check_run_id=check_id, review_id=review_id, findings=len(analysis.new),
                 inline=len(inline), posted=True)
    log.info("reviewed pull request", extra={
        "repository": full_name, "pull": number, "head": head_sha[:12], "new_findings": len(analysis.new),
        "commented": len(fresh), "inline": len(inline), "summary": len(summary), "conclusion": conclusion,
        "dismissed": len(analysis.new) - len(counted), "settled": len(settled), "reason": job.reason,
        "errors": len(errors), "files": analysis.files, **clock.laps})
    return f"reviewed: {len(fresh)} new comment(s), check {conclusion}"


# Each kind of job, its payload's type and its handler (``run`` dispatches on the stored kind).
HANDLERS: dict[str, Handler[Any]] = {
    ReviewJob.kind: Handler(ReviewJob.from_payload, review),
    CommandJob.kind: Handler(CommandJob.from_payload, command),
    ThreadJob.kind: Handler(ThreadJob.from_payload, thread),
}


class _Clock:
    """Milliseconds per phase, for the operator's log line."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, int] = {}

    def lap(self, name: str) -> None:
        now_ = time.perf_counter()
        self.laps[f"{name}_ms"] = round((now_ - self.last) * 1000)
        self.last = now_


def _review_row(store: Store, repo: str, number: int, head_sha: str) -> dict[str, Any] | None:
    row = store.execute(
        "SELECT review_id, check_run_id, posted_at FROM reviews WHERE repository = ? AND number = ? AND head_sha = ?",
        (repo, number, head_sha)).fetchone()
    return None if row is None else {"review_id": row[0], "check_run_id": row[1], "posted_at": row[2]}


def _save_review(store: Store, pr: fetch.PullRequest, *, check_run_id: int | None = None, review_id: int | None = None,
                 findings: int = 0, inline: int = 0, posted: bool = False) -> None:
    store.execute(
        "INSERT INTO reviews (repository, number, head_sha, review_id, check_run_id, findings, inline, posted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository, number, head_sha) DO UPDATE SET "
        "review_id = coalesce(excluded.review_id, reviews.review_id), "
        "check_run_id = coalesce(excluded.check_run_id, reviews.check_run_id), "
        "findings = excluded.findings, inline = excluded.inline, posted_at = excluded.posted_at",
        (pr.full_name, pr.number, pr.head_sha, review_id, check_run_id, findings, inline, now() if posted else None),
    )


def _reviewed(store: Store, repo: str, number: int, head_sha: str) -> bool:
    """Posted for this head and the latest review (a head reviewed, then another, then pushed again: reviewed again)."""
    state = _review_row(store, repo, number, head_sha)
    return bool(state and state["posted_at"]) and _last_reviewed(store, repo, number) == head_sha


def _unfinished_checks(store: Store, repo: str, number: int) -> list[tuple[str, int]]:
    """(head, check run id) of the pull request's reviews that started a check run and never finished."""
    rows = store.execute("SELECT head_sha, check_run_id FROM reviews WHERE repository = ? AND number = ? "
                         "AND check_run_id IS NOT NULL AND posted_at IS NULL", (repo, number))
    return [(str(head), int(check)) for head, check in rows]


def _last_reviewed(store: Store, repo: str, number: int) -> str | None:
    """The head of the pull request's latest posted review."""
    row = store.execute("SELECT head_sha FROM reviews WHERE repository = ? AND number = ? AND posted_at IS NOT NULL "
                        "ORDER BY posted_at DESC LIMIT 1", (repo, number)).fetchone()
    return None if row is None else str(row[0])


def _record_comments(store: Store, gh: Any, pr: fetch.PullRequest, review_id: int, shown: list[place.Placement]) -> None:
    """Remember what this review commented, with GitHub's comment ids."""
    ids: dict[str, int] = {}
    for item in paginate(gh.rest.pulls.list_comments_for_review, owner=pr.owner, repo=pr.repo,
                               pull_number=pr.number, review_id=review_id):
        marked = post.fingerprint_mark(item.get("body") or "")
        if marked:
            ids[marked[0]] = int(item["id"])
    for placement in shown:
        f = placement.finding
        records.remember(store, records.Tracked(
            pr.full_name, pr.number, f.fingerprint, f.rule_id, ids.get(f.fingerprint), f.path, placement.line,
            placement.start_line, pr.head_sha, f.fix.replacement if (f.fix and placement.suggest) else None,
            f.severity.label, f.confidence.label), now())
