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
from functools import lru_cache
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

_MIN_LITERAL = 2  # shorter literals occur everywhere and gate nothing


@lru_cache(maxsize=None)
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


def literals_of(patterns: Iterable[re.Pattern[str]]) -> frozenset[str]:
    """Every gate literal of these patterns (what the automaton must look for)."""
    return frozenset(lit for p in patterns for lit in (required_literals(p) or ()))


@lru_cache(maxsize=16)
def _automaton(literals: frozenset[str]) -> Any:
    automaton = ahocorasick.Automaton()
    for literal in literals:
        automaton.add_word(literal, literal)
    automaton.make_automaton()
    return automaton


def present(lowered: str, literals: frozenset[str]) -> frozenset[str]:
    """Which of ``literals`` occur in ``lowered``, in one pass (overlapping occurrences included)."""
    if not literals:
        return frozenset()
    return frozenset(found for _, found in _automaton(literals).iter(lowered))


def may_match(pattern: re.Pattern[str], text: str, found: frozenset[str]) -> bool:
    """``pattern.search(text)``, answered without the search when none of its literals is in ``found``
    (the literals of ``text`` among those the caller looked for, which include this pattern's)."""
    literals = required_literals(pattern)
    if literals is not None and literals.isdisjoint(found):
        return False
    return pattern.search(text) is not None
