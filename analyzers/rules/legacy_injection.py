"""AR6xx (injection and data handling): SQL built from strings, Mongo filters from request JSON, leaked errors."""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from dataclasses import dataclass, field

import libcst as cst

from ..context import UNKNOWN, FileContext
from .. import markup
from ..findings import Confidence, Fix, Severity
from ..rule import Invalid, Rule, Valid
from ..walk import children, walk
from ._common import add_keyword, handler_flow, own_nodes, split_words, target_name

# --- where SQL text goes ------------------------------------------------------------

# Methods that take SQL as their first argument, on receivers we usually cannot resolve
# (``cur``, ``conn``, ``db``, ``session``): DB-API, SQLAlchemy, asyncpg, databases, peewee.
SQL_METHODS = frozenset({
    "execute", "executemany", "executescript", "exec_driver_sql", "execute_sql", "query",
    "fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one", "fetch_val", "iterate",
})
SQLALCHEMY_TEXT = frozenset({
    "sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text",
    "flask_sqlalchemy.SQLAlchemy().text",
})
PANDAS_READ = frozenset({"pandas.read_sql", "pandas.read_sql_query", "pandas.io.sql.read_sql",
                         "pandas.io.sql.read_sql_query"})
DJANGO_RAWSQL = frozenset({"django.db.models.RawSQL", "django.db.models.expressions.RawSQL"})
_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})

# Paramstyle of each driver, from the modules a file imports.
_STYLE_BY_MODULE = {
    "sqlite3": "qmark", "aiosqlite": "qmark",
    "psycopg2": "format", "psycopg": "format", "pymysql": "format", "MySQLdb": "format", "mysql": "format",
    "pymssql": "format", "aiomysql": "format", "aiopg": "format", "django": "format",
    "asyncpg": "numeric",
}
# Libraries whose ``execute`` takes something else than the driver's SQL (no paramstyle guess then).
_LAYERED = frozenset({"sqlalchemy", "flask_sqlalchemy", "sqlmodel", "databases", "peewee", "pony", "records",
                      "dataset", "tortoise", "pandas", "ormar", "piccolo"})

_SQL_LOOK = re.compile(
    r"^\s*\(?\s*(?:select|insert|update|delete|with|replace|merge|create|drop|alter|truncate|pragma|call|exec|"
    r"grant|revoke|show|describe|explain|upsert|vacuum|analyze|copy|lock|attach|detach)\b"
    r"|\b(?:select\b[\s\S]*\bfrom|insert\s+into|delete\s+from|update\b[\s\S]*\bset|where|values\s*\(|order\s+by|"
    r"group\s+by|inner\s+join|left\s+join|limit\s+(?:\?|%s|\{\}|\d))\b",
    re.IGNORECASE,
)
# SQL text right before a field that makes the field an identifier (table, column), not a value.
_IDENTIFIER_BEFORE = re.compile(
    r"(?:\bfrom|\bjoin|\binto|\bupdate|\btable|\bexists|\bby|\bselect|\bas|[.`\"\[])\s*$", re.IGNORECASE)
_VALUE_BEFORE = re.compile(r"(?:[=<>]|\b(?:like|ilike|limit|offset|between|is)\b)\s*$", re.IGNORECASE)
_IN_VALUES = re.compile(r"\bvalues\s*\((?:[^()]|\([^()]*\))*$", re.IGNORECASE)

_SAFE_CALLS = frozenset({"builtins.int", "builtins.float", "builtins.len", "builtins.bool", "builtins.round",
                         "builtins.abs", "builtins.hash", "uuid.UUID", "decimal.Decimal", "datetime.date",
                         "builtins.ord"})
_SANITIZER = re.compile(r"escape|quote|sanitiz|identifier|Identifier|Literal|literal", re.IGNORECASE)
_PASSTHROUGH_METHODS = frozenset({"get", "lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize",
                                  "casefold", "replace", "format", "encode", "decode", "getlist", "pop"})
_VALIDATORS = frozenset({"isdigit", "isdecimal", "isnumeric", "isalnum", "isidentifier", "isalpha"})
_IDENTIFIER_ATTR = re.compile(r"(?:^|_)(?:table|tables|tablename|table_name|db_table|schema|column|columns|"
                              r"model|__tablename__)$", re.IGNORECASE)
_TAINTED_QUALNAME = re.compile(r"(?:^|\.)(?:request|argv|stdin|input)(?:\.|\(|$)|^builtins\.input")

SAFE, UNSURE, TAINTED = 0, 1, 2


@dataclass
class _Field:
    """An interpolated expression in a SQL build."""

    node: cst.BaseExpression
    numeric: bool = False  # ``%d`` / ``{x:d}``: formatting fails on anything but a number
    plain: bool = True  # no conversion or format spec: can become a bound parameter


@dataclass
class _Build:
    """A SQL string built from pieces: literal text and fields, in order."""

    node: cst.BaseExpression
    kind: str
    parts: list[str | _Field]
    at: int  # statement index where it is evaluated
    exact: bool = True  # literal text known exactly (else SQL-look only)

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else "{}" for p in self.parts)


@dataclass
class _Binding:
    kind: str  # assign | aug | for | param | append | unknown | import
    value: cst.BaseExpression | None
    at: int
    top: bool  # an unconditional statement of the scope's own block


@dataclass
class _Scope:
    node: cst.CSTNode
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)  # names tested against an allow-list
    uses: Counter[str] = field(default_factory=Counter)
    order: dict[int, int] = field(default_factory=dict)  # id(statement) -> index


def _scan_scope(scope: cst.CSTNode) -> _Scope:
    """Every binding, allow-list test and name use of one function (or the module), in order."""
    result = _Scope(scope)
    counter = [0]
    if isinstance(scope, cst.FunctionDef):
        params = scope.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params, params.star_arg, params.star_kwarg):
            if isinstance(param, cst.Param):
                result.bindings.setdefault(param.name.value, []).append(_Binding("param", None, -1, True))
        body: cst.CSTNode = scope.body
    else:
        body = scope

    def bind(name: str, kind: str, value: cst.BaseExpression | None, top: bool) -> None:
        result.bindings.setdefault(name, []).append(_Binding(kind, value, counter[0], top))

    def visit(node: cst.CSTNode, top: bool) -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and node is not scope:
            if not isinstance(node, cst.Lambda):
                bind(node.name.value, "unknown", None, top)
            return
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            counter[0] += 1
            result.order[id(node)] = counter[0]
        if isinstance(node, cst.Assign):
            for target in node.targets:
                _bind_target(target.target, node.value, top)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            _bind_target(node.target, node.value, top)
        elif isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
            bind(node.target.value, "aug", node.value, top)
        elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
            bind(node.target.value, "assign", node.value, False)
        elif isinstance(node, cst.For):
            _bind_target(node.target, node.iter, False, kind="for")
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            _bind_target(node.asname.name, None, False)
        elif isinstance(node, cst.ExceptHandler) and node.name is not None:
            _bind_target(node.name.name, None, False)
        elif isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                local = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(local, cst.Name):
                    bind(local.value, "import", None, top)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name):
            method = node.func.attr.value
            if method in ("append", "extend", "insert", "add", "update") and node.args:
                bind(node.func.value.value, "append", node.args[-1].value, False)
            elif method in _VALIDATORS:
                result.checked.add(node.func.value.value)
        elif isinstance(node, cst.Comparison):
            _record_check(node)
        elif isinstance(node, cst.Call) and _is_regex_match(node):
            subject = node.args[1].value if len(node.args) > 1 else None
            if isinstance(subject, cst.Name):
                result.checked.add(subject.value)
        elif isinstance(node, cst.Name):
            result.uses[node.value] += 1
        child_top = top and not isinstance(node, cst.BaseCompoundStatement)
        for child in children(node):
            visit(child, child_top)

    def _bind_target(target: cst.CSTNode, value: cst.BaseExpression | None, top: bool, kind: str = "assign") -> None:
        if isinstance(target, cst.Name):
            bind(target.value, kind if value is not None else "unknown", value, top)
        elif isinstance(target, (cst.Tuple, cst.List)):
            values: list[cst.BaseExpression | None] = [None] * len(target.elements)
            if (isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(target.elements)
                    and not any(isinstance(e, cst.StarredElement) for e in value.elements)):
                values = [e.value for e in value.elements]  # a, b = [], []
            elif kind == "for":
                values = [value] * len(target.elements)  # for i, name in enumerate(NAMES): as the iterable
            for element, inner_value in zip(target.elements, values):
                inner = element.value.value if isinstance(element.value, cst.StarredElement) else element.value
                _bind_target(inner, inner_value, top and kind != "for", kind)

    def _record_check(node: cst.Comparison) -> None:
        if isinstance(node.left, cst.Name):
            for target in node.comparisons:
                if isinstance(target.operator, (cst.In, cst.NotIn)):
                    result.checked.add(node.left.value)

    if isinstance(scope, cst.Module):
        for statement in scope.body:
            visit(statement, True)
    else:
        for child in children(body):
            visit(child, True)
    return result


def _is_regex_match(call: cst.Call) -> bool:
    return (isinstance(call.func, cst.Attribute) and call.func.attr.value in ("match", "fullmatch")
            and isinstance(call.func.value, cst.Name) and call.func.value.value == "re")


