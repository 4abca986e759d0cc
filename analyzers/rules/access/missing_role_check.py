"""AR103 missing-role-check: privileged routes guarded by authentication alone."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Fix, Severity
from ...frameworks import (
    DjangoRoute,
    Endpoint,
    Guard,
    HandlerFlow,
    Route,
    endpoints,
    is_user_model,
    model_expressions,
    refuses,
)
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from ._shared import (
    _ADMIN_ROUTE,
    ROUTE_FILES,
    _generic_write,
    _mentions_principal,
    _source_statement,
    django_routes_here,
    tail_name,
    touches_data,
)

# --- routes --------------------------------------------------------------------------------


class MissingRoleCheck(Rule):
    """What it does: flags privileged routes (an admin blueprint, router, module or path) that are
    guarded by authentication alone, with no role or permission check on their path (decorator,
    dependency, hook, or a check in the body); also the one route of a blueprint or router with a URL
    prefix (or of a shared leading path) that checks only the login while most of its siblings, at
    least two, check a role. The caller's own pages (``/admin/profile``, ``/users/me``) are not reported.

    Why is this bad: every signed-in user, not only administrators, can delete users, purge
    data or read the audit log. Login proves who the caller is, not what they may do.

    Example:
        @admin_bp.delete("/projects/archived")
        @jwt_required()
        def purge_archived_projects():
            ...

    Use instead:
        @admin_bp.delete("/projects/archived")
        @admin_required
        def purge_archived_projects():
            ...
    """

    id = "AR103"
    name = "missing-role-check"
    title = "Privileged route without a role check"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    cwe = 285
    prefilter = ROUTE_FILES
    in_tests = False

    VALID = [
        # Only some routes of the blueprint check a role (two of five): no group to be the odd one out of.
        "from flask import Blueprint\nfrom flask_login import login_required\nfrom flask_security import roles_required\n"
        "desk = Blueprint('desk', __name__, url_prefix='/desk')\n"
        "@desk.get('/a')\n@roles_required('agent')\ndef a():\n    return Ticket.query.all()\n"
        "@desk.get('/b')\n@roles_required('agent')\ndef b():\n    return Ticket.query.all()\n"
        "@desk.get('/c')\n@login_required\ndef c():\n    return Ticket.query.all()\n"
        "@desk.get('/d')\n@login_required\ndef d():\n    return Ticket.query.all()\n"
        "@desk.get('/e')\n@login_required\ndef e():\n    return Ticket.query.all()\n",
        # Role-checked siblings on a blueprint without a prefix, and a route that is not an admin's.
        "from flask import Blueprint\nfrom flask_login import login_required\nfrom flask_security import roles_required\n"
        "site = Blueprint('site', __name__)\n"
        "@site.get('/moderation/queue')\n@roles_required('moderator')\ndef queue():\n    return Post.query.all()\n"
        "@site.get('/moderation/flags')\n@roles_required('moderator')\ndef flags():\n    return Flag.query.all()\n"
        "@site.get('/bookmarks')\n@login_required\ndef bookmarks():\n    return Post.query.all()\n",
        # An administrator's own profile page among the admin pages.
        "from flask import Blueprint, request\nfrom flask_login import current_user, login_required\n"
        "from flask_security import roles_required\nadmin = Blueprint('admin', __name__, url_prefix='/admin')\n"
        "@admin.get('/users')\n@roles_required('admin')\ndef users():\n    return User.query.all()\n"
        "@admin.get('/audit')\n@roles_required('admin')\ndef audit():\n    return AuditEntry.query.all()\n"
        "@admin.post('/profile')\n@login_required\ndef profile():\n"
        "    current_user.display_name = request.form['name']\n    db.session.commit()\n",
        # The admin routes carry the project's role decorator.
        "from flask import Blueprint\nfrom app.auth import admin_required\nadmin_bp = Blueprint('admin', __name__)\n"
        "@admin_bp.delete('/users/<int:user_id>')\n@admin_required\ndef delete_user(user_id):\n"
        "    db.session.delete(db.get_or_404(User, user_id))\n",
        # A role check in the body.
        "from flask import Blueprint, abort\nfrom flask_login import current_user, login_required\n"
        "admin_bp = Blueprint('admin', __name__)\n@admin_bp.get('/audit')\n@login_required\ndef audit():\n"
        "    if not current_user.is_admin:\n        abort(403)\n    return AuditEntry.query.all()\n",
        # Not a privileged route.
        "from flask import Blueprint\nfrom flask_login import current_user, login_required\n"
        "notes = Blueprint('notes', __name__)\n@notes.delete('/notes/archived')\n@login_required\ndef purge():\n"
        "    Note.query.filter_by(archived=True, owner_id=current_user.id).delete()\n",
        # The same purge, of the caller's own rows.
        "from rest_framework.decorators import api_view, permission_classes\n"
        "from rest_framework.permissions import IsAuthenticated\nfrom rest_framework.response import Response\n"
        "@api_view(['POST'])\n@permission_classes([IsAuthenticated])\ndef purge_carts(request):\n"
        "    Cart.objects.filter(user=request.user, updated_at__lt=cutoff()).delete()\n"
        "    return Response({})\n",
        # Rows hanging off an object a helper loaded for the caller (a membership check inside it).
        "from rest_framework.decorators import api_view, permission_classes\n"
        "from rest_framework.permissions import IsAuthenticated\nfrom rest_framework.response import Response\n"
        "@api_view(['POST'])\n@permission_classes([IsAuthenticated])\ndef clear_test_notifications(request, code):\n"
        "    channel, _rw = _get_channel_for_user(request, code)\n"
        "    Notification.objects.filter(channel=channel, owner=None).delete()\n"
        "    return Response({})\n",
    ]
    INVALID = [
        # The odd one out: its blueprint's other routes all check a role.
        Invalid(
            "from flask import Blueprint\nfrom flask_login import login_required\nfrom flask_security import roles_required\n"
            "desk = Blueprint('desk', __name__, url_prefix='/desk')\n"
            "@desk.get('/tickets')\n@roles_required('agent')\ndef tickets():\n    return Ticket.query.all()\n"
            "@desk.get('/customers')\n@roles_required('agent')\ndef customers():\n    return Customer.query.all()\n"
            "@desk.get('/customers/export')\n@login_required\ndef export():\n    return Customer.query.all()\n",
            fixed="from flask import Blueprint\nfrom flask_login import login_required\nfrom flask_security import roles_required\n"
            "desk = Blueprint('desk', __name__, url_prefix='/desk')\n"
            "@desk.get('/tickets')\n@roles_required('agent')\ndef tickets():\n    return Ticket.query.all()\n"
            "@desk.get('/customers')\n@roles_required('agent')\ndef customers():\n    return Customer.query.all()\n"
            "@desk.get('/customers/export')\n@login_required\n@roles_required('agent')\ndef export():\n"
            "    return Customer.query.all()\n",
            confidence=Confidence.MEDIUM,
        ),
        Invalid(
            "from functools import wraps\nfrom flask import abort\nfrom flask_jwt_extended import jwt_required, get_jwt\n"
            "def admin_required(fn):\n    @wraps(fn)\n    @jwt_required()\n    def inner(*a, **k):\n"
            "        if get_jwt().get('role') != 'admin':\n            abort(403)\n        return fn(*a, **k)\n    return inner\n"
            "from flask import Blueprint\n"
            "admin_bp = Blueprint('admin', __name__)\n"
            "@admin_bp.get('/users')\n@admin_required\ndef users():\n    return User.query.all()\n"
            "@admin_bp.delete('/projects/archived')\n@jwt_required()\ndef purge_archived_projects():\n"
            "    db.session.execute(delete(Project).where(Project.archived.is_(True)))\n",
            fixed="from functools import wraps\nfrom flask import abort\nfrom flask_jwt_extended import jwt_required, get_jwt\n"
            "def admin_required(fn):\n    @wraps(fn)\n    @jwt_required()\n    def inner(*a, **k):\n"
            "        if get_jwt().get('role') != 'admin':\n            abort(403)\n        return fn(*a, **k)\n    return inner\n"
            "from flask import Blueprint\n"
            "admin_bp = Blueprint('admin', __name__)\n"
            "@admin_bp.get('/users')\n@admin_required\ndef users():\n    return User.query.all()\n"
            "@admin_bp.delete('/projects/archived')\n@jwt_required()\n@admin_required\ndef purge_archived_projects():\n"
            "    db.session.execute(delete(Project).where(Project.archived.is_(True)))\n",
        ),
        # A destructive bulk action on everyone's rows, open to any signed-in user.
        Invalid(
            "from rest_framework.decorators import api_view, permission_classes\n"
            "from rest_framework.permissions import IsAuthenticated\nfrom rest_framework.response import Response\n"
            "@api_view(['POST'])\n@permission_classes([IsAuthenticated])\ndef purge_carts(request):\n"
            "    deleted, _ = Cart.objects.filter(updated_at__lt=cutoff()).delete()\n"
            "    return Response({'deleted': deleted})\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        module = self.ctx.path.rsplit("/", 1)[-1].removesuffix(".py")
        found = endpoints(self.ctx)
        role = _most_common_role_guard([e.route for e in found if e.role_checked] +
                                       [r for r in django_routes_here(self.ctx) if r.role_checked])
        classes: set[int] = set()
        members: list[_Member] | None = None
        for endpoint in found:
            route = endpoint.route
            if not endpoint.authenticated or endpoint.role_checked or not touches_data(endpoint.function):
                continue
            where = f"{route.path or ''} {route.name} {route.owner or ''} {module} {self._prefix(route)}"
            flow = HandlerFlow.build(self.ctx, endpoint.function, endpoint.framework)
            if flow.role_checked:
                continue
            admin = bool(_ADMIN_ROUTE.search(where))
            if members is None:
                members = self._members(found)
            group = _role_checked_group(members, endpoint.function, admin, module)
            bulk = None if admin or group else _bulk_change(self.ctx, flow, endpoint.function)
            if bulk is None and not admin and group is None:
                continue
            if bulk is None and _self_service(flow, self._prefix(route) + (route.path or ""), endpoint.function):
                continue  # the caller's own profile or settings, in an admin area or not
            cls = _django_class(self.ctx, route) if isinstance(route, DjangoRoute) else None
            if cls is not None:
                if id(cls) in classes:
                    continue
                classes.add(id(cls))
            anchor = cls.name if cls else endpoint.function.name
            fix_at = None if cls else endpoint.function
            if group is not None:
                self._report_odd_one(_full_label(endpoint, self._prefix(route)), endpoint.guards[0], group, anchor,
                                     fix_at)
                continue
            why = "an admin route" if admin else bulk
            assert why is not None
            self._report(endpoint.label, endpoint.guards[0], why, anchor, role, fix_at=fix_at)
        for route in django_routes_here(self.ctx):  # generic views whose handlers are all inherited
            cls = route.handler
            if not isinstance(cls, cst.ClassDef) or id(cls) in classes or not route.authenticated or route.role_checked:
                continue
            classes.add(id(cls))
            statement = _source_statement(cls)
            models = model_expressions(statement) if statement is not None else []
            if _ADMIN_ROUTE.search(f"{route.path or ''} {route.name} {module}") and models:
                why = "an admin route"
            elif any(is_user_model(self.ctx, m) for m in models) and _generic_write(self.ctx, route) and \
                    not _mentions_principal(statement.value):  # type: ignore[union-attr]
                why = "user management (it edits any account)"
            else:
                continue
            self._report(route.label, route.guards[0], why, cls.name, role, fix_at=None)


    def _report(self, label: str, guard: Guard, why: str, anchor: cst.CSTNode, role: Guard | None,
                fix_at: cst.FunctionDef | None) -> None:
        fix = self._decorator_fix(fix_at, role)
        advice = f"add {markup.code(role.name)} as the other privileged routes here do" if role else "check the caller's role"
        self.report(anchor, f"{markup.code(label)} is {why} guarded only by {markup.code(guard.name)}: any signed-in user may call it; "
                            f"{advice}", fix=fix)

    def _report_odd_one(self, label: str, guard: Guard, group: _Group, anchor: cst.CSTNode,
                        fix_at: cst.FunctionDef | None) -> None:
        """The one route of a role-checked group that checks only the login: name the siblings that check."""
        checked = [m for m in group.siblings if m.role_checked]
        role = _most_common(m.role for m in checked)
        names = ", ".join(markup.code(m.label) for m in checked[:2]) + (" ..." if len(checked) > 2 else "")
        how = markup.code(role.name) if role is not None else "the caller's role"
        self.report(anchor, f"{markup.code(label)} has {markup.code(guard.name)} only; its siblings {group.where} check "
                            f"{how} ({len(checked)} of {len(group.siblings)}: {names}): any signed-in user may call "
                            f"this one; add {how if role is not None else 'a role check'} as they do",
                    fix=self._decorator_fix(fix_at, role), confidence=Confidence.MEDIUM)

    def _decorator_fix(self, fix_at: cst.FunctionDef | None, role: Guard | None) -> Fix | None:
        if fix_at is None or role is None or not role.name.startswith("@") or role.level != "route":
            return None
        def_line = self.ctx.position(fix_at.name).start.line
        line = self.ctx.lines[def_line - 1]
        indent = line[: len(line) - len(line.lstrip())]
        return Fix(def_line, def_line, f"{indent}{role.name}\n{line}", f"add {role.name}")

    def _members(self, found: list[Endpoint]) -> list[_Member]:
        """Every route of the file, once per handler, with whether (and how) it checks a role."""
        members: list[_Member] = []
        seen: set[int] = set()
        for endpoint in found:
            if id(endpoint.function) in seen:
                continue
            seen.add(id(endpoint.function))
            route = endpoint.route
            role = next((g for g in endpoint.guards if g.role and _role_gate(g)), None)
            checked = role is not None or (endpoint.authenticated and _checks_role_in_body(self.ctx, endpoint.function))
            prefix = self._prefix(route)
            members.append(_Member(_full_label(endpoint, prefix), endpoint.function, route.owner, prefix,
                                   _first_segment(prefix + (route.path or "")), checked, role))
        for droute in django_routes_here(self.ctx):  # generic views with inherited handlers only
            if isinstance(droute.handler, cst.ClassDef) and id(droute.handler) not in seen:
                seen.add(id(droute.handler))
                role = next((g for g in droute.guards if g.role and _role_gate(g)), None)
                members.append(_Member(droute.label, droute.handler, None, "", _first_segment(droute.path or ""),
                                       role is not None, role))
        return members

    def _prefix(self, route: Route) -> str:
        """The ``prefix=`` of the router the route hangs on (``APIRouter(prefix="/admin/...")``)."""
        if route.owner is None:
            return ""
        bound = self.ctx.index.bindings.get((id(self.ctx.module), route.owner))
        if bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
            return self.ctx.string(self.ctx.argument(bound[0], "prefix")) or \
                self.ctx.string(self.ctx.argument(bound[0], "url_prefix")) or ""
        return ""


_BULK_METHODS = frozenset({"delete", "update", "delete_many", "update_many", "bulk_update"})
_QUERY_METHODS = frozenset({"filter", "filter_by", "exclude", "all", "where", "find"})


def _bulk_change(ctx: FileContext, flow: Any, function: cst.FunctionDef) -> str | None:
    """A destructive bulk action: rows deleted or updated by a query that is neither keyed by a value the
    client chose nor scoped to the caller (``Cart.objects.filter(updated_at__lt=cutoff).delete()``)."""
    for node in walk(function):
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            continue
        method = node.func.attr.value
        receiver = node.func.value
        if method not in _BULK_METHODS:
            if method != "execute" or not node.args:
                continue
            statement = node.args[0].value  # session.execute(delete(Model).where(...))
            root = statement
            while isinstance(root, cst.Call) and isinstance(root.func, cst.Attribute):
                root = root.func.value
            if not (isinstance(root, cst.Call) and (ctx.qualname(root.func) or "") in (
                    "sqlalchemy.delete", "sqlalchemy.update", "sqlalchemy.sql.expression.delete")):
                continue
            receiver = statement
        elif method in ("delete", "update", "bulk_update") and not (
                isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute)
                and receiver.func.attr.value in _QUERY_METHODS):
            continue  # ``obj.delete()``, ``dict.update(...)``: one object, not a bulk change
        text = ctx.code(receiver)
        if flow.scoped_to_user(node) or flow.scoped_to_user(receiver) or _targeted(node) or \
                _through_an_object(receiver) or _mentions_principal(receiver) or \
                _scoped_by_a_loaded_object(function, receiver):
            continue
        return f"a destructive bulk action ({markup.code(text.split('(', 1)[0] + '...' + method + '()')})"
    return None


def _scoped_by_a_loaded_object(function: cst.FunctionDef, query: cst.BaseExpression) -> bool:
    """``channel, _ = _get_channel_for_user(request, code)`` then ``Notification.objects.filter(channel=channel)``:
    the rows hang off an object a helper loaded for the caller (it was handed the request or the principal)."""
    loaded: set[str] = set()
    for node in walk(function.body):
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call) and any(
                _names_the_caller(arg.value) for arg in node.value.args):
            for target in node.targets:
                loaded |= {n.value for n in walk(target.target) if isinstance(n, cst.Name)} \
                    if not isinstance(target.target, cst.Name) else {target.target.value}
    if not loaded:
        return False
    for node in walk(query):
        if isinstance(node, cst.Arg) and node.keyword is not None:
            root = node.value
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and root.value in loaded:
                return True
    return False


def _names_the_caller(expr: cst.BaseExpression) -> bool:
    """``request``, ``request.user``, ``current_user``: what a helper needs to load an object for the caller."""
    root = expr
    while isinstance(root, cst.Attribute):
        root = root.value
    return isinstance(root, cst.Name) and root.value in ("request", "req", "current_user", "user")


def _django_class(ctx: FileContext, route: DjangoRoute) -> cst.ClassDef | None:
    """The class view a Django route belongs to (its handler, or the class defining its action method)."""
    if isinstance(route.handler, cst.ClassDef):
        return route.handler
    return next((c for c in ctx.index.classes.values() if route.handler in c.body.body), None)


_TARGET_KEY = re.compile(r"^(?:id|pk|_id|uuid|slug|token|key|email|username)$|_(?:id|pk|uuid)$")


def _targeted(query: cst.BaseExpression) -> bool:
    """The query names its rows (``pk=``, ``{"note_id": ...}``, ``Model.id == ...``): not a bulk change."""
    for node in (query, *walk(query)):
        if isinstance(node, cst.Arg) and node.keyword is not None and _TARGET_KEY.search(
                node.keyword.value.split("__", 1)[0]):
            return True
        if isinstance(node, cst.DictElement) and isinstance(node.key, cst.SimpleString) and _TARGET_KEY.search(
                node.key.evaluated_value if isinstance(node.key.evaluated_value, str) else ""):
            return True
        if isinstance(node, cst.Comparison) and isinstance(node.left, cst.Attribute) and \
                _TARGET_KEY.search(node.left.attr.value) and isinstance(node.comparisons[0].operator, cst.Equal):
            return True
    return False


def _through_an_object(query: cst.BaseExpression) -> bool:
    """``cart.lines.all()``: a related manager of an object already loaded, not a whole table."""
    root = query
    while isinstance(root, (cst.Call, cst.Attribute)):
        root = root.func if isinstance(root, cst.Call) else root.value
    node = query
    while isinstance(node, (cst.Call, cst.Attribute)):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            return False  # ``delete(Cart).where(...)``: a statement over a table (SQLAlchemy), not a related manager
        node = node.func if isinstance(node, cst.Call) else node.value
    return isinstance(root, cst.Name) and root.value[:1].islower() and root.value not in ("db", "session", "database",
                                                                                          "mongo", "conn", "cursor")


# --- the odd one out ---------------------------------------------------------------------------


@dataclass
class _Member:
    """One route of the file, for comparing a route with its siblings."""

    label: str
    handler: cst.FunctionDef | cst.ClassDef
    owner: str | None  # the blueprint/router/app object it hangs on
    prefix: str  # that object's URL prefix
    segment: str | None  # the first meaningful segment of its full path (``admin`` in ``/api/admin/users``)
    role_checked: bool  # a role guard, or a role check in its body
    role: Guard | None  # the role guard, when it has one


@dataclass
class _Group:
    where: str  # "on `admin_bp`", "under `/manage/`", "in admin.py"
    siblings: list[_Member]


def _full_label(endpoint: Endpoint, prefix: str) -> str:
    """``GET /admin/users/export`` for a route declared as ``/users/export`` on a blueprint under ``/admin``."""
    if not prefix.strip("/") or endpoint.path is None:
        return endpoint.label
    verbs = "|".join(endpoint.methods) if endpoint.methods else "ANY"
    return f"{verbs} {prefix.rstrip('/')}/{endpoint.path.lstrip('/')}"


# Leading path segments that group nothing: every route of an API starts with them.
_GENERIC_SEGMENT = re.compile(r"^(?:api|apis|rest|v\d+(?:\.\d+)?|ajax|json|graphql|internal|public|web|app|ui)$",
                              re.IGNORECASE)


def _first_segment(path: str) -> str | None:
    """``/api/v1/admin/users`` -> ``admin``; None when the first meaningful segment is a URL variable."""
    for raw in re.split(r"/+", path.lstrip("^")):
        segment = raw.strip("^$")
        if not segment or _GENERIC_SEGMENT.match(segment):
            continue
        return None if re.search(r"[<{(\[\\?*+]", segment) else segment.lower()
    return None


def _role_checked_group(members: list[_Member], handler: cst.FunctionDef, admin: bool, module: str) -> _Group | None:
    """The group of routes ``handler`` belongs to whose members mostly check a role (at least two, and more than
    half of its siblings), if any: its blueprint or router, its URL prefix, or (for an admin route) its module.

    Without admin words in its own path or name, a route only counts as one of them when it shares their
    blueprint's or router's URL prefix, or their leading path segment: a module's plain routes may well be meant
    for every user."""
    me = next((m for m in members if m.handler is handler), None)
    if me is None:
        return None
    candidates: list[tuple[str, list[_Member], bool]] = []
    if me.owner is not None:
        prefix = f" (`{me.prefix}`)" if me.prefix else ""
        candidates.append((f"on {markup.code(me.owner)}{prefix}", [m for m in members if m.owner == me.owner],
                           admin or bool(me.prefix.strip("/"))))
    if me.segment is not None:
        candidates.append((f"under `/{me.segment}/`", [m for m in members if m.segment == me.segment], True))
    if admin:
        candidates.append((f"in {module}.py", list(members), True))
    for where, group, qualifies in candidates:
        siblings = [m for m in group if m.handler is not handler]
        checked = sum(m.role_checked for m in siblings)
        if qualifies and checked >= 2 and checked * 2 > len(siblings):
            return _Group(where, siblings)
    return None


# Words of a guard that lets owners through as well as administrators (``@owner_or_admin_required``).
_OWNERSHIP_WORDS = frozenset({"owner", "own", "owns", "author", "creator", "self", "member", "membership"})
_ROLE_WORDS = re.compile(r"admin|staff|superuser|moderator|\brole|roles\b|permission|\bperms?\b|is_root", re.IGNORECASE)
_CHECK_CALL_WORDS = frozenset({"require", "requires", "ensure", "check", "assert", "verify"})
_ROLE_CALL_WORDS = frozenset({"admin", "staff", "superuser", "role", "roles", "permission", "permissions", "perm",
                              "moderator"})


def _role_gate(guard: Guard) -> bool:
    """A role guard that turns every ordinary user away: not a check in the body (read by
    ``_checks_role_in_body``), not ``owner_or_admin``."""
    return guard.kind != "check" and not set(split_words(guard.name)) & _OWNERSHIP_WORDS


def _checks_role_in_body(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """``if not current_user.is_admin: abort(403)``, ``require_admin()``: a role test that refuses ordinary users.

    ``if not user.is_superuser and item.owner_id != user.id: raise ...`` is an ownership check that administrators
    skip: any user passes it for their own rows, so it does not make the route an administrator's."""
    for node in walk(function.body):
        if isinstance(node, cst.If) and _ROLE_WORDS.search(ctx.code(node.test)) and refuses(ctx, node.body) \
                and not _compares_values(ctx, node.test):
            return True
        if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
            words = set(split_words(tail_name(node.value.func)))
            if words & _CHECK_CALL_WORDS and words & _ROLE_CALL_WORDS and not words & _OWNERSHIP_WORDS:
                return True
    return False


