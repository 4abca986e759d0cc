"""DRF permissions: permission classes with ``&``/``|`` algebra, ``@permission_classes``,
``@action(permission_classes=)``, ``get_permissions()`` branches on ``self.action``/``request.method``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import libcst as cst

from ...context import FileContext
from ...walk import walk
from .model import (
    _DRF_PERMISSIONS,
    ALL_METHODS,
    SAFE_METHODS,
    UNSAFE_METHODS,
    DjangoGuard,
    DjangoRoute,
    _mentions_role,
    _resolve,
)
from .views import ClassInfo, class_attribute, class_info, class_member


@dataclass(frozen=True)
class Coverage:
    """Which methods a permission set authenticates, and which it role-checks; ``names`` for messages."""

    auth: frozenset[str]
    role: frozenset[str]
    names: tuple[str, ...]
    allow_any: bool = False  # AllowAny (or an empty list) written on purpose

    def both(self, other: Coverage) -> Coverage:  # all must pass: A & B, [A, B]
        return Coverage(self.auth | other.auth, self.role | other.role, self.names + other.names,
                        self.allow_any and other.allow_any)

    def either(self, other: Coverage) -> Coverage:  # one suffices: A | B
        return Coverage(self.auth & other.auth, self.role & other.role, self.names + other.names,
                        self.allow_any or other.allow_any)


_NONE = Coverage(frozenset(), frozenset(), (), True)


_UNKNOWN_LIST = Coverage(ALL_METHODS, frozenset(), ("permission_classes",))


def _permission_list(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> Coverage:
    """A ``permission_classes`` value: every class in it must pass."""
    if isinstance(expr, cst.Name) and depth < 3:
        bound = ctx.value_of(expr)
        if bound is not None:
            return _permission_list(ctx, bound, depth + 1)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _permission_list(ctx, expr.left, depth + 1).both(_permission_list(ctx, expr.right, depth + 1))
    if not isinstance(expr, (cst.List, cst.Tuple)):
        return _UNKNOWN_LIST  # built elsewhere: assume it guards rather than report a false positive
    coverage = Coverage(frozenset(), frozenset(), (), True)
    for element in expr.elements:
        coverage = coverage.both(permission_coverage(ctx, element.value))
    return coverage


def permission_coverage(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> Coverage:
    """One permission expression: a class, an instance, ``A & B``, ``A | B``."""
    if isinstance(expr, cst.BinaryOperation) and depth < 8:
        left, right = permission_coverage(ctx, expr.left, depth + 1), permission_coverage(ctx, expr.right, depth + 1)
        if isinstance(expr.operator, cst.BitAnd):
            return left.both(right)
        if isinstance(expr.operator, cst.BitOr):
            return left.either(right)
    if isinstance(expr, cst.UnaryOperation):  # ~A: what it lets through is unclear
        return Coverage(frozenset(), frozenset(), (ctx.code(expr),))
    if isinstance(expr, cst.Call):
        expr = expr.func
    name = ctx.qualname(expr) or ctx.dotted_name(expr) or ctx.code(expr)
    return _class_coverage(ctx, expr, name, depth)


def _qualified_coverage(ctx: FileContext | None, name: str, depth: int = 0) -> Coverage:
    """A permission named by a dotted string (settings) or a qualname."""
    if ctx is not None and ctx.project is not None:
        found = ctx.project.definition(name)
        if found is not None and isinstance(found[1], cst.ClassDef):
            return _custom_coverage(class_info(*found), name.rsplit(".", 1)[-1], depth)
    return _known_coverage(name)


def _class_coverage(ctx: FileContext, expr: cst.BaseExpression, name: str, depth: int) -> Coverage:
    found = _resolve(ctx, expr)
    if found is not None and isinstance(found[1], cst.ClassDef) and depth < 6:
        return _custom_coverage(class_info(*found), ctx.code(expr), depth)
    return _known_coverage(name)


def _known_coverage(name: str) -> Coverage:
    tail = name.rsplit(".", 1)[-1]
    if name.startswith("rest_framework.permissions.") and tail in _DRF_PERMISSIONS:
        auth, role = _DRF_PERMISSIONS[tail]
        return Coverage(auth, role, (tail,), tail == "AllowAny")
    if "AllowAny" in tail or tail.lower() in ("public", "ispublic"):
        return Coverage(frozenset(), frozenset(), (tail,), True)
    # A class from a package we cannot read: its name is the only evidence, and reporting
    # a guarded route as open costs more than missing one; count it as authentication.
    role = ALL_METHODS if _mentions_role(tail) else frozenset()
    return Coverage(ALL_METHODS, role, (tail,))


def _custom_coverage(info: ClassInfo, label: str, depth: int) -> Coverage:
    """A project ``BasePermission`` subclass, judged by its ``has_permission``."""
    found = class_member(info, "has_permission")
    if found is None:  # inherited from a known class, or only object-level checks (no view-level guard)
        for name in info.external:
            if name.rsplit(".", 1)[-1] not in ("BasePermission", "object") and not name.startswith("builtins."):
                return replace(_known_coverage(name), names=(label,))
        return Coverage(frozenset(), frozenset(), (label,))
    ctx, function = found
    statements = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    body = "".join(ctx.code(s) for s in statements)
    if _always_true(ctx, function):
        return Coverage(frozenset(), frozenset(), (label,))
    methods = UNSAFE_METHODS if "SAFE_METHODS" in body or '"GET"' in body or "'GET'" in body else ALL_METHODS
    role = methods if _mentions_role(body.replace("has_permission", "")) else frozenset()
    return Coverage(methods, role, (label,))


def _always_true(ctx: FileContext, function: cst.FunctionDef) -> bool:
    returns = [n for n in walk(function) if isinstance(n, cst.Return)]
    return bool(returns) and all(ctx.literal(r.value) is True for r in returns)


def _permissions_for(info: ClassInfo, method: str, action: str | None) -> Coverage | None:
    """The permissions a DRF view applies to one method/action; None when the settings' default applies."""
    override = class_member(info, "get_permissions")
    declared = class_attribute(info, "permission_classes")
    base = _permission_list(*declared) if declared is not None else None
    if override is not None:
        return _get_permissions(override[0], override[1], method, action, base)
    return base


