"""flask-restful, flask-restx and flask-smorest: ``Resource``/``MethodView`` classes registered with
``api.add_resource(Resource, "/path")`` (in any module of the project) or ``@ns.route("/path")``/``@blp.route``
on the class, with ``method_decorators`` on the class and ``decorators=`` on the ``Api``/``Namespace``.

Resources are Flask views: the request is the global ``request`` (or ``reqparse``), URL variables arrive as
arguments, so routes carry ``Framework.FLASK``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ..context import FileContext
from ..walk import walk
from .concepts import HTTP_METHODS, Framework, Guard, Route
from .guards import class_method, guard_for_decorator, guards_in_body
from .tables import project_table

NAME = Framework.FLASK
MARKER = re.compile(r"flask_rest|flask_smorest|Resource")
_APIS = frozenset({"flask_restful.Api()", "flask_restx.Api()", "flask_restx.Namespace()", "flask_restplus.Api()",
                   "flask_restplus.Namespace()", "flask_smorest.Blueprint()", "flask_smorest.blueprint.Blueprint()",
                   "flask_restx.namespace.Namespace()"})
_RESOURCE_BASES = frozenset({"flask_restful.Resource", "flask_restx.Resource", "flask_restplus.Resource",
                             "flask.views.MethodView", "flask_restx.resource.Resource"})


@dataclass(frozen=True)
class ResourceEntry:
    """``api.add_resource(NoteResource, "/notes/<int:id>")``: the resource class's qualified name and its path."""

    resource: str
    path: str | None
    api: str  # the Api/Namespace variable, for its ``decorators=``
    guards: tuple[Guard, ...]  # the Api's or Namespace's ``decorators=[...]``


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """One route per HTTP method of each resource class of this file that is registered (here or elsewhere),
    decorated with a route, or derives from a resource base."""
    module = ctx.index.module_name
    table: dict[str, list[ResourceEntry]] = {}
    for entry in resource_table(ctx):
        table.setdefault(entry.resource, []).append(entry)
    found: list[Route] = []
    for cls in ctx.index.classes.values():
        entries = table.get(f"{module}.{cls.name.value}", []) + _decorated(ctx, cls)
        if not entries and _is_resource(ctx, cls):
            entries = [ResourceEntry(cls.name.value, None, "", ())]  # registered where we cannot see
        for entry in entries[:1] if len({e.guards for e in entries}) == 1 else entries:
            found += _class_routes(ctx, cls, entry, owner_guards.get(entry.api, []))
    return found


def _is_resource(ctx: FileContext, cls: cst.ClassDef, depth: int = 0) -> bool:
    """Derives from ``Resource`` (or a project base that does), not ``MethodView`` alone: a MethodView is
    only a route where it is registered."""
    for base in cls.bases:
        qual = ctx.qualname(base.value) or ""
        if qual in _RESOURCE_BASES and not qual.endswith("MethodView"):
            return True
        if isinstance(base.value, cst.Name) and base.value.value in ctx.index.classes and depth < 3 \
                and _is_resource(ctx, ctx.index.classes[base.value.value], depth + 1):
            return True
    return False


def _class_routes(ctx: FileContext, cls: cst.ClassDef, entry: ResourceEntry, inherited: list[Guard]) -> list[Route]:
    class_guards = _method_decorators(ctx, cls)
    found = []
    for method in HTTP_METHODS:
        function = class_method(cls, method)
        if function is None:
            continue
        route = Route(NAME, (method.upper(),), entry.path, function, entry.api or None, view_class=cls)
        route.guards += list(entry.guards) + inherited + class_guards.get("", []) + class_guards.get(method, [])
        route.guards += [g for d in cls.decorators if (g := guard_for_decorator(ctx, d))]
        route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
        route.guards += guards_in_body(ctx, function)
        found.append(route)
    return found


def _method_decorators(ctx: FileContext, cls: cst.ClassDef) -> dict[str, list[Guard]]:
    """``method_decorators = [login_required]`` (every method) or ``{"delete": [admin_required]}`` (per method);
    ``decorators = [...]`` on a MethodView."""
    guards: dict[str, list[Guard]] = {}
    for statement in cls.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not (isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value in ("method_decorators", "decorators")
                    for t in small.targets)):
                continue
            value = small.value
            if isinstance(value, (cst.List, cst.Tuple)):
                guards.setdefault("", []).extend(_listed(ctx, value))
            elif isinstance(value, cst.Dict):
                for element in value.elements:
                    key = ctx.string(element.key) if isinstance(element, cst.DictElement) else None
                    if key is not None and isinstance(element.value, (cst.List, cst.Tuple)):
                        guards.setdefault(key.lower(), []).extend(_listed(ctx, element.value))
    return guards


def _listed(ctx: FileContext, listed: cst.List | cst.Tuple) -> list[Guard]:
    return [g for e in listed.elements if (g := guard_for_decorator(ctx, cst.Decorator(decorator=e.value)))]


def _decorated(ctx: FileContext, cls: cst.ClassDef) -> list[ResourceEntry]:
    """``@ns.route("/notes/<int:id>")`` (restx) or ``@blp.route("/pets/<id>")`` (smorest) on the class."""
    entries = []
    for decorator in cls.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "route" \
                and ctx.qualname(expr.func.value) in _APIS:
            api = ctx.code(expr.func.value)
            entries.append(ResourceEntry(cls.name.value, ctx.string(ctx.argument(expr, "rule", 0)), api,
                                         tuple(_api_guards(ctx, expr.func.value))))
    return entries


def _api_guards(ctx: FileContext, api: cst.BaseExpression) -> list[Guard]:
    """``Api(app, decorators=[auth.login_required])`` / ``Namespace("x", decorators=[...])``."""
    if not isinstance(api, cst.Name):
        return []
    bound = ctx.module_value(api)
    if not isinstance(bound, cst.Call):
        return []
    listed = ctx.argument(bound, "decorators")
    if not isinstance(listed, (cst.List, cst.Tuple)):
        return []
    return [Guard(g.kind, g.name, "app", g.role) for g in _listed(ctx, listed)]


def _registrations(ctx: FileContext) -> list[ResourceEntry]:
    if "add_resource" not in ctx.source.text:
        return []
    entries = []
    for node in walk(ctx.module):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "add_resource" and ctx.qualname(node.func.value) in _APIS):
            continue
        resource = ctx.argument(node, "resource", 0)
        target = ctx.qualname(resource) if resource is not None else None
        if target is None:
            continue
        paths = [ctx.string(a.value) for a in node.args[1:] if a.keyword is None] or [None]
        api = ctx.code(node.func.value)
        guards = tuple(_api_guards(ctx, node.func.value))
        entries += [ResourceEntry(target, path, api, guards) for path in paths[:1]]
    return entries


# Every ``add_resource`` of the project (built once), or of this file alone.
resource_table = project_table("restful_resources", ("add_resource",), _registrations)