def _compares_values(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """The test compares two values of the request (``item.owner_id != user.id``, ``user not in team.members``),
    not a role with a constant (``user.role != "admin"``)."""
    for node in (test, *walk(test)):
        if isinstance(node, cst.Comparison):
            operands = [node.left, *(c.comparator for c in node.comparisons)]
            for left, right in zip(operands, operands[1:], strict=False):
                if ctx.literal(left) is UNKNOWN and ctx.literal(right) is UNKNOWN:
                    return True
    return False


# Path segments and name words of a route about the caller themself: anywhere in the path (``/users/me/password``),
# or naming the page itself (``/admin/profile``, not ``/admin/profile/users/export``).
_SELF_WORDS = frozenset({"me", "my", "self", "mine", "own", "current"})
_SELF_PAGES = frozenset({"profile", "account"})
_VARIABLE = re.compile(r"[<{(]")


def _self_service(flow: HandlerFlow, path: str, function: cst.FunctionDef) -> bool:
    """``/admin/profile``, ``/users/me``: the caller's own page (not another user's: no URL variable before the
    word), acting on the caller and on nothing the client names by id."""
    segments = [s for s in re.split(r"/+", path) if s]
    if segments:
        words = [set(split_words(s)) if not _VARIABLE.search(s) and not (i and _VARIABLE.search(segments[i - 1]))
                 else set() for i, s in enumerate(segments)]
        about_me = any(w & _SELF_WORDS for w in words) or bool(words[-1] & _SELF_PAGES)
    else:
        name = set(split_words(function.name.value))
        about_me = bool(name & (_SELF_WORDS | _SELF_PAGES))
    if not about_me or not flow.principal_expressions():
        return False
    return not any(flow.loads_by_client_id(load) and not flow.scoped_to_user(load) for load in flow.loads)


def _most_common(guards: Iterable[Guard | None]) -> Guard | None:
    counts: Counter[Guard] = Counter(g for g in guards if g is not None)
    return counts.most_common(1)[0][0] if counts else None


def _most_common_role_guard(routes: list[Route]) -> Guard | None:
    counts: Counter[Guard] = Counter(g for r in routes for g in r.guards if g.role)
    return counts.most_common(1)[0][0] if counts else None
