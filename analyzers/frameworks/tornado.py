"""Tornado: ``Application([(r"/notes/(\\d+)", NoteHandler), url(r"/x", H, name="x")])`` tables (in any module of
the project, in ``add_handlers`` or in an ``Application`` subclass's ``super().__init__(handlers)``), and the
``get``/``post``/... methods of ``RequestHandler`` subclasses: the pattern's groups are their arguments.

Guards: ``@tornado.web.authenticated`` (neutral vocabulary) on the method or on ``prepare``; a ``prepare()`` of
the class or of a base class that refuses anonymous callers (``if not self.current_user: raise HTTPError(401)``),
a guard for every subclass unless a nearer ``prepare`` overrides it without calling ``super().prepare()``; the
same refusal (or ``self.send_error(401)``, a redirect) at the top of the method. ``get_current_user`` only says
who the caller is: it refuses nobody. The principal is ``self.current_user`` (``flow.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ..context import FileContext
from ..walk import children, walk
from .classes import resolve_class
from .concepts import HTTP_METHODS, Framework, Guard, Route
from .guards import class_method, guard_for_decorator, guards_in_body, looks_like_role, refuses
from .tables import project_table

NAME = Framework.TORNADO
# Handler modules may only name a project base class (``class Notes(BaseHandler)``).
MARKER = re.compile(r"tornado|Handler\s*[,)]")

_APPLICATIONS = frozenset({"tornado.web.Application"})
_URL_SPECS = frozenset({"tornado.web.url", "tornado.web.URLSpec", "tornado.routing.URLSpec"})
_RULES = frozenset({"tornado.routing.Rule"})
_PATH_MATCHES = frozenset({"tornado.routing.PathMatches"})
_DENY = frozenset({401, 403})


@dataclass(frozen=True)
class TornadoEntry:
    """One row of a handler table: the handler class's qualified name and the URL pattern."""

    handler: str
    path: str | None


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """The HTTP methods of this file's handler classes: those a table names (here or in another module),
    and other ``RequestHandler`` subclasses (routed where we cannot see: no path)."""
    modules = {ctx.index.module_name}
    if ctx.project is not None:
        modules |= ctx.project.module_names(ctx.path)
    table: dict[str, list[str | None]] = {}
    for entry in tornado_table(ctx):
        table.setdefault(entry.handler, []).append(entry.path)
    found: list[Route] = []
    for cls in ctx.index.classes.values():
        paths = next((table[f"{m}.{cls.name.value}"] for m in modules if f"{m}.{cls.name.value}" in table), None)
        verbs = [(m, f) for m in HTTP_METHODS if (f := class_method(cls, m)) is not None]
        if not verbs or (paths is None and not _is_handler(ctx, cls)):
            continue
        inherited = [g for d in cls.decorators if (g := guard_for_decorator(ctx, d))] + _prepare_guards(ctx, cls)
        for path in dict.fromkeys(paths or [None]):
            for method, function in verbs:
                route = Route(NAME, (method.upper(),), path, function, None, view_class=cls)
                route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
                route.guards += inherited + (guards_in_body(ctx, function) or _refusal(ctx, function))
                found.append(route)
    return found


def _is_handler(ctx: FileContext, cls: cst.ClassDef, depth: int = 0) -> bool:
    """A subclass (through the project's base classes) of one of Tornado's ``RequestHandler`` classes."""
    for base in cls.bases:
        qual = ctx.qualname(base.value) or ""
        if qual.startswith("tornado.web.") and qual.endswith("Handler"):
            return True
        found = resolve_class(ctx, base.value) if depth < 5 else None
        if found is not None and found[1] is not cls and _is_handler(*found, depth + 1):
            return True
    return False


