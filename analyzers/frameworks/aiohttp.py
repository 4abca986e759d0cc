"""aiohttp: ``RouteTableDef`` decorators, ``router.add_get``/``add_route``/``add_view``, ``app.add_routes([web.get(...)])``
tables (in any module of the project), ``web.View`` classes, and middlewares that refuse the caller.

aiohttp-security's ``check_authorized``/``check_permission`` are read by the neutral guards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ..context import FileContext
from ..walk import walk
from .concepts import HTTP_METHODS, Framework, Guard, Route
from .guards import class_method, definition, guard_for_decorator, guards_in_body, wraps_a_guard
from .tables import project_table

NAME = Framework.AIOHTTP
# Objects whose ``.get``/``.post``/``.route`` decorators register routes.
OWNERS = ("aiohttp.web.RouteTableDef()", "aiohttp.web_routedef.RouteTableDef()")
# No \b in markers: a literal is searched fast, a word boundary is tried at every position.
MARKER = re.compile(r"aiohttp")

_ROUTEDEF = ("aiohttp.web.", "aiohttp.web_routedef.")
_VIEW_BASES = frozenset({"aiohttp.web.View", "aiohttp.web_urldispatcher.View", "aiohttp.web_views.View"})
_APPLICATION = frozenset({"aiohttp.web.Application", "aiohttp.web_app.Application"})
# router.add_get(path, handler) ... ; add_route(method, path, handler); add_view(path, View)
_ADDERS = {f"add_{m}": m.upper() for m in HTTP_METHODS} | {"add_route": "", "add_view": "*"}


@dataclass(frozen=True)
class AiohttpEntry:
    """One route of a table: the handler's qualified name (``pkg.views.index``, ``pkg.views.Handler().index``)."""

    endpoint: str
    path: str | None
    methods: tuple[str, ...]  # ("*",): a class-based view, one route per method it defines


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """This file's handlers that a route table (here or in another module) names, and decorated views."""
    module = ctx.index.module_name
    app_guards = middleware_guards(ctx)
    found: list[Route] = []
    by_name: dict[str, list[AiohttpEntry]] = {}
    for entry in aiohttp_table(ctx):
        by_name.setdefault(entry.endpoint, []).append(entry)
    for name, function in ctx.index.functions.items():
        for entry in by_name.get(f"{module}.{name}", []):
            found.append(_route(ctx, function, entry.methods, entry.path, None, app_guards))
    for cls in ctx.index.classes.values():
        entries = by_name.get(f"{module}.{cls.name.value}", []) + _decorated_view(ctx, cls, owner_guards)
        is_view = any(ctx.qualname(base.value) in _VIEW_BASES for base in cls.bases)
        if is_view and not entries:
            entries = [AiohttpEntry(cls.name.value, None, ("*",))]  # a view routed where we cannot see
        for entry in entries:
            if entry.methods == ("*",):
                for method in HTTP_METHODS:
                    verb = class_method(cls, method)
                    if verb is not None:
                        found.append(_route(ctx, verb, (method.upper(),), entry.path, cls, app_guards))
        # handler = Handler(); app.router.add_get("/", handler.index)
        for member in cls.body.body:
            if isinstance(member, cst.FunctionDef):
                for entry in by_name.get(f"{module}.{cls.name.value}().{member.name.value}", []):
                    found.append(_route(ctx, member, entry.methods, entry.path, cls, app_guards))
    return found


def _route(ctx: FileContext, function: cst.FunctionDef, methods: tuple[str, ...], path: str | None,
           cls: cst.ClassDef | None, app_guards: list[Guard]) -> Route:
    route = Route(NAME, methods, path, function, None, view_class=cls)
    route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
    if cls is not None:
        route.guards += [g for d in cls.decorators if (g := guard_for_decorator(ctx, d))]
    route.guards += app_guards + guards_in_body(ctx, function)
    return route


def _decorated_view(ctx: FileContext, cls: cst.ClassDef, owner_guards: dict[str, list[Guard]]) -> list[AiohttpEntry]:
    """``@routes.view("/notes/{id}") class NoteView(web.View)``."""
    entries = []
    for decorator in cls.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "view" \
                and ctx.qualname(expr.func.value) in OWNERS:
            entries.append(AiohttpEntry(cls.name.value, ctx.string(ctx.argument(expr, "path", 0)), ("*",)))
    return entries


def _route_table(ctx: FileContext) -> list[AiohttpEntry]:
    if not re.search(r"add_(?:get|post|put|patch|delete|head|options|route|view)\b|\bweb\.|routedef", ctx.source.text):
        return []
    entries = []
    for node in walk(ctx.module):
        if not isinstance(node, cst.Call):
            continue
        entry = _adder_entry(ctx, node) or _routedef_entry(ctx, node)
        if entry is not None:
            entries.append(entry)
    return entries


def _adder_entry(ctx: FileContext, call: cst.Call) -> AiohttpEntry | None:
    """``app.router.add_get("/x", handler)``, ``router.add_route("POST", "/x", handler)``, ``add_view``."""
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in _ADDERS:
        return None
    verb = _ADDERS[call.func.attr.value]
    if verb == "":
        method = ctx.string(ctx.argument(call, "method", 0))
        return _entry(ctx, ctx.argument(call, "handler", 2), ctx.argument(call, "path", 1),
                      (method.upper(),) if method and method != "*" else ("*",) if method == "*" else ())
    return _entry(ctx, ctx.argument(call, "handler", 1), ctx.argument(call, "path", 0), (verb,))


