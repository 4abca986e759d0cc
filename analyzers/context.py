"""Everything a rule may ask about the file it is looking at.

One ``FileContext`` per parsed file, shared by every rule: the tree, the
import table, the traversal stack, literal evaluation and fix building.
Positions are computed once, and only when some rule reports a finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from .config import Config
from .facts import Fact
from .findings import Confidence, Finding, Fix, Severity, normalise_snippet
from .imports import _BUILTINS, ModuleIndex, dotted_name
from .protocols import RuleIdentity
from .source import Source
from .walk import walk

T = TypeVar("T")


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass
class _Report:
    rule: RuleIdentity
    node: cst.CSTNode
    message: str
    fix: Fix | None
    severity: Severity
    confidence: Confidence
    statement: tuple[int, int]
    scope: str


class FileContext:
    def __init__(self, source: Source, module: cst.Module, config: Config) -> None:
        self.source = source
        self.path = source.path
        self.module = module
        self.config = config
        self.lines = source.text.splitlines()
        self.index = ModuleIndex.build(module, source.path)
        self.is_test = config.is_test_path(source.path)
        self.stack: list[cst.CSTNode] = []  # ancestors of the node being visited, itself last
        self._positions: Any = None
        self._layout: Layout | None = None
        self.facts: dict[Fact[Any, Any], object] = {}  # per-file facts rules share (computed once, on demand): see facts.py
        self.project: Any = None  # analyzers.project.Project when the whole project is known
        self._reports: list[_Report] = []

    # --- names ----------------------------------------------------------------
    def qualname(self, node: cst.CSTNode | None, _depth: int = 0) -> str | None:
        """The fully qualified name an expression refers to, through imports.

        ``d`` after ``from jwt import decode as d`` is ``jwt.decode``; a name bound
        once to a call is that call's result, so ``app.run`` after
        ``app = Flask(__name__)`` is ``flask.Flask().run``.
        """
        if node is None or _depth > 8:  # bindings can refer to themselves (`a = a.desc()`)
            return None
        if isinstance(node, cst.Name):
            return self._qualname_of_name(node.value, _depth)
        if isinstance(node, cst.Attribute):
            base = self.qualname(node.value, _depth)
            return f"{base}.{node.attr.value}" if base else None
        if isinstance(node, cst.Call):
            base = self.qualname(node.func, _depth)
            return f"{base}()" if base else None
        return None

    def _qualname_of_name(self, name: str, depth: int) -> str | None:
        values = self._visible_values(name)
        if values is not None:
            if len(values) == 1 and isinstance(values[0], (cst.Call, cst.Name, cst.Attribute)) and depth < 3:
                return self.qualname(values[0], depth + 1)
            if name in self.index.functions or name in self.index.classes:
                return f"{self.index.module_name}.{name}" if self.index.module_name else name
            return None
        if name in self.index.imports:
            return self.index.imports[name]
        if name in _BUILTINS:
            return f"builtins.{name}"
        return None

    def _visible_values(self, name: str) -> list[cst.BaseExpression | None] | None:
        """Values bound to ``name`` in the innermost enclosing scope that binds it."""
        for scope in self._scopes():
            values = self.index.bindings.get((id(scope), name))
            if values is not None:
                if scope is self.module and name in self.index.imports and all(v is None for v in values):
                    return None  # only a def/class of that name shadows nothing imported
                return values
        return None

    def _scopes(self) -> Iterator[cst.CSTNode]:
        for node in reversed(self.stack):
            if isinstance(node, cst.FunctionDef):
                yield node
        yield self.module

    def value_of(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The one expression a name is bound to in its scope, or None if not exactly one."""
        if isinstance(node, cst.Name):
            values = self._visible_values(node.value)
            if values and len(values) == 1 and values[0] is not None:
                return values[0]
        return None

    def module_value(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The one expression a module-level name is bound to, wherever the walk is (for facts built outside
        a visit: ``value_of`` looks in the scopes of the node being visited)."""
        if isinstance(node, cst.Name):
            values = self.index.bindings.get((id(self.module), node.value))
            if values and len(values) == 1 and values[0] is not None:
                return values[0]
        return None

    def is_call_to(self, node: cst.CSTNode, *names: str) -> bool:
        return isinstance(node, cst.Call) and self.qualname(node.func) in names

    # --- literals -------------------------------------------------------------
    def literal(self, node: cst.CSTNode | None, _depth: int = 0) -> Any:
        """The Python value of a literal expression (following one name), else UNKNOWN."""
        if node is None:
            return UNKNOWN
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
            try:
                return node.evaluated_value
            except Exception:  # pragma: no cover - libcst raises on odd literals
                return UNKNOWN
        if isinstance(node, cst.ConcatenatedString):
            value = node.evaluated_value
            return UNKNOWN if value is None else value
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None") and self.qualname(node) == f"builtins.{node.value}":
                return {"True": True, "False": False, "None": None}[node.value]
            if _depth < 2:
                bound = self.value_of(node)
                if bound is not None:
                    return self.literal(bound, _depth + 1)
            return UNKNOWN
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            value = self.literal(node.expression, _depth)
            return -value if isinstance(value, (int, float)) else UNKNOWN
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Add)):
            left, right = self.literal(node.left, _depth), self.literal(node.right, _depth)
            if isinstance(left, (int, float)) and isinstance(right, (int, float)):
                return left * right if isinstance(node.operator, cst.Multiply) else left + right
            return UNKNOWN
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            items = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    return UNKNOWN
                items.append(self.literal(element.value, _depth))
            return tuple(items) if isinstance(node, cst.Tuple) else items
        if isinstance(node, cst.Dict):
            result: dict[Any, Any] = {}
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    return UNKNOWN
                key = self.literal(element.key, _depth)
                if key is UNKNOWN or isinstance(key, (list, dict)):
                    return UNKNOWN
                result[key] = self.literal(element.value, _depth)
            return result
        return UNKNOWN

    def string(self, node: cst.CSTNode | None) -> str | None:
        value = self.literal(node)
        return value if isinstance(value, str) else None

    @staticmethod
    def is_literal_string(node: cst.CSTNode | None) -> bool:
        """A string written in place (not an f-string with fields)."""
        if isinstance(node, cst.SimpleString):
            return True
        if isinstance(node, cst.ConcatenatedString):
            return FileContext.is_literal_string(node.left) and FileContext.is_literal_string(node.right)
        return False

    # --- calls ----------------------------------------------------------------
    @staticmethod
    def keyword(call: cst.Call, name: str) -> cst.Arg | None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        return None

    @staticmethod
    def positional(call: cst.Call, index: int) -> cst.Arg | None:
        position = 0
        for arg in call.args:
            if arg.keyword is not None or arg.star:
                if arg.star == "*":
                    return None  # positions after *args are unknown
                continue
            if position == index:
                return arg
            position += 1
        return None

    @classmethod
    def argument(cls, call: cst.Call, name: str, index: int | None = None) -> cst.BaseExpression | None:
        arg = cls.keyword(call, name)
        if arg is None and index is not None:
            arg = cls.positional(call, index)
        return arg.value if arg is not None else None

    @staticmethod
    def has_star_kwargs(call: cst.Call) -> bool:
        return any(arg.star == "**" for arg in call.args)

    # --- tree -----------------------------------------------------------------
    def enclosing(self, *types: type[cst.CSTNode]) -> cst.CSTNode | None:
        """Nearest ancestor of the current node (not the node itself) of one of ``types``."""
        for node in reversed(self.stack[:-1]):
            if isinstance(node, types):
                return node
        return None

    def enclosing_function(self) -> cst.FunctionDef | None:
        node = self.enclosing(cst.FunctionDef)
        return node if isinstance(node, cst.FunctionDef) else None

    @staticmethod
    def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        return walk(node)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def source_of(self, node: cst.CSTNode) -> str:
        """The node's text exactly as the file has it (its own parentheses excluded), for text-based fixes.

        Unlike ``code``, continuation lines keep their real indentation. Resolves positions.
        """
        pos = self.position(node)
        if pos.start.line == pos.end.line:
            return self.lines[pos.start.line - 1][pos.start.column : pos.end.column]
        first = self.lines[pos.start.line - 1][pos.start.column :]
        middle = self.lines[pos.start.line : pos.end.line - 1]
        last = self.lines[pos.end.line - 1][: pos.end.column]
        return "\n".join([first, *middle, last])

    def code_in_place(self, node: cst.CSTNode, indent: str) -> str:
        """Source for ``node`` as it would print inside a block indented by ``indent``.

        ``Module.code_for_node`` prints continuation lines as if at the top
        level; a fix inside a function needs them at the function's depth.
        """
        state = CodegenState(default_indent=self.module.default_indent, default_newline=self.module.default_newline)
        if indent:
            state.indent_tokens.append(indent)
        node._codegen(state)
        return "".join(state.tokens)

    dotted_name = staticmethod(dotted_name)

    # --- positions and fixes ----------------------------------------------------
    def position(self, node: cst.CSTNode) -> CodeRange:
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        return self._positions[node]

    def replace(self, node: cst.CSTNode, new: cst.CSTNode | str, description: str = "") -> Fix:
        """A fix that puts ``new`` (a node or source text) where ``node`` stands."""
        pos = self.position(node)
        indent = self.indentation(self.layout().statement_at(pos.start.line)[0])
        if isinstance(new, cst.CSTNode):
            new = _without_outer_parens(new, len(getattr(node, "lpar", ())))
            if isinstance(getattr(node, "comma", None), cst.Comma) and hasattr(new, "comma"):
                # Likewise a trailing comma lies outside the range and stays in the file.
                new = new.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        text = new if isinstance(new, str) else self.code_in_place(new, indent)
        first = self.lines[pos.start.line - 1]
        last = self.lines[pos.end.line - 1]
        replacement = first[: pos.start.column] + text + last[pos.end.column :]
        return Fix(pos.start.line, pos.end.line, replacement, description)

    def replace_lines(self, first_line: int, last_line: int, text: str, description: str = "") -> Fix:
        return Fix(first_line, last_line, text, description)

    def indentation(self, line: int) -> str:
        text = self.lines[line - 1]
        return text[: len(text) - len(text.lstrip())]

    # --- reporting --------------------------------------------------------------
    def report(
        self,
        rule: RuleIdentity,
        node: cst.CSTNode,
        message: str,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> None:
        self._reports.append(
            _Report(
                rule=rule,
                node=node,
                message=message,
                fix=fix,
                severity=severity or rule.severity,
                confidence=confidence or rule.confidence,
                statement=self.layout().statement_at(self.position(node).start.line),
                scope=self.layout().scope_at(self.position(node).start.line),
            )
        )

    def layout(self) -> Layout:
        """Statement and definition line spans, built on first use (only files with findings)."""
        if self._layout is None:
            self._layout = Layout.build(self)
        return self._layout

    def findings(self) -> list[Finding]:
        results = []
        for report in self._reports:
            pos = self.position(report.node)
            rule = report.rule
            snippet = normalise_snippet(self.lines[pos.start.line - 1 : pos.end.line])
            results.append(
                Finding(
                    rule_id=rule.id,
                    title=rule.title,
                    severity=report.severity,
                    confidence=report.confidence,
                    cwe=rule.cwe,
                    path=self.path,
                    line=pos.start.line,
                    end_line=pos.end.line,
                    column=pos.start.column + 1,
                    end_column=pos.end.column + 1,
                    message=report.message,
                    fix=report.fix,
                    snippet=snippet,
                    scope=report.scope,
                    statement=report.statement,
                )
            )
        return results



def _without_outer_parens(node: cst.CSTNode, count: int) -> cst.CSTNode:
    """``node`` less ``count`` outer parentheses.

    A position range excludes a node's own parentheses, which therefore stay
    in the file around a replaced range; the replacement must not repeat them.
    """
    lpar, rpar = getattr(node, "lpar", ()), getattr(node, "rpar", ())
    if not count or not lpar or not rpar:
        return node
    n = min(count, len(lpar), len(rpar))
    return node.with_changes(lpar=list(lpar)[n:], rpar=list(rpar)[: len(rpar) - n])


@dataclass
class Layout:
    """Where statements and definitions sit, by line: for fixes, suppressions and fingerprints.

    Derived from positions rather than from the walk, so a rule may report any
    node (a constant found by following a name, or from ``finish()``).
    """

    statements: list[tuple[int, int]]  # (first line, last line) of simple statements and compound headers
    scopes: list[tuple[int, int, str]]  # (first line, last line, dotted name) of functions and classes

    @classmethod
    def build(cls, ctx: FileContext) -> Layout:
        layout = cls([], [])
        layout._scan(ctx, ctx.module.body, "")
        return layout

    def _scan(self, ctx: FileContext, body: Any, prefix: str) -> None:
        for statement in body:
            pos = ctx.position(statement)
            if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                self.statements.append((pos.start.line, pos.end.line))
                continue
            inner = getattr(statement, "body", None)
            header_end = ctx.position(inner).start.line if inner is not None else pos.end.line
            if isinstance(inner, cst.SimpleStatementSuite):  # `if x: y` on one line
                header_end = pos.end.line
            self.statements.append((pos.start.line, max(pos.start.line, header_end)))
            name = prefix
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                name = f"{prefix}.{statement.name.value}" if prefix else statement.name.value
                # Its decorators belong to it (a finding on `@csrf_exempt` is the view's), though its
                # position starts at `def`.
                first = ctx.position(statement.decorators[0]).start.line if statement.decorators else pos.start.line
                self.scopes.append((first, pos.end.line, name))
            for child in _blocks(statement):
                self._scan(ctx, child, name)

    def statement_at(self, line: int) -> tuple[int, int]:
        """The innermost statement (or compound header) holding ``line``: the latest to start."""
        holding = [(first, last) for first, last in self.statements if first <= line <= last]
        return max(holding) if holding else (line, line)

    def scope_at(self, line: int) -> str:
        found = ""
        for first, last, name in self.scopes:
            if first <= line <= last and len(name) > len(found):
                found = name
        return found


def _blocks(statement: cst.CSTNode) -> list[Any]:
    """The statement lists nested in a compound statement (bodies, elif/else, except, finally, cases)."""
    blocks: list[Any] = []
    suites = [getattr(statement, attr, None) for attr in ("body", "finalbody")]
    suites += [handler.body for handler in getattr(statement, "handlers", ())]
    suites += [case.body for case in getattr(statement, "cases", ())]
    orelse = getattr(statement, "orelse", None)
    if isinstance(orelse, cst.If):
        blocks.append([orelse])  # elif: a nested If statement
    elif isinstance(orelse, cst.Else):
        suites.append(orelse.body)
    if isinstance(statement, cst.Finally):
        suites.append(statement.body)
    blocks += [suite.body for suite in suites if isinstance(suite, cst.IndentedBlock)]
    return blocks


# A fact about one file, kept on its FileContext (see facts.py).
FileFact = Fact["FileContext", T]
