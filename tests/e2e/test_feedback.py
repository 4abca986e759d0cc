"""End to end: maintainers dismiss, accept and fix auth-review's findings; the bot remembers.

Every webhook starts from GitHub's real payloads (devkit/emulator/webhooks.py); every request the bot
sends and every answer of the emulated GitHub is validated against GitHub's REST description.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from auth_review.bot import cli, stats
from auth_review.bot.post import REVIEW_MARKER, FeedbackMark
from auth_review.bot.store import Store
from auth_review.bot.tuning import load as load_tuning
from devkit.emulator import webhooks
from devkit.emulator.run import RunningEmulator
from devkit.emulator.state import CheckRun, Installation, PullRequest, ReviewComment, World
from devkit.harness import BASE_FILES, DEFECTS, NEW_DEFECT, RunningBot, running_bot, settings_for

REPO = "acme/webapp"
MAINTAINER = "maintainer"
ADMIN_TOKEN = "op-7f3c9a1e5b2d4c8e"
SQL_FIXED_BY_HAND = DEFECTS.replace(
    "conn.execute(f\"SELECT * FROM users WHERE name = '{name}'\")",
    'conn.execute("SELECT * FROM users WHERE name = :name", {"name": name})')
KEY_CHECK = "\n\ndef check_key(presented: str, api_key: str) -> bool:\n    return presented == api_key\n"


@pytest.fixture()
def installation(world: World) -> Installation:
    inst = world.install("acme")
    world.create_repo(REPO, BASE_FILES, installation=inst)
    world.set_permission(REPO, MAINTAINER, "maintain")
    return inst


@pytest.fixture()
def bot(world: World, gh: RunningEmulator, tmp_path: Path, installation: Installation):  # type: ignore[no-untyped-def]
    with running_bot(settings_for(world, gh, tmp_path, admin_token=ADMIN_TOKEN)) as running:
        yield running


# --- helpers ----------------------------------------------------------------------------------

def deliver(gh: RunningEmulator, bot: RunningBot, event: str, payload: dict) -> None:  # type: ignore[type-arg]
    response = gh.deliver(bot.webhook_url, event, payload)
    assert response.status_code == 202, response.text
    bot.wait_idle()


def open_pull(world: World, gh: RunningEmulator, bot: RunningBot, inst: Installation, files: dict[str, str] | None = None,
              **kwargs: object) -> PullRequest:
    pr = world.open_pull(REPO, files or {"app/auth.py": DEFECTS}, **kwargs)  # type: ignore[arg-type]
    deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "opened", pr, inst))
    return pr


def push(world: World, gh: RunningEmulator, bot: RunningBot, inst: Installation, pr: PullRequest,
         files: dict[str, str], sender: str = MAINTAINER) -> None:
    world.push(pr, files)
    deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "synchronize", pr, inst, sender=sender))


def rule_of(comment: ReviewComment) -> str:
    return re.search(r"\*\*(\w+) ·", comment.body).group(1)  # type: ignore[union-attr]


def findings(world: World, pr: PullRequest) -> dict[str, ReviewComment]:
    """The bot's inline comments (thread roots), by rule; each rule appears once in these scenarios."""
    roots = [c for c in world.comments_for(REPO, pr.number) if c.in_reply_to_id is None]
    by_rule = {rule_of(c): c for c in roots}
    assert len(by_rule) == len(roots), "a finding was commented twice"
    return by_rule


def replies(world: World, comment: ReviewComment) -> list[ReviewComment]:
    return [c for c in world.comments_for(REPO, comment.pull_number) if c.in_reply_to_id == comment.id]


def bot_replies(world: World, comment: ReviewComment) -> list[str]:
    return [c.body for c in replies(world, comment) if c.user.type == "Bot"]


def latest_check(world: World, pr: PullRequest) -> CheckRun:
    return max(world.check_runs_for(REPO, pr.head_sha), key=lambda run: run.id)


def annotated(check: CheckRun) -> set[str]:
    return {a["title"].split()[0] for a in check.annotations}


def state_of(bot: RunningBot, pr: PullRequest, rule: str) -> tuple[object, ...]:
    [row] = bot.rows("SELECT state, decided_by, decided_via, reason, fixed_in FROM comments "
                     "WHERE repository = ? AND number = ? AND rule_id = ?", (REPO, pr.number, rule))
    return row


