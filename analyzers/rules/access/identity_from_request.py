"""AR104 identity-from-request: a user id the client sent (body, query, header, cookie) used as the
acting user: the owner/author of what the handler creates, or the "whose data" of what it lists."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from ... import markup
from ...context import FileContext, FileFact
from ...findings import Confidence, Fix, Severity
from ...frameworks import (
    Framework,
    HandlerFlow,
    Load,
    Origin,
    RouteHandler,
    names_in,
    names_user_model,
    route_handlers,
    tail_text,
    unparenthesize,
)
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from ._shared import _field_core, _through_values, _under_role_test

# --- handlers ---------------------------------------------------------------------------

_ROUTE_HINT = re.compile(r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|add_url_rule|HTTPEndpoint|"
                         r"api_view|APIView|ViewSet|View\)|Mixin\b|def \w+\(\s*(?:self,\s*)?request\b|"
                         r"\bRequest\b|web\.Request")


# --- small helpers ---------------------------------------------------------------------------


def _id_suffixed(name: str) -> bool:
    words = split_words(name)
    return len(words) > 1 and words[-1] in ("id", "pk", "uuid", "guid")


_CASTS = frozenset({"int", "str", "UUID", "ObjectId", "PydanticObjectId", "float", "Decimal"})


def _unwrap(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``int(x)``, ``str(x)``, ``await x`` -> ``x``."""
    expr = unparenthesize(expr)
    while isinstance(expr, cst.Call) and tail_text(expr.func) in _CASTS and len(expr.args) == 1 \
            and expr.args[0].keyword is None and not expr.args[0].star:
        expr = unparenthesize(expr.args[0].value)
    return expr


# Fields that name who did something: set from the client, the caller picks the identity.
_ACTING = frozenset({
    "owner", "author", "creator", "created_by", "createdby", "submitted_by", "submitter", "posted_by", "poster",
    "uploaded_by", "uploader", "sender", "requester", "requested_by", "reporter", "reported_by", "actor",
    "issued_by", "updated_by", "modified_by", "deleted_by", "edited_by", "added_by", "written_by", "placed_by",
    "buyer", "purchaser", "payer", "seller", "commenter",
})
# Fields that name a user in general: the acting one on an order or a note, another one on a membership.
_USERISH_FIELDS = frozenset({"user", "customer", "account"})
# Filters that mean "my rows" when set to the caller.
_FILTER_FIELDS = frozenset({"owner", "user", "customer", "buyer", "account", "purchaser", "payer", "created_by"})
# Models and collections about a relation to *another* user: its user field is the target, not the actor.
_TARGET_WORDS = frozenset({
    "member", "members", "membership", "memberships", "invite", "invites", "invitation", "invitations", "invitee",
    "share", "shares", "sharing", "follow", "follows", "follower", "followers", "following", "friend", "friends",
    "friendship", "grant", "grants", "permission", "permissions", "role", "roles", "assignment", "assignments",
    "assignee", "access", "collaborator", "collaborators", "block", "blocks", "mention", "mentions", "notification",
    "notifications", "message", "messages", "recipient", "recipients", "participant", "participants", "attendee",
    "attendees", "contact", "contacts", "team", "teams", "group", "groups", "referral", "referrals", "transfer",
    "transfers", "gift", "gifts", "delegate", "delegation", "impersonation", "seat", "seats", "enrollment",
})
# Models whose rows are one user's business (their orders, notes, cart): "whose" must be the caller.
_PRIVATE_WORDS = frozenset({
    "order", "orders", "invoice", "invoices", "cart", "carts", "basket", "payment", "payments", "address",
    "addresses", "note", "notes", "document", "documents", "transaction", "transactions", "booking", "bookings",
    "reservation", "reservations", "subscription", "subscriptions", "wallet", "wallets", "card", "cards", "bank",
    "balance", "notification", "notifications", "setting", "settings", "preference", "preferences", "draft",
    "drafts", "inbox", "file", "files", "upload", "uploads", "expense", "expenses", "todo", "todos", "appointment",
    "appointments", "prescription", "prescriptions", "record", "records", "statement", "statements", "purchase",
    "purchases", "receipt", "receipts", "payout", "payouts", "credential", "credentials", "key", "keys", "token",
    "tokens", "session", "sessions", "device", "devices", "favorite", "favorites", "favourite", "favourites",
    "bookmark", "bookmarks", "wishlist", "history", "activity", "journal", "diary", "dashboard",
})
_PUBLIC_KEYS = frozenset({"is_public", "public", "published", "is_published", "visibility", "visible", "is_visible",
                          "listed", "is_listed", "shared", "is_shared"})
_WRITE_METHODS = frozenset({
    "create", "acreate", "get_or_create", "update_or_create", "save", "insert", "insert_one", "insert_many",
    "values", "bulk_create", "add", "replace_one", "update_one", "update_many", "find_one_and_update", "put_item",
    "set", "push", "update",
})
_RESPONSES = frozenset({"jsonify", "JsonResponse", "JSONResponse", "Response", "make_response", "ORJSONResponse",
                        "UJSONResponse", "json_response", "HttpResponse", "render", "render_template",
                        "TemplateResponse", "dumps"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print",
                          "capture_message", "set_user", "set_tag", "set_context", "bind", "record", "emit"})


