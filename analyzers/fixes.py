"""Applying fixes to source text, as GitHub applies a suggestion block."""

from __future__ import annotations

import difflib

from .findings import Fix


def apply_fix(text: str, fix: Fix) -> str:
    """``text`` with lines ``fix.line``..``fix.end_line`` replaced by ``fix.replacement``.

    An empty replacement deletes the lines, as an empty GitHub suggestion does.
    """
    lines = text.splitlines(keepends=True)
    if not 1 <= fix.line <= fix.end_line <= len(lines):
        raise ValueError(f"fix lines {fix.line}-{fix.end_line} are outside a {len(lines)}-line file")
    ending = lines[fix.end_line - 1][len(lines[fix.end_line - 1].rstrip("\r\n")) :]
    replacement = fix.replacement + ending if fix.replacement else ""
    return "".join(lines[: fix.line - 1]) + replacement + "".join(lines[fix.end_line :])


def apply_fixes(text: str, fixes: list[Fix]) -> str:
    """Apply non-overlapping fixes, bottom first so earlier line numbers stay valid."""
    result = text
    last_start = None
    for fix in sorted(fixes, key=lambda f: f.line, reverse=True):
        if last_start is not None and fix.end_line >= last_start:
            continue  # overlaps a fix already applied
        result = apply_fix(result, fix)
        last_start = fix.line
    return result


def fix_diff(text: str, fix: Fix, path: str) -> str:
    """The fix as a unified diff, for terminal output."""
    before = text.splitlines(keepends=True)
    after = apply_fix(text, fix).splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, f"a/{path}", f"b/{path}", n=0))
