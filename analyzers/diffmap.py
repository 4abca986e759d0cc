"""Which lines a change adds: ``git diff`` parsed with unidiff.

Used by ``auth-review scan --diff REF`` (the local equivalent of a pull
request review) and, for pull requests, by the bot's placement step.
"""

from __future__ import annotations

import subprocess  # nosec B404 - runs git with a fixed argument list, never a shell
from dataclasses import dataclass, field
from pathlib import Path

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet


class DiffError(RuntimeError):
    """git could not produce the diff (not a repository, unknown ref...)."""


@dataclass
class ChangedLines:
    """Added or changed line numbers per file (paths relative to the scanned root)."""

    lines: dict[str, set[int]] = field(default_factory=dict)
    whole_files: set[str] = field(default_factory=set)  # new, untracked files: every line counts

    def files(self) -> set[str]:
        return set(self.lines) | self.whole_files

    def touches(self, path: str, first: int, last: int) -> bool:
        if path in self.whole_files:
            return True
        changed = self.lines.get(path)
        return changed is not None and any(n in changed for n in range(first, last + 1))


def added_lines(patch_text: str) -> dict[str, set[int]]:
    """Target-side line numbers of added lines per file in a unified diff."""
    try:
        patch = PatchSet(patch_text)
    except UnidiffParseError as exc:
        raise DiffError(f"cannot parse the diff: {exc}") from None
    result: dict[str, set[int]] = {}
    for patched in patch:
        if patched.is_removed_file:
            continue
        path = patched.target_file[2:] if patched.target_file.startswith("b/") else patched.target_file
        result[path] = {
            line.target_line_no for hunk in patched for line in hunk if line.is_added and line.target_line_no
        }
    return result


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(  # nosec B603 B607 - fixed git argv; git is looked up on PATH
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise DiffError("git is not installed or not on PATH") from None
    if done.returncode != 0:
        raise DiffError(f"git {args[0]} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def changed_since(root: Path, ref: str) -> ChangedLines:
    """Lines of the working tree added or changed since ``ref``, relative to ``root``."""
    if ref.startswith("-"):
        raise DiffError(f"{ref!r} is not a git revision")
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip()).resolve()
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    diff = _git(top, "diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0", ref, "--")
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    result = ChangedLines()
    for path, numbers in added_lines(diff).items():
        rel = _relative_to_root(top, root, path)
        if rel is not None and numbers:
            result.lines[rel] = numbers
    for path in filter(None, untracked):
        rel = _relative_to_root(top, root, path)
        if rel is not None:
            result.whole_files.add(rel)
    return result


def _relative_to_root(top: Path, root: Path, path: str) -> str | None:
    try:
        return (top / path).relative_to(root.resolve()).as_posix()
    except ValueError:
        return None  # outside the scanned root
