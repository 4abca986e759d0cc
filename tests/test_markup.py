"""Text from a pull request reaches GitHub inert: code spans nothing can close, and nothing active around them.

Hostile inputs are generated here (seeded, so a failure replays); an independent CommonMark parser
(tests/rendered.py) judges the markdown.
"""

from __future__ import annotations

import random

import pytest

from auth_review.analyzers.config import Config
from auth_review.analyzers.engine import analyze_source, enabled_rules
from auth_review.analyzers.findings import Fix
from auth_review.analyzers.markup import CODE_LIMIT, ZWSP, code, neutralize, one_line
from auth_review.analyzers.source import Source
from auth_review.bot.place import Placement
from auth_review.bot.post import FeedbackMark, comment_body, fingerprint_mark, reviews_head

from .rendered import Rendered, render

FORGED = "<!-- auth-review:fingerprint=0123456789abcdef01234567:0 rule=AR201 -->"
PIECES = ["`", "``", "```", "````", "@octocat", "@acme/admins", "<b>x</b>", "<img src=x onerror=alert(1)>",
          "\n/auth-review dismiss --repo\n", "\r\n/auth-review undismiss", "\u2028/auth-review", FORGED, "<!--",
          "-->", "[link](https://evil.example)", "![pixel](https://evil.example/p.png)", "<https://evil.example>",
          "&#64;octocat", "\\", "\\`", "#12", "acme/webapp#3", "|", " ", "  ", "\t", "a", "x_y", "*em*", "\u202e",
          "\x00", "-" * 3]


# HTML the bot writes itself: the comment's footer, the review's folded error list, and its marker line (last).
OWN_HTML = {"<sub>", "</sub>", "<details><summary>Not analysed</summary>", "</details>"}


def _foreign_html(body: str, shown: Rendered) -> list[str]:
    own = OWN_HTML | {body.split("\n")[-1]}
    return [h for h in shown.html if h.strip() not in own]


def _hostile(rng: random.Random, parts: int = 8) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, parts)))


# --- code() -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(150))
def test_code_shows_any_text_verbatim_as_one_code_span(seed: int) -> None:
    text = _hostile(random.Random(seed))
    span = code(text)
    [shown] = render(span).code  # one code span, nothing else active
    assert render(span).inert
    if len(one_line(text)) <= CODE_LIMIT:
        assert shown.replace(ZWSP, "") == one_line(text)
    assert "\n" not in span and "\r" not in span and "<!--" not in span


def test_code_fence_is_longer_than_any_backtick_run_and_pads_edges() -> None:
    assert code("name") == "`name`"
    assert code("a``b") == "```a``b```"
    assert code("`x") == "`` `x ``" and code("x`") == "`` x` ``"
    assert code(" x ") == "`  x  `"  # CommonMark strips one space on each side
    assert code("") == "` `" and code(None) == "`None`"
    assert render(code("````")).code == ("````",)


def test_code_folds_lines_and_caps_length() -> None:
    assert code("a\n  /auth-review dismiss\r\nb\u2028c") == "`a /auth-review dismiss b c`"
    long = code("x" * 500)
    assert len(long) == CODE_LIMIT + 2 and long.endswith("…`")
    assert code("y" * 50, limit=10) == "`yyyyyyyyy…`"


# --- neutralize() ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(300))
def test_neutralize_leaves_nothing_active(seed: int) -> None:
    text = _hostile(random.Random(seed))
    out = neutralize(text)
    assert render(out).inert, out
    assert "\n" not in out and "\r" not in out and not out.lstrip().startswith("/")
    assert "<!--" not in out


@pytest.mark.parametrize("seed", range(150))
def test_neutralize_keeps_code_spans_and_breaks_what_is_around_them(seed: int) -> None:
    rng = random.Random(seed)
    values = [_hostile(rng, 4) for _ in range(3)]
    raw = values[1].replace("`", "'")  # a backtick around the spans would pair differently (tested above)
    message = f"cookie {code(values[0])} from {raw} is set by {code(values[2])}; see {raw}"
    out = neutralize(message)
    assert code(values[0]) in out and code(values[2]) in out
    assert render(out).inert, out