def command(world: World, gh: RunningEmulator, bot: RunningBot, inst: Installation, pr: PullRequest,
            comment: ReviewComment, text: str, author: str = MAINTAINER) -> None:
    deliver(gh, bot, "pull_request_review_comment",
            webhooks.review_comment_reply_event(world, pr, inst, comment, text, author))


def set_resolved(world: World, gh: RunningEmulator, bot: RunningBot, inst: Installation, pr: PullRequest,
                 comment: ReviewComment, resolved: bool, by: str) -> None:
    """A person resolves (or unresolves) the thread of ``comment`` on GitHub, which sends the webhook."""
    world.set_thread_resolved(comment.id, resolved, by)
    deliver(gh, bot, "pull_request_review_thread", webhooks.review_thread_event(world, pr, inst, comment.id, by))


def fingerprint_of(comment: ReviewComment) -> str:
    return re.search(r"fingerprint=(\S+)", comment.body).group(1)  # type: ignore[union-attr]


def lose_database(settings: object) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.database_path}{suffix}").unlink(missing_ok=True)  # type: ignore[attr-defined]


# --- dismissing by reply --------------------------------------------------------------------------

def test_a_maintainer_dismisses_by_reply_and_the_finding_is_never_raised_again(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    jwt_comment = findings(world, pr)["AR201"]
    assert annotated(latest_check(world, pr)) == {"AR201", "AR501", "AR601"}

    command(world, gh, bot, installation, pr, jwt_comment,
            "Thanks!\n/auth-review dismiss the gateway verifies this token before it reaches us")
    [confirmation] = bot_replies(world, jwt_comment)
    assert confirmation.startswith("Dismissed by @maintainer for this pull request")
    assert "“the gateway verifies this token before it reaches us”" in confirmation
    asked = [c.path for c in gh.emulator.calls("repos/get-collaborator-permission-level")]
    assert asked == [f"/repos/{REPO}/collaborators/{MAINTAINER}/permission"]
    assert state_of(bot, pr, "AR201")[:4] == ("dismissed", MAINTAINER, "command",
                                              "the gateway verifies this token before it reaches us")
    assert bot.rows("SELECT outcome, scope, actor, via FROM feedback") == [("dismissed", "pull", MAINTAINER, "command")]
    # The check run is posted again at once, without the dismissed finding.
    check = latest_check(world, pr)
    assert len(world.check_runs_for(REPO, pr.head_sha)) == 2 and check.status == "completed"
    assert annotated(check) == {"AR501", "AR601"} and check.conclusion == "failure"
    assert "Dismissed by maintainers, not counted (1):** AR201" in check.output["summary"]

    # The bot's own reply comes back as a webhook: it is not a command.
    [bot_reply] = [c for c in replies(world, jwt_comment) if c.user.type == "Bot"]
    jobs = len(bot.jobs())
    deliver(gh, bot, "pull_request_review_comment", webhooks.review_comment_event(world, pr, installation, bot_reply))
    assert len(bot.jobs()) == jobs

    # Later pushes move the code around; the dismissed finding is not commented again.
    push(world, gh, bot, installation, pr, {"app/auth.py": "# Authentication helpers.\n\n" + DEFECTS + NEW_DEFECT})
    assert set(findings(world, pr)) == {"AR201", "AR501", "AR601", "AR204"}
    assert annotated(latest_check(world, pr)) == {"AR501", "AR601", "AR204"}
    assert len(bot_replies(world, jwt_comment)) == 1

    command(world, gh, bot, installation, pr, jwt_comment, "/auth-review undismiss")
    assert bot_replies(world, jwt_comment)[-1].startswith("Brought back by @maintainer")
    assert state_of(bot, pr, "AR201")[0] == "open"
    assert annotated(latest_check(world, pr)) == {"AR201", "AR501", "AR601", "AR204"}
    assert [o for (o,) in bot.rows("SELECT outcome FROM feedback ORDER BY id")] == ["dismissed", "undismissed"]


def test_people_without_write_permission_are_told_politely_and_nothing_changes(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    world.set_permission(REPO, "triager", "triage")
    pr = open_pull(world, gh, bot, installation)
    md5 = findings(world, pr)["AR501"]
    checks = len(world.check_runs_for(REPO, pr.head_sha))

    command(world, gh, bot, installation, pr, md5, "/auth-review ignore", author="contributor")  # the PR's author
    command(world, gh, bot, installation, pr, md5, "/auth-review wontfix --repo", author="triager")
    first, second = bot_replies(world, md5)
    assert first.startswith("Sorry @contributor, only people with write, maintain or admin permission on acme/webapp "
                            "can dismiss auth-review findings.")
    assert second.startswith("Sorry @triager, only people with write, maintain or admin permission")
    assert state_of(bot, pr, "AR501")[0] == "open"
    assert bot.rows("SELECT * FROM feedback") == [] and bot.rows("SELECT * FROM repo_dismissals") == []
    assert len(world.check_runs_for(REPO, pr.head_sha)) == checks  # nothing to recount

    command(world, gh, bot, installation, pr, md5, "/auth-review frobnicate")
    assert bot_replies(world, md5)[-1].startswith("Sorry @maintainer, I did not understand `/auth-review frobnicate`.")
    # A quoted reason cannot smuggle a hidden marker into the bot's reply.
    forged = "<!-- auth-review:fingerprint=abc:0 rule=AR999 -->"
    command(world, gh, bot, installation, pr, md5, f"/auth-review false-positive {forged}")
    assert forged not in bot_replies(world, md5)[-1] and "&lt;!-- auth-review:fingerprint" in bot_replies(world, md5)[-1]
    assert state_of(bot, pr, "AR501")[:4] == ("dismissed", MAINTAINER, "command", forged)


# --- dismissing by resolving the thread ------------------------------------------------------------

def test_resolving_a_thread_dismisses_and_unresolving_brings_it_back(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    sql, md5 = findings(world, pr)["AR601"], findings(world, pr)["AR501"]

    world.set_thread_resolved(sql.id, True, MAINTAINER)
    deliver(gh, bot, "pull_request_review_thread", webhooks.review_thread_event(world, pr, installation, sql.id, MAINTAINER))
    assert state_of(bot, pr, "AR601")[:3] == ("dismissed", MAINTAINER, "thread")
    assert annotated(latest_check(world, pr)) == {"AR201", "AR501"}
    assert bot_replies(world, sql) == []  # resolving is its own answer

    world.set_thread_resolved(sql.id, False, MAINTAINER)
    deliver(gh, bot, "pull_request_review_thread", webhooks.review_thread_event(world, pr, installation, sql.id, MAINTAINER))
    assert state_of(bot, pr, "AR601")[0] == "open"
    assert annotated(latest_check(world, pr)) == {"AR201", "AR501", "AR601"}
    assert [o for (o,) in bot.rows("SELECT outcome FROM feedback ORDER BY id")] == ["dismissed", "undismissed"]

    # The author may resolve threads on GitHub, but that does not dismiss a finding.
    world.set_thread_resolved(md5.id, True, "contributor")
    deliver(gh, bot, "pull_request_review_thread", webhooks.review_thread_event(world, pr, installation, md5.id, "contributor"))
    assert state_of(bot, pr, "AR501")[0] == "open"
    [note] = bot_replies(world, md5)
    assert note.startswith("@contributor resolved this thread, but only people with write, maintain or admin")


# --- dismissing for the whole repository -----------------------------------------------------------

def test_a_repository_wide_dismissal_is_carried_into_a_later_pull_request(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    first = open_pull(world, gh, bot, installation)
    md5 = findings(world, first)["AR501"]
    command(world, gh, bot, installation, first, md5, "/auth-review dismiss --repo legacy hashes, migrated in Q3")
    assert bot_replies(world, md5)[0].startswith("Dismissed by @maintainer in the whole repository acme/webapp")
    assert bot.rows("SELECT fingerprint, rule_id, number, actor, reason FROM repo_dismissals") == [
        (re.search(r"fingerprint=(\S+)", md5.body).group(1), "AR501", first.number, MAINTAINER,  # type: ignore[union-attr]
         "legacy hashes, migrated in Q3")]

    second = open_pull(world, gh, bot, installation, head_ref="feature-2", title="Same helpers elsewhere")
    assert set(findings(world, second)) == {"AR201", "AR601"}  # the same code, minus the dismissed finding
    check = latest_check(world, second)
    assert annotated(check) == {"AR201", "AR601"}
    assert "AR501 at `app/auth.py:16` for the repository by @maintainer" in check.output["summary"]

    command(world, gh, bot, installation, first, md5, "/auth-review undismiss")
    assert bot_replies(world, md5)[-1].startswith("Brought back by @maintainer") and "whole repository" in bot_replies(world, md5)[-1]
    assert bot.rows("SELECT * FROM repo_dismissals") == []
    [run] = world.check_runs_for(REPO, second.head_sha)
    deliver(gh, bot, "check_run", webhooks.check_run_rerequested(world, second, installation, run.id))
    assert annotated(latest_check(world, second)) == {"AR201", "AR501", "AR601"}


# --- accepting and fixing ----------------------------------------------------------------------------

def test_committing_the_suggestion_is_accepted_thanked_once_and_resolved(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    jwt_comment = findings(world, pr)["AR201"]
    world.apply_suggestion(pr, jwt_comment.id)  # the "Commit suggestion" button
    deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "synchronize", pr, installation, sender=MAINTAINER))

    assert bot_replies(world, jwt_comment)[0].startswith(f"Suggestion applied in {pr.head_sha[:7]}, thank you.")
    thread = world.thread_for_comment(jwt_comment.id)
    assert thread is not None and thread.resolved and thread.resolved_by == world.app.bot_login
    assert state_of(bot, pr, "AR201") == ("accepted", MAINTAINER, "push", None, pr.head_sha)
    check = latest_check(world, pr)
    assert annotated(check) == {"AR501", "AR601"}
    assert "**Since the last review:** AR201 in `app/auth.py` suggestion applied." in check.output["summary"]
    assert set(findings(world, pr)) == {"AR201", "AR501", "AR601"}
    assert all(bot_replies(world, c) == [] for rule, c in findings(world, pr).items() if rule != "AR201")

    # GitHub reports the bot's own resolution: it is not a dismissal.
    deliver(gh, bot, "pull_request_review_thread",
            webhooks.review_thread_event(world, pr, installation, jwt_comment.id, world.app.bot_login))
    assert state_of(bot, pr, "AR201")[0] == "accepted"
    # A later push says nothing more about it.
    push(world, gh, bot, installation, pr, {"README.md": "# webapp\n\nAuth helpers.\n"})
    assert len(bot_replies(world, jwt_comment)) == 1 and state_of(bot, pr, "AR201")[0] == "accepted"


def test_a_fix_by_other_code_is_recorded_as_fixed(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    sql = findings(world, pr)["AR601"]
    push(world, gh, bot, installation, pr, {"app/auth.py": SQL_FIXED_BY_HAND})

    assert bot_replies(world, sql) == [bot_replies(world, sql)[0]]
    assert bot_replies(world, sql)[0].startswith(f"Fixed in {pr.head_sha[:7]}, thank you.")
    assert world.thread_for_comment(sql.id).resolved  # type: ignore[union-attr]
    assert state_of(bot, pr, "AR601") == ("fixed", MAINTAINER, "push", None, pr.head_sha)
    assert {rule: state_of(bot, pr, rule)[0] for rule in ("AR201", "AR501")} == {"AR201": "open", "AR501": "open"}
    check = latest_check(world, pr)
    assert annotated(check) == {"AR201", "AR501"} and "AR601 in `app/auth.py` fixed" in check.output["summary"]


# --- memory ----------------------------------------------------------------------------------------

def test_a_lost_database_is_rebuilt_from_github_without_a_duplicate_comment(world, gh, tmp_path, installation) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(world, gh, tmp_path)
    with running_bot(settings) as bot:
        pr = open_pull(world, gh, bot, installation)
        before = findings(world, pr)
        command(world, gh, bot, installation, pr, before["AR501"], "/auth-review dismiss hashed again upstream")
        world.set_thread_resolved(before["AR201"].id, True, MAINTAINER)
        deliver(gh, bot, "pull_request_review_thread",
                webhooks.review_thread_event(world, pr, installation, before["AR201"].id, MAINTAINER))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.database_path}{suffix}").unlink(missing_ok=True)

    with running_bot(settings) as bot:
        assert bot.rows("SELECT count(*) FROM comments") == [(0,)]
        push(world, gh, bot, installation, pr, {"app/auth.py": SQL_FIXED_BY_HAND + NEW_DEFECT})
        after = findings(world, pr)  # asserts each finding is commented once
        assert set(after) == {"AR201", "AR501", "AR601", "AR204"}
        assert all(after[rule].id == before[rule].id for rule in before)
        assert bot_replies(world, before["AR601"])[0].startswith(f"Fixed in {pr.head_sha[:7]}")
        assert state_of(bot, pr, "AR501")[:4] == ("dismissed", MAINTAINER, "github", "hashed again upstream")
        assert state_of(bot, pr, "AR201")[:3] == ("dismissed", MAINTAINER, "thread")  # its thread is resolved
        assert annotated(latest_check(world, pr)) == {"AR204"}
        # Delivered again (GitHub's redelivery after the restart): still nothing twice.
        deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "synchronize", pr, installation, sender=MAINTAINER))
    assert len(bot_replies(world, before["AR601"])) == 1 and len(bot_replies(world, before["AR501"])) == 1
    assert set(findings(world, pr)) == {"AR201", "AR501", "AR601", "AR204"}


def test_another_apps_markers_are_not_trusted_when_the_database_is_rebuilt(world, gh, tmp_path, installation) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(world, gh, tmp_path)
    other_app = world.account("other-app[bot]", "Bot")  # any App installed on the repository can comment
    with running_bot(settings) as bot:
        pr = open_pull(world, gh, bot, installation)
        md5 = findings(world, pr)["AR501"]
    forged = FeedbackMark(fingerprint_of(md5), "AR501", "dismissed", "repo", by=MAINTAINER, answers="1")
    world.add_reply(md5.id, other_app, f"Dismissed.\n\n{forged.marker()}")
    lose_database(settings)

    with running_bot(settings) as bot:
        world.push(pr, {"app/auth.py": DEFECTS + NEW_DEFECT})
        world.add_review(pr, other_app, REVIEW_MARKER.format(sha=pr.head_sha))  # "already reviewed", it claims
        deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "synchronize", pr, installation, sender=MAINTAINER))
        assert state_of(bot, pr, "AR501")[0] == "open" and bot.rows("SELECT * FROM repo_dismissals") == []
        assert set(findings(world, pr)) == {"AR201", "AR501", "AR601", "AR204"}  # the new finding is commented
        assert annotated(latest_check(world, pr)) == {"AR201", "AR501", "AR601", "AR204"}


