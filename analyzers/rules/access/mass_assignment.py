"""AR105 mass-assignment: a model created or updated from the whole request payload (or from a
schema/serializer/form that lets the client write privileged fields)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Fix, Severity
from ...frameworks import (
    SCHEMA_LOADERS,
    ClassModel,
    Framework,
    HandlerFlow,
    RouteHandler,
    Writable,
    adminish,
    class_attr,
    class_model,
    classes_in,
    guard_for_decorator,
    is_user_model,
    model_fields_of,
    names_in,
    names_user_model,
    resolve_class,
    route_handlers,
    tail_text,
    unparenthesize,
    writable_info,
)
from ...project import Project, ProjectFact
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from .._common import add_keyword, remove_keyword
from ._shared import _field_core, _through_values, _under_role_test, handler_parents

# --- the class model: ORM models, schemas, serializers, forms ---------------------------------


def _class_model_of(ctx: FileContext, expr: cst.BaseExpression, kinds: tuple[str, ...]) -> ClassModel | None:
    """The model of the class ``expr`` names, when its kind is one of ``kinds`` (``schema``, ``model``...)."""
    resolved = resolve_class(ctx, expr)
    if resolved is None:
        return None
    model = class_model(*resolved)
    return model if model.kind in kinds else None


# Fields a client must not set on their own: roles and flags, ownership, verification, money, secrets.
_PRIVILEGED = frozenset({
    "role", "roles", "is_admin", "admin", "is_staff", "staff", "is_superuser", "superuser", "is_moderator",
    "moderator", "permissions", "user_permissions", "groups", "scopes", "is_verified", "verified", "email_verified",
    "is_email_verified", "is_approved", "approved", "is_featured", "featured", "balance", "credits", "is_premium",
    "plan", "tier", "password_hash", "hashed_password", "api_key", "totp_secret", "otp_secret", "is_paid", "paid",
})
_PRIVILEGED_CORES = frozenset({"owner", "user", "author", "creator", "created_by", "customer", "tenant",
                               "organization", "org"})
_DUMP_METHODS = frozenset({"dict", "model_dump"})
_COPY_METHODS = frozenset({"copy", "to_dict", "dict", "items", "deepcopy"})
_WHOLE_CONTAINER = re.compile(
    r"\.(?:form|args|values|POST|GET|query_params|query|data|json|get_json\(\)|json\(\)|form\(\)|post\(\)|"
    r"body|get_data\(\)|media)(?:\.(?:to_dict|dict|copy|items)\(\))?$")
_MONGO_WRITES = frozenset({"insert_one", "insert_many", "replace_one", "update_one", "update_many",
                           "find_one_and_update", "find_one_and_replace"})


_SCHEMA_SUFFIXES = frozenset({"schema", "create", "update", "in", "out", "request", "response", "payload", "body",
                              "dto", "params", "input", "form", "serializer", "query", "filter", "args", "config",
                              "settings", "event", "message", "error", "exception", "command", "patch", "read",
                              "public", "base", "model_in", "data", "options"})


def _target_key(ctx: FileContext, target: cst.Subscript) -> str | None:
    if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
        return ctx.string(target.slice[0].slice.value)
    return None


def _privileged(name: str, userish: bool) -> bool:
    return name in _PRIVILEGED or _field_core(name) in _PRIVILEGED_CORES or (name == "is_active" and userish)


# Fields that grant privileges: a client that sets one on its own account becomes an administrator.
_PRIVILEGE_FLAGS = frozenset({"admin", "is_admin", "is_staff", "staff", "is_superuser", "superuser", "is_superadmin",
                              "superadmin", "is_moderator", "moderator", "is_root", "is_privileged"})
_PRIVILEGE_NAMES = frozenset({"role", "roles", "user_role", "user_roles", "permissions", "user_permissions", "groups",
                              "access_level", "privileges", "privilege"})
# A value that grants a role: ``"admin"``, ``Role.SUPERUSER``, ``"owner"``.
_PRIVILEGED_VALUE = re.compile(r"admin|staff|super|moderator|owner|root|sudo|manager|maintainer", re.IGNORECASE)
# Rows that tie a user to a role in a team or project (``Membership``, ``ProjectMember``, ``UserRole``).
_MEMBERSHIP = re.compile(r"Member|Role|Collaborat|Permission|Grant", re.IGNORECASE)
_CREATE_METHODS = frozenset({"create", "acreate", "get_or_create", "aget_or_create", "update_or_create",
                             "aupdate_or_create", "create_user", "acreate_user"})
# Calls that convert a value without choosing it: ``str2bool(x)``, ``to_bool(x)``, ``int(x)``.
_CASTS = frozenset({"bool", "int", "str", "strtobool", "boolean", "truthy", "lower", "strip"})


def _privilege_kind(field_name: str) -> str | None:
    """``flag`` (``is_admin``: any truthy value grants it), ``role`` (``role``: only some values do), else None."""
    if field_name in _PRIVILEGE_FLAGS:
        return "flag"
    if field_name in _PRIVILEGE_NAMES or _field_core(field_name) in ("role", "roles", "user_role"):
        return "role"
    return None


def _manager_expr(receiver: cst.BaseExpression) -> cst.BaseExpression | None:
    """``User`` for ``User.objects`` / ``User.objects.filter(...)`` / ``User.query``."""
    expr: cst.BaseExpression = receiver
    while True:
        expr = unparenthesize(expr)
        if isinstance(expr, cst.Call):
            expr = expr.func
        elif isinstance(expr, cst.Attribute):
            if expr.attr.value in ("objects", "query", "_default_manager", "all_objects") and \
                    tail_text(expr.value)[:1].isupper():
                return expr.value
            expr = expr.value
        else:
            return None


def _origin_text(flow: HandlerFlow, expr: cst.BaseExpression) -> str | None:
    origin = flow.client_origin(expr)
    return origin.text if origin is not None else None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:47] + "..."


_DENY_CALLS = frozenset({"abort", "HTTPException", "PermissionDenied", "Forbidden", "HttpResponseForbidden",
                         "HTTPForbidden", "ValidationError", "BadRequest", "HttpResponseBadRequest"})


def _denies(parents: dict[int, cst.CSTNode], test: cst.CSTNode) -> bool:
    """The ``if`` testing ``test`` refuses the request in its body."""
    node = test
    parent = parents.get(id(node))
    while parent is not None and not isinstance(parent, cst.If):
        if isinstance(parent, (cst.BaseSuite, cst.SimpleStatementLine)):
            return False
        node, parent = parent, parents.get(id(parent))
    if parent is None or parent.test is not node:
        return False
    for inner in walk(parent.body):
        if isinstance(inner, (cst.Raise, cst.Return)):
            return True
        if isinstance(inner, cst.Call) and tail_text(inner.func) in _DENY_CALLS:
            return True
    return False


@dataclass
class _Payload:
    """Data a model is built from: the whole request (any key), or a schema's fields."""

    text: str  # for messages
    privileged: list[str]  # known privileged keys the client may set (empty: unknown, "any")
    schema: ClassModel | None = None
    dump: cst.Call | None = None  # ``payload.model_dump(...)``, where a fix can exclude the fields


