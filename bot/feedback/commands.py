"""``/auth-review ...`` replies: what they ask, and how what people wrote is quoted back to them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from auth_review.analyzers.markup import neutralize

COMMAND = re.compile(r"^[ \t]*/auth-review\b(?P<rest>[^\n]*)", re.MULTILINE | re.IGNORECASE)
# Words that dismiss, and the reason each implies when none is given.
DISMISS_WORDS: dict[str, str | None] = {"dismiss": None, "ignore": None, "false-positive": "false positive",
                                        "wontfix": "won't fix"}
MAX_REASON = 500
USAGE = ("Reply `/auth-review dismiss <reason>` (or `ignore`, `false-positive`, `wontfix`; `--repo` right after the "
         "word dismisses it in the whole repository), or `/auth-review undismiss` to bring it back.")


@dataclass(frozen=True)
class Command:
    verb: str  # dismiss | undismiss | unknown
    scope: str = "pull"  # pull | repo
    reason: str | None = None
    word: str = ""  # as typed


def parse_command(body: str) -> Command | None:
    """The first ``/auth-review ...`` line of a comment, or None if there is none."""
    match = COMMAND.search(body)
    if match is None:
        return None
    words = match["rest"].split()
    if not words:
        return Command("unknown")
    word, rest = words[0].lower(), words[1:]
    if word in DISMISS_WORDS:
        repo_wide = bool(rest) and rest[0].lower() == "--repo"  # only right after the word: a reason may name it
        reason = " ".join(rest[1:] if repo_wide else rest).strip() or DISMISS_WORDS[word]
        return Command("dismiss", "repo" if repo_wide else "pull", reason[:MAX_REASON] if reason else None, word)
    if word == "undismiss":
        return Command("undismiss", word=word)
    return Command("unknown", word=word[:50])


def quote(text: str) -> str:
    """User text shown in the bot's reply: one line, with no mention, HTML, link or hidden marker."""
    return "“" + neutralize(" ".join(text.split())) + "”"
