"""Text from the analysed code (or a pull request), made inert for GitHub's markdown.

Pull requests are hostile input: a cookie name, a route path or a parser error may hold backticks,
``@mentions``, HTML, a hidden ``<!-- auth-review:... -->`` marker or a ``/auth-review`` command line.
``code`` shows such text as a code span, which GitHub renders verbatim (no mention, HTML or link);
``neutralize`` is the last line of defence for the text around the spans.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"  # invisible, and enough to break a mention, a marker or a command at the start of a line
CODE_LIMIT = 120
ELLIPSIS = "…"
# Every line separator str.splitlines() knows: a raw-text reader may split on any of them.
_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])[ \t]*")
# Other control characters, and the bidirectional overrides that make code read differently than it runs.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
_BACKTICKS = re.compile(r"`+")
_COMMAND_START = re.compile(r"^([ \t]*)/")
# Outside code spans: what starts HTML, an entity, a link or image, a mention, a reference or an autolink.
_ACTIVE = re.compile(r"[<>&\[\]@]|#(?=\d)|:(?=//)")
_INERT = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "[": "\\[", "]": "\\]", "@": "@" + ZWSP, "#": "#" + ZWSP,
          ":": ":" + ZWSP}
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def one_line(text: str) -> str:
    """``text`` on one line, without control characters."""
    return _UNPRINTABLE.sub("\ufffd", _LINE_BREAK.sub(" ", text))


def _no_marker(text: str) -> str:
    """Break ``<!--``: shown the same, but no raw-text reader can take it for the start of a hidden marker."""
    return text.replace("<!--", "<!" + ZWSP + "--")


def code(value: object, limit: int = CODE_LIMIT) -> str:
    """``str(value)`` as a CommonMark code span that nothing in it can close: shown verbatim, on one line.

    Like an f-string, it takes any value (``None`` reads ``None``).
    """
    text = _LINE_BREAK.sub(" ", str(value))
    if len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
    text = _no_marker(one_line(text))
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    if not text.strip(" "):
        return f"{fence}{text or ' '}{fence}"  # all spaces: CommonMark keeps them as they are
    # CommonMark strips one space from each end when both have one; a backtick at an end needs a space too.
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == " " and text[-1] == " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def neutralize(markdown: str) -> str:
    """``markdown`` on one line, with nothing active outside its code spans.

    Code spans are kept as they are (``code`` made their content inert). Around them, mentions,
    ``#123`` references and ``http://`` autolinks are broken with a zero-width space, ``<``, ``>``
    and ``&`` become entities (no HTML, autolink, hidden marker or entity-made ``@``), ``[``/``]``
    are escaped (no link, no image), and a backtick run that closes no span is escaped, so that
    GitHub pairs backticks exactly as this function did. The text never starts with ``/``, which
    would read as a command.
    """
    text = one_line(markdown)
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _PUNCTUATION:
            # An escaped character is literal, but still starts a mention, a reference or an autolink.
            nxt = text[i + 1]
            broken = nxt in "@#:" and _ACTIVE.match(text, i + 1)
            out.append(_INERT[nxt] if nxt in "<>&" else "\\" + nxt + (ZWSP if broken else ""))
            i += 2
        elif char == "`":
            run = _BACKTICKS.match(text, i)
            ticks = run.group() if run else char
            end = _closing(text, i + len(ticks), len(ticks))
            out.append("\\`" * len(ticks) if end is None else _no_marker(text[i:end]))
            i = i + len(ticks) if end is None else end
        else:
            out.append(_INERT[char] if _ACTIVE.match(text, i) else char)
            i += 1
    return _COMMAND_START.sub(lambda m: m.group(1) + ZWSP + "/", "".join(out))


def _closing(text: str, start: int, length: int) -> int | None:
    """The end of the first backtick run of exactly ``length`` from ``start``: the span's closing fence."""
    for run in _BACKTICKS.finditer(text, start):
        if len(run.group()) == length:
            return run.end()
    return None