class SqlBuiltFromStrings(Rule):
    """What it does: flags SQL text built with f-strings, ``%``, ``.format()`` or ``+``/``+=`` from
    values that are not constants, and then executed: DB-API ``execute``/``executemany``/
    ``executescript`` (sqlite3, psycopg, PyMySQL, mysqlclient, asyncpg), SQLAlchemy ``text()``,
    ``Session.execute``/``Connection.execute``/``exec_driver_sql``, Django ``Manager.raw``,
    ``QuerySet.extra`` and ``RawSQL``, and pandas ``read_sql``. Queries built in a local variable
    are followed to the call that runs them.

    Why is this bad: a value that contains a quote changes the statement (SQL injection): a login
    check becomes ``... WHERE name = '' OR '1'='1'``, a search reads other users' rows, a filter
    deletes a table. Escaping by hand misses cases; bound parameters never mix data with SQL.

    Example:
        cur.execute(f"SELECT * FROM users WHERE email = '{email}'")

    Use instead:
        cur.execute("SELECT * FROM users WHERE email = %s", (email,))
    """

    id = "AR601"
    name = "sql-built-from-strings"
    title = "SQL built from strings"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 89
    bandit_equivalents = frozenset({"B608", "B610", "B611"})
    prefilter = (
        re.compile(r"execute|executemany|exec_driver_sql|execute_sql|query|fetch|\btext\b|\.raw\(|"
                   r"\.extra\(|RawSQL|read_sql|iterate", re.IGNORECASE),
        # ...and SQL written in the file.
        re.compile(r"\bselect\s|\binsert\s+(?:or\s+\w+\s+)?into\b|\bupdate\s+\S+\s+set\b|\bdelete\s+from\b|"
                   r"\bwhere\s|\bcreate\s+(?:temp\w*\s+)?(?:table|index|view)\b|\bdrop\s+(?:table|index|view)\b|"
                   r"\balter\s+table\b|\btruncate\b|\bpragma\b|\bexec(?:ute)?\s+\w+|\bcall\s+\w+\(|\bvalues\s*\(|"
                   r"\.extra\(|RawSQL\(",
                   re.IGNORECASE),
    )
    in_tests = False

    VALID = [
        'import sqlite3\ndef get(conn, uid):\n    return conn.execute("SELECT * FROM users WHERE id = ?", (uid,)).fetchone()',
        'import psycopg2\ndef get(cur, email):\n    cur.execute("SELECT * FROM users WHERE email = %s", (email,))',
        'from sqlalchemy import text\ndef get(session, uid):\n'
        '    return session.execute(text("SELECT * FROM users WHERE id = :id"), {"id": uid})',
        # Fields that are constants or module-level settings.
        'import sqlite3\nTABLE = "users"\ndef count(conn):\n    return conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()',
        # Placeholders built for an IN list.
        'import psycopg2\ndef many(cur, ids):\n'
        '    marks = ", ".join(["%s"] * len(ids))\n'
        '    cur.execute(f"SELECT * FROM users WHERE id IN ({marks})", ids)',
        'import sqlite3\ndef many(conn, ids):\n'
        '    conn.execute(f"DELETE FROM t WHERE id IN ({\',\'.join(\'?\' * len(ids))})", ids)',
        # An identifier checked against an allow-list.
        'import sqlite3\nSORTABLE = {"name", "created"}\ndef listing(conn, sort):\n'
        '    if sort not in SORTABLE:\n        raise ValueError(sort)\n'
        '    return conn.execute(f"SELECT * FROM items ORDER BY {sort}").fetchall()',
        # Not executed: a log line.
        'import logging\nlog = logging.getLogger(__name__)\ndef f(uid):\n    log.info(f"SELECT for {uid}")',
        # Conditions from constant strings, values bound.
        'import psycopg2\ndef search(cur, name, city):\n'
        '    where, params = [], []\n'
        '    if name:\n        where.append("name = %s")\n        params.append(name)\n'
        '    if city:\n        where.append("city = %s")\n        params.append(city)\n'
        '    sql = "SELECT * FROM people WHERE " + " AND ".join(where)\n'
        '    cur.execute(sql, params)',
        # An int cast, a number format.
        'import sqlite3\ndef page(conn, n):\n    return conn.execute(f"SELECT * FROM t LIMIT 20 OFFSET {int(n) * 20}")',
        'import pymysql\ndef page(cur, n):\n    cur.execute("SELECT * FROM t LIMIT %d" % n)',
        # Not SQL.
        'def run(client, name):\n    return client.execute(f"{{ user(name: \\"{name}\\") {{ id }} }}")',
        # psycopg's sql module composes identifiers safely.
        'from psycopg2 import sql\ndef drop(cur, table):\n'
        '    cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table)))',
        # A parameter reassigned to an int before use.
        'import sqlite3\ndef get(conn, uid):\n    uid = int(uid)\n    return conn.execute(f"SELECT * FROM t WHERE id = {uid}")',
    ]
    INVALID = [
        Invalid(
            'import sqlite3\ndef get(conn, email):\n'
            '    return conn.execute(f"SELECT * FROM users WHERE email = \'{email}\'").fetchone()',
            fixed='import sqlite3\ndef get(conn, email):\n'
            '    return conn.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()',
        ),
        Invalid(
            'import psycopg2\ndef get(cur, user_id, status):\n'
            '    cur.execute("SELECT * FROM orders WHERE user_id = %s AND status = \'%s\'" % (user_id, status))',
            fixed='import psycopg2\ndef get(cur, user_id, status):\n'
            '    cur.execute("SELECT * FROM orders WHERE user_id = %s AND status = %s", (user_id, status))',
        ),
        # Built in a local variable first.
        Invalid(
            'import pymysql\ndef find(db, name):\n'
            '    cursor = db.cursor()\n'
            '    query = "SELECT id FROM users WHERE name = \'{}\'".format(name)\n'
            '    cursor.execute(query)\n',
            fixed='import pymysql\ndef find(db, name):\n'
            '    cursor = db.cursor()\n'
            '    query = "SELECT id FROM users WHERE name = %s"\n'
            '    cursor.execute(query, (name,))\n',
        ),
        # Concatenation, multi-line call.
        Invalid(
            'import sqlite3\ndef login(conn, username):\n'
            '    row = conn.execute(\n'
            '        "SELECT * FROM users WHERE username = \'" + username + "\'"\n'
            '    ).fetchone()\n',
            fixed='import sqlite3\ndef login(conn, username):\n'
            '    row = conn.execute(\n'
            '        "SELECT * FROM users WHERE username = ?",\n'
            '        (username,)\n'
            '    ).fetchone()\n',
        ),
        # += with %: reported where the query is built.
        Invalid(
            'import psycopg\ndef search(cur, name):\n'
            '    q = "SELECT * FROM items WHERE 1 = 1"\n'
            '    if name:\n'
            '        q += " AND name = \'%s\'" % name\n'
            '    cur.execute(q)\n',
        ),
        Invalid(
            'from sqlalchemy import text\ndef get(session, uid):\n'
            '    return session.execute(text(f"SELECT * FROM users WHERE id = {uid}")).first()',
            fixed='from sqlalchemy import text\ndef get(session, uid):\n'
            '    return session.execute(text("SELECT * FROM users WHERE id = :uid"), {"uid": uid}).first()',
        ),
        Invalid(
            'from sqlalchemy import text as sql_text\ndef get(uid):\n'
            '    stmt = sql_text(f"SELECT * FROM users WHERE id = {uid}")\n'
            '    return stmt',
            fixed='from sqlalchemy import text as sql_text\ndef get(uid):\n'
            '    stmt = sql_text("SELECT * FROM users WHERE id = :uid").bindparams(uid=uid)\n'
            '    return stmt',
        ),
        Invalid(
            'from myapp.models import User\ndef by_name(request):\n'
            '    name = request.GET["name"]\n'
            '    return User.objects.raw(f"SELECT * FROM auth_user WHERE username = \'{name}\'")',
            fixed='from myapp.models import User\ndef by_name(request):\n'
            '    name = request.GET["name"]\n'
            '    return User.objects.raw("SELECT * FROM auth_user WHERE username = %s", [name])',
        ),
        Invalid(
            'from django.db.models.expressions import RawSQL\ndef annotate(qs, field):\n'
            '    return qs.annotate(v=RawSQL("SELECT %s FROM t" % field, ()))',
        ),
        Invalid(
            'from django.db import models\ndef recent(qs, days):\n'
            '    return qs.extra(where=["created > now() - interval \'%s days\'" % days])',
        ),
        Invalid(
            'import pandas as pd\ndef report(engine, region):\n'
            '    return pd.read_sql(f"SELECT * FROM sales WHERE region = \'{region}\'", engine)',
        ),
        # Unresolvable receiver and driver: reported without a fix.
        Invalid(
            'def delete(db, item_id):\n'
            '    db.execute(f"DELETE FROM items WHERE id = {item_id}")',
        ),
        # Column names from the caller's dict keys.
        Invalid(
            'import sqlite3\ndef update(conn, uid, fields):\n'
            '    sets = ", ".join(f"{k} = ?" for k in fields)\n'
            '    conn.execute(f"UPDATE users SET {sets} WHERE id = ?", (*fields.values(), uid))',
        ),
        Invalid(
            'import asyncpg\nasync def get(conn, email):\n'
            '    return await conn.fetchrow(f"SELECT * FROM users WHERE email = \'{email}\'")',
            fixed='import asyncpg\nasync def get(conn, email):\n'
            '    return await conn.fetchrow("SELECT * FROM users WHERE email = $1", email)',
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._scopes: dict[int, _Scope] = {}
        self._reported: set[int] = set()
        self._comp_names: list[dict[str, int]] = []

    # --- sinks ------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        sink = self._sink(node)
        if sink is None:
            return
        label, sql_args, strict = sink
        for sql in sql_args:
            self._check(node, sql, label, strict)

    def _sink(self, call: cst.Call) -> tuple[str, list[cst.BaseExpression], bool] | None:
        """(label, SQL arguments, whether the text must look like SQL) when ``call`` runs SQL."""
        ctx = self.ctx
        name = ctx.qualname(call.func) or ""
        if name in SQLALCHEMY_TEXT or name in DJANGO_RAWSQL or name in PANDAS_READ:
            key = "sql" if name not in SQLALCHEMY_TEXT else "text"
            arg = ctx.argument(call, key, 0)
            return (ctx.code(call.func), [arg] if arg is not None else [], False)
        if not isinstance(call.func, cst.Attribute):
            return None
        method = call.func.attr.value
        if method == "raw" and self._is_manager(call.func.value):
            arg = ctx.argument(call, "raw_query", 0)
            return (f"{ctx.code(call.func)}", [arg] if arg is not None else [], False)
        if method == "extra" and any(q.startswith("django") for q in ctx.index.imports.values()):
            return (".extra()", self._extra_args(call), False)
        if method in SQL_METHODS:
            arg = ctx.argument(call, "sql" if method != "execute" else "operation", 0)
            if arg is None:
                arg = ctx.argument(call, "query", 0) or ctx.argument(call, "statement", 0)
            return (f"{ctx.code(call.func)}", [arg] if arg is not None else [], True)
        return None

    @staticmethod
    def _is_manager(receiver: cst.BaseExpression) -> bool:
        while isinstance(receiver, (cst.Attribute, cst.Call)):
            if isinstance(receiver, cst.Attribute):
                if receiver.attr.value in _MANAGERS:
                    return True
                receiver = receiver.value
            else:
                receiver = receiver.func
        return False

    def _extra_args(self, call: cst.Call) -> list[cst.BaseExpression]:
        found: list[cst.BaseExpression] = []
        for key in ("where", "tables", "order_by", "select"):
            value = self.ctx.argument(call, key)
            if isinstance(value, (cst.List, cst.Tuple)):
                found.extend(e.value for e in value.elements if not isinstance(e, cst.StarredElement))
            elif isinstance(value, cst.Dict):
                found.extend(e.value for e in value.elements if isinstance(e, cst.DictElement))
        return found

    # --- the check ----------------------------------------------------------------
    def _check(self, call: cst.Call, sql: cst.BaseExpression, label: str, strict: bool) -> None:
        at = self._statement_index()
        builds: list[_Build] = []
        texts: list[str] = []
        self._collect(sql, at, builds, texts, depth=0)
        if not builds:
            return
        if strict and not _SQL_LOOK.search(" ".join(texts + [b.text() for b in builds])):
            return
        for build in builds:
            if id(build.node) in self._reported:
                continue
            grades = [self._field_grade(build, f) for f in build.parts if isinstance(f, _Field)]
            worst = max(grades, default=SAFE)
            if worst == SAFE:
                continue
            self._reported.add(id(build.node))
            unsafe = [f for f, g in zip([p for p in build.parts if isinstance(p, _Field)], grades) if g != SAFE]
            names = ", ".join(markup.code(self.ctx.code(f.node)) for f in unsafe[:3]) + (" ..." if len(unsafe) > 3 else "")
            confidence = {TAINTED: Confidence.HIGH, UNSURE: Confidence.MEDIUM}[worst]
            if worst == UNSURE and all(self._identifier_position(build, f) for f in unsafe):
                confidence = Confidence.LOW
            fix = self._fix(call, sql, build, label)
            self.report(
                build.node,
                f"SQL run by {markup.code(label)} is built with {build.kind} from {names}: a quote in the value rewrites "
                f"the statement (SQL injection); pass the values as bound parameters",
                fix=fix,
                confidence=confidence,
            )

    def _statement_index(self) -> int:
        scope = self._scope()
        for node in reversed(self.ctx.stack):
            index = scope.order.get(id(node))
            if index is not None:
                return index
        return 1 << 30

    def _scope(self) -> _Scope:
        node: cst.CSTNode = self.ctx.enclosing(cst.FunctionDef) or self.ctx.module
        scope = self._scopes.get(id(node))
        if scope is None:
            scope = self._scopes[id(node)] = _scan_scope(node)
        return scope

    # --- builds ---------------------------------------------------------------------
    def _collect(self, expr: cst.BaseExpression, at: int, builds: list[_Build], texts: list[str], depth: int) -> None:
        """The string-building expressions ``expr`` stands for (following local names)."""
        if depth > 4:
            return
        build = self._as_build(expr, at)
        if build is not None:
            builds.append(build)
            for part in build.parts:  # q = q + "...": the SQL text q started with
                if isinstance(part, _Field) and isinstance(part.node, cst.Name):
                    self._collect(part.node, at, [], texts, depth + 1)
            return
        if isinstance(expr, cst.IfExp):
            self._collect(expr.body, at, builds, texts, depth + 1)
            self._collect(expr.orelse, at, builds, texts, depth + 1)
            return
        literal = self.ctx.string(expr)
        if literal is not None:
            texts.append(literal)
            return
        if isinstance(expr, cst.Name):
            for binding in self._reaching(expr.value, at):
                if binding.kind in ("assign", "aug") and binding.value is not None:
                    self._collect(binding.value, binding.at, builds, texts, depth + 1)

    def _as_build(self, expr: cst.BaseExpression, at: int) -> _Build | None:
        if isinstance(expr, cst.FormattedString):
            parts = _fstring_parts(expr)
            return _Build(expr, "an f-string", parts, at) if any(isinstance(p, _Field) for p in parts) else None
        if isinstance(expr, cst.ConcatenatedString) and self.ctx.string(expr) is None:
            parts = _concat_parts(expr)
            return _Build(expr, "an f-string", parts, at) if parts is not None else None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
            template = self.ctx.string(expr.left)
            if template is None:
                return None
            parts = _percent_parts(template, expr.right)
            return _Build(expr, "`%` formatting", parts, at, exact=parts is not None) if parts is not None else None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            operands = _flatten_add(expr)
            if not any(self.ctx.string(o) is not None or isinstance(o, cst.FormattedString) for o in operands):
                return None
            parts: list[str | _Field] = []
            for operand in operands:
                literal = self.ctx.string(operand) if not isinstance(operand, cst.Name) else None
                if literal is not None and FileContext.is_literal_string(operand):
                    parts.append(literal)
                elif isinstance(operand, cst.FormattedString):
                    parts.extend(_fstring_parts(operand))
                else:
                    parts.append(_Field(operand))
            return _Build(expr, "string concatenation", _merge(parts), at)
        if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format"):
            template = self.ctx.string(expr.func.value)
            if template is None:
                return None
            parts = _format_parts(template, expr)
            return _Build(expr, "`.format()`", parts, at) if parts is not None else None
        return None

    # --- how safe is a field -----------------------------------------------------------
    def _field_grade(self, build: _Build, part: _Field) -> int:
        if part.numeric:
            return SAFE
        return self._grade(part.node, build.at, 0, frozenset())

    def _grade(self, expr: cst.BaseExpression, at: int, depth: int, seen: frozenset[str]) -> int:
        ctx = self.ctx
        if depth > 6:
            return UNSURE
        if isinstance(expr, (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)):
            return SAFE
        if isinstance(expr, cst.Name):
            return self._grade_name(expr.value, at, depth, seen)
        if ctx.literal(expr) is not UNKNOWN:
            return SAFE
        if isinstance(expr, cst.FormattedString):
            return max((self._grade(p.expression, at, depth + 1, seen) for p in expr.parts
                        if isinstance(p, cst.FormattedStringExpression) and not _numeric_spec(p)), default=SAFE)
        if isinstance(expr, cst.ConcatenatedString):
            return max(self._grade(expr.left, at, depth + 1, seen), self._grade(expr.right, at, depth + 1, seen))
        if isinstance(expr, cst.IfExp):
            return max(self._grade(expr.body, at, depth + 1, seen), self._grade(expr.orelse, at, depth + 1, seen))
        if isinstance(expr, cst.BooleanOperation):  # clauses or "1 = 1"
            return max(self._grade(expr.left, at, depth + 1, seen), self._grade(expr.right, at, depth + 1, seen))
        if isinstance(expr, cst.BinaryOperation):
            if isinstance(expr.operator, cst.Multiply) and (_is_string_or_list(expr.left) or _is_string_or_list(expr.right)):
                return SAFE  # "?" * n, ["%s"] * len(ids)
            if isinstance(expr.operator, (cst.Add, cst.Modulo)):
                return max(self._grade(expr.left, at, depth + 1, seen), self._grade(expr.right, at, depth + 1, seen))
            return SAFE  # arithmetic: a number or an exception
        if isinstance(expr, cst.UnaryOperation):
            return SAFE
        if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
            return max((self._grade(e.value, at, depth + 1, seen) for e in expr.elements), default=SAFE)
        if isinstance(expr, cst.Dict):
            return max((self._grade(e.value, at, depth + 1, seen) for e in expr.elements
                        if isinstance(e, cst.DictElement)), default=SAFE)
        if isinstance(expr, (cst.GeneratorExp, cst.ListComp, cst.SetComp)):
            return self._grade_comprehension(expr, at, depth, seen)
        if isinstance(expr, cst.Call):
            return self._grade_call(expr, at, depth, seen)
        if isinstance(expr, cst.Subscript):
            container = self._grade(expr.value, at, depth + 1, seen)
            return SAFE if container == SAFE else max(container, UNSURE)
        if isinstance(expr, cst.Attribute):
            return self._grade_attribute(expr, at, depth, seen)
        return UNSURE

    def _grade_name(self, name: str, at: int, depth: int, seen: frozenset[str]) -> int:
        for frame in reversed(self._comp_names):
            if name in frame:
                return frame[name]
        if name in seen:
            return SAFE  # q = q + "..." : the other bindings of q are graded on their own
        if name in ("self", "cls"):
            return UNSURE
        scope = self._scope()
        if name in scope.checked:
            return SAFE
        bindings = self._reaching(name, at) or self._closure_bindings(name)
        if not bindings:
            # A module-level name (constant, setting, import) seen from a function, or a builtin.
            return TAINTED if _TAINTED_QUALNAME.search(self.ctx.index.imports.get(name, "")) else SAFE
        grade = SAFE
        for binding in bindings:
            if binding.kind == "param":
                grade = max(grade, TAINTED)
            elif binding.kind == "import":
                continue
            elif binding.value is None:
                grade = max(grade, UNSURE)
            elif binding.kind == "for":
                grade = max(grade, self._grade_iterable(binding.value, binding.at, depth + 1, seen | {name}))
            else:
                grade = max(grade, self._grade(binding.value, binding.at, depth + 1, seen | {name}))
            if grade == TAINTED:
                break
        return grade

    def _closure_bindings(self, name: str) -> list[_Binding]:
        """Bindings of ``name`` in an enclosing function (a closure), all of them."""
        functions = [n for n in self.ctx.stack[:-1] if isinstance(n, cst.FunctionDef)]
        for outer in reversed(functions[:-1]):
            scope = self._scopes.get(id(outer))
            if scope is None:
                scope = self._scopes[id(outer)] = _scan_scope(outer)
            if name in scope.bindings:
                return scope.bindings[name]
        return []

    def _reaching(self, name: str, at: int) -> list[_Binding]:
        """Bindings of ``name`` before statement ``at``; an unconditional one hides those before it."""
        scope = self._scope()
        bindings = [b for b in scope.bindings.get(name, []) if b.at < at]
        for node in self.ctx.stack:  # inside ``for name in ...``: the loop's binding is the one that reaches
            if isinstance(node, cst.For) and name in _names_in(node.target):
                loop_at = scope.order.get(id(node), 1 << 30)
                if loop_at < at:
                    bindings = [b for b in bindings if b.at >= loop_at]
        for i in range(len(bindings) - 1, -1, -1):
            if bindings[i].top and bindings[i].kind in ("assign", "param", "import", "unknown"):
                return bindings[i:]
        return bindings

    def _grade_iterable(self, expr: cst.BaseExpression, at: int, depth: int, seen: frozenset[str]) -> int:
        if isinstance(expr, cst.Call):
            name = self.ctx.qualname(expr.func) or ""
            if name == "builtins.range":
                return SAFE
            if name in ("builtins.enumerate", "builtins.sorted", "builtins.list", "builtins.set",
                        "builtins.tuple", "builtins.reversed", "builtins.zip") and expr.args:
                return max(self._grade_iterable(a.value, at, depth + 1, seen) for a in expr.args)
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in ("keys", "values", "items"):
                return self._grade(expr.func.value, at, depth + 1, seen)
        return self._grade(expr, at, depth + 1, seen)

    def _grade_comprehension(self, expr: cst.GeneratorExp | cst.ListComp | cst.SetComp, at: int, depth: int,
                             seen: frozenset[str]) -> int:
        frame: dict[str, int] = {}
        clause: cst.CompFor | None = expr.for_in
        while clause is not None:
            grade = self._grade_iterable(clause.iter, at, depth + 1, seen)
            for target in _names_in(clause.target):
                frame[target] = grade
            clause = clause.inner_for_in
        self._comp_names.append(frame)
        try:
            return self._grade(expr.elt, at, depth + 1, seen)
        finally:
            self._comp_names.pop()

    def _grade_call(self, call: cst.Call, at: int, depth: int, seen: frozenset[str]) -> int:
        ctx = self.ctx
        name = ctx.qualname(call.func) or ""
        if name in _SAFE_CALLS:
            return SAFE
        if _TAINTED_QUALNAME.search(name):
            return TAINTED
        args = [a.value for a in call.args]
        if name in ("builtins.str", "builtins.repr") and args:
            return self._grade(args[0], at, depth + 1, seen)
        func_name = call.func.attr.value if isinstance(call.func, cst.Attribute) else (
            call.func.value if isinstance(call.func, cst.Name) else "")
        if _SANITIZER.search(func_name):
            return SAFE
        if isinstance(call.func, cst.Attribute):
            if func_name == "join":
                receiver = self._grade(call.func.value, at, depth + 1, seen)
                return max([receiver] + [self._grade_iterable(a, at, depth + 1, seen) for a in args])
            receiver_is_module = isinstance(call.func.value, cst.Name) and call.func.value.value in ctx.index.imports
            if func_name in _PASSTHROUGH_METHODS and not receiver_is_module:
                receiver = self._grade(call.func.value, at, depth + 1, seen)
                if func_name in ("get", "pop", "getlist") and receiver == SAFE:
                    return SAFE  # an allow-list mapping: ALLOWED.get(key, "id")
                return max([receiver] + [self._grade(a, at, depth + 1, seen) for a in args[: 0 if func_name in
                                                                                      ("get", "pop", "getlist") else None]])
        inner = max((self._grade(a, at, depth + 1, seen) for a in args), default=SAFE)
        return max(UNSURE, inner)

    def _grade_attribute(self, expr: cst.Attribute, at: int, depth: int, seen: frozenset[str]) -> int:
        attr = expr.attr.value
        if _IDENTIFIER_ATTR.search(attr):
            return SAFE  # the table/column names of a model
        if attr.isupper():
            # Constants and enums; but request.GET / request.POST are the client's data.
            return TAINTED if self._grade(expr.value, at, depth + 1, seen) == TAINTED else SAFE
        qualname = self.ctx.qualname(expr) or ""
        if _TAINTED_QUALNAME.search(qualname):
            return TAINTED
        root = expr
        while isinstance(root, cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name) and root.value in ("self", "cls"):
            return UNSURE
        return max(UNSURE, self._grade(expr.value, at, depth + 1, seen))

    def _identifier_position(self, build: _Build, part: _Field) -> bool:
        before = ""
        for p in build.parts:
            if p is part:
                break
            before = before + p if isinstance(p, str) else before + "?"
        return bool(_IDENTIFIER_BEFORE.search(before))

    # --- the fix ------------------------------------------------------------------------
    def _fix(self, call: cst.Call, sql: cst.BaseExpression, build: _Build, label: str) -> Fix | None:
        ctx = self.ctx
        style = self._style(call)
        if style is None or not build.exact:
            return None
        values = self._bindable(build)
        if values is None:
            return None
        new_sql = _render(build, values, style)
        if new_sql is None:
            return None
        exprs = [v for v in values if v is not None]
        names = _param_names(ctx, exprs) if style == "named" else []
        is_text = ctx.qualname(call.func) in SQLALCHEMY_TEXT
        target, extra = call, None
        if is_text:
            if sql is not build.node:
                return None
            outer = self._outer_execute(call)
            if outer is None:
                new_call = _bindparams(call.with_changes(args=[call.args[0].with_changes(value=new_sql)]), names, exprs)
                return ctx.replace(call, new_call, "bind the values with bindparams()")
            target = outer
            extra = call.with_changes(args=[call.args[0].with_changes(value=new_sql)])
        if len(target.args) != 1 or target.args[0].keyword is not None or label.endswith("executescript"):
            return None  # parameters are already passed: mixing is not mechanical
        first_value = extra if extra is not None else (new_sql if sql is build.node else sql)
        new_call = target.with_changes(args=[target.args[0].with_changes(value=first_value)])
        if style == "numeric":
            for expr in exprs:
                new_call = _add_positional(new_call, expr)
        else:
            new_call = _add_positional(new_call, _params(style, exprs, names, django_raw=label.endswith(".raw")))
        if sql is build.node or extra is not None:
            return ctx.replace(target, new_call, "bind the values as parameters")
        return self._replace_two(build, new_sql, target, new_call, sql)

    def _style(self, call: cst.Call) -> str | None:
        ctx = self.ctx
        name = ctx.qualname(call.func) or ""
        if name in SQLALCHEMY_TEXT:
            return "named"
        if name in PANDAS_READ or name in DJANGO_RAWSQL:
            return None
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "raw":
            return "format"
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "extra":
            return None
        top = name.split(".")[0] if name else ""
        if top in _STYLE_BY_MODULE:
            return _STYLE_BY_MODULE[top]
        modules = {q.split(".")[0] for q in ctx.index.imports.values()}
        if modules & _LAYERED:
            return None
        styles = {_STYLE_BY_MODULE[m] for m in modules if m in _STYLE_BY_MODULE}
        return styles.pop() if len(styles) == 1 else None

    def _outer_execute(self, text_call: cst.Call) -> cst.Call | None:
        stack = self.ctx.stack
        if len(stack) >= 3 and isinstance(stack[-2], cst.Arg) and isinstance(stack[-3], cst.Call):
            outer = stack[-3]
            if (isinstance(outer.func, cst.Attribute) and outer.func.attr.value in ("execute", "exec_driver_sql")
                    and outer.args and outer.args[0] is stack[-2]):
                return outer
        return None

    def _bindable(self, build: _Build) -> list[cst.BaseExpression | None] | None:
        """Per field: the expression to bind, or None to keep it in the SQL (a constant); None if not mechanical."""
        result: list[cst.BaseExpression | None] = []
        fields = [p for p in build.parts if isinstance(p, _Field)]
        for part in fields:
            grade = self._field_grade(build, part)
            if grade == SAFE:
                if not isinstance(build.node, cst.FormattedString):
                    return None
                result.append(None)
                continue
            expr = _unwrap_str(part.node)
            if not part.plain or not _is_simple(expr):
                return None
            if not _value_position(build, part):
                return None
            result.append(expr)
        return result if any(r is not None for r in result) else None

    def _replace_two(self, build: _Build, new_sql: cst.BaseExpression, call: cst.Call, new_call: cst.Call,
                     sql: cst.BaseExpression) -> Fix | None:
        """The query sits in a local variable: rewrite its one assignment and the call, as one range."""
        ctx = self.ctx
        if not isinstance(sql, cst.Name):
            return None
        scope = self._scope()
        bindings = scope.bindings.get(sql.value, [])
        if len(bindings) != 1 or bindings[0].value is not build.node or scope.uses[sql.value] != 2:
            return None
        first, second = ctx.position(build.node), ctx.position(call)
        if (first.end.line, first.end.column) > (second.start.line, second.start.column):
            return None
        lines = ctx.lines[first.start.line - 1 : second.end.line]
        offset = first.start.line
        text = "\n".join(lines)

        def at(line: int, column: int) -> int:
            return sum(len(x) + 1 for x in lines[: line - offset]) + column

        new_call_text = ctx.code_in_place(new_call, ctx.indentation(second.start.line))
        new_sql_text = ctx.code_in_place(new_sql, ctx.indentation(first.start.line))
        text = text[: at(second.start.line, second.start.column)] + new_call_text + text[at(second.end.line, second.end.column):]
        text = text[: at(first.start.line, first.start.column)] + new_sql_text + text[at(first.end.line, first.end.column):]
        return ctx.replace_lines(first.start.line, second.end.line, text, "bind the values as parameters")


# --- parts of builds ----------------------------------------------------------------------


def _numeric_spec(part: cst.FormattedStringExpression) -> bool:
    spec = part.format_spec
    if not spec or part.conversion:
        return False
    text = "".join(p.value for p in spec if isinstance(p, cst.FormattedStringText))
    return bool(re.search(r"[dxXobneEfFgG%]$", text)) and len(spec) == 1


def _fstring_text(node: cst.FormattedString, raw: str) -> str | None:
    prefix = node.prefix.lower().replace("f", "")
    try:
        value = ast.literal_eval(prefix + node.quote + raw.replace("{{", "{").replace("}}", "}") + node.quote)
    except (SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None


def _fstring_parts(node: cst.FormattedString) -> list[str | _Field]:
    parts: list[str | _Field] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(_fstring_text(node, part.value) or part.value)
        else:
            numeric = _numeric_spec(part)
            parts.append(_Field(part.expression, numeric=numeric, plain=not part.format_spec and not part.conversion))
    return parts


def _concat_parts(node: cst.BaseExpression) -> list[str | _Field] | None:
    if isinstance(node, cst.ConcatenatedString):
        left, right = _concat_parts(node.left), _concat_parts(node.right)
        return None if left is None or right is None else _merge(left + right)
    if isinstance(node, cst.FormattedString):
        return _fstring_parts(node)
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return [value] if isinstance(value, str) else None
    return None


def _flatten_add(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) and not node.lpar:
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def _merge(parts: list[str | _Field]) -> list[str | _Field]:
    merged: list[str | _Field] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    return merged


_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[-#0 +]*\d*(?:\.\d+)?)(?P<conv>[sdirfFeEgGxXoc%a])")


def _percent_parts(template: str, right: cst.BaseExpression) -> list[str | _Field] | None:
    if isinstance(right, cst.Tuple):
        values: list[cst.BaseExpression] | dict[str, cst.BaseExpression] = [e.value for e in right.elements]
    elif isinstance(right, cst.Dict):
        values = {}
        for element in right.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                return None
            key = element.key.evaluated_value
            if not isinstance(key, str):
                return None
            values[key] = element.value
    else:
        values = [right]
    parts: list[str | _Field] = []
    position, index = 0, 0
    for match in _PERCENT.finditer(template):
        parts.append(template[position : match.start()])
        position = match.end()
        if match.group("conv") == "%":
            parts.append("%")
            continue
        numeric = match.group("conv") in "dirfFeEgGxXo"
        plain = match.group("conv") == "s" and not match.group("flags")
        if match.group("key") is not None:
            if not isinstance(values, dict) or match.group("key") not in values:
                return None
            parts.append(_Field(values[match.group("key")], numeric=numeric, plain=plain))
        else:
            if not isinstance(values, list) or index >= len(values):
                return None
            parts.append(_Field(values[index], numeric=numeric, plain=plain))
            index += 1
    parts.append(template[position:])
    if isinstance(values, list) and len(values) == 1 and index == 0:
        return None  # "%" with nothing to format: not a build
    return _merge([p for p in parts if p != ""])


def _format_parts(template: str, call: cst.Call) -> list[str | _Field] | None:
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if any(a.star for a in call.args):
        return None
    parts: list[str | _Field] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for literal, field_name, spec, conversion in parsed:
        if literal:
            parts.append(literal)
        if field_name is None:
            continue
        head = re.match(r"^\w*", field_name).group(0)  # type: ignore[union-attr]
        if head == "":
            if auto >= len(positional):
                return None
            value, auto = positional[auto], auto + 1
        elif head.isdigit():
            if int(head) >= len(positional):
                return None
            value = positional[int(head)]
        elif head in keywords:
            value = keywords[head]
        else:
            return None
        simple = head == field_name and not spec and not conversion
        numeric = bool(spec) and bool(re.search(r"[dxXobneEfFgG%]$", spec or ""))
        parts.append(_Field(value, numeric=numeric, plain=simple))
    return _merge(parts)


# --- fix helpers ----------------------------------------------------------------------------


def _names_in(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names_in(e.value)]
    return []


def _is_string_or_list(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.List, cst.Tuple)) or (
        isinstance(node, cst.ConcatenatedString))


def _unwrap_str(expr: cst.BaseExpression) -> cst.BaseExpression:
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "str"
            and len(expr.args) == 1 and expr.args[0].keyword is None and not expr.args[0].star):
        return expr.args[0].value
    return expr


def _is_simple(expr: cst.BaseExpression) -> bool:
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        if isinstance(expr, cst.Subscript):
            if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index) or not isinstance(
                    expr.slice[0].slice.value, (cst.SimpleString, cst.Integer)):
                return False
        expr = expr.value
    return isinstance(expr, cst.Name)


def _value_position(build: _Build, part: _Field) -> bool:
    """The field stands where SQL expects a value: quoted ``'{x}'``, after ``=``/``LIKE``, or in ``VALUES (...)``."""
    index = build.parts.index(part)
    before = build.parts[index - 1] if index > 0 else ""
    after = build.parts[index + 1] if index + 1 < len(build.parts) else ""
    before_text = before if isinstance(before, str) else ""
    after_text = after if isinstance(after, str) else ""
    if before_text.endswith("'") or after_text.startswith("'"):
        return before_text.endswith("'") and after_text.startswith("'") and not before_text.endswith("''")
    if before_text.endswith('"') or after_text.startswith('"'):
        return False  # "x" is an identifier in standard SQL
    prefix = "".join(p if isinstance(p, str) else "?" for p in build.parts[:index])
    return bool(_VALUE_BEFORE.search(prefix) or _IN_VALUES.search(prefix))


def _placeholder(style: str, number: int, name: str) -> str:
    return {"qmark": "?", "format": "%s", "numeric": f"${number}", "named": f":{name}"}[style]


def _render(build: _Build, values: list[cst.BaseExpression | None], style: str) -> cst.BaseExpression | None:
    """The SQL literal with placeholders where the bound fields were."""
    names = _param_names_from(values)
    fields = [p for p in build.parts if isinstance(p, _Field)]
    mapping = dict(zip((id(f) for f in fields), values))
    if isinstance(build.node, cst.FormattedString) and any(v is None for v in values):
        return _render_fstring(build.node, mapping, style, names)
    pieces: list[str] = []
    number = 0
    parts = build.parts
    for i, part in enumerate(parts):
        if isinstance(part, str):
            text = part
            if i > 0 and isinstance(parts[i - 1], _Field) and text.startswith("'"):
                text = text[1:]
            if i + 1 < len(parts) and isinstance(parts[i + 1], _Field) and text.endswith("'"):
                text = text[:-1]
            pieces.append(text.replace("%", "%%") if style == "format" else text)
        else:
            number += 1
            pieces.append(_placeholder(style, number, names[number - 1]))
    return _string_literal("".join(pieces), build.node)


def _render_fstring(node: cst.FormattedString, mapping: dict[int, cst.BaseExpression | None], style: str,
                    names: list[str]) -> cst.BaseExpression | None:
    """An f-string keeping its constant fields, with bound ones replaced by placeholders."""
    if style == "format":
        return None  # a literal % in the kept text would need escaping: not worth the risk
    parts = list(node.parts)
    values = iter(mapping.values())
    bound = [isinstance(p, cst.FormattedStringExpression) and next(values) is not None for p in parts]
    new_parts: list[cst.BaseFormattedStringContent] = []
    number = 0
    for i, part in enumerate(parts):
        if isinstance(part, cst.FormattedStringText):
            value = part.value
            if i > 0 and bound[i - 1] and value.startswith("'"):
                value = value[1:]
            if i + 1 < len(parts) and bound[i + 1] and value.endswith("'"):
                value = value[:-1]
            new_parts.append(part.with_changes(value=value))
        elif bound[i]:
            number += 1
            new_parts.append(cst.FormattedStringText(_placeholder(style, number, names[number - 1])))
        else:
            new_parts.append(part)
    return node.with_changes(parts=new_parts)


def _string_literal(text: str, original: cst.BaseExpression) -> cst.BaseExpression | None:
    """``text`` as a plain string literal, in the quotes the original SQL used where possible."""
    quote = '"'
    sample = original if isinstance(original, (cst.SimpleString, cst.FormattedString)) else next(
        (n for n in walk(original) if isinstance(n, (cst.SimpleString, cst.FormattedString))), None)
    if isinstance(sample, (cst.SimpleString, cst.FormattedString)):
        quote = sample.quote
    if len(quote) == 3:
        if quote in text or text.endswith(quote[0]):
            return None
        body = text.replace("\\", "\\\\")
    else:
        if quote in text:
            quote = "'" if quote == '"' else '"'
            if quote in text:
                return None
        body = text.replace("\\", "\\\\").replace("\n", "\\n")
    return cst.SimpleString(f"{quote}{body}{quote}")


def _param_names_from(values: list[cst.BaseExpression | None]) -> list[str]:
    names: list[str] = []
    for value in values:
        if value is None:
            continue
        base = value
        while isinstance(base, cst.Subscript):
            key = base.slice[0].slice.value  # type: ignore[union-attr]
            if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str) and key.evaluated_value.isidentifier():
                base = cst.Name(key.evaluated_value)
                break
            base = base.value
        name = base.attr.value if isinstance(base, cst.Attribute) else base.value if isinstance(base, cst.Name) else "p"
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}_{n}", n + 1
        names.append(candidate)
    return names


