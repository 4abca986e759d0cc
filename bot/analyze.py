"""Step 5: analyse the changed files at head and base; keep what the pull request introduces.

A finding is new when its fingerprint is absent at the base. The base
version is analysed under the head path, so renaming a file does not make
its old findings look new. Every fingerprint present at head is kept too,
so the feedback loop can tell which commented findings a push removed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
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
    present: set[str] = field(default_factory=set)  # every fingerprint at head, new or not
    analysed: set[str] = field(default_factory=set)  # paths whose head version was analysed


def analysis_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """Processes for analysing files in parallel, created once per worker.

    ``forkserver``: forking the threaded server process directly could copy a held lock.
    """
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1,
                               mp_context=multiprocessing.get_context("forkserver"))


def new_findings(sources: Sources, config: Config, pool: Executor | None = None,
                 admits: Callable[[Finding], bool] | None = None) -> Analysis:
    """Findings at head that the base lacks; ``admits`` drops findings the operator tuned away."""
    result = Analysis(files=len(sources.head))
    paths = sorted(sources.head)
    tasks = [(path, sources.head[path], config, True) for path in paths]
    tasks += [(path, sources.base[path], config, False) for path in paths if path in sources.base]
    if pool is not None and len(tasks) > 1:
        outcomes = list(pool.map(_analyze_task, tasks))
    else:
        outcomes = [_analyze_task(task) for task in tasks]
    head_of: dict[str, list[Finding] | None] = {}
    base_of: dict[str, list[Finding] | None] = {}
    for (path, _, _, is_head), (findings, errors) in zip(tasks, outcomes):
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
        result.analysed.add(path)
        result.present.update(f.fingerprint for f in head)
        before = {f.fingerprint for f in base_of.get(path) or []}
        for finding in head:
            if finding.fingerprint in before:
                result.existing += 1
            else:
                result.new.append(finding)
    for path, reason in sources.skipped.items():
        result.errors.append(AnalysisError(path, f"not analysed: {reason}"))
    return result


def _analyze_task(task: tuple[str, bytes, Config, bool]) -> tuple[list[Finding] | None, list[AnalysisError]]:
    """One file version: its findings (None if it could not be read) and errors. Runs in a pool process."""
    path, data, config, _ = task
    try:
        source = decode(path, data, config.max_file_size)
    except SourceError as exc:
        return None, [AnalysisError(path, str(exc))]
    result = analyze_source(source, config, enabled_rules(config))
    return result.findings, result.errors