def _get_permissions(ctx: FileContext, function: cst.FunctionDef, method: str, action: str | None,
                     base: Coverage | None) -> Coverage | None:
    """Follow ``if self.action in (...)``/``if self.request.method in SAFE_METHODS`` branches to a return."""
    body = list(function.body.body) if isinstance(function.body, cst.IndentedBlock) else []
    outcome = _branch(ctx, body, method, action, base)
    if outcome is not None:
        return outcome[1]
    # Could not follow: the weakest of every list it may return, so nothing is called open that is not.
    options = [_permission_list(ctx, n.value) for n in walk(function)
               if isinstance(n, cst.Return) and isinstance(n.value, (cst.List, cst.Tuple))]
    if not options:
        return Coverage(ALL_METHODS, frozenset(), ("get_permissions()",))
    weakest = options[0]
    for option in options[1:]:
        weakest = weakest.either(option)
    return weakest


def _branch(ctx: FileContext, statements: list[Any], method: str, action: str | None,
            current: Coverage | None) -> tuple[bool, Coverage | None] | None:
    """(returned, coverage) for this method/action: what a return gives, or the permissions assigned on
    falling through; None when a condition or statement cannot be followed."""
    for statement in statements:
        if isinstance(statement, cst.If):
            taken = _condition(ctx, statement.test, method, action)
            if taken is None:
                return None
            block = statement.body if taken else statement.orelse
            if block is None:
                continue
            inner = [block] if isinstance(block, cst.If) else \
                list(block.body.body) if isinstance(block, cst.Else) and isinstance(block.body, cst.IndentedBlock) \
                else list(block.body) if isinstance(block, cst.IndentedBlock) else []
            outcome = _branch(ctx, inner, method, action, current)
            if outcome is None or outcome[0]:
                return outcome
            current = outcome[1]
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    current = _assigned_permissions(ctx, [statement]) or current
                elif isinstance(small, cst.Return) and small.value is not None:
                    return True, _returned(ctx, small.value, current)
        else:
            return None
    return False, current


def _assigned_permissions(ctx: FileContext, block: list[Any]) -> Coverage | None:
    for statement in block:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                        (ctx.dotted_name(t.target) or "").endswith("permission_classes") for t in small.targets):
                    return _permission_list(ctx, small.value)
    return None


def _returned(ctx: FileContext, value: cst.BaseExpression, current: Coverage | None) -> Coverage | None:
    if isinstance(value, (cst.List, cst.Tuple)):
        return _permission_list(ctx, value)
    code = ctx.code(value)
    if "permission_classes" in code or "super()" in code:
        return current  # [p() for p in self.permission_classes], super().get_permissions()
    return Coverage(ALL_METHODS, frozenset(), (code,))


