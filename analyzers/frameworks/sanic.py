"""Sanic: ``@app.route``/``@bp.get`` decorators, ``app.add_route(handler, uri)`` and ``HTTPMethodView`` classes.

Handlers take the request first and URL variables as arguments; sanic-jwt's ``@protected``/``@scoped`` and
sanic-ext/sanic-security guards are in the neutral vocabulary.
"""

from __future__ import annotations

import re

import libcst as cst

from ..context import FileContext
from ..walk import walk
from .concepts import HTTP_METHODS, Framework, Guard, Route
from .guards import class_method, guard_for_decorator, guards_in_body

NAME = Framework.SANIC
OWNERS = ("sanic.Sanic()", "sanic.app.Sanic()", "sanic.Blueprint()", "sanic.blueprints.Blueprint()")
MARKER = re.compile(r"sanic")
_VIEW_BASES = frozenset({"sanic.views.HTTPMethodView", "sanic.views.CompositionView"})


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """``app.add_route(handler, "/uri", methods=[...])`` with functions or ``View.as_view()``."""
    found: list[Route] = []
    for node in walk(ctx.module):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "add_route" and ctx.qualname(node.func.value) in OWNERS):
            continue
        handler = ctx.argument(node, "handler", 0)
        path = ctx.string(ctx.argument(node, "uri", 1))
        owner = ctx.code(node.func.value)
        inherited = owner_guards.get(owner, [])
        if isinstance(handler, cst.Name) and handler.value in ctx.index.functions:
            listed = ctx.literal(ctx.argument(node, "methods"))
            methods = tuple(m.upper() for m in listed if isinstance(m, str)) if isinstance(listed, (list, tuple)) \
                else ("GET",)
            found.append(_route(ctx, ctx.index.functions[handler.value], methods, path, owner, None, inherited))
        elif isinstance(handler, cst.Call) and isinstance(handler.func, cst.Attribute) \
                and handler.func.attr.value == "as_view" and isinstance(handler.func.value, cst.Name):
            cls = ctx.index.classes.get(handler.func.value.value)
            if cls is None:
                continue
            for method in HTTP_METHODS:
                function = class_method(cls, method)
                if function is not None:
                    found.append(_route(ctx, function, (method.upper(),), path, owner, cls, inherited))
    return found


def _route(ctx: FileContext, function: cst.FunctionDef, methods: tuple[str, ...], path: str | None, owner: str,
           cls: cst.ClassDef | None, inherited: list[Guard]) -> Route:
    route = Route(NAME, methods, path, function, owner, view_class=cls)
    route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))] + inherited
    if cls is not None:
        route.guards += _view_decorators(ctx, cls)
    route.guards += guards_in_body(ctx, function)
    return route


def _view_decorators(ctx: FileContext, cls: cst.ClassDef) -> list[Guard]:
    """``decorators = [protected()]`` on an ``HTTPMethodView``."""
    guards = []
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and isinstance(small.value, (cst.List, cst.Tuple)) and any(
                        isinstance(t.target, cst.Name) and t.target.value == "decorators" for t in small.targets):
                    guards += [g for e in small.value.elements
                               if (g := guard_for_decorator(ctx, cst.Decorator(decorator=e.value)))]
    return guards
