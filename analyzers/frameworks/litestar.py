"""Litestar: ``@get``/``@post``/``@route`` handler decorators (plain functions of the package), ``Controller``
classes with their ``path``, and ``guards=[...]`` at the handler, controller, router or app level.

Handler parameters are declared and read from the path, query or body (``data``) by name and type.
"""

from __future__ import annotations

import re

import libcst as cst

from ..context import FileContext
from .concepts import Framework, Guard, Route
from .guards import checks_role, definition, guard_for_decorator, guards_in_body, looks_like_role

NAME = Framework.LITESTAR
OWNERS: tuple[str, ...] = ()
BARE = tuple(f"{package}.{verb}" for package in ("litestar", "litestar.handlers", "litestar.handlers.http_handlers")
             for verb in ("get", "post", "put", "patch", "delete", "route", "head"))
MARKER = re.compile(r"\bController\b")
_CONTROLLERS = frozenset({"litestar.Controller", "litestar.controller.Controller"})


def decorator_guards(ctx: FileContext, call: cst.Call, function: cst.FunctionDef) -> list[Guard]:
    """``guards=[requires_admin]`` on the handler: each guard raises ``NotAuthorizedException`` when it refuses."""
    return _listed_guards(ctx, ctx.argument(call, "guards"), "route")


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
                route.guards += decorator_guards(ctx, call, member) + class_guards + guards_in_body(ctx, member)
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
