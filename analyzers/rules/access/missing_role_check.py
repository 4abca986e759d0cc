"""AR103 missing-role-check: privileged routes guarded by authentication alone."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Fix, Severity
from ...frameworks import (
    DjangoRoute,
    Guard,
    HandlerFlow,
    Route,
    endpoints,
    is_user_model,
    model_expressions,
)
from ...rule import Invalid, Rule
from ...walk import walk
from ._shared import (
    _ADMIN_ROUTE,
    ROUTE_FILES,
    _generic_write,
    _mentions_principal,
    _source_statement,
    django_routes_here,
    touches_data,
)

# --- routes --------------------------------------------------------------------------------


class MissingRoleCheck(Rule):
    """What it does: flags privileged routes (an admin blueprint, router, module or path) that are
    guarded by authentication alone, with no role or permission check on their path (decorator,
    dependency, hook, or a check in the body).

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
        for endpoint in found:
            route = endpoint.route
            if not endpoint.authenticated or endpoint.role_checked or not touches_data(endpoint.function):
                continue
            where = f"{route.path or ''} {route.name} {route.owner or ''} {module} {self._prefix(route)}"
            flow = HandlerFlow.build(self.ctx, endpoint.function, endpoint.framework)
            if flow.role_checked:
                continue
            why = "an admin route" if _ADMIN_ROUTE.search(where) else _bulk_change(self.ctx, flow, endpoint.function)
            if why is None:
                continue
            cls = _django_class(self.ctx, route) if isinstance(route, DjangoRoute) else None
            if cls is not None:
                if id(cls) in classes:
                    continue
                classes.add(id(cls))
            self._report(endpoint.label, endpoint.guards[0], why, cls.name if cls else endpoint.function.name, role,
                         fix_at=None if cls else endpoint.function)
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
        fix = None
        if fix_at is not None and role is not None and role.name.startswith("@") and role.level == "route":
            def_line = self.ctx.position(fix_at.name).start.line
            line = self.ctx.lines[def_line - 1]
            indent = line[: len(line) - len(line.lstrip())]
            fix = Fix(def_line, def_line, f"{indent}{role.name}\n{line}", f"add {role.name}")
        advice = f"add {markup.code(role.name)} as the other privileged routes here do" if role else "check the caller's role"
        self.report(anchor, f"{markup.code(label)} is {why} guarded only by {markup.code(guard.name)}: any signed-in user may call it; "
                            f"{advice}", fix=fix)

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


def _most_common_role_guard(routes: list[Route]) -> Guard | None:
    counts: Counter[Guard] = Counter(g for r in routes for g in r.guards if g.role)
    return counts.most_common(1)[0][0] if counts else None
