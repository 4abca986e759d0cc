"""Routes declared on app, blueprint and router objects, one file at a time.

Route rules (AR1xx) ask two questions of every route: who may call it (its guards) and on whose
data (its handler's body). This module answers the first for the frameworks whose routes hang on an
object (``@app.get``, ``@bp.route``, ``@routes.post``): each framework module names the constructors
of those objects (``OWNERS``) and adds the routes it declares in other ways. Names resolve through
the imports.
"""

from __future__ import annotations

import re
from types import ModuleType

import libcst as cst

from ..context import FileContext, FileFact
from ..project import Project, ProjectFact
from ..walk import walk
from . import (
    aiohttp,
    bottle,
    connexion,
    falcon,
    fastapi,
    flask,
    graphql,
    litestar,
    ninja,
    pyramid,
    restful,
    sanic,
    starlette,
    tornado,
)
from .concepts import HTTP_METHODS, Framework, Guard, Route
from .fastapi import guards_in_dependencies, included_router_guards, parameter_guards
from .guards import (
    checks_role,
    decorator_target,
    functions_in,
    guard_for_decorator,
    guards_in_body,
)
from .starlette import table_routes

# The frameworks whose routes hang on an app, blueprint or router object, registered by the constructors
# of those objects (each framework module's ``OWNERS``), or on decorators that are plain functions
# (``BARE``: Litestar's ``@get("/x")``, Bottle's ``@route("/x")``).
_DECORATOR_FRAMEWORKS: tuple[ModuleType, ...] = (flask, fastapi, starlette, aiohttp, sanic, ninja, bottle, litestar)
_OWNERS: dict[str, Framework] = {owner: m.NAME for m in _DECORATOR_FRAMEWORKS for owner in m.OWNERS}
_BARE: dict[str, Framework] = {name: m.NAME for m in _DECORATOR_FRAMEWORKS for name in getattr(m, "BARE", ())}
_MODULES: dict[Framework, ModuleType] = {m.NAME: m for m in _DECORATOR_FRAMEWORKS}
# Frameworks whose routes are declared some other way: tables, ``add_route``, resource classes, resolvers.
# Each module's ``routes(ctx, owner_guards)`` runs only on files whose text matches its ``MARKER``, so a file
# that does not use a framework pays nothing for it.
_TABLE_FRAMEWORKS: tuple[ModuleType, ...] = (flask, aiohttp, sanic, tornado, falcon, pyramid, restful, graphql,
                                             litestar, connexion)


def owner_kind(ctx: FileContext, receiver: cst.BaseExpression) -> Framework | None:
    """The framework of the app/router object ``receiver`` names, if it is one: built here, or imported from
    the module that builds it (``from app import app``, ``from .blueprints import api``)."""
    name = ctx.qualname(receiver)
    if name is None:
        return None
    if name in _OWNERS:
        return _OWNERS[name]
    if ctx.project is None or not isinstance(receiver, cst.Name) or name.endswith("()"):
        return None
    return _imported_owners(ctx.project)[name] if name not in ctx.index.functions else None


def _imported_owners(project: Project) -> dict[str, Framework | None]:
    return _IMPORTED_OWNERS.get(project)


