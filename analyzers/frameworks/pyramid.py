"""Pyramid: ``config.add_route("note", "/notes/{id}")`` (in any module of the project) and the views bound to
those routes: ``@view_config(route_name="note", request_method="DELETE", permission="edit")`` on functions and
methods, ``@view_defaults(...)`` on their class, ``config.add_view(view, route_name=..., attr=...)``. A view
without ``request_method`` answers every method.

Guards: a view's ``permission`` (its own, its class's ``view_defaults``, else the project's
``config.set_default_permission(...)``/``Configurator(default_permission=...)``) other than
``NO_PERMISSION_REQUIRED``; an administrative permission (``admin``, ``manage``...) is a role check, ``view``,
``edit`` and the like are not (the ACL decides who holds them); a check at the top of the body
(``if request.authenticated_userid is None: raise HTTPForbidden()``). The principal is
``request.authenticated_userid``, ``request.identity`` or ``request.user`` (``flow.py``); URL variables are in
``request.matchdict``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from ..context import FileContext
from ..project import Project, ProjectFact
from ..walk import walk
from .concepts import Framework, Guard, Route
from .guards import guard_for_decorator, guards_in_body

NAME = Framework.PYRAMID
MARKER = re.compile(r"pyramid")

_VIEW_CONFIG = frozenset({"pyramid.view.view_config"})
_VIEW_DEFAULTS = frozenset({"pyramid.view.view_defaults"})
_CONFIGURATOR = frozenset({"pyramid.config.Configurator"})
_NO_PERMISSION = frozenset({"pyramid.security.NO_PERMISSION_REQUIRED"})
_NO_PERMISSION_VALUE = "__no_permission_required__"
_ADMIN_PERMISSIONS = re.compile(r"admin|manage|moderat|staff|superuser|role|root", re.IGNORECASE)


@dataclass(frozen=True)
class PyramidView:
    """``config.add_view(view, route_name=..., ...)``: the view's qualified name and its settings."""

    view: str
    attr: str | None
    settings: tuple[tuple[str, cst.BaseExpression], ...]  # keyword -> value (route_name, request_method...)
    ctx: FileContext  # where the settings are written


@dataclass
class PyramidTable:
    routes: dict[str, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)  # name -> pattern, methods
    views: list[PyramidView] = field(default_factory=list)
    default_permission: str | None = None


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """This file's views: decorated with ``@view_config``, or named by an ``add_view`` here or elsewhere."""
    table = pyramid_table(ctx)
    modules = {ctx.index.module_name}
    if ctx.project is not None:
        modules |= ctx.project.module_names(ctx.path)
    imperative: dict[str, list[PyramidView]] = {}
    for view in table.views:
        imperative.setdefault(view.view, []).append(view)
    found: list[Route] = []
    for name, function in ctx.index.functions.items():
        for settings in _decorated(ctx, function, {}):
            found.append(_route(ctx, table, function, None, settings))
        for view in (v for m in modules for v in imperative.get(f"{m}.{name}", [])):
            found.append(_route(ctx, table, function, None, _settings_of(view)))
    for cls in ctx.index.classes.values():
        defaults: dict[str, tuple[FileContext, cst.BaseExpression]] = {}
        for decorator in cls.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call) and ctx.qualname(expr.func) in _VIEW_DEFAULTS:
                defaults.update({a.keyword.value: (ctx, a.value) for a in expr.args if a.keyword is not None})
        for member in cls.body.body:
            if isinstance(member, cst.FunctionDef):
                for settings in _decorated(ctx, member, defaults):
                    found.append(_route(ctx, table, member, cls, settings))
        for view in (v for m in modules for v in imperative.get(f"{m}.{cls.name.value}", [])):
            method = _member(cls, view.attr or "__call__")
            if method is not None:
                found.append(_route(ctx, table, method, cls, {**defaults, **_settings_of(view)}))
    return found


_Settings = dict[str, tuple[FileContext, cst.BaseExpression]]


def _decorated(ctx: FileContext, function: cst.FunctionDef, defaults: _Settings) -> list[_Settings]:
    """One set of settings per ``@view_config`` on the function, over the class's ``view_defaults``; exception
    views (``context=HTTPNotFound``) answer no route."""
    found = []
    for decorator in function.decorators:
        expr = decorator.decorator
        if not (isinstance(expr, cst.Call) and ctx.qualname(expr.func) in _VIEW_CONFIG):
            continue
        settings = {**defaults, **{a.keyword.value: (ctx, a.value) for a in expr.args if a.keyword is not None}}
        context = settings.get("context")
        if context is not None and re.search(r"(?:Exception|Error|HTTP\w+)$", context[0].qualname(context[1]) or ""):
            continue
        found.append(settings)
    return found


def _settings_of(view: PyramidView) -> _Settings:
    return {key: (view.ctx, value) for key, value in view.settings}


def _member(cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    return next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == name), None)