def test_a_rebuilt_database_counts_only_resolutions_by_people_who_may_dismiss(world, gh, tmp_path, installation) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(world, gh, tmp_path)
    with running_bot(settings) as bot:
        pr = open_pull(world, gh, bot, installation)
        before = findings(world, pr)
        set_resolved(world, gh, bot, installation, pr, before["AR501"], True, "contributor")  # the PR's author
        set_resolved(world, gh, bot, installation, pr, before["AR201"], True, MAINTAINER)
        assert bot_replies(world, before["AR501"])[0].startswith("@contributor resolved this thread, but only")
    lose_database(settings)

    with running_bot(settings) as bot:
        push(world, gh, bot, installation, pr, {"README.md": "# webapp\n\nAuth helpers.\n"})
        assert state_of(bot, pr, "AR501")[0] == "open"
        assert annotated(latest_check(world, pr)) == {"AR501", "AR601"}
        assert state_of(bot, pr, "AR201")[:3] == ("dismissed", MAINTAINER, "thread")  # as it happened
        store = Store(bot.db_path)
        try:
            assert [(r.reason, r.count) for r in stats.collect(store).reasons] == [("(thread resolved)", 1)]
        finally:
            store.close()
        # Dismissed by resolving its thread, the finding can still be settled by a push.
        world.apply_suggestion(pr, before["AR201"].id)
        deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "synchronize", pr, installation, sender=MAINTAINER))
        assert state_of(bot, pr, "AR201")[:3] == ("accepted", MAINTAINER, "push")


