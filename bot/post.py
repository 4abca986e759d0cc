"""Step 7: post the review (inline comments with suggestions) and the check run.

Exactly once per head SHA, even if a worker died after GitHub accepted the
review: the review body carries a hidden ``head=<sha>`` marker and each
comment a ``fingerprint=`` marker, and both are looked up on GitHub before
anything is posted. A marker is the body's last line and is read from there only. Text from the pull
request is shown as code spans (``analyzers/markup.py``). GitHub's limits are respected: bodies stay under
65,536 characters, inline comments are capped (most severe first), and
check-run annotations go 50 per request.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from githubkit.exception import GitHubException

from auth_review.analyzers.config import Config
from auth_review.analyzers.findings import Confidence, Finding, Severity
from auth_review.analyzers.markup import code, neutralize
from auth_review.analyzers.registry import get_rule

from . import github
from .fetch import PullRequest
from .github import AppAccount, paginate
from .place import Placement

log = logging.getLogger("auth_review.post")

CHECK_NAME = "auth-review"
BODY_LIMIT = 65_536
BODY_BUDGET = 60_000  # leave room for the markers and the footer
ANNOTATIONS_PER_REQUEST = 50
FINGERPRINT_MARKER = re.compile(r"<!-- auth-review:fingerprint=(?P<fp>[0-9a-f]+:\d+) rule=(?P<rule>[A-Z]+\d+) -->")
REVIEW_MARKER = "<!-- auth-review:review head={sha} -->"
FINGERPRINT = re.compile(r"[0-9a-f]+:\d+")
FEEDBACK_MARKER = re.compile(r"<!-- auth-review:feedback (?P<fields>[^<>]*?) -->")
ERROR_LIMIT = 280  # characters of one "not analysed" entry
SUGGESTION_BLOCK = re.compile(r"^(?P<fence>`{3,})suggestion\n(?P<text>.*?)\n(?P=fence)$", re.MULTILINE | re.DOTALL)
HEADLINE_LEVELS = re.compile(r"\((?P<severity>[a-z]+) severity, (?P<confidence>[a-z]+) confidence\)")


def _rank(finding: Finding) -> tuple[int, int, str, int]:
    return (-int(finding.severity), -int(finding.confidence), finding.path, finding.line)


def _fence(text: str) -> str:
    """A code fence no line of ``text`` can close: longer than any run of three or more backticks in it."""
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * max(3, longest + 1)


def _docs_link(finding: Finding) -> str:
    rule = get_rule(finding.rule_id)
    if rule is not None:
        return f"[{rule.id} {rule.name}]({rule.help_uri()})"
    return f"Bandit {finding.rule_id}"


def comment_body(placement: Placement) -> str:
    f = placement.finding
    # The message quotes the pull request (as code spans); neutralize is the last line of defence around them.
    parts = [f"**{f.rule_id} · {f.title}** ({f.severity.label} severity, {f.confidence.label} confidence)", "",
             neutralize(f.message)]
    if placement.suggest and f.fix is not None:
        fence = _fence(f.fix.replacement)
        parts += ["", f"{fence}suggestion", f.fix.replacement, fence]
    elif f.fix is not None:
        fence = _fence(f.fix.replacement)
        added = "\n".join(f"+ {line}" for line in f.fix.replacement.split("\n"))
        parts += ["", "Suggested change (outside this diff's lines):", "", f"{fence}diff", added, fence]
    parts += ["", f"<sub>{_docs_link(f)} · reply `/auth-review dismiss <reason>` if this is wrong</sub>",
              f"<!-- auth-review:fingerprint={f.fingerprint} rule={f.rule_id} -->"]
    body = "\n".join(parts)
    if len(body) > BODY_BUDGET:  # a huge fix: drop the suggestion rather than the comment
        body = "\n".join(parts[:3] + parts[-2:])
    return body


def review_body(pr: PullRequest, inline: list[Placement], summary: list[Finding], overflow: list[Placement],
                errors: list[str], inline_confidence: Confidence = Confidence.HIGH) -> str:
    counts = Counter(p.finding.severity for p in inline) + Counter(f.severity for f in summary) + \
        Counter(p.finding.severity for p in overflow)
    total = sum(counts.values())
    lines = [f"### auth-review: {total} new finding{'s' if total != 1 else ''} in this pull request", ""]
    lines.append(", ".join(f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)))
    rest = [p.finding for p in overflow] + summary
    if overflow:
        lines += ["", f"{len(inline)} are commented inline (most severe first); the other "
                      f"{len(overflow)} are listed below to keep the review readable."]
    tail = []
    if errors:
        tail += ["", "<details><summary>Not analysed</summary>", ""]
        tail += [_error_item(e) for e in errors[:50]]
        tail += ["", "</details>"]
    tail += ["", REVIEW_MARKER.format(sha=pr.head_sha)]
    if rest:
        lines += ["", "| where | rule | severity | finding |", "|---|---|---|---|"]
        budget = BODY_BUDGET - sum(len(x) + 1 for x in lines + tail)
        for i, f in enumerate(sorted(rest, key=_rank)):
            row = f"| {_cell(code(f'{f.path}:{f.line}'))} | {f.rule_id} | {f.severity.label} | {_cell(f.message)} |"
            if budget - len(row) < 200:
                lines.append(f"| … | | | and {len(rest) - i} more (see the check run) |")
                break
            budget -= len(row) + 1
            lines.append(row)
        if summary:
            lines += ["", _summary_note(summary, inline_confidence)]
    return "\n".join(lines + tail)


def _summary_note(summary: list[Finding], inline_confidence: Confidence) -> str:
    """Why the listed findings are not inline comments: below the inline confidence, or off the diff's hunks."""
    quieter = sum(1 for f in summary if f.confidence < inline_confidence)
    reasons = []
    if quieter:
        reasons.append(f"{quieter} {'is' if quieter == 1 else 'are'} below {inline_confidence.label} confidence "
                       f"(inline comments are kept for findings that are right at least 9 times in 10)")
    if len(summary) > quieter:
        off = len(summary) - quieter
        reasons.append(f"{off} {'is' if off == 1 else 'are'} on lines outside this diff's hunks")
    return "Of the findings listed here and not commented inline, " + "; ".join(reasons) + "."


