"""What GitHub would make of a piece of markdown, judged by an independent CommonMark parser (markdown-it-py).

Tests use it to check that text from a pull request stays inert: inside code spans, nothing is
active; outside them, no mention, no HTML, no link or image.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark", {"html": True})
# GitHub's mentions: an @ after a non-word character (or the start), then a login or org/team.
MENTION = re.compile(r"(?<![\w`])@([A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9_.-]+)?)")


@dataclass(frozen=True)
class Rendered:
    mentions: frozenset[str]  # logins GitHub would notify
    html: tuple[str, ...]  # raw HTML that would pass through
    links: int  # links and images
    code: tuple[str, ...]  # contents of code spans and blocks, shown verbatim

    @property
    def inert(self) -> bool:
        return not self.mentions and not self.html and not self.links


def _tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _tokens(token.children or [])


def render(markdown: str) -> Rendered:
    mentions: set[str] = set()
    html: list[str] = []
    code: list[str] = []
    links = 0
    for token in _tokens(_PARSER.parse(markdown)):
        if token.type == "text":
            mentions.update(MENTION.findall(token.content))
        elif token.type in ("html_inline", "html_block"):
            html.append(token.content)
        elif token.type in ("link_open", "image"):
            links += 1
        elif token.type in ("code_inline", "fence", "code_block"):
            code.append(token.content)
    return Rendered(frozenset(mentions), tuple(html), links, tuple(code))
