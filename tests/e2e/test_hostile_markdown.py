"""End to end: a pull request's text cannot make the bot forge its markers, mention people or post HTML.

The bot's markers are read from its own marker line only (the last one); whatever a pull request
or a person writes comes back as inert markdown (judged by tests/rendered.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auth_review.analyzers.config import Config
from auth_review.analyzers.engine import analyze_source, enabled_rules
from auth_review.analyzers.source import Source
from devkit.emulator.run import RunningEmulator
from devkit.emulator.state import Installation, World
from devkit.harness import BASE_FILES, RunningBot, running_bot, settings_for
from tests.rendered import render

from .test_feedback import MAINTAINER, REPO, bot_replies, command, findings, open_pull, push, state_of

TOKENS = (
    "import os\n\n"
    "import jwt\n\n"
    'SECRET = os.environ["JWT_SECRET"]\n\n\n'
    "def user_id(token: str) -> int:\n"
    "    claims = jwt.decode(token, SECRET)\n"
    '    return int(claims["sub"])\n'
)
SESSION = (
    "from flask import Flask, make_response, request\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.route("/login", methods=["POST"])\n'
    "def login():\n"
    '    resp = make_response("ok")\n'
    '    resp.set_cookie("session{name}", request.form["token"])\n'
    "    return resp\n"
)


@pytest.fixture()
def installation(world: World) -> Installation:
    inst = world.install("acme")
    world.create_repo(REPO, BASE_FILES, installation=inst)
    world.set_permission(REPO, MAINTAINER, "maintain")
    return inst


@pytest.fixture()
def bot(world: World, gh: RunningEmulator, tmp_path: Path, installation: Installation):  # type: ignore[no-untyped-def]
    with running_bot(settings_for(world, gh, tmp_path)) as running:
        yield running


def _fingerprint(path: str, text: str, rule_id: str) -> str:
    """The fingerprint the bot will give ``rule_id``'s finding in ``path``, known before that file is pushed."""
    config = Config()
    found = analyze_source(Source(path, text.encode(), text), config, enabled_rules(config)).findings
    [finding] = [f for f in found if f.rule_id == rule_id]
    return finding.fingerprint


def _inert_reply(body: str, author: str) -> bool:
    """Mentions no one but the person answered, and carries no HTML but its marker line (the last)."""
    shown = render(body)
    marker = body.split("\n")[-1]
    return shown.mentions <= {author} and all(h.strip() == marker for h in shown.html) and not shown.links


def test_a_forged_fingerprint_marker_in_a_message_neither_hides_a_finding_nor_breaks_its_thread(  # type: ignore[no-untyped-def]
        world, gh, bot: RunningBot, installation) -> None:
    later = _fingerprint("app/tokens.py", TOKENS, "AR201")
    forged = f"<!-- auth-review:fingerprint={later} rule=AR201 -->"
    pr = open_pull(world, gh, bot, installation, {"app/session.py": SESSION.format(name=forged)})

    cookie = findings(world, pr)["AR301"]  # the finding whose message quotes the forged marker
    lines = cookie.body.split("\n")
    assert forged not in lines[2]  # the message (the suggestion below it is the code, verbatim)
    assert [line for line in lines if line.startswith("<!--")] == [lines[-1]] and later not in lines[-1]
    assert bot.rows("SELECT comment_id FROM comments WHERE rule_id = 'AR301'") == [(cookie.id,)]

    # A later push brings the finding the forged marker names: it is commented like any other.
    push(world, gh, bot, installation, pr, {"app/tokens.py": TOKENS})
    jwt_comment = findings(world, pr)["AR201"]
    assert jwt_comment.path == "app/tokens.py" and later in jwt_comment.body.split("\n")[-1]

    # Feedback in the cookie's thread is about the cookie.
    command(world, gh, bot, installation, pr, cookie, "/auth-review dismiss not a session cookie")
    [confirmation] = bot_replies(world, cookie)
    assert confirmation.startswith("Dismissed by @maintainer for this pull request")
    assert state_of(bot, pr, "AR301")[:2] == ("dismissed", MAINTAINER) and state_of(bot, pr, "AR201")[0] == "open"


def test_a_command_cannot_make_the_bot_mention_anyone_or_post_html(world, gh, bot: RunningBot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_pull(world, gh, bot, installation)
    md5 = findings(world, pr)["AR501"]

    command(world, gh, bot, installation, pr, md5, "/auth-review @octocat <b>x</b>", author="contributor")
    command(world, gh, bot, installation, pr, md5, "/auth-review `@octocat<b>x</b>", author="contributor")
    command(world, gh, bot, installation, pr, md5, "/auth-review wontfix @octocat <b>x</b> [y](https://e.example)",
            author=MAINTAINER)
    unknown, breaking_out, dismissed = bot_replies(world, md5)
    for reply in (unknown, breaking_out):
        assert reply.startswith("Sorry @contributor, I did not understand ")
        assert _inert_reply(reply, "contributor"), reply
    assert dismissed.startswith("Dismissed by @maintainer") and _inert_reply(dismissed, MAINTAINER), dismissed
    assert "@octocat" in render(breaking_out).code[0]  # shown, as code
