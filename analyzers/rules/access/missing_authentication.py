"""AR101 missing-authentication: routes that read or change stored data with no authentication guard."""

from __future__ import annotations

import fnmatch
import re
from collections import Counter

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Fix, Severity
from ...frameworks import (
    STATE_CHANGING,
    DjangoRoute,
    Guard,
    Route,
    class_info,
    class_member,
    development_only,
    file_routes,
    holds_user_data,
    is_user_model,
    model_expressions,
    owned_by_users,
    url_index,
)
from ...project import Project, ProjectFact
from ...rule import Invalid, Rule
from ...walk import walk
from ._shared import (
    _DATA_ATTRS,
    ROUTE_FILES,
    _generic_write,
    _mentions_principal,
    checks_a_signed_value,
    django_routes_here,
    exposes_environment,
    first_run,
    touches_data,
    verifies_signature,
)

# --- routes --------------------------------------------------------------------------------

# Routes that are public on purpose, by path or handler name.
_PUBLIC = re.compile(
    r"(?:^|[/_\-.])(?:log_?in|log_?out|sign_?(?:in|up|out)|register|registration|signup|"
    r"(?:forgot|reset|recover)[_\-]?password|password[_\-]?(?:reset|forgot|recovery)|verify[_\-]?email|confirm|activate|"
    r"reset|forgot|refresh|2fa|mfa|otp|totp|two[_\-]?factor|contact|newsletter|subscribe|feedback|"
    r"shared?|public|invite|invitation|unsubscribe|s/<[^>]*token|<[^>]*token[^>]*>|\{[^}]*token[^}]*\}|"
    r"callback|oauth|authorize|token|jwks|\.well-known)(?:$|[/_\-.<{])",
    re.IGNORECASE,
)
# Service endpoints: public by name only as a whole resource (``/status``, ``/api/healthz``), not as the
# sub-resource of an object (``/orders/<id>/status`` is that order's data).
_SERVICE = re.compile(
    r"(?:^|[/_\-.])(?:health(?:z|check)?|ready|readiness|liveness|live|ping|status|version|metrics|"
    r"static|assets|favicon|robots|sitemap|docs|redoc|openapi|swagger)(?:$|[/_\-.])",
    re.IGNORECASE,
)
_PARAMETER = re.compile(r"<[^>]*>|\{[^}]*\}|\(\?P<")
# Webhook receivers are public when they verify the sender's signature.
_WEBHOOK = re.compile(r"(?:^|[/_\-.])(?:webhooks?|hooks?)(?:$|[/_\-.<{])", re.IGNORECASE)
_PUBLIC_MARKER = re.compile(r"#\s*auth-review:\s*public\b", re.IGNORECASE)