def _param_names(ctx: FileContext, exprs: list[cst.BaseExpression]) -> list[str]:
    return _param_names_from(list(exprs))


def _params(style: str, exprs: list[cst.BaseExpression], names: list[str], django_raw: bool) -> cst.BaseExpression:
    if style == "named":
        return cst.Dict([cst.DictElement(cst.SimpleString(f'"{n}"'), e) for n, e in zip(names, exprs)])
    if django_raw:
        return cst.List([cst.Element(e) for e in exprs])
    if len(exprs) == 1:
        return cst.Tuple([cst.Element(exprs[0], comma=cst.Comma())])
    return cst.Tuple([cst.Element(e) for e in exprs])


def _add_positional(call: cst.Call, value: cst.BaseExpression) -> cst.Call:
    with_keyword = add_keyword(call, "_", value)
    args = list(with_keyword.args)
    args[-1] = args[-1].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
    return with_keyword.with_changes(args=args)


def _bindparams(text_call: cst.Call, names: list[str], exprs: list[cst.BaseExpression]) -> cst.Call:
    args = [cst.Arg(e, keyword=cst.Name(n), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
            for n, e in zip(names, exprs)]
    return cst.Call(func=cst.Attribute(value=text_call, attr=cst.Name("bindparams")), args=args)


# --- handler helpers (AR602, AR603) -------------------------------------------------------


def _strip_await(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


def _wrapped_in_str(node: cst.BaseExpression) -> cst.Call:
    inner = node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node
    return cst.Call(func=cst.Name("str"), args=[cst.Arg(inner)])  # type: ignore[arg-type]


# --- AR602 ------------------------------------------------------------------------------

# Collection methods and the position of their filter (aggregate takes a pipeline).
_MONGO_FILTER_AT = {
    "find": 0, "find_one": 0, "find_one_and_update": 0, "find_one_and_delete": 0, "find_one_and_replace": 0,
    "update_one": 0, "update_many": 0, "delete_one": 0, "delete_many": 0, "replace_one": 0, "count_documents": 0,
    "count": 0, "distinct": 1, "find_raw_batches": 0, "aggregate": 0, "aggregate_raw_batches": 0,
}
# Names no other common API uses: no need for further evidence that this is MongoDB.
_MONGO_ONLY = frozenset({"find_one", "find_one_and_update", "find_one_and_delete", "find_one_and_replace", "update_one",
                         "update_many", "delete_one", "delete_many", "replace_one", "count_documents",
                         "find_raw_batches", "aggregate_raw_batches"})
_MONGO_EVIDENCE = re.compile(r"mongo|Mongo|bson|ObjectId|motor|beanie|['\"]\$[a-zA-Z]+['\"]|['\"]_id['\"]")
_JS_OPERATORS = frozenset({"$where", "$function", "$accumulator"})
# The request's own mappings of strings: their values are strings, their keys whatever the client sends.
_STRING_MAPPING = re.compile(r"\.(?:args|form|values|GET|POST|query_params|query|cookies)(?:\.(?:to_dict|dict|copy)\(\))?$")
_SCHEMA_LOADERS = frozenset({"load", "validate", "model_validate", "model_validate_json", "parse_obj", "parse_raw",
                             "deserialize", "from_dict", "structure", "validate_python", "validate_json"})
_RAW_PARSERS = frozenset({"json", "orjson", "ujson", "simplejson", "yaml", "pickle", "marshal", "toml", "tomllib",
                          "rapidjson", "msgpack"})


def _assigned_values(function: cst.FunctionDef) -> dict[str, list[cst.BaseExpression]]:
    values: dict[str, list[cst.BaseExpression]] = {}
    for node in own_nodes(function):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    values.setdefault(target.target.value, []).append(node.value)
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and node.value is not None:
            values.setdefault(node.target.value, []).append(node.value)
    return values


@dataclass
class _Injected:
    node: cst.BaseExpression
    kind: str  # field | whole | spread | js | key
    field: str | None = None
    holder: cst.CSTNode | None = None  # the dict literal the value sits in (for the fix)


class NoSqlOperatorInjection(Rule):
    """What it does: flags MongoDB queries (pymongo, motor, and APIs that take Mongo filters) whose filter
    takes request data that may be a JSON object rather than a string: a field of the request body
    used as a value (``{"email": data["email"]}``), the whole body or a dict from it used as the filter
    (``find_one(request.json)``), spread into it (``{**criteria}``), or put in a ``$where``. Values cast
    with ``str()``/``int()``/``ObjectId()``, query-string and form values, path parameters and fields of
    validated (pydantic) models are strings or numbers and are not reported.

    Why is this bad: JSON lets the client send ``{"password": {"$ne": null}}`` instead of a string, and
    Mongo reads the object as an operator: the login matches any user, the share-token check matches
    any token, a scoped filter is widened or overridden. ``$where`` runs the client's JavaScript.

    Example:
        data = request.get_json()
        user = db.users.find_one({"email": data["email"], "password_hash": hash_pw(data["password"])})

    Use instead:
        data = request.get_json()
        user = db.users.find_one({"email": str(data["email"])})
    """

    id = "AR602"
    name = "nosql-operator-injection"
    title = "Request JSON in a MongoDB filter"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 943
    prefilter = (
        re.compile(r"\.\s*(?:find|find_one\w*|update_one|update_many|delete_one|delete_many|replace_one|"
                   r"count_documents|count|distinct|aggregate|find_raw_batches|aggregate_raw_batches)\s*\("),
        re.compile(r"request|Request|Body\(|: dict"),
    )
    in_tests = False

    VALID = [
        # Cast to strings first.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    data = request.get_json()\n"
        "    user = db.users.find_one({'email': str(data['email']), 'active': True})\n",
        # Query-string values are strings.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.get('/notes')\ndef notes():\n"
        "    return list(db.notes.find({'tag': request.args.get('tag'), 'owner_id': current_user.id}))\n",
        # Fields of a pydantic model have their declared types.
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\n"
        "class Login(BaseModel):\n    email: str\n    password: str\n"
        "@app.post('/login')\nasync def login(body: Login):\n    return await db.users.find_one({'email': body.email})\n",
        # A path parameter.
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/s/<token>')\ndef share(token):\n"
        "    return db.shares.find_one({'token': token})\n",
        # Not Mongo: a string search.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/x')\ndef x():\n"
        "    return request.json['text'].find(request.json['needle'])\n",
        # Typed by a schema.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    data = LoginSchema().load(request.get_json())\n    return db.users.find_one({'email': data['email']})\n",
        "from rest_framework.decorators import api_view\n@api_view(['POST'])\ndef lookup(request):\n"
        "    serializer = LookupSerializer(data=request.data)\n    serializer.is_valid(raise_exception=True)\n"
        "    return db.orders.find_one({'number': serializer.validated_data['number']})\n",
        # A pydantic model's fields.
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\n"
        "class Filter(BaseModel):\n    tag: str\n    archived: bool = False\n"
        "@app.post('/notes/filter')\nasync def notes(f: Filter):\n    return await db.notes.find(f.model_dump()).to_list(50)\n",
        # Built by a helper that validates it.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/search')\ndef search():\n"
        "    return list(db.items.find(build_filter(request.json)))\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    data = request.get_json()\n"
            "    user = db.users.find_one({'email': data['email'], 'password': data['password']})\n",
            fixed="from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    data = request.get_json()\n"
            "    user = db.users.find_one({'email': str(data['email']), 'password': str(data['password'])})\n",
        ),
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/audit')\ndef audit():\n"
            "    return audit_log().find_one(request.json, {'_id': 0})\n",
        ),
        Invalid(
            "from starlette.requests import Request\nasync def redeem(request: Request):\n"
            "    body = await request.json()\n"
            "    share = await db.shares.find_one(\n"
            "        {\n"
            "            'token': body['token'],\n"
            "            'expires_at': {'$gt': now()},\n"
            "        }\n"
            "    )\n",
            fixed="from starlette.requests import Request\nasync def redeem(request: Request):\n"
            "    body = await request.json()\n"
            "    share = await db.shares.find_one(\n"
            "        {\n"
            "            'token': str(body['token']),\n"
            "            'expires_at': {'$gt': now()},\n"
            "        }\n"
            "    )\n",
        ),
        Invalid(
            "from starlette.requests import Request\nasync def filter_notes(request: Request):\n"
            "    criteria = await request.json()\n"
            "    return db.notes.find({'owner_id': request.user.id, **criteria})\n",
        ),
        Invalid(
            "import json\nfrom django.http import JsonResponse\ndef lookup(request):\n"
            "    payload = json.loads(request.body)\n    query = {'active': True}\n"
            "    query['username'] = payload.get('username')\n"
            "    return JsonResponse({'found': users.count_documents(query) > 0})\n",
            fixed="import json\nfrom django.http import JsonResponse\ndef lookup(request):\n"
            "    payload = json.loads(request.body)\n    query = {'active': True}\n"
            "    query['username'] = str(payload.get('username'))\n"
            "    return JsonResponse({'found': users.count_documents(query) > 0})\n",
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom motor.motor_asyncio import AsyncIOMotorClient\napp = FastAPI()\n"
            "db = AsyncIOMotorClient(MONGO_URL).shop\n@app.post('/search')\n"
            "async def search(filters: dict):\n    return await db.items.find(filters).to_list(100)\n",
        ),
        # Query-string values are strings, but their names are the client's: ``?$where=...``.
        Invalid(
            "from flask import Flask, request\nfrom pymongo import MongoClient\napp = Flask(__name__)\n"
            "db = MongoClient().shop\n@app.get('/products')\ndef products():\n"
            "    return list(db.products.find(request.args.to_dict(), {'_id': 0}))\n",
        ),
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/q')\ndef q():\n"
            "    return list(db.items.find({'$where': 'this.owner == \"' + request.json['owner'] + '\"'}))\n",
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        ctx = self.ctx
        sinks = [n for n in own_nodes(node) if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute)
                 and n.func.attr.value in _MONGO_FILTER_AT and n.args]
        if not sinks:
            return
        evidence = bool(_MONGO_EVIDENCE.search(ctx.source.text))
        flow, label, endpoint = handler_flow(ctx, node)
        self._values = _assigned_values(node)
        for call in sinks:
            method = call.func.attr.value  # type: ignore[attr-defined]
            if method.startswith("aggregate"):
                pipeline = ctx.argument(call, "pipeline", 0)
                found = self._pipeline(node, flow, pipeline) if pipeline is not None else []
            else:
                target = ctx.argument(call, "filter", _MONGO_FILTER_AT[method])
                if target is None or (method not in _MONGO_ONLY and not evidence and not isinstance(target, cst.Dict)):
                    continue
                found = []
                self._filter(node, flow, target, found, 0)
            found = [f for f in found if endpoint or not (flow.client_source(f.node) or "").startswith("path parameter")]
            if found:
                self._report(flow, label, call, found)

    # --- what the filter holds ----------------------------------------------------
    def _structured(self, flow, expr: cst.BaseExpression) -> bool:  # type: ignore[no-untyped-def]
        """Client data that may be a JSON object, and did not go through a schema that types it."""
        return flow.may_be_structured(expr) and not self._validated(expr, 0)

    def _whole(self, flow, expr: cst.BaseExpression) -> bool:  # type: ignore[no-untyped-def]
        """A mapping the client wrote used as (part of) a filter: a JSON object, or the query string's
        parameters (``request.args.to_dict()``), whose *names* the client picks too (``$where``)."""
        expr = _strip_await(expr)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
                expr.func.attr.value in ("dict", "model_dump") and not expr.args:
            return False  # a pydantic model's fields: names and types fixed by the model
        if self._structured(flow, expr):
            return True
        if not flow.is_client(expr):
            return False
        if isinstance(expr, cst.Call) and self.ctx.qualname(expr.func) == "builtins.dict":
            return True
        return bool(_STRING_MAPPING.search(self.ctx.code(expr)))

    def _validated(self, expr: cst.BaseExpression, depth: int) -> bool:
        """Derived from ``schema.load(...)``, ``Model.model_validate(...)``, ``serializer.validated_data``,
        ``form.cleaned_data``: fields have the types the schema declares."""
        if depth > 4:
            return False
        for node in [expr, *walk(expr)]:
            if isinstance(node, cst.Attribute) and node.attr.value in ("validated_data", "cleaned_data"):
                return True
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                    node.func.attr.value in _SCHEMA_LOADERS:
                receiver = self.ctx.qualname(node.func.value) or self.ctx.dotted_name(node.func.value) or ""
                if receiver.split(".")[0] not in _RAW_PARSERS:
                    return True
            if isinstance(node, cst.Name) and depth < 4:
                for value in self._values.get(node.value, ()):
                    if value is not expr and self._validated(value, depth + 1):
                        return True
        return False

    def _pipeline(self, function: cst.FunctionDef, flow, pipeline: cst.BaseExpression) -> list[_Injected]:  # type: ignore[no-untyped-def]
        found: list[_Injected] = []
        pipeline = _strip_await(pipeline)
        literals = self._bound_to_literals(function, pipeline)
        if literals:
            for literal in literals:
                found += self._pipeline(function, flow, literal)
            return found
        if isinstance(pipeline, (cst.List, cst.Tuple)):
            for element in pipeline.elements:
                stage = element.value
                if isinstance(stage, cst.Dict):
                    for item in stage.elements:
                        if isinstance(item, cst.DictElement) and self.ctx.string(item.key) == "$match":
                            self._filter(function, flow, item.value, found, 0)
                elif not isinstance(element, cst.StarredElement) and self._structured(flow, stage):
                    found.append(_Injected(stage, "whole"))
        elif self._structured(flow, pipeline):
            found.append(_Injected(pipeline, "whole"))
        return found

    def _filter(self, function: cst.FunctionDef, flow, expr: cst.BaseExpression,  # type: ignore[no-untyped-def]
                found: list[_Injected], depth: int) -> None:
        if depth > 4:
            return
        ctx = self.ctx
        expr = _strip_await(expr)
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if isinstance(element, cst.StarredDictElement):
                    if self._whole(flow, element.value):
                        found.append(_Injected(element.value, "spread"))
                    continue
                key = ctx.string(element.key)
                value = element.value
                if key is None:
                    if not isinstance(element.key, (cst.FormattedString, cst.BinaryOperation)) and \
                            flow.is_client(element.key):
                        found.append(_Injected(element.key, "key"))
                    continue
                if key in ("$and", "$or", "$nor"):
                    if isinstance(value, (cst.List, cst.Tuple)):
                        for item in value.elements:
                            self._filter(function, flow, item.value, found, depth + 1)
                    elif self._structured(flow, value):
                        found.append(_Injected(value, "whole", key))
                elif key in _JS_OPERATORS:
                    if flow.is_client(value):
                        found.append(_Injected(value, "js", key))
                elif not key.startswith("$") and not isinstance(value, (cst.Dict, cst.List, cst.Tuple, cst.ListComp)) \
                        and self._structured(flow, value):
                    found.append(_Injected(value, "field", key, expr))
            return
        if isinstance(expr, cst.Name):
            literals = self._bound_to_literals(function, expr)
            if literals:
                for literal in literals:
                    self._filter(function, flow, literal, found, depth + 1)
                self._mutations(function, flow, expr.value, found)
                return
        if self._whole(flow, expr):
            found.append(_Injected(expr, "whole"))

    def _bound_to_literals(self, function: cst.FunctionDef, name: cst.BaseExpression) -> list[cst.BaseExpression]:
        """The dict/list literals a local filter is built from (``query = {...}``), when it is only ever those."""
        if not isinstance(name, cst.Name):
            return []
        values = []
        for node in own_nodes(function):
            if isinstance(node, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == name.value
                                                    for t in node.targets):
                values.append(_strip_await(node.value))
            elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and \
                    node.target.value == name.value and node.value is not None:
                values.append(_strip_await(node.value))
        if values and all(isinstance(v, (cst.Dict, cst.List, cst.Tuple)) for v in values):
            return values
        return []

    def _mutations(self, function: cst.FunctionDef, flow, name: str, found: list[_Injected]) -> None:  # type: ignore[no-untyped-def]
        """``query["field"] = value`` and ``query.update(...)`` on a filter built as a literal."""
        ctx = self.ctx
        for node in own_nodes(function):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    sub = target.target
                    if isinstance(sub, cst.Subscript) and isinstance(sub.value, cst.Name) and sub.value.value == name:
                        key = _subscript_key(ctx, sub)
                        if key is None or key.startswith("$"):
                            if flow.is_client(node.value) and (key is None or key in _JS_OPERATORS):
                                found.append(_Injected(node.value, "js" if key else "key", key))
                        elif self._structured(flow, node.value) and \
                                not isinstance(node.value, (cst.Dict, cst.List, cst.Tuple, cst.ListComp)):
                            found.append(_Injected(node.value, "field", key))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                    isinstance(node.func.value, cst.Name) and node.func.value.value == name and \
                    node.func.attr.value == "update":
                for arg in node.args:
                    if isinstance(arg.value, cst.Dict):
                        self._filter(function, flow, arg.value, found, 1)
                    elif arg.keyword is not None and self._structured(flow, arg.value):
                        found.append(_Injected(arg.value, "field", arg.keyword.value))
                    elif self._whole(flow, arg.value):
                        found.append(_Injected(arg.value, "spread"))

    # --- reporting --------------------------------------------------------------------
    def _report(self, flow, label: str, call: cst.Call, found: list[_Injected]) -> None:  # type: ignore[no-untyped-def]
        ctx = self.ctx
        method = f"{call.func.attr.value}()"  # type: ignore[attr-defined]
        first = found[0]
        source = flow.client_source_markdown(first.node) or markup.code(ctx.code(first.node))
        if first.kind == "whole":
            what = f"uses {source} as the whole filter of {markup.code(method)}" if first.field is None else \
                f"uses {source} as the {markup.code(first.field)} list of {markup.code(method)}"
            message = (f"{markup.code(label)} {what}: the client picks the fields and operators (`{{\"$ne\": null}}`, "
                       "`$where`) and can match any document; build the filter from named fields cast with `str()`")
        elif first.kind == "spread":
            message = (f"{markup.code(label)} spreads {source} into the filter of {markup.code(method)}: the client can add operators "
                       "(`{\"$ne\": null}`, `$where`) and override the fields the code sets; copy only named fields, "
                       "cast with `str()`")
        elif first.kind == "js":
            message = (f"{markup.code(label)} puts {source} into a {markup.code(first.field)} JavaScript expression of {markup.code(method)}: the "
                       "client's text runs as server-side JavaScript; use ordinary query operators")
        elif first.kind == "key":
            message = (f"{markup.code(label)} lets {source} name a field of the filter of {markup.code(method)}: the client can pick "
                       "`$where` or any field; map allowed names to fields")
        else:
            fields = [markup.code(f.field) for f in found if f.kind == "field"]
            where = f"the {fields[0]} field" if len(fields) == 1 else \
                f"the {', '.join(fields[:-1])} and {fields[-1]} fields"
            message = (f"{markup.code(label)} puts {source} into {where} of the {markup.code(method)} filter: a JSON object such as "
                       "`{\"$ne\": null}` there is read as an operator and matches any document (login bypass, "
                       f"other users' data); cast {'the value' if len(fields) == 1 else 'each value'} with `str()`")
        self.report(first.node, message, fix=self._fix(found))

    def _fix(self, found: list[_Injected]) -> Fix | None:
        ctx = self.ctx
        if any(f.kind != "field" or f.field in ("_id", "id") for f in found):
            return None
        if len(found) == 1:
            return ctx.replace(found[0].node, _wrapped_in_str(found[0].node), "cast to str")
        holder = found[0].holder
        if not isinstance(holder, cst.Dict) or any(f.holder is not holder for f in found):
            return None
        targets = {id(f.node) for f in found}
        elements = [e.with_changes(value=_wrapped_in_str(e.value)) if isinstance(e, cst.DictElement)
                    and id(e.value) in targets else e for e in holder.elements]
        return ctx.replace(holder, holder.with_changes(elements=elements), "cast to str")