def _routedef_entry(ctx: FileContext, call: cst.Call) -> AiohttpEntry | None:
    """``web.get("/x", handler)``, ``web.route("POST", "/x", handler)``, ``web.view("/x", View)``."""
    qual = ctx.qualname(call.func) or ""
    prefix = next((p for p in _ROUTEDEF if qual.startswith(p)), None)
    if prefix is None:
        return None
    verb = qual[len(prefix):]
    if verb in HTTP_METHODS:
        return _entry(ctx, ctx.argument(call, "handler", 1), ctx.argument(call, "path", 0), (verb.upper(),))
    if verb == "view":
        return _entry(ctx, ctx.argument(call, "handler", 1), ctx.argument(call, "path", 0), ("*",))
    if verb == "route":
        method = ctx.string(ctx.argument(call, "method", 0))
        return _entry(ctx, ctx.argument(call, "handler", 2), ctx.argument(call, "path", 1),
                      (method.upper(),) if method and method != "*" else ("*",))
    return None


# Every aiohttp route table entry of the project (built once), or of this file alone.
aiohttp_table = project_table("aiohttp_table", ("aiohttp",), _route_table)


def _entry(ctx: FileContext, handler: cst.BaseExpression | None, path: cst.BaseExpression | None,
           methods: tuple[str, ...]) -> AiohttpEntry | None:
    if handler is None:
        return None
    target = ctx.qualname(handler)
    if target is None:
        return None
    return AiohttpEntry(target, ctx.string(path) if path is not None else None, methods)


def decorator_guards(ctx: FileContext, call: cst.Call, function: cst.FunctionDef) -> list[Guard]:
    """``@routes.get("/notes")``: the application's middlewares stand before decorated routes too."""
    return middleware_guards(ctx)


def middleware_guards(ctx: FileContext) -> list[Guard]:
    """``web.Application(middlewares=[auth_middleware])`` anywhere in the project, where the middleware
    refuses a caller it cannot identify: it stands before every route."""
    project = ctx.project
    apps = [c for other in project.contexts_mentioning("middlewares") for c in _applications(other)] \
        if project is not None else _applications(ctx)
    return apps[:1]


def _middleware_lists(ctx: FileContext) -> Iterator[cst.List | cst.Tuple]:
    """The ``middlewares=[...]`` list of each ``web.Application(...)`` of the file (also through a local)."""
    for node in walk(ctx.module):
        if not (isinstance(node, cst.Call) and ctx.qualname(node.func) in _APPLICATION):
            continue
        listed = ctx.argument(node, "middlewares")
        if isinstance(listed, cst.Name):
            listed = ctx.value_of(listed)
        if isinstance(listed, (cst.List, cst.Tuple)):
            yield listed


def _applications(ctx: FileContext) -> list[Guard]:
    guards = []
    for listed in _middleware_lists(ctx):
        for element in listed.elements:
            value = element.value
            found = definition(ctx, value.func if isinstance(value, cst.Call) else value)
            if found is not None and _refuses_unknown_callers(*found):
                guards.append(Guard("middleware", f"middleware {found[1].name.value}()", "app"))
    return guards


def _refuses_unknown_callers(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """A middleware (or a factory returning one) that applies a known guard, answers 401/403 or turns away a
    caller it cannot identify (not any ``raise``: error middlewares re-raise)."""
    return wraps_a_guard(ctx, function)


@dataclass(frozen=True)
class LeftOut:
    """A CSRF middleware the project has but one ``Application(middlewares=[...])`` does not install."""

    listed: cst.BaseExpression  # the middlewares list, to report on
    name: str  # the CSRF middleware's name
    path: str  # the file that defines it


_CSRF_WORDS = re.compile(r"(?i)csrf|xsrf")


def csrf_left_out(ctx: FileContext) -> list[LeftOut]:
    """``Application(middlewares=[session_middleware, error_middleware])`` whose sessions ride on a cookie while
    the module those middlewares come from (or this one) defines a CSRF middleware the list leaves out: no POST
    is checked for its token. An app without sessions, or with ``aiohttp_csrf`` set up, is not reported."""
    found: list[LeftOut] = []
    text = ctx.source.text
    if not MARKER.search(text) or "aiohttp_csrf" in text:
        return found
    for listed in _middleware_lists(ctx):
        names = [ctx.code(e.value) for e in listed.elements]
        if any(_CSRF_WORDS.search(n) for n in names):
            continue
        sessions = any("session" in n.lower() for n in names) or any(
            isinstance(n, cst.Call) and (ctx.qualname(n.func) or "") in ("aiohttp_session.setup",
                                                                         "aiohttp_session.setup_session")
            for n in walk(ctx.module))
        if not sessions:
            continue
        homes: dict[str, FileContext] = {ctx.path: ctx}
        for element in listed.elements:
            value = element.value
            hit = definition(ctx, value.func if isinstance(value, cst.Call) else value)
            if hit is not None:
                homes.setdefault(hit[0].path, hit[0])
        for home in homes.values():
            csrf = next((f for name, f in home.index.functions.items() if _CSRF_WORDS.search(name)
                         and _is_middleware(home, f)), None)
            if csrf is not None:
                found.append(LeftOut(listed, csrf.name.value, home.path))
                break
    return found


def _is_middleware(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """``@web.middleware async def ...(request, handler)`` or a factory named for one."""
    if any((ctx.qualname(d.decorator) or "") in ("aiohttp.web.middleware", "aiohttp.web_middlewares.middleware")
           for d in function.decorators):
        return True
    return "middleware" in function.name.value.lower()
