"""A light, module-wide name table: imports, simple bindings and definitions.

It answers the questions libcst's ``QualifiedNameProvider`` answers for rules
(``from jwt import decode as d`` makes ``d`` mean ``jwt.decode``) from one pass
over the *statements* of a module, without building scopes for every
expression. Rules never track imports themselves; they ask ``FileContext``.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import libcst as cst

_BUILTINS = frozenset(dir(builtins))


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def module_name_for(path: str) -> str:
    """``pkg/sub/mod.py`` -> ``pkg.sub.mod``; ``pkg/__init__.py`` -> ``pkg``."""
    parts = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
    if parts and parts[-1].endswith(".py"):
        parts[-1] = parts[-1][:-3]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass
class ModuleIndex:
    module_name: str
    is_package: bool = False
    imports: dict[str, str] = field(default_factory=dict)
    # (id of scope node, name) -> values bound there; None means "bound, value unknown".
    bindings: dict[tuple[int, str], list[cst.BaseExpression | None]] = field(default_factory=dict)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    classes: dict[str, cst.ClassDef] = field(default_factory=dict)

    @classmethod
    def build(cls, module: cst.Module, path: str) -> ModuleIndex:
        index = cls(module_name=module_name_for(path), is_package=path.endswith("__init__.py"))
        index._scan_block(module.body, module, top=True)
        return index

    # --- construction -------------------------------------------------------
    def _bind(self, scope: cst.CSTNode, name: str, value: cst.BaseExpression | None) -> None:
        self.bindings.setdefault((id(scope), name), []).append(value)

    def _bind_target(self, scope: cst.CSTNode, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self._bind(scope, target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                self._bind_target(scope, inner, None)

    def _scan_block(self, body: object, scope: cst.CSTNode, top: bool) -> None:
        found = body.body if isinstance(body, cst.BaseSuite) else body
        statements = [found] if isinstance(found, cst.BaseSmallStatement) else cast(Sequence[cst.CSTNode], found)
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._scan_small(small, scope)
            elif isinstance(statement, cst.SimpleStatementSuite):
                for small in statement.body:
                    self._scan_small(small, scope)
            else:
                self._scan_compound(statement, scope, top)

    def _scan_compound(self, statement: cst.CSTNode, scope: cst.CSTNode, top: bool) -> None:
        if isinstance(statement, cst.FunctionDef):
            self._bind(scope, statement.name.value, None)
            if top:
                self.functions[statement.name.value] = statement
            params = statement.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                self._bind(statement, param.name.value, None)
            for star in (params.star_arg, params.star_kwarg):
                if isinstance(star, cst.Param):
                    self._bind(statement, star.name.value, None)
            self._scan_block(statement.body, statement, top=False)
            return
        if isinstance(statement, cst.ClassDef):
            self._bind(scope, statement.name.value, None)
            if top:
                self.classes[statement.name.value] = statement
            self._scan_block(statement.body, statement, top=False)
            return
        if isinstance(statement, (cst.For,)):
            self._bind_target(scope, statement.target, None)
        if isinstance(statement, (cst.If, cst.While)):
            self._bind_walrus(scope, statement.test)
        if isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    self._bind_target(scope, item.asname.name, None)
        for attr in ("body", "orelse", "finalbody"):
            child = getattr(statement, attr, None)
            if isinstance(child, cst.BaseSuite):
                self._scan_block(child, scope, top)
            elif isinstance(child, (cst.If, cst.Else, cst.Finally)):
                self._scan_compound(child, scope, top)
        for handler in getattr(statement, "handlers", ()):
            if handler.name is not None:
                self._bind_target(scope, handler.name.name, None)
            self._scan_block(handler.body, scope, top)
        if isinstance(statement, cst.Match):
            for case in statement.cases:
                self._scan_block(case.body, scope, top)

    def _bind_walrus(self, scope: cst.CSTNode, test: cst.BaseExpression) -> None:
        """``if (m := pattern.match(x)):`` binds ``m`` in the enclosing scope."""
        stack: list[cst.CSTNode] = [test]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.NamedExpr):
                self._bind_target(scope, node.target, node.value)
                stack.append(node.value)
            elif isinstance(node, (cst.BooleanOperation, cst.UnaryOperation, cst.Comparison)):
                stack.extend(getattr(node, a) for a in ("left", "right", "expression") if hasattr(node, a))
                stack.extend(t.comparator for t in getattr(node, "comparisons", ()))

    def _scan_small(self, small: cst.BaseSmallStatement, scope: cst.CSTNode) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.imports[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    self.imports.setdefault(head, head)
        elif isinstance(small, cst.ImportFrom):
            if isinstance(small.names, cst.ImportStar):
                return
            base = dotted_name(small.module) if small.module is not None else ""
            base = self._absolute(len(small.relative), base or "")
            for alias in small.names:
                name = dotted_name(alias.name) or ""
                local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
                self.imports[local] = f"{base}.{name}" if base else name
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                self._bind_target(scope, target.target, small.value)
        elif isinstance(small, cst.AnnAssign):
            self._bind_target(scope, small.target, small.value)
        elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
            self._bind(scope, small.target.value, None)
        elif isinstance(small, (cst.Global, cst.Nonlocal)):
            for item in small.names:
                self._bind(scope, item.name.value, None)

    def _absolute(self, dots: int, module: str) -> str:
        if not dots:
            return module
        package = self.module_name.split(".") if self.module_name else []
        # A module's package is its name less the last part; an __init__ is its package.
        package = package[: max(0, len(package) - dots + int(self.is_package))]
        return ".".join([*package, module] if module else package)