def _condition(ctx: FileContext, test: cst.BaseExpression, method: str, action: str | None) -> bool | None:
    """Whether ``self.action in (...)``/``== "x"``/``request.method in SAFE_METHODS`` holds for this call."""
    if isinstance(test, cst.BooleanOperation):
        left = _condition(ctx, test.left, method, action)
        right = _condition(ctx, test.right, method, action)
        if left is None or right is None:
            return None
        return (left or right) if isinstance(test.operator, cst.Or) else (left and right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _condition(ctx, test.expression, method, action)
        return None if inner is None else not inner
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    subject = ctx.dotted_name(test.left) or ""
    operator = test.comparisons[0].operator
    other = test.comparisons[0].comparator
    if subject.endswith(".action"):
        value = action
    elif subject.endswith("request.method"):
        value = method
    else:
        return None
    if (ctx.dotted_name(other) or "").endswith("SAFE_METHODS"):
        options: Any = SAFE_METHODS
    else:
        options = ctx.literal(other)
    if isinstance(operator, (cst.In, cst.NotIn)) and isinstance(options, (list, tuple, frozenset, set)):
        hit = value in {str(o) if subject.endswith(".action") else str(o).upper() for o in options}
        return hit if isinstance(operator, cst.In) else not hit
    if isinstance(operator, (cst.Equal, cst.NotEqual)) and isinstance(options, str):
        hit = value == (options if subject.endswith(".action") else options.upper())
        return hit if isinstance(operator, cst.Equal) else not hit
    return None


def _decorated_permissions(ctx: FileContext, function: cst.FunctionDef) -> Coverage | None:
    for decorator in function.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) == "rest_framework.decorators.permission_classes":
            listed = ctx.argument(expr, "permission_classes", 0)
            return _permission_list(ctx, listed) if listed is not None else None
    return None


def _decorated_authentication(ctx: FileContext, function: cst.FunctionDef) -> tuple[str, ...] | None:
    for decorator in function.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) == \
                "rest_framework.decorators.authentication_classes":
            return _names(ctx, ctx.argument(expr, "authentication_classes", 0))
    return None


def _authentication(info: ClassInfo) -> tuple[str, ...] | None:
    found = class_attribute(info, "authentication_classes")
    return _names(*found) if found is not None else None


def _names(ctx: FileContext, expr: cst.BaseExpression | None) -> tuple[str, ...]:
    if isinstance(expr, (cst.List, cst.Tuple)):
        return tuple(ctx.code(e.value) for e in expr.elements)
    return (ctx.code(expr),) if expr is not None else ()


def _add_method_coverage(route: DjangoRoute, per_method: dict[str, Coverage | None], level: str) -> None:
    """Per-method coverages as guards; methods with none of their own are left to the settings' default."""
    declared = {m: c for m, c in per_method.items() if c is not None}
    if not declared:
        return
    if len(set(declared.values())) == 1 and len(declared) == len(per_method):
        _add_permission_guards(route, next(iter(declared.values())), level)
        return
    groups: dict[Coverage, set[str]] = {}
    for method, coverage in declared.items():
        groups.setdefault(coverage, set()).add(method)
    for coverage, methods in groups.items():
        _add_permission_guards(route, coverage, level, frozenset(methods))
    route.default_methods = tuple(m for m, c in per_method.items() if c is None)


def _add_permission_guards(route: DjangoRoute, coverage: Coverage | None, level: str,
                           scope: frozenset[str] | None = None, prefix: str = "") -> None:
    """Guards for what ``coverage`` authenticates and role-checks among the route's methods (or ``scope``)."""
    if coverage is None:
        return
    if level == "route":
        route.permissions_declared = True
    methods = frozenset(route._methods()) if scope is None else scope
    name = prefix + (" & ".join(dict.fromkeys(coverage.names)) or "[]")
    auth, role = coverage.auth & methods, coverage.role & methods
    if not auth and coverage.allow_any:
        route.exempt.append(name)
    everything = frozenset(route._methods())
    # A role check implies authentication: one role guard when both cover the same methods.
    for covered, is_role in ((auth if auth != role else frozenset(), False), (role, True)):
        if covered:
            route.guards.append(DjangoGuard("permission", name, level, is_role,
                                            None if covered == everything else covered))
