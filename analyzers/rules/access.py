"""AR1xx (access control on routes): who may call each endpoint."""

from __future__ import annotations

import fnmatch
import re
from collections import Counter

import libcst as cst

from ..findings import Confidence, Fix, Severity
from ..routes import STATE_CHANGING, Guard, Route, discover
from ..rule import Invalid, Rule
from ..walk import walk

# Routes that are public on purpose, by path or handler name.
_PUBLIC = re.compile(
    r"(?:^|[/_\-.])(?:log_?in|log_?out|sign_?(?:in|up|out)|register|registration|signup|"
    r"(?:forgot|reset|recover)[_\-]?password|password[_\-]?(?:reset|forgot|recovery)|verify[_\-]?email|confirm|activate|"
    r"health(?:z|check)?|ready|readiness|liveness|live|ping|status|version|metrics|reset|forgot|refresh|"
    r"2fa|mfa|otp|totp|two[_\-]?factor|"
    r"shared?|public|invite|invitation|unsubscribe|s/<[^>]*token|<[^>]*token[^>]*>|\{[^}]*token[^}]*\}|"
    r"static|assets|favicon|robots|sitemap|docs|redoc|openapi|swagger|"
    r"webhooks?|callback|oauth|authorize|token|jwks|\.well-known)(?:$|[/_\-.<{])",
    re.IGNORECASE,
)
_PUBLIC_MARKER = re.compile(r"#\s*auth-review:\s*public\b", re.IGNORECASE)
# Calls that read or write stored data.
_DATA_ATTRS = frozenset({
    "query", "objects", "execute", "scalars", "scalar", "get_or_404", "first_or_404", "one_or_404", "filter_by",
    "add", "delete", "commit", "merge", "save", "find", "find_one", "insert_one", "insert_many", "update_one",
    "update_many", "delete_one", "delete_many", "aggregate", "bulk_create", "get_object_or_404", "get_list_or_404",
})


_ADMIN_ROUTE = re.compile(r"(?:^|[/_\-. ])admin(?:$|[/_\-. ])|(?:^|[/ ])staff/|superuser", re.IGNORECASE)
_USER_KEY = re.compile(r"^(?:user|owner|author|member|account|customer|creator|created_by)(?:_?id|__id|__pk)?$",
                       re.IGNORECASE)


def touches_data(handler: cst.CSTNode) -> bool:
    """Whether the handler reads or changes stored data (ORM, DB-API or Mongo calls)."""
    for node in walk(handler):
        if isinstance(node, cst.Attribute) and node.attr.value in _DATA_ATTRS:
            return True
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in _DATA_ATTRS:
            return True
    return False