class MassAssignment(Rule):
    """What it does: flags models created or updated from the whole request payload
    (``Model(**request.json)``, ``Model.objects.create(**request.data)``, ``query.update(request.json)``,
    ``for k, v in data.items(): setattr(obj, k, v)``, a Mongo ``{"$set": body}``), from a schema that carries privileged
    fields (``Item(**payload.model_dump())`` where the schema has ``owner_id`` or ``is_admin``), and
    DRF serializers, Django model forms and edit views that leave such fields writable
    (``fields = "__all__"``, or a listed ``owner``/``is_staff`` not in ``read_only_fields``), and a single
    privilege field the client picks for its own account: a user created or updated with ``admin``, ``is_staff``,
    ``role``... taken from the request (``User(..., role=data["role"])``, ``current_user.is_admin =
    form.is_admin.data``, ``Membership(user=request.user, role=...)``), or granted under an ``if`` on the
    request (``if data["admin"]: admin = True``).
    Not flagged: explicit allow-lists (``{k: data[k] for k in ALLOWED}``, a ``setattr`` loop over a
    constant list or guarded by ``if k in ALLOWED``), payloads whose privileged keys are popped first,
    schemas and serializers whose writable fields are all harmless (or that the view sets itself, as
    ``serializer.save(owner=request.user)`` in a create-only view), validated data of a serializer or
    form (its own fields decide), admin and role-checked routes, and admin serializers and forms; a role
    checked against an allow-list without privileged values, and privileges granted on a comparison with a
    server-side value (an invitation code).

    Why is this bad: the client chooses which columns to write. A sign-up or profile form that
    accepts ``{"is_admin": true}`` or ``{"owner_id": 7}`` lets any user grant themselves a role, verify
    their own e-mail or move objects to another account (mass assignment, OWASP API6).

    Example:
        @bp.post("/projects")
        @jwt_required()
        def create_project():
            project = Project(**request.get_json())

    Use instead:
        @bp.post("/projects")
        @jwt_required()
        def create_project():
            data = request.get_json()
            project = Project(name=data["name"], description=data.get("description", ""))
    """

    id = "AR105"
    name = "mass-assignment"
    title = "Model written from the whole request payload"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    cwe = 915
    prefilter = (
        re.compile(r"\*\*|setattr|update|\.values\(|insert_|replace_one|fields\s*=|exclude\s*=|"
                   # ...or a privilege field written one by one: ``admin=...``, ``user.role = ...``
                   r"(?:admin|staff|superuser|moderator|root|privileged|roles?|role_id|permissions|groups|"
                   r"access_level|privileges?)[\"']?\s*[=:]"),
        # ...and a payload to take it from, or a schema, serializer or form that writes a model.
        re.compile(r"request\.(?:json|get_json|form|data|POST|values|body|args|GET|query_params|stream|media|"
                   r"match_info)|get_json|await request|Body\(|model_dump|\.dict\(|validated_data|cleaned_data|"
                   r"Serializer|ModelForm|Schema|BaseModel|SQLModel|UpdateView|CreateView|FormView|[\"']__all__[\"']|"
                   r"payload|fastapi|validate_on_submit"),
    )
    in_tests = False

    VALID = [
        # An explicit allow-list.
        "from flask import Blueprint, request\nfrom flask_login import login_required, current_user\n"
        "bp = Blueprint('p', __name__)\nEDITABLE = ('name', 'bio')\n"
        "@bp.patch('/me')\n@login_required\ndef update_me():\n    data = request.get_json()\n"
        "    for field in EDITABLE:\n        if field in data:\n            setattr(current_user, field, data[field])\n"
        "    project = Project(**{k: data[k] for k in EDITABLE if k in data})\n",
        # A guarded loop over the payload.
        "from flask import Blueprint, request\nfrom flask_login import login_required, current_user\n"
        "bp = Blueprint('p', __name__)\nALLOWED = {'name', 'bio'}\n"
        "@bp.patch('/me')\n@login_required\ndef update_me():\n"
        "    for key, value in request.get_json().items():\n        if key in ALLOWED:\n"
        "            setattr(current_user, key, value)\n",
        # A schema whose fields are all harmless.
        "from fastapi import APIRouter\nfrom pydantic import BaseModel\nrouter = APIRouter()\n"
        "class ItemCreate(BaseModel):\n    title: str\n    description: str | None = None\n"
        "class Item(Base):\n    __tablename__ = 'items'\n"
        "@router.post('/items')\ndef create(payload: ItemCreate, user=Depends(get_user)):\n"
        "    item = Item(**payload.model_dump(), owner_id=user.id)\n",
        # Privileged fields excluded from the dump.
        "from fastapi import APIRouter\nfrom pydantic import BaseModel\nrouter = APIRouter()\n"
        "class UserUpdate(BaseModel):\n    name: str\n    is_admin: bool = False\n"
        "@router.patch('/me')\ndef update(payload: UserUpdate, user=Depends(get_user)):\n"
        "    for k, v in payload.model_dump(exclude={'is_admin'}).items():\n        setattr(user, k, v)\n",
        # Validated data of a serializer: its fields decide.
        "from rest_framework.decorators import api_view\n@api_view(['POST'])\ndef create(request):\n"
        "    serializer = NoteSerializer(data=request.data)\n    serializer.is_valid(raise_exception=True)\n"
        "    Note.objects.create(owner=request.user, **serializer.validated_data)\n",
        # A plain dict is updated, not a model.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/preview')\ndef preview():\n"
        "    context = {'title': 'Preview'}\n    context.update(request.get_json())\n    return render(context)\n",
        # Serializer with the owner read-only.
        "from rest_framework import serializers\nclass NoteSerializer(serializers.ModelSerializer):\n"
        "    class Meta:\n        model = Note\n        fields = ['id', 'owner', 'text']\n        read_only_fields = ['owner']\n",
        # Privileged keys stripped first (a deny-list), and a WTForms form's data (its own fields).
        "from flask import Blueprint, request\nfrom flask_login import login_required, current_user\n"
        "bp = Blueprint('p', __name__)\n@bp.post('/notes')\n@login_required\ndef create():\n"
        "    data = request.get_json()\n    data.pop('owner_id', None)\n    data.pop('is_admin', None)\n"
        "    note = Note(**data, owner_id=current_user.id)\n    form = NoteForm(request.form)\n"
        "    other = Note(**form.data)\n    db.session.add(note)\n",
        # A create-only view whose form sets the owner itself.
        "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.db import models\n"
        "from django.views.generic import CreateView\n"
        "class Note(models.Model):\n    owner = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n"
        "    text = models.TextField()\n"
        "class NoteCreate(LoginRequiredMixin, CreateView):\n    model = Note\n    fields = ['owner', 'text']\n"
        "    def form_valid(self, form):\n        form.instance.owner = self.request.user\n"
        "        return super().form_valid(form)\n",
        # Roles set by an administrator, a harmless flag from the client, a flag the server decides.
        "from flask import Blueprint, abort, request\nfrom flask_login import login_required, current_user\n"
        "from .models import User, db\nbp = Blueprint('u', __name__)\n"
        "@bp.post('/users')\n@login_required\ndef create_user():\n    if not current_user.is_admin:\n"
        "        abort(403)\n    user = User(username=request.form['username'], role=request.form['role'])\n"
        "    db.session.add(user)\n"
        "@bp.post('/register')\ndef register():\n    data = request.get_json()\n    admin = False\n"
        "    user = User(username=data['username'], is_active=data['active'], admin=admin)\n"
        "    if data.get('newsletter'):\n        user.is_subscribed = True\n    db.session.add(user)\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Blueprint, request\nfrom flask_jwt_extended import jwt_required\n"
            "bp = Blueprint('p', __name__)\n"
            "@bp.post('/projects')\n@jwt_required()\ndef create_project():\n    data = request.get_json() or {}\n"
            "    project = Project(**data)\n    db.session.add(project)\n",
        ),
        Invalid(
            "from flask import Blueprint, request\nfrom flask_login import login_required, current_user\n"
            "bp = Blueprint('p', __name__)\n"
            "@bp.patch('/me')\n@login_required\ndef update_me():\n"
            "    for key, value in request.get_json().items():\n        if key != 'csrf_token':\n"
            "            setattr(current_user, key, value)\n",
        ),
        Invalid(
            "from fastapi import APIRouter\nfrom pydantic import BaseModel\nrouter = APIRouter()\n"
            "class UserUpdate(BaseModel):\n    full_name: str | None = None\n    is_admin: bool | None = None\n"
            "@router.patch('/me')\ndef update(payload: UserUpdate, user=Depends(get_user)):\n"
            "    for k, v in payload.model_dump(exclude_unset=True).items():\n        setattr(user, k, v)\n",
            fixed="from fastapi import APIRouter\nfrom pydantic import BaseModel\nrouter = APIRouter()\n"
            "class UserUpdate(BaseModel):\n    full_name: str | None = None\n    is_admin: bool | None = None\n"
            "@router.patch('/me')\ndef update(payload: UserUpdate, user=Depends(get_user)):\n"
            "    for k, v in payload.model_dump(exclude_unset=True, exclude={\"is_admin\"}).items():\n"
            "        setattr(user, k, v)\n",
        ),
        Invalid(
            "from rest_framework.decorators import api_view\n@api_view(['POST'])\ndef create_order(request):\n"
            "    order = Order.objects.create(**request.data)\n    return Response({'id': order.pk})\n",
        ),
        Invalid(
            "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.db import models\n"
            "from django.views.generic import UpdateView\n"
            "class Address(models.Model):\n    user = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n"
            "    line1 = models.CharField(max_length=200)\n"
            "class AddressUpdate(LoginRequiredMixin, UpdateView):\n    model = Address\n    fields = ['user', 'line1']\n",
            fixed="from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.db import models\n"
            "from django.views.generic import UpdateView\n"
            "class Address(models.Model):\n    user = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n"
            "    line1 = models.CharField(max_length=200)\n"
            "class AddressUpdate(LoginRequiredMixin, UpdateView):\n    model = Address\n    fields = ['line1']\n",
        ),
        Invalid(
            "from starlette.authentication import requires\nfrom starlette.responses import JSONResponse\n"
            "@requires('authenticated')\nasync def update_profile(request):\n    changes = await request.json()\n"
            "    await db.users.update_one({'_id': request.user.id}, {'$set': changes})\n"
            "    return JSONResponse({'ok': True})\n",
        ),
        Invalid(
            "from rest_framework import serializers\nclass ProjectSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n        model = Project\n        fields = ['id', 'owner', 'name']\n",
            fixed="from rest_framework import serializers\nclass ProjectSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n        model = Project\n        fields = ['id', 'owner', 'name']\n"
            "        read_only_fields = [\"owner\"]\n",
        ),
        Invalid(
            "from flask import Blueprint, request\nfrom .models import User, db\nbp = Blueprint('u', __name__)\n"
            "@bp.post('/register')\ndef register():\n    data = request.get_json()\n    if data['admin']:\n"
            "        admin = True\n    else:\n        admin = False\n"
            "    user = User(username=data['username'], admin=admin)\n    db.session.add(user)\n",
            fixed="from flask import Blueprint, request\nfrom .models import User, db\nbp = Blueprint('u', __name__)\n"
            "@bp.post('/register')\ndef register():\n    data = request.get_json()\n    if data['admin']:\n"
            "        admin = True\n    else:\n        admin = False\n"
            "    user = User(username=data['username'])\n    db.session.add(user)\n",
            confidence=Confidence.HIGH,
        ),
        Invalid(
            "from django.contrib.auth.models import User\nfrom django.http import JsonResponse\n"
            "from django.views.decorators.http import require_POST\n"
            "@require_POST\ndef signup(request):\n"
            "    user = User.objects.create_user(request.POST['username'], password=request.POST['password'])\n"
            "    user.is_staff = request.POST.get('staff') == 'on'\n    user.save()\n"
            "    return JsonResponse({'id': user.pk})\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        for handler in route_handlers(self.ctx):
            if handler.role_checked or handler.privileged:
                continue
            flow = handler.flow(self.ctx)
            if flow.role_checked:
                continue
            for child in walk(handler.function.body):
                if isinstance(child, cst.Call):
                    if not self._check_call(handler, flow, child):
                        self._check_privilege_call(handler, flow, child)
                elif isinstance(child, cst.Assign):
                    self._check_privilege_assign(handler, flow, child)
                elif isinstance(child, cst.For):
                    self._check_loop(handler, flow, child)
        self._check_classes()

    # --- calls ------------------------------------------------------------------------
    def _check_call(self, handler: RouteHandler, flow: HandlerFlow, call: cst.Call) -> bool:
        """Report a write of the whole payload; True when reported."""
        target = self._write_target(flow, call)
        if target is None or _under_role_test(flow, call):
            return False
        name, verb = target
        method = tail_text(call.func)
        collection = re.search(r"`([^`]+)`", name)
        if verb == "writes to" and not (handler.authenticated or flow.principal_expressions()
                                        or names_user_model(collection.group(1) if collection else name)):
            return False  # a schemaless collection in an app with no users: nothing privileged to set
        candidates: list[cst.BaseExpression] = [a.value for a in call.args if a.star == "**"]
        defaults = self.ctx.keyword(call, "defaults")
        if defaults is not None and method in ("update_or_create", "get_or_create", "aupdate_or_create"):
            candidates.append(defaults.value)
        if method in ("update", "values", "replace_one", "insert_one", "insert_many", "update_from_dict",
                      "sqlmodel_update", "populate_from_dict") or method in _MONGO_WRITES:
            positional = [a.value for a in call.args if a.keyword is None and not a.star]
            if method in ("replace_one", "update_one", "update_many", "find_one_and_update", "find_one_and_replace"):
                positional = positional[1:2]
            else:
                positional = positional[:1]
            for value in positional:
                value = unparenthesize(value)
                if isinstance(value, cst.Dict):  # {"$set": data}
                    for element in value.elements:
                        if isinstance(element, cst.DictElement) and (self.ctx.string(element.key) or "") in (
                                "$set", "$setOnInsert"):
                            candidates.append(element.value)
                    if method in ("update_one", "update_many", "find_one_and_update"):
                        continue
                candidates.append(value)
        explicit = {a.keyword.value for a in call.args if a.keyword is not None}
        for candidate in candidates:
            payload = self._payload(flow, candidate, 0)
            if payload is None:
                continue
            if payload.schema is not None:
                payload.privileged = [f for f in payload.privileged if f not in explicit and
                                      not self._assigned_after(flow, call, f)]
                if not payload.privileged:
                    continue
            columns = None
            if payload.schema is None:
                model = model_fields_of(self.ctx, call.func) if verb == "creates" and tail_text(call.func)[:1].isupper() \
                    else None
                if model is not None:
                    columns = sorted(f for f in model[1] if _privileged(f, names_user_model(model[0])))
            self._report(handler, call, payload, name, verb, columns)
            return True
        return False

    def _write_target(self, flow: HandlerFlow, call: cst.Call) -> tuple[str, str] | None:
        """(what, verb) when ``call`` creates or updates stored objects, else None."""
        func = call.func
        method = tail_text(func)
        if isinstance(func, cst.Attribute):
            receiver = unparenthesize(func.value)
            if method == "update" and isinstance(receiver, cst.Attribute) and receiver.attr.value == "__dict__":
                return markup.code(self.ctx.code(receiver.value)), "updates"
            if method in ("create", "acreate", "get_or_create", "update_or_create", "aupdate_or_create",
                          "aget_or_create", "bulk_create"):
                model = self._manager_model(receiver)
                return (markup.code(model), "creates") if model else None
            if method in ("update", "aupdate"):
                load = flow.load(call)
                if load is not None and id(call) in load.chain and load.kind in ("django", "sqlalchemy"):
                    return f"{markup.code(load.model)} rows" if load.model else "the selected rows", "updates"
                model = self._manager_model(receiver)
                if model:
                    return f"{markup.code(model)} rows", "updates"
                if isinstance(receiver, cst.Name) and self._is_stored_object(flow, receiver):
                    return markup.code(receiver.value), "updates"
                return None
            if method == "values":
                for inner in walk(receiver):
                    if isinstance(inner, cst.Call) and tail_text(inner.func) in ("update", "insert") and inner.args:
                        first = inner.args[0].value
                        if tail_text(first)[:1].isupper():
                            return f"{markup.code(tail_text(first))} rows", "writes"
                return None
            if method in _MONGO_WRITES:
                collection = tail_text(receiver) or (_target_key(self.ctx, receiver) if isinstance(
                    receiver, cst.Subscript) else None) or self.ctx.code(receiver)  # db.users / db["users"]
                return f"the {markup.code(collection)} collection", "writes to"
            if method in ("update_from_dict", "sqlmodel_update", "populate_from_dict") and \
                    isinstance(receiver, (cst.Name, cst.Attribute)):
                return markup.code(self.ctx.code(receiver)), "updates"
        name = tail_text(func)
        if name[:1].isupper() and self._is_model(flow, call):
            return markup.code(name), "creates"
        return None

    def _manager_model(self, receiver: cst.BaseExpression) -> str | None:
        """``Order`` for ``Order.objects`` / ``Order.objects.filter(...)`` / ``Order.query.filter_by(...)``."""
        model = _manager_expr(receiver)
        return tail_text(model) if model is not None else None

    def _is_stored_object(self, flow: HandlerFlow, name: cst.Name) -> bool:
        if flow.is_current_user(name):
            return True
        for value in flow.values_of(name):
            load = flow.load(value) if isinstance(value, (cst.Call, cst.Await)) else None
            if load is not None:
                return True
        return False

    def _is_model(self, flow: HandlerFlow, call: cst.Call) -> bool:
        """``Project(...)`` builds an ORM model: resolved, or imported from a models module, or persisted."""
        resolved = resolve_class(self.ctx, call.func)
        if resolved is not None:
            return class_model(*resolved).kind == "model"
        qual = self.ctx.qualname(call.func) or ""
        if set(split_words(tail_text(call.func))[-1:]) & _SCHEMA_SUFFIXES:
            return False
        module = qual.rsplit(".", 1)[0] if "." in qual else ""
        if module and re.search(r"(?:^|\.)(?:models?|entities|entity|orm|tables|db|domain)(?:\.|$)", module):
            return True
        if module and not module.startswith(self.ctx.index.module_name.split(".")[0]) and \
                re.match(r"(?:flask|fastapi|starlette|django|rest_framework|pydantic|marshmallow|werkzeug|"
                         r"builtins|json|typing|collections|dataclasses)\b", module):
            return False
        name = tail_text(call.func)
        if set(split_words(name)[-1:]) & _SCHEMA_SUFFIXES:
            return False  # ``UserCreate``, ``NoteIn``, ``ProfileSchema``: a schema, whatever module it lives in
        text = self.ctx.source.text
        if re.search(rf"\b{re.escape(name)}\.(?:query|objects)\b|select\(\s*{re.escape(name)}\b", text):
            return True
        # The object is persisted: ``db.session.add(obj)``, ``obj.save()``.
        unit = flow.unit_of(call)
        if isinstance(unit, cst.Assign) and len(unit.targets) == 1 and isinstance(unit.targets[0].target, cst.Name):
            bound = unit.targets[0].target.value
            for node in walk(flow.function.body):
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                    if node.func.attr.value in ("add", "add_all", "merge", "save", "insert", "persist") and (
                            any(names_in(a.value) == {bound} for a in node.args)
                            or (node.func.attr.value == "save" and names_in(node.func.value) == {bound})):
                        return True
        return False

    def _assigned_after(self, flow: HandlerFlow, call: cst.Call, field_name: str) -> bool:
        """``item.owner_id = current_user.id`` after ``item = Item(**payload.model_dump())``."""
        unit = flow.unit_of(call)
        targets: set[str] = set()
        if isinstance(unit, cst.Assign):
            targets = {t.target.value for t in unit.targets if isinstance(t.target, cst.Name)}
        return self._overwritten(flow, targets, field_name)

    @staticmethod
    def _overwritten(flow: HandlerFlow, targets: set[str], field_name: str) -> bool:
        if not targets:
            return False
        for node in walk(flow.function.body):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    t = target.target
                    if isinstance(t, cst.Attribute) and t.attr.value == field_name and \
                            isinstance(t.value, cst.Name) and t.value.value in targets and \
                            field_name not in names_in(node.value) and \
                            not (names_in(node.value) & targets) and flow.client_origin(node.value) is None:
                        return True
        return False

    # --- single privilege fields: ``User(..., admin=data["admin"])``, ``current_user.role = form.role.data`` ---
    def _check_privilege_call(self, handler: RouteHandler, flow: HandlerFlow, call: cst.Call) -> None:
        fields: list[tuple[str, cst.BaseExpression, cst.Arg | None]] = [
            (a.keyword.value, a.value, a) for a in call.args
            if a.keyword is not None and _privilege_kind(a.keyword.value) is not None]
        method = tail_text(call.func)
        if method in ("update", "aupdate") and call.args and call.args[0].keyword is None:
            first = unparenthesize(call.args[0].value)
            if isinstance(first, cst.Dict):  # ``.update({"role": x})`` / ``.update({User.role: x})``
                for element in first.elements:
                    if isinstance(element, cst.DictElement):
                        key = self.ctx.string(element.key) or (
                            element.key.attr.value if isinstance(element.key, cst.Attribute) else None)
                        if key is not None and _privilege_kind(key) is not None:
                            fields.append((key, element.value, None))
        if not fields:
            return
        holder = self._privilege_holder(flow, call)
        if holder is None or _under_role_test(flow, call):
            return
        what, verb = holder
        for field_name, value, arg in fields:
            source = self._client_privilege(flow, value, _privilege_kind(field_name) or "flag")
            if source is None:
                continue
            fix = None
            if arg is not None and (verb == "creates" or len(call.args) > 1):
                fix = self.ctx.replace(call, remove_keyword(call, field_name),
                                       f"drop `{field_name}` (the column default applies)")
            self.report(call, f"{markup.code(handler.label)} {verb} {what} with {markup.code(field_name)} taken from "
                              f"{source}: a caller can grant their own account {markup.code(field_name)}; "
                              f"drop the field (let the column default apply) and grant privileges from an "
                              f"admin-only route", fix=fix, confidence=Confidence.HIGH)
            return

    def _check_privilege_assign(self, handler: RouteHandler, flow: HandlerFlow, node: cst.Assign) -> None:
        for target in node.targets:
            attribute = target.target
            if not isinstance(attribute, cst.Attribute):
                continue
            kind = _privilege_kind(attribute.attr.value)
            if kind is None:
                continue
            owner = self._own_account(flow, unparenthesize(attribute.value))
            if owner is None or _under_role_test(flow, node):
                continue
            source = self._client_privilege(flow, node.value, kind)
            if source is None:
                continue
            self.report(node, f"{markup.code(handler.label)} sets {markup.code(self.ctx.code(attribute))} on {owner} "
                              f"from {source}: a caller can grant themselves {markup.code(attribute.attr.value)}; "
                              f"drop the assignment and grant privileges from an admin-only route",
                        confidence=Confidence.HIGH)
            return

    def _privilege_holder(self, flow: HandlerFlow, call: cst.Call) -> tuple[str, str] | None:
        """(what, verb) when ``call`` creates a user (or the caller's membership), or updates the caller's row."""
        func = call.func
        method = tail_text(func)
        if isinstance(func, cst.Attribute):
            receiver = unparenthesize(func.value)
            if method in _CREATE_METHODS:
                model = _manager_expr(receiver)
                if model is not None and self._holds_privileges(flow, call, model):
                    return markup.code(tail_text(model)), "creates"
                return None
            if method in ("update", "aupdate"):
                if flow.is_current_user(receiver):
                    return f"the caller's account {markup.code(self.ctx.code(receiver))}", "updates"
                load = flow.load(call)
                if load is not None and id(call) in load.chain and load.model and names_user_model(load.model) \
                        and flow.scoped_to_user(load):
                    return f"the caller's {markup.code(load.model)} row", "updates"
                return None
            if not method[:1].isupper():
                return None
        if method[:1].isupper() and self._is_model(flow, call) and self._holds_privileges(flow, call, func):
            return markup.code(method), "creates"
        return None

    def _holds_privileges(self, flow: HandlerFlow, call: cst.Call, model: cst.BaseExpression) -> bool:
        """A user model, or a row tying the caller to a role (``Membership(user=current_user, role=...)``)."""
        if names_user_model(tail_text(model)) or is_user_model(self.ctx, model):
            return True
        if not _MEMBERSHIP.search(tail_text(model)):
            return False  # ``Message(user_id=current_user.id, role=...)``: a chat turn, not a grant
        return any(a.keyword is not None and _field_core(a.keyword.value) in ("user", "member", "account")
                   and flow.is_current_user(a.value) for a in call.args)

    def _own_account(self, flow: HandlerFlow, obj: cst.BaseExpression) -> str | None:
        """The caller's account, or a user created in this handler (a sign-up): not someone else's row."""
        if not isinstance(obj, (cst.Name, cst.Attribute)):
            return None
        if flow.is_current_user(obj):
            return f"the caller's account {markup.code(self.ctx.code(obj))}"
        if not isinstance(obj, cst.Name):
            return None
        for value in flow.values_of(obj):
            value = unparenthesize(value)
            if isinstance(value, cst.Await):
                value = unparenthesize(value.expression)
            if not isinstance(value, cst.Call) or value is obj:
                continue
            if tail_text(value.func)[:1].isupper() and self._is_model(flow, value) and \
                    self._holds_privileges(flow, value, value.func):
                return f"the new {markup.code(tail_text(value.func))}"
            if isinstance(value.func, cst.Attribute) and tail_text(value.func) in _CREATE_METHODS:
                model = _manager_expr(unparenthesize(value.func.value))
                if model is not None and self._holds_privileges(flow, value, model):
                    return f"the new {markup.code(tail_text(model))}"
            load = flow.load(value)
            if load is not None and load.model and names_user_model(load.model) and flow.scoped_to_user(load):
                return f"the caller's {markup.code(load.model)}"
        return None

    def _client_privilege(self, flow: HandlerFlow, value: cst.BaseExpression, kind: str) -> str | None:
        """Where a privilege value comes from when the client decides it (directly, or through an ``if``)."""
        source = self._client_value(flow, value, kind, 0)
        if source is None or (kind == "role" and self._allow_listed(flow, value)):
            return None
        return source

    def _client_value(self, flow: HandlerFlow, expr: cst.BaseExpression, kind: str, depth: int) -> str | None:
        expr = unparenthesize(expr)
        if depth > 6 or self.ctx.literal(expr) is not UNKNOWN:
            return None
        origin = flow.client_origin(expr)
        if origin is not None:
            return f"client data {origin.markdown()}"
        if isinstance(expr, (cst.Comparison, cst.UnaryOperation, cst.BooleanOperation)):
            return self._client_test(flow, expr, depth + 1)
        if isinstance(expr, cst.IfExp):
            found = self._client_value(flow, expr.body, kind, depth + 1) or \
                self._client_value(flow, expr.orelse, kind, depth + 1)
            if found is None and (self._grants(expr.body, kind) or self._grants(expr.orelse, kind)):
                found = self._client_test(flow, expr.test, depth + 1)
            return found
        if isinstance(expr, cst.Call):
            name = tail_text(expr.func)
            positional = [a.value for a in expr.args if a.keyword is None and not a.star]
            if len(positional) == 1 and (set(split_words(name)) & _CASTS or (
                    kind == "role" and isinstance(expr.func, cst.Name) and name[:1].isupper())):
                return self._client_value(flow, positional[0], kind, depth + 1)  # ``str2bool(x)``, ``Role(x)``
            return None
        if isinstance(expr, cst.Subscript) and kind == "role" and len(expr.slice) == 1 and \
                isinstance(expr.slice[0].slice, cst.Index):
            return self._client_value(flow, expr.slice[0].slice.value, kind, depth + 1)  # ``Role[x]``
        if isinstance(expr, cst.Name):
            for value in flow.values_of(expr):
                if value is not expr:
                    found = self._client_value(flow, value, kind, depth + 1)
                    if found is not None:
                        return found
            return self._implicit(flow, expr, kind, depth + 1)
        return None

    def _client_test(self, flow: HandlerFlow, test: cst.BaseExpression, depth: int) -> str | None:
        """The client data a condition reads, unless it is compared with a server-side value (a secret code)."""
        test = unparenthesize(test)
        if depth > 6:
            return None
        if isinstance(test, cst.BooleanOperation):
            return self._client_test(flow, test.left, depth + 1) or self._client_test(flow, test.right, depth + 1)
        if isinstance(test, cst.UnaryOperation):
            return self._client_test(flow, test.expression, depth + 1)
        if isinstance(test, cst.Comparison):
            found = None
            for operand in (test.left, *(c.comparator for c in test.comparisons)):
                source = self._client_value(flow, operand, "flag", depth + 1)
                if source is not None:
                    found = found or source
                elif self.ctx.literal(operand) is UNKNOWN:
                    return None  # ``data["code"] == settings.ADMIN_CODE``: the server decides
            return found
        return self._client_value(flow, test, "flag", depth + 1)

    def _implicit(self, flow: HandlerFlow, name: cst.Name, kind: str, depth: int) -> str | None:
        """``if data["admin"]: admin = True``: a privilege granted on a condition the client controls."""
        parents = handler_parents(flow)
        for value in flow.values_of(name):
            if value is name or not self._grants(value, kind) or _under_role_test(flow, value):
                continue
            node: cst.CSTNode = value
            while True:
                parent = parents.get(id(node))
                if parent is None or parent is flow.function:
                    break
                if isinstance(parent, cst.If) and node is not parent.test:
                    source = self._client_test(flow, parent.test, depth + 1)
                    if source is not None:
                        return f"{source} (through `if {_short(self.ctx.code(parent.test))}:`)"
                node = parent
        return None

    def _grants(self, value: cst.BaseExpression, kind: str) -> bool:
        """A value that grants the privilege: ``True`` for a flag, ``"admin"``/``Role.ADMIN`` for a role."""
        value = unparenthesize(value)
        literal = self.ctx.literal(value)
        if kind == "flag":
            return literal is True or literal == 1
        if isinstance(literal, str):
            return bool(_PRIVILEGED_VALUE.search(literal))
        if isinstance(literal, (list, tuple)):
            return any(isinstance(v, str) and _PRIVILEGED_VALUE.search(v) for v in literal)
        return isinstance(value, cst.Attribute) and bool(_PRIVILEGED_VALUE.search(value.attr.value))

    def _allow_listed(self, flow: HandlerFlow, value: cst.BaseExpression) -> bool:
        """The client's role is checked against values that leave privileged ones out (or a named list)."""
        value = unparenthesize(value)
        names = {value.value} if isinstance(value, cst.Name) else set()
        origins = {o.text for o in [flow.client_origin(value)] if o is not None}
        if isinstance(value, cst.Name):
            for assigned in flow.values_of(value):
                origin = flow.client_origin(assigned)
                if origin is not None:
                    origins.add(origin.text)
        inside = {id(n) for n in walk(value)} | {id(value)}
        parents = handler_parents(flow)
        for node in walk(flow.function.body):
            if not isinstance(node, cst.Comparison) or id(node) in inside:
                continue
            operands = [node.left, *(c.comparator for c in node.comparisons)]
            matched = [o for o in operands if (isinstance(o, cst.Name) and o.value in names) or (
                isinstance(o, (cst.Subscript, cst.Call, cst.Attribute)) and _origin_text(flow, o) in origins)]
            if not matched:
                continue
            for comparison in node.comparisons:
                if not isinstance(comparison.operator, (cst.In, cst.NotIn, cst.Equal, cst.NotEqual)):
                    continue
                others = [o for o in (node.left, comparison.comparator) if o not in matched]
                if not others:
                    continue
                literal = self.ctx.literal(others[0])
                if literal is UNKNOWN:
                    return True  # ``if role not in SIGNUP_ROLES``: a list the author keeps
                values = [literal] if isinstance(literal, str) else list(literal) if isinstance(
                    literal, (list, tuple, set, dict)) else []
                privileged = any(isinstance(v, str) and _PRIVILEGED_VALUE.search(v) for v in values)
                if not privileged:
                    return True
                if isinstance(comparison.operator, (cst.In, cst.Equal)) and _denies(parents, node):
                    return True  # ``if role == "admin": abort(403)``
        return False

    # --- payloads ---------------------------------------------------------------------
    def _payload(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> _Payload | None:
        expr = unparenthesize(expr)
        if depth > 6:
            return None
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            if method in _DUMP_METHODS:
                schema = self._schema_of(flow, expr.func.value, 0)
                if schema is not None:
                    return self._schema_payload(schema, expr)
            if method in SCHEMA_LOADERS:
                schema = self._schema_of(flow, expr.func.value, 0)
                if schema is not None:
                    return self._schema_payload(schema, None)
                return None  # a validator we cannot read: trust it
            if method in _COPY_METHODS and flow.client_origin(expr) is None:
                return self._payload(flow, expr.func.value, depth + 1)
        if isinstance(expr, cst.Call) and tail_text(expr.func) in ("dict", "deepcopy", "copy", "OrderedDict") \
                and len(expr.args) == 1 and flow.client_origin(expr) is None:
            return self._payload(flow, expr.args[0].value, depth + 1)
        if isinstance(expr, cst.Call) and self._schema_of(flow, expr, 0) is not None:
            return None  # ``NoteIn(**request.json)`` is a schema instance, not a dict
        if isinstance(expr, cst.Name):
            if self._sanitized(flow, expr.value):
                return None
            if flow.is_parameter(expr):
                return self._parameter_payload(flow, expr)
            return _through_values(flow, expr, lambda value: self._payload(flow, value, depth + 1))
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if isinstance(element, cst.StarredDictElement):
                    found = self._payload(flow, element.value, depth + 1)
                    if found is not None:
                        return found
            return None
        if isinstance(expr, cst.DictComp):
            if expr.for_in.ifs or expr.for_in.inner_for_in is not None:
                return None  # filtered: an allow-list (or a deny-list) the author wrote
            source = unparenthesize(expr.for_in.iter)
            if isinstance(source, cst.Call) and isinstance(source.func, cst.Attribute) and \
                    source.func.attr.value == "items":
                return self._payload(flow, source.func.value, depth + 1)
            return None
        if isinstance(expr, cst.BooleanOperation):
            return self._payload(flow, expr.left, depth + 1) or self._payload(flow, expr.right, depth + 1)
        origin = flow.client_origin(expr)
        if origin is None or origin.kind in ("path parameter", "request body", "form data", "form field"):
            return None
        text = origin.text
        if any(attr in text for attr in ("validated_data", "cleaned_data", "initial_data")):
            return None
        if origin.scalar and not _WHOLE_CONTAINER.search(text):
            return None
        return _Payload(f"the whole request payload {markup.code(text)}", [])

    def _sanitized(self, flow: HandlerFlow, name: str) -> bool:
        """``data.pop("is_admin", None)`` / ``del data["role"]``: the author strips privileged keys (a deny-list)."""
        for node in walk(flow.function.body):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                    node.func.attr.value == "pop" and isinstance(node.func.value, cst.Name) and \
                    node.func.value.value == name and node.args:
                key = self.ctx.string(node.args[0].value)
                if key is None or _privileged(key, True):
                    return True
            elif isinstance(node, cst.Del) and isinstance(node.target, cst.Subscript) and \
                    isinstance(node.target.value, cst.Name) and node.target.value.value == name:
                key = _target_key(self.ctx, node.target)
                if key is None or _privileged(key, True):
                    return True
        return False

    def _parameter_payload(self, flow: HandlerFlow, name: cst.Name) -> _Payload | None:
        """A FastAPI body parameter typed ``dict``/``Any`` is the whole JSON body."""
        if flow.framework != Framework.FASTAPI:
            return None
        for param in (*flow.function.params.params, *flow.function.params.kwonly_params):
            if param.name.value == name.value and param.annotation is not None:
                text = self.ctx.code(param.annotation.annotation)
                if re.match(r"(?:typing\.)?(?:dict|Dict|Mapping|Any|Json)\b", text.removeprefix("Annotated[")):
                    return _Payload(f"the whole request body {markup.code(name.value)}", [])
        return None

    def _schema_payload(self, schema: ClassModel, dump: cst.Call | None) -> _Payload | None:
        fields = set(schema.fields)
        if dump is not None:
            include = self.ctx.keyword(dump, "include")
            exclude = self.ctx.keyword(dump, "exclude")
            for arg, keep in ((include, True), (exclude, False)):
                if arg is None:
                    continue
                value = self.ctx.literal(arg.value)
                names = set(value) if isinstance(value, (list, tuple, set, dict)) else None
                if isinstance(unparenthesize(arg.value), cst.Set):
                    names = {self.ctx.string(e.value) for e in unparenthesize(arg.value).elements}
                if names is None:
                    return None  # computed: the author filters the keys
                fields = fields & names if keep else fields - names
        if schema.unconstrained:
            return _Payload(f"{markup.code(schema.name)}, which accepts any extra key", [], schema, dump)
        privileged = sorted(f for f in fields if _privileged(f, schema.userish()))
        if not privileged:
            return None
        return _Payload(markup.code(schema.name), privileged, schema, dump)

    def _schema_of(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> ClassModel | None:
        """The pydantic/marshmallow schema class of a value (a typed parameter, ``S.model_validate(...)``...)."""
        expr = unparenthesize(expr)
        if depth > 6:
            return None
        if isinstance(expr, cst.Name):
            if flow.is_parameter(expr):
                for param in (*flow.function.params.params, *flow.function.params.kwonly_params):
                    if param.name.value == expr.value and param.annotation is not None:
                        return self._annotation_schema(param.annotation.annotation)
                return None
            return _through_values(flow, expr, lambda value: self._schema_of(flow, value, depth + 1))
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value in SCHEMA_LOADERS:
                return self._schema_of(flow, func.value, depth + 1)
            return _class_model_of(self.ctx, func, ("schema",))
        if isinstance(expr, (cst.Attribute,)):
            return _class_model_of(self.ctx, expr, ("schema",))
        return None

    def _annotation_schema(self, annotation: cst.BaseExpression) -> ClassModel | None:
        """``ItemIn``, ``Optional[ItemIn]``, ``list[ItemIn]``, ``Annotated[ItemIn, Body()]``, ``ItemIn | None``."""
        for _ in range(4):
            if isinstance(annotation, cst.Subscript) and annotation.slice and \
                    isinstance(annotation.slice[0].slice, cst.Index):
                annotation = annotation.slice[0].slice.value
            elif isinstance(annotation, cst.BinaryOperation):
                annotation = annotation.left if not (isinstance(annotation.left, cst.Name)
                                                     and annotation.left.value == "None") else annotation.right
            else:
                break
        return _class_model_of(self.ctx, annotation, ("schema", "model"))

    # --- setattr loops ----------------------------------------------------------------
    def _check_loop(self, handler: RouteHandler, flow: HandlerFlow, loop: cst.For) -> None:
        source, key = self._loop_source(loop)
        if source is None or key is None:
            return
        setters = [n for n in walk(loop.body) if isinstance(n, cst.Call) and tail_text(n.func) == "setattr"
                   and isinstance(n.func, cst.Name) and len(n.args) >= 3
                   and isinstance(n.args[1].value, cst.Name) and n.args[1].value.value == key]
        if not setters or self._guarded(loop, key) or _under_role_test(flow, loop):
            return
        payload = self._payload(flow, source, 0)
        if payload is None:
            return
        target = setters[0].args[0].value
        if payload.schema is not None:
            names = names_in(target)
            payload.privileged = [f for f in payload.privileged if not self._overwritten(flow, names, f)]
            if not payload.privileged:
                return
        self._report(handler, loop, payload, markup.code(self.ctx.code(target)), "copies onto")

    @staticmethod
    def _loop_source(loop: cst.For) -> tuple[cst.BaseExpression | None, str | None]:
        iterable = unparenthesize(loop.iter)
        target = loop.target
        if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2 and \
                isinstance(target.elements[0].value, cst.Name):
            if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute) and \
                    iterable.func.attr.value == "items":
                return iterable.func.value, target.elements[0].value.value
            return None, None
        if isinstance(target, cst.Name):
            if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute) and \
                    iterable.func.attr.value == "keys":
                return iterable.func.value, target.value
            return iterable, target.value
        return None, None

    def _guarded(self, loop: cst.For, key: str) -> bool:
        """The key is tested against an allow-list (or a deny-list naming privileged fields)."""
        for node in walk(loop.body):
            if not isinstance(node, cst.Comparison):
                continue
            operands = [node.left, *(c.comparator for c in node.comparisons)]
            if not any(isinstance(o, cst.Name) and o.value == key for o in operands):
                continue
            for comparison in node.comparisons:
                other = comparison.comparator if not (isinstance(comparison.comparator, cst.Name)
                                                      and comparison.comparator.value == key) else node.left
                operator = comparison.operator
                text = self.ctx.code(other)
                if re.search(r"__table__|columns|meta_class|__dict__|__mapper__|\bdir\(|vars\(|fields\b", text):
                    continue  # "any column" is no allow-list
                if isinstance(operator, (cst.In, cst.Equal)):
                    return True
                value = self.ctx.literal(other)
                values = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple, set)) else None
                if values is None:
                    return True  # ``k not in PROTECTED``: a named deny-list
                if any(isinstance(v, str) and _privileged(v, True) for v in values):
                    return True
        return False

    # --- report -------------------------------------------------------------------------
    def _report(self, handler: RouteHandler, anchor: cst.CSTNode, payload: _Payload, what: str, verb: str,
                columns: list[str] | None = None) -> None:
        fix = None
        if payload.schema is not None and payload.privileged:
            fields = ", ".join(markup.code(f) for f in payload.privileged)
            source = f"every field of {payload.text}"
            consequence = f"the client can set {fields}"
            advice = f"exclude them ({markup.code('exclude={' + ', '.join(repr(f) for f in payload.privileged) + '}')}) or use a " \
                     f"schema without them"
            dump = payload.dump
            if dump is not None and self.ctx.keyword(dump, "exclude") is None and \
                    self.ctx.keyword(dump, "include") is None:
                value = "{" + ", ".join(f'"{f}"' for f in payload.privileged) + "}"
                fix = self.ctx.replace(dump, add_keyword(dump, "exclude", value), "exclude the privileged fields")
        else:
            source = payload.text
            listed = ", ".join(markup.code(c) for c in columns[:4]) if columns else "`role`, `is_admin`, `owner_id`..."
            consequence = f"the client chooses which columns are written ({listed})"
            advice = "assign an explicit allow-list of fields"
        if verb == "copies onto":
            action = f"copies {source} onto {what}"
        elif verb == "writes to":
            action = f"writes {source} to {what}"
        else:
            action = f"{verb} {what} from {source}"
        report_node = anchor.iter if isinstance(anchor, cst.For) else anchor
        known = bool(payload.privileged) or bool(columns)  # the fields at stake are read from the code
        self.report(report_node, f"{markup.code(handler.label)} {action}: {consequence}; {advice}", fix=fix,
                    confidence=Confidence.HIGH if known else Confidence.MEDIUM)

    # --- serializers, model forms, edit views -----------------------------------------
    def _check_classes(self) -> None:
        for cls in classes_in(self.ctx.module):
            kind = class_model(self.ctx, cls).kind
            if kind not in ("serializer", "form", "view"):
                continue
            info = writable_info(self.ctx, cls, kind)
            if info is None or info.anchor is None:
                continue
            privileged = sorted(f for f in info.writable if _privileged(f, info.userish))
            if not privileged or adminish(cls.name.value, self.ctx.path.rsplit('/', 1)[-1]):
                continue
            if kind == "view":
                if _role_mixins(self.ctx, cls):
                    continue
                actions = _view_write_actions(cls) or ["create"]
                privileged = sorted({f for a in actions for f in privileged if f not in _forced(self.ctx, cls, a)})
                if not privileged:
                    continue  # ``form.instance.user = self.request.user`` in ``form_valid``
                users = [cls.name.value]
            else:
                attributes = ("serializer_class",) if kind == "serializer" else ("form_class", "form", "add_form")
                usage = _usages(self.ctx, cls.name.value, attributes)
                if usage is None and self.ctx.project is not None:
                    continue  # no use the project shows (built dynamically, or a library's): nothing to tie it to
                if usage is not None:
                    left = {f for _, writes in usage for forced in writes for f in privileged if f not in forced}
                    privileged = sorted(left)
                    if not privileged:
                        continue  # used only to read, by admin views, or every write sets those fields itself
                users = [label for label, writes in usage or [] if any(set(privileged) - f for f in writes)]
            self._report_class(cls, kind, info, privileged, users)

    def _report_class(self, cls: cst.ClassDef, kind: str, info: Writable, privileged: list[str],
                      users: list[str]) -> None:
        names = ", ".join(markup.code(f) for f in privileged)
        model = markup.code(info.model) if info.model else "the model"
        how = 'with `fields = "__all__"`' if info.all_fields else "in `fields`" if info.listed is not None \
            else "through `exclude`"
        via = f" (used by {', '.join(markup.code(u) for u in users[:3])})" if users and kind != "view" else ""
        fix = None
        if kind == "serializer":
            advice = "add them to `read_only_fields` (and set them in `perform_create`/`save()`)"
            if info.listed is not None:
                fix = self._read_only_fix(info, privileged)
        else:
            advice = "list only the fields the user may edit"
            if info.listed is not None:
                fix = self._drop_fields_fix(info, privileged)
        owners = [f for f in privileged if _field_core(f) in _PRIVILEGED_CORES]
        flags = [f for f in privileged if f not in owners]
        harms = []
        if owners:
            harms.append("reassign the object to another account")
        if flags:
            harms.append(f"set {', '.join(markup.code(f) for f in flags)} themselves")
        self.report(info.anchor, f"{markup.code(cls.name.value)}{via} lets the client write {names} of {model} ({how}): "
                                 f"a client can {' and '.join(harms)}; {advice}", fix=fix)

    def _read_only_fix(self, info: Writable, privileged: list[str]) -> Fix | None:
        ctx = self.ctx
        if info.read_only_stmt is not None:
            value = info.read_only_stmt.value
            if isinstance(value, (cst.List, cst.Tuple)) and ctx.position(value).start.line == \
                    ctx.position(value).end.line:
                items = [ctx.code(e.value) for e in value.elements]
                quote = items[0][0] if items and items[0][:1] in "'\"" else '"'
                items += [f"{quote}{f}{quote}" for f in privileged]
                text = ", ".join(items)
                new = f"[{text}]" if isinstance(value, cst.List) else f"({text}{',' if len(items) == 1 else ''})"
                return ctx.replace(value, new, "make the privileged fields read-only")
            return None
        end = ctx.position(info.anchor).end.line
        indent = ctx.indentation(ctx.position(info.anchor).start.line)
        line = ctx.lines[end - 1]
        listed = ", ".join(f'"{f}"' for f in privileged)
        return Fix(end, end, f"{line}\n{indent}read_only_fields = [{listed}]", "make the privileged fields read-only")

    def _drop_fields_fix(self, info: Writable, privileged: list[str]) -> Fix | None:
        ctx = self.ctx
        value = info.anchor.value if isinstance(info.anchor, cst.Assign) else None
        if not isinstance(value, (cst.List, cst.Tuple)) or ctx.position(value).start.line != \
                ctx.position(value).end.line:
            return None
        kept = [ctx.code(e.value) for e in value.elements if ctx.string(e.value) not in privileged]
        if not kept:
            return None
        text = ", ".join(kept)
        new = f"[{text}]" if isinstance(value, cst.List) else f"({text}{',' if len(kept) == 1 else ''})"
        return ctx.replace(value, new, "drop the privileged fields")


