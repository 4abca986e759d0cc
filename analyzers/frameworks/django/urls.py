"""The url index: ``urlpatterns`` with ``path``/``re_path``/``url``, ``include()`` of modules, strings and
lists, DRF routers, each entry with its full path joined from the project's root urlconfs.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from ...context import FileContext
from ...project import Project, ProjectFact
from ...walk import walk
from ..concepts import Guard
from .model import (
    _INCLUDE,
    _LOGIN_NOT_REQUIRED,
    _URL_FUNCTIONS,
    _display,
    _join,
    _resolve,
    _top_statements,
    _top_targets,
    _UrlEntry,
    _UrlIndex,
)
from .routers import _router_call, _router_entries
from .routes import _decorator_guard
from .settings import settings_modules


def url_index(project: Project) -> _UrlIndex:
    return _URL_INDEX.get(project)


def _url_index(project: Project) -> _UrlIndex:
    urlconfs = {}
    for path in project.files:
        ctx = project.context_for_path(path) if _looks_like_urlconf(path) else None
        if ctx is not None and _has_urlpatterns(ctx):
            urlconfs[ctx.index.module_name] = ctx
    for settings in settings_modules(project):
        ctx = project.context_for_module(settings.root_urlconf) if settings.root_urlconf else None
        if ctx is not None and _has_urlpatterns(ctx):
            urlconfs[ctx.index.module_name] = ctx
    included: set[str] = set()
    for ctx in urlconfs.values():
        included |= _included_modules(ctx)
    entries: list[_UrlEntry] = []
    for name, ctx in sorted(urlconfs.items()):
        if name not in included:
            entries += _walk_urlconf(ctx, "", name, set())
    return _UrlIndex(entries)


_URL_INDEX = ProjectFact("django.urls", _url_index)


def _local_entries(ctx: FileContext) -> list[_UrlEntry]:
    name = ctx.index.module_name
    return _walk_urlconf(ctx, "", name, set()) if _has_urlpatterns(ctx) else []


def _looks_like_urlconf(path: str) -> bool:
    return "urls" in path.replace("\\", "/").rsplit("/", 2)[-1] or "/urls/" in path.replace("\\", "/")


def _has_urlpatterns(ctx: FileContext) -> bool:
    return any(isinstance(t, cst.Name) and t.value == "urlpatterns" for t in _top_targets(ctx))


def _included_modules(ctx: FileContext) -> set[str]:
    found = set()
    for node in walk(ctx.module):
        if isinstance(node, cst.Call) and ctx.qualname(node.func) in _INCLUDE:
            target = _include_module(ctx, ctx.argument(node, "arg", 0))
            if target is not None:
                found.add(target)
    return found


def _include_module(ctx: FileContext, arg: cst.BaseExpression | None) -> str | None:
    """``include("shop.urls")``, ``include(("shop.urls", "shop"))`` or ``include(shop_urls)`` (a module)."""
    if isinstance(arg, cst.Tuple) and arg.elements:
        arg = arg.elements[0].value
    text = ctx.string(arg)
    if text is not None:
        return text
    name = ctx.qualname(arg) if isinstance(arg, (cst.Name, cst.Attribute)) else None
    if name and ctx.project is not None and ctx.project.context_for_module(name) is not None:
        return name
    return None


def _walk_urlconf(ctx: FileContext, prefix: str, root: str, seen: set[str]) -> list[_UrlEntry]:
    module = ctx.index.module_name
    if module in seen:
        return []
    seen = seen | {module}
    entries = []
    for element in _urlpatterns(ctx):
        entries += _pattern_entries(ctx, element, prefix, root, seen)
    return entries


def _urlpatterns(ctx: FileContext) -> list[cst.BaseExpression]:
    """Elements of ``urlpatterns``: assigned, ``+=``-ed, ``.append``-ed or ``.extend``-ed at module level."""
    elements: list[cst.BaseExpression] = []
    for statement in _top_statements(ctx.module):
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(_is_urlpatterns(t.target) for t in small.targets):
                elements = _expand(ctx, small.value)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and _is_urlpatterns(small.target) \
                    and small.value is not None:
                more = _expand(ctx, small.value)
                elements = more if isinstance(small, cst.AnnAssign) else elements + more
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) \
                    and isinstance(small.value.func, cst.Attribute) and _is_urlpatterns(small.value.func.value):
                method, args = small.value.func.attr.value, small.value.args
                if method in ("append", "insert") and args:
                    elements.append(args[-1].value)
                elif method == "extend" and args:
                    elements += _expand(ctx, args[0].value)
    return elements


def _is_urlpatterns(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) and target.value == "urlpatterns"


def _expand(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> list[cst.BaseExpression]:
    """The pattern expressions a list expression holds: literals, ``a + b``, names, ``router.urls``, wrappers."""
    if depth > 4:
        return []
    if isinstance(expr, (cst.List, cst.Tuple)):
        items: list[cst.BaseExpression] = []
        for element in expr.elements:
            if isinstance(element, cst.StarredElement):
                items += _expand(ctx, element.value, depth + 1)
            else:
                items.append(element.value)
        return items
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _expand(ctx, expr.left, depth + 1) + _expand(ctx, expr.right, depth + 1)
    if isinstance(expr, cst.Attribute) and expr.attr.value == "urls":
        return [expr]  # a router's patterns, resolved by _pattern_entries
    if isinstance(expr, cst.Name):
        bound = ctx.value_of(expr)
        return _expand(ctx, bound, depth + 1) if bound is not None else []
    if isinstance(expr, cst.Call):  # format_suffix_patterns([...]), i18n_patterns(*items)
        tail = (ctx.qualname(expr.func) or "").rsplit(".", 1)[-1]
        if tail in ("format_suffix_patterns", "i18n_patterns", "patterns"):
            items = []
            for arg in expr.args:
                if arg.keyword is None and not (tail == "patterns" and ctx.string(arg.value) is not None):
                    items += _expand(ctx, arg.value, depth + 1) if arg.star or tail == "format_suffix_patterns" \
                        else [arg.value]
            return items
    return []


def _pattern_entries(ctx: FileContext, element: cst.BaseExpression, prefix: str, root: str,
                     seen: set[str]) -> list[_UrlEntry]:
    if isinstance(element, cst.Attribute) and element.attr.value == "urls":
        return _router_entries(ctx, element.value, prefix, root)
    if not (isinstance(element, cst.Call) and ctx.qualname(element.func) in _URL_FUNCTIONS):
        return []
    route_arg = ctx.argument(element, "route", 0)
    if route_arg is None:
        route_arg = ctx.argument(element, "regex", 0)
    pattern = ctx.string(route_arg)
    full = _join(prefix, pattern if pattern is not None else "*")
    view = ctx.argument(element, "view", 1)
    if isinstance(view, cst.Call) and ctx.qualname(view.func) in _INCLUDE:
        return _include_entries(ctx, view, full, root, seen)
    guards, exempt, view = _unwrap_view(ctx, view)
    target = _view_target(ctx, view)
    if target is None:
        return []
    handler_ctx, node, mapping = target
    return [_UrlEntry(_display(full), ctx.index.module_name, root, handler_ctx.path, node.name.value,
                      mapping=mapping, guards=tuple(guards), exempt=tuple(exempt))]


def _include_entries(ctx: FileContext, call: cst.Call, prefix: str, root: str, seen: set[str]) -> list[_UrlEntry]:
    arg = ctx.argument(call, "arg", 0)
    if isinstance(arg, cst.Tuple) and arg.elements and ctx.string(arg.elements[0].value) is None:
        arg = arg.elements[0].value  # include((patterns, "app_name"))
    if isinstance(arg, cst.Attribute) and arg.attr.value == "urls" and _router_call(ctx, arg.value) is not None:
        return _router_entries(ctx, arg.value, prefix, root)
    module = _include_module(ctx, arg)
    if module is not None:
        target = ctx.project.context_for_module(module) if ctx.project is not None else None
        return _walk_urlconf(target, prefix, root, seen) if target is not None else []
    entries = []
    for element in _expand(ctx, arg) if arg is not None else []:
        entries += _pattern_entries(ctx, element, prefix, root, seen)
    return entries


def _unwrap_view(ctx: FileContext, view: cst.BaseExpression | None) -> tuple[list[Guard], list[str], Any]:
    """``login_required(csrf_exempt(View.as_view()))`` -> the guards it applies and the view inside."""
    guards: list[Guard] = []
    exempt: list[str] = []
    for _ in range(6):
        if not (isinstance(view, cst.Call) and view.args and view.args[0].keyword is None):
            break
        if isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
            break
        name = ctx.qualname(view.func.func if isinstance(view.func, cst.Call) else view.func) or ""
        if name in _LOGIN_NOT_REQUIRED:
            exempt.append(f"@{name.rsplit('.', 1)[-1]}")
        guard = _decorator_guard(ctx, cst.Decorator(decorator=view.func))
        if guard is not None:
            guards.append(guard)
        view = view.args[0].value
    return guards, exempt, view


def _view_target(ctx: FileContext, view: Any) -> tuple[FileContext, cst.FunctionDef | cst.ClassDef,
                                                          tuple[tuple[str, str], ...]] | None:
    mapping: tuple[tuple[str, str], ...] = ()
    if isinstance(view, cst.Call) and isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
        actions = ctx.literal(ctx.argument(view, "actions", 0))
        if isinstance(actions, dict):
            mapping = tuple((str(k).upper(), str(v)) for k, v in actions.items() if isinstance(v, str))
        view = view.func.value
    elif ctx.string(view) is not None:  # url(r"^x$", "app.views.x") in old projects
        found = ctx.project.definition(ctx.string(view)) if ctx.project is not None else None
        return (found[0], found[1], ()) if found is not None else None
    found = _resolve(ctx, view)
    return (found[0], found[1], mapping) if found is not None else None
