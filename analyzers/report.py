"""Writing scan results as text for a terminal, JSON, or SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

from . import __version__
from .bandit_runner import bandit_help_uri
from .engine import ScanResult
from .findings import Finding, Severity
from .fixes import fix_diff
from .registry import all_rules
from .rule import Rule

INFORMATION_URI = "https://github.com/auth-review/auth-review"
# GitHub code scanning ranks alerts by this CVSS-like number.
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}


class _Files:
    """Reads each reported file once, for fix diffs and SARIF regions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str] = {}

    def text(self, path: str) -> str:
        if path not in self._cache:
            try:
                self._cache[path] = (self.root / path).read_text("utf-8", errors="replace")
            except OSError:
                self._cache[path] = ""
        return self._cache[path]


# --- JSON -------------------------------------------------------------------------

def to_json(result: ScanResult) -> str:
    document = {
        "version": __version__,
        "findings": [f.to_dict() for f in result.findings],
        "errors": [e.to_dict() for e in result.errors],
    }
    return json.dumps(document, indent=2) + "\n"


# --- text -------------------------------------------------------------------------

_COLOURS = {Severity.CRITICAL: "\033[1;31m", Severity.HIGH: "\033[31m", Severity.MEDIUM: "\033[33m", Severity.LOW: "\033[36m"}
_RESET, _DIM, _BOLD, _GREEN, _RED = "\033[0m", "\033[2m", "\033[1m", "\033[32m", "\033[31m"


def to_text(result: ScanResult, colour: bool = False) -> str:
    files = _Files(result.root)
    paint = (lambda code, s: f"{code}{s}{_RESET}") if colour else (lambda code, s: s)
    out: list[str] = []
    for f in result.findings:
        label = f"{f.rule_id} [{f.severity.label}/{f.confidence.label} confidence]"
        out.append(f"{paint(_BOLD, f'{f.path}:{f.line}:{f.column}')}: {paint(_COLOURS[f.severity], label)} {f.title}")
        out.append(f"    {f.message}")
        if f.fix is not None:
            text = files.text(f.path)
            try:
                diff = fix_diff(text, f.fix, f.path)
            except ValueError:
                diff = ""
            out.append(f"    {paint(_DIM, 'suggested fix' + (': ' + f.fix.description if f.fix.description else ''))}")
            for line in diff.splitlines():
                if line.startswith("+") and not line.startswith("+++"):
                    line = paint(_GREEN, line)
                elif line.startswith("-") and not line.startswith("---"):
                    line = paint(_RED, line)
                out.append(f"      {line}")
        out.append("")
    for error in result.errors:
        out.append(f"{error.path}: {error.level}: {error.message}")
    if result.errors:
        out.append("")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def summary_line(result: ScanResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    if result.findings:
        parts = ", ".join(f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True))
        head = f"Found {len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} ({parts})"
    else:
        head = "No findings"
    tail = f" in {result.files} file{'s' if result.files != 1 else ''}"
    unanalysed = len(result.unanalysed)
    if unanalysed:
        tail += f"; {unanalysed} file{'s' if unanalysed != 1 else ''} could not be analysed"
    partial = len({e.path for e in result.errors if e.analysed} - result.unanalysed)
    if partial:
        tail += f"; {partial} file{'s' if partial != 1 else ''} analysed in part"
    return head + tail + "."


# --- SARIF ------------------------------------------------------------------------

def _rule_descriptor(rule: type[Rule]) -> dict[str, object]:
    doc = rule.documentation()
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.summary()},
        "help": {"text": doc or rule.title, "markdown": _markdown_help(rule)},
        "helpUri": rule.help_uri(),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", *( [f"external/cwe/cwe-{rule.cwe}"] if rule.cwe else [])],
            "precision": {3: "high", 2: "medium", 1: "low"}[int(rule.confidence)],
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }


def _markdown_help(rule: type[Rule]) -> str:
    doc = rule.documentation()
    lines = []
    for block in doc.split("\n\n"):
        head, _, rest = block.partition(":")
        if head in ("Example", "Use instead"):
            lines.append(f"**{head}:**\n\n```python\n{textwrap.dedent(rest.strip(chr(10)))}\n```")
        elif head in ("What it does", "Why is this bad"):
            lines.append(f"**{head}:** {' '.join(rest.split())}")
        else:
            lines.append(block)
    return "\n\n".join(lines)


