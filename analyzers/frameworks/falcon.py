"""Falcon: ``app.add_route("/notes/{note_id}", NoteResource())`` (``suffix="item"`` for ``on_get_item``) on a
``falcon.App``/``falcon.API``/``falcon.asgi.App`` in any module of the project, and the responders of resource
classes (``on_get``, ``on_post``... with the URL variables as keyword arguments).

Guards: ``@falcon.before(hook)`` on a responder or on the class when the hook refuses the caller (raises
``HTTPUnauthorized``/``HTTPForbidden``); a middleware given to the app (``middleware=[AuthMiddleware()]``,
``app.add_middleware``) whose ``process_request``/``process_resource`` refuses, for every route but resources
that set the attribute it skips on (``auth_exempt = True`` read through ``getattr(resource, ...)``; a path
allow-list such as ``if req.path in PUBLIC: return`` still counts as a guard for all); falcon-auth's
``FalconAuthMiddleware`` but its ``exempt_routes``; a check at the top of the responder. The principal is
``req.context.user`` / ``req.context["user"]`` (``flow.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ..context import UNKNOWN, FileContext
from ..project import Project, ProjectFact
from ..walk import children, walk
from ..words import split_words
from .classes import resolve_class
from .concepts import Framework, Guard, Route
from .guards import (
    checks_role,
    class_method,
    definition,
    guard_for_decorator,
    guards_in_body,
    looks_like_role,
    refuses,
    wraps_a_guard,
)
from .vocabulary import PRINCIPAL_NOUNS

NAME = Framework.FALCON
# Resource modules may not import falcon: their responders name them.
MARKER = re.compile(r"falcon|def on_(?:get|post|put|patch|delete|head|options)(?:_\w+)?\(")

_APPS = frozenset({"falcon.App", "falcon.API", "falcon.app.App", "falcon.api.API", "falcon.asgi.App",
                   "falcon.asgi.app.App"})
_BEFORE = frozenset({"falcon.before", "falcon.hooks.before"})
# Third-party middlewares that authenticate every route but their ``exempt_routes``.
_AUTH_MIDDLEWARES = frozenset({"falcon_auth.FalconAuthMiddleware", "falcon_auth.middleware.FalconAuthMiddleware"})
_RESPONDER = re.compile(r"^on_(get|post|put|patch|delete|head|options)(?:_(\w+))?$")


@dataclass(frozen=True)
class FalconEntry:
    """One ``add_route``: the resource's class (qualified name), the URI template and the responders' suffix."""

    resource: str
    path: str | None
    suffix: str | None


@dataclass(frozen=True)
class FalconMiddleware:
    """A middleware that refuses callers it cannot identify, but on resources that set one of ``exempt_attrs``
    (or on ``exempt_paths``)."""

    guard: Guard
    exempt_attrs: frozenset[str]
    exempt_paths: frozenset[str]


@dataclass(frozen=True)
class FalconTable:
    entries: tuple[FalconEntry, ...]
    middlewares: tuple[FalconMiddleware, ...]


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """The responders of this file's resource classes: those an ``add_route`` names (here or in another module),
    and other classes with responders (routed where we cannot see: no path) in a file that uses Falcon."""
    table = falcon_table(ctx)
    modules = {ctx.index.module_name}
    if ctx.project is not None:
        modules |= ctx.project.module_names(ctx.path)
    by_class: dict[str, list[FalconEntry]] = {}
    for entry in table.entries:
        by_class.setdefault(entry.resource, []).append(entry)
    uses_falcon = "falcon" in ctx.source.text
    found: list[Route] = []
    for cls in ctx.index.classes.values():
        entries = [e for m in modules for e in by_class.get(f"{m}.{cls.name.value}", [])]
        responders = [(m, f) for f in cls.body.body if isinstance(f, cst.FunctionDef)
                      and (m := _RESPONDER.match(f.name.value)) is not None]
        if not responders or (not entries and not uses_falcon):
            continue
        class_guards = [g for d in cls.decorators if (g := _decorator_guard(ctx, d))]
        for entry in entries or [FalconEntry(cls.name.value, None, None)]:
            for match, function in responders:
                if entries and match.group(2) != entry.suffix:
                    continue  # on_get_item answers the route added with suffix="item" only
                route = Route(NAME, (match.group(1).upper(),), entry.path, function, None, view_class=cls)
                route.guards += [g for d in function.decorators if (g := _decorator_guard(ctx, d))]
                route.guards += class_guards + _middleware_guards(ctx, table, cls, entry.path)
                route.guards += guards_in_body(ctx, function) or _context_check(ctx, function)
                found.append(route)
    return found


def _context_check(ctx: FileContext, function: cst.FunctionDef) -> list[Guard]:
    """``if req.context.user is None: raise falcon.HTTPUnauthorized()`` (``not req.context.get("account")``,
    ``"user" not in req.context``) near the top of the responder."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    for statement in list(body)[:4]:
        if isinstance(statement, cst.If) and _nobody(ctx, statement.test) and refuses(ctx, statement.body):
            test = ctx.code(statement.test)
            return [Guard("check", f"if {test}: ...", role=looks_like_role(test))]
    return []


