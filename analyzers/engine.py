"""Analysing files: rules and Bandit on each file, then de-duplication and suppression.

Cost is kept close to Bandit's own: each rule names a cheap text pre-filter,
a file is parsed by libcst only when some rule's pre-filter matches, it is
walked once for all rules, positions are computed only when a rule reports,
and multi-file scans fan out over a process pool.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import libcst as cst

from .bandit_runner import BanditFailed, run_bandit
from .config import Config
from .context import FileContext
from .findings import AnalysisError, Finding, assign_fingerprints
from .frameworks import ENDPOINT_HINT, routed_elsewhere
from .isolate import Batch, Failure, Limits, Sandbox
from .parsing import Refused, parse_module
from .prefilter import literals_of, present
from .project import Project
from .registry import all_rules
from .rule import Rule
from .source import Source, SourceError, decode
from .suppress import is_suppressed
from .walk import Handler, dispatch, remove_handlers


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

    @property
    def unanalysed(self) -> set[str]:
        """Files of which nothing was analysed (``error`` entries, not the ``warning`` of a partial analysis)."""
        return {e.path for e in self.errors if not e.analysed}


def enabled_rules(config: Config) -> list[type[Rule]]:
    return [rule for rule in all_rules() if config.rule_enabled(rule.id)]


def candidate_rules(source: Source, config: Config, rules: Iterable[type[Rule]],
                    project: Project | None = None) -> list[type[Rule]]:
    """The rules whose pre-filter matches this file (and that apply to test code, if it is). Route rules also
    read a module whose functions an OpenAPI document of the project routes to, whatever its text."""
    is_test = config.is_test_path(source.path)
    eligible = [r for r in rules if r.in_tests or not is_test]
    found = present(source.text, _gate_literals(tuple(eligible)))
    routed = project is not None and routed_elsewhere(project, source.path)
    return [r for r in eligible if r.applies_to(source.text, found) or (routed and ENDPOINT_HINT in r.prefilters())]


@lru_cache(maxsize=16)
def _gate_literals(rules: tuple[type[Rule], ...]) -> frozenset[str]:
    return literals_of(p for rule in rules for p in rule.prefilters())


def run_rules(source: Source, config: Config, rules: Iterable[type[Rule]], project: Project | None = None,
              failures: list[AnalysisError] | None = None) -> list[Finding]:
    """Findings of ``rules`` on one file, before suppression. Raises on a parse error (or ``Refused``).

    With ``failures``, a rule that raises is reported there (naming the rule) and dropped for this file
    while the other rules go on; without it, the exception propagates (tests want rule bugs loud).
    """
    candidates = candidate_rules(source, config, rules, project)
    if not candidates:
        return []
    return _run_candidates(source, config, candidates, project, failures)


def _run_candidates(source: Source, config: Config, candidates: list[type[Rule]], project: Project | None,
                    failures: list[AnalysisError] | None) -> list[Finding]:
    # Parsed here once and dropped after: the project keeps only modules other files ask about.
    ctx = FileContext(source, parse_module(source), config)
    if project is not None:
        project.attach(ctx)
    instances = [rule(ctx) for rule in candidates]
    enter: dict[type, list[Handler]] = {}
    leave: dict[type, list[Handler]] = {}
    for instance in instances:
        handled = type(instance).handlers()
        for node_type in handled["visit"]:
            enter.setdefault(node_type, []).append(getattr(instance, f"visit_{node_type.__name__}"))
        for node_type in handled["leave"]:
            leave.setdefault(node_type, []).append(getattr(instance, f"leave_{node_type.__name__}"))
    failed: dict[str, str] = {}  # rule id -> what went wrong

    def drop(instance: Rule, exc: Exception) -> None:
        if failures is None:
            raise exc
        failed[instance.id] = f"{type(exc).__name__}: {_first_line(str(exc)) if str(exc) else 'no message'}"
        remove_handlers(instance, enter, leave)

    dispatch(ctx.module, enter, leave, ctx.stack,
             None if failures is None else (lambda handler, exc: drop(handler.__self__, exc)))  # type: ignore[attr-defined]
    for instance in instances:
        if instance.id in failed:
            continue
        try:
            instance.finish()
        except Exception as exc:
            drop(instance, exc)
    for rule_id, why in sorted(failed.items()):  # (only ever filled when ``failures`` is a list)
        failures.append(  # type: ignore[union-attr]
            AnalysisError(source.path, f"rule {rule_id} failed on this file ({why[:300]}); "
                                       "the other rules and Bandit ran", level="warning"))
    return [f for f in ctx.findings() if f.rule_id not in failed]


def analyze_source(source: Source, config: Config, rules: list[type[Rule]] | None = None,
                   project: Project | None = None) -> FileResult:
    """All findings for one decoded file: AR rules, Bandit, folded and filtered.

    A file that cannot be parsed, or is a parser bomb, is an ``error`` entry; a rule that fails costs
    that rule only, and a file Bandit (this Python's ``ast``) cannot read keeps auth-review's findings.
    """
    rules = enabled_rules(config) if rules is None else rules
    result = FileResult(source.path)
    ours: list[Finding] = []
    candidates = candidate_rules(source, config, rules, project)
    try:
        if candidates:
            ours = _run_candidates(source, config, candidates, project, result.errors)
    except Refused as exc:
        result.errors.append(AnalysisError(source.path, f"not analysed: {exc}"))
        return result
    except cst.ParserSyntaxError as exc:
        result.errors.append(AnalysisError(source.path, f"cannot parse: {_first_line(str(exc))} (line {exc.raw_line})"))
        return result
    except RecursionError:
        result.errors.append(AnalysisError(source.path, "not analysed: nesting too deep for the parser"))
        return result
    theirs: list[Finding] = []
    if config.bandit and (config.bandit_in_tests or not config.is_test_path(source.path)):
        try:
            theirs = [f for f in run_bandit(source.path, source.data)
                      if config.rule_enabled(f.rule_id) and f.rule_id not in config.bandit_off]
        except BanditFailed as exc:
            problem = _unreadable(source, parsed=bool(candidates))
            if problem is not None:
                result.errors.append(problem)
                if not problem.analysed:
                    return result
            else:
                result.errors.append(AnalysisError(source.path, f"bandit: {exc}", level="warning"))
    elif not candidates:
        # Nothing parsed this file; check it parses so a broken file is still reported.
        problem = _unreadable(source, parsed=False)
        if problem is not None and not problem.analysed:
            result.errors.append(problem)
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


def _unreadable(source: Source, parsed: bool) -> AnalysisError | None:
    """Why this Python's ``ast`` cannot read ``source`` (None when it can).

    A file libcst reads in a newer grammar is still analysed by auth-review's rules: a warning that
    Bandit skipped it. Otherwise the file is not analysed at all.
    """
    syntax = _syntax_error(source)
    if syntax is None:
        return None
    if not parsed:
        try:
            parse_module(source)
        except (cst.ParserSyntaxError, Refused, RecursionError, MemoryError):
            return AnalysisError(source.path, syntax)
    return AnalysisError(source.path, f"Bandit skipped this file: Python {sys.version_info[0]}.{sys.version_info[1]} "
                                      f"{syntax.removeprefix('cannot parse: ')}; auth-review's rules ran "
                                      "(newer syntax?)", level="warning")


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

def discover_files(root: Path, targets: list[Path], config: Config) -> list[str]:
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


_State = tuple[Path, Config, list[type[Rule]], Project]


def _scan_state(root: Path, files: list[str], config: Config) -> _State:
    """Built once in each analysis process: the rules and the project the named files are judged in."""
    return root, config, enabled_rules(config), Project.on_disk(root, files, config)


def _scan_one(state: _State, rel_path: str) -> tuple[FileResult, int]:
    root, config, rules, project = state
    return analyze_file(root, rel_path, config, rules, project), _count_lines(root / rel_path)


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
    limits: Limits | None = None,
) -> ScanResult:
    """Analyse ``files`` (relative to ``root``), each in a child process under ``limits`` (``isolate``), so a
    file that crashes the parser, stalls or eats memory is an error entry and the scan goes on.

    ``context`` lists the project's files that rules may read for context (settings, urlconfs, models, the
    module defining a guard) without reporting on them; by default, ``files``.
    """
    result = ScanResult(root=root, files=len(files))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    project_files = sorted(set(files) | set(context or ()))
    sandbox = Sandbox(workers, limits or Limits(), preload=(__name__,))
    batch = Batch(_scan_state, (root, project_files, config), _scan_one, files)
    try:
        for done, (_, i, outcome) in enumerate(sandbox.run([batch]), start=1):
            if isinstance(outcome, Failure):
                result.errors.append(AnalysisError(files[i], outcome.reason))
                result.lines += _count_lines(root / files[i])
            else:
                file_result, lines = outcome
                result.findings.extend(file_result.findings)
                result.errors.extend(file_result.errors)
                result.lines += lines
            if progress:
                progress(done, len(files))
    finally:
        sandbox.close()
    result.findings.sort(key=Finding.sort_key)
    result.errors.sort(key=lambda e: e.path)
    return result
