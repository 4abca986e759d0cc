"""Step 5: analyse the changed files at head and base; keep what the pull request introduces.

A finding is new when its fingerprint is absent at the base. The base
version is analysed under the head path, so renaming a file does not make
its old findings look new.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzers.config import Config
from analyzers.engine import analyze_source, enabled_rules
from analyzers.findings import AnalysisError, Finding
from analyzers.source import SourceError, decode

from .fetch import Sources


@dataclass
class Analysis:
    new: list[Finding] = field(default_factory=list)
    existing: int = 0  # findings already present at the base
    errors: list[AnalysisError] = field(default_factory=list)
    files: int = 0


def new_findings(sources: Sources, config: Config) -> Analysis:
    rules = enabled_rules(config)
    result = Analysis(files=len(sources.head))
    for path, data in sorted(sources.head.items()):
        head = _analyze(path, data, config, rules, result.errors)
        if head is None:
            continue
        base_data = sources.base.get(path)
        before: set[str] = set()
        if base_data is not None:
            base = _analyze(path, base_data, config, rules, errors=None)
            before = {f.fingerprint for f in base or []}
        for finding in head:
            if finding.fingerprint in before:
                result.existing += 1
            else:
                result.new.append(finding)
    for path, reason in sources.skipped.items():
        result.errors.append(AnalysisError(path, f"not analysed: {reason}"))
    return result


def _analyze(path: str, data: bytes, config: Config, rules: list, errors: list[AnalysisError] | None) -> list[Finding] | None:  # type: ignore[type-arg]
    try:
        source = decode(path, data, config.max_file_size)
    except SourceError as exc:
        if errors is not None:
            errors.append(AnalysisError(path, str(exc)))
        return None
    result = analyze_source(source, config, rules)
    if errors is not None:
        errors.extend(result.errors)
    return result.findings
