"""Step 5: analyse the changed files at head and base; keep what the pull request introduces.

A finding is new when its fingerprint is absent at the base. The base
version is analysed under the head path, so renaming a file does not make
its old findings look new. Every finding at head is kept too, so the
feedback loop can tell which commented findings a push removed (or a rename moved).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

from auth_review.analyzers.config import Config
from auth_review.analyzers.engine import analyze_source, enabled_rules
from auth_review.analyzers.findings import AnalysisError, Finding
from auth_review.analyzers.project import Project
from auth_review.analyzers.source import SourceError, decode

from .fetch import Sources


@dataclass
class Analysis:
    new: list[Finding] = field(default_factory=list)
    existing: int = 0  # findings already present at the base
    errors: list[AnalysisError] = field(default_factory=list)
    files: int = 0
    found: dict[str, list[Finding]] = field(default_factory=dict)  # every finding at head, new or not, by path

    @property
    def analysed(self) -> set[str]:
        """Paths whose head version was analysed."""
        return set(self.found)

    @property
    def present(self) -> set[str]:
        """Every fingerprint at head, new or not."""
        return {f.fingerprint for findings in self.found.values() for f in findings}


def analysis_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """Processes for analysing files in parallel, created once per worker.

    ``forkserver``: forking the threaded server process directly could copy a held lock.
    """
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1,
                               mp_context=multiprocessing.get_context("forkserver"))


Task = tuple[str, bytes, bool]  # path, file version, is it the head version


def new_findings(sources: Sources, config: Config, pool: Executor | None = None,
                 admits: Callable[[Finding], bool] | None = None) -> Analysis:
    """Findings at head that the base lacks; ``admits`` drops findings the operator tuned away."""
    result = Analysis(files=len(sources.head))
    paths = sorted(sources.head)
    tasks: list[Task] = [(path, sources.head[path], True) for path in paths]
    tasks += [(path, sources.base[path], False) for path in paths if path in sources.base]
    # Batches per side (head, base): each carries its commit's Python files once and builds a Project
    # from them, so a side is split over the processes only when it has enough files to pay for that.
    split = max(1, min(os.cpu_count() or 1, len(tasks) // 8)) if pool is not None else 1
    batches = [(tree, config, side[i::split])
               for tree, side in ((sources.head_tree, [t for t in tasks if t[2]]),
                                  (sources.base_tree, [t for t in tasks if not t[2]]))
               for i in range(split) if side[i::split]]
    if pool is not None and len(batches) > 1:
        done = list(pool.map(_analyze_batch, batches))  # type: ignore[union-attr]
    else:
        done = [_analyze_batch(batch) for batch in batches]
    outcomes = {(path, is_head): outcome for (_, _, batch), results in zip(batches, done)
                for (path, _, is_head), outcome in zip(batch, results)}
    head_of: dict[str, list[Finding] | None] = {}
    base_of: dict[str, list[Finding] | None] = {}
    for (path, _, is_head) in tasks:
        findings, errors = outcomes[(path, is_head)]
        if findings is not None and admits is not None:
            findings = [f for f in findings if admits(f)]
        if is_head:
            head_of[path] = findings
            result.errors.extend(errors)
        else:
            base_of[path] = findings
    for path in paths:
        head = head_of.get(path)
        if head is None:
            continue
        result.found[path] = head
        before = {f.fingerprint for f in base_of.get(path) or []}
        for finding in head:
            if finding.fingerprint in before:
                result.existing += 1
            else:
                result.new.append(finding)
    for path, reason in sources.skipped.items():
        result.errors.append(AnalysisError(path, f"not analysed: {reason}"))
    return result


Outcome = tuple[list[Finding] | None, list[AnalysisError]]


def _analyze_batch(batch: tuple[dict[str, bytes] | None, Config, list[Task]]) -> list[Outcome]:
    """File versions of one commit, judged with that commit's files as project context (read on demand,
    parsed through the process-wide cache). Runs in a pool process."""
    tree, config, tasks = batch
    project = None
    if tree is not None:
        files = {**tree, **{path: data for path, data, _ in tasks}}  # a renamed file under its head path
        project = Project(sorted(files), files.__getitem__, config)
    rules = enabled_rules(config)
    outcomes: list[Outcome] = []
    for path, data, _ in tasks:
        try:
            source = decode(path, data, config.max_file_size)
        except SourceError as exc:
            outcomes.append((None, [AnalysisError(path, str(exc))]))
            continue
        try:
            result = analyze_source(source, config, rules, project)
        except Exception as exc:  # a rule bug costs this file, never the review
            outcomes.append((None, [AnalysisError(path, f"internal error: {type(exc).__name__}: {exc}")]))
            continue
        outcomes.append((result.findings, result.errors))
    return outcomes
