"""Parsing untrusted source: the newest grammar, and known parser bombs turned away before libcst sees them.

A pull request can hold a 10 KB file that makes libcst's native parser
segfault (5,000 nested brackets, 10,000 ``and``), take gigabytes (3,000 nested
``lambda:``) or run for minutes (``a[0]`` 3,000 times: the cost grows with the
square of the depth). CPython itself refuses most of these shapes, so a file
that CPython would not compile is not worth the risk. The checks here are
cheap text statistics; only a file that trips one is parsed by CPython's own
(C, bounded) parser to decide. Shapes nobody thought of are bounded by the
per-file time and memory limits of ``isolate``.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from .source import Source

# The newest grammar libcst knows: files in new syntax (PEP 758 ``except A, B:``, PEP 695 generics,
# t-strings) are analysed whatever Python runs auth-review.
_NEWEST = "3.14"
try:
    PARSER_CONFIG = cst.PartialParserConfig(python_version=_NEWEST)
except ValueError:  # an older libcst: its own newest default
    PARSER_CONFIG = cst.PartialParserConfig()

MAX_LINE = 100_000  # characters on one line: generated data, not code anyone reviews
MAX_DEPTH = 500  # nested expressions; real code stays under 100, libcst's cost grows with the square
MAX_OPERANDS = 1_000  # ``a and b and ...`` in one expression: libcst recurses once per operand (a segfault at 10,000)
MAX_BRACKETS = 200  # CPython's tokenizer limit (MAXLEVEL)
MAX_INDENT = 100  # CPython's tokenizer limit (MAXINDENT)

# Cheap signs (all C-speed string operations) that a file needs the exact check: a long line, a run of
# opening brackets, deep indentation, or a dense crowd of the tokens that chain or nest without brackets.
_LONG_LINE = 2_000
_BRACKET_RUN = re.compile(r"[(\[{](?:[ \t\r\n\\]*[(\[{]){49,}")
_DEEP_INDENT = re.compile(r"^[ \t]{200,}\S", re.MULTILINE)
_CHAINING = ("lambda", " and ", " or ", "not ", " if ", "+", "-", "*", "~", "[", "(", "<", "=")
_CHAINING_WORTH_CHECKING = 500  # and at least one in 20 characters: bombs are dense, big files are not


class Refused(ValueError):
    """The file is a parser bomb (or close enough); the message says which limit it passes."""


def parse_module(source: Source) -> cst.Module:
    """libcst's tree of ``source`` in the newest grammar, after the bomb checks (raises ``Refused``)."""
    check(source.text)
    return cst.parse_module(source.text, PARSER_CONFIG)


def check(text: str) -> None:
    """Raise ``Refused`` when ``text`` passes a limit a parser should not be asked to cross."""
    longest = max(map(len, text.splitlines()), default=0)
    if longest > MAX_LINE:
        raise Refused(f"a line of {longest:,} characters (limit {MAX_LINE:,}): generated data?")
    chaining = sum(map(text.count, _CHAINING))
    suspicious = (longest > _LONG_LINE or _BRACKET_RUN.search(text) is not None
                  or _DEEP_INDENT.search(text) is not None
                  or (chaining > _CHAINING_WORTH_CHECKING and chaining * 20 > len(text)))
    if suspicious:
        _exact_check(text)


def _exact_check(text: str) -> None:
    """CPython's own parser (C, with its stack limits) decides; then depth and width of what it built."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        if "too many nested parentheses" in str(exc.msg):
            raise Refused(f"brackets nested deeper than Python allows ({MAX_BRACKETS}) on line {exc.lineno}") from None
        if "too many levels of indentation" in str(exc.msg):
            raise Refused(f"indentation deeper than Python allows ({MAX_INDENT} levels) on line {exc.lineno}") from None
        return  # newer syntax than this Python's, or a real syntax error: libcst reports it
    except (RecursionError, MemoryError):
        raise Refused("expressions nested deeper than Python itself compiles") from None
    depth, line = _deepest(tree)
    if depth > MAX_DEPTH:
        raise Refused(f"expressions nested {depth:,} deep on line {line} (limit {MAX_DEPTH})")


def _deepest(tree: ast.AST) -> tuple[int, int]:
    """The deepest nesting in ``tree`` and its line; raises ``Refused`` for an over-wide operator chain."""
    best, best_line = 0, 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > best:
            best, best_line = depth, getattr(node, "lineno", best_line)
        width = len(node.values) if isinstance(node, ast.BoolOp) else \
            len(node.ops) + 1 if isinstance(node, ast.Compare) else 0
        if width > MAX_OPERANDS:
            raise Refused(f"an expression of {width:,} operands on line {getattr(node, 'lineno', '?')} "
                          f"(limit {MAX_OPERANDS:,})")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return best, best_line
