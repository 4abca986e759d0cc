"""Shared concepts every framework module speaks: routes, guards, endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import libcst as cst


class Framework(StrEnum):
    """The framework a route belongs to. Its value is the name messages and reports have always used."""

    FLASK = "flask"  # Flask, Quart, APIFlask
    FASTAPI = "fastapi"
    STARLETTE = "starlette"
    AIOHTTP = "aiohttp"
    DJANGO = "django"
    DRF = "drf"  # Django REST framework
    SANIC = "sanic"
    NINJA = "ninja"  # Django Ninja
    LITESTAR = "litestar"
    TORNADO = "tornado"
    FALCON = "falcon"
    PYRAMID = "pyramid"
    BOTTLE = "bottle"
    CONNEXION = "connexion"  # handlers named by an OpenAPI document's operationId
    GRAPHQL = "graphql"  # graphene, strawberry and ariadne resolvers and mutations


@dataclass(frozen=True)
class Binding:
    """How a framework hands a request to its handler: what the handler's parameters hold."""

    request_first: bool = False  # the first parameter (after ``self``) is the request
    url_arguments: bool = True  # the other parameters are URL variables (False: the server's own values)
    declared: bool = False  # parameters are declared and read from the request by name and type (FastAPI)


_GLOBAL_REQUEST = Binding()  # Flask, Bottle: a global ``request``, URL variables as arguments
BINDINGS: dict[Framework, Binding] = {
    Framework.FASTAPI: Binding(declared=True),
    Framework.NINJA: Binding(request_first=True, declared=True),
    Framework.LITESTAR: Binding(declared=True),
    Framework.STARLETTE: Binding(request_first=True, url_arguments=False),
    Framework.AIOHTTP: Binding(request_first=True, url_arguments=False),
    Framework.DJANGO: Binding(request_first=True),
    Framework.DRF: Binding(request_first=True),
    Framework.SANIC: Binding(request_first=True),
    Framework.PYRAMID: Binding(request_first=True, url_arguments=False),  # URL variables in request.matchdict
    Framework.FALCON: Binding(request_first=True),  # on_get(self, req, resp, **url variables)
    Framework.TORNADO: Binding(),  # get(self, *url groups); the request is self.request
    # resolve_x(root, info, **arguments): the arguments are the client's, info.context the request's
    Framework.GRAPHQL: Binding(),
}


def binding(framework: Framework) -> Binding:
    return BINDINGS.get(framework, _GLOBAL_REQUEST)


HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Guard:
    """Something that stops an unauthenticated (or unprivileged) caller before the handler's work."""

    kind: str  # decorator | dependency | hook | check | middleware | configured
    name: str  # qualified name or source text, for messages ("@login_required")
    level: str = "route"  # route | router | app
    role: bool = False  # checks a role or permission, not only identity


def route_label(methods: tuple[str, ...], path: str | None, name: str) -> str:
    """``GET|POST /notes/<id>`` for messages: the methods (``ANY``: every one) and the path, or the handler's name
    when the path is not known."""
    verbs = "|".join(methods) if methods else "ANY"
    return f"{verbs} {path}" if path else f"{verbs} {name}"


@dataclass
class Route:
    framework: Framework
    methods: tuple[str, ...]
    path: str | None
    handler: cst.FunctionDef | cst.ClassDef
    owner: str | None  # the app/blueprint/router variable the route hangs on
    guards: list[Guard] = field(default_factory=list)
    view_class: cst.ClassDef | None = None  # for a method of a class-based view

    @property
    def name(self) -> str:
        if self.view_class is not None:
            return f"{self.view_class.name.value}.{self.handler.name.value}"
        return self.handler.name.value

    @property
    def label(self) -> str:
        return route_label(self.methods, self.path, self.name)

    @property
    def authenticated(self) -> bool:
        return bool(self.guards)

    @property
    def role_checked(self) -> bool:
        return any(g.role for g in self.guards)


@dataclass(frozen=True)
class Endpoint:
    """One handler function of this file and the requests it answers."""

    function: cst.FunctionDef
    framework: Framework
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