def test_neutralize_examples() -> None:
    assert neutralize("plain `code` text") == "plain `code` text"
    assert neutralize("hi @octocat") == f"hi @{ZWSP}octocat"
    assert neutralize("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert neutralize("`unclosed @x") == f"\\`unclosed @{ZWSP}x"
    assert neutralize("\\`@x`") == f"\\`@{ZWSP}x\\`"  # an escaped backtick opens nothing
    assert neutralize("`` a ` b ``") == "`` a ` b ``"  # a run of two closes only with a run of two
    assert neutralize("/auth-review dismiss") == f"{ZWSP}/auth-review dismiss"
    assert neutralize("a\n/auth-review dismiss --repo") == "a /auth-review dismiss --repo"
    assert neutralize("see [x](https://e.example)") == "see \\[x\\](https:" + ZWSP + "//e.example)"


# --- the bot's markers -----------------------------------------------------------------------------

def test_fingerprint_marker_is_read_only_from_the_last_line() -> None:
    real = "<!-- auth-review:fingerprint=ab12:0 rule=AR301 -->"
    assert fingerprint_mark(f"**AR301**\n\nmessage\n{real}") == ("ab12:0", "AR301")
    assert fingerprint_mark(f"**AR301**\n\ncookie {FORGED}\n\n{real}") == ("ab12:0", "AR301")
    assert fingerprint_mark(f"{real}\nmore text") is None
    assert fingerprint_mark(f"x\n{real} trailing") is None and fingerprint_mark(f"x\nlead {real}") is None
    assert fingerprint_mark(f"x\n{real}\r\n") == ("ab12:0", "AR301")


def test_review_and_feedback_markers_are_read_only_from_the_last_line() -> None:
    sha = "a" * 40
    assert reviews_head(f"### auth-review\n\n<!-- auth-review:review head={sha} -->", sha)
    assert not reviews_head(f"<!-- auth-review:review head={sha} -->\n\nquoted later", sha)
    mark = FeedbackMark("ab12:0", "AR301", "dismissed", by="maintainer", reason="a reason")
    forged = FeedbackMark("ffff:0", "AR201", "dismissed", by="mallory").marker()
    assert FeedbackMark.parse(f"Dismissed.\n\n{mark.marker()}") == mark
    assert FeedbackMark.parse(f"Dismissed {forged}.\n\n{mark.marker()}") == mark
    assert FeedbackMark.parse(f"{forged}\n\nnot a marker line") is None


# --- suggestions -------------------------------------------------------------------------------

@pytest.mark.parametrize("suggest", [True, False])
def test_fix_text_cannot_end_its_fenced_block(suggest: bool) -> None:
    replacement = 'x = """\n```\n````\n   `````  \n/auth-review dismiss\n<b>x</b> @octocat\n"""'
    finding = _findings(_COOKIE.format(name="session"))[0]
    finding.fix = Fix(finding.line, finding.line, replacement)
    body = comment_body(Placement(finding, None, finding.line, suggest))
    shown = render(body)
    [block] = [c for c in shown.code if "`````" in c]
    assert block.rstrip("\n").endswith('"""') and not shown.mentions and not _foreign_html(body, shown)
    if not suggest:  # a suggestion is the code verbatim (GitHub applies it); the diff's lines start with "+"
        assert not any(line.lstrip().startswith("/auth-review") for line in body.splitlines())


# --- a rule's message, rendered ----------------------------------------------------------------------

_COOKIE = """\
from flask import Flask, make_response, redirect, request

app = Flask(__name__)


@app.route("/go{name}")
def go():
    return redirect(request.args["next{name}"])


@app.route("/login", methods=["POST"])
def login():
    resp = make_response("ok")
    resp.set_cookie("session{name}", request.form["token"])
    return resp
"""


def _findings(source: str):  # type: ignore[no-untyped-def]
    config = Config(test_paths=())
    return analyze_source(Source("app/views.py", source.encode(), source), config, enabled_rules(config)).findings


def _python_string(text: str) -> str:
    """``text`` as the inside of a double-quoted Python string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


@pytest.mark.parametrize("seed", range(6))
def test_a_rule_message_quoting_the_pull_request_renders_inert(seed: int) -> None:
    rng = random.Random(seed)
    hostile = "`@octocat <b>x</b>" + _hostile(rng, 3) + "\n/auth-review dismiss --repo\n" + FORGED + "``"
    found = _findings(_COOKIE.format(name=_python_string(hostile)))
    assert {f.rule_id for f in found} >= {"AR301", "AR405"}  # the cookie name, the route path, a string
    for finding in found:
        assert "@octocat" in finding.message  # quoted, as code
        body = comment_body(Placement(finding, None, finding.line, False))
        shown = render(body)
        assert not shown.mentions and not _foreign_html(body, shown) and shown.links == 1, body  # the docs link
        assert any("@octocat <b>x</b>" in c for c in shown.code)
        lines = body.split("\n")
        assert not any(line.lstrip().startswith("/auth-review") for line in lines)
        assert [line for line in lines if line.lstrip().startswith("<!--")] == [lines[-1]]  # a fix's code may quote one
        assert fingerprint_mark(body) == (finding.fingerprint, finding.rule_id)


def test_check_and_review_texts_quote_paths_and_errors_as_code() -> None:
    from auth_review.bot.fetch import PullRequest
    from auth_review.bot.post import _check_summary, review_body

    pr = PullRequest("o", "r", 1, "h" * 40, "b" * 40, "main", False, "open", "o/r")
    finding = _findings(_COOKIE.format(name="session"))[0]
    finding.path = "app/`@octocat`<b>x</b>|.py"
    errors = [f"{finding.path}: cannot parse: unexpected '`' ({FORGED})", "x" * 400 + " @octocat"]
    review = review_body(pr, [], [finding], [], errors)
    summary = _check_summary([finding], 0, errors, None)
    for text in (review, summary):
        shown = render(text)
        assert not shown.mentions and not shown.links and not _foreign_html(text, shown), text
        assert any("`@octocat`<b>x</b>" in c for c in shown.code)
    assert summary.count("<!-- auth-review:") == 0 and review.count("<!-- auth-review:") == 1
    assert review.split("\n")[-1] == f"<!-- auth-review:review head={'h' * 40} -->"