def test_unresolving_brings_back_only_a_thread_dismissal_and_only_for_people_who_may_dismiss(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    md5, sql = findings(world, pr)["AR501"], findings(world, pr)["AR601"]

    command(world, gh, bot, installation, pr, md5, "/auth-review dismiss hashed again upstream")
    set_resolved(world, gh, bot, installation, pr, md5, True, MAINTAINER)
    set_resolved(world, gh, bot, installation, pr, md5, False, MAINTAINER)
    assert state_of(bot, pr, "AR501")[:3] == ("dismissed", MAINTAINER, "command")  # a command's is undone by one

    set_resolved(world, gh, bot, installation, pr, sql, True, MAINTAINER)
    set_resolved(world, gh, bot, installation, pr, sql, False, "contributor")
    assert state_of(bot, pr, "AR601")[:3] == ("dismissed", MAINTAINER, "thread")
    [note] = bot_replies(world, sql)
    assert note.startswith("@contributor unresolved this thread, but only people with write, maintain or admin "
                           "permission on acme/webapp can bring back dismissed auth-review findings, so it stays dismissed.")
    set_resolved(world, gh, bot, installation, pr, sql, False, MAINTAINER)
    assert state_of(bot, pr, "AR601")[:3] == ("open", MAINTAINER, "thread")
    assert annotated(latest_check(world, pr)) == {"AR201", "AR601"}
    assert [o for (o,) in bot.rows("SELECT outcome FROM feedback ORDER BY id")] == ["dismissed", "dismissed", "undismissed"]


def test_renaming_the_file_keeps_every_comment_and_decision(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    before = findings(world, pr)
    command(world, gh, bot, installation, pr, before["AR501"], "/auth-review dismiss hashed again upstream")

    world.push(pr, {}, renames={"app/auth.py": "app/login.py"}, message="Rename")
    deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "synchronize", pr, installation, sender=MAINTAINER))
    assert {rule: c.id for rule, c in findings(world, pr).items()} == {rule: c.id for rule, c in before.items()}
    assert [len(bot_replies(world, c)) for c in before.values()] == [0, 1, 0]  # the dismissal's confirmation only
    assert not any(world.thread_for_comment(c.id).resolved for c in before.values())  # type: ignore[union-attr]
    assert {rule: state_of(bot, pr, rule)[0] for rule in before} == {"AR201": "open", "AR501": "dismissed",
                                                                     "AR601": "open"}
    check = latest_check(world, pr)
    assert annotated(check) == {"AR201", "AR601"} and "Since the last review" not in check.output["summary"]
    assert "not counted (1):** AR501 at `app/login.py:" in check.output["summary"]

    # A fix in the renamed file is still one.
    push(world, gh, bot, installation, pr, {"app/login.py": SQL_FIXED_BY_HAND})
    assert bot_replies(world, before["AR601"])[0].startswith(f"Fixed in {pr.head_sha[:7]}")
    assert {rule: state_of(bot, pr, rule)[0] for rule in before} == {"AR201": "open", "AR501": "dismissed",
                                                                     "AR601": "fixed"}


