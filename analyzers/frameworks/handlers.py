"""The handlers of a file that take client data: its endpoints, plus functions that only another module's
route table names (Starlette, aiohttp), class-based views' hooks (``get_queryset``, ``perform_create``) and
functions shaped like handlers, each with whether it is an admin's and the flow of its data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from ..context import FileContext, FileFact
from ..words import split_words
from .concepts import Framework
from .django import discover_django
from .django.model import mentions_django
from .endpoints import endpoints
from .flow import HandlerFlow
from .guards import guard_for_decorator

_ADMIN = re.compile(r"(?:^|[/_\-. ])(?:admin|staff|superuser|backoffice|back_office)(?:$|[/_\-. ])|superuser",
                    re.IGNORECASE)


_REQUEST_TYPES = ("Request", "HTTPConnection", "HttpRequest", "WSGIRequest", "ASGIRequest", "BaseRequest")


_ADMIN_WORDS = frozenset({"admin", "admins", "administrator", "staff", "superuser", "backoffice", "superadmin"})


def adminish(*names: str) -> bool:
    """``UserAdminSerializer``, ``admin_api.py``, ``StaffUserViewSet``: meant for administrators."""
    return any(set(split_words(name)) & _ADMIN_WORDS for name in names)


@dataclass
class RouteHandler:
    function: cst.FunctionDef
    framework: Framework
    label: str
    authenticated: bool
    role_checked: bool
    privileged: bool  # an admin/staff route by path, name, router or module: acting on others is its job
    endpoint: bool  # declared as a route (False: shaped like a handler, declared in another module)
    _flow: HandlerFlow | None = None

    def flow(self, ctx: FileContext) -> HandlerFlow:
        if self._flow is None:
            self._flow = HandlerFlow.build(ctx, self.function, self.framework)
        return self._flow


def _admin_dependency(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """A FastAPI parameter that resolves an administrator (``admin: AdminUser``, ``Depends(get_superuser)``)."""
    params = function.params
    for param in (*params.params, *params.kwonly_params):
        texts = [ctx.code(param.default)] if param.default is not None else []
        if param.annotation is not None:
            texts.append(ctx.code(param.annotation.annotation))
        if any(("Depends" in t or "Security" in t or t.isidentifier()) and adminish(*re.findall(r"\w+", t))
               for t in texts):
            return True
    return False


def route_handlers(ctx: FileContext) -> list[RouteHandler]:
    """The request handlers of this file: declared endpoints, then Starlette/aiohttp-shaped functions."""
    return _ROUTE_HANDLERS.get(ctx)


def _route_handlers(ctx: FileContext) -> list[RouteHandler]:
    module = ctx.path.rsplit("/", 1)[-1].removesuffix(".py")
    found: list[RouteHandler] = []
    seen: set[int] = set()
    for endpoint in endpoints(ctx):
        function = endpoint.function
        if id(function) in seen:
            continue
        seen.add(id(function))
        route = endpoint.route
        cls = route.view_class.name.value if route.view_class is not None else ""
        where = f"{endpoint.path or ''} {_prefix(ctx, route.owner)} {module}"
        privileged = bool(_ADMIN.search(where)) or adminish(function.name.value, cls, route.owner or "") or \
            (endpoint.framework == Framework.FASTAPI and _admin_dependency(ctx, function))
        found.append(RouteHandler(function, endpoint.framework, endpoint.label, endpoint.authenticated,
                              endpoint.role_checked, privileged, True))
    text = ctx.source.text
    if mentions_django(ctx) and "class " in text:
        for hook, route in _view_hooks(ctx):
            if id(hook) in seen:
                continue
            seen.add(id(hook))
            cls = route.handler.name.value
            privileged = bool(_ADMIN.search(f"{route.path or ''} {module}")) or adminish(cls)
            found.append(RouteHandler(hook, route.framework, f"{cls}.{hook.name.value}", route.authenticated,
                                  route.role_checked, privileged, True))
    framework = Framework.STARLETTE if "starlette" in text else Framework.AIOHTTP if "aiohttp" in text else None
    if framework is not None:
        for function in _functions(ctx.module):
            if id(function) in seen or not _shaped_like_handler(ctx, function):
                continue
            seen.add(id(function))
            guards = [g for g in (guard_for_decorator(ctx, d) for d in function.decorators) if g is not None]
            privileged = bool(_ADMIN.search(module)) or adminish(function.name.value)
            found.append(RouteHandler(function, framework, f"{function.name.value}()", bool(guards),
                                  any(g.role for g in guards), privileged, False))
    return found


_ROUTE_HANDLERS = FileFact("payloads.handlers", _route_handlers)


_VIEW_HOOKS = frozenset({"get_queryset", "perform_create", "perform_update", "perform_destroy", "form_valid",
                         "get_object", "create", "update", "partial_update", "list", "retrieve", "destroy", "get",
                         "post", "put", "patch", "delete"})


def _view_hooks(ctx: FileContext) -> Iterator[tuple[cst.FunctionDef, Any]]:
    """Methods of this file's class-based views and ViewSets that run per request (``perform_create``...)."""
    seen: set[int] = set()
    for route in discover_django(ctx):
        cls = route.handler
        if not isinstance(cls, cst.ClassDef) or route.handler_ctx is None or route.handler_ctx.path != ctx.path \
                or id(cls) in seen:
            continue
        seen.add(id(cls))
        for member in cls.body.body:
            if isinstance(member, cst.FunctionDef) and member.name.value in _VIEW_HOOKS:
                yield member, route


def _prefix(ctx: FileContext, owner: str | None) -> str:
    """The ``prefix=``/``url_prefix=`` of the router or blueprint a route hangs on."""
    if owner is None:
        return ""
    bound = ctx.index.bindings.get((id(ctx.module), owner))
    if bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
        for name in ("prefix", "url_prefix"):
            value = ctx.string(ctx.argument(bound[0], name))
            if value:
                return value
    return ""


def _functions(module: cst.Module) -> Iterator[cst.FunctionDef]:
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef):
            yield statement
        elif isinstance(statement, cst.ClassDef):
            for member in statement.body.body:
                if isinstance(member, cst.FunctionDef):
                    yield member


def _shaped_like_handler(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """``async def add_comment(request: Request)``: takes the request (annotated), or carries ``@requires``."""
    for decorator in function.decorators:
        target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        if ctx.qualname(target) == "starlette.authentication.requires":
            return True
    params = [p for p in function.params.params if p.name.value not in ("self", "cls")]
    if not params or params[0].annotation is None:
        return False
    annotation = params[0].annotation.annotation
    text = ctx.qualname(annotation) or ctx.dotted_name(annotation) or ""
    return text.rsplit(".", 1)[-1] in _REQUEST_TYPES and not text.startswith(("fastapi", "django", "flask"))
