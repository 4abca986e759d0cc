"""Step 5: analyse the changed files at head and base; keep what the pull request introduces.

A finding is new when its fingerprint is absent at the base. The base
version is analysed under the head path, so renaming a file does not make
its old findings look new. Every finding at head is kept too, so the
feedback loop can tell which commented findings a push removed (or a rename moved).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from auth_review.analyzers.config import Config
from auth_review.analyzers.engine import analyze_source, enabled_rules
from auth_review.analyzers.findings import AnalysisError, Finding
from auth_review.analyzers.isolate import Batch, Failure, Limits, Sandbox
from auth_review.analyzers.project import Project
from auth_review.analyzers.rule import Rule
from auth_review.analyzers.source import SourceError, decode

from .fetch import Sources, is_python

log = logging.getLogger("auth_review.analyze")


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


def analysis_sandbox(limits: Limits, workers: int | None = None) -> Sandbox:
    """Processes that analyse pull request files one at a time, under ``limits``; created once per worker.

    ``forkserver``: forking the threaded server process directly could copy a held lock; the fork server
    imports the analyzers once, so a child that a hostile file killed is replaced in milliseconds.
    """
    return Sandbox(workers or os.cpu_count() or 1, limits, method="forkserver", preload=(__name__,))


Task = tuple[str, bytes]  # path, file version


def new_findings(sources: Sources, config: Config, pool: Sandbox | None = None,
                 admits: Callable[[Finding], bool] | None = None) -> Analysis:
    """Findings at head that the base lacks; ``admits`` drops findings the operator tuned away.

    With ``pool`` every file is analysed in a child process (the bot always passes one); without it,
    in this thread (tests of the logic around the analysis).
    """
    result = Analysis(files=len(sources.head))
    paths = sorted(sources.head)
    # One batch per side: each carries its commit's Python files once per child and builds a Project from
    # them (a renamed file's base version is judged under its head path).
    sides = [(True, sources.head_tree, [(path, sources.head[path]) for path in paths]),
             (False, sources.base_tree, [(path, sources.base[path]) for path in paths if path in sources.base])]
    batches = [Batch(_side_state, (tree, config, dict(tasks)), _analyze_one, tasks) for _, tree, tasks in sides if tasks]
    heads = [is_head for is_head, _, tasks in sides if tasks]
    outcomes: dict[tuple[str, bool], Outcome] = {}
    if pool is not None:
        for b, i, outcome in pool.run(batches):
            path = batches[b].items[i][0]
            if isinstance(outcome, Failure):
                log.warning("file not analysed", extra={"path": path, "head": heads[b], "reason": outcome.reason})
                outcome = (None, [AnalysisError(path, outcome.reason)])
            outcomes[(path, heads[b])] = outcome
    else:
        for batch, is_head in zip(batches, heads, strict=False):
            state = _side_state(*batch.args)
            for task in batch.items:
                outcomes[(task[0], is_head)] = _analyze_one(state, task)
    head_of: dict[str, list[Finding] | None] = {}
    base_of: dict[str, list[Finding] | None] = {}
    for (path, is_head), (findings, errors) in sorted(outcomes.items()):
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
_State = tuple[Project | None, Config, list[type[Rule]]]


def _side_state(tree: dict[str, bytes] | None, config: Config, versions: dict[str, bytes]) -> _State:
    """A commit's project context (its files read on demand, parsed through the process-wide cache)."""
    project = None
    if tree is not None:
        files = {**tree, **versions}  # a renamed file under its head path
        # The project's modules are its Python files; its OpenAPI documents are read through it by path.
        project = Project(sorted(p for p in files if is_python(p)), files.__getitem__, config)
    return project, config, enabled_rules(config)


def _analyze_one(state: _State, task: Task) -> Outcome:
    """One file version, judged in its commit's project. Runs in a sandboxed child process."""
    project, config, rules = state
    path, data = task
    try:
        source = decode(path, data, config.max_file_size)
    except SourceError as exc:
        return None, [AnalysisError(path, str(exc))]
    try:
        result = analyze_source(source, config, rules, project)
    except Exception as exc:  # a bug outside the rules costs this file, never the review
        return None, [AnalysisError(path, f"internal error: {type(exc).__name__}: {exc}")]
    analysed = all(e.analysed for e in result.errors)
    return (result.findings if analysed else None), result.errors