_ROLE_MIXINS = re.compile(r"Permission|Staff|Superuser|Admin|UserPassesTest|GroupRequired|Role")


def _role_mixins(ctx: FileContext, cls: cst.ClassDef) -> bool:
    return any(_ROLE_MIXINS.search(ctx.code(base.value)) for base in cls.bases)


_READ_ONLY_VIEWS = frozenset({"ReadOnlyModelViewSet", "ListAPIView", "RetrieveAPIView", "ListView", "DetailView",
                              "TemplateView", "RetrieveDestroyAPIView", "DestroyAPIView"})
_WRITE_VIEWS = re.compile(r"ModelViewSet$|Create|Update|FormView|GenericAPIView$|APIView$|^View$|ViewSet$")


_Writer = tuple[str, list[set[str]]]  # (view or function, the fields forced by the server for each write it does)


def _read_texts(project: Project) -> dict[str, bytes]:
    """The bytes of every readable file of the project, by path."""
    texts: dict[str, bytes] = {}
    for path in project.files:
        try:
            texts[path] = project.read(path)
        except OSError:
            continue
    return texts


_TEXTS = ProjectFact("payloads.texts", _read_texts)


def _usages(ctx: FileContext, name: str, attributes: tuple[str, ...]) -> list[_Writer] | None:
    """Views and functions that use a serializer or form to write, other than admin ones, with the fields
    each write sets itself (``serializer.save(owner=request.user)``, ``form.instance.user = request.user``).

    ``None`` when no use is found (unknown); an empty list when every use only reads, or is an admin view's.
    """
    contexts: list[FileContext] = [ctx]
    project = ctx.project
    if project is not None:
        needle = name.encode()
        for path, data in _TEXTS.get(project).items():
            if needle in data and path != ctx.path:
                other = project.context_for_path(path)
                if other is not None:
                    contexts.append(other)
    found = False
    writers: list[_Writer] = []
    for other in contexts:
        module = other.path.rsplit("/", 1)[-1]
        for statement in other.module.body:
            if isinstance(statement, cst.ClassDef):
                admin = _admin_view(other, statement)
                if _class_attr_is(statement, attributes, name):
                    found = True
                    actions = _view_write_actions(statement)
                    if actions and not admin:
                        writers.append((statement.name.value, [_forced(other, statement, a) for a in actions]))
                for member in statement.body.body:
                    if isinstance(member, cst.FunctionDef):
                        use = _function_use(other, member, name, attributes)
                        if use is not None:
                            found = True
                            if use and not admin and not adminish(member.name.value, module):
                                writers.append((f"{statement.name.value}.{member.name.value}()", use))
            elif isinstance(statement, cst.FunctionDef):
                use = _function_use(other, statement, name, attributes)
                if use is not None:
                    found = True
                    if use and not adminish(statement.name.value, module) and not _role_decorated(other, statement):
                        writers.append((f"{statement.name.value}()", use))
    if not found:
        return None
    return writers


