"""The import graph: acyclic, layered, and every import at module level.

Read from the source with ``ast`` (nothing is imported), so a cycle that Python happens to tolerate
today, because of the order modules load in, still fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("analyzers", "bot")
# Imports inside functions, each with its reason. Nothing else may import lazily.
LAZY_ALLOWED = {
    # `auth-review scan` (analyzers only) must not pay for the web server, githubkit and the database.
    "auth_review.bot.cli",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("auth_review", *parts))


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if _is_package(module) else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[str, ast.stmt, bool]]:
    """(imported auth_review module, statement, at module level) for every import of ``module``."""
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    top = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            # ``from pkg import name``: the submodule pkg.name, unless pkg's __init__ binds that name itself.
            subs = [f"{base}.{a.name}" for a in node.names
                    if f"{base}.{a.name}" in MODULES and a.name not in _bound_in_init(base)]
            targets = subs if subs and len(subs) == len(node.names) else [base, *subs]
        for target in targets:
            # A module's own packages are initialised before it runs: importing them is no edge.
            if target in MODULES and not module.startswith(target + "."):
                found.append((target, node, id(node) in top))
    return found


def _bound_in_init(package: str) -> set[str]:
    if package not in MODULES or not _is_package(package):
        return set()
    bound: set[str] = set()
    for node in ast.parse(MODULES[package].read_text("utf-8")).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Assign):
            bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return bound


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        edges = graph.setdefault(module, set())
        for target, _, _ in _imports(module):
            if target != module:
                edges.add(target)
            # Importing a.b.c runs a/__init__ and a/b/__init__ first.
            parts = target.split(".")
            edges.update(".".join(parts[:i]) for i in range(2, len(parts)) if ".".join(parts[:i]) in MODULES
                         and ".".join(parts[:i]) != module and not module.startswith(".".join(parts[:i]) + "."))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_is_acyclic() -> None:
    assert _cycle(_graph()) is None, " -> ".join(_cycle(_graph()) or [])


def test_the_cycle_check_sees_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_analyzers_never_import_bot() -> None:
    wrong = [(m, t) for m in MODULES if m.startswith("auth_review.analyzers")
             for t, _, _ in _imports(m) if t.startswith("auth_review.bot")]
    assert wrong == []


def test_rules_reach_the_framework_model_only_through_its_package() -> None:
    wrong = [(m, t) for m in MODULES if m.startswith("auth_review.analyzers.rules")
             for t, _, _ in _imports(m) if t.startswith("auth_review.analyzers.frameworks.")]
    assert wrong == []


def test_the_framework_model_never_imports_rules() -> None:
    wrong = [(m, t) for m in MODULES if m.startswith("auth_review.analyzers.frameworks")
             for t, _, _ in _imports(m) if t.startswith("auth_review.analyzers.rules")]
    assert wrong == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_are_at_module_level(module: str) -> None:
    if module in LAZY_ALLOWED:
        return
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    lazy = [f"line {n.lineno}" for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
            for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert lazy == [], f"{module} imports inside a function: {', '.join(lazy)}"