def _subscript_key(ctx: FileContext, node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.string(node.slice[0].slice.value)
    return None



# --- AR603 ------------------------------------------------------------------------------

# Exceptions whose text is written for nobody in particular: it carries SQL, paths, hosts, library internals.
_LEAKY_BUILTINS = frozenset({
    "Exception", "BaseException", "RuntimeError", "OSError", "IOError", "EnvironmentError", "AttributeError",
    "NameError", "UnboundLocalError", "ZeroDivisionError", "ArithmeticError", "OverflowError",
    "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError",
    "TimeoutError", "FileNotFoundError", "FileExistsError", "IsADirectoryError", "NotADirectoryError",
    "MemoryError", "RecursionError", "ImportError", "ModuleNotFoundError", "SystemError", "EOFError",
    "BufferError", "ReferenceError",
})
# Not listed, as applications raise them with messages for the user: ValueError, TypeError, KeyError, LookupError,
# PermissionError, NotImplementedError, AssertionError, UnicodeError (input that does not parse).
# Libraries whose errors describe infrastructure (databases, HTTP calls, files, queues, clouds).
_INFRA_MODULES = (
    "sqlalchemy.", "flask_sqlalchemy.", "sqlmodel.", "django.db.", "psycopg2.", "psycopg.", "pymysql.", "MySQLdb.",
    "mysql.", "sqlite3.", "asyncpg.", "aiomysql.", "aiosqlite.", "aiopg.", "pymongo.", "motor.", "mongoengine.",
    "redis.", "aioredis.", "requests.", "httpx.", "urllib3.", "urllib.error.", "aiohttp.client_exceptions.",
    "aiohttp.ClientError", "aiohttp.ClientResponseError", "aiohttp.ClientConnectionError", "botocore.", "boto3.",
    "smtplib.", "socket.", "ssl.", "subprocess.", "zipfile.", "tarfile.", "shutil.", "celery.", "kombu.",
    "elasticsearch.", "pika.", "grpc.", "paramiko.", "ldap.", "ldap3.", "peewee.", "tortoise.", "databases.",
    "cassandra.", "kafka.", "confluent_kafka.", "google.api_core.", "azure.core.", "jinja2.exceptions.",
)
_INFRA_NAMES = frozenset({
    "DatabaseError", "OperationalError", "IntegrityError", "ProgrammingError", "DataError", "InterfaceError",
    "InternalError", "SQLAlchemyError", "DBAPIError", "StatementError", "PyMongoError", "OperationFailure",
    "RequestException", "RequestError", "HTTPError", "ConnectError", "TransportError", "ClientError", "BotoCoreError",
    "RedisError", "SMTPException", "CalledProcessError", "BadZipFile", "TemplateError",
})
_LEAKY_ATTRS = frozenset({"args", "orig", "original_exception", "__cause__", "__context__", "message", "strerror",
                          "stderr", "output", "filename", "statement", "params"})
_TRACEBACK_CALLS = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                              "traceback.format_exception_only", "traceback.format_stack", "traceback.extract_tb",
                              "sys.exc_info"})