def _cell(text: str) -> str:
    """Markdown for a table cell: one line, capped, inert. Neutralized after the cut, which may split a code span."""
    text = " ".join(text.split()).replace("|", "\\|")
    return neutralize(text if len(text) <= 300 else text[:297] + "...")


def _error_item(error: str) -> str:
    """A "not analysed" entry: a path and a message that may quote the pull request (a parser error, a config
    value), so all of it is a code span."""
    return f"- {code(error, ERROR_LIMIT)}"


def _last_line(body: str) -> str:
    """Where the bot writes a marker: the body's last line, after anything a pull request could put in."""
    return body.rstrip().rpartition("\n")[2].rstrip("\r")


def fingerprint_mark(body: str) -> tuple[str, str] | None:
    """(fingerprint, rule id) of one of the bot's review comments, from the marker line ``comment_body`` ends with.

    Only that line, in that exact format, counts: a marker quoted earlier in the body (a finding's message
    can quote the pull request) is text.
    """
    match = FINGERPRINT_MARKER.fullmatch(_last_line(body))
    return (match["fp"], match["rule"]) if match else None


def reviews_head(body: str, head_sha: str) -> bool:
    """Is this the body of the bot's review of ``head_sha`` (``review_body`` ends with its marker line)?"""
    return _last_line(body) == REVIEW_MARKER.format(sha=head_sha)


# --- what is already on GitHub ----------------------------------------------------------

@dataclass(frozen=True)
class FeedbackMark:
    """The hidden marker of the bot's replies in a thread: what was decided about which finding.

    Values are percent-encoded, so a reason can never close the HTML comment or forge a marker.
    """

    fingerprint: str
    rule_id: str
    state: str  # dismissed | open | accepted | fixed | refused | unknown
    scope: str = "pull"  # pull | repo
    by: str = ""
    answers: str = ""  # what it answers: a command's comment id or "thread:<delivery>"
    sha: str = ""  # the head commit of a fix
    reason: str = ""

    def marker(self) -> str:
        pairs = " ".join(f"{f.name}={quote(str(getattr(self, f.name)), safe='')}" for f in fields(self))
        return f"<!-- auth-review:feedback {pairs} -->"

    @classmethod
    def parse(cls, body: str) -> FeedbackMark | None:
        match = FEEDBACK_MARKER.fullmatch(_last_line(body))  # a reply ends with it (``feedback.reply``)
        if match is None:
            return None
        known = {f.name for f in fields(cls)}
        values = {key: unquote(value) for key, _, value in (pair.partition("=") for pair in match["fields"].split())
                  if key in known}
        if not FINGERPRINT.fullmatch(values.get("fingerprint", "")) or not values.get("rule_id"):
            return None
        return cls(**values)


