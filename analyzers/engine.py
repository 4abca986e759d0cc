"""Analysing files: rules and Bandit on each file, then de-duplication and suppression.

Cost is kept close to Bandit's own: each rule names a cheap text pre-filter,
a file is parsed by libcst only when some rule's pre-filter matches, it is
walked once for all rules, positions are computed only when a rule reports,
and multi-file scans fan out over a process pool.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import libcst as cst

from .bandit_runner import BanditFailed, run_bandit
from .config import Config
from .context import FileContext
from .findings import AnalysisError, Finding, assign_fingerprints
from .prefilter import literals_of, present
from .project import Project
from .rule import Rule, all_rules
from .source import Source, SourceError, decode
from .suppress import is_suppressed
from .walk import Handler, dispatch


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[AnalysisError] = field(default_factory=list)


@dataclass
class ScanResult:
    root: Path
    files: int = 0
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[AnalysisError] = field(default_factory=list)


def enabled_rules(config: Config) -> list[type[Rule]]:
    return [rule for rule in all_rules() if config.rule_enabled(rule.id)]


def candidate_rules(source: Source, config: Config, rules: Iterable[type[Rule]]) -> list[type[Rule]]:
    """The rules whose pre-filter matches this file (and that apply to test code, if it is)."""
    is_test = config.is_test_path(source.path)
    eligible = [r for r in rules if r.in_tests or not is_test]
    found = present(source.text, _gate_literals(tuple(eligible)))
    return [r for r in eligible if r.applies_to(source.text, found)]


@lru_cache(maxsize=16)
def _gate_literals(rules: tuple[type[Rule], ...]) -> frozenset[str]:
    return literals_of(p for rule in rules for p in rule.prefilters())


def run_rules(source: Source, config: Config, rules: Iterable[type[Rule]], project: Project | None = None) -> list[Finding]:
    """Findings of ``rules`` on one file, before suppression. Raises on a parse error."""
    candidates = candidate_rules(source, config, rules)
    if not candidates:
        return []
    # Parsed here once and dropped after: the project keeps only modules other files ask about.
    ctx = FileContext(source, cst.parse_module(source.text), config)
    ctx.project = project
    instances = [rule(ctx) for rule in candidates]
    enter: dict[type, list[Handler]] = {}
    leave: dict[type, list[Handler]] = {}
    for instance in instances:
        handled = type(instance).handlers()
        for node_type in handled["visit"]:
            enter.setdefault(node_type, []).append(getattr(instance, f"visit_{node_type.__name__}"))
        for node_type in handled["leave"]:
            leave.setdefault(node_type, []).append(getattr(instance, f"leave_{node_type.__name__}"))
    dispatch(ctx.module, enter, leave, ctx.stack)
    for instance in instances:
        instance.finish()
    return ctx.findings()


def analyze_source(source: Source, config: Config, rules: list[type[Rule]] | None = None,
                   project: Project | None = None) -> FileResult:
    """All findings for one decoded file: AR rules, Bandit, folded and filtered."""
    rules = enabled_rules(config) if rules is None else rules
    result = FileResult(source.path)
    ours: list[Finding] = []
    try:
        ours = run_rules(source, config, rules, project)
    except cst.ParserSyntaxError as exc:
        result.errors.append(AnalysisError(source.path, f"cannot parse: {_first_line(str(exc))} (line {exc.raw_line})"))
        return result
    except RecursionError:
        result.errors.append(AnalysisError(source.path, "cannot parse: nesting too deep"))
        return result
    theirs: list[Finding] = []
    if config.bandit:
        try:
            theirs = [f for f in run_bandit(source.path, source.data) if config.rule_enabled(f.rule_id)]
        except BanditFailed as exc:
            syntax = _syntax_error(source)
            result.errors.append(AnalysisError(source.path, syntax or f"bandit: {exc}"))
            if syntax:
                return result
    elif not ours and not candidate_rules(source, config, rules):
        # Nothing parsed this file; check it parses so a broken file is still reported.
        syntax = _syntax_error(source)
        if syntax:
            result.errors.append(AnalysisError(source.path, syntax))
            return result
    lines = source.text.splitlines()
    by_id = {rule.id: rule for rule in rules}
    ours = [f for f in ours if not is_suppressed(lines, f, by_id[f.rule_id].bandit_equivalents)]
    theirs = [f for f in theirs if not is_suppressed(lines, f, frozenset({f.rule_id}))]
    findings = ours + _fold_bandit(theirs, ours, by_id)
    findings = [
        f for f in findings
        if f.severity >= config.min_severity and f.confidence >= config.min_confidence
    ]
    findings.sort(key=Finding.sort_key)
    assign_fingerprints(findings)
    result.findings = findings
    return result


def _fold_bandit(bandit: list[Finding], ours: list[Finding], rules: dict[str, type[Rule]]) -> list[Finding]:
    """Drop Bandit findings an AR finding already covers (same lines, same defect)."""
    kept = []
    for finding in bandit:
        covered = any(
            finding.rule_id in rules[own.rule_id].bandit_equivalents
            and own.line <= finding.line <= max(own.end_line, own.statement[1])
            for own in ours
        )
        if not covered:
            kept.append(finding)
    return kept


def _syntax_error(source: Source) -> str | None:
    try:
        ast.parse(source.data, source.path)
    except SyntaxError as exc:
        return f"cannot parse: {exc.msg} (line {exc.lineno})"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"cannot parse: {exc}"
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "syntax error"


def analyze_file(root: Path, rel_path: str, config: Config, rules: list[type[Rule]] | None = None,
                 project: Project | None = None) -> FileResult:
    """Read and analyse one file; any problem becomes an error entry, never an exception."""
    try:
        data = (root / rel_path).read_bytes()
        source = decode(rel_path, data, config.max_file_size)
    except SourceError as exc:
        return FileResult(rel_path, errors=[AnalysisError(rel_path, str(exc))])
    except OSError as exc:
        return FileResult(rel_path, errors=[AnalysisError(rel_path, f"cannot read: {exc.strerror or exc}")])
    try:
        return analyze_source(source, config, rules, project)
    except Exception as exc:  # a rule bug must not cost the other files
        return FileResult(rel_path, errors=[AnalysisError(rel_path, f"internal error: {type(exc).__name__}: {exc}")])


# --- file discovery and the pool -------------------------------------------------

def discover(root: Path, targets: list[Path], config: Config) -> list[str]:
    """Python files under ``targets``, relative to ``root``, minus excluded paths."""
    found: set[str] = set()
    for target in targets:
        target = target.resolve()
        if target.is_file():
            found.add(_relative(root, target))  # named explicitly: never excluded
            continue
        for dirpath, dirnames, filenames in os.walk(target):
            here = Path(dirpath)
            dirnames[:] = sorted(
                d for d in dirnames if not config.is_excluded(_relative(root, here / d))
            )
            for name in filenames:
                if not name.endswith(".py"):
                    continue
                rel = _relative(root, here / name)
                if not config.is_excluded(rel):
                    found.add(rel)
    return sorted(found)


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


_worker_state: dict[str, object] = {}


def _init_worker(root: str, files: list[str], config: Config) -> None:
    _worker_state["root"] = Path(root)
    _worker_state["config"] = config
    _worker_state["rules"] = enabled_rules(config)
    _worker_state["project"] = Project.on_disk(Path(root), files, config)


def _work(rel_path: str) -> tuple[FileResult, int]:
    root: Path = _worker_state["root"]  # type: ignore[assignment]
    result = analyze_file(root, rel_path, _worker_state["config"], _worker_state["rules"],  # type: ignore[arg-type]
                          _worker_state["project"])  # type: ignore[arg-type]
    return result, _count_lines(root / rel_path)


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


Progress = Callable[[int, int], None]


def scan(
    root: Path,
    files: list[str],
    config: Config,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    context: list[str] | None = None,
) -> ScanResult:
    """Analyse ``files`` (relative to ``root``); a pool is used when there are enough of them.

    ``context`` lists the project's files that rules may read for context (settings, urlconfs,
    models, the module defining a guard) without reporting on them; by default, ``files``.
    """
    result = ScanResult(root=root, files=len(files))
    jobs = jobs or os.cpu_count() or 1
    project_files = sorted(set(files) | set(context or ()))
    for done, (file_result, lines) in enumerate(_results(root, files, project_files, config, jobs), start=1):
        result.findings.extend(file_result.findings)
        result.errors.extend(file_result.errors)
        result.lines += lines
        if progress:
            progress(done, len(files))
    result.findings.sort(key=Finding.sort_key)
    result.errors.sort(key=lambda e: e.path)
    return result


def _results(root: Path, files: list[str], project_files: list[str], config: Config,
             jobs: int) -> Iterator[tuple[FileResult, int]]:
    if jobs <= 1 or len(files) < 16:
        rules = enabled_rules(config)
        project = Project.on_disk(root, project_files, config)
        for rel in files:
            yield analyze_file(root, rel, config, rules, project), _count_lines(root / rel)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(str(root), project_files, config)) as pool:
        yield from pool.map(_work, files, chunksize=max(1, min(16, len(files) // (jobs * 8) or 1)))
