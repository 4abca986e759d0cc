"""Domain objects shared by the engine, the reporters and the bot."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {value!r} (choose from {choices})") from None


class Confidence(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Confidence:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            choices = ", ".join(c.label for c in cls)
            raise ValueError(f"unknown confidence {value!r} (choose from {choices})") from None


@dataclass(frozen=True)
class Fix:
    """Replace lines ``line``..``end_line`` (1-based, inclusive) with ``replacement``.

    ``replacement`` holds whole lines without the final newline: exactly what a
    GitHub suggestion block carries.
    """

    line: int
    end_line: int
    replacement: str
    description: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "end_line": self.end_line, "replacement": self.replacement}


@dataclass
class Finding:
    rule_id: str
    title: str
    severity: Severity
    confidence: Confidence
    cwe: int | None
    path: str
    line: int
    end_line: int
    column: int  # 1-based
    end_column: int
    message: str
    fix: Fix | None = None
    tool: str = "auth-review"
    fingerprint: str = ""
    # Normalised source of the flagged lines: the input of the fingerprint.
    snippet: str = field(default="", repr=False)
    scope: str = field(default="", repr=False)
    # Lines of the enclosing statement, where a suppression comment applies.
    statement: tuple[int, int] = field(default=(0, 0), repr=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule_id)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.label,
            "confidence": self.confidence.label,
            "cwe": self.cwe,
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "column": self.column,
            "message": self.message,
            "fix": self.fix.to_dict() if self.fix else None,
            "fingerprint": self.fingerprint,
            "tool": self.tool,
        }


@dataclass(frozen=True)
class AnalysisError:
    """A file that was not analysed (``error``), or analysed only in part (``warning``: a rule failed on it,
    or Bandit could not read it while auth-review's rules could)."""

    path: str
    message: str
    level: str = "error"

    @property
    def analysed(self) -> bool:
        """Some analysis of the file ran; its findings stand."""
        return self.level != "error"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "level": self.level}


def assign_fingerprints(findings: list[Finding]) -> None:
    """Give each finding a fingerprint that survives unrelated line shifts.

    The hash covers the rule, the file, the enclosing function or class and the
    whitespace-normalised flagged source, not line numbers. Identical findings in
    one scope are told apart by their order of occurrence.
    """
    seen: dict[str, int] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        base = "\x1f".join((finding.rule_id, finding.path, finding.scope, finding.snippet))
        digest = hashlib.sha256(base.encode("utf-8")).hexdigest()[:24]
        occurrence = seen.get(digest, 0)
        seen[digest] = occurrence + 1
        finding.fingerprint = f"{digest}:{occurrence}"


def normalise_snippet(lines: list[str]) -> str:
    return " ".join(" ".join(line.split()) for line in lines).strip()
