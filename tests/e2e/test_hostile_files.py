"""End to end: a pull request full of parser bombs costs those files only; the service keeps answering."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from devkit.emulator import webhooks
from devkit.emulator.run import RunningEmulator
from devkit.emulator.state import World
from devkit.harness import BASE_FILES, DEFECTS, RunningBot, running_bot, settings_for

REPO = "acme/webapp"

# Generated here, as an attacker would write them: each one once crashed, stalled or swelled the analysis.
BOMBS = {
    "bombs/parens.py": "import jwt\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",  # segfaulted libcst
    "bombs/lambdas.py": "import jwt\nx = " + "lambda: " * 3000 + "1\n",  # 1.77 GB
    "bombs/subscripts.py": "import jwt\nx = a" + "[0]" * 3000 + "\n",  # a minute of parsing
    "bombs/sum.py": "import jwt\nx = " + "+".join(["a"] * 20000) + "\n",  # minutes of parsing
    "bombs/conjunction.py": "import jwt\nx = " + " and ".join(["a"] * 10000) + "\n",  # segfaulted libcst
    # No cheap check turns this one away: the per-file limits end it (seconds and hundreds of MB unbounded).
    "bombs/keywords.py": "import jwt\nf(\n" + "".join(f"    k{i}=1,\n" for i in range(50000)) + ")\n",
}


@pytest.fixture()
def installation(world: World):  # type: ignore[no-untyped-def]
    inst = world.install("acme")
    world.create_repo(REPO, BASE_FILES, installation=inst)
    return inst


@pytest.fixture()
def bot(world: World, gh: RunningEmulator, tmp_path: Path, installation) -> RunningBot:  # type: ignore[no-untyped-def,misc]
    with running_bot(settings_for(world, gh, tmp_path, file_timeout=3.0, file_memory_mb=256)) as running:
        yield running


def _deliver(world: World, gh: RunningEmulator, bot: RunningBot, installation, files: dict[str, str]):  # type: ignore[no-untyped-def]
    pr = world.open_pull(REPO, files)
    response = gh.deliver(bot.webhook_url, "pull_request", webhooks.pull_request_event(world, "opened", pr, installation))
    assert response.status_code == 202, response.text
    return pr


def test_parser_bombs_cost_their_files_only(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    # New files and a modified one (app/db.py exists at the base: both versions are analysed).
    files = {**BOMBS, "app/db.py": BOMBS["bombs/conjunction.py"], "app/auth.py": DEFECTS}
    pr = _deliver(world, gh, bot, installation, files)
    health = httpx.get(f"{bot.url}/healthz", timeout=10)  # while the analysis runs
    assert health.status_code in (200, 503) and "status" in health.json()
    bot.wait_idle(timeout=120)

    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert check.status == "completed" and check.conclusion == "failure"
    summary = check.output["summary"]
    for path in [*BOMBS, "app/db.py"]:
        assert re.search(rf"{re.escape(path)}\S*: not analysed", summary), (path, summary)
    assert "took longer than the 3-second limit" in summary or "memory limit" in summary

    [review] = world.reviews_for(REPO, pr.number)
    rules = {re.search(r"\*\*(\w+) ·", c.body).group(1) for c in world.comments_for(REPO, pr.number)}  # type: ignore[union-attr]
    assert rules >= {"AR201", "AR501", "AR601"}  # the real defects, reviewed as usual
    assert all(path in review.body for path in BOMBS)
    assert httpx.get(f"{bot.url}/healthz", timeout=10).status_code == 200
    assert [state for state, _, _ in bot.jobs()] == ["done"]

    # An ordinary pull request afterwards is reviewed as usual, by the same (replaced) analysis processes.
    other = world.open_pull(REPO, {"app/login.py": DEFECTS}, head_ref="ordinary")
    response = gh.deliver(bot.webhook_url, "pull_request", webhooks.pull_request_event(world, "opened", other, installation))
    assert response.status_code == 202
    bot.wait_idle(timeout=60)
    assert [state for state, _, _ in bot.jobs()] == ["done", "done"], bot.rows("SELECT outcome, last_error FROM jobs")
    [check] = world.check_runs_for(REPO, other.head_sha)
    assert check.status == "completed" and "Not analysed" not in check.output["summary"]
    assert len(world.reviews_for(REPO, other.number)) == 1