_RESPONSES = frozenset({
    *(f"flask.{n}" for n in ("jsonify", "json.jsonify", "make_response", "Response", "wrappers.Response", "abort",
                             "render_template", "render_template_string", "flash", "helpers.make_response",
                             "helpers.flash", "templating.render_template")),
    *(f"quart.{n}" for n in ("jsonify", "make_response", "Response", "abort", "render_template", "flash")),
    "werkzeug.wrappers.Response", "werkzeug.Response", "werkzeug.exceptions.abort",
    *(f"{m}.{n}" for m in ("starlette.responses", "fastapi.responses") for n in (
        "Response", "JSONResponse", "PlainTextResponse", "HTMLResponse", "ORJSONResponse", "UJSONResponse")),
    "fastapi.Response", "fastapi.HTTPException", "fastapi.exceptions.HTTPException",
    "starlette.exceptions.HTTPException", "starlette.websockets.WebSocket().send_text",
    *(f"django.http.{n}" for n in ("HttpResponse", "JsonResponse", "HttpResponseBadRequest", "HttpResponseServerError",
                                   "HttpResponseNotFound", "HttpResponseForbidden", "HttpResponseNotAllowed",
                                   "HttpResponseGone")),
    "django.shortcuts.render", "django.template.response.TemplateResponse",
    *(f"django.contrib.messages.{n}" for n in ("error", "warning", "info", "success", "debug", "add_message")),
    "rest_framework.response.Response",
    "aiohttp.web.Response", "aiohttp.web.json_response",
    "sanic.response.json", "sanic.response.text", "sanic.response.html", "sanic.json", "sanic.text", "sanic.html",
})
_TEMPLATE_RENDERERS = frozenset({"flask.render_template", "flask.templating.render_template", "quart.render_template",
                                 "django.shortcuts.render", "django.template.response.TemplateResponse"})