class MissingAuthentication(Rule):
    """What it does: flags routes that read or change stored data with no authentication guard
    anywhere on their path (decorator, dependency, router/blueprint/app-level guard,
    ``before_request`` hook, or an explicit check of the current user), in a project whose
    other routes are guarded.

    Why is this bad: anyone on the network can call the endpoint: read other users' data,
    change it or delete it. It is the most common authorization bug in generated code: the
    new route was copied without the decorator its neighbours have.

    Example:
        @bp.delete("/notes/<int:note_id>")
        def delete_note(note_id):
            ...

    Use instead:
        @bp.delete("/notes/<int:note_id>")
        @login_required
        def delete_note(note_id):
            ...
    """

    id = "AR101"
    name = "missing-authentication"
    title = "Route without authentication"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 306
    prefilter = re.compile(r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|add_url_rule|HTTPEndpoint")
    in_tests = False

    VALID = [
        # Guarded like its neighbours.
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
        "@app.delete('/notes/<int:i>')\n@login_required\ndef delete(i):\n    Note.query.filter_by(id=i).delete()\n",
        # Public on purpose: login and health.
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
        "@app.post('/login')\ndef login():\n    user = User.query.filter_by(email=e).first()\n"
        "@app.get('/healthz')\ndef health():\n    db.session.execute(text('select 1'))\n",
        # Touches no data.
        "from flask import Flask, render_template\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
        "@app.get('/about')\ndef about():\n    return render_template('about.html')\n",
        # No auth system in sight: nothing to compare with, no claim.
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/items')\ndef items():\n    return Item.query.all()\n",
        # Marked public on purpose.
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
        "@app.get('/catalog')  # auth-review: public\ndef catalog():\n    return Product.query.all()\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Blueprint\nfrom flask_login import login_required\nbp = Blueprint('notes', __name__)\n"
            "@bp.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
            "@bp.post('/notes')\n@login_required\ndef create():\n    db.session.add(Note())\n"
            "@bp.delete('/notes/<int:note_id>')\ndef delete_note(note_id):\n    Note.query.filter_by(id=note_id).delete()\n",
            fixed="from flask import Blueprint\nfrom flask_login import login_required\nbp = Blueprint('notes', __name__)\n"
            "@bp.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
            "@bp.post('/notes')\n@login_required\ndef create():\n    db.session.add(Note())\n"
            "@bp.delete('/notes/<int:note_id>')\n@login_required\ndef delete_note(note_id):\n"
            "    Note.query.filter_by(id=note_id).delete()\n",
        ),
        Invalid(
            "from fastapi import APIRouter, Depends\nfrom app.deps import get_current_user\nrouter = APIRouter()\n"
            "@router.get('/items')\ndef items(user=Depends(get_current_user)):\n    return session.scalars(select(Item)).all()\n"
            "@router.get('/items/{item_id}')\ndef item(item_id: int, user=Depends(get_current_user)):\n"
            "    return session.get(Item, item_id)\n"
            "@router.delete('/items/{item_id}')\ndef delete_item(item_id: int):\n    session.delete(session.get(Item, item_id))\n",
            fixed="from fastapi import APIRouter, Depends\nfrom app.deps import get_current_user\nrouter = APIRouter()\n"
            "@router.get('/items')\ndef items(user=Depends(get_current_user)):\n    return session.scalars(select(Item)).all()\n"
            "@router.get('/items/{item_id}')\ndef item(item_id: int, user=Depends(get_current_user)):\n"
            "    return session.get(Item, item_id)\n"
            "@router.delete('/items/{item_id}')\ndef delete_item(item_id: int, user=Depends(get_current_user)):\n"
            "    session.delete(session.get(Item, item_id))\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        routes = discover(self.ctx)
        guarded = [r for r in routes if r.authenticated]
        if not guarded:
            return  # no evidence of an authentication system to hold this file's routes to
        reported_classes: set[int] = set()
        for route in routes:
            if route.authenticated or self._public(route) or not touches_data(route.handler):
                continue
            cls = route.view_class
            if cls is not None:
                siblings = [r for r in routes if r.view_class is cls]
                if not any(r.authenticated for r in siblings):
                    if id(cls) not in reported_classes:  # the whole view is open: one finding, on the class
                        reported_classes.add(id(cls))
                        self._report(route, routes, anchor=cls)
                    continue
            self._report(route, routes)

    def _public(self, route: Route) -> bool:
        text = f"{route.path or ''} {route.name}"
        if _PUBLIC.search(route.path or "") or _PUBLIC.search(route.name):
            return True
        if any(fnmatch.fnmatch(route.path or "", glob) for glob in self.ctx.config.public_routes):
            return True
        handler = route.handler
        first = self.ctx.position(handler.decorators[0] if handler.decorators else handler).start.line
        header = self.ctx.lines[max(0, first - 1) : self.ctx.position(handler.name).start.line]
        return bool(text) and any(_PUBLIC_MARKER.search(line) for line in header)

    def _report(self, route: Route, routes: list[Route], anchor: cst.ClassDef | None = None) -> None:
        siblings = [r for r in routes if r.owner == route.owner and r is not route]
        pool = siblings if any(r.authenticated for r in siblings) else [r for r in routes if r is not route]
        guarded = [r for r in pool if r.authenticated]
        guard = _most_common_guard(guarded)
        where = f"`{route.owner}`" if pool is siblings else "this module"
        evidence = f"{len(guarded)} of {len(pool) + 1} routes on {where} use `{guard.name}`"
        share = len(guarded) / max(1, len(pool))
        confidence = Confidence.HIGH if share >= 0.6 and len(guarded) >= 2 else Confidence.MEDIUM
        changes = any(m in STATE_CHANGING for m in route.methods)
        severity = Severity.HIGH if changes or confidence is Confidence.HIGH else Severity.MEDIUM
        fix = self._fix(route, guard, guarded) if anchor is None else None
        self.report(
            anchor.name if anchor is not None else route.handler.name,
            f"`{route.label}` reads or changes stored data with no authentication guard, while {evidence}; "
            f"add `{guard.name}` (or mark it `# auth-review: public` if it is public on purpose)",
            fix=fix, confidence=confidence, severity=severity,
        )

    def _fix(self, route: Route, guard: Guard, guarded: list[Route]) -> Fix | None:
        handler = route.handler
        if not isinstance(handler, cst.FunctionDef) or guard.level != "route":
            return None
        def_line = self.ctx.position(handler.name).start.line
        line = self.ctx.lines[def_line - 1]
        indent = line[: len(line) - len(line.lstrip())]
        if guard.kind in ("decorator", "configured") and guard.name.startswith("@"):
            return Fix(def_line, def_line, f"{indent}{guard.name}\n{line}", f"add {guard.name}")
        if guard.kind == "dependency":
            param = _sibling_parameter(self, guarded, guard)
            params = handler.params
            simple = not isinstance(params.star_arg, (cst.Param, cst.ParamStar)) and not params.kwonly_params \
                and params.star_kwarg is None
            if param is not None and simple:
                new = params.with_changes(params=[*params.params, param])
                return self.ctx.replace(params, new, f"add {guard.name}")
        return None


def _most_common_guard(routes: list[Route]) -> Guard:
    counts: Counter[Guard] = Counter(g for r in routes for g in r.guards[:1])
    return counts.most_common(1)[0][0]


def _sibling_parameter(rule: Rule, routes: list[Route], guard: Guard) -> cst.Param | None:
    """The parameter a guarded sibling declares for this dependency, to copy as it is written."""
    dependency = guard.name.removeprefix("Depends(").removesuffix(")")
    for route in routes:
        if not isinstance(route.handler, cst.FunctionDef):
            continue
        for param in route.handler.params.params:
            default = rule.ctx.code(param.default) if param.default is not None else ""
            annotation = rule.ctx.code(param.annotation.annotation) if param.annotation is not None else ""
            if default == guard.name or (dependency and dependency in annotation):
                return param.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return None


class MissingOwnershipCheck(Rule):
    """What it does: flags authenticated routes that load an object by a client-supplied id
    (path, query or body) and return, change or delete it without scoping the query to the
    current user or checking the object against them.

    Why is this bad: any signed-in user can read or change any other user's object by
    changing the id in the URL (IDOR / broken object-level authorization, the top API
    risk). Authentication says who the caller is; it does not say the object is theirs.

    Example:
        @bp.get("/invoices/<int:invoice_id>")
        @login_required
        def invoice(invoice_id):
            return Invoice.query.get_or_404(invoice_id).to_dict()

    Use instead:
        @bp.get("/invoices/<int:invoice_id>")
        @login_required
        def invoice(invoice_id):
            return Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404().to_dict()
    """

    id = "AR102"
    name = "missing-ownership-check"
    title = "Object loaded by client id without an ownership check"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    cwe = 639
    prefilter = re.compile(r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|add_url_rule|HTTPEndpoint")
    in_tests = False

    VALID = [
        # Scoped by owner.
        "from flask import Flask\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
        "@app.get('/notes/<int:note_id>')\n@login_required\ndef note(note_id):\n"
        "    return Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404().to_dict()\n",
        # Checked after loading.
        "from flask import Flask, abort\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
        "@app.delete('/notes/<int:note_id>')\n@login_required\ndef delete(note_id):\n"
        "    note = Note.query.get_or_404(note_id)\n    if note.owner_id != current_user.id:\n        abort(404)\n"
        "    db.session.delete(note)\n",
        # An admin route acts on other users' objects by design.
        "from flask import Flask\nfrom flask_security import roles_required\napp = Flask(__name__)\n"
        "@app.get('/admin/users/<int:user_id>')\n@roles_required('admin')\ndef user(user_id):\n"
        "    return User.query.get_or_404(user_id).to_dict()\n",
        # Unauthenticated: that is AR101's finding, not this one.
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/notes/<int:note_id>')\ndef note(note_id):\n"
        "    return Note.query.get_or_404(note_id).to_dict()\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n"
            "    return [n.to_dict() for n in Note.query.filter_by(owner_id=current_user.id)]\n"
            "@app.get('/notes/<int:note_id>')\n@login_required\ndef note(note_id):\n"
            "    return Note.query.get_or_404(note_id).to_dict()\n",
        ),
        Invalid(
            "from fastapi import APIRouter, Depends\nfrom app.deps import get_current_user\nrouter = APIRouter()\n"
            "@router.delete('/items/{item_id}')\ndef delete_item(item_id: int, user=Depends(get_current_user)):\n"
            "    item = session.get(Item, item_id)\n    session.delete(item)\n    session.commit()\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        from ..flow import HandlerFlow

        for route in discover(self.ctx):
            if not route.authenticated or route.role_checked or not isinstance(route.handler, cst.FunctionDef):
                continue
            where = f"{route.path or ''} {route.name} {route.owner or ''} {self.ctx.path.rsplit('/', 1)[-1][:-3]}"
            if _ADMIN_ROUTE.search(where):
                continue  # acting on other users' objects is the point; a missing role check is AR103's finding
            flow = HandlerFlow.build(self.ctx, route.handler, route.framework)
            if flow.role_checked:
                continue
            for load in flow.loads:
                if load.superseded or not flow.loads_by_client_id(load) or flow.scoped_to_user(load):
                    continue
                keys = flow.client_keys(load)
                if any(_USER_KEY.search(k.field or "") for k in keys):
                    continue  # keyed by a client-chosen *user* id: the caller picks an identity (AR104)
                key = next(iter(keys), None)
                source = flow.client_source(key.value) if key is not None else None
                what = f"`{load.model}`" if load.model else "an object"
                self.report(
                    load.call,
                    f"`{route.label}` loads {what} by {source or 'a client-supplied id'} and never checks that it "
                    f"belongs to the current user: any signed-in user can reach anyone's; scope the query by owner "
                    f"(e.g. `owner_id=<current user>.id`) and answer 404",
                )
                break  # one finding per handler: the first unscoped load


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
    prefilter = (
        re.compile(r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|add_url_rule|HTTPEndpoint"),
        re.compile(r"admin|staff|superuser", re.IGNORECASE),
    )
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
        "from flask import Blueprint\nfrom flask_login import login_required\nnotes = Blueprint('notes', __name__)\n"
        "@notes.delete('/notes/archived')\n@login_required\ndef purge():\n    Note.query.filter_by(archived=True).delete()\n",
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
    ]

    def visit_Module(self, node: cst.Module) -> None:
        from ..flow import HandlerFlow

        routes = discover(self.ctx)
        module = self.ctx.path.rsplit("/", 1)[-1].removesuffix(".py")
        for route in routes:
            if not route.authenticated or route.role_checked or not isinstance(route.handler, cst.FunctionDef):
                continue
            where = f"{route.path or ''} {route.name} {route.owner or ''} {module} {self._prefix(route)}"
            if not _ADMIN_ROUTE.search(where) or not touches_data(route.handler):
                continue
            if HandlerFlow.build(self.ctx, route.handler, route.framework).role_checked:
                continue
            role = _most_common_role_guard(routes)
            fix = None
            if role is not None and role.name.startswith("@") and role.level == "route":
                def_line = self.ctx.position(route.handler.name).start.line
                line = self.ctx.lines[def_line - 1]
                indent = line[: len(line) - len(line.lstrip())]
                fix = Fix(def_line, def_line, f"{indent}{role.name}\n{line}", f"add {role.name}")
            guard = route.guards[0].name
            advice = f"add `{role.name}` as the other admin routes here do" if role else "check the caller's role"
            self.report(route.handler.name,
                        f"`{route.label}` is an admin route guarded only by `{guard}`: any signed-in user may call "
                        f"it; {advice}", fix=fix)

    def _prefix(self, route: Route) -> str:
        """The ``prefix=`` of the router the route hangs on (``APIRouter(prefix="/admin/...")``)."""
        if route.owner is None:
            return ""
        bound = self.ctx.index.bindings.get((id(self.ctx.module), route.owner))
        if bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
            return self.ctx.string(self.ctx.argument(bound[0], "prefix")) or \
                self.ctx.string(self.ctx.argument(bound[0], "url_prefix")) or ""
        return ""


def _most_common_role_guard(routes: list[Route]) -> Guard | None:
    counts: Counter[Guard] = Counter(g for r in routes for g in r.guards if g.role)
    return counts.most_common(1)[0][0] if counts else None
