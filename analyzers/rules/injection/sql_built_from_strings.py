"""AR601 sql-built-from-strings: SQL text built from non-constant values with f-strings,
``%``, ``.format()`` or ``+``, then executed.
"""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Fix, Severity
from ...frameworks import endpoint_for, endpoints, resolve_class
from ...rule import Invalid, Rule
from ...walk import children, walk
from ...words import split_words
from .._common import add_keyword

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

# How much is known of a value's origin. PARAM: a parameter of a helper whose callers are not followed (it may
# carry client data or the app's own); TAINTED: the client's data (a request, a route's parameters, argv).
SAFE, UNSURE, PARAM, TAINTED = 0, 1, 2, 3
# Statements whose slots are names (databases, roles, tables): a bound parameter cannot fill them.
_DDL = re.compile(r"^\s*(?:CREATE|DROP|ALTER|GRANT|REVOKE|TRUNCATE|COMMENT|VACUUM|ANALYZE|REINDEX)\b", re.IGNORECASE)
_REQUEST_PARAM = re.compile(r"^(?:req|request|http_request)$")
_MIGRATION_DIRS = frozenset({"migrations", "alembic"})


# Query methods that take SQL clauses (``text()`` fragments among them); in the last ones the clause names columns.
_CLAUSE_METHODS = frozenset({"filter", "where", "having", "order_by", "group_by", "join", "outerjoin", "distinct"})
_NAME_CLAUSES = frozenset({"order_by", "group_by", "distinct"})
# Functions that wrap clauses and keep them SQL: ``and_(text(a), text(b))``, ``desc(text(column))``.
_CLAUSE_WRAPPERS = frozenset({"and_", "or_", "not_", "desc", "asc", "nulls_first", "nulls_last", "nullsfirst",
                              "nullslast", "collate"})

_FRAGMENT_WORDS = frozenset({"sql", "where", "clause", "clauses", "condition", "conditions", "query", "filters",
                             "joins", "fragment", "predicate", "predicates", "subquery", "stmt", "statement"})


def _fragment(ctx: FileContext, part: _Field) -> bool:
    """``{where}``, ``{sql}``, ``self.where_clause``: a piece of SQL the code composed elsewhere, not a value."""
    name = ctx.code(part.node)
    return bool(_FRAGMENT_WORDS & set(split_words(name.rpartition(".")[2])))


def _text_before(build: _Build, part: _Field) -> str:
    """The statement's text up to ``part``, other fields as ``?``."""
    before = ""
    for p in build.parts:
        if p is part:
            break
        before = before + p if isinstance(p, str) else before + "?"
    return before


def _is_migration(ctx: FileContext) -> bool:
    """A schema migration: Django's ``migrations/`` package, an Alembic revision (``down_revision``) or Alembic's
    environment script (``from alembic import context``), which runs them."""
    parts = PurePosixPath(ctx.path).parts[:-1]
    if _MIGRATION_DIRS & set(parts):
        return True
    if "alembic" not in ctx.source.text:
        return False
    return "down_revision" in ctx.source.text or any(q in ("alembic.context", "alembic.op")
                                                      for q in ctx.index.imports.values())


