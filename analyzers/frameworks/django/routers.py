"""DRF routers: ``router.register(prefix, ViewSet)`` and the ``@action`` routes of a ViewSet.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from ...context import FileContext
from ...walk import walk
from .model import _display, _join, _resolve, _UrlEntry
from .views import ClassInfo, _class_string, class_info


def _router_call(ctx: FileContext, expr: cst.BaseExpression) -> tuple[FileContext, str, cst.Call] | None:
    """The module, variable name and constructor call of a DRF router (here or imported)."""
    if isinstance(expr, cst.Name):
        bound = ctx.value_of(expr)
        if isinstance(bound, cst.Call) and _is_router(ctx.qualname(bound.func) or ""):
            return ctx, expr.value, bound
        imported = ctx.index.imports.get(expr.value)
        if imported and ctx.project is not None and "." in imported:
            module, _, name = imported.rpartition(".")
            other = ctx.project.context_for_module(module)
            if other is not None and other is not ctx:
                return _router_call(other, cst.Name(name))
    return None


def _is_router(name: str) -> bool:
    """DRF's routers and look-alikes (``ExtendedDefaultRouter``); nested routers' paths need their parent, skipped."""
    tail = name.rsplit(".", 1)[-1]
    return tail.endswith(("DefaultRouter", "SimpleRouter")) and "Nested" not in tail


def _router_entries(ctx: FileContext, expr: cst.BaseExpression, prefix: str, root: str) -> list[_UrlEntry]:
    found = _router_call(ctx, expr)
    if found is None:
        return []
    router_ctx, variable, call = found
    slash = "/" if ctx.literal(ctx.argument(call, "trailing_slash")) is not False else ""
    entries = []
    for node in walk(router_ctx.module):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "register" and isinstance(node.func.value, cst.Name)
                and node.func.value.value == variable):
            continue
        base = router_ctx.string(router_ctx.argument(node, "prefix", 0))
        target = _resolve(router_ctx, router_ctx.argument(node, "viewset", 1))
        if target is None or not isinstance(target[1], cst.ClassDef):
            continue
        handler_ctx, cls = target
        info = class_info(handler_ctx, cls)
        lookup = _class_string(info, "lookup_field") or "pk"
        lookup = _class_string(info, "lookup_url_kwarg") or lookup
        collection = _join(prefix, f"{base if base is not None else '*'}{slash}")
        detail = _join(prefix, f"{base if base is not None else '*'}/<{lookup}>{slash}")
        common = dict(owner=ctx.index.module_name, root=root, handler_path=handler_ctx.path,
                      handler_name=cls.name.value)
        entries.append(_UrlEntry(_display(collection), kind="list", **common))
        entries.append(_UrlEntry(_display(detail), kind="detail", **common))
        for method_ctx, method, action_call in _extra_actions(info):
            detail_action = method_ctx.literal(method_ctx.argument(action_call, "detail")) is True
            url_path = method_ctx.string(method_ctx.argument(action_call, "url_path")) or method.name.value
            where = detail if detail_action else collection
            if not slash:
                where += "/"
            entries.append(_UrlEntry(_display(f"{where}{url_path}{slash}"), kind="action",
                                     member=method.name.value, **common))
    return entries


def _extra_actions(info: ClassInfo) -> Iterator[tuple[FileContext, cst.FunctionDef, cst.Call]]:
    """``@action(detail=..., methods=[...])`` methods (and the older ``detail_route``/``list_route``)."""
    seen: set[str] = set()
    for ctx, cls in info.chain:
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value not in seen:
                seen.add(statement.name.value)
                call = _action_decorator(ctx, statement)
                if call is not None:
                    yield ctx, statement, call


def _action_decorator(ctx: FileContext, function: cst.FunctionDef) -> cst.Call | None:
    for decorator in function.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) in (
                "rest_framework.decorators.action", "rest_framework.decorators.detail_route",
                "rest_framework.decorators.list_route"):
            if ctx.qualname(expr.func) == "rest_framework.decorators.detail_route":
                return expr.with_changes(args=[*expr.args, cst.Arg(cst.Name("True"), keyword=cst.Name("detail"))])
            return expr
    return None