_RESPONSE_PREFIXES = ("django.http.response.", "rest_framework.exceptions.", "aiohttp.web.HTTP",
                      "werkzeug.exceptions.", "litestar.exceptions.")
# Callees recognisable by name even when their receiver is not resolvable (``templates.TemplateResponse``).
_RESPONSE_TAILS = frozenset({"jsonify", "JSONResponse", "JsonResponse", "PlainTextResponse", "HTMLResponse",
                             "TemplateResponse", "HttpResponseServerError", "HttpResponseBadRequest", "HTTPException"})
_LOGGING = re.compile(r"(?:^|\.)(?:log|logger|logging|LOGGER|LOG|_log|_logger|log_)\w*\.(?:exception|error|warning|"
                      r"warn|critical|info|debug|log)$|(?:^|\.)capture_exception$|^logging\.\w+$")
_HANDLER_DECORATORS = frozenset({"errorhandler", "app_errorhandler", "exception_handler"})
_HANDLER_REGISTRARS = frozenset({"register_error_handler", "add_exception_handler"})
_GENERIC_MESSAGE = "An internal error occurred."


_DEV_VALUES = frozenset({"development", "dev", "local", "debug"})


def _debug_test(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """``settings.DEBUG``, ``app.debug``, ``current_app.config["DEBUG"]``, ``ENV == "development"``."""
    if isinstance(test, cst.BooleanOperation):
        return _debug_test(ctx, test.left) or _debug_test(ctx, test.right)
    if isinstance(test, (cst.Name, cst.Attribute, cst.Subscript)):
        return "debug" in split_words(target_name(test) or "")
    if isinstance(test, cst.Call):
        return "debug" in split_words(test.func.attr.value if isinstance(test.func, cst.Attribute) else
                                      test.func.value if isinstance(test.func, cst.Name) else "")
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and \
            isinstance(test.comparisons[0].operator, (cst.Equal, cst.In)):
        value = ctx.literal(test.comparisons[0].comparator)
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        return bool(values) and all(isinstance(v, str) and v.lower() in _DEV_VALUES for v in values)
    return False


@dataclass
class _Region:
    """Code where an exception is at hand: an ``except`` block or an error handler's body."""

    body: cst.CSTNode
    names: set[str]  # the exception's variables
    leaky: bool  # its text may describe internals
    caught: str  # for messages: "the caught `Exception`"
    wrapped: bool = False  # werkzeug's InternalServerError: generic text; its ``original_exception`` is not


class ErrorDetailsLeaked(Rule):
    """What it does: flags handlers that send exception text or tracebacks to the client: ``str(exc)``,
    ``repr(exc)``, ``f"{exc}"``, ``exc.args`` or ``traceback.format_exc()`` in a response
    (``jsonify``, ``JSONResponse``, ``JsonResponse``, DRF ``Response``, ``HTTPException(detail=...)``,
    ``abort``, ``flash``, a rendered template, or the handler's return value), for exceptions that
    describe internals: ``Exception``/bare ``except``, built-in system errors, and errors of database,
    HTTP-client, file and queue libraries (SQLAlchemy, Django's ``django.db``, pymongo, requests,
    httpx...), in ``except`` blocks and in error handlers (``errorhandler``, ``exception_handler``).
    The messages of exceptions the application raises for its users (validation errors, its own
    exception classes, ``HTTPException``) are not reported.

    Why is this bad: exception text carries SQL statements and parameters, table and column names,
    file paths, internal hosts and URLs, library versions and sometimes secrets; tracebacks add the
    source. It maps the system for an attacker and can disclose other users' data.

    Example:
        except SQLAlchemyError as exc:
            return jsonify(error="database_error", detail=str(exc)), 500

    Use instead:
        except SQLAlchemyError:
            current_app.logger.exception("database error")
            return jsonify(error="database_error"), 500
    """

    id = "AR603"
    name = "error-details-leaked"
    title = "Exception details returned to the client"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 209
    prefilter = (
        re.compile(r"except\b|format_exc|exc_info|format_exception|errorhandler|exception_handler"),
        # ...and something that answers a client: a response, an HTTP error, a template, a route.
        re.compile(r"Response|jsonify|HTTPException|abort\(|render|flash\(|messages\.|errorhandler|exception_handler|"
                   r"json_response|HTTPFound|@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|"
                   r"sanic|litestar|\bweb\.HTTP"),
    )
    in_tests = False

    VALID = [
        # Logged, generic answer.
        "import logging\nfrom flask import Flask, jsonify\napp = Flask(__name__)\nlog = logging.getLogger(__name__)\n"
        "@app.post('/import')\ndef do_import():\n    try:\n        run()\n    except Exception:\n"
        "        log.exception('import failed')\n        return jsonify(error='Import failed'), 500\n",
        # The messages of a validation error are written for the client.
        "from flask import Flask\nfrom marshmallow import ValidationError\napp = Flask(__name__)\n"
        "@app.post('/notes')\ndef create():\n    try:\n        data = schema.load(request.json)\n"
        "    except ValidationError as e:\n        return e.messages, 400\n",
        "from django.http import JsonResponse\nfrom .coupons import CouponError\ndef apply(request):\n"
        "    try:\n        apply_coupon(request)\n    except CouponError as exc:\n"
        "        return JsonResponse({'error': str(exc)}, status=400)\n",
        "from fastapi import FastAPI, HTTPException\napp = FastAPI()\n@app.post('/x')\ndef x(v: str):\n"
        "    try:\n        return parse(v)\n    except ValueError as exc:\n"
        "        raise HTTPException(status_code=400, detail=str(exc))\n",
        # Logged, not returned.
        "import logging\ndef job():\n    try:\n        run()\n    except Exception as e:\n"
        "        logging.error('failed: %s', e)\n        return str(e)\n",
        # An HTTPException handler returns the message the code passed to abort().
        "from flask import jsonify\nfrom werkzeug.exceptions import HTTPException\n"
        "def register(app):\n    @app.errorhandler(HTTPException)\n    def handle(exc):\n"
        "        return jsonify(error=exc.name, message=exc.description), exc.code\n",
        # werkzeug's 500 wrapper prints a generic text.
        "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.errorhandler(500)\ndef internal(error):\n"
        "    return jsonify(error=str(error)), 500\n",
        # Raised by the application for the user.
        "from flask import Flask\napp = Flask(__name__)\n@app.delete('/notes/<int:i>')\ndef delete(i):\n    try:\n"
        "        remove(i)\n    except PermissionError as e:\n        return {'error': str(e)}, 403\n",
        # The exception's class name only.
        "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.get('/x')\ndef x():\n    try:\n        run()\n"
        "    except Exception as e:\n        return jsonify(error=type(e).__name__), 500\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.post('/import')\ndef do_import():\n"
            "    try:\n        run()\n    except Exception as e:\n        return jsonify(error=str(e)), 500\n",
        ),
        # Logged already: the fix drops the text from the response.
        Invalid(
            "from flask import current_app, jsonify\nfrom sqlalchemy.exc import SQLAlchemyError\n"
            "def register(app):\n    @app.errorhandler(SQLAlchemyError)\n    def handle_db(exc):\n"
            "        current_app.logger.exception('database error')\n"
            "        return jsonify(error='database_error', detail=str(exc)), 500\n",
            fixed="from flask import current_app, jsonify\nfrom sqlalchemy.exc import SQLAlchemyError\n"
            "def register(app):\n    @app.errorhandler(SQLAlchemyError)\n    def handle_db(exc):\n"
            "        current_app.logger.exception('database error')\n"
            f"        return jsonify(error='database_error', detail=\"{_GENERIC_MESSAGE}\"), 500\n",
        ),
        Invalid(
            "from fastapi import FastAPI, HTTPException\napp = FastAPI()\n@app.post('/items/import')\n"
            "async def import_items():\n    try:\n        await load()\n    except Exception as exc:\n"
            "        raise HTTPException(status_code=400, detail=str(exc))\n",
        ),
        Invalid(
            "from django.http import JsonResponse\ndef apply(request):\n    try:\n        apply_coupon(request)\n"
            "    except Exception as exc:\n"
            "        return JsonResponse({'error': f'Could not apply coupon: {exc}'}, status=500)\n",
        ),
        Invalid(
            "import traceback\nfrom django.http import HttpResponseServerError\ndef server_error(request):\n"
            "    return HttpResponseServerError(f'<pre>{traceback.format_exc()}</pre>')\n",
        ),
        Invalid(
            "import requests\nfrom rest_framework.decorators import api_view\nfrom rest_framework.response import Response\n"
            "@api_view(['POST'])\ndef sync(request):\n    try:\n        push()\n"
            "    except requests.RequestException as exc:\n        message = repr(exc)\n"
            "        return Response({'detail': message}, status=502)\n",
        ),
        Invalid(
            "import httpx\nfrom starlette.responses import JSONResponse\nasync def callback(request):\n    try:\n"
            "        await exchange()\n    except httpx.HTTPError as exc:\n"
            "        return JSONResponse({'error': exc.args}, status_code=502)\n",
        ),
        Invalid(
            "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.errorhandler(500)\ndef internal(error):\n"
            "    return jsonify(error=str(error.original_exception)), 500\n",
        ),
        Invalid(
            "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.get('/sync')\ndef sync():\n"
            "    result = {'ok': False}\n    try:\n        push()\n    except Exception as e:\n"
            "        result['error'] = str(e)\n        return jsonify(result), 500\n",
        ),
        Invalid(
            "from django.db import DatabaseError\nfrom django.shortcuts import render\ndef report(request):\n"
            "    try:\n        rows = build_report()\n    except DatabaseError as error:\n"
            "        return render(request, 'report_error.html', {'error': error}, status=500)\n",
        ),
        Invalid(
            "from flask import Flask, flash, redirect\napp = Flask(__name__)\n@app.post('/upload')\ndef upload():\n"
            "    try:\n        store()\n    except OSError as e:\n        flash('Upload failed: %s' % e)\n"
            "    return redirect('/')\n",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._marked: dict[int, bool] = {}  # functions holding an ``except ... as``: id -> also a traceback call
        self._handlers: dict[int, tuple[str, bool]] = {}

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        function = self.ctx.enclosing_function()
        if node.name is not None and function is not None:
            self._marked.setdefault(id(function), False)

    def visit_Call(self, node: cst.Call) -> None:
        tail = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
        if tail in ("format_exc", "format_exception", "format_tb", "format_exception_only", "format_stack",
                    "extract_tb", "exc_info") and self.ctx.qualname(node.func) in _TRACEBACK_CALLS:
            function = self.ctx.enclosing_function()
            if function is not None:
                self._marked[id(function)] = True

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        # Decided on leaving: the walk has then seen the function's except blocks and traceback calls.
        handled = self._handled_type(node) if node.decorators or self._may_register() else None
        if id(node) not in self._marked and handled is None:
            return
        regions = self._regions(node, handled)
        reported: set[int] = set()
        for region in regions:
            if region.leaky:
                self._scan(node, region, reported)
        if self._marked.get(id(node)):
            self._scan(node, _Region(node.body, set(), True, "the exception"), reported)

    # --- where exceptions are at hand ----------------------------------------------------
    def _regions(self, function: cst.FunctionDef,
                 handled: tuple[str, cst.BaseExpression | None] | None) -> list[_Region]:
        regions = []
        if id(function) in self._marked:
            for node in own_nodes(function):
                if isinstance(node, cst.ExceptHandler) and node.name is not None and \
                        isinstance(node.name.name, cst.Name):
                    leaky, caught = self._classify(node.type)
                    regions.append(_Region(node.body, {node.name.name.value}, leaky, caught))
        if handled is not None:
            param, type_expr = handled
            wrapped = (isinstance(type_expr, cst.Integer) and type_expr.value == "500") or \
                (type_expr is not None and (self.ctx.qualname(type_expr) or "").endswith("InternalServerError"))
            leaky, caught = self._classify(type_expr) if type_expr is not None else (True, "the exception")
            if wrapped:
                leaky, caught = True, "the original exception"
            regions.append(_Region(function.body, {param}, leaky, caught, wrapped))
        return regions

    def _classify(self, type_expr: cst.BaseExpression | None) -> tuple[bool, str]:
        """(whether the exception's text may describe internals, how to name it in a message)."""
        ctx = self.ctx
        if type_expr is None:
            return True, "the exception (bare `except`)"
        if isinstance(type_expr, cst.Tuple):
            for element in type_expr.elements:
                leaky, caught = self._classify(element.value)
                if leaky:
                    return True, caught
            return False, ""
        if isinstance(type_expr, cst.Integer):
            return False, ""  # errorhandler(500): werkzeug's own generic InternalServerError text
        qual = ctx.qualname(type_expr) or ctx.dotted_name(type_expr) or ""
        tail = qual.rsplit(".", 1)[-1]
        caught = f"the caught {markup.code(ctx.code(type_expr))}"
        if qual.startswith("builtins."):
            return tail in _LEAKY_BUILTINS, caught
        if qual.startswith(_INFRA_MODULES):
            return "Validation" not in tail and "NotFound" not in tail, caught
        if tail in ctx.index.classes:
            return False, caught  # the application's own exception
        if "." not in qual:
            return tail in _LEAKY_BUILTINS or tail in _INFRA_NAMES, caught
        return tail in _INFRA_NAMES, caught

    def _handled_type(self, function: cst.FunctionDef) -> tuple[str, cst.BaseExpression | None] | None:
        """(exception parameter, handled type) when ``function`` is an error handler (decorated or registered)."""
        ctx = self.ctx
        params = [p for p in (*function.params.posonly_params, *function.params.params)
                  if p.name.value not in ("self", "cls")]
        if not params:
            return None
        found: tuple[bool, cst.BaseExpression | None] | None = None
        for decorator in function.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
                    expr.func.attr.value in _HANDLER_DECORATORS:
                found = (True, ctx.argument(expr, "code_or_exception", 0) or ctx.argument(expr, "exc_class_or_status_code", 0))
        if found is None:
            registered = self._registered_handlers().get(function.name.value) if self._may_register() else None
            if registered is None:
                return None
            found = (True, registered)
        param = params[1] if len(params) >= 2 else params[0]
        type_expr = found[1]
        if type_expr is None and param.annotation is not None:
            type_expr = param.annotation.annotation
        return param.name.value, type_expr

    def _may_register(self) -> bool:
        found = self.ctx.cache.get("injection.may_register")
        if found is None:
            text = self.ctx.source.text
            found = self.ctx.cache["injection.may_register"] = "register_error_handler" in text or \
                "exception_handler" in text
        return bool(found)

    def _registered_handlers(self) -> dict[str, cst.BaseExpression]:
        """Functions registered as error handlers in this file: ``app.register_error_handler(T, fn)``,
        ``app.add_exception_handler(T, fn)``, ``Starlette(exception_handlers={T: fn})``."""
        cached = self.ctx.cache.get("injection.error_handlers")
        if cached is None:
            cached = {}
            for node in walk(self.ctx.module):
                if not isinstance(node, cst.Call):
                    continue
                tail = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
                if tail in _HANDLER_REGISTRARS and len(node.args) >= 2 and isinstance(node.args[1].value, cst.Name):
                    cached[node.args[1].value.value] = node.args[0].value
                handlers = self.ctx.argument(node, "exception_handlers")
                if isinstance(handlers, cst.Dict):
                    for element in handlers.elements:
                        if isinstance(element, cst.DictElement) and isinstance(element.value, cst.Name):
                            cached[element.value.value] = element.key
            self.ctx.cache["injection.error_handlers"] = cached
        return cached

    def _handler(self, function: cst.FunctionDef) -> tuple[str, bool]:
        """(label for messages, whether what it returns is the HTTP response)."""
        from ..endpoints import endpoint_for

        if id(function) in self._handlers:
            return self._handlers[id(function)]
        self._handlers[id(function)] = self._describe(function, endpoint_for(self.ctx, function))
        return self._handlers[id(function)]

    def _describe(self, function: cst.FunctionDef, endpoint) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
        if endpoint is not None:
            return markup.code(endpoint.label), True
        if self._handled_type(function) is not None:
            return f"the error handler {markup.code(f'{function.name.value}()')}", True
        return markup.code(f'{function.name.value}()'), False

    # --- what reaches the client ---------------------------------------------------------
    def _scan(self, function: cst.FunctionDef, region: _Region, reported: set[int]) -> None:
        ctx = self.ctx
        names = set(region.names) if region.leaky else set()
        tainted: set[str] = set()
        logs = False
        debug_only = {id(n) for branch in own_nodes(region.body) if isinstance(branch, cst.If)
                      and _debug_test(ctx, branch.test) for n in walk(branch.body)}
        for node in own_nodes(region.body):
            if id(node) in debug_only:
                continue  # shown in development only (``if settings.DEBUG:``); debug mode itself is AR305's
            if isinstance(node, cst.Call) and _LOGGING.search(ctx.dotted_name(node.func) or ctx.qualname(node.func) or ""):
                logs = True
            if isinstance(node, cst.Assign) and len(node.targets) == 1:
                target = node.targets[0].target
                while isinstance(target, (cst.Subscript, cst.Attribute)):
                    target = target.value  # ``body["detail"] = str(exc)`` taints ``body``
                if isinstance(target, cst.Name) and self._leaks(node.value, names, tainted, region.wrapped) is not None:
                    tainted.add(target.value)
                continue
            sink: cst.BaseExpression | None = None
            if isinstance(node, cst.Call) and self._is_response(node):
                sink = node
            elif isinstance(node, cst.Return) and node.value is not None:
                sink = node.value
            if sink is None:
                continue
            found = self._leaks(sink, names, tainted, region.wrapped)
            if found is None and isinstance(sink, cst.Call) and self._is_template(sink):
                found = self._exception_in_context(sink, names)
            if found is None or id(found[0]) in reported:
                continue
            label, responds = self._handler(function)
            if sink is not node and not responds and not self._status_tuple(sink):
                continue  # a helper's return value: where it goes is its caller's business
            reported.add(id(found[0]))
            self._report(found[0], found[1], region, label, logs)

    def _leaks(self, expr: cst.BaseExpression, names: set[str], tainted: set[str],
               wrapped: bool = False) -> tuple[cst.CSTNode, cst.CSTNode | None] | None:
        """The first sub-expression of ``expr`` that turns the exception (or a traceback) into text, and its parent."""
        ctx = self.ctx

        def is_exception(node: cst.BaseExpression, inner: bool = False) -> bool:
            while isinstance(node, cst.Subscript):
                node = node.value
            if isinstance(node, cst.Name):
                return node.value in names and (inner or not wrapped)
            return isinstance(node, cst.Attribute) and node.attr.value in _LEAKY_ATTRS and \
                is_exception(node.value, inner or node.attr.value == "original_exception")

        stack: list[tuple[cst.CSTNode, cst.CSTNode | None]] = [(expr, None)]
        while stack:
            node, parent = stack.pop()
            if isinstance(node, cst.Lambda):
                continue
            if isinstance(node, cst.IfExp) and _debug_test(ctx, node.test):
                stack.append((node.orelse, node))  # ``format_exc() if settings.DEBUG else "error"``
                continue
            stack.extend((child, node) for child in reversed(children(node)))
            if isinstance(node, cst.Name) and node.value in tainted:
                return node, parent
            if isinstance(node, cst.Call):
                qual = ctx.qualname(node.func) or ""
                if qual in _TRACEBACK_CALLS:
                    return node, parent
                if qual in ("builtins.str", "builtins.repr", "builtins.format", "builtins.ascii") and node.args and \
                        is_exception(node.args[0].value):
                    return node, parent
                if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format" and \
                        any(is_exception(a.value) for a in node.args):
                    return node, parent
            elif isinstance(node, cst.FormattedStringExpression) and is_exception(node.expression):
                return node, parent
            elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
                right = node.right
                items = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
                if any(is_exception(i) for i in items) and isinstance(node.left, (cst.SimpleString, cst.ConcatenatedString)):
                    return node, parent
            elif isinstance(node, cst.Attribute) and node.attr.value in ("args", "orig", "original_exception") and \
                    is_exception(node):
                return node, parent
        return None

    def _is_template(self, call: cst.Call) -> bool:
        qual = self.ctx.qualname(call.func) or ""
        return qual in _TEMPLATE_RENDERERS or (isinstance(call.func, cst.Attribute)
                                               and call.func.attr.value == "TemplateResponse")

    @staticmethod
    def _exception_in_context(call: cst.Call, names: set[str]) -> tuple[cst.CSTNode, cst.CSTNode | None] | None:
        """``render_template("error.html", error=exc)``: the template prints the exception's text."""
        for arg in call.args:
            if isinstance(arg.value, cst.Name) and arg.value.value in names:
                return arg.value, arg
            if isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    if isinstance(element, cst.DictElement) and isinstance(element.value, cst.Name) and \
                            element.value.value in names:
                        return element.value, element
        return None

    def _is_response(self, call: cst.Call) -> bool:
        qual = self.ctx.qualname(call.func) or ""
        if qual in _RESPONSES or qual.startswith(_RESPONSE_PREFIXES):
            return True
        tail = call.func.attr.value if isinstance(call.func, cst.Attribute) else \
            call.func.value if isinstance(call.func, cst.Name) else ""
        return not qual.startswith(("logging.", "builtins.")) and (
            tail in _RESPONSE_TAILS or tail.startswith("HttpResponse"))

    def _status_tuple(self, value: cst.BaseExpression) -> bool:
        """``return {...}, 500``: a Flask response with an error status, wherever the function is registered."""
        if isinstance(value, cst.Tuple) and len(value.elements) >= 2:
            status = self.ctx.literal(value.elements[1].value)
            return isinstance(status, int) and 400 <= status <= 599
        return False

    def _report(self, leak: cst.CSTNode, parent: cst.CSTNode | None, region: _Region, label: str,
                logs: bool) -> None:
        ctx = self.ctx
        traceback_call = isinstance(leak, cst.Call) and ctx.qualname(leak.func) in _TRACEBACK_CALLS
        what = "the traceback" if traceback_call else region.caught.replace("the caught", "the text of the caught")
        fix = None
        whole = parent is None or isinstance(parent, (cst.Arg, cst.DictElement, cst.Element))
        if logs and whole and isinstance(leak, (cst.Call, cst.Attribute)):
            fix = ctx.replace(leak, f'"{_GENERIC_MESSAGE}"', "answer with a generic message")
        self.report(leak, f"{label} sends {what} to the client ({markup.code(ctx.code(leak))}): "
                    f"{self._why(region, traceback_call)}; log it server-side and answer with a generic message",
                    fix=fix)

    @staticmethod
    def _why(region: _Region, traceback_call: bool) -> str:
        if traceback_call:
            return "a traceback shows source paths, code and the values of the failing call"
        caught = region.caught
        if re.search(r"sql|database|db\b|integrity|operational|programming|mongo|redis|dataerror|statement", caught, re.I):
            return "database errors carry SQL statements, parameters, table and column names"
        if re.search(r"requests|httpx|http|urllib|aiohttp|connect|timeout|transport", caught, re.I):
            return "HTTP client errors carry internal URLs, hosts and the upstream's answers"
        return "exception text can carry SQL, file paths, hosts and library details an attacker can use"


__all__ = ["ErrorDetailsLeaked", "NoSqlOperatorInjection", "SqlBuiltFromStrings", "Valid"]