# Keys that name the acting user outright, whatever the model (``_acting_kind`` knows the model's fields).
_CALLER_KEYS = frozenset({"username", "user", "user_id", "userid", "uid", "email", "owner", "owner_id", "author",
                          "author_id", "account_id", "sub"})
_AUTH_HELPER_WORDS = frozenset({"authenticate", "authenticated", "identify", "whoami", "auth"})


def _acting_kind(name: str) -> str | None:
    """``strong`` for ``author_id``-like fields, ``weak`` for ``user_id``-like ones, else None."""
    core = _field_core(name)
    if core in _ACTING:
        return "strong"
    if core in _USERISH_FIELDS:
        return "weak"
    return None


def _targets_another_user(name: str | None) -> bool:
    return bool(name) and bool(set(split_words(name)) & _TARGET_WORDS)


@dataclass
class _Sink:
    """Somewhere the acting user belongs: a field of a new object, or the owner filter of a read."""

    kind: str  # write | filter
    field: str
    value: cst.BaseExpression
    what: str | None  # the model, collection or callee, for the message
    siblings: list[cst.BaseExpression]  # the other values written or filtered together with it
    load: Load | None = None


@dataclass
class _Trace:
    extract: cst.BaseExpression  # the expression that reads the id from the request
    origin: Origin
    names: set[str]  # locals the value passed through
    user_load: cst.Call | None = None  # ``get_object_or_404(User, pk=<client id>)`` it went through


def _user_scoped_models(ctx: FileContext) -> set[str]:
    """Models some handler of this file loads scoped to the current user."""
    scoped: set[str] = set()
    for handler in route_handlers(ctx):
        flow = handler.flow(ctx)
        for load in flow.loads:
            if load.model and not load.principal_root and flow.scoped_to_user(load) and any(
                    flow.is_current_user(k.value) for k in load.keys):
                scoped.add(load.model)
    return scoped


_SCOPED_MODELS = FileFact("payloads.scoped_models", _user_scoped_models)