def _prepare_guards(ctx: FileContext, cls: cst.ClassDef, depth: int = 0) -> list[Guard]:
    """The guards of the nearest ``prepare()`` (this class's or a base's): ``@authenticated`` on it, or a refusal
    of anonymous callers in it; one that calls ``super().prepare()`` keeps its bases' guards too."""
    prepare = class_method(cls, "prepare")
    guards: list[Guard] = []
    if prepare is not None:
        guards += [g for d in prepare.decorators if (g := guard_for_decorator(ctx, d))]
        refused = guards_in_body(ctx, prepare) or _refusal(ctx, prepare)
        guards += [Guard("hook", f"{cls.name.value}.prepare()", "router", role=g.role) for g in refused[:1]]
        if not _calls_super(prepare):
            return guards
    if depth < 5:
        for base in cls.bases:
            found = resolve_class(ctx, base.value)
            if found is not None and found[1] is not cls:
                guards += _prepare_guards(found[0], found[1], depth + 1)
    return guards


def _calls_super(function: cst.FunctionDef) -> bool:
    """``super().prepare()`` (or ``await super().prepare()``) in the body."""
    for node in walk(function):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                and node.func.attr.value == function.name.value and isinstance(node.func.value, cst.Call) \
                and isinstance(node.func.value.func, cst.Name) and node.func.value.func.value == "super":
            return True
    return False