class _OwnerMemo(dict[str, "Framework | None"]):
    """Imported app objects: qualified name -> framework (None: not an app object), looked up once."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project

    def __missing__(self, name: str) -> Framework | None:
        found = self.project.binding(name)
        kind = None
        if found is not None and isinstance(found[1], cst.Call):
            kind = _OWNERS.get(found[0].qualname(found[1]) or "")
        self[name] = kind
        return kind


_IMPORTED_OWNERS = ProjectFact("discovery.imported_owners", _OwnerMemo)


def _methods(ctx: FileContext, call: cst.Call) -> tuple[str, ...]:
    """``methods=["GET", "POST"]`` (Flask, Sanic), ``method="POST"`` (Bottle), ``http_method=...`` (Litestar)."""
    for keyword in ("methods", "method", "http_method"):
        listed = ctx.literal(ctx.argument(call, keyword))
        if isinstance(listed, str):
            return (listed.upper(),)
        if isinstance(listed, (list, tuple)):
            return tuple(m.upper() for m in listed if isinstance(m, str))
    return ("GET",)


def _route_decorator(ctx: FileContext, decorator: cst.Decorator) -> tuple[Framework, str | None, tuple[str, ...], cst.Call] | None:
    """(framework, path, methods, call) when ``decorator`` registers a route."""
    expr = decorator.decorator
    if not isinstance(expr, cst.Call):
        return None
    if isinstance(expr.func, cst.Attribute):
        framework = owner_kind(ctx, expr.func.value)
        method = expr.func.attr.value
    else:
        framework, method = None, ""
    if framework is None:
        qual = ctx.qualname(expr.func) or ""
        framework = _BARE.get(qual)
        method = qual.rpartition(".")[2]
    if framework is None:
        return None
    path = ctx.string(ctx.argument(expr, "path", 0)) or ctx.string(ctx.argument(expr, "rule", 0)) \
        or ctx.string(ctx.argument(expr, "uri", 0))
    if method in HTTP_METHODS:
        return framework, path, (method.upper(),), expr
    if method in ("route", "api_route"):
        return framework, path, _methods(ctx, expr), expr
    return None


# A file can declare decorator routes only if its text shows one of these.
_DECLARES_ROUTES = re.compile(r"@\s*[\w.]*(?:route|get|post|put|patch|delete|head|options|api_route)\(|"
                              r"add_url_rule|HTTPEndpoint")


# A file may declare endpoints of some framework only if its text matches this (rules' prefilter).
ENDPOINT_HINT = re.compile("|".join([_DECLARES_ROUTES.pattern, *(m.MARKER.pattern for m in _TABLE_FRAMEWORKS),
                                     r"from starlette|starlette\.routing|from django\.(?:http|shortcuts|views)|"
                                     r"rest_framework"]))


def routed_elsewhere(project: Project, path: str) -> bool:
    """A route table of another kind of file (an OpenAPI document) names this module's functions: the file
    declares endpoints though its text shows no framework."""
    return connexion.routed_path(project, path)


def file_routes(ctx: FileContext) -> list[Route]:
    """Every route defined in this file, with the guards that stand before it."""
    return _ROUTES.get(ctx)


def _file_routes(ctx: FileContext) -> list[Route]:
    routes: list[Route] = []
    text = ctx.source.text
    if "starlette" in text:
        routes += table_routes(ctx, set())
    declares = bool(_DECLARES_ROUTES.search(text))
    tables = [m for m in _TABLE_FRAMEWORKS if m.MARKER.search(text) or (m is connexion and connexion.routed(ctx))]
    if not declares and not tables:
        return routes  # the walks below find nothing in a models, forms or settings module
    owner_guards = _owner_level_guards(ctx)
    for module in tables:  # first: a Controller's or resource's own path and guards win over its decorators
        seen = {id(r.handler) for r in routes}
        routes += [r for r in module.routes(ctx, owner_guards) if id(r.handler) not in seen]
    seen = {id(r.handler) for r in routes}
    if declares:
        for function in functions_in(ctx.module):
            if id(function) in seen:
                continue
            for decorator in function.decorators:
                found = _route_decorator(ctx, decorator)
                if found is None:
                    continue
                framework, path, methods, call = found
                owner = ctx.code(call.func.value) if isinstance(call.func, cst.Attribute) else None
                route = Route(framework, methods, path, function, owner)
                route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
                route.guards += guards_in_dependencies(ctx, ctx.argument(call, "dependencies"), "route")
                route.guards += parameter_guards(ctx, function)
                own = getattr(_MODULES[framework], "decorator_guards", None)
                if own is not None:
                    route.guards += own(ctx, call, function)
                route.guards += owner_guards.get(owner, []) if owner is not None else []
                route.guards += guards_in_body(ctx, function)
                routes.append(route)
    return routes


_ROUTES = FileFact("routes", _file_routes)


def _owner_level_guards(ctx: FileContext) -> dict[str, list[Guard]]:
    """Guards that cover every route of an app, blueprint or router defined in this file."""
    guards: dict[str, list[Guard]] = {}
    included = included_router_guards(ctx)
    # Every name the module is imported by (under a source root, `backend/app/x.py` is `app.x`).
    modules = {ctx.index.module_name} | (ctx.project.module_names(ctx.path) if ctx.project is not None and included
                                         else set())
    for router, found in included.items():
        for module in modules:
            if router.startswith(f"{module}.") and "." not in router[len(module) + 1 :]:
                guards.setdefault(router[len(module) + 1 :], []).extend(found)
    for node in walk(ctx.module):
        # router = APIRouter(dependencies=[Depends(get_current_user)])
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name) and ctx.qualname(node.value.func) in (
                    "fastapi.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter"):
                level = "app" if ctx.qualname(node.value.func) == "fastapi.FastAPI" else "router"
                found = guards_in_dependencies(ctx, ctx.argument(node.value, "dependencies"), level)
                if found:
                    guards.setdefault(target.value, []).extend(found)
        # @bp.before_request def require_login(): if not current_user...: abort(401)
        if isinstance(node, cst.FunctionDef):
            for decorator in node.decorators:
                target = decorator_target(decorator)
                if isinstance(target, cst.Attribute) and target.attr.value in ("before_request", "before_app_request") \
                        and owner_kind(ctx, target.value) == Framework.FLASK and guards_in_body(ctx, node):
                    level = "app" if target.attr.value == "before_app_request" else "router"
                    guards.setdefault(ctx.code(target.value), []).append(
                        Guard("hook", f"{ctx.code(target.value)}.before_request {node.name.value}()", level,
                              role=checks_role(ctx, node)))
    return guards