def _route(ctx: FileContext, table: PyramidTable, function: cst.FunctionDef, cls: cst.ClassDef | None,
           settings: _Settings) -> Route:
    route_name = _setting_string(settings, "route_name")
    path, route_methods = table.routes.get(route_name, (None, ())) if route_name else (None, ())
    methods = _methods(settings) or route_methods
    route = Route(NAME, methods, path, function, None, view_class=cls)
    route.guards += _permission_guards(table, settings)
    route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
    decorator = settings.get("decorator")  # view_config(decorator=login_required) or a tuple of them
    if decorator is not None:
        dctx, value = decorator
        values = [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
        route.guards += [g for v in values if (g := guard_for_decorator(dctx, cst.Decorator(decorator=v)))]
    route.guards += guards_in_body(ctx, function)
    return route


def _setting_string(settings: _Settings, key: str) -> str | None:
    found = settings.get(key)
    return found[0].string(found[1]) if found is not None else None


def _methods(settings: _Settings) -> tuple[str, ...]:
    """``request_method="POST"`` or ``("GET", "HEAD")``; empty: any method."""
    found = settings.get("request_method")
    if found is None:
        return ()
    value = found[0].literal(found[1])
    listed = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple)) else []
    return tuple(m.upper() for m in listed if isinstance(m, str))


def _permission_guards(table: PyramidTable, settings: _Settings) -> list[Guard]:
    found = settings.get("permission")
    if found is None:
        if table.default_permission is None or table.default_permission == _NO_PERMISSION_VALUE:
            return []
        permission = table.default_permission
        return [Guard("configured", f"default permission {permission!r}", "app", role=_administrative(permission))]
    pctx, value = found
    if pctx.qualname(value) in _NO_PERMISSION:
        return []
    literal = pctx.literal(value)
    if literal is None or literal == _NO_PERMISSION_VALUE:
        return []
    text = literal if isinstance(literal, str) else pctx.code(value)
    return [Guard("decorator", f"permission={pctx.code(value)}", role=_administrative(text))]


def _administrative(permission: str) -> bool:
    """``admin``, ``manage_users``, ``moderate``: a permission only some principals hold by role. ``view``,
    ``edit``, ``delete`` are granted by the ACL (often per object): they say the caller is known, not privileged."""
    return bool(_ADMIN_PERMISSIONS.search(permission))


# --- the project's routes, imperative views and default permission -------------------------------------------

def pyramid_table(ctx: FileContext) -> PyramidTable:
    """Every route, ``add_view`` and default permission of the project (built once), or of this file alone."""
    project = ctx.project
    if project is None:
        return _file_table(ctx, PyramidTable())
    return _PROJECT_TABLE.get(project)


def _project_table(project: Project) -> PyramidTable:
    table = PyramidTable()
    seen: set[int] = set()
    for text in ("add_route", "add_view", "default_permission"):
        for other in project.contexts_mentioning(text):
            if id(other) not in seen:
                seen.add(id(other))
                _file_table(other, table)
    return table


_PROJECT_TABLE = ProjectFact("pyramid_table", _project_table)


def _file_table(ctx: FileContext, table: PyramidTable) -> PyramidTable:
    text = ctx.source.text
    if "add_route" not in text and "add_view" not in text and "default_permission" not in text:
        return table
    for node in walk(ctx.module):
        if not isinstance(node, cst.Call):
            continue
        func = node.func
        if ctx.qualname(func) in _CONFIGURATOR:
            permission = ctx.string(ctx.argument(node, "default_permission"))
            table.default_permission = permission or table.default_permission
        if not isinstance(func, cst.Attribute):
            continue
        verb = func.attr.value
        if verb == "add_route":  # config is a parameter (``includeme(config)``): the two strings say it is Pyramid's
            name = ctx.string(ctx.argument(node, "name", 0))
            pattern = ctx.string(ctx.argument(node, "pattern", 1)) or ctx.string(ctx.argument(node, "path"))
            if name is not None and pattern is not None:
                listed = ctx.literal(ctx.argument(node, "request_method"))
                listed = [listed] if isinstance(listed, str) else listed if isinstance(listed, (list, tuple)) else []
                table.routes.setdefault(name, (pattern, tuple(m.upper() for m in listed if isinstance(m, str))))
        elif verb == "add_view":
            view = _view_name(ctx, ctx.argument(node, "view", 0))
            if view is not None:
                settings = tuple((a.keyword.value, a.value) for a in node.args if a.keyword is not None)
                table.views.append(PyramidView(view, ctx.string(ctx.argument(node, "attr")), settings, ctx))
        elif verb == "set_default_permission":
            table.default_permission = ctx.string(ctx.argument(node, "permission", 0)) or table.default_permission
    return table


def _view_name(ctx: FileContext, value: cst.BaseExpression | None) -> str | None:
    """The qualified name of a view callable: an expression, or a dotted name (``".views.home"``, relative to the
    configuring module's package)."""
    if value is None:
        return None
    dotted = ctx.string(value)
    if dotted is None:
        return ctx.qualname(value)
    dotted = dotted.replace(":", ".")
    if not dotted.startswith("."):
        return dotted
    package = ctx.index.module_name if ctx.index.is_package else ctx.index.module_name.rpartition(".")[0]
    stripped = dotted.lstrip(".")
    parts = package.split(".") if package else []
    parts = parts[: len(parts) - (len(dotted) - len(stripped) - 1)] if len(dotted) - len(stripped) > 1 else parts
    return ".".join([*parts, stripped])