@dataclass(frozen=True)
class PostedComment:
    """One of auth-review's review comments (a finding) or replies (a decision), as GitHub has it."""

    comment_id: int
    fingerprint: str
    rule_id: str
    path: str
    line: int | None
    in_reply_to: int | None
    original_line: int | None = None  # at ``commit_id``, the head the comment was posted on
    original_start_line: int | None = None
    commit_id: str | None = None
    created_at: str | None = None
    feedback: FeedbackMark | None = None
    body: str = field(default="", repr=False)

    @property
    def suggestion(self) -> str | None:
        return suggestion_in(self.body)

    @property
    def levels(self) -> tuple[str | None, str | None]:
        """(severity, confidence) as the comment's headline states them."""
        match = HEADLINE_LEVELS.search(self.body.split("\n", 1)[0])
        return (match["severity"], match["confidence"]) if match else (None, None)


def suggestion_in(body: str) -> str | None:
    """The replacement a comment's ``suggestion`` block carries (what ``comment_body`` wrote)."""
    match = SUGGESTION_BLOCK.search(body)
    return match["text"] if match else None


def posted_comments(gh: Any, pr: PullRequest, me: AppAccount) -> list[PostedComment]:
    """auth-review's own review comments and thread replies on this pull request, recognised by their markers."""
    found = []
    for item in paginate(gh.rest.pulls.list_review_comments, owner=pr.owner, repo=pr.repo, pull_number=pr.number):
        if not me.owns(item.get("user")):
            continue  # only this App's marker counts; a person or another App writing one changes nothing
        body = item.get("body") or ""
        marked = fingerprint_mark(body)
        mark = None if marked else FeedbackMark.parse(body)
        if marked is not None:
            fingerprint, rule_id = marked
        elif mark is not None:
            fingerprint, rule_id = mark.fingerprint, mark.rule_id
        else:
            continue
        found.append(PostedComment(
            item["id"], fingerprint, rule_id, item.get("path", ""), item.get("line"), item.get("in_reply_to_id"),
            original_line=item.get("original_line"), original_start_line=item.get("original_start_line"),
            commit_id=item.get("original_commit_id"), created_at=item.get("created_at"), feedback=mark, body=body))
    return found


def review_exists(gh: Any, pr: PullRequest, me: AppAccount) -> int | None:
    for review in paginate(gh.rest.pulls.list_reviews, owner=pr.owner, repo=pr.repo, pull_number=pr.number):
        if reviews_head(review.get("body") or "", pr.head_sha) and me.owns(review.get("user")):
            return int(review["id"])
    return None


# --- posting -------------------------------------------------------------------------------

def create_once(gh: Any, create: Callable[[], int], find: Callable[[], int | None], what: str) -> int:
    """POST something GitHub must hold once (a review, a check run); returns its id.

    After an answer that may hide a success (a timeout, a 5xx: GitHub may have created it and
    then failed to say so), look for it before posting again, instead of githubkit's blind retry.
    """
    retries = github.careful_retries(gh)
    for attempt in range(retries + 1):
        try:
            return create()
        except GitHubException as exc:
            if not github.may_have_happened(exc) or attempt == retries:
                raise
            log.warning("GitHub may have created it without saying so; looking before posting again",
                        extra={"what": what, "error": type(exc).__name__, "attempt": attempt + 1})
        found = find()
        if found is not None:
            return found
        github.pause_before_retry(gh, attempt)
    raise AssertionError("unreachable")


def post_review(gh: Any, pr: PullRequest, config: Config, inline: list[Placement], summary: list[Finding],
                errors: list[str], me: AppAccount) -> tuple[int, list[Placement]]:
    """Post one review (exactly once: see ``create_once``); returns its id and the placements commented inline."""
    ranked = sorted(inline, key=lambda p: _rank(p.finding))
    shown, overflow = ranked[: config.max_comments], ranked[config.max_comments :]
    threshold = config.request_changes_on
    everything = [p.finding for p in ranked] + summary
    blocking = threshold is not None and any(f.severity >= threshold for f in everything)
    event = "REQUEST_CHANGES" if blocking else "COMMENT"
    comments = []
    for placement in shown:
        comment: dict[str, Any] = {"path": placement.finding.path, "line": placement.line, "side": "RIGHT",
                                   "body": comment_body(placement)}
        if placement.start_line is not None:
            comment["start_line"] = placement.start_line
            comment["start_side"] = "RIGHT"
        comments.append(comment)
    body = review_body(pr, shown, summary, overflow, errors, config.inline_confidence)
    data = {"commit_id": pr.head_sha, "body": body, "event": event, "comments": comments}

    def create() -> int:
        return int(gh.rest.pulls.create_review(pr.owner, pr.repo, pr.number, data=data).json()["id"])
    return create_once(gh, create, lambda: review_exists(gh, pr, me), "review"), shown


