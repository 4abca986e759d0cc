"""Flask (and Quart, APIFlask): ``add_url_rule``, ``MethodView`` classes and their ``decorators``.
"""

from __future__ import annotations

import re

import libcst as cst

from ..context import FileContext
from ..walk import walk
from .concepts import HTTP_METHODS, Framework, Guard, Route
from .guards import class_method, guard_for_decorator, guards_in_body

NAME = Framework.FLASK
# Objects whose ``.route``/``.get``... decorators and ``add_url_rule`` register routes.
OWNERS = ("flask.Flask()", "flask.Blueprint()", "flask.blueprints.Blueprint()", "quart.Quart()",
                 "quart.Blueprint()", "apiflask.APIFlask()", "apiflask.APIBlueprint()", "flask_smorest.Blueprint()")


MARKER = re.compile(r"add_url_rule")


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    return url_rules(ctx, owner_guards)


def url_rules(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """``app.add_url_rule("/x", view_func=...)`` with functions or ``MethodView.as_view``."""
    routes = []
    for node in walk(ctx.module):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "add_url_rule" and ctx.qualname(node.func.value) in OWNERS):
            continue
        view = ctx.argument(node, "view_func", 2)
        handler: cst.FunctionDef | cst.ClassDef | None = None
        if isinstance(view, cst.Name):
            handler = ctx.index.functions.get(view.value)
        elif isinstance(view, cst.Call) and isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
            base = view.func.value
            handler = ctx.index.classes.get(base.value) if isinstance(base, cst.Name) else None
        if handler is None:
            continue
        owner = ctx.code(node.func.value)
        listed = ctx.literal(ctx.argument(node, "methods"))
        methods = tuple(m.upper() for m in listed if isinstance(m, str)) if isinstance(listed, (list, tuple)) else ()
        if isinstance(handler, cst.ClassDef) and not methods:
            methods = tuple(m.upper() for m in HTTP_METHODS if class_method(handler, m))
        path = ctx.string(ctx.argument(node, "rule", 0))
        if isinstance(handler, cst.ClassDef):
            routes += _method_view_routes(ctx, handler, methods, path, owner, owner_guards.get(owner, []))
            continue
        route = Route(NAME, methods, path, handler, owner)
        route.guards += owner_guards.get(owner, [])
        route.guards += [g for d in handler.decorators if (g := guard_for_decorator(ctx, d))] + guards_in_body(ctx, handler)
        routes.append(route)
    return routes


def _method_view_routes(ctx: FileContext, cls: cst.ClassDef, methods: tuple[str, ...], path: str | None,
                        owner: str, inherited: list[Guard]) -> list[Route]:
    """One route per HTTP method of a class-based view, each with the class's and its own guards."""
    class_guards = _class_guards(ctx, cls)
    routes = []
    for method in methods:
        function = class_method(cls, method.lower())
        if function is None:
            continue
        route = Route(NAME, (method,), path, function, owner, view_class=cls)
        route.guards += inherited + class_guards
        route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
        route.guards += guards_in_body(ctx, function)
        routes.append(route)
    return routes


def _class_guards(ctx: FileContext, cls: cst.ClassDef) -> list[Guard]:
    """``decorators = [login_required]`` on a MethodView, or checks in every handler."""
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value in ("decorators", "method_decorators")
                        for t in small.targets) and isinstance(small.value, (cst.List, cst.Tuple)):
                    guards = []
                    for element in small.value.elements:
                        fake = cst.Decorator(decorator=element.value)
                        guard = guard_for_decorator(ctx, fake)
                        if guard is not None:
                            guards.append(guard)
                    if guards:
                        return guards
    return []
