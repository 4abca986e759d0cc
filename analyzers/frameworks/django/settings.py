"""Django settings: ``DEFAULT_PERMISSION_CLASSES``, ``LoginRequiredMiddleware`` and the defaults they give routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from ...context import FileContext
from ...project import Project, ProjectFact
from ...walk import walk
from ..concepts import Framework, Guard
from .model import (
    _LOGIN_MIDDLEWARE,
    DjangoRoute,
    _top_statements,
    _top_targets,
)
from .permissions import _NONE, Coverage, _add_permission_guards, _qualified_coverage


@dataclass(frozen=True)
class Settings:
    """What a settings module says about access: its urlconf, login middleware and DRF defaults."""

    module: str
    root_urlconf: str | None
    login_middleware: str | None
    default_permissions: tuple[str, ...] | None  # None: unset (DRF's AllowAny)


def settings_modules(project: Project) -> list[Settings]:
    """Settings modules: those ``DJANGO_SETTINGS_MODULE`` names in manage.py/wsgi.py/asgi.py when any exist,
    else every module named ``settings``/``settings*``/``settings/*`` that no other one star-imports (a base)."""
    return _SETTINGS.get(project)


def _settings_modules(project: Project) -> list[Settings]:
    names: list[str] = []
    for path in project.files:  # DJANGO_SETTINGS_MODULE first
        tail = path.replace("\\", "/").rsplit("/", 1)[-1]
        if tail in ("manage.py", "wsgi.py", "asgi.py"):
            ctx = project.context_for_path(path)
            named = _settings_module_named(ctx) if ctx is not None else None
            if named is not None and named not in names:
                names.append(named)
    declared = set(names)
    for path in project.files:
        parts = path.replace("\\", "/").removesuffix(".py").split("/")
        if any(p == "settings" or p.startswith("settings") for p in parts) and not parts[-1].startswith("test"):
            ctx = project.context_for_path(path)
            if ctx is not None and ctx.index.module_name not in names and not ctx.is_test:
                names.append(ctx.index.module_name)
    found: list[Settings] = []
    imports: dict[str, set[str]] = {}
    for name in names:
        ctx = project.context_for_module(name)
        if ctx is not None and _is_settings(ctx):
            found.append(_read_settings(ctx))
            imports[name] = _star_imports(ctx)
    chosen = [s for s in found if s.module in declared] or found
    bases = set().union(*(imports[s.module] for s in chosen))
    return [s for s in chosen if s.module not in bases] or chosen


_SETTINGS = ProjectFact("django.settings", _settings_modules)


def _star_imports(ctx: FileContext) -> set[str]:
    found = set()
    for statement in _top_statements(ctx.module):
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                module = ctx.dotted_name(small.module) if small.module is not None else ""
                found.add(ctx.index._absolute(len(small.relative), module or ""))
    return found


def _settings_module_named(ctx: FileContext) -> str | None:
    for node in walk(ctx.module):
        if isinstance(node, cst.Call) and len(node.args) >= 2 and \
                ctx.string(node.args[0].value) == "DJANGO_SETTINGS_MODULE":
            return ctx.string(node.args[1].value)
        if isinstance(node, cst.Assign) and isinstance(node.targets[0].target, cst.Subscript) \
                and "DJANGO_SETTINGS_MODULE" in ctx.code(node.targets[0].target):
            return ctx.string(node.value)
    return None


def _is_settings(ctx: FileContext) -> bool:
    names = {"MIDDLEWARE", "INSTALLED_APPS", "ROOT_URLCONF", "REST_FRAMEWORK", "SECRET_KEY", "DATABASES"}
    if any(isinstance(t, cst.Name) and t.value in names for t in _top_targets(ctx)):
        return True
    return any(isinstance(s.body[0], cst.ImportFrom) and isinstance(s.body[0].names, cst.ImportStar)
               for s in _top_statements(ctx.module))


def _read_settings(ctx: FileContext) -> Settings:
    values: dict[str, Any] = {}
    collect_settings(ctx, values)
    middleware = values.get("MIDDLEWARE", values.get("MIDDLEWARE_CLASSES"))
    middleware = middleware if isinstance(middleware, (list, tuple)) else []
    login = next((m for m in middleware if isinstance(m, str) and _is_login_middleware(ctx, m)), None)
    rest = values.get("REST_FRAMEWORK")
    permissions: tuple[str, ...] | None = None
    if "REST_FRAMEWORK" in values and not isinstance(rest, dict):
        permissions = ("?",)  # built in code: unknown, taken as a guard by _known_coverage
    elif isinstance(rest, dict) and "DEFAULT_PERMISSION_CLASSES" in rest:
        defaults = rest["DEFAULT_PERMISSION_CLASSES"]
        permissions = tuple(str(d) for d in defaults) if isinstance(defaults, (list, tuple)) else ("?",)
    root = values.get("ROOT_URLCONF")
    return Settings(ctx.index.module_name, root if isinstance(root, str) else None, login, permissions)


def _is_login_middleware(ctx: FileContext, name: str) -> bool:
    if name in _LOGIN_MIDDLEWARE:
        return True
    if ctx.project is None or not name.rsplit(".", 1)[-1].endswith("LoginRequiredMiddleware"):
        return False
    found = ctx.project.definition(name)  # the project's own: trust it when it reads the user
    return found is not None and "is_authenticated" in found[0].code(found[1])


def collect_settings(ctx: FileContext, values: dict[str, Any], depth: int = 0) -> None:
    """Module-level settings of ``ctx`` into ``values``, in order, following ``from .base import *`` (later values
    win)."""
    for statement in _top_statements(ctx.module):
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar) and depth < 4 \
                    and ctx.project is not None:
                base = ctx.index._absolute(len(small.relative),
                                           ctx.dotted_name(small.module) or "" if small.module else "")
                other = ctx.project.context_for_module(base)
                if other is not None and other is not ctx:
                    collect_settings(other, values, depth + 1)
            elif isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name) and target.target.value.isupper():
                        values[target.target.value] = ctx.literal(small.value)
                    elif isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name):
                        _set_item(ctx, values, target.target, small.value)
            elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                extra = ctx.literal(small.value)
                current = values.get(small.target.value)
                if isinstance(current, (list, tuple)) and isinstance(extra, (list, tuple)):
                    values[small.target.value] = [*current, *extra]
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) \
                    and isinstance(small.value.func, cst.Attribute) and isinstance(small.value.func.value, cst.Name):
                current = values.get(small.value.func.value.value)
                args = [ctx.literal(a.value) for a in small.value.args]
                if isinstance(current, list) and small.value.func.attr.value in ("append", "insert") and args:
                    values[small.value.func.value.value] = [*current, args[-1]]


def _set_item(ctx: FileContext, values: dict[str, Any], target: cst.Subscript, value: cst.BaseExpression) -> None:
    """``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = (...)``."""
    container = values.get(target.value.value)  # type: ignore[attr-defined]
    element = target.slice[0].slice if target.slice else None
    if isinstance(container, dict) and isinstance(element, cst.Index):
        key = ctx.literal(element.value)
        if isinstance(key, str):
            container[key] = ctx.literal(value)


def _applicable_settings(ctx: FileContext, route: DjangoRoute) -> list[Settings]:
    if ctx.project is None:
        return []
    found = settings_modules(ctx.project)
    if route.root is not None:
        matching = [s for s in found if s.root_urlconf == route.root]
        if matching:
            return matching
    return found


def _apply_defaults(ctx: FileContext, route: DjangoRoute) -> None:
    """``DEFAULT_PERMISSION_CLASSES`` for DRF views without their own; ``LoginRequiredMiddleware`` for Django ones.

    With several settings modules that may serve the route, a default counts only when all of them set it.
    """
    applicable = _applicable_settings(ctx, route)
    route.settings_known = bool(applicable)
    if not applicable:
        return
    if route.framework == Framework.DRF:
        if route.permissions_declared and not route.default_methods:
            return
        coverage: Coverage | None = None
        for settings in applicable:
            one = _NONE if settings.default_permissions is None else _settings_coverage(ctx, settings)
            coverage = one if coverage is None else coverage.either(one)
        scope = frozenset(route.default_methods) if route.default_methods else None
        _add_permission_guards(route, coverage, "app", scope, "DEFAULT_PERMISSION_CLASSES: ")
        return
    if all(s.login_middleware for s in applicable) and not any("login_not_required" in e or "public" in e
                                                               for e in route.exempt):
        tail = applicable[0].login_middleware.rsplit(".", 1)[-1]  # type: ignore[union-attr]
        route.guards.append(Guard("middleware", tail, "app"))


def _settings_coverage(ctx: FileContext, settings: Settings) -> Coverage:
    coverage = Coverage(frozenset(), frozenset(), (), True)
    settings_ctx = ctx.project.context_for_module(settings.module) if ctx.project is not None else None
    for name in settings.default_permissions or ():
        coverage = coverage.both(_qualified_coverage(settings_ctx or ctx, name))
    return coverage


def guards_by_method(route: DjangoRoute) -> dict[str, list[Guard]]:
    """Every method of the route and the guards that cover it (for messages and tests)."""
    return {m: route.guards_for(m) for m in route._methods()}
