"""Shared test helpers: run one rule on a snippet, apply fixes, read the framework model."""

from __future__ import annotations

import textwrap

import libcst as cst

from auth_review.analyzers.config import Config
from auth_review.analyzers.context import FileContext
from auth_review.analyzers.engine import run_rules
from auth_review.analyzers.findings import Finding, assign_fingerprints
from auth_review.analyzers.frameworks import Route, file_routes
from auth_review.analyzers.project import Project
from auth_review.analyzers.rule import Rule
from auth_review.analyzers.source import Source

CONFIG = Config(test_paths=())


def findings_for(rule: type[Rule], code: str, path: str = "example.py", config: Config = CONFIG) -> list[Finding]:
    code = textwrap.dedent(code)
    source = Source(path=path, data=code.encode(), text=code)
    found = [f for f in run_rules(source, config, [rule]) if f.rule_id == rule.id]
    assign_fingerprints(found)
    return found


# --- the framework model on snippets and small projects -------------------------------------------------------------

def snippet_context(code: str, path: str = "app/views.py") -> FileContext:
    code = textwrap.dedent(code)
    return FileContext(Source(path, code.encode(), code), cst.parse_module(code), Config())


def snippet_routes(code: str) -> dict[str, Route]:
    """The routes of one file, by label (``GET /notes/<id>``)."""
    return {r.label: r for r in file_routes(snippet_context(code))}


def project_routes(files: dict[str, str], path: str) -> dict[str, Route]:
    """The routes of ``path`` judged with the other ``files`` of its project, by label."""
    data = {p: textwrap.dedent(t).encode() for p, t in files.items()}
    project = Project(sorted(data), data.__getitem__, Config())
    ctx = project.context_for_path(path)
    assert ctx is not None
    return {r.label: r for r in file_routes(ctx)}


def guard_names(route: Route) -> list[str]:
    return [g.name for g in route.guards]