def start_check(gh: Any, pr: PullRequest) -> int:
    """An in-progress check run for the head (once: after a timeout, an unfinished one found at the head is it)."""
    data = {"name": CHECK_NAME, "head_sha": pr.head_sha, "status": "in_progress",
            "started_at": _now(), "external_id": f"{pr.full_name}#{pr.number}"}
    return create_once(gh, lambda: int(gh.rest.checks.create(pr.owner, pr.repo, data=data).json()["id"]),
                       lambda: next(iter(unfinished_checks(gh, pr.owner, pr.repo, pr.head_sha)), None), "check run")


def unfinished_checks(gh: Any, owner: str, repo: str, head_sha: str) -> list[int]:
    """Ids of the ``auth-review`` check runs at ``head_sha`` that are still in progress, newest first."""
    response = gh.rest.checks.list_for_ref(owner, repo, head_sha, check_name=CHECK_NAME, status="in_progress",
                                           filter_="all", per_page=100)
    return [int(run["id"]) for run in response.json().get("check_runs") or []]


def abandon_check(gh: Any, owner: str, repo: str, head_sha: str, check_id: int, reason: str) -> bool:
    """Conclude a review's check run that will not finish (its job is dead): neutral, saying why.

    A check run left in progress blocks merging where the check is required. One already
    completed keeps its conclusion; returns whether this one was concluded.
    """
    if check_id not in unfinished_checks(gh, owner, repo, head_sha):
        return False
    summary = (f"auth-review gave up reviewing this commit:\n\n> {_cell(reason)}\n\n"
               "Push again or re-run this check to try again.")
    gh.rest.checks.update(owner, repo, check_id, data={
        "status": "completed", "conclusion": "neutral", "completed_at": _now(),
        "output": {"title": "Review failed", "summary": summary}})
    return True


def finish_check(gh: Any, pr: PullRequest, check_id: int, config: Config, findings: list[Finding],
                 existing: int, errors: list[str], note: str | None = None) -> str:
    """Complete the check run; returns its conclusion."""
    fail = config.fail_on
    if fail is not None and any(f.severity >= fail for f in findings):
        conclusion = "failure"
    elif findings:
        conclusion = "neutral"
    else:
        conclusion = "success"
    title = (f"{len(findings)} new finding{'s' if len(findings) != 1 else ''}" if findings
             else "No new authentication or authorization findings")
    summary = _check_summary(findings, existing, errors, note)
    annotations = [_annotation(f, fail) for f in sorted(findings, key=_rank)]
    batches = [annotations[i : i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)] or [[]]
    # Annotations accumulate across updates; the last request completes the run.
    for batch in batches[:-1]:
        gh.rest.checks.update(pr.owner, pr.repo, check_id, data={
            "output": {"title": title, "summary": summary, "annotations": batch}})
    gh.rest.checks.update(pr.owner, pr.repo, check_id, data={
        "status": "completed", "conclusion": conclusion, "completed_at": _now(),
        "output": {"title": title, "summary": summary, "annotations": batches[-1]}})
    return conclusion


def _check_summary(findings: list[Finding], existing: int, errors: list[str], note: str | None) -> str:
    counts = Counter(f.rule_id for f in findings)
    lines = []
    if note:
        lines += [note, ""]
    if findings:
        lines += ["| rule | title | new findings |", "|---|---|---|"]
        titles = {f.rule_id: f.title for f in findings}
        lines += [f"| {rule} | {titles[rule]} | {n} |" for rule, n in sorted(counts.items())]
    else:
        lines.append("This pull request introduces no finding.")
    if existing:
        verb = "is" if existing == 1 else "are"
        lines += ["", f"{existing} finding{'s' if existing != 1 else ''} already present before this pull request "
                      f"{verb} not repeated here."]
    if errors:
        lines += ["", "**Not analysed:**"] + [_error_item(e) for e in errors[:50]]
    return _clip("\n".join(lines), BODY_LIMIT)


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a line's end: a line cut short could leave a code span open."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    return head.rpartition("\n")[0] or neutralize(head)


def _annotation(finding: Finding, fail: Severity | None) -> dict[str, Any]:
    level = "failure" if fail is not None and finding.severity >= fail else (
        "warning" if finding.severity >= Severity.MEDIUM else "notice")
    annotation: dict[str, Any] = {
        "path": finding.path, "start_line": finding.line, "end_line": max(finding.line, finding.end_line),
        "annotation_level": level, "title": f"{finding.rule_id} {finding.title}"[:255],
        "message": finding.message[:60_000],
    }
    if finding.end_line == finding.line and finding.end_column > finding.column:
        annotation["start_column"], annotation["end_column"] = finding.column, finding.end_column
    return annotation


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