def _refusal(ctx: FileContext, function: cst.FunctionDef) -> list[Guard]:
    """``if not self.current_user: self.send_error(401); return`` (or ``raise``, ``self.redirect(...)``) near the
    top of the body."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    for statement in list(body)[:5]:
        if isinstance(statement, cst.If) and _anonymous(statement.test) and _turns_away(ctx, statement.body):
            test = ctx.code(statement.test)
            return [Guard("check", f"if {test}: ...", role=looks_like_role(test))]
    return []


def _anonymous(test: cst.BaseExpression) -> bool:
    """``not self.current_user``, ``self.current_user is None``, on either side of ``and``/``or``."""
    if isinstance(test, cst.BooleanOperation):
        return _anonymous(test.left) or _anonymous(test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _current_user(test.expression)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        return _current_user(test.left) and isinstance(target.operator, (cst.Is, cst.Equal)) \
            and isinstance(target.comparator, cst.Name) and target.comparator.value == "None"
    return False


def _current_user(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Call) and not expr.args:
        expr = expr.func  # self.get_current_user()
    return isinstance(expr, cst.Attribute) and expr.attr.value in ("current_user", "get_current_user") \
        and isinstance(expr.value, cst.Name) and expr.value.value == "self"


def _turns_away(ctx: FileContext, block: cst.BaseSuite) -> bool:
    """A raise or a denial, ``self.send_error(401)``/``self.set_status(403)``, or ``self.redirect(...)``."""
    if refuses(ctx, block):
        return True
    for node in walk(block):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                and isinstance(node.func.value, cst.Name) and node.func.value.value == "self":
            verb = node.func.attr.value
            status = ctx.literal(ctx.argument(node, "status_code", 0))
            if verb in ("send_error", "set_status") and status in _DENY or verb == "redirect":
                return True
    return False


# --- the handler table ------------------------------------------------------------------------------------------

def _route_table(ctx: FileContext) -> list[TornadoEntry]:
    text = ctx.source.text
    if "Application" not in text and "add_handlers" not in text:
        return []
    applications = {id(c) for c in ctx.index.classes.values()
                    if any(ctx.qualname(b.value) in _APPLICATIONS for b in c.bases)}
    entries: list[TornadoEntry] = []
    for call, scope, cls in _scoped_calls(ctx.module, ctx.module, None):
        listed = _handlers_argument(ctx, call, cls is not None and id(cls) in applications)
        if listed is None:
            continue
        for where, element in _elements(ctx, listed, scope, 0):
            entry = _entry(where, element)
            if entry is not None:
                entries.append(entry)
    return entries


def _handlers_argument(ctx: FileContext, call: cst.Call, in_application: bool) -> cst.BaseExpression | None:
    """The handler list of ``Application(handlers, ...)``, ``Application.__init__(self, handlers)``,
    ``super().__init__(handlers)`` in an ``Application`` subclass, ``app.add_handlers(host, handlers)``."""
    qual = ctx.qualname(call.func) or ""
    if qual in _APPLICATIONS:
        return ctx.argument(call, "handlers", 0)
    if qual.endswith(".__init__") and qual[: -len(".__init__")] in _APPLICATIONS:
        return ctx.argument(call, "handlers", 1)
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "__init__" and in_application \
            and isinstance(func.value, cst.Call) and isinstance(func.value.func, cst.Name) \
            and func.value.func.value == "super":
        return ctx.argument(call, "handlers", 0)
    if isinstance(func, cst.Attribute) and func.attr.value == "add_handlers":
        return ctx.argument(call, "host_handlers", 1)
    return None


def _scoped_calls(node: cst.CSTNode, scope: cst.CSTNode, cls: cst.ClassDef | None
                  ) -> Iterator[tuple[cst.Call, cst.CSTNode, cst.ClassDef | None]]:
    """Every call under ``node`` with the function (or module) whose names it reads, and its class."""
    for child in children(node):
        if isinstance(child, cst.Call):
            yield child, scope, cls
        if isinstance(child, cst.ClassDef):
            yield from _scoped_calls(child, scope, child)
        else:
            yield from _scoped_calls(child, child if isinstance(child, cst.FunctionDef) else scope, cls)


def _elements(ctx: FileContext, listed: cst.BaseExpression, scope: cst.CSTNode, depth: int
              ) -> list[tuple[FileContext, cst.BaseExpression]]:
    """The rows of a handler list: a literal, a name bound to one (here, or imported from another module),
    ``a + b``, ``[*a, *b]``."""
    if depth > 4:
        return []
    if isinstance(listed, (cst.List, cst.Tuple)):
        rows: list[tuple[FileContext, cst.BaseExpression]] = []
        for element in listed.elements:
            if isinstance(element, cst.StarredElement):
                rows += _elements(ctx, element.value, scope, depth + 1)
            else:
                rows.append((ctx, element.value))
        return rows
    if isinstance(listed, cst.BinaryOperation) and isinstance(listed.operator, cst.Add):
        return _elements(ctx, listed.left, scope, depth + 1) + _elements(ctx, listed.right, scope, depth + 1)
    if isinstance(listed, cst.Name):
        for where in (scope, ctx.module):
            values = ctx.index.bindings.get((id(where), listed.value))
            if values is not None:  # ``handlers = [...]``, then maybe ``handlers += [...]``
                added = [n.value for n in walk(where) if isinstance(n, cst.AugAssign)
                         and isinstance(n.operator, cst.AddAssign) and isinstance(n.target, cst.Name)
                         and n.target.value == listed.value]
                return [row for value in [*values, *added] if value is not None
                        for row in _elements(ctx, value, where, depth + 1)]
    qual = ctx.qualname(listed) if isinstance(listed, (cst.Name, cst.Attribute)) else None
    found = ctx.project.binding(qual) if qual and ctx.project is not None else None
    if found is not None:
        return _elements(found[0], found[1], found[0].module, depth + 1)
    return []


def _entry(ctx: FileContext, row: cst.BaseExpression) -> TornadoEntry | None:
    """``(r"/notes/(\\d+)", NoteHandler[, kwargs[, name]])``, ``url(r"/x", H, name=...)``,
    ``Rule(PathMatches(r"/x"), H)``."""
    pattern: cst.BaseExpression | None = None
    handler: cst.BaseExpression | None = None
    if isinstance(row, cst.Tuple) and len(row.elements) >= 2:
        pattern, handler = row.elements[0].value, row.elements[1].value
    elif isinstance(row, cst.Call):
        qual = ctx.qualname(row.func)
        if qual in _URL_SPECS:
            pattern, handler = ctx.argument(row, "pattern", 0), ctx.argument(row, "handler", 1)
        elif qual in _RULES:
            matcher = ctx.argument(row, "matcher", 0)
            if isinstance(matcher, cst.Call) and ctx.qualname(matcher.func) in _PATH_MATCHES:
                pattern = ctx.argument(matcher, "path_pattern", 0)
            handler = ctx.argument(row, "target", 1)
    if handler is None:
        return None
    name = ctx.string(handler) or ctx.qualname(handler)  # a class, or its dotted name as a string
    if not name:
        return None
    return TornadoEntry(name, ctx.string(pattern) if pattern is not None else None)


# Every handler-table row of the project (built once), or of this file alone: an application is built where
# tornado is imported; its handler list may come from any module.
tornado_table = project_table("tornado_table", ("tornado",), _route_table)