def rules_markdown() -> str:
    """docs/rules.md: every rule's documentation, generated from the rule classes."""
    out = [
        "# auth-review rules",
        "",
        "Generated by `auth-review rules --markdown` from the rule classes; do not edit by hand.",
        "",
        "| id | name | severity | confidence | CWE |",
        "|---|---|---|---|---|",
    ]
    rules = all_rules()
    for rule in rules:
        cwe = f"[CWE-{rule.cwe}](https://cwe.mitre.org/data/definitions/{rule.cwe}.html)" if rule.cwe else ""
        out.append(f"| [{rule.id}](#{rule.id.lower()}) | {rule.name} | {rule.severity.label} | {rule.confidence.label} | {cwe} |")
    for rule in rules:
        out += ["", f'<a id="{rule.id.lower()}"></a>', f"## {rule.id} {rule.name}: {rule.title}", "",
                f"Source: `{_source_file(rule)}`", "", _markdown_help(rule)]
    return "\n".join(out) + "\n"


def _source_file(rule: type[Rule]) -> str:
    """Where a rule lives in the repository: ``analyzers/rules/<family>/<rule>.py``."""
    return rule.__module__.removeprefix("auth_review.").replace(".", "/") + ".py"


def _bandit_descriptor(finding: Finding) -> dict[str, object]:
    return {
        "id": finding.rule_id,
        "name": finding.scope or finding.rule_id,
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": f"Bandit test {finding.rule_id} ({finding.scope})."},
        "help": {"text": f"Reported by Bandit's {finding.scope} test. See {bandit_help_uri(finding.rule_id, finding.scope)}"},
        "helpUri": bandit_help_uri(finding.rule_id, finding.scope),
        "properties": {"tags": ["security", "bandit", *([f"external/cwe/cwe-{finding.cwe}"] if finding.cwe else [])]},
    }


def _region(finding: Finding) -> dict[str, int]:
    region = {"startLine": finding.line, "startColumn": max(1, finding.column), "endLine": max(finding.line, finding.end_line)}
    if finding.end_column > 1 and (finding.end_line > finding.line or finding.end_column > finding.column):
        region["endColumn"] = finding.end_column
    return region


def _sarif_fix(finding: Finding, files: _Files, artifact: dict[str, str]) -> dict[str, object] | None:
    fix = finding.fix
    if fix is None:
        return None
    lines = files.text(finding.path).splitlines()
    if not 1 <= fix.line <= fix.end_line <= len(lines):
        return None
    # Replace whole lines, newline included, so an empty replacement deletes them.
    if fix.end_line < len(lines):
        deleted = {"startLine": fix.line, "startColumn": 1, "endLine": fix.end_line + 1, "endColumn": 1}
        inserted = fix.replacement + "\n" if fix.replacement else ""
    else:
        deleted = {"startLine": fix.line, "startColumn": 1, "endLine": fix.end_line, "endColumn": len(lines[-1]) + 1}
        inserted = fix.replacement
    return {
        "description": {"text": fix.description or f"Fix {finding.rule_id}"},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": [{"deletedRegion": deleted, "insertedContent": {"text": inserted}}]}],
    }


def to_sarif(result: ScanResult) -> str:
    files = _Files(result.root)
    rules = {rule.id: rule for rule in all_rules()}
    descriptors: list[dict[str, object]] = []
    index: dict[str, int] = {}
    for finding in result.findings:
        if finding.rule_id in index:
            continue
        index[finding.rule_id] = len(descriptors)
        rule = rules.get(finding.rule_id)
        descriptors.append(_rule_descriptor(rule) if rule else _bandit_descriptor(finding))
    results = []
    for finding in result.findings:
        artifact = {"uri": finding.path, "uriBaseId": "%SRCROOT%"}
        entry: dict[str, object] = {
            "ruleId": finding.rule_id,
            "ruleIndex": index[finding.rule_id],
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": _region(finding)}}],
            "partialFingerprints": {"authReview/v1": finding.fingerprint},
            "properties": {"severity": finding.severity.label, "confidence": finding.confidence.label, "tool": finding.tool},
        }
        fix = _sarif_fix(finding, files, artifact)
        if fix:
            entry["fixes"] = [fix]
        results.append(entry)
    notifications = [
        {
            "level": error.level,
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": error.path, "uriBaseId": "%SRCROOT%"}}}],
        }
        for error in result.errors
    ]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "auth-review", "version": __version__, "semanticVersion": __version__,
                                    "informationUri": INFORMATION_URI, "rules": descriptors}},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": result.root.resolve().as_uri() + "/"}},
                # A file not analysed makes the run unsuccessful: code scanning must not read silence as clean.
                "invocations": [{"executionSuccessful": not result.unanalysed,
                                 "toolExecutionNotifications": notifications}],
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