class IdentityFromRequest(Rule):
    """What it does: flags authenticated handlers that take a user id from the request body, query
    string, headers or cookies and use it as the acting user: as the owner, author or creator of
    what they create (``Comment(author_id=payload["author_id"])``), or as the "whose rows" filter of
    what they return (``Order.objects.filter(user_id=request.GET["user_id"])``); also a dict that
    holds the caller (``{"username": authenticate(request)}``) and then takes the whole body with
    ``.update(request.get_json())``, so the body can replace the caller.
    Not flagged: admin and role-checked routes (acting on other users is their job), reads of
    another user's rows that may be public (filters with ``is_public``/``published``, or on a model
    that is neither private by name, like orders or invoices, nor scoped to the caller by another
    handler of the file, when the rows are only read), relations to another user
    (memberships, invitations, follows, messages: their user field is the target, not the actor), ids
    compared with the caller before use, path parameters (resource ids, AR102's topic), and handlers
    with no authenticated principal at all (nothing to use instead; AR101 covers missing
    authentication).

    Why is this bad: the caller is authenticated, but the code trusts the id they send instead of
    the one their session or token proves: anyone can post as anyone, place orders in another
    customer's name or read another user's dashboard by changing one field.

    Example:
        @bp.post("/projects/<int:project_id>/comments")
        @jwt_required()
        def add_comment(project_id):
            data = request.get_json()
            author_id = data.get("author_id")
            db.session.add(Comment(project_id=project_id, author_id=author_id, body=data["body"]))

    Use instead:
        @bp.post("/projects/<int:project_id>/comments")
        @jwt_required()
        def add_comment(project_id):
            data = request.get_json()
            author_id = get_jwt_identity()
            db.session.add(Comment(project_id=project_id, author_id=author_id, body=data["body"]))
    """

    id = "AR104"
    name = "identity-from-request"
    title = "Acting user taken from the request"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    cwe = 639
    prefilter = (
        _ROUTE_HINT,
        re.compile(r"owner|author|creat|user|customer|account|buyer|sender|submit|upload|posted|request|actor|"
                   r"_by\b|payer|purchaser|seller", re.IGNORECASE),
        # ...and a value the client sends: request data, FastAPI parameters or a request schema.
        re.compile(r"request\.|get_json|Body\(|Query\(|Header\(|Cookie\(|Form\(|fastapi|BaseModel|Schema|payload"),
    )
    in_tests = False

    VALID = [
        # The identity is set after the body is merged: it wins.
        "from flask import Flask, request, jsonify\nfrom flask_login import current_user, login_required\n"
        "app = Flask(__name__)\n@app.post('/posts')\n@login_required\ndef create_post():\n"
        "    data = dict(request.get_json())\n    data.update({'author_id': current_user.id})\n"
        "    db.posts.insert_one(data)\n    return jsonify(ok=True)\n",
        # The author is the signed-in user.
        "from flask import Blueprint, request\nfrom flask_login import current_user, login_required\n"
        "bp = Blueprint('c', __name__)\n"
        "@bp.post('/comments')\n@login_required\ndef add():\n    data = request.get_json()\n"
        "    db.session.add(Comment(author_id=current_user.id, body=data['body']))\n",
        # Admins create objects for other users on purpose.
        "from flask import Blueprint, request\nfrom flask_security import roles_required\n"
        "bp = Blueprint('c', __name__)\n"
        "@bp.post('/notes')\n@roles_required('admin')\ndef add():\n"
        "    db.session.add(Note(owner_id=request.json['owner_id'], body=request.json['body']))\n",
        # Adding another user to a project: the user is the target of the relation.
        "from flask import Blueprint, request\nfrom flask_login import current_user, login_required\n"
        "bp = Blueprint('c', __name__)\n"
        "@bp.post('/projects/<int:pid>/members')\n@login_required\ndef add_member(pid):\n"
        "    project = Project.query.filter_by(id=pid, owner_id=current_user.id).first_or_404()\n"
        "    db.session.add(Membership(project_id=project.id, user_id=request.json['user_id']))\n",
        # Compared with the caller before use: that is the check.
        "from flask import Blueprint, request, abort\nfrom flask_login import current_user, login_required\n"
        "bp = Blueprint('c', __name__)\n"
        "@bp.get('/orders')\n@login_required\ndef orders():\n    uid = request.args.get('user_id', type=int)\n"
        "    if uid != current_user.id:\n        abort(403)\n    return Order.query.filter_by(user_id=uid).all()\n",
        # Another user's public posts.
        "from flask import Blueprint, request\nfrom flask_login import login_required\nbp = Blueprint('c', __name__)\n"
        "@bp.get('/posts')\n@login_required\ndef posts():\n"
        "    return Post.query.filter_by(owner_id=request.args['user'], is_public=True).all()\n",
        # No authenticated principal anywhere: nothing to use instead (AR101's topic if it should be guarded).
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/guestbook')\ndef sign():\n"
        "    db.session.add(Entry(author=request.form['author'], text=request.form['text']))\n",
        # A path parameter names the resource, not the actor.
        "from flask import Blueprint\nfrom flask_login import login_required\nbp = Blueprint('c', __name__)\n"
        "@bp.get('/users/<int:user_id>/posts')\n@login_required\ndef posts(user_id):\n"
        "    return Post.query.filter_by(author_id=user_id).all()\n",
        # The owner hands an existing project over to someone else: a transfer, not an identity.
        "from flask import Blueprint, request\nfrom flask_login import current_user, login_required\n"
        "bp = Blueprint('c', __name__)\n@bp.post('/projects/<int:pid>/transfer')\n@login_required\n"
        "def transfer(pid):\n    project = Project.query.filter_by(id=pid, owner_id=current_user.id).first_or_404()\n"
        "    project.owner_id = request.json['new_owner_id']\n",
        # Only staff may look at another customer's orders.
        "from rest_framework import viewsets\nfrom rest_framework.permissions import IsAuthenticated\n"
        "class Orders(viewsets.ReadOnlyModelViewSet):\n    permission_classes = [IsAuthenticated]\n"
        "    def get_queryset(self):\n        user_id = self.request.query_params.get('user_id')\n"
        "        if user_id and self.request.user.is_staff:\n            return Order.objects.filter(customer_id=user_id)\n"
        "        return Order.objects.filter(customer=self.request.user)\n",
        # A contact form's sender is an e-mail address, not the acting user's id.
        "from flask import Blueprint, request\nfrom flask_login import login_required\nbp = Blueprint('c', __name__)\n"
        "@bp.post('/contact')\n@login_required\ndef contact():\n"
        "    mail.send(Message(sender=request.form['email'], body=request.form['body']))\n",
    ]
    INVALID = [
        # The body is merged over the identity the handler established.
        Invalid(
            "from flask import Flask, request, jsonify\nfrom flask_login import current_user, login_required\n"
            "app = Flask(__name__)\n@app.post('/posts')\n@login_required\ndef create_post():\n"
            "    data = {'author_id': current_user.id}\n    data.update(request.get_json())\n"
            "    db.posts.insert_one(data)\n    return jsonify(ok=True)\n",
        ),
        Invalid(
            "from flask import Blueprint, request\nfrom flask_jwt_extended import get_jwt_identity, jwt_required\n"
            "bp = Blueprint('c', __name__)\n"
            "@bp.post('/projects/<int:project_id>/comments')\n@jwt_required()\ndef add_comment(project_id):\n"
            "    data = request.get_json()\n    author_id = data.get('author_id')\n"
            "    db.session.add(Comment(project_id=project_id, author_id=author_id, body=data['body']))\n"
            "@bp.get('/me')\n@jwt_required()\ndef me():\n    return User.query.get(get_jwt_identity()).to_public()\n",
            fixed="from flask import Blueprint, request\nfrom flask_jwt_extended import get_jwt_identity, jwt_required\n"
            "bp = Blueprint('c', __name__)\n"
            "@bp.post('/projects/<int:project_id>/comments')\n@jwt_required()\ndef add_comment(project_id):\n"
            "    data = request.get_json()\n    author_id = get_jwt_identity()\n"
            "    db.session.add(Comment(project_id=project_id, author_id=author_id, body=data['body']))\n"
            "@bp.get('/me')\n@jwt_required()\ndef me():\n    return User.query.get(get_jwt_identity()).to_public()\n",
        ),
        Invalid(
            "from django.contrib.auth.decorators import login_required\nfrom django.shortcuts import render\n"
            "@login_required\ndef my_orders(request):\n"
            "    orders = Order.objects.filter(user_id=request.GET['user_id'])\n"
            "    return render(request, 'orders.html', {'orders': orders})\n",
            fixed="from django.contrib.auth.decorators import login_required\nfrom django.shortcuts import render\n"
            "@login_required\ndef my_orders(request):\n"
            "    orders = Order.objects.filter(user_id=request.user.pk)\n"
            "    return render(request, 'orders.html', {'orders': orders})\n",
        ),
        Invalid(
            "from rest_framework.decorators import api_view, permission_classes\n"
            "from rest_framework.permissions import IsAuthenticated\nfrom django.shortcuts import get_object_or_404\n"
            "from django.contrib.auth import get_user_model\nUser = get_user_model()\n"
            "@api_view(['POST'])\n@permission_classes([IsAuthenticated])\ndef add_review(request, pk):\n"
            "    product = get_object_or_404(Product, pk=pk)\n"
            "    author = get_object_or_404(User, pk=request.data['user_id'])\n"
            "    Review.objects.create(product=product, author=author, text=request.data['text'])\n",
            fixed="from rest_framework.decorators import api_view, permission_classes\n"
            "from rest_framework.permissions import IsAuthenticated\nfrom django.shortcuts import get_object_or_404\n"
            "from django.contrib.auth import get_user_model\nUser = get_user_model()\n"
            "@api_view(['POST'])\n@permission_classes([IsAuthenticated])\ndef add_review(request, pk):\n"
            "    product = get_object_or_404(Product, pk=pk)\n"
            "    author = request.user\n"
            "    Review.objects.create(product=product, author=author, text=request.data['text'])\n",
        ),
        Invalid(
            "from fastapi import APIRouter, Depends\nfrom pydantic import BaseModel\nfrom app.deps import get_current_user\n"
            "router = APIRouter()\nclass NoteIn(BaseModel):\n    owner_id: int\n    text: str\n"
            "@router.post('/notes')\ndef create(payload: NoteIn, user=Depends(get_current_user)):\n"
            "    note = Note(owner_id=payload.owner_id, text=payload.text)\n    session.add(note)\n",
            fixed="from fastapi import APIRouter, Depends\nfrom pydantic import BaseModel\nfrom app.deps import get_current_user\n"
            "router = APIRouter()\nclass NoteIn(BaseModel):\n    owner_id: int\n    text: str\n"
            "@router.post('/notes')\ndef create(payload: NoteIn, user=Depends(get_current_user)):\n"
            "    note = Note(owner_id=user.id, text=payload.text)\n    session.add(note)\n",
        ),
        # A Starlette endpoint (routed from another module) writing a Mongo document.
        Invalid(
            "from starlette.requests import Request\nfrom starlette.responses import JSONResponse\n"
            "from .auth import require_user\n"
            "async def add_comment(request: Request):\n    user = request.user\n    body = await request.json()\n"
            "    author_id = str(body['author_id'])\n"
            "    await db.comments.insert_one({'author_id': author_id, 'text': str(body['text']), 'by': user.display_name})\n"
            "    return JSONResponse({'ok': True}, status_code=201)\n",
        ),
        # A header the client sets names the user.
        Invalid(
            "from flask import Flask, request\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/cart')\n@login_required\ndef cart():\n    uid = request.headers['X-User-Id']\n"
            "    return {'items': [i.sku for i in CartItem.query.filter_by(user_id=uid)]}\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        handlers = route_handlers(self.ctx)
        principal_forms: _PrincipalForms | None = None
        for handler in handlers:
            if handler.role_checked or handler.privileged:
                continue
            flow = handler.flow(self.ctx)
            if not handler.authenticated and not flow.principal_expressions() and not _principal_parameter(flow):
                self._payload_over_identity(handler, flow)  # the handler may authenticate the caller itself
                continue  # no authenticated principal to use instead
            if flow.role_checked:
                continue
            reported: set[int] = set()
            self._payload_over_identity(handler, flow)
            for sink in self._sinks(flow):
                trace = self._trace(flow, sink.value, set(), 0)
                if trace is None or trace.origin.kind == "path parameter":
                    continue
                if not _identity_value(sink, trace):
                    continue  # ``sender=request.form["email"]``: a name or an address, not the acting user's id
                if flow.checked_against_principal({n for n in trace.names if n}):
                    continue
                if self._sibling_principal(flow, sink, trace) or _under_role_test(flow, sink.value):
                    continue
                unit = flow.unit_of(trace.extract) or flow.unit_of(sink.value)
                inline = unit is flow.unit_of(sink.value)  # read from the request right where it is used
                anchor = unit if isinstance(unit, cst.BaseSmallStatement) and not inline else trace.extract
                if id(anchor) in reported:
                    continue
                reported.add(id(anchor))
                if principal_forms is None:
                    principal_forms = _PrincipalForms.collect(self.ctx, handlers)
                self._report(handler, flow, sink, trace, anchor, principal_forms)

    # --- the payload written over the caller ------------------------------------------------
    def _payload_over_identity(self, handler: RouteHandler, flow: HandlerFlow) -> None:
        """``data = {"username": authenticate(request)}`` then ``data.update(request.get_json())``: whatever the
        body says replaces the identity the handler established (``{**payload, "username": ...}`` is the safe
        order)."""
        identities: dict[str, tuple[str, str]] = {}  # local -> (key, how the caller was established)
        for node in walk(flow.function.body):
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) \
                    and isinstance(node.value, cst.Dict):
                for element in node.value.elements:
                    if not isinstance(element, cst.DictElement):
                        continue
                    key = self.ctx.string(element.key)
                    if key is not None and (key in _CALLER_KEYS or _acting_kind(key) is not None) \
                            and self._establishes_caller(flow, element.value):
                        identities[node.targets[0].target.value] = (key, self.ctx.code(element.value))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                    and node.func.attr.value == "update" and isinstance(node.func.value, cst.Name) \
                    and node.func.value.value in identities and len(node.args) == 1 and node.args[0].keyword is None:
                payload = node.args[0].value
                if flow.is_client(payload) and flow.may_be_structured(payload):
                    key, how = identities[node.func.value.value]
                    self.report(node, f"{markup.code(handler.label)} puts the caller ({markup.code(how)}) in "
                                      f"{markup.code(node.func.value.value + '[' + repr(key) + ']')}, then "
                                      f"{markup.code(self.ctx.code(node))} lets the request body replace it: any caller "
                                      f"can act as another user; merge the body first and set {markup.code(key)} last "
                                      f"(or copy only the fields you expect)", confidence=Confidence.HIGH)
                    return

    def _establishes_caller(self, flow: HandlerFlow, value: cst.BaseExpression) -> bool:
        """The signed-in user, or a helper handed the request that authenticates it (``authenticate(request)``)."""
        if flow.is_current_user(value):
            return True
        if isinstance(value, cst.Await):
            value = value.expression
        return isinstance(value, cst.Call) and bool(set(split_words(tail_text(value.func))) & _AUTH_HELPER_WORDS) \
            and any(isinstance(a.value, cst.Name) and a.value.value in ("request", "req") for a in value.args)

    # --- sinks --------------------------------------------------------------------------
    def _sinks(self, flow: HandlerFlow) -> Iterator[_Sink]:
        ctx = self.ctx
        load_calls: dict[int, Load] = {}
        for load in flow.loads:
            for call_id in load.chain:
                load_calls[call_id] = load
        for load in flow.loads:
            if names_user_model(load.model) or _targets_another_user(load.model):
                continue
            keys = [k for k in load.keys if k.field != "**"]
            if any(_field_core(k.field) in _PUBLIC_KEYS or k.field in _PUBLIC_KEYS for k in keys):
                continue
            if flow.scoped_to_user(load):
                continue
            if not self._private_model(load.model) and not self._modified(flow, load):
                continue  # "comments by user 7" may well be public; "orders of user 7" or deleting them is not
            for key in keys:
                if _field_core(key.field.split("__")[0]) in _FILTER_FIELDS:
                    yield _Sink("filter", key.field, key.value, load.model,
                                [k.value for k in keys if k is not key], load)
        persisted = self._persisted_names(flow)
        for node in walk(flow.function.body):
            if isinstance(node, cst.Call):
                if id(node) in load_calls or self._is_log_or_response(node):
                    continue
                callee = tail_text(node.func)
                model_call = callee[:1].isupper() or callee in _WRITE_METHODS
                what = self._model_of_call(node)
                for arg in node.args:
                    if arg.keyword is None:
                        continue
                    kind = _acting_kind(arg.keyword.value)
                    if kind is None or (kind == "weak" and (not model_call or _targets_another_user(what))):
                        continue
                    siblings = [a.value for a in node.args if a is not arg]
                    yield _Sink("write", arg.keyword.value, arg.value, what, siblings)
            elif isinstance(node, cst.Dict) and id(node) in persisted:
                what = persisted.get(id(node))
                for element in node.elements:
                    if not isinstance(element, cst.DictElement):
                        continue
                    key = ctx.string(element.key)
                    kind = _acting_kind(key) if key else None
                    if kind is None or (kind == "weak" and _targets_another_user(what)):
                        continue
                    siblings = [e.value for e in node.elements if e is not element]
                    yield _Sink("write", key, element.value, what, siblings)  # type: ignore[arg-type]
            elif isinstance(node, cst.Assign):
                for target in node.targets:
                    target_node = target.target
                    if isinstance(target_node, cst.Attribute) and _acting_kind(target_node.attr.value) is not None:
                        what = self._new_object(flow, target_node.value)
                        if what is not None:
                            yield _Sink("write", target_node.attr.value, node.value, what, [])

    def _new_object(self, flow: HandlerFlow, expr: cst.BaseExpression) -> str | None:
        """The model of an object this handler builds (``comment = Comment(...)``; ``form.instance``), else None.

        Setting the owner of a row that already exists is a transfer to another user, a feature of its own.
        """
        if isinstance(expr, cst.Attribute) and expr.attr.value in ("instance", "object"):
            return None if flow.is_current_user(expr) else "the form's object"
        if not isinstance(expr, cst.Name) or flow.is_current_user(expr):
            return None
        for value in flow.values_of(expr):
            value = unparenthesize(value)
            if isinstance(value, cst.Call) and tail_text(value.func)[:1].isupper() and flow.load(value) is None:
                return tail_text(value.func)
        return None

    def _private_model(self, model: str | None) -> bool:
        """Rows that belong to one user: by name (orders, invoices, carts...), or because another handler of this
        file scopes the same model to the caller (``Project.query.filter_by(owner_id=current_user.id)``)."""
        if not model:
            return False
        if set(split_words(model)) & _PRIVATE_WORDS:
            return True
        return model in _SCOPED_MODELS.get(self.ctx)

    @staticmethod
    def _modified(flow: HandlerFlow, load: Load) -> bool:
        """The selected rows are deleted or changed, not only read."""
        if tail_text(load.call.func) in ("delete", "update", "adelete", "aupdate", "delete_one", "delete_many",
                                     "update_one", "update_many", "find_one_and_update", "find_one_and_delete"):
            return True
        targets = load.targets
        if not targets:
            return False
        for node in walk(flow.function.body):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                if node.func.attr.value in ("delete", "save", "update", "adelete", "asave") and \
                        names_in(node.func.value) & targets:
                    return True
                if node.func.attr.value in ("delete", "merge") and any(names_in(a.value) & targets for a in node.args):
                    return True
            elif isinstance(node, cst.Assign):
                for target in node.targets:
                    if isinstance(target.target, (cst.Attribute, cst.Subscript)) and \
                            names_in(target.target) & targets:
                        return True
        return False

    def _model_of_call(self, call: cst.Call) -> str | None:
        """``Comment`` for ``Comment(...)`` or ``Comment.objects.create(...)``; ``comments`` for
        ``db.comments.insert_one(...)``."""
        func = call.func
        if tail_text(func)[:1].isupper():
            return tail_text(func)
        expr: cst.BaseExpression = func
        while isinstance(expr, (cst.Attribute, cst.Call)):
            expr = expr.value if isinstance(expr, cst.Attribute) else expr.func
            name = tail_text(expr)
            if name[:1].isupper() or (isinstance(expr, cst.Attribute) and name not in ("objects", "query")):
                return name
        return tail_text(func) or None

    def _is_log_or_response(self, call: cst.Call) -> bool:
        name = tail_text(call.func)
        return name in _LOG_METHODS or name in _RESPONSES

    def _persisted_names(self, flow: HandlerFlow) -> dict[int, str]:
        """Dict literals written to the database (inline or through a local), with the target's name."""
        found: dict[int, str] = {}
        for node in walk(flow.function.body):
            if not isinstance(node, cst.Call) or tail_text(node.func) not in _WRITE_METHODS and \
                    not tail_text(node.func)[:1].isupper():
                continue
            what = self._model_of_call(node) or ""
            for arg in node.args:
                for value in self._dict_values(flow, arg.value, 0):
                    found[id(value)] = what
        return found

    def _dict_values(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> Iterator[cst.Dict]:
        expr = unparenthesize(expr)
        if depth > 3:
            return
        if isinstance(expr, cst.Dict):
            yield expr
            for element in expr.elements:  # {"$set": {...}}
                if isinstance(element, cst.DictElement) and (self.ctx.string(element.key) or "").startswith("$"):
                    yield from self._dict_values(flow, element.value, depth + 1)
        elif isinstance(expr, cst.Name):
            for value in flow.values_of(expr):
                yield from self._dict_values(flow, value, depth + 1)

    # --- tracing the value back to the request -------------------------------------------
    def _trace(self, flow: HandlerFlow, expr: cst.BaseExpression, names: set[str], depth: int) -> _Trace | None:
        if depth > 8:
            return None
        expr = unparenthesize(expr)
        if isinstance(expr, cst.Name):
            if flow.is_parameter(expr):
                origin = flow.client_origin(expr)
                return _Trace(expr, origin, names | {expr.value}) if origin is not None else None
            traced = names | {expr.value}
            return _through_values(flow, expr, lambda value: self._trace(flow, value, traced, depth + 1))
        if isinstance(expr, cst.BooleanOperation):
            return self._trace(flow, expr.left, names, depth + 1) or self._trace(flow, expr.right, names, depth + 1)
        if isinstance(expr, cst.IfExp):
            return self._trace(flow, expr.body, names, depth + 1) or self._trace(flow, expr.orelse, names, depth + 1)
        unwrapped = _unwrap(expr)
        if unwrapped is not expr:
            return self._trace(flow, unwrapped, names, depth + 1)
        if isinstance(expr, cst.Attribute) and expr.attr.value in ("id", "pk", "uuid") and \
                flow.client_origin(expr) is None:
            return self._trace(flow, expr.value, names, depth + 1)
        if isinstance(expr, cst.Call):
            load = flow.load(expr)
            if load is not None and id(expr) in load.chain:
                if not names_user_model(load.model):
                    return None
                for key in load.keys:
                    if key.field.split("__")[0] in ("id", "pk", "_id", "uuid", "username", "email", "user_id"):
                        found = self._trace(flow, key.value, names, depth + 1)
                        if found is not None:
                            found.user_load = found.user_load or load.call
                            return found
                return None
        origin = flow.client_origin(expr)
        if origin is None:
            return None
        return _Trace(expr, origin, names)

    def _sibling_principal(self, flow: HandlerFlow, sink: _Sink, trace: _Trace) -> bool:
        """Another field of the same object or filter is the caller's identity (``follower_id=current_user.id``):
        the client's user is the target of a relation. (The caller's display name next to it does not count.)"""
        for value in sink.siblings:
            if names_in(value) & trace.names:
                continue
            value = _unwrap(value)
            if not flow.is_current_user(value) or flow.client_origin(value) is not None:
                continue
            if _is_id_form(value) or (isinstance(value, cst.Name)) or (
                    isinstance(value, cst.Attribute) and value.attr.value in ("user", "current_user", "principal")):
                return True
        return False

    # --- report ------------------------------------------------------------------------------
    def _report(self, handler: RouteHandler, flow: HandlerFlow, sink: _Sink, trace: _Trace, anchor: cst.CSTNode,
                forms: _PrincipalForms) -> None:
        origin = trace.origin
        source = f"{origin.kind} {markup.code(origin.text)}" if origin.kind else markup.code(origin.text)
        what = markup.code(sink.what) if sink.what else "the object"
        principal = forms.best(handler, flow)
        if sink.kind == "filter":
            problem = (f"selects {what} rows by {markup.code(sink.field)} = {source}, a user id the client chose, instead of "
                       f"the signed-in user: any caller can read or change another user's rows")
        else:
            problem = (f"sets {markup.code(sink.field)} of {what} from {source} instead of the signed-in user: any caller can "
                       f"act as another user")
        whole_user = trace.user_load is not None and flow.unit_of(trace.user_load) is flow.unit_of(trace.extract)
        if principal is None or (whole_user and not principal[0]):
            advice = "use the authenticated user"
        else:
            advice = f"use {markup.code(principal[0] if whole_user else principal[1])}"
        fix = self._fix(flow, trace, principal) if principal is not None else None
        confidence = Confidence.HIGH if handler.authenticated and sink.kind == "write" and \
            _acting_kind(sink.field) == "strong" else Confidence.MEDIUM
        self.report(anchor, f"{markup.code(handler.label)} {problem}; {advice}", fix=fix, confidence=confidence)

    def _fix(self, flow: HandlerFlow, trace: _Trace, principal: tuple[str, str]) -> Fix | None:
        obj, ident = principal
        extract = trace.extract
        if isinstance(extract, cst.Name):
            return None  # a parameter used as is: the signature is the caller's to change
        unit = flow.unit_of(extract)
        if trace.user_load is not None and flow.unit_of(trace.user_load) is unit:
            if not obj:
                return None
            return self.ctx.replace(trace.user_load, obj, "use the signed-in user")
        # ``request.POST.get("user_id") or request.user.pk``: keep the caller's side only.
        if unit is not None:
            for node in walk(unit):
                if isinstance(node, cst.BooleanOperation) and extract in (node.left, node.right):
                    other = node.right if extract is node.left else node.left
                    if flow.is_current_user(other) and flow.client_origin(other) is None:
                        return self.ctx.replace(node, self.ctx.code(other), "use the signed-in user")
        return self.ctx.replace(extract, ident, "use the signed-in user")


_ORIGIN_KEY = re.compile(r"""(?:\[['"]([^'"\]]+)['"]\]|\.(\w+)(?:\(\))?)$""")


def _origin_key(text: str) -> str | None:
    """``request.json['author_id']`` -> ``author_id``; ``payload.owner_id`` -> ``owner_id``; ``user_id`` -> itself."""
    match = _ORIGIN_KEY.search(text)
    if match:
        return match.group(1) or match.group(2)
    return text if text.isidentifier() else None


def _identity_value(sink: _Sink, trace: _Trace) -> bool:
    """The client value is a user id (or a user loaded by one), not a display name or an e-mail address."""
    if trace.user_load is not None or _id_suffixed(sink.field):
        return True
    key = _origin_key(trace.origin.text)
    if key is None:
        return False
    return bool(set(split_words(key)) & {"id", "pk", "uuid", "uid", "guid", "userid"}) or \
        _field_core(key) in ("user", "owner", "customer", "account", "buyer")


@dataclass
class _PrincipalForms:
    """How this file writes the signed-in user (``current_user``) and their id (``current_user.id``)."""

    objects: Counter[str] = field(default_factory=Counter)
    ids: Counter[str] = field(default_factory=Counter)
    imported: tuple[str, str] | None = None

    @classmethod
    def collect(cls, ctx: FileContext, handlers: list[RouteHandler]) -> _PrincipalForms:
        forms = cls()
        for handler in handlers:
            _count_forms(handler.flow(ctx), forms.objects, forms.ids)
        for local, qual in ctx.index.imports.items():
            tail = qual.rsplit(".", 1)[-1]
            if qual in ("flask_login.current_user", "flask_jwt_extended.current_user", "flask_security.current_user"):
                forms.imported = (local, f"{local}.id")
            elif forms.imported is None and qual in ("flask_jwt_extended.get_jwt_identity",):
                forms.imported = ("", f"{local}()")
            elif forms.imported is None and re.fullmatch(r"(?:get_)?current_user_id", tail):
                forms.imported = ("", f"{local}()")
        return forms

    def best(self, handler: RouteHandler, flow: HandlerFlow) -> tuple[str, str] | None:
        """(object form or "", id form) to use in ``handler``."""
        local_ids: Counter[str] = Counter()
        local_objects: Counter[str] = Counter()
        _count_forms(flow, local_objects, local_ids)
        request = _request_param(flow)
        if handler.framework in (Framework.DJANGO, Framework.DRF) and request is not None:
            return f"{request}.user", f"{request}.user.pk"
        if handler.framework == Framework.FASTAPI and not local_objects:
            param = _principal_parameter(flow)
            if param is not None:
                local_objects[param] += 1
        obj = _most(local_objects) or _most(self.objects)
        ident = _most(local_ids)
        if ident is None and obj is not None and not obj.endswith(")") and handler.framework not in (
                Framework.STARLETTE, Framework.AIOHTTP):  # Starlette's ``request.user`` need not have an ``id``
            ident = f"{obj}.id"
        ident = ident or _most(self.ids)
        if ident is None and self.imported is not None:
            return self.imported
        if ident is None:
            return None
        return obj or "", ident


def _count_forms(flow: HandlerFlow, objects: Counter[str], ids: Counter[str]) -> None:
    """Count the plain ways the handler names the caller and their id (not inside calls' callees)."""
    for expr in flow.principal_expressions():
        stack: list[cst.CSTNode] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.BaseExpression) and _canonical(flow, node):
                code = flow.ctx.code(node)
                if _is_id_form(node):
                    ids[code] += 1
                elif isinstance(node, (cst.Name, cst.Attribute)):
                    objects[code] += 1
            if isinstance(node, cst.Attribute):
                stack.append(node.value)
            elif isinstance(node, cst.Call):
                stack.extend(a.value for a in node.args)


def _principal_parameter(flow: HandlerFlow) -> str | None:
    """A handler parameter that is the caller (a FastAPI ``Depends(get_current_user)``)."""
    params = flow.function.params
    for param in (*params.params, *params.kwonly_params):
        if param.name.value not in ("self", "cls") and flow.is_current_user(cst.Name(param.name.value)):
            return param.name.value
    return None


def _most(counter: Counter[str]) -> str | None:
    return counter.most_common(1)[0][0] if counter else None


def _request_param(flow: HandlerFlow) -> str | None:
    params = [p for p in flow.function.params.params if p.name.value not in ("self", "cls")]
    if params and (params[0].name.value in ("request", "req") or flow.framework in (Framework.DJANGO, Framework.DRF)):
        return params[0].name.value
    if flow.function.params.params and flow.function.params.params[0].name.value == "self":
        return "self.request"
    return None


def _is_id_form(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Attribute):
        return node.attr.value in ("id", "pk", "uuid")
    if isinstance(node, cst.Call):
        words = split_words(tail_text(node.func))
        return not node.args and ("id" in words or "identity" in words)
    return False


def _canonical(flow: HandlerFlow, node: cst.BaseExpression) -> bool:
    """A plain way to name the caller (``current_user``, ``request.user.pk``, ``user.id``, ``get_jwt_identity()``),
    not something computed from the request (``buyer`` loaded by a client id) or a bigger expression."""
    if not isinstance(node, (cst.Name, cst.Attribute, cst.Call)):
        return False
    if isinstance(node, cst.Call) and (node.args or not isinstance(node.func, (cst.Name, cst.Attribute))):
        return False
    if not flow.is_current_user(node) or flow.client_origin(node) is not None:
        return False
    for inner in walk(node):
        if isinstance(inner, (cst.Subscript, cst.Call)) and inner is not node:
            return False
    root: cst.BaseExpression = node.func if isinstance(node, cst.Call) else node
    while isinstance(root, cst.Attribute):
        root = root.value
    if isinstance(root, cst.Name):
        for value in flow.values_of(root):
            if flow.client_origin(value) is not None or any(
                    flow.client_origin(n) is not None for n in walk(value) if isinstance(n, cst.BaseExpression)):
                return False  # ``buyer = get_object_or_404(User, pk=buyer_id)``: the caller only on one path
    return True