class MissingAuthentication(Rule):
    """What it does: flags routes that read or change stored data with no authentication guard
    anywhere on their path (decorator, dependency, router/blueprint/app-level guard,
    ``before_request`` hook, or an explicit check of the current user), in a project whose
    other routes are guarded; and, guarded siblings or not, routes that hand out the process
    environment whole (``dict(os.environ)``, ``jsonify(os.environ)``) to anyone.

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
    prefilter = ROUTE_FILES
    in_tests = False

    VALID = [
        # Django sign-up: the form on GET, the account created under ``if request.method == "POST"``.
        "from django.contrib.auth import get_user_model\nfrom django.shortcuts import redirect, render\n"
        "from django.views.decorators.http import require_http_methods\nUser = get_user_model()\n"
        "@require_http_methods(['GET', 'POST'])\ndef signup(request):\n    if request.method == 'POST':\n"
        "        User.objects.create_user(request.POST['email'], password=request.POST['password'])\n"
        "        return redirect('/welcome')\n    return render(request, 'signup.html')\n"
        "@require_http_methods(['GET'])\ndef home(request):\n    if not request.user.is_authenticated:\n"
        "        return redirect('/login')\n    return render(request, 'home.html', {'notes': Note.objects.all()})\n",
        # A first-run installer that closes itself once the app is set up.
        "from flask import Flask, redirect\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
        "@app.get('/tags')\n@login_required\ndef tags():\n    return Tag.query.all()\n"
        "@app.route('/setup', methods=['GET', 'POST'])\ndef setup():\n"
        "    if not config.is_setup():\n        db.session.add(User(name=request.form['name'], admin=True))\n"
        "        db.session.commit()\n        return redirect('/')\n    return redirect('/')\n",
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
        # A webhook receiver that verifies the sender's signature is public on purpose.
        "import hmac\nfrom flask import Flask, abort, request\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
        "@app.post('/webhooks/billing')\ndef billing():\n"
        "    if not hmac.compare_digest(sign(request.data), request.headers['X-Signature']):\n        abort(400)\n"
        "    Invoice.query.filter_by(number=request.json['number']).update({'paid': True})\n",
        # Django: an unguarded read of published catalogue rows, next to guarded views.
        "from django.contrib.auth.decorators import login_required\nfrom django.db import models\n"
        "from django.http import JsonResponse\n"
        "class Product(models.Model):\n    is_active = models.BooleanField()\n"
        "@login_required\ndef basket(request):\n    return JsonResponse(list(request.user.basket.values()))\n"
        "def catalogue(request):\n    return JsonResponse(list(Product.objects.filter(is_active=True).values()))\n",
    ]
    INVALID = [
        # A debug page that hands out the environment, in a module with no login anywhere.
        Invalid(
            "import os\nfrom fastapi import APIRouter\nrouter = APIRouter()\n"
            "@router.get('/debug')\ndef debug():\n    return {'env': dict(os.environ)}\n"
            "@router.get('/version')\ndef version():\n    return {'sha': os.environ.get('GIT_SHA')}\n",
            confidence=Confidence.MEDIUM,
        ),
        # The same setup route, never closed: anyone can make themselves an administrator, any time.
        Invalid(
            "from flask import Flask, redirect\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
            "@app.get('/tags')\n@login_required\ndef tags():\n    return Tag.query.all()\n"
            "@app.route('/setup', methods=['GET', 'POST'])\ndef setup():\n"
            "    db.session.add(User(name=request.form['name'], admin=True))\n"
            "    db.session.commit()\n    return redirect('/')\n",
            fixed="from flask import Flask, redirect\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
            "@app.get('/tags')\n@login_required\ndef tags():\n    return Tag.query.all()\n"
            "@app.route('/setup', methods=['GET', 'POST'])\n@login_required\ndef setup():\n"
            "    db.session.add(User(name=request.form['name'], admin=True))\n"
            "    db.session.commit()\n    return redirect('/')\n",
        ),
        # One handler under two route decorators: one finding naming both paths.
        Invalid(
            "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
            "@app.get('/tags')\n@login_required\ndef tags():\n    return Tag.query.all()\n"
            "@app.route('/files')\n@app.route('/files/<path:path>')\ndef files(path=None):\n"
            "    return send_file(Upload.query.filter_by(location=path).first_or_404().location)\n",
            fixed="from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
            "@app.get('/tags')\n@login_required\ndef tags():\n    return Tag.query.all()\n"
            "@app.route('/files')\n@app.route('/files/<path:path>')\n@login_required\ndef files(path=None):\n"
            "    return send_file(Upload.query.filter_by(location=path).first_or_404().location)\n",
            count=1,
        ),
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
        # ``status`` names a service endpoint only as a whole resource; this is one order's data.
        Invalid(
            "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/orders')\n@login_required\ndef orders():\n    return Order.query.all()\n"
            "@app.get('/orders/<int:order_id>/status')\ndef order_status(order_id):\n"
            "    return Order.query.get_or_404(order_id).status\n",
            fixed="from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/orders')\n@login_required\ndef orders():\n    return Order.query.all()\n"
            "@app.get('/orders/<int:order_id>/status')\n@login_required\ndef order_status(order_id):\n"
            "    return Order.query.get_or_404(order_id).status\n",
        ),
        # A webhook path is not public by itself: this one checks no signature.
        Invalid(
            "from flask import Flask, request\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
            "@app.get('/tags')\n@login_required\ndef tags():\n    return Tag.query.all()\n"
            "@app.post('/webhooks/billing')\ndef billing():\n"
            "    Invoice.query.filter_by(number=request.json['number']).update({'paid': True})\n",
            fixed="from flask import Flask, request\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n    return Note.query.all()\n"
            "@app.get('/tags')\n@login_required\ndef tags():\n    return Tag.query.all()\n"
            "@app.post('/webhooks/billing')\n@login_required\ndef billing():\n"
            "    Invoice.query.filter_by(number=request.json['number']).update({'paid': True})\n",
        ),
        # DRF: AllowAny on a view that reads customers' orders.
        Invalid(
            "from django.conf import settings\nfrom django.db import models\nfrom rest_framework.views import APIView\n"
            "from rest_framework.permissions import AllowAny, IsAuthenticated\nfrom rest_framework.response import Response\n"
            "class Order(models.Model):\n    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"
            "class MyOrders(APIView):\n    permission_classes = [IsAuthenticated]\n    def get(self, request):\n"
            "        return Response(Order.objects.filter(customer=request.user).values())\n"
            "class Revenue(APIView):\n    permission_classes = [AllowAny]\n    def get(self, request):\n"
            "        return Response(Order.objects.values('total'))\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        self._flask_and_fastapi()
        self._django()

    def _flask_and_fastapi(self) -> None:
        routes = file_routes(self.ctx)
        guarded = [r for r in routes if r.authenticated]
        if not guarded:
            # no authentication system to hold this file's routes to, but no app hands its environment to anyone
            for route in routes:
                if not self._public(route) and not development_only(self.ctx, route.owner) \
                        and exposes_environment(route.handler):
                    self.report(route.handler.name, f"{markup.code(route.label)} hands out the server's environment "
                                f"variables (keys and passwords among them) to anyone: remove the route, or put it "
                                f"behind an administrator's login", confidence=Confidence.MEDIUM)
            return
        reported_classes: set[int] = set()
        reported_handlers: set[int] = set()  # one handler under two route decorators: one finding
        for route in routes:
            if route.authenticated or self._public(route) or development_only(self.ctx, route.owner) or not (
                    touches_data(route.handler) or exposes_environment(route.handler)):
                continue
            if route.methods and set(route.methods) <= _READS and _reads_unowned_rows(self.ctx, route.handler):
                continue  # reads rows no user owns (a bracket list, a catalogue): public on purpose, as for Django
            if id(route.handler) in reported_handlers:
                continue
            reported_handlers.add(id(route.handler))
            cls = route.view_class
            if cls is not None:
                siblings = [r for r in routes if r.view_class is cls]
                if not any(r.authenticated for r in siblings):
                    if id(cls) not in reported_classes:  # the whole view is open: one finding, on the class
                        reported_classes.add(id(cls))
                        self._report(route, routes, anchor=cls)
                    continue
            self._report(route, routes)

    def _django(self) -> None:
        """Django and DRF views of this file, per method: an unguarded write, or an unguarded read of
        users' data (a model related to the user model, not filtered to published rows). A deliberate
        opt-out (``AllowAny``, ``@login_not_required``) is only questioned when it exposes users' data."""
        routes = django_routes_here(self.ctx)
        evidence: tuple[Guard, str] | None = None
        anchored: set[int] = set()
        for route in routes:
            open_methods = route.public_methods
            if not open_methods or self._public(route):
                continue
            functions = _open_functions(self.ctx, route, open_methods)
            nodes: list[cst.CSTNode] = [f for f in functions.values() if touches_data(f) and not _principal_only(f)]
            if isinstance(route.handler, cst.ClassDef):
                attributes = [s for s in route.handler.body.body if not isinstance(s, (cst.FunctionDef, cst.ClassDef))]
                nodes += [s for s in attributes if model_expressions(s)]
            if not nodes:
                continue
            writes = any(m in STATE_CHANGING for m in open_methods) and (
                any(m in STATE_CHANGING and _writes_data(f) for m, f in functions.items())
                or _generic_write(self.ctx, route))
            private = any(holds_user_data(self.ctx, n) for n in nodes)
            if not private and (route.exempt or not writes):
                continue
            evidence = evidence or _django_evidence(self.ctx, routes)
            if evidence is None:
                return  # no authentication system in sight to hold these views to
            guard, where = evidence
            local = where.startswith("this module")
            if not local and not private:
                continue  # only other modules' views are guarded: an unguarded write here may be a public form
            label = f"{'|'.join(open_methods)} {route.path}" if route.path else f"{'|'.join(open_methods)} {route.name}"
            what = "exposes users' data" if private and not writes else "changes stored data"
            opt_out = f" (it opts out with {markup.code(route.exempt[0])})" if route.exempt else ""
            whole = set(open_methods) >= set(route._methods()) or not functions
            anchor = route.handler.name if whole else next(iter(functions.values())).name
            if id(anchor) in anchored:
                continue  # a ViewSet's list and detail routes: one finding on the class
            anchored.add(id(anchor))
            fix = None
            if whole and not route.exempt and where.startswith("this module") and isinstance(route.handler, cst.FunctionDef):
                fix = self._fix(route, guard, [])
            self.report(anchor, f"{markup.code(label)} {what} with no authentication{opt_out}, while {where} use "
                        f"{markup.code(guard.name)}; add it (or mark the view `# auth-review: public` if it is public on purpose)",
                        fix=fix, severity=Severity.HIGH if writes or private else Severity.MEDIUM,
                        confidence=Confidence.HIGH if local and not route.inferred else Confidence.MEDIUM)

    def _public(self, route: Route) -> bool:
        text = f"{route.path or ''} {route.name}"
        if _PUBLIC.search(route.path or "") or _PUBLIC.search(route.name):
            return True
        if (_SERVICE.search(route.path or "") and not _PARAMETER.search(route.path or "")) or \
                (not route.path and _SERVICE.search(route.name)):
            return True
        if (_WEBHOOK.search(route.path or "") or _WEBHOOK.search(route.name)) and \
                verifies_signature(self.ctx, route.handler):
            return True
        if _capability_url(route) or checks_a_signed_value(self.ctx, route.handler) or first_run(self.ctx, route.path, route.name, route.handler):
            return True
        if route.methods == ("POST",) and _signs_up(self.ctx, route.handler) or \
                set(route.methods) == {"GET", "POST"} and _signs_up(self.ctx, route.handler, only_post=False):
            return True
        if any(fnmatch.fnmatch(route.path or "", glob) for glob in self.ctx.config.public_routes):
            return True
        if not _PUBLIC_MARKER.search(self.ctx.source.text):
            return False  # no marker anywhere: spare the position pass
        handler = route.handler
        first = self.ctx.position(handler.decorators[0] if handler.decorators else handler).start.line
        header = self.ctx.lines[max(0, first - 1) : self.ctx.position(handler.name).start.line]
        return bool(text) and any(_PUBLIC_MARKER.search(line) for line in header)

    def _report(self, route: Route, routes: list[Route], anchor: cst.ClassDef | None = None) -> None:
        same = [r for r in routes if r.handler is route.handler]  # its other paths (stacked route decorators)
        siblings = [r for r in routes if r.owner == route.owner and r.handler is not route.handler]
        pool = siblings if any(r.authenticated for r in siblings) else [r for r in routes if r.handler is not route.handler]
        guarded = [r for r in pool if r.authenticated]
        guard = _most_common_guard(guarded)
        where = markup.code(route.owner) if pool is siblings and route.owner else "this module"
        evidence = f"{len(guarded)} of {len(pool) + 1} routes on {where} use {markup.code(guard.name)}"
        share = len(guarded) / max(1, len(pool))
        confidence = Confidence.HIGH if share >= 0.6 and len(guarded) >= 2 else Confidence.MEDIUM
        changes = any(m in STATE_CHANGING for r in same for m in r.methods)
        severity = Severity.HIGH if changes or confidence is Confidence.HIGH else Severity.MEDIUM
        fix = self._fix(route, guard, guarded) if anchor is None else None
        what = "hands out the server's environment variables (keys and passwords among them)" \
            if exposes_environment(route.handler) else "reads or changes stored data"
        self.report(
            anchor.name if anchor is not None else route.handler.name,
            f"{', '.join(markup.code(r.label) for r in same) if anchor is None else markup.code(route.label)} {what} "
            f"with no authentication guard, while {evidence}; "
            f"add {markup.code(guard.name)} (or mark it `# auth-review: public` if it is public on purpose)",
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


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _signs_up(ctx: FileContext, handler: cst.CSTNode, only_post: bool = True) -> bool:
    """``POST /users`` that builds a new user (``User()``, ``User(**data)``, ``User.objects.create(...)``,
    ``create_user(...)``): an API's sign-up, public by nature. A view that also answers GET signs up only under
    ``if request.method == "POST":``."""
    blocks: list[cst.CSTNode] = [handler] if only_post else [
        n.body for n in walk(handler) if isinstance(n, cst.If) and ".method" in ctx.code(n.test)
        and "POST" in ctx.code(n.test)]
    return any(_builds_a_user(ctx, n) for block in blocks for n in walk(block))


def _builds_a_user(ctx: FileContext, node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.Call):
        return False
    if isinstance(node.func, cst.Name):
        return is_user_model(ctx, node.func)
    if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("create", "create_user", "acreate",
                                                                        "acreate_user"):
        manager = node.func.value  # User.objects.create(...)
        return isinstance(manager, cst.Attribute) and manager.attr.value == "objects" and is_user_model(ctx, manager.value)
    return False


def _reads_unowned_rows(ctx: FileContext, handler: cst.CSTNode) -> bool:
    """Every model the handler reads is known, and none belongs to users (no relation to the user model)."""
    models = model_expressions(handler)
    return bool(models) and all(owned_by_users(ctx, m) is False for m in models)


def _open_functions(ctx: FileContext, route: DjangoRoute, methods: tuple[str, ...]) -> dict[str, cst.FunctionDef]:
    """The functions of this file that answer the unguarded methods."""
    if isinstance(route.handler, cst.FunctionDef):
        return {m: route.handler for m in methods}
    info = class_info(ctx, route.handler)
    found = {}
    for method in methods:
        member = class_member(info, route.actions.get(method, method.lower()))
        if member is not None and member[0].path == ctx.path:
            found[method] = member[1]
    return found


def _django_evidence(ctx: FileContext, routes: list[DjangoRoute]) -> tuple[Guard, str] | None:
    """The guard the project's other views use, and where that was counted."""
    guarded = [r for r in routes if any(r.guards_for(m) for m in r._methods())]
    if guarded:
        guard = _most_common_guard(guarded)
        return guard, f"this module's other views ({len(guarded)} of {len(routes)})"
    if ctx.project is None:
        return None
    counts = _DJANGO_GUARD_COUNTS.get(ctx.project)
    if not counts:
        return None
    guard, count = counts.most_common(1)[0]
    return guard, f"{count} of the project's guarded views"


def _count_django_guards(project: Project) -> Counter[Guard]:
    """First guards of every routed Django view in the project."""
    counts: Counter[Guard] = Counter()
    for path in sorted({e.handler_path for e in url_index(project).entries if e.handler_path}):
        other = project.context_for_path(path)
        if other is None:
            continue
        for route in django_routes_here(other):
            guards = [g for m in route._methods() for g in route.guards_for(m)]
            if guards:
                counts[guards[0]] += 1
    return counts


_DJANGO_GUARD_COUNTS = ProjectFact("django_guard_counts", _count_django_guards)


# A capability in the path: an unguessable value that is itself the permission (a check's UUID code, a
# project's ping key, a badge signature). An id (`<uuid:pk>`, `<uuid:order_id>`) names an object, it grants nothing.
_CAPABILITY_PARAMS = re.compile(
    r"<uuid:(?P<uuid>\w+)>|<(?:\w+:)?(?P<named>\w*(?:key|token|signature|secret|nonce)\w*)>"
    r"|\{(?P<brace>\w*(?:key|token|signature|secret|nonce)\w*)(?::[^}]*)?\}", re.IGNORECASE)
_ID_NAME = re.compile(r"^(?:pk|id|uuid)$|_(?:pk|id)$", re.IGNORECASE)
def _capability_url(route: Route) -> bool:
    """The path carries a capability and the handler uses it (looks the object up by it, or verifies it)."""
    names = set()
    for match in _CAPABILITY_PARAMS.finditer(route.path or ""):
        name = match.group("uuid") or match.group("named") or match.group("brace")
        if name and not (match.group("uuid") and _ID_NAME.search(name)):
            names.add(name)
    if not names:
        return False
    return any(isinstance(n, cst.Name) and n.value in names for n in walk(route.handler))


def _most_common_guard(routes: list[Route]) -> Guard:
    """The guard to recommend: a login guard before a role gate, a decorator or dependency before a check in a
    view's body, then the most used."""
    counts: Counter[Guard] = Counter(g for r in routes for g in r.guards[:1])
    return max(counts, key=lambda g: (not g.role, g.kind != "check", counts[g]))


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


_WRITE_ATTRS = frozenset({
    "save", "create", "update", "delete", "add", "commit", "merge", "bulk_create", "bulk_update", "get_or_create",
    "update_or_create", "insert_one", "insert_many", "update_one", "update_many", "delete_one", "delete_many",
    "replace_one", "find_one_and_update", "find_one_and_delete",
})


def _writes_data(handler: cst.CSTNode) -> bool:
    return any(isinstance(n, cst.Attribute) and n.attr.value in _WRITE_ATTRS for n in walk(handler))


def _principal_only(handler: cst.CSTNode) -> bool:
    """Every data call goes through the caller (``request.user.delete()``): an anonymous caller reaches nothing."""
    calls = [n for n in walk(handler) if isinstance(n, cst.Attribute) and n.attr.value in _DATA_ATTRS]
    return bool(calls) and all(_mentions_principal(n.value) for n in calls)
