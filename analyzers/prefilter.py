"""Cheap gates in front of the rules' text pre-filters.

Every rule has a regular expression that a file must match before it is parsed for that rule.
With some forty rules, running those expressions over every file cost as much as half of Bandit's
whole run on Django: an alternation of twenty words under ``(?i)`` is tried at every position of a
file that contains none of them. Most files contain none of a given rule's words, so a faster
*necessary* condition settles them: from each pattern we derive a set of lowercase literals one of
which must occur in any text the pattern matches (read from the pattern's parse tree). One
Aho-Corasick pass (pyahocorasick) over the lowercased file finds which of all the rules' literals
occur; a pattern none of whose literals occurs is answered "no" without running it, and only the
others run. The gate is never wrong in the unsafe direction: a pattern we cannot derive literals
from has no gate and always runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

_MIN_LITERAL = 2  # shorter literals occur everywhere and gate nothing


@cache
def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lowercase strings one of which occurs in every text ``pattern`` matches; None if none is known."""
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # an exotic pattern: no gate, the expression alone decides
        return None
    found = _sequence(list(parsed))
    return frozenset(found) if found else None


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """A necessary literal set for a sequence: the best one any of its elements requires."""
    options: list[set[str]] = []
    run: list[str] = []
    for op, av in items + [(None, None)]:  # a sentinel closes the last run
        if op is _parser.LITERAL:
            run.append(chr(av).lower())
            continue
        if len(run) >= _MIN_LITERAL:
            options.append({"".join(run)})
        run = []
        inner = _element(op, av)
        if inner:
            options.append(inner)
    if not options:
        return None
    return max(options, key=lambda s: (min(len(x) for x in s), -len(s)))


def _element(op: Any, av: Any) -> set[str] | None:
    if op is _parser.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _sequence(list(branch))
            if not found:
                return None  # one branch needs no literal: the alternation as a whole needs none
            union |= found
        return union
    if op is _parser.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _sequence(list(av[2]))
    if op is _parser.ATOMIC_GROUP:
        return _sequence(list(av))
    return None


@cache
def leading_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lowercase strings one of which every match of ``pattern`` *starts* with (``(?i)secret|token...``),
    so the pattern need only be tried where one occurs; None when matches may start elsewhere."""
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:
        return None
    found = _leading(list(parsed))
    return frozenset(found) if found else None


def _leading(items: list[tuple[Any, Any]]) -> set[str] | None:
    while items and items[0][0] is _parser.AT:  # ``\b`` and ``^`` take no text: the match starts after them
        items = items[1:]
    run = ""
    for op, av in items:
        if op is not _parser.LITERAL:
            break
        run += chr(av).lower()
    if len(run) >= _MIN_LITERAL:
        return {run}
    if run or not items:
        return None
    op, av = items[0]
    if op is _parser.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _leading(list(branch))
            if not found:
                return None
            union |= found
        return union
    if op is _parser.SUBPATTERN and not av[1] and not av[2]:  # a plain group, no inline flags
        return _leading(list(av[-1]))
    return None


def literals_of(patterns: Iterable[re.Pattern[str]]) -> frozenset[str]:
    """Every literal the gates of these patterns ask about: the required ones and the leading ones
    (a pattern is tried where its leading literals occur, so the automaton must report them too)."""
    return frozenset(lit for p in patterns for lit in (*(required_literals(p) or ()), *(leading_literals(p) or ())))


@lru_cache(maxsize=16)
def _automaton(literals: frozenset[str]) -> Any:
    automaton = ahocorasick.Automaton()
    for literal in literals:
        automaton.add_word(literal, literal)
    automaton.make_automaton()
    return automaton


# Letters that ``(?i)`` matches as ASCII but ``str.lower`` does not turn into it (``ſecret`` is the
# identifier ``secret`` to a regex); folded first, one character for one, so offsets still line up.
_FOLDS = str.maketrans({"\u017f": "s", "\u0131": "i", "\u0130": "i", "\u212a": "k"})


class Found(dict[str, list[int]]):
    """The gate literals present in a text, each with the offsets where it starts."""

    aligned: bool = True  # the lowercased text has the original's offsets (false for a few non-ASCII texts)


def present(text: str, literals: frozenset[str]) -> Found:
    """Where each of ``literals`` occurs in ``text`` (case-insensitively), in one pass over it."""
    found = Found()
    lowered = text.translate(_FOLDS).lower()
    found.aligned = len(lowered) == len(text)
    if literals:
        for end, literal in _automaton(literals).iter(lowered):
            found.setdefault(literal, []).append(end - len(literal) + 1)
    return found


def may_match(pattern: re.Pattern[str], text: str, found: Found) -> bool:
    """``pattern.search(text)``, without the search when none of its literals occurs in the text, and
    tried only where a match can start when the pattern begins with one of them."""
    verdicts: dict[int, bool] = found.__dict__.setdefault("verdicts", {})
    known = verdicts.get(id(pattern))  # rules share patterns (the route rules' ENDPOINT_HINT): one search a file
    if known is None:
        known = verdicts[id(pattern)] = _may_match(pattern, text, found)
    return known


def _may_match(pattern: re.Pattern[str], text: str, found: Found) -> bool:
    literals = required_literals(pattern)
    if literals is not None and not any(literal in found for literal in literals):
        return False
    leading = leading_literals(pattern)
    if leading is None or not found.aligned:
        return pattern.search(text) is not None
    starts = sorted({start for literal in leading for start in found.get(literal, ())})
    return any(pattern.match(text, start) is not None for start in starts)