def test_a_finding_that_comes_back_reopens_its_thread_and_a_force_push_back_settles_it_again(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    sql = findings(world, pr)["AR601"]
    push(world, gh, bot, installation, pr, {"app/auth.py": SQL_FIXED_BY_HAND})
    fixed_at = pr.head_sha
    assert world.thread_for_comment(sql.id).resolved  # type: ignore[union-attr]

    push(world, gh, bot, installation, pr, {"app/auth.py": DEFECTS})  # the fix is reverted
    assert state_of(bot, pr, "AR601")[0] == "open" and set(findings(world, pr)) == {"AR201", "AR501", "AR601"}
    assert not world.thread_for_comment(sql.id).resolved  # type: ignore[union-attr]
    assert "AR601" in annotated(latest_check(world, pr))

    world.force_push(pr, fixed_at)  # and the revert is dropped
    deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "synchronize", pr, installation, sender=MAINTAINER))
    assert state_of(bot, pr, "AR601") == ("fixed", MAINTAINER, "push", None, fixed_at)
    assert world.thread_for_comment(sql.id).resolved  # type: ignore[union-attr]
    assert len(bot_replies(world, sql)) == 1  # thanked once for that commit
    assert [o for (o,) in bot.rows("SELECT outcome FROM feedback ORDER BY id")] == ["fixed", "reopened", "fixed"]
    assert annotated(latest_check(world, pr)) == {"AR201", "AR501"}


