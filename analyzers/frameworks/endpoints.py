"""The handler functions of a file, whatever the framework: one entry per function and guard set.
"""

from __future__ import annotations

import libcst as cst

from ..context import FileContext, FileFact
from .concepts import Endpoint, Framework, Guard
from .discovery import file_routes
from .django import discover_django
from .django.model import DjangoRoute, mentions_django
from .django.views import class_info, class_member


def endpoints(ctx: FileContext) -> list[Endpoint]:
    """The handler functions defined in this file, one entry per function (and guard set)."""
    return _ENDPOINTS.get(ctx)


def endpoint_for(ctx: FileContext, function: cst.FunctionDef) -> Endpoint | None:
    return next((e for e in endpoints(ctx) if e.function is function), None)


def _collect(ctx: FileContext) -> list[Endpoint]:
    found: list[Endpoint] = []
    seen: set[tuple[int, tuple[str, ...]]] = set()

    def add(endpoint: Endpoint) -> None:
        key = (id(endpoint.function), endpoint.methods)
        if key not in seen:
            seen.add(key)
            found.append(endpoint)

    for route in file_routes(ctx):
        if isinstance(route.handler, cst.FunctionDef):
            add(Endpoint(route.handler, route.framework, route.methods, route.path, tuple(route.guards), route))
    if mentions_django(ctx) or ctx.project is not None:
        for droute in discover_django(ctx):
            if droute.handler_ctx is None or droute.handler_ctx.path != ctx.path:
                continue  # declared in this urlconf, handled elsewhere: that file's endpoint
            for endpoint in _django_endpoints(ctx, droute):
                add(endpoint)
    return found


_ENDPOINTS = FileFact("endpoints", _collect)


def _django_endpoints(ctx: FileContext, route: DjangoRoute) -> list[Endpoint]:
    if isinstance(route.handler, cst.FunctionDef):
        return [Endpoint(route.handler, route.framework, route.methods, route.path, tuple(route.guards), route)]
    info = class_info(ctx, route.handler)
    by_function: dict[int, tuple[cst.FunctionDef, list[str], tuple[Guard, ...]]] = {}
    for method in route._methods():
        member = class_member(info, route.actions.get(method, method.lower()))
        if member is None or member[0].path != ctx.path:
            continue  # inherited from a base class in another file (a generic view): not this file's code
        function = member[1]
        guards = tuple(route.guards_for(method))
        key = id(function)
        if key in by_function:
            by_function[key][1].append(method)
        else:
            by_function[key] = (function, [method], guards)
    return [Endpoint(function, route.framework, tuple(methods), route.path, guards, route)
            for function, methods, guards in by_function.values()]


def endpoint_label(ctx: FileContext, endpoint: Endpoint) -> str:
    """``POST /auth/login``: the endpoint's label, with its FastAPI router's ``prefix=`` when this file sets it."""
    label = endpoint.label
    route = endpoint.route
    if endpoint.framework == Framework.FASTAPI and route.owner and endpoint.path is not None:
        bound = ctx.index.bindings.get((id(ctx.module), route.owner))
        if bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
            prefix = ctx.string(ctx.argument(bound[0], "prefix"))
            if prefix:
                methods = "|".join(endpoint.methods) if endpoint.methods else "ANY"
                label = f"{methods} {prefix.rstrip('/')}{endpoint.path}"
    return label
