"""End to end: a hostile `.github/auth-review.yml` on the base branch never stops a review.

The pull request is reviewed with the defaults and its check run says what is wrong with the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from devkit.emulator.run import RunningEmulator
from devkit.emulator.state import World
from devkit.harness import BASE_FILES, DEFECTS, running_bot, settings_for

from .test_review import REPO, inline_comments, open_and_deliver

HOSTILE = {
    # Today's RecursionError dead-lettered every review on such a base branch.
    "nested": (b"[" * 10_000, "nested deeper than 16 levels"),
    "alias bomb": (b"exclude:\n  - &a [x, x, x, x, x, x, x, x, x]\n  - &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                   b"  - [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "aliases (*name) are not allowed"),
    "not UTF-8": (b"ignore: [AR, B]  # caf\xe9\n", "not UTF-8"),
    # Would silence every rule if it were read: it must not be, and the check says why.
    "wrong type": (b"ignore: [AR, B]\nmax-comments: [30]\n", "max-comments must be a positive integer"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_base_config_is_reported_and_the_review_uses_defaults(
        world: World, gh: RunningEmulator, tmp_path: Path, name: str) -> None:
    raw, reason = HOSTILE[name]
    inst = world.install("acme")
    world.create_repo(REPO, {**BASE_FILES, ".github/auth-review.yml": raw}, installation=inst)
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        pr = open_and_deliver(world, gh, bot, inst, files={"app/auth.py": DEFECTS})
        [(state, outcome, _)] = bot.jobs()
    assert state == "done" and outcome.startswith("reviewed"), outcome
    rules = {re.search(r"\*\*(\w+) ·", c.body).group(1) for c in inline_comments(world, pr)}  # type: ignore[union-attr]
    assert rules >= {"AR201", "AR501", "AR601"}  # the default rules and severities
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert check.conclusion == "failure"  # the default fail-on: high
    summary = " ".join(check.output["summary"].split())
    assert ".github/auth-review.yml was ignored (this review used the defaults)" in summary and reason in summary, summary