# --- insight and tuning -------------------------------------------------------------------------------

def test_stats_from_the_cli_and_the_operator_page(world, gh, bot, installation, capsys) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    comments = findings(world, pr)
    command(world, gh, bot, installation, pr, comments["AR501"], "/auth-review false-positive")
    world.apply_suggestion(pr, comments["AR201"].id)
    deliver(gh, bot, "pull_request", webhooks.pull_request_event(world, "synchronize", pr, installation, sender=MAINTAINER))
    push(world, gh, bot, installation, pr, {"app/auth.py": world.repo_git(REPO).blob(
        world.repo_git(REPO).rev(f"{pr.head_sha}:app/auth.py") or "").decode().replace(
        "conn.execute(f\"SELECT * FROM users WHERE name = '{name}'\")", 'conn.execute("SELECT 1")')})
    db = str(bot.db_path)

    assert cli.main(["stats", "--database", db, "--format", "json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    by_rule = {r["rule_id"]: r for r in figures["rules"]}
    assert {rule: (r["posted"], r["accepted"], r["fixed"], r["dismissed"], r["acceptance_rate"])
            for rule, r in by_rule.items()} == {"AR201": (1, 1, 0, 0, 1.0), "AR501": (1, 0, 0, 1, 0.0),
                                                 "AR601": (1, 0, 1, 0, 1.0)}
    assert figures["total"]["acceptance_rate"] == round(2 / 3, 4)
    assert figures["dismissal_reasons"] == [{"reason": "false positive", "count": 1, "rules": ["AR501"]}]

    assert cli.main(["stats", "--database", db, "--repo", REPO]) == 0
    text = capsys.readouterr().out
    assert text.startswith("auth-review feedback: acme/webapp")
    assert re.search(r"^AR201\s+1\s+1\s+0\s+0\s+0\s+100%$", text, re.MULTILINE)
    assert re.search(r"^all\s+3\s+1\s+1\s+1\s+0\s+67%$", text, re.MULTILINE)
    assert "1  false positive  (AR501)" in text
    assert cli.main(["stats", "--database", db, "--repo", "acme/other", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["rules"] == []
    assert cli.main(["stats", "--database", db, "--since", "2999-01-01"]) == 0
    assert "No comments posted in this period." in capsys.readouterr().out
    assert cli.main(["stats", "--database", db, "--since", "last week"]) == 2

    page = f"{bot.url}/stats"
    refused = httpx.get(page)
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(page, headers={"Authorization": f"Bearer {ADMIN_TOKEN}x"}).status_code == 401
    assert httpx.get(page, headers={"Authorization": f"token {ADMIN_TOKEN}"}).status_code == 401
    shown = httpx.get(page, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
    assert "<td>AR501</td>" in shown.text and "false positive" in shown.text
    as_json = httpx.get(page, params={"format": "json", "repo": REPO}, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert as_json.json() == {**figures, "repository": REPO}


def test_stats_page_is_closed_while_no_admin_token_is_configured(world, gh, tmp_path, installation) -> None:  # type: ignore[no-untyped-def]
    with running_bot(settings_for(world, gh, tmp_path), worker=False) as bot:
        assert httpx.get(f"{bot.url}/stats").status_code == 401
        assert httpx.get(f"{bot.url}/stats", headers={"Authorization": "Bearer None"}).status_code == 401
        assert httpx.get(f"{bot.url}/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 401


def test_the_operator_switches_a_rule_off_and_raises_a_threshold_for_an_installation(world, gh, tmp_path, installation) -> None:  # type: ignore[no-untyped-def]
    plain = settings_for(world, gh, tmp_path)
    with running_bot(plain) as bot:
        pr = open_pull(world, gh, bot, installation)
        assert set(findings(world, pr)) == {"AR201", "AR501", "AR601"}

    operator = tmp_path / "operator.yml"
    # Bandit's B608 flags the same SQL; it folds into AR601 only while AR601 runs, so both go.
    operator.write_text("installations:\n  acme:\n    ignore: [AR601, B608]\n    rule-confidence:\n      AR210: high\n"
                        "  umbrella:\n    ignore: [AR201]\n")
    with running_bot(settings_for(world, gh, tmp_path, tuning=load_tuning(operator))) as bot:
        push(world, gh, bot, installation, pr, {"app/auth.py": DEFECTS + KEY_CHECK})
        # AR210 (medium confidence) stays under acme's threshold; AR201 is only off for umbrella.
        assert set(findings(world, pr)) == {"AR201", "AR501", "AR601"}
        assert annotated(latest_check(world, pr)) == {"AR201", "AR501"}
        # AR601 was switched off, not fixed: no thanks, no outcome, its thread stays open.
        sql = findings(world, pr)["AR601"]
        assert bot_replies(world, sql) == [] and not world.thread_for_comment(sql.id).resolved  # type: ignore[union-attr]
        assert state_of(bot, pr, "AR601")[0] == "open" and bot.rows("SELECT count(*) FROM feedback") == [(0,)]
