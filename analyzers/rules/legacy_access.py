"""AR1xx (access control on routes): who may call each endpoint."""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from typing import Any

import libcst as cst

from ..context import FileContext
from .. import markup
from ..datamodel import holds_user_data, is_user_model, model_expressions, owned_by_users, resolve_model, user_field
from ..endpoints import endpoints
from ..findings import Confidence, Fix, Severity
from ..routes import STATE_CHANGING, Guard, Route, definition, discover
from ..routes_django import DjangoRoute, _class_member, _url_index, class_attribute, class_info, discover_django
from ..rule import Invalid, Rule
from ..walk import walk
from ._common import add_dict_element, add_keyword

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
_SIGNATURE_CALLS = frozenset({"hmac.compare_digest", "secrets.compare_digest", "hmac.new", "hmac.digest", "hmac.HMAC",
                              "stripe.Webhook.construct_event", "stripe.WebhookSignature.verify_header"})
_VERIFIES = re.compile(r"(?:verif|signature|construct_event|validate_(?:request|webhook)|check_sig|is_valid_request|"
                       r"^validate$)", re.IGNORECASE)
# Files that may declare or handle routes: decorators, url rules, endpoints, Django/DRF views.
ROUTE_FILES = re.compile(r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|add_url_rule|HTTPEndpoint|"
                         r"from starlette|starlette\.routing|from django\.(?:http|shortcuts|views)|rest_framework")
