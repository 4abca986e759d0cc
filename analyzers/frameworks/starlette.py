"""Starlette: ``Route(...)``/``Mount(...)`` tables across modules, ``HTTPEndpoint`` classes, ``@requires``.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ..context import FileContext
from ..walk import walk
from .concepts import HTTP_METHODS, Framework, Route
from .guards import class_method, guard_for_decorator, guards_in_body
from .tables import project_table

NAME = Framework.STARLETTE
# An app whose ``.route`` decorator registers routes (Starlette < 1.0).
OWNERS = ("starlette.applications.Starlette()",)
_HTTP_ENDPOINT = frozenset({"starlette.endpoints.HTTPEndpoint"})


_STARLETTE_ROUTE = frozenset({"starlette.routing.Route", "starlette.routing.WebSocketRoute"})


_STARLETTE_MOUNT = frozenset({"starlette.routing.Mount", "starlette.routing.Host"})


@dataclass(frozen=True)
class StarletteEntry:
    """One ``Route(path, endpoint, methods=...)`` of a route table, with its ``Mount`` prefixes joined."""

    endpoint: str  # qualified name of the endpoint function or class
    path: str
    methods: tuple[str, ...]


def table_routes(ctx: FileContext, seen: set[int]) -> list[Route]:
    """Endpoints named in ``Route(...)`` tables (this file's or, with a project, any module's): functions
    and ``HTTPEndpoint`` subclasses, guarded by ``@requires`` or a check in the body."""
    module = ctx.index.module_name
    table = {e.endpoint: e for e in starlette_table(ctx) if e.endpoint.rpartition(".")[0] == module}
    routes = []
    for name, function in ctx.index.functions.items():
        entry = table.get(f"{module}.{name}")
        if entry is None or id(function) in seen:
            continue
        route = Route(NAME, entry.methods or ("GET",), entry.path, function, None)
        route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
        route.guards += guards_in_body(ctx, function)
        routes.append(route)
    for cls in ctx.index.classes.values():
        if not any(ctx.qualname(base.value) in _HTTP_ENDPOINT for base in cls.bases):
            continue
        entry = table.get(f"{module}.{cls.name.value}")
        for method in HTTP_METHODS:
            function = class_method(cls, method)
            if function is None:
                continue
            route = Route(NAME, (method.upper(),), entry.path if entry else None, function, None, view_class=cls)
            route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
            route.guards += [g for d in cls.decorators if (g := guard_for_decorator(ctx, d))]
            route.guards += guards_in_body(ctx, function)
            routes.append(route)
    return routes


def _route_table(ctx: FileContext) -> list[StarletteEntry]:
    if "Route" not in ctx.source.text:
        return []
    prefixes: dict[int, str] = {}  # id(Route or Mount call) -> the joined prefix of the Mounts around it
    calls = [n for n in walk(ctx.module) if isinstance(n, cst.Call)]
    for call in calls:  # pre-order: an outer Mount is met before the Mounts inside it
        if ctx.qualname(call.func) in _STARLETTE_MOUNT:
            prefix = prefixes.get(id(call), "") + (ctx.string(ctx.argument(call, "path", 0)) or "").rstrip("/")
            for inner in _routes_of(ctx, ctx.argument(call, "routes", 2)):
                prefixes.setdefault(id(inner), prefix)
    entries = []
    for call in calls:
        if ctx.qualname(call.func) not in _STARLETTE_ROUTE:
            continue
        endpoint = ctx.argument(call, "endpoint", 1)
        target = ctx.qualname(endpoint) if endpoint is not None else None
        path = ctx.string(ctx.argument(call, "path", 0))
        if not target or path is None:
            continue
        listed = ctx.literal(ctx.argument(call, "methods"))
        methods = tuple(str(m).upper() for m in listed) if isinstance(listed, (list, tuple)) else ()
        entries.append(StarletteEntry(target, prefixes.get(id(call), "") + path, methods))
    return entries


def _routes_of(ctx: FileContext, value: cst.BaseExpression | None) -> list[cst.Call]:
    """The calls listed in a ``routes=`` value (a list literal, or a name bound to one)."""
    if isinstance(value, cst.Name):
        value = ctx.value_of(value)
    if not isinstance(value, (cst.List, cst.Tuple)):
        return []
    return [e.value for e in value.elements if isinstance(e.value, cst.Call)]


# Every Starlette route table entry of the project (built once), or of this file alone.
starlette_table = project_table("starlette_table", ("starlette",), _route_table)
