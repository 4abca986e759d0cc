"""End to end: deliveries out of order, answers GitHub lost, jobs that die: one review per head, no stuck check run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from auth_review.bot.github import RetryPolicy
from auth_review.bot.worker import Worker
from devkit.emulator import webhooks
from devkit.emulator.faults import done_then_error, done_then_hold, server_error
from devkit.emulator.run import RunningEmulator
from devkit.emulator.state import Installation, World
from devkit.harness import BASE_FILES, DEFECTS, RunningBot, running_bot, settings_for, wait_until

REPO = "acme/webapp"
FIXED = DEFECTS.replace("jwt.decode(token, SECRET)", 'jwt.decode(token, SECRET, algorithms=["HS256"])')


@pytest.fixture()
def installation(world: World) -> Installation:
    inst = world.install("acme")
    world.create_repo(REPO, BASE_FILES, installation=inst)
    return inst


def _worker(bot: RunningBot) -> Worker:
    """A worker the test drives itself, one job at a time."""
    return Worker(bot.state, str(bot.db_path), retry=RetryPolicy(base_delay=0.05), parallel=False)


def _drain(worker: Worker) -> None:
    while worker.run_once():
        pass


def _deliver(gh: RunningEmulator, bot: RunningBot, payload: dict, delivery_id: str | None = None) -> None:  # type: ignore[type-arg]
    response = gh.deliver(bot.webhook_url, "pull_request", payload, delivery_id=delivery_id)
    assert response.status_code == 202, response.text


# --- late and replayed deliveries ----------------------------------------------------------------

@pytest.mark.parametrize("order", ["late, older", "late, same second", "newest not delivered yet", "replayed later"])
def test_the_newest_head_is_reviewed_whatever_order_deliveries_arrive_in(
        world: World, gh: RunningEmulator, tmp_path: Path, installation: Installation, order: str) -> None:
    pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
    old_head, opened_at = pr.head_sha, pr.updated_at
    opened = webhooks.pull_request_event(world, "opened", pr, installation)
    world.push(pr, {"app/auth.py": FIXED + "\n\ndef check_key(a: str, b: str) -> bool:\n    return a == b\n"})
    # GitHub's updated_at orders the two bodies; within one second it cannot.
    pr.updated_at = opened_at + (timedelta(0) if order == "late, same second" else timedelta(minutes=5))
    synchronize = webhooks.pull_request_event(world, "synchronize", pr, installation, before=old_head)
    with running_bot(settings_for(world, gh, tmp_path), worker=False) as bot:
        worker = _worker(bot)
        try:
            if order == "newest not delivered yet":
                _deliver(gh, bot, opened)
                _drain(worker)  # the push's webhook is still on its way: GitHub's head is reviewed now
                assert [r.commit_id for r in world.reviews_for(REPO, pr.number)] == [pr.head_sha]
                _deliver(gh, bot, synchronize)
            elif order == "replayed later":
                _deliver(gh, bot, opened)
                _deliver(gh, bot, synchronize)
                _drain(worker)
                _deliver(gh, bot, opened, delivery_id="replayed-opened")  # a new delivery id, the old body
            else:
                _deliver(gh, bot, synchronize)
                _deliver(gh, bot, opened)  # the older body arrives last
            _drain(worker)
        finally:
            worker.close()
        heads = bot.rows("SELECT head_sha FROM pull_heads")
    [review] = world.reviews_for(REPO, pr.number)
    assert review.commit_id == pr.head_sha
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert check.status == "completed" and check.conclusion == "failure"
    assert world.check_runs_for(REPO, old_head) == []
    assert heads == [(pr.head_sha,)]  # the older body never moved the pull request back


# --- dead jobs conclude their check runs ---------------------------------------------------------

def test_a_review_that_fails_permanently_concludes_its_check_run_neutral(
        world: World, gh: RunningEmulator, tmp_path: Path, installation: Installation) -> None:
    gh.emulator.faults.add(server_error("pulls/list-files", 404))  # after the check run started
    pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        _deliver(gh, bot, webhooks.pull_request_event(world, "opened", pr, installation))
        bot.wait_idle()
        [(state, error)] = bot.rows("SELECT state, last_error FROM jobs")
        # (the job is dead first, then its check run is concluded)
        wait_until(lambda: world.check_runs_for(REPO, pr.head_sha)[0].status == "completed", what="the check run")
    assert state == "dead" and "404" in error
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert check.status == "completed" and check.conclusion == "neutral"
    assert "404" in check.output["summary"] and "gave up" in check.output["summary"]
    assert world.reviews_for(REPO, pr.number) == []


class _WorkerKilled(BaseException):
    """What the database sees of a worker process killed mid-job (OOM, a crash in analysis): nothing."""


def test_a_job_that_kills_its_worker_every_time_is_dead_lettered_and_its_check_run_concluded(
        world: World, gh: RunningEmulator, tmp_path: Path, installation: Installation,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from auth_review.bot import fetch

    def crash(*args: object) -> None:
        raise _WorkerKilled

    monkeypatch.setattr(fetch, "changed_files", crash)  # each attempt dies after starting the check run
    pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
    with running_bot(settings_for(world, gh, tmp_path), worker=False) as bot:
        _deliver(gh, bot, webhooks.pull_request_event(world, "opened", pr, installation))
        worker = _worker(bot)
        try:
            [(max_attempts,)] = bot.rows("SELECT max_attempts FROM jobs")
            for _ in range(int(max_attempts)):  # type: ignore[call-overload]
                with pytest.raises(_WorkerKilled):
                    worker.run_once()
                bot.rows("UPDATE jobs SET leased_until = 0")  # the dead worker's lease lapses
            [check] = world.check_runs_for(REPO, pr.head_sha)
            assert check.status == "in_progress"
            assert worker.run_once() is False  # no further attempt: dead-lettered, and the check concluded
        finally:
            worker.close()
        [(state, attempts, error)] = bot.rows("SELECT state, attempts, last_error FROM jobs")
    assert state == "dead" and attempts == max_attempts and "lapsed" in error
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert check.status == "completed" and check.conclusion == "neutral" and "lapsed" in check.output["summary"]


def test_a_dead_job_whose_check_run_cannot_be_concluded_does_not_stop_the_worker(
        world: World, gh: RunningEmulator, tmp_path: Path, installation: Installation,
        caplog: pytest.LogCaptureFixture) -> None:
    gh.emulator.faults.add(server_error("pulls/list-files", 404), server_error("checks/update", 500, times=10))
    first = world.open_pull(REPO, {"app/auth.py": DEFECTS})
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        _deliver(gh, bot, webhooks.pull_request_event(world, "opened", first, installation))
        bot.wait_idle()
        wait_until(lambda: any(r.getMessage() == "could not conclude the check run of a dead job" for r in caplog.records),
                   what="the worker to give up concluding the check run")
        gh.emulator.faults.clear()
        second = world.open_pull(REPO, {"app/other.py": DEFECTS}, head_ref="other")
        _deliver(gh, bot, webhooks.pull_request_event(world, "opened", second, installation))
        bot.wait_idle()
        assert [state for state, _, _ in bot.jobs()] == ["dead", "done"]
    assert len(world.reviews_for(REPO, second.number)) == 1


# --- answers GitHub lost --------------------------------------------------------------------------

@pytest.mark.parametrize("lost", ["502", "timeout"])
def test_a_review_github_created_but_whose_answer_was_lost_is_posted_once(
        world: World, gh: RunningEmulator, tmp_path: Path, installation: Installation, lost: str) -> None:
    fault = done_then_error("pulls/create-review", 502) if lost == "502" else done_then_hold("pulls/create-review")
    gh.emulator.faults.add(fault)
    pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
    try:
        with running_bot(settings_for(world, gh, tmp_path, github_timeout=2.0)) as bot:
            _deliver(gh, bot, webhooks.pull_request_event(world, "opened", pr, installation))
            bot.wait_idle()
            assert bot.jobs()[0][:1] == ("done",)
    finally:
        fault.release.set()
    assert len(gh.emulator.calls("pulls/create-review")) == 1  # looked for its marker instead of posting again
    [review] = world.reviews_for(REPO, pr.number)
    assert review.commit_id == pr.head_sha
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert check.status == "completed" and check.conclusion == "failure"


def test_a_check_run_github_created_but_whose_answer_was_lost_is_created_once(
        world: World, gh: RunningEmulator, tmp_path: Path, installation: Installation) -> None:
    gh.emulator.faults.add(done_then_error("checks/create", 502))
    pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        _deliver(gh, bot, webhooks.pull_request_event(world, "opened", pr, installation))
        bot.wait_idle()
    [check] = world.check_runs_for(REPO, pr.head_sha)  # one, and not left in progress
    assert check.status == "completed" and check.conclusion == "failure"
    assert len(world.reviews_for(REPO, pr.number)) == 1