_PUBLIC_MARKER = re.compile(r"#\s*auth-review:\s*public\b", re.IGNORECASE)
# Calls that read or write stored data.
_DATA_ATTRS = frozenset({
    "query", "objects", "execute", "scalars", "scalar", "get_or_404", "first_or_404", "one_or_404", "filter_by",
    "add", "delete", "commit", "merge", "save", "find", "find_one", "insert_one", "insert_many", "update_one",
    "update_many", "delete_one", "delete_many", "aggregate", "bulk_create", "get_object_or_404", "get_list_or_404",
    "fetch_all", "fetch_one", "fetch_val", "fetchrow", "fetchval", "fetchall", "fetchone",  # databases, asyncpg, DB-API
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
    prefilter = ROUTE_FILES
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
        if any(fnmatch.fnmatch(route.path or "", glob) for glob in self.ctx.config.public_routes):
            return True
        if not _PUBLIC_MARKER.search(self.ctx.source.text):
            return False  # no marker anywhere: spare the position pass
        handler = route.handler
        first = self.ctx.position(handler.decorators[0] if handler.decorators else handler).start.line
        header = self.ctx.lines[max(0, first - 1) : self.ctx.position(handler.name).start.line]
        return bool(text) and any(_PUBLIC_MARKER.search(line) for line in header)

    def _report(self, route: Route, routes: list[Route], anchor: cst.ClassDef | None = None) -> None:
        siblings = [r for r in routes if r.owner == route.owner and r is not route]
        pool = siblings if any(r.authenticated for r in siblings) else [r for r in routes if r is not route]
        guarded = [r for r in pool if r.authenticated]
        guard = _most_common_guard(guarded)
        where = markup.code(route.owner) if pool is siblings else "this module"
        evidence = f"{len(guarded)} of {len(pool) + 1} routes on {where} use {markup.code(guard.name)}"
        share = len(guarded) / max(1, len(pool))
        confidence = Confidence.HIGH if share >= 0.6 and len(guarded) >= 2 else Confidence.MEDIUM
        changes = any(m in STATE_CHANGING for m in route.methods)
        severity = Severity.HIGH if changes or confidence is Confidence.HIGH else Severity.MEDIUM
        fix = self._fix(route, guard, guarded) if anchor is None else None
        self.report(
            anchor.name if anchor is not None else route.handler.name,
            f"{markup.code(route.label)} reads or changes stored data with no authentication guard, while {evidence}; "
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


def django_routes_here(ctx: FileContext) -> list[DjangoRoute]:
    """Django/DRF routes whose view is defined in this file: routed by a urlconf, or declared a view."""
    if ctx.project is None and "django" not in ctx.source.text and "rest_framework" not in ctx.source.text:
        return []
    routes: list[DjangoRoute] = []
    seen: set[tuple[int, tuple[str, ...]]] = set()
    for route in discover_django(ctx):
        if route.handler_path != ctx.path:
            continue
        key = (id(route.handler), route.methods)
        if key not in seen:
            seen.add(key)
            routes.append(route)
    return routes


def _open_functions(ctx: FileContext, route: DjangoRoute, methods: tuple[str, ...]) -> dict[str, cst.FunctionDef]:
    """The functions of this file that answer the unguarded methods."""
    if isinstance(route.handler, cst.FunctionDef):
        return {m: route.handler for m in methods}
    info = class_info(ctx, route.handler)
    found = {}
    for method in methods:
        member = _class_member(info, route.actions.get(method, method.lower()))
        if member is not None and member[0].path == ctx.path:
            found[method] = member[1]
    return found


_WRITING_VIEWS = re.compile(r"(?:Create|Update|Delete|Destroy|Form)(?:API)?View$|^ModelViewSet$|Model(?:Create|Update|"
                            r"Destroy)Mixin$|ListCreate")


def _generic_write(ctx: FileContext, route: DjangoRoute) -> bool:
    """A generic editing view (``CreateView``, ``UpdateAPIView``, ``ModelViewSet``) writes through inherited code."""
    if not isinstance(route.handler, cst.ClassDef):
        return False
    return any(_WRITING_VIEWS.search(tail) for tail in class_info(ctx, route.handler).tails())


def _django_evidence(ctx: FileContext, routes: list[DjangoRoute]) -> tuple[Guard, str] | None:
    """The guard the project's other views use, and where that was counted."""
    guarded = [r for r in routes if any(r.guards_for(m) for m in r._methods())]
    if guarded:
        guard = _most_common_guard(guarded)
        return guard, f"this module's other views ({len(guarded)} of {len(routes)})"
    if ctx.project is None:
        return None
    counts = _project_django_guards(ctx.project)
    if not counts:
        return None
    (guard, count), total = counts.most_common(1)[0], sum(counts.values())
    return guard, f"{count} of the project's guarded views"


def _project_django_guards(project: Any) -> Counter[Guard]:
    """First guards of every routed Django view in the project (built once per project)."""
    cached = project.cache.get("django_guard_counts")
    if cached is None:
        cached = Counter()
        for path in sorted({e.handler_path for e in _url_index(project).entries if e.handler_path}):
            other = project.context_for_path(path)
            if other is None:
                continue
            for route in django_routes_here(other):
                guards = [g for m in route._methods() for g in route.guards_for(m)]
                if guards:
                    cached[guards[0]] += 1
        project.cache["django_guard_counts"] = cached
    return cached


def _owner_scope(ctx: FileContext, endpoint: Any, flow: Any, load: Any) -> tuple[str, str] | None:
    """The owner filter to add, in the project's own words: the column and principal expression the file's
    other handlers scope this model (or any model) by, when that expression reads here too; else the
    model's relation to the user model with the framework's principal."""
    from ..flow import HandlerFlow

    names = {p.name.value for p in (*endpoint.function.params.params, *endpoint.function.params.kwonly_params)}
    usable = lambda value: (_root_name(value) in names or _root_name(value) in ctx.index.imports)  # noqa: E731
    same_model: tuple[str, str] | None = None
    any_model: tuple[str, str] | None = None
    scopes = ctx.cache.get("owner_scopes")
    if scopes is None:  # every handler's owner filters, read once per file
        scopes = ctx.cache["owner_scopes"] = []
        for other in endpoints(ctx):
            other_flow = HandlerFlow.build(ctx, other.function, other.framework)
            scopes += [(other.function, other_load.model, key.field, key.value) for other_load in other_flow.loads
                       for key in other_load.keys if key.field and other_flow.is_current_user(key.value)]
    for function, model, field, value in scopes:
        if function is not endpoint.function and usable(value):
            found = (field, ctx.code(value))
            if model == load.model and same_model is None:
                same_model = found
            any_model = any_model or found
    if same_model or (any_model and load.model is None):
        return same_model or any_model
    models = model_expressions(load.call)
    field = user_field(ctx, models[0]) if models else None
    if field is None:
        return any_model
    if endpoint.framework in ("django", "drf") and "request" in names:
        return field, "request.user"
    if endpoint.framework in ("django", "drf") and "self" in names:
        return field, "self.request.user"
    return None


def _root_name(expr: cst.BaseExpression) -> str | None:
    while isinstance(expr, (cst.Attribute, cst.Call, cst.Subscript)):
        expr = expr.func if isinstance(expr, cst.Call) else expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _scope_fix(ctx: FileContext, load: Any, scope: tuple[str, str]) -> Fix | None:
    """Add the owner filter to the lookup itself, so a foreign object is simply not found (404)."""
    field, value = scope
    call = load.call
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    if load.kind == "mongo":
        if call.args and isinstance(call.args[0].value, cst.Dict):
            new_filter = add_dict_element(call.args[0].value, f'"{field}"', value)
            return ctx.replace(call.args[0].value, new_filter, f"scope the lookup by {field}")
        return None
    if name in ("get_or_404", "get") and isinstance(func, cst.Attribute) and len(call.args) == 1 \
            and call.args[0].keyword is None and isinstance(func.value, cst.Attribute) and func.value.attr.value == "query":
        finder = "first_or_404" if name == "get_or_404" else "first"
        text = f"{ctx.code(func.value)}.filter_by(id={ctx.code(call.args[0].value)}, {field}={value}).{finder}()"
        return ctx.replace(call, cst.parse_expression(text), f"scope the lookup by {field}")
    keyworded = any(a.keyword is not None for a in call.args)
    if name in ("get_object_or_404", "get", "filter", "filter_by", "first_or_404", "aget_object_or_404") and keyworded:
        return ctx.replace(call, add_keyword(call, field, value), f"scope the lookup by {field}")
    return None


_OBJECT_VIEWS = re.compile(r"^(?:Detail|Update|Delete)View$|^(?:ReadOnly)?ModelViewSet$|^Retrieve\w*APIView$|"
                           r"^(?:Update|Destroy)APIView$|^(?:Retrieve|Update|Destroy)ModelMixin$")


def _source_statement(cls: cst.ClassDef) -> cst.Assign | None:
    """The class's own ``queryset = ...`` (or ``model = ...``) assignment."""
    found: dict[str, cst.Assign] = {}
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                        isinstance(small.targets[0].target, cst.Name):
                    found.setdefault(small.targets[0].target.value, small)
    return found.get("queryset") or found.get("model")


def _mentions_principal(expr: cst.BaseExpression) -> bool:
    return any(isinstance(n, cst.Attribute) and n.attr.value == "user" for n in (expr, *walk(expr)))


# Permission classes that check identity or role only, never the object.
_IDENTITY_PERMISSIONS = frozenset({"IsAuthenticated", "IsAuthenticatedOrReadOnly", "AllowAny", "IsAdminUser",
                                   "DjangoModelPermissions", "DjangoModelPermissionsOrAnonReadOnly"})


def _object_permission(ctx: FileContext, info: Any) -> bool:
    """Something may check the object that ``get_object()`` loads: a permission class that defines
    ``has_object_permission`` (or one we cannot read, e.g. ``DjangoObjectPermissions``, a package's own),
    ``filter_backends`` (``get_object()`` filters the queryset through them), or a base class from
    outside Django and DRF (a mixin of the project's own library)."""
    if class_attribute(info, "filter_backends") is not None:
        return True
    if any(not name.startswith(("django.", "rest_framework.")) for name in info.external):
        return True
    found = class_attribute(info, "permission_classes")
    if found is None:
        return False
    owner_ctx, value = found
    elements = value.elements if isinstance(value, (cst.List, cst.Tuple)) else [cst.Element(value)]
    for element in elements:
        node = element.value
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return True  # ``IsOwner | IsAdminUser`` and the like: not ours to second-guess
        resolved = resolve_model(owner_ctx, node)
        if resolved is None:
            if (owner_ctx.qualname(node) or owner_ctx.code(node)).rsplit(".", 1)[-1] not in _IDENTITY_PERMISSIONS:
                return True
        elif any(isinstance(s, cst.FunctionDef) and s.name.value == "has_object_permission"
                 for s in resolved[1].body.body):
            return True
    return False


def _loads_a_user(ctx: FileContext, call: cst.Call) -> bool:
    return any(is_user_model(ctx, model) for model in model_expressions(call))


def verifies_signature(ctx: FileContext, handler: cst.CSTNode, depth: int = 0) -> bool:
    """The handler (or a function it calls, one level down) checks an HMAC or a provider's signature."""
    for node in walk(handler):
        if not isinstance(node, cst.Call):
            continue
        qualname = ctx.qualname(node.func) or ""
        if qualname in _SIGNATURE_CALLS:
            return True
        name = qualname.rsplit(".", 1)[-1] or (node.func.attr.value if isinstance(node.func, cst.Attribute) else "")
        if _VERIFIES.search(name):
            return True
        if depth == 0:
            called = definition(ctx, node.func)  # a helper here or in another module (``from .security import ...``)
            if called is not None and called[1] is not handler and verifies_signature(called[0], called[1], 1):
                return True
    return False


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
    prefilter = ROUTE_FILES
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
        # The fix scopes the lookup the way the file's other handlers do, and keeps the 404.
        Invalid(
            "from flask import Flask\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n"
            "    return jsonify(Note.query.filter_by(owner_id=current_user.id).all())\n"
            "@app.delete('/notes/<int:note_id>')\n@login_required\ndef delete_note(note_id):\n"
            "    note = Note.query.get_or_404(note_id)\n    db.session.delete(note)\n",
            fixed="from flask import Flask\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
            "@app.get('/notes')\n@login_required\ndef notes():\n"
            "    return jsonify(Note.query.filter_by(owner_id=current_user.id).all())\n"
            "@app.delete('/notes/<int:note_id>')\n@login_required\ndef delete_note(note_id):\n"
            "    note = Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()\n"
            "    db.session.delete(note)\n",
        ),
        # Django: the model's relation to the user model names the owner column.
        Invalid(
            "from django.conf import settings\nfrom django.contrib.auth.decorators import login_required\n"
            "from django.db import models\nfrom django.http import JsonResponse\n"
            "from django.shortcuts import get_object_or_404\n"
            "class Invoice(models.Model):\n    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"
            "@login_required\ndef invoice(request, pk):\n"
            "    return JsonResponse({'total': get_object_or_404(Invoice, pk=pk).total})\n",
            fixed="from django.conf import settings\nfrom django.contrib.auth.decorators import login_required\n"
            "from django.db import models\nfrom django.http import JsonResponse\n"
            "from django.shortcuts import get_object_or_404\n"
            "class Invoice(models.Model):\n    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"
            "@login_required\ndef invoice(request, pk):\n"
            "    return JsonResponse({'total': get_object_or_404(Invoice, pk=pk, customer=request.user).total})\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        from ..flow import HandlerFlow

        for endpoint in endpoints(self.ctx):
            route = endpoint.route
            if not endpoint.authenticated or endpoint.role_checked:
                continue
            where = f"{route.path or ''} {route.name} {route.owner or ''} {self.ctx.path.rsplit('/', 1)[-1][:-3]}"
            if _ADMIN_ROUTE.search(where):
                continue  # acting on other users' objects is the point; a missing role check is AR103's finding
            flow = HandlerFlow.build(self.ctx, endpoint.function, endpoint.framework)
            if flow.role_checked:
                continue
            for load in flow.loads:
                if load.superseded or not flow.loads_by_client_id(load) or flow.scoped_to_user(load):
                    continue
                models = model_expressions(load.call)
                if models and all(owned_by_users(self.ctx, m) is False for m in models):
                    continue  # rows nobody owns (a product, a tag): any signed-in user may load them
                keys = flow.client_keys(load)
                if any(_USER_KEY.search(k.field or "") for k in keys) or _loads_a_user(self.ctx, load.call):
                    continue  # a client-chosen *user*: the caller picks an identity (AR104) or manages users (AR103)
                key = next(iter(keys), None)
                source = flow.client_source_markdown(key.value) if key is not None else None
                what = markup.code(load.model) if load.model else "an object"
                scope = _owner_scope(self.ctx, endpoint, flow, load)
                advice = markup.code(f'{scope[0]}={scope[1]}') if scope else "`owner_id=<current user>.id`"
                self.report(
                    load.call,
                    f"{markup.code(endpoint.label)} loads {what} by {source or 'a client-supplied id'} and never checks that it "
                    f"belongs to the current user: any signed-in user can reach anyone's; scope the query by owner "
                    f"({advice}) and answer 404",
                    fix=_scope_fix(self.ctx, load, scope) if scope else None,
                )
                break  # one finding per handler: the first unscoped load
        self._implicit_loads()

    def _implicit_loads(self) -> None:
        """Generic object views (``DetailView``, ``RetrieveAPIView``, model ViewSets) load by the URL's pk from
        ``queryset``/``model``: unscoped, with no ``get_queryset``/``get_object`` override and no object-level
        permission, any signed-in user reaches any user's object."""
        seen: set[int] = set()
        for route in django_routes_here(self.ctx):
            cls = route.handler
            if not isinstance(cls, cst.ClassDef) or id(cls) in seen:
                continue
            seen.add(id(cls))
            if not route.authenticated or route.role_checked or _ADMIN_ROUTE.search(f"{route.path or ''} {route.name}"):
                continue
            info = class_info(self.ctx, cls)
            if not any(_OBJECT_VIEWS.search(t) for t in info.tails()) or any(
                    _class_member(info, name) for name in ("get_queryset", "get_object", "test_func")):
                continue
            if _object_permission(self.ctx, info):
                continue
            statement = _source_statement(cls)
            if statement is None or _mentions_principal(statement.value):
                continue
            models = model_expressions(statement)
            if not models or any(is_user_model(self.ctx, m) for m in models) or \
                    not any(owned_by_users(self.ctx, m) for m in models):
                continue
            target = self.ctx.code(statement.targets[0].target)
            self.report(statement, f"{markup.code(route.label)} loads {markup.code(self.ctx.code(models[0]))} objects by the URL's id from "
                        f"{markup.code(target)} with no owner filter, no `get_queryset()` and no object permission: any signed-in "
                        f"user reaches anyone's; override `get_queryset()` to filter by `self.request.user`")


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
        from ..flow import HandlerFlow

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
                _through_an_object(receiver) or _mentions_principal(receiver):
            continue
        return f"a destructive bulk action ({markup.code(text.split('(', 1)[0] + '...' + method + '()')})"
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
