"""Litestar: ``@get``/``@post``/``@route`` handler decorators (plain functions of the package), ``Controller``
classes with their ``path``, and ``guards=[...]`` at the handler, controller, router or app level.

Handler parameters are declared and read from the path, query or body (``data``) by name and type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ..context import FileContext
from ..project import Project, ProjectFact
from ..walk import walk
from .concepts import Framework, Guard, Route
from .guards import checks_role, definition, guard_for_decorator, guards_in_body, looks_like_role

NAME = Framework.LITESTAR
OWNERS: tuple[str, ...] = ()
BARE = tuple(f"{package}.{verb}" for package in ("litestar", "litestar.handlers", "litestar.handlers.http_handlers")
             for verb in ("get", "post", "put", "patch", "delete", "route", "head"))
MARKER = re.compile(r"Controller")
_CONTROLLERS = frozenset({"litestar.Controller", "litestar.controller.Controller"})


def decorator_guards(ctx: FileContext, call: cst.Call, function: cst.FunctionDef) -> list[Guard]:
    """``guards=[requires_admin]`` on the handler (each guard raises ``NotAuthorizedException`` when it
    refuses), and the app's own guards and authentication backend when the path is not excluded."""
    return _listed_guards(ctx, ctx.argument(call, "guards"), "route") + \
        app_guards(ctx, ctx.string(ctx.argument(call, "path", 0)) or "")


@dataclass(frozen=True)
class _AppAuth:
    guards: tuple[Guard, ...]
    exclude: tuple[str, ...]  # regexes of paths the authentication backend lets through


def app_guards(ctx: FileContext, path: str) -> list[Guard]:
    """``Litestar(guards=[...])`` and ``Litestar(on_app_init=[jwt_auth.on_app_init])`` anywhere in the project
    (or this file): they stand before every handler, except paths the backend's ``exclude=`` lists."""
    project = ctx.project
    apps = _PROJECT_APPS.get(project) if project is not None else _apps(ctx)
    found: list[Guard] = []
    for app in apps:
        if not any(_excluded(pattern, path) for pattern in app.exclude):
            found += app.guards
    return found


def _excluded(pattern: str, path: str) -> bool:
    try:
        return re.search(pattern, path) is not None
    except re.error:
        return pattern == path


def _apps(ctx: FileContext) -> list[_AppAuth]:
    found = []
    for node in walk(ctx.module):
        if not (isinstance(node, cst.Call) and ctx.qualname(node.func) in _APPS):
            continue
        guards = _listed_guards(ctx, ctx.argument(node, "guards"), "app")
        exclude: list[str] = []
        hooks = ctx.argument(node, "on_app_init")
        if isinstance(hooks, cst.Name):
            hooks = ctx.module_value(hooks)
        for element in hooks.elements if isinstance(hooks, (cst.List, cst.Tuple)) else ():
            value = element.value
            resolved = _backend(ctx, value.value) if isinstance(value, cst.Attribute) else None
            if resolved is not None:
                where, backend = resolved
                guards.append(Guard("middleware", f"{ctx.code(value)}", "app"))
                listed = where.literal(where.argument(backend, "exclude"))
                exclude += [listed] if isinstance(listed, str) else \
                    [p for p in listed if isinstance(p, str)] if isinstance(listed, (list, tuple)) else []
        if guards:
            found.append(_AppAuth(tuple(guards), tuple(exclude)))
    return found


def _backend(ctx: FileContext, name: cst.BaseExpression) -> tuple[FileContext, cst.Call] | None:
    """``jwt_auth`` bound to ``JWTAuth[User](...)`` here or in the module it is imported from."""
    where, value = ctx, ctx.module_value(name)
    if value is None and ctx.project is not None and (qual := ctx.qualname(name)):
        found = ctx.project.binding(qual)
        if found is not None:
            where, value = found
    if not isinstance(value, cst.Call):
        return None
    func = value.func.value if isinstance(value.func, cst.Subscript) else value.func  # JWTAuth[User](...)
    return (where, value) if (where.qualname(func) or "").rpartition(".")[2] in _BACKENDS else None


def _project_apps(project: Project) -> list[_AppAuth]:
    return [a for other in project.contexts_mentioning("Litestar(") for a in _apps(other)]


_PROJECT_APPS = ProjectFact("litestar_apps", _project_apps)
_APPS = frozenset({"litestar.Litestar", "litestar.app.Litestar"})
# Authentication backends whose on_app_init installs a middleware that refuses anonymous requests.
_BACKENDS = frozenset({"JWTAuth", "JWTCookieAuth", "OAuth2PasswordBearerAuth", "SessionAuth"})


def _listed_guards(ctx: FileContext, listed: cst.BaseExpression | None, level: str) -> list[Guard]:
    if isinstance(listed, cst.Name):
        listed = ctx.value_of(listed)
    if not isinstance(listed, (cst.List, cst.Tuple)):
        return []
    guards = []
    for element in listed.elements:
        text = ctx.code(element.value)
        found = definition(ctx, element.value)
        role = looks_like_role(text)
        guards.append(Guard("dependency", f"guards=[{text}]", level, role=role or found is not None and _checks_role(found)))
    return guards


def _checks_role(found: tuple[FileContext, cst.FunctionDef]) -> bool:
    return checks_role(*found)  # a guard that refuses on a role: ``if not connection.user.is_admin: raise``


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """The handlers of ``Controller`` classes: their path joins the controller's ``path``; the controller's
    ``guards`` stand before each."""
    found: list[Route] = []
    for cls in ctx.index.classes.values():
        if not any(ctx.qualname(base.value) in _CONTROLLERS for base in cls.bases):
            continue
        prefix = ""
        class_guards: list[Guard] = []
        for statement in cls.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        names = {t.value for t in targets if isinstance(t, cst.Name)}
                        if "path" in names:
                            prefix = ctx.string(small.value) or ""
                        if "guards" in names:
                            class_guards += _listed_guards(ctx, small.value, "router")
        for member in cls.body.body:
            if not isinstance(member, cst.FunctionDef):
                continue
            for decorator in member.decorators:
                declared = _handler_decorator(ctx, decorator)
                if declared is None:
                    continue
                path, methods, call = declared
                route = Route(NAME, methods, prefix.rstrip("/") + (path or ""), member, None, view_class=cls)
                route.guards += [g for d in member.decorators if (g := guard_for_decorator(ctx, d))]
                route.guards += _listed_guards(ctx, ctx.argument(call, "guards"), "route") + class_guards
                route.guards += app_guards(ctx, route.path or "") + guards_in_body(ctx, member)
                found.append(route)
    return found


def _handler_decorator(ctx: FileContext, decorator: cst.Decorator) -> tuple[str | None, tuple[str, ...], cst.Call] | None:
    """``@get("/{id:int}")``, ``@route("/x", http_method=["GET", "POST"])``: (path, methods, call)."""
    expr = decorator.decorator
    if not isinstance(expr, cst.Call) or (ctx.qualname(expr.func) or "") not in BARE:
        return None
    verb = (ctx.qualname(expr.func) or "").rpartition(".")[2]
    path = ctx.string(ctx.argument(expr, "path", 0))
    if verb != "route":
        return path, (verb.upper(),), expr
    listed = ctx.literal(ctx.argument(expr, "http_method"))
    methods = (listed,) if isinstance(listed, str) else tuple(m for m in listed if isinstance(m, str)) \
        if isinstance(listed, (list, tuple)) else ("GET",)
    return path, tuple(m.upper() for m in methods), expr