def _class_attr_is(cls: cst.ClassDef, attributes: tuple[str, ...], name: str) -> bool:
    for attribute in attributes:
        value = class_attr(cls, attribute)
        if value is not None and tail_text(value) == name:
            return True
    return False


def _function_use(ctx: FileContext, function: cst.FunctionDef, name: str,
                  attributes: tuple[str, ...]) -> list[set[str]] | None:
    """None: the function does not use the class; []: it only reads with it; else the forced fields per write."""
    used = False
    writes: list[set[str]] = []
    for node in walk(function):
        if isinstance(node, cst.Call) and tail_text(node.func) == name:
            used = True
            data = FileContext.keyword(node, "data") is not None or (
                "form_class" in attributes and any(a.keyword is None for a in node.args))
            if data:
                writes.append(_save_keywords(ctx, function))
        elif isinstance(node, cst.Return) and node.value is not None and tail_text(node.value) == name:
            used = True  # ``get_serializer_class`` / ``get_form_class`` returning it
            writes.append(set())
    return writes if used else None


def _save_keywords(ctx: FileContext, function: cst.FunctionDef) -> set[str]:
    """Fields a function sets on the saved object itself: ``.save(owner=...)``, ``form.instance.user = ...``."""
    forced: set[str] = set()
    for node in walk(function):
        if isinstance(node, cst.Call) and tail_text(node.func) == "save":
            forced |= {a.keyword.value for a in node.args if a.keyword is not None}
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                t = target.target
                if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Attribute) and \
                        t.value.attr.value in ("instance", "object"):
                    forced.add(t.attr.value)
    return forced