def _is_script(module: cst.Module) -> bool:
    """The module ends in ``if __name__ == "__main__":``: a script its operator runs."""
    for statement in module.body:
        if isinstance(statement, cst.If) and isinstance(statement.test, cst.Comparison):
            test = statement.test
            if isinstance(test.left, cst.Name) and test.left.value == "__name__":
                return True
    return False


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
            for element, inner_value in zip(target.elements, values, strict=False):
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
    are followed to the call that runs them. ``text()`` clauses handed to the ORM count too
    (``Model.query.filter(text(f"id = {x}"))``, ``select(User).where(...)``), and so does a clause that
    is the client's value itself (``.order_by(text(request.args["sort"]))``).

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
                   r"\.extra\(|RawSQL\(|\btext\(",  # ...or a SQLAlchemy clause: ``.filter(text(...))``
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
        # ORM clauses through text(): bound, constant, or mapped through an allow-list.
        'from sqlalchemy import text\ndef by_name(session, name):\n'
        '    return session.query(User).filter(text("name = :name").bindparams(name=name)).all()',
        'from sqlalchemy import text\ndef newest(query):\n    return query.order_by(text("created_at DESC"))',
        'from flask import Flask, request\nfrom sqlalchemy import text\napp = Flask(__name__)\n'
        'SORTS = {"name": "name", "new": "created_at DESC"}\n@app.get("/users")\ndef users():\n'
        '    return str(User.query.order_by(text(SORTS.get(request.args.get("sort"), "name"))).all())',
        # A helper handed a whole condition: composing SQL is its job.
        'from sqlalchemy import text\ndef narrowed(query, condition):\n    return query.filter(text(condition))',
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
        # SQL fragments handed to the ORM through text(), with no SQL keyword in the file.
        Invalid(
            'from sqlalchemy import text\ndef by_name(name):\n'
            '    return User.query.filter(text("name = \'%s\'" % name)).all()',
            fixed='from sqlalchemy import text\ndef by_name(name):\n'
            '    return User.query.filter(text("name = :name").bindparams(name=name)).all()',
        ),
        Invalid(
            'from sqlalchemy import select, text\ndef by_id(session, x):\n'
            '    return session.scalars(select(User).where(text(f"id = {x}"))).all()',
            fixed='from sqlalchemy import select, text\ndef by_id(session, x):\n'
            '    return session.scalars(select(User).where(text("id = :x").bindparams(x=x))).all()',
        ),
        # The client's column name as the whole clause.
        Invalid(
            'from flask import Flask, request\nfrom sqlalchemy import text\napp = Flask(__name__)\n'
            '@app.get("/users")\ndef users():\n'
            '    return str(User.query.order_by(text(request.args.get("sort", "id"))).all())',
            confidence=Confidence.HIGH,
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
        self._migration = _is_migration(ctx)
        # A script run by its operator (``if __name__ == "__main__":``, no route in the file): its functions'
        # parameters come from its own command line and config, not from a client.
        self._script = _is_script(ctx.module) and not endpoints(ctx)

    # --- sinks ------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if self._migration:
            return  # run once by the operator, over the schema and rows the project wrote
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
        clause = self._orm_clause(call) if self.ctx.qualname(call.func) in SQLALCHEMY_TEXT else None
        if not builds:
            if clause is not None and not texts:
                self._check_whole(call, sql, clause, at)
            return
        if strict and not _SQL_LOOK.search(" ".join(texts + [b.text() for b in builds])):
            return
        for build in builds:
            if id(build.node) in self._reported:
                continue
            fields = [f for f in build.parts if isinstance(f, _Field)]
            grades = [self._field_grade(build, f) for f in fields]
            worst = max(grades, default=SAFE)
            if worst == SAFE:
                continue
            self._reported.add(id(build.node))
            unsafe = [f for f, g in zip(fields, grades, strict=True) if g != SAFE]
            names = ", ".join(markup.code(self.ctx.code(f.node)) for f in unsafe[:3]) + (" ..." if len(unsafe) > 3 else "")
            # Measured on maintained apps (bench/realworld.py): client data reaching SQL is right nearly every
            # time; a helper's parameter is right when a caller passes the client's data, which is not followed.
            confidence = {TAINTED: Confidence.HIGH, PARAM: Confidence.MEDIUM, UNSURE: Confidence.MEDIUM}[worst]

            def listed(f: _Field, build: _Build = build) -> bool:
                # ``.order_by(text(f"{column} desc"))``: the clause itself is a list of names
                return clause in _NAME_CLAUSES and not _value_position(build, f)

            if worst == PARAM and not _DDL.match(build.text()) and any(
                    g == PARAM and not self._identifier_position(build, f) and not listed(f)
                    for f, g in zip(fields, grades, strict=True)):
                confidence = Confidence.HIGH  # a helper's argument in a value slot of a query: the classic injection
            if worst == UNSURE and (self._script or all(self._identifier_position(build, f) or listed(f) or
                                                         _fragment(self.ctx, f) for f in unsafe)):
                # An identifier slot, a piece of SQL composed elsewhere (``{where}``, ``{sql}``), or a script
                # whose values are its operator's.
                confidence = Confidence.LOW
            if worst == PARAM and all(self._name_slot(build, f) or listed(f) for f in unsafe):
                # Names cannot be bound parameters: a helper that takes a table or column name is handed the
                # app's own schema far more often than client data (measured: 0 right of 6 at medium).
                confidence = Confidence.LOW
            fix = self._fix(call, sql, build, label)
            self.report(
                build.node,
                f"SQL run by {markup.code(label)} is built with {build.kind} from {names}: a quote in the value rewrites "
                f"the statement (SQL injection); pass the values as bound parameters",
                fix=fix,
                confidence=confidence,
            )

    def _orm_clause(self, text_call: cst.Call) -> str | None:
        """The query method a ``text()`` clause is handed to (``filter``, ``where``, ``order_by``...), through
        ``and_()``/``or_()``/``desc()`` and methods of the clause (``text(...).desc()``); None when it is a statement
        (``session.execute(text(...))``) or used otherwise."""
        stack = self.ctx.stack
        child: cst.CSTNode = text_call
        for parent in reversed(stack[:-1]):
            if isinstance(parent, cst.Arg):
                child = parent
                continue
            if isinstance(parent, cst.Attribute) and parent.value is child:
                child = parent  # text(...).desc
                continue
            if not isinstance(parent, cst.Call):
                return None
            if parent.func is child:  # text(...).desc(): the clause goes on
                child = parent
                continue
            func = parent.func
            method = func.attr.value if isinstance(func, cst.Attribute) else ""
            if isinstance(child, cst.Arg) and method in _CLAUSE_METHODS:
                return method
            if isinstance(child, cst.Arg) and (self.ctx.qualname(func) or "").rsplit(".", 1)[-1] in _CLAUSE_WRAPPERS:
                child = parent  # and_(text(...), ...), desc(text(...))
                continue
            return None
        return None

    def _check_whole(self, call: cst.Call, sql: cst.BaseExpression, clause: str, at: int) -> None:
        """``.order_by(text(sort))``, ``.filter(text(condition))``: a clause that is a value, not built here."""
        if id(call) in self._reported:
            return
        grade = self._grade(sql, at, 0, frozenset())
        names = clause in _NAME_CLAUSES
        if grade == TAINTED:
            confidence = Confidence.HIGH
        elif grade == PARAM and names:
            confidence = Confidence.LOW  # a helper handed a column name: the app's own far more often (as above)
        else:
            return  # a helper handed a whole condition composes SQL by design; unknown values are not reported
        self._reported.add(id(call))
        advice = ("map it through an allow-list of columns (`{\"name\": User.name}[sort]`)" if names else
                  "build the condition from column expressions, or bind the values (`text(\"name = :name\")"
                  ".bindparams(name=value)`)")
        whose = "the client's value" if grade == TAINTED else "a parameter of this helper"
        self.report(
            sql,
            f"{markup.code(self.ctx.code(call))} hands {whose} {markup.code(self.ctx.code(sql))} to `.{clause}()` as "
            f"SQL: whoever chooses it writes SQL into the query (SQL injection); {advice}",
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
                grade = max(grade, self._param_grade(name))
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

    def _param_grade(self, name: str) -> int:
        """A parameter: the client's data in a route handler (or when it is the request itself), the operator's
        in a script, unknown in a helper."""
        if self._script:
            return UNSURE
        if _REQUEST_PARAM.match(name):
            return TAINTED
        function = next((n for n in reversed(self.ctx.stack) if isinstance(n, cst.FunctionDef)), None)
        if function is not None and endpoint_for(self.ctx, function) is not None:
            return TAINTED
        return PARAM

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
            if isinstance(node, cst.For) and name in _target_names(node.target):
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
            for target in _target_names(clause.target):
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
            inner = self._grade(expr.value, at, depth + 1, seen)
            return inner if inner >= PARAM else SAFE
        qualname = self.ctx.qualname(expr) or ""
        if _TAINTED_QUALNAME.search(qualname):
            return TAINTED
        root = expr
        while isinstance(root, cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name) and root.value in ("self", "cls"):
            if expr.value is root:
                cls = self.ctx.enclosing(cst.ClassDef)
                if isinstance(cls, cst.ClassDef) and _class_constant(self.ctx, cls, attr, 0):
                    return SAFE  # ``cls.THRESHOLD``: a constant of the class (or a base), never assigned elsewhere
            return UNSURE
        return max(UNSURE, self._grade(expr.value, at, depth + 1, seen))

    def _identifier_position(self, build: _Build, part: _Field) -> bool:
        return bool(_IDENTIFIER_BEFORE.search(_text_before(build, part)))

    def _name_slot(self, build: _Build, part: _Field) -> bool:
        """An identifier slot, a field glued to a name (``ix_{table}``), or any unquoted field of a statement of
        names (``CREATE INDEX ... ON {table} ({column})``)."""
        before = _text_before(build, part)
        if _IDENTIFIER_BEFORE.search(before) or re.search(r"\w$", before):
            return True
        return bool(_DDL.match(build.text())) and before.count("'") % 2 == 0 and not re.search(r"(?i)default\s*$", before)

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


# --- class constants -------------------------------------------------------------------------


def _class_constant(ctx: FileContext, cls: cst.ClassDef, attr: str, depth: int) -> bool:
    """``attr`` is set once in the body of ``cls`` or a base class, to a literal (``_threshold: ClassVar[float] =
    0.5``), and no method of that class assigns ``self.attr``/``cls.attr``."""
    if depth > 3:
        return False
    value: cst.BaseExpression | None = None
    found = 0
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == attr
                                                         for t in small.targets):
                    value, found = small.value, found + 1
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and \
                        small.target.value == attr and small.value is not None:
                    value, found = small.value, found + 1
    if found > 1:
        return False
    for node in walk(cls):  # ``self.attr = ...`` in a method: instance state, not a constant
        targets = node.targets if isinstance(node, cst.Assign) else \
            [node] if isinstance(node, (cst.AnnAssign, cst.AugAssign)) else []
        for target in targets:
            where = target.target
            if isinstance(where, cst.Attribute) and where.attr.value == attr and \
                    isinstance(where.value, cst.Name) and where.value.value in ("self", "cls"):
                return False
    if value is not None:
        return isinstance(ctx.literal(value), (int, float, str, bool))
    for base in cls.bases:
        if base.keyword is None:
            resolved = resolve_class(ctx, base.value)
            if resolved is not None and resolved[1] is not cls and _class_constant(resolved[0], resolved[1], attr,
                                                                                     depth + 1):
                return True
    return False


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


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
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
    mapping = dict(zip((id(f) for f in fields), values, strict=False))
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
            key = base.slice[0].slice.value
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
        return cst.Dict([cst.DictElement(cst.SimpleString(f'"{n}"'), e) for n, e in zip(names, exprs, strict=False)])
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
            for n, e in zip(names, exprs, strict=False)]
    return cst.Call(func=cst.Attribute(value=text_call, attr=cst.Name("bindparams")), args=args)


__all__ = ["SqlBuiltFromStrings"]