def _nobody(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """The test holds when the request context has no principal."""
    if isinstance(test, cst.BooleanOperation):
        return _nobody(ctx, test.left) or _nobody(ctx, test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _context_principal(ctx, test.expression)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.operator, cst.NotIn):  # "user" not in req.context
            key = ctx.string(test.left)
            return key is not None and _principal_word(key) and _is_context(target.comparator)
        return _context_principal(ctx, test.left) and isinstance(target.operator, (cst.Is, cst.Equal)) \
            and isinstance(target.comparator, cst.Name) and target.comparator.value == "None"
    return False


def _context_principal(ctx: FileContext, expr: cst.BaseExpression) -> bool:
    """``req.context.user``, ``req.context["account"]``, ``req.context.get("user")``."""
    if isinstance(expr, cst.Attribute):
        return _is_context(expr.value) and _principal_word(expr.attr.value)
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        key = ctx.string(expr.slice[0].slice.value)
        return key is not None and _principal_word(key) and _is_context(expr.value)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get" \
            and expr.args:
        key = ctx.string(expr.args[0].value)
        return key is not None and _principal_word(key) and _is_context(expr.func.value)
    return False


def _is_context(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Attribute) and expr.attr.value == "context"


def _principal_word(name: str) -> bool:
    return bool(set(split_words(name)) & PRINCIPAL_NOUNS)


def _decorator_guard(ctx: FileContext, decorator: cst.Decorator) -> Guard | None:
    """``@falcon.before(require_login)`` whose hook refuses the caller, or a neutral guard decorator."""
    expr = decorator.decorator
    if isinstance(expr, cst.Call) and ctx.qualname(expr.func) in _BEFORE:
        action = ctx.argument(expr, "action", 0)
        hook = _callable(ctx, action) if action is not None else None
        if hook is None or not wraps_a_guard(*hook):
            return None
        written = " ".join(ctx.code(a.value) for a in expr.args)  # ``falcon.before(require_role, "admin")``
        return Guard("decorator", f"@{ctx.code(expr)}", role=checks_role(*hook) or looks_like_role(written))
    return guard_for_decorator(ctx, decorator)


def _callable(ctx: FileContext, expr: cst.BaseExpression) -> tuple[FileContext, cst.FunctionDef] | None:
    """The function a hook or middleware names: a function, or the ``__call__`` of the class it instantiates."""
    if isinstance(expr, cst.Call):
        found = resolve_class(ctx, expr.func)
        method = class_method(found[1], "__call__") if found is not None else None
        return (found[0], method) if found is not None and method is not None else None
    return definition(ctx, expr)


def _middleware_guards(ctx: FileContext, table: FalconTable, cls: cst.ClassDef, path: str | None) -> list[Guard]:
    guards = []
    for middleware in table.middlewares:
        if path is not None and path in middleware.exempt_paths:
            continue
        if any(_truthy_attribute(ctx, cls, name) for name in middleware.exempt_attrs):
            continue
        guards.append(middleware.guard)
    return guards[:1]


def _truthy_attribute(ctx: FileContext, cls: cst.ClassDef, name: str) -> bool:
    """``auth_exempt = True`` (or a non-empty literal) in the class body."""
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                    if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                        value = ctx.literal(small.value)
                        return value is UNKNOWN or bool(value)
    return False


# --- the project's routes and middlewares ----------------------------------------------------------------------

def falcon_table(ctx: FileContext) -> FalconTable:
    """Every ``add_route`` and refusing middleware of the project (built once), or of this file alone."""
    project = ctx.project
    if project is None:
        return _file_table(ctx)
    return _PROJECT_TABLE.get(project)


def _project_table(project: Project) -> FalconTable:
    contexts = {id(c): c for text in ("add_route", "falcon") for c in project.contexts_mentioning(text)}
    tables = [_file_table(c) for c in contexts.values()]
    return FalconTable(tuple(e for t in tables for e in t.entries), tuple(m for t in tables for m in t.middlewares))


_PROJECT_TABLE = ProjectFact("falcon_table", _project_table)


def _file_table(ctx: FileContext) -> FalconTable:
    text = ctx.source.text
    if "add_route" not in text and "middleware" not in text:
        return FalconTable((), ())
    entries: list[FalconEntry] = []
    middlewares: list[FalconMiddleware] = []
    for call, scope in _scoped_calls(ctx.module, ctx.module):
        func = call.func
        qual = ctx.qualname(func) or ""
        if qual in _APPS:
            middlewares += _middlewares(ctx, ctx.argument(call, "middleware"), scope)
        elif isinstance(func, cst.Attribute) and func.attr.value == "add_middleware" and _may_be_app(ctx, func.value):
            middlewares += _middlewares(ctx, ctx.argument(call, "middleware", 0), scope)
        elif isinstance(func, cst.Attribute) and func.attr.value == "add_route" and _may_be_app(ctx, func.value):
            entry = _entry(ctx, call, scope)
            if entry is not None:
                entries.append(entry)
    return FalconTable(tuple(entries), tuple(middlewares))


# Frameworks whose objects also have an ``add_route``.
_OTHER_ROUTERS = ("aiohttp.", "sanic.", "pyramid.", "tornado.", "starlette.", "flask.", "bottle.")


def _may_be_app(ctx: FileContext, receiver: cst.BaseExpression) -> bool:
    """A Falcon app, or a receiver we cannot name for sure (``app`` bound in a factory, a parameter, the result
    of the project's ``create_app()``), as long as it is no other framework's object."""
    qual = ctx.qualname(receiver)
    return qual is None or qual.removesuffix("()") in _APPS or not qual.startswith(_OTHER_ROUTERS)


def _entry(ctx: FileContext, call: cst.Call, scope: cst.CSTNode) -> FalconEntry | None:
    """``app.add_route("/notes/{id}", NoteResource(), suffix="item")``: a template, then a resource instance."""
    template = ctx.argument(call, "uri_template", 0)
    path = ctx.string(template)
    resource = ctx.argument(call, "resource", 1)
    if path is None or not path.startswith("/") or resource is None:
        return None  # aiohttp's add_route("GET", ...), Sanic's add_route(handler, "/uri")
    target = _class_of(ctx, resource, scope)
    if target is None:
        return None
    return FalconEntry(target, path, ctx.string(ctx.argument(call, "suffix")))


def _class_of(ctx: FileContext, value: cst.BaseExpression, scope: cst.CSTNode) -> str | None:
    """The qualified class name of a resource instance: ``NoteResource(db)``, a name bound to one (in the factory
    or at module level), or an instance another module creates."""
    if isinstance(value, cst.Name):
        for where in (scope, ctx.module):
            values = ctx.index.bindings.get((id(where), value.value))
            if values is not None:
                bound = values[0] if len(values) == 1 else None
                return _class_of(ctx, bound, where) if isinstance(bound, cst.Call) else None
    if isinstance(value, cst.Call):
        return ctx.qualname(value.func)
    qual = ctx.qualname(value)
    if qual is None:
        return None
    if qual.endswith("()"):
        return qual[:-2]
    found = ctx.project.binding(qual) if ctx.project is not None else None
    if found is not None and isinstance(found[1], cst.Call):
        return found[0].qualname(found[1].func)
    return None


def _scoped_calls(node: cst.CSTNode, scope: cst.CSTNode) -> Iterator[tuple[cst.Call, cst.CSTNode]]:
    """Every call under ``node`` with the function (or module) whose names it reads."""
    for child in children(node):
        if isinstance(child, cst.Call):
            yield child, scope
        yield from _scoped_calls(child, child if isinstance(child, cst.FunctionDef) else scope)


def _middlewares(ctx: FileContext, value: cst.BaseExpression | None, scope: cst.CSTNode) -> list[FalconMiddleware]:
    """The refusing middlewares among ``middleware=[AuthMiddleware(), ...]`` (a list, a name bound to one, or one
    instance)."""
    if isinstance(value, cst.Name):
        for where in (scope, ctx.module):
            values = ctx.index.bindings.get((id(where), value.value))
            if values is not None:
                value = values[0] if len(values) == 1 else None
                break
    if value is None:
        return []
    items = [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
    found = []
    for item in items:
        if isinstance(item, cst.Name):  # auth = AuthMiddleware(...); falcon.App(middleware=[auth])
            bound = [v for where in (scope, ctx.module) for v in ctx.index.bindings.get((id(where), item.value), [])]
            item = bound[0] if bound and bound[0] is not None else item
        if not isinstance(item, cst.Call):
            continue
        qual = ctx.qualname(item.func) or ""
        if qual in _AUTH_MIDDLEWARES:
            listed = ctx.literal(ctx.argument(item, "exempt_routes"))
            exempt = frozenset(p for p in listed if isinstance(p, str)) if isinstance(listed, (list, tuple)) \
                else frozenset()
            found.append(FalconMiddleware(Guard("middleware", f"middleware {ctx.code(item.func)}", "app"),
                                          frozenset(), exempt))
            continue
        resolved = resolve_class(ctx, item.func)
        if resolved is None:
            continue
        mctx, cls = resolved
        for hook in ("process_request", "process_resource"):
            method = class_method(cls, hook)
            if method is not None and wraps_a_guard(mctx, method):
                guard = Guard("middleware", f"middleware {cls.name.value}", "app", role=checks_role(mctx, method))
                found.append(FalconMiddleware(guard, _exempt_attributes(mctx, cls), frozenset()))
                break
    return found


def _exempt_attributes(ctx: FileContext, cls: cst.ClassDef) -> frozenset[str]:
    """Attributes of the resource the middleware reads to let a request through: ``getattr(resource,
    "auth_exempt", False)``, ``hasattr(resource, "public")``, ``resource.auth_exempt``."""
    method = class_method(cls, "process_resource")
    if method is None:
        return frozenset()
    params = [p.name.value for p in method.params.params]
    resource = params[3] if len(params) > 3 else "resource"  # (self, req, resp, resource, params)
    names: set[str] = set()
    for node in walk(method):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("getattr", "hasattr") \
                and len(node.args) >= 2 and isinstance(node.args[0].value, cst.Name) \
                and node.args[0].value.value == resource:
            name = ctx.string(node.args[1].value)
            if name:
                names.add(name)
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == resource:
            names.add(node.attr.value)
    return frozenset(names)