def _view_write_actions(cls: cst.ClassDef) -> list[str]:
    """``create``/``update`` when the view writes through its serializer or form."""
    tails = [tail_text(b.value) for b in cls.bases]
    methods = {s.name.value for s in cls.body.body if isinstance(s, cst.FunctionDef)}
    actions: list[str] = []
    if any(t and ("Create" in t or t in ("ModelViewSet", "FormView")) for t in tails) or \
            methods & {"post", "create", "perform_create"}:
        actions.append("create")
    if any(t and ("Update" in t or t == "ModelViewSet") for t in tails) or \
            methods & {"put", "patch", "update", "partial_update", "perform_update"}:
        actions.append("update")
    if any(t in _READ_ONLY_VIEWS for t in tails) and not methods & {"post", "put", "patch", "create", "update"}:
        return [a for a in actions if any(t and a.capitalize() in t for t in tails)]
    return actions


def _forced(ctx: FileContext, cls: cst.ClassDef, action: str) -> set[str]:
    hooks = ("perform_create", "create", "form_valid", "post") if action == "create" else \
        ("perform_update", "update", "partial_update", "form_valid", "put", "patch")
    forced: set[str] = set()
    for member in cls.body.body:
        if isinstance(member, cst.FunctionDef) and member.name.value in hooks:
            forced |= _save_keywords(ctx, member)
    return forced


