"""Class-based views: their bases in method resolution order (project-local ones included), members and actions.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ...context import FileContext
from .model import (
    _DJANGO_VIEW_MODULES,
    _DRF_VIEW_MODULES,
    _GENERIC_METHODS,
    _HANDLER_NAMES,
    _VIEWSET_ACTIONS,
    ACTION_METHODS,
    DjangoRoute,
    _resolve,
    mentions_django,
)


@dataclass
class ClassInfo:
    """A class view's project classes in MRO order and its outside bases in the order met."""

    ctx: FileContext
    node: cst.ClassDef
    chain: list[tuple[FileContext, cst.ClassDef]]
    external: list[str]

    def tails(self) -> list[str]:
        return [name.rsplit(".", 1)[-1] for name in self.external]

    @property
    def drf(self) -> bool:
        return any(n.startswith("rest_framework.") for n in self.external) or \
            (mentions_django(self.ctx) and any(t.endswith(("APIView", "ViewSet")) for t in self.tails()))

    @property
    def viewset(self) -> bool:
        return any(t.endswith("ViewSet") or t == "ViewSetMixin" for t in self.tails())

    @property
    def is_view(self) -> bool:
        """Django/DRF view bases by qualname; by name only when the bases cannot be resolved in a Django module."""
        if any(_is_view_base(n) for n in self.external):
            return True
        return mentions_django(self.ctx) and any("." not in n and n.endswith(("View", "ViewSet")) for n in self.external)


def _is_view_base(name: str) -> bool:
    return name.startswith(_DJANGO_VIEW_MODULES + _DRF_VIEW_MODULES) or (
        name.startswith("braces.views.") and name.endswith("View"))


def class_info(ctx: FileContext, cls: cst.ClassDef) -> ClassInfo:
    info = ClassInfo(ctx, cls, [], [])
    _linearize(ctx, cls, info, 0)
    return info


def _linearize(ctx: FileContext, cls: cst.ClassDef, info: ClassInfo, depth: int) -> None:
    """Depth-first, left to right: close enough to C3 for deciding which base's ``dispatch`` runs first."""
    if depth > 8 or any(node is cls for _, node in info.chain):
        return
    info.chain.append((ctx, cls))
    for base in cls.bases:
        if base.keyword is not None:
            continue
        found = _resolve(ctx, base.value)
        if found is not None and isinstance(found[1], cst.ClassDef):
            _linearize(found[0], found[1], info, depth + 1)
        else:
            name = ctx.qualname(base.value) or ctx.dotted_name(base.value) or ctx.code(base.value)
            if name not in info.external:
                info.external.append(name)


def class_member(info: ClassInfo, name: str) -> tuple[FileContext, cst.FunctionDef] | None:
    for ctx, cls in info.chain:
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                return ctx, statement
    return None


def class_attribute(info: ClassInfo, name: str) -> tuple[FileContext, cst.BaseExpression] | None:
    for ctx, cls in info.chain:
        for statement in cls.body.body:
            # ``class V(ViewSet): queryset = ...; permission_classes = [...]`` has its statements inline
            smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else \
                [statement] if isinstance(statement, cst.BaseSmallStatement) else []
            for small in smalls:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets):
                    return ctx, small.value
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) \
                        and small.target.value == name and small.value is not None:
                    return ctx, small.value
    return None


def _class_string(info: ClassInfo, name: str) -> str | None:
    found = class_attribute(info, name)
    return found[0].string(found[1]) if found is not None else None


def _class_methods(info: ClassInfo) -> tuple[str, ...]:
    methods = {name.upper() for name in _HANDLER_NAMES if class_member(info, name) is not None}
    for tail in info.tails():
        methods |= set(_GENERIC_METHODS.get(tail, ()))
    listed = class_attribute(info, "http_method_names")
    if listed is not None:
        allowed = listed[0].literal(listed[1])
        if isinstance(allowed, (list, tuple)):
            methods &= {str(m).upper() for m in allowed}
    return tuple(m for m in (n.upper() for n in _HANDLER_NAMES) if m in methods)


def viewset_actions(info: ClassInfo) -> tuple[str, ...]:
    """The standard actions a ViewSet answers: from its bases and the action methods it defines."""
    actions: set[str] = set()
    for tail in info.tails():
        actions |= set(_VIEWSET_ACTIONS.get(tail, ()))
    actions |= {a for a in ACTION_METHODS if class_member(info, a) is not None}
    return tuple(a for a in ACTION_METHODS if a in actions)


def method_handler(route: DjangoRoute, method: str) -> cst.FunctionDef | None:
    """The function that answers ``method`` on a route: the function view, the action or the handler method."""
    if isinstance(route.handler, cst.FunctionDef):
        return route.handler
    if route.handler_ctx is None:
        return None
    info = class_info(route.handler_ctx, route.handler)
    name = route.actions.get(method, method.lower())
    found = class_member(info, name)
    return found[1] if found is not None else None
