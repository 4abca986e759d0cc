"""Every HTTP handler function in a file, whatever the framework, as one shape.

Route rules that read handler bodies (identity from the request, mass assignment,
error details, rate limits...) need "which functions in this file answer HTTP
requests, for which methods, behind which guards" without caring whether the
route was declared by a Flask decorator, a FastAPI router, a Starlette ``Route``
list or a Django urlconf in another file. ``endpoints(ctx)`` answers that once
per file (cached on the context) from ``routes.discover`` and
``routes_django.discover_django``.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .context import FileContext
from .routes import STATE_CHANGING, Guard, Route, discover, route_label
from .routes_django import DjangoRoute, _class_member, class_info, discover_django


@dataclass(frozen=True)
class Endpoint:
    """One handler function of this file and the requests it answers."""

    function: cst.FunctionDef
    framework: str  # flask | fastapi | starlette | django | drf
    methods: tuple[str, ...]  # empty: any method
    path: str | None
    guards: tuple[Guard, ...]
    route: Route  # the route it was found through (owner, view class, Django details)

    @property
    def label(self) -> str:
        return route_label(self.methods, self.path, self.route.name)

    @property
    def authenticated(self) -> bool:
        return bool(self.guards)

    @property
    def role_checked(self) -> bool:
        return any(g.role for g in self.guards)

    @property
    def changes_state(self) -> bool:
        return not self.methods or any(m in STATE_CHANGING for m in self.methods)


def endpoints(ctx: FileContext) -> list[Endpoint]:
    """The handler functions defined in this file, one entry per function (and guard set)."""
    cached = ctx.cache.get("endpoints")
    if cached is None:
        cached = ctx.cache["endpoints"] = _collect(ctx)
    return cached


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

    for route in discover(ctx):
        if isinstance(route.handler, cst.FunctionDef):
            add(Endpoint(route.handler, route.framework, route.methods, route.path, tuple(route.guards), route))
    if "django" in ctx.source.text or "rest_framework" in ctx.source.text or ctx.project is not None:
        for droute in discover_django(ctx):
            if droute.handler_ctx is None or droute.handler_ctx.path != ctx.path:
                continue  # declared in this urlconf, handled elsewhere: that file's endpoint
            for endpoint in _django_endpoints(ctx, droute):
                add(endpoint)
    return found


def _django_endpoints(ctx: FileContext, route: DjangoRoute) -> list[Endpoint]:
    if isinstance(route.handler, cst.FunctionDef):
        return [Endpoint(route.handler, route.framework, route.methods, route.path, tuple(route.guards), route)]
    info = class_info(ctx, route.handler)
    by_function: dict[int, tuple[cst.FunctionDef, list[str], tuple[Guard, ...]]] = {}
    for method in route._methods():
        member = _class_member(info, route.actions.get(method, method.lower()))
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