def _role_decorated(ctx: FileContext, function: cst.FunctionDef) -> bool:
    for decorator in function.decorators:
        guard = guard_for_decorator(ctx, decorator)
        if guard is not None and guard.role:
            return True
        if _ROLE_MIXINS.search(ctx.code(decorator.decorator)):
            return True
    return False


def _view_writes(ctx: FileContext, cls: cst.ClassDef) -> bool:
    tails = [tail_text(b.value) for b in cls.bases]
    if any(t in _READ_ONLY_VIEWS for t in tails) and not any(
            t and ("Create" in t or "Update" in t) for t in tails):
        return False
    if any(t and ("Create" in t or "Update" in t or t in ("ModelViewSet", "FormView")) for t in tails):
        return True
    methods = {s.name.value for s in cls.body.body if isinstance(s, cst.FunctionDef)}
    return bool(methods & {"post", "put", "patch", "create", "update", "perform_create", "perform_update"})


def _admin_view(ctx: FileContext, cls: cst.ClassDef) -> bool:
    permissions = class_attr(cls, "permission_classes")
    text = f"{cls.name.value} {ctx.code(permissions) if permissions is not None else ''}"
    return bool(adminish(cls.name.value, ctx.path.rsplit('/', 1)[-1]) or
                re.search(r"IsAdminUser|Admin|Staff|Superuser|DjangoModelPermissions", text) or
                _role_mixins(ctx, cls))
