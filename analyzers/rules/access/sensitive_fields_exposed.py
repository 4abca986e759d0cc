"""AR106 sensitive-fields-exposed: a response that serializes a user object with its password hash,
tokens or secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ... import markup
from ...context import FileContext, FileFact
from ...findings import Confidence, Fix, Severity
from ...frameworks import (
    ABSTRACT_USER_FIELDS,
    SCHEMA_LOADERS,
    ClassModel,
    Framework,
    HandlerFlow,
    RouteHandler,
    Writable,
    class_assignment,
    class_model,
    classes_in,
    literal_names,
    meta_class,
    model_fields_of,
    names_user_model,
    resolve_class,
    route_handlers,
    tail_text,
    unparenthesize,
    writable_info,
)
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from ._shared import _through_values
from .mass_assignment import MassAssignment

_MARSHMALLOW_MODEL_SCHEMAS = frozenset({"SQLAlchemyAutoSchema", "SQLAlchemySchema", "ModelSchema",
                                        "TableSchema", "SQLAlchemyModelSchema"})

_SECRET_NOUNS = frozenset({"password", "passwd", "pwd", "secret", "secrets", "token", "tokens", "totp", "salt",
                           "passphrase", "apikey", "pin", "mfa", "seed"})
_SECRET_BIGRAMS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"),
                             ("recovery", "codes"), ("recovery", "code"), ("backup", "codes"), ("security", "answer"),
                             ("signing", "key"), ("session", "key"), ("otp", "code")})
_META_TAILS = frozenset({"at", "on", "date", "time", "changed", "updated", "created", "expires", "expiry", "expired",
                         "count", "attempts", "enabled", "disabled", "required", "set", "confirmed", "verified",
                         "type", "length", "policy", "hint", "url", "uri", "version", "algorithm", "method", "sent",
                         "used", "last4", "prefix", "name", "label", "strength", "status", "id", "ids", "needed",
                         "age", "ttl", "lifetime", "scope", "scopes", "kind", "issued", "last", "display",
                         "masked", "preview", "code_length"})
_BOOLEAN_HEADS = frozenset({"is", "has", "can", "should", "must", "needs", "use", "uses", "allow", "require",
                            "requires", "force", "with", "show", "send"})
_DUMP_CALLS = frozenset({"to_dict", "as_dict", "to_json", "serialize", "to_mongo", "todict", "asdict", "dict",
                         "model_dump", "_asdict", "to_json_dict", "serialize_model", "to_representation"})
_JSON_RESPONSES = frozenset({"jsonify", "JsonResponse", "JSONResponse", "Response", "make_response",
                             "ORJSONResponse", "UJSONResponse", "json_response", "dumps", "HttpResponse"})
_ALL_COLUMNS = re.compile(r"__table__\s*\.\s*c(?:olumns)?\b|__mapper__|inspect\(\s*self\s*\)|self\.__dict__|"
                          r"vars\(\s*self\s*\)|meta_class\.(?:get_)?fields|model_to_dict\(\s*self|asdict\(\s*self|"
                          r"\.columns\b|__dict__\.items\(\)")


_CONTAINERS = frozenset({"list", "tuple", "sorted", "reversed", "set"})
_NOT_SERIALIZED = frozenset({"render", "render_template", "render_to_response", "TemplateResponse", "redirect",
                             "HttpResponseRedirect", "RedirectResponse", "url_for", "send_file", "FileResponse",
                             "render_to_string", "render_template_string"})
# Credentials a response hands to their own holder on purpose (a login answer), not secrets kept about a user.
_SESSION_CREDENTIALS = frozenset({"access_token", "refresh_token", "id_token", "token_type", "csrf_token", "token",
                                  "auth_token", "jwt", "session_token", "expires_in"})


def _element_values(expr: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    """What a list, set, tuple, comprehension or ``a if c else b`` is made of; None for anything else."""
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return [e.value for e in expr.elements]
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return [expr.elt]
    if isinstance(expr, cst.DictComp):
        return [expr.value]
    if isinstance(expr, cst.IfExp):
        return [expr.body, expr.orelse]
    return None


def _is_stored_secret(name: str) -> bool:
    return _is_secret_field(name) and "_".join(split_words(name)) not in _SESSION_CREDENTIALS


def _queried_model(expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """``User`` in ``User.objects.all()``, ``User.query.all()``, ``session.scalars(select(User)).all()``."""
    for node in [expr, *walk(expr)]:
        if isinstance(node, cst.Attribute) and node.attr.value in ("objects", "query", "_default_manager") and \
                tail_text(node.value)[:1].isupper():
            return node.value
        if isinstance(node, cst.Call) and tail_text(node.func) == "select" and node.args and \
                tail_text(node.args[0].value)[:1].isupper():
            return node.args[0].value
    return None


def _named_like_a_dump(name: str, call: cst.Call) -> bool:
    """``user.json_debug()``, ``user.as_json_full()``: a model's own serializer by another name (its body is read
    to see which fields it sends)."""
    return not call.args and bool(set(split_words(name)) & {"json", "dict", "serialize", "serialized", "dump"})


def _is_secret_field(name: str) -> bool:
    """``password_hash``, ``api_key``, ``totp_secret``, ``reset_token``: yes.
    ``password_changed_at``, ``has_totp``, ``token_type``: no."""
    words = split_words(name)
    if not words or words[0] in _BOOLEAN_HEADS or words[-1] in _META_TAILS:
        return False
    if set(words) & _SECRET_NOUNS:
        return True
    return any(pair in _SECRET_BIGRAMS for pair in zip(words, words[1:], strict=False))


def _module_comprehensions(ctx: FileContext) -> list[cst.BaseComp]:
    return [n for n in walk(ctx.module) if isinstance(n, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp))]


_COMPREHENSIONS = FileFact("payloads.comprehensions", _module_comprehensions)


_ADMIN_VIEW = re.compile(r"(?i)admin|staff|superuser|internal|privileged|moderator|owner_only")


def _fields_outside_admin_views(ctx: FileContext, cls: cst.ClassDef) -> dict[str, str] | None:
    """For a schema whose constructor narrows its fields per instance (``kwargs["only"] = self.views[view]``,
    ``super().__init__(only=...)``: CTFd's and many marshmallow apps' "views"), the fields the non-administrator
    views list, each with the first view that lists it (empty when no literal view table says); None when the
    class sends its declared fields."""
    init = next((st for st in cls.body.body if isinstance(st, cst.FunctionDef) and st.name.value == "__init__"), None)
    if init is None or not any(_narrows_only(n) for n in walk(init)):
        return None
    visible: dict[str, str] = {}
    for st in cls.body.body:
        for small in st.body if isinstance(st, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign) and isinstance(small.value, cst.Dict):
                for element in small.value.elements:
                    key = ctx.literal(element.key) if isinstance(element, cst.DictElement) else None
                    if isinstance(key, str) and not _ADMIN_VIEW.search(key):
                        for name in literal_names(ctx, element.value) or ():
                            visible.setdefault(name, key)
    return visible


def _narrows_only(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Assign):  # kwargs["only"] = ...
        return any(isinstance(t.target, cst.Subscript) and isinstance(t.target.slice[0].slice, cst.Index)
                   and isinstance(t.target.slice[0].slice.value, cst.SimpleString)
                   and t.target.slice[0].slice.value.evaluated_value in ("only", "fields")
                   for t in node.targets)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "__init__":
        return any(a.keyword is not None and a.keyword.value == "only" for a in node.args)
    return False


class SensitiveFieldsExposed(Rule):
    """What it does: flags responses that serialize a user or account object wholesale with its
    password hash, tokens or secrets: ``jsonify(user.__dict__)``, ``vars(user)``, ``model_to_dict(user)``,
    ``user.to_dict()`` when that method dumps every column (followed into the model, across modules
    when the project is known), a model's own methods that build the payload (``User.all_for_debug()``
    returning ``[u.as_row() for u in User.query.all()]`` where ``as_row`` puts ``self.password`` in a
    dict; followed two calls deep, through the class or an instance), FastAPI ``response_model``s with a ``hashed_password``/``totp_secret``
    field, DRF serializers and marshmallow auto-schemas of the user model that output ``password``
    (``fields = "__all__"``, or listed without ``write_only``), and ``User.objects.values()``.
    Not flagged: explicit field lists and safe methods (``to_public_dict()`` that lists harmless
    fields), response models without secret fields, ``exclude = ["password"]`` or ``write_only``
    passwords, login responses that return the caller's new tokens (not a user object), and objects
    whose class has no secret field.

    Why is this bad: password hashes can be cracked offline, API keys, TOTP seeds and reset tokens
    are credentials in their own right, and once in a response they end up in browser caches,
    logs and third-party monitoring. Even an admin screen does not need them.

    Example:
        @admin_bp.get("/users/<int:user_id>")
        @admin_required
        def get_user(user_id):
            return jsonify(User.query.get_or_404(user_id).to_dict())  # every column, password_hash too

    Use instead:
        @admin_bp.get("/users/<int:user_id>")
        @admin_required
        def get_user(user_id):
            user = User.query.get_or_404(user_id)
            return jsonify(id=user.id, email=user.email, role=user.role)
    """

    id = "AR106"
    name = "sensitive-fields-exposed"
    title = "User object serialized with its secrets"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    cwe = 200
    prefilter = (
        re.compile(r"__dict__|vars\(|model_to_dict|to_dict|as_dict|to_json|json_|_json|_dict\(|serializ|asdict|dict\(|model_dump|dump|"
                   r"response_model|fields\s*=|exclude\s*=|Meta\b|to_mongo|\.values(?:_list)?\(\)|-> *\w|"
                   r"jsonify|JsonResponse|JSONResponse"),
        re.compile(r"user|account|member|customer|profile|password|secret|token|api_?key", re.IGNORECASE),
    )
    in_tests = False

    VALID = [
        # An explicit field list.
        "from flask import Blueprint, jsonify\nfrom flask_login import current_user, login_required\n"
        "bp = Blueprint('u', __name__)\n@bp.get('/me')\n@login_required\ndef me():\n"
        "    return jsonify(id=current_user.id, email=current_user.email)\n",
        # A response model without secrets.
        "from fastapi import APIRouter\nfrom pydantic import BaseModel\nrouter = APIRouter()\n"
        "class UserPublic(BaseModel):\n    id: int\n    email: str\n"
        "@router.get('/me', response_model=UserPublic)\ndef me(user=Depends(get_current_user)):\n    return user\n",
        # A login response carries the caller's new tokens on purpose.
        "from fastapi import APIRouter\nfrom pydantic import BaseModel\nrouter = APIRouter()\n"
        "class Token(BaseModel):\n    access_token: str\n    token_type: str = 'bearer'\n"
        "@router.post('/token', response_model=Token)\ndef login(form=Depends()):\n    return issue(form)\n",
        # The password is write-only.
        "from rest_framework import serializers\nfrom django.contrib.auth import get_user_model\n"
        "class RegisterSerializer(serializers.ModelSerializer):\n"
        "    password = serializers.CharField(write_only=True)\n"
        "    class Meta:\n        model = get_user_model()\n        fields = ['username', 'email', 'password']\n",
        # to_dict of a model without secret columns.
        "from flask import Blueprint, jsonify\nbp = Blueprint('p', __name__)\n"
        "class Project(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    name = db.Column(db.String)\n"
        "    def to_dict(self):\n        return {c.name: getattr(self, c.name) for c in self.__table__.columns}\n"
        "@bp.get('/projects/<int:pid>')\ndef project(pid):\n    return jsonify(Project.query.get_or_404(pid).to_dict())\n",
        # A model method that lists harmless fields, and flags or dates about the password (not the hash).
        "from flask import Blueprint, jsonify\nbp = Blueprint('u', __name__)\n"
        "class Account(db.Model):\n    email = db.Column(db.String)\n    password_hash = db.Column(db.String)\n"
        "    password_changed_at = db.Column(db.DateTime)\n"
        "    def summary(self):\n        return {'email': self.email, 'has_password': self.password_hash is not None,\n"
        "                'password_changed_at': self.password_changed_at}\n"
        "    @staticmethod\n    def summaries():\n        return [Account.summary(a) for a in Account.query.all()]\n"
        "@bp.get('/accounts')\ndef accounts():\n    return jsonify(Account.summaries())\n",
        # model_to_dict with an explicit field list.
        "from django.forms.models import model_to_dict\nfrom django.http import JsonResponse\n"
        "from django.contrib.auth.decorators import login_required\n"
        "@login_required\ndef me(request):\n"
        "    return JsonResponse(model_to_dict(request.user, fields=['id', 'username', 'email']))\n",
    ]
    INVALID = [
        # A model's own serializer under another name that puts the password in.
        Invalid(
            "from flask import Blueprint, jsonify\nbp = Blueprint('u', __name__)\n"
            "class User(db.Model):\n    username = db.Column(db.String)\n    password = db.Column(db.String)\n"
            "    def json_debug(self):\n        return {'username': self.username, 'password': self.password}\n"
            "@bp.get('/users/v1/_debug')\ndef debug():\n    return jsonify([u.json_debug() for u in User.query.all()])\n",
        ),
        # A class method that builds every account's payload through an instance method carrying the hash.
        Invalid(
            "from flask import Blueprint, jsonify\nbp = Blueprint('u', __name__)\n"
            "class Account(db.Model):\n    email = db.Column(db.String)\n    password_hash = db.Column(db.String)\n"
            "    def export(self):\n        return {'email': self.email, 'hash': self.password_hash}\n"
            "    @classmethod\n    def export_all(cls):\n        return [a.export() for a in cls.query.all()]\n"
            "@bp.get('/accounts/export')\ndef export():\n    return jsonify(accounts=Account.export_all())\n",
        ),
        Invalid(
            "from flask import Blueprint, jsonify\nfrom flask_login import current_user, login_required\n"
            "bp = Blueprint('u', __name__)\n@bp.get('/me')\n@login_required\ndef me():\n"
            "    return jsonify(vars(current_user))\n",
        ),
        Invalid(
            "from flask import Blueprint, jsonify\nbp = Blueprint('u', __name__)\n"
            "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    email = db.Column(db.String)\n"
            "    password_hash = db.Column(db.String)\n"
            "    def to_dict(self):\n        return {c.name: getattr(self, c.name) for c in self.__table__.columns}\n"
            "@bp.get('/users/<int:uid>')\n@admin_required\ndef user(uid):\n"
            "    return jsonify(User.query.get_or_404(uid).to_dict())\n",
        ),
        Invalid(
            "from fastapi import APIRouter\nfrom pydantic import BaseModel\nrouter = APIRouter()\n"
            "class UserInDB(BaseModel):\n    id: int\n    email: str\n    hashed_password: str\n"
            "@router.get('/me/full', response_model=UserInDB)\ndef me(user=Depends(get_current_user)):\n    return user\n",
        ),
        Invalid(
            "from rest_framework import serializers\nfrom django.contrib.auth import get_user_model\n"
            "class MemberSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n        model = get_user_model()\n        fields = '__all__'\n",
            fixed="from rest_framework import serializers\nfrom django.contrib.auth import get_user_model\n"
            "class MemberSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n        model = get_user_model()\n        fields = '__all__'\n"
            "        extra_kwargs = {\"password\": {\"write_only\": True}}\n",
        ),
        Invalid(
            "from django.forms.models import model_to_dict\nfrom django.http import JsonResponse\n"
            "from django.contrib.auth.decorators import login_required\n"
            "@login_required\ndef me(request):\n    return JsonResponse(model_to_dict(request.user))\n",
        ),
        Invalid(
            "from django.contrib.auth.models import User\nfrom django.http import JsonResponse\n"
            "from django.contrib.auth.decorators import login_required\n"
            "@login_required\ndef directory(request):\n"
            "    return JsonResponse(list(User.objects.filter(is_active=True).values()), safe=False)\n",
        ),
        Invalid(
            "from flask_marshmallow import Marshmallow\nfrom flask_sqlalchemy import SQLAlchemy\n"
            "db = SQLAlchemy()\nma = Marshmallow()\n"
            "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n"
            "    password_hash = db.Column(db.String)\n"
            "class UserSchema(ma.SQLAlchemyAutoSchema):\n    class Meta:\n        model = User\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        for handler in route_handlers(self.ctx):
            flow = handler.flow(self.ctx)
            filtered = False  # FastAPI passes returned values through the response model
            if handler.framework == Framework.FASTAPI:
                filtered = self._check_response_model(handler)
            reported: set[int] = set()
            for expr in self._response_values(flow, returns=not filtered):
                for dump, target, how in (d for e in self._with_locals(flow, expr) for d in self._dumps(e)):
                    if id(dump) in reported:
                        continue
                    exposed = self._exposed(flow, dump, target, how)
                    if exposed is None:
                        continue
                    reported.add(id(dump))
                    secrets, what, confident = exposed
                    listed = ", ".join(markup.code(s) for s in secrets[:4]) if secrets else "its password hash"
                    self.report(dump, f"{markup.code(handler.label)} returns {what} wholesale ({markup.code(self.ctx.code(dump), 60)}), "
                                      f"including {listed}: return an explicit list of fields",
                                confidence=Confidence.HIGH if confident else Confidence.MEDIUM)
            for expr in self._response_values(flow, returns=not filtered):
                for call in self._sent_calls(flow, expr, 0):
                    if id(call) in reported:
                        continue
                    built = self._model_call_secrets(flow, call)
                    if built is None:
                        continue
                    reported.add(id(call))
                    secrets, builder = built
                    listed = ", ".join(markup.code(s) for s in secrets[:4])
                    self.report(call, f"{markup.code(handler.label)} returns {markup.code(self.ctx.code(call), 60)}, whose "
                                      f"{markup.code(builder)} puts the user's {listed} in the response: "
                                      f"return an explicit list of harmless fields",
                                confidence=Confidence.HIGH)
        self._check_serializers()

    # --- what a handler sends back ------------------------------------------------------
    def _response_values(self, flow: HandlerFlow, returns: bool = True) -> Iterator[cst.BaseExpression]:
        for node in walk(flow.function.body):
            if isinstance(node, cst.Return) and node.value is not None and returns:
                value = unparenthesize(node.value)
                if isinstance(value, cst.Call) and tail_text(value.func) in _NOT_SERIALIZED:
                    continue  # a template's context or a redirect: rendered server-side, not sent as data
                yield node.value
            elif isinstance(node, cst.Call) and tail_text(node.func) in _JSON_RESPONSES:
                for arg in node.args:
                    if arg.keyword is None or arg.keyword.value in ("content", "data", "body", "response"):
                        yield arg.value
            elif isinstance(node, (cst.FunctionDef, cst.Lambda)) and node is not flow.function:
                continue

    @staticmethod
    def _with_locals(flow: HandlerFlow, expr: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
        """The response value, and what the locals it sends hold: ``data = serializers.serialize("json", users)``
        then ``return HttpResponse(data)``."""
        yield expr
        for node in [expr, *walk(expr)]:
            if isinstance(node, cst.Name):
                yield from (v for v in flow.values_of(node) if v is not node)

    def _dumps(self, expr: cst.BaseExpression) -> Iterator[tuple[cst.BaseExpression, cst.BaseExpression, str]]:
        """(dump expression, the object dumped, how) inside a response value."""
        for node in [expr, *walk(expr)]:
            if isinstance(node, cst.Attribute) and node.attr.value == "__dict__":
                yield node, node.value, "all"
            elif isinstance(node, cst.Call):
                name = tail_text(node.func)
                qual = self.ctx.qualname(node.func) or ""
                if name in ("vars", "asdict", "model_to_dict", "jsonable_encoder") and node.args and \
                        isinstance(node.func, cst.Name):
                    if name == "model_to_dict" or qual.endswith("model_to_dict"):
                        yield node, node.args[0].value, "model_to_dict"
                    else:
                        yield node, node.args[0].value, "all"
                elif qual in ("django.core.serializers.serialize",) and len(node.args) >= 2:
                    yield node, node.args[1].value, "all"
                elif isinstance(node.func, cst.Attribute) and (name in _DUMP_CALLS or _named_like_a_dump(name, node)):
                    yield node, node.func.value, name
                elif isinstance(node.func, cst.Attribute) and name in ("values", "values_list") and not node.args \
                        and _queried_model(node.func.value) is not None:
                    yield node, node.func.value, "all"  # ``User.objects.values()``: every column

    # --- model methods that build the payload -------------------------------------------
    def _sent_calls(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> Iterator[cst.Call]:
        """Method calls whose result is (part of) the data a response value sends: reached through dict values,
        list items, comprehension elements, conditional branches, JSON-response and ``list()`` wrappers and the
        locals they are assigned to (not the arguments of other calls, whose results are what is sent)."""
        if depth > 6:
            return
        expr = unparenthesize(expr)
        parts: list[cst.BaseExpression] = _element_values(expr) or []
        if isinstance(expr, cst.Dict):
            parts = [e.value for e in expr.elements]
        elif isinstance(expr, cst.Call):
            name = tail_text(expr.func)
            if name in _JSON_RESPONSES or (name in _CONTAINERS and isinstance(expr.func, cst.Name)):
                parts = [a.value for a in expr.args if a.keyword is None or name == "jsonify"
                         or a.keyword.value in ("content", "data", "body", "response")]
            elif isinstance(expr.func, cst.Attribute):
                yield expr
        elif isinstance(expr, cst.Name):
            parts = [v for v in flow.values_of(expr) if v is not expr]
        for part in parts:
            yield from self._sent_calls(flow, part, depth + 1)

    def _model_call_secrets(self, flow: HandlerFlow, call: cst.Call) -> tuple[list[str], str] | None:
        """(secret fields, the method that puts them in) when ``call`` runs a method of a user model (through
        the class, ``User.all_for_admin()``, or an instance, ``user.as_payload()``) that returns a dict, or a list
        of dicts, carrying the user's stored secrets (its own, or one or two calls deeper)."""
        assert isinstance(call.func, cst.Attribute)
        receiver = unparenthesize(call.func.value)
        model: ClassModel | None = None
        if isinstance(receiver, (cst.Name, cst.Attribute)) and tail_text(receiver)[:1].isupper():
            resolved = resolve_class(self.ctx, receiver)
            model = class_model(*resolved) if resolved is not None else None
        if model is None:
            cls = self._object_class(flow, receiver)[0]
            model = cls[4] if cls is not None else None
        if model is None:
            return None
        found: dict[str, str] = {}
        self._returned_secrets(model, call.func.attr.value, 1, found, set())
        if not found:
            return None
        return sorted(found), next(iter(found.values()))

    def _returned_secrets(self, model: ClassModel, name: str, depth: int, found: dict[str, str],
                          seen: set[int]) -> None:
        """Adds to ``found`` (secret -> ``Class.method``) the stored secrets of a user object that method ``name``
        of ``model`` returns; ``depth`` counts the methods followed (at most two)."""
        method = model.method(name)
        if method is None or id(method[1]) in seen:
            return
        seen.add(id(method[1]))
        mctx, function = method
        for node in walk(function.body):
            if isinstance(node, cst.Return) and node.value is not None:
                self._payload_secrets(model, mctx, function, node.value, depth, found, seen, 0)

    def _payload_secrets(self, model: ClassModel, mctx: FileContext, function: cst.FunctionDef,
                         expr: cst.BaseExpression, depth: int, found: dict[str, str], seen: set[int],
                         level: int) -> None:
        if level > 6:
            return
        expr = unparenthesize(expr)
        where = f"{model.name}.{function.name.value}"
        parts: list[cst.BaseExpression] = []
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    secret = self._secret_entry(model, mctx.string(element.key), element.value)
                    if secret is not None:
                        found.setdefault(secret, where)
                parts.append(element.value)
        elif (elements := _element_values(expr)) is not None:
            parts = elements
        elif isinstance(expr, cst.Name):
            parts = self._local_payloads(model, mctx, function, expr.value, found, where)
        elif isinstance(expr, cst.Call):
            callee = tail_text(expr.func)
            if callee == "dict" and isinstance(expr.func, cst.Name):
                for arg in expr.args:
                    secret = self._secret_entry(model, arg.keyword.value if arg.keyword else None, arg.value)
                    if secret is not None:
                        found.setdefault(secret, where)
                parts = [a.value for a in expr.args]
            elif callee in _CONTAINERS and isinstance(expr.func, cst.Name):
                parts = [a.value for a in expr.args if a.keyword is None]
            elif isinstance(expr.func, cst.Attribute) and depth < 2:
                inner = self._callee_model(model, mctx, function, expr.func.value)
                if inner is not None:
                    self._returned_secrets(inner, expr.func.attr.value, depth + 1, found, seen)
        for part in parts:
            self._payload_secrets(model, mctx, function, part, depth, found, seen, level + 1)

    def _secret_entry(self, model: ClassModel, key: str | None, value: cst.BaseExpression) -> str | None:
        """The secret a payload entry carries: ``"password": self.password``, ``"pw": user.password_hash`` (an
        attribute of an object, not a flag or a date about it: ``"has_password": bool(self.password)`` is not)."""
        value = unparenthesize(value)
        if not model.userish() or not isinstance(value, cst.Attribute) or not isinstance(value.value, cst.Name):
            return None
        attr = value.attr.value
        if key is not None and _is_stored_secret(key) and _is_secret_field(attr):
            return key
        words = split_words(key or "")
        if attr in model.fields and _is_stored_secret(attr) and \
                not (words and (words[0] in _BOOLEAN_HEADS or words[-1] in _META_TAILS)):
            return attr  # ``"hash": self.password_hash``; not ``"password_set": self.password``
        return None

    def _local_payloads(self, model: ClassModel, mctx: FileContext, function: cst.FunctionDef, name: str,
                        found: dict[str, str], where: str) -> list[cst.BaseExpression]:
        """What a method's local ``name`` is assigned (``data = {...}``), noting ``data["password"] = ...`` when
        the method always adds it (not under an ``if with_api_key:`` the caller opts into)."""
        values: list[cst.BaseExpression] = []
        always = {id(small) for st in function.body.body if isinstance(st, cst.SimpleStatementLine) for small in st.body}
        for node in walk(function.body):
            if not isinstance(node, cst.Assign):
                continue
            for target in node.targets:
                if isinstance(target.target, cst.Name) and target.target.value == name:
                    values.append(node.value)
                elif isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name) and \
                        target.target.value.value == name and isinstance(target.target.slice[0].slice, cst.Index) \
                        and id(node) in always:
                    secret = self._secret_entry(model, mctx.string(target.target.slice[0].slice.value), node.value)
                    if secret is not None:
                        found.setdefault(secret, where)
        return values

    def _callee_model(self, model: ClassModel, mctx: FileContext, function: cst.FunctionDef,
                      receiver: cst.BaseExpression) -> ClassModel | None:
        """The class whose method a call inside a model method runs: ``self.x()``, ``cls.x()``, ``User.x(user)``,
        ``u.x()`` for ``u`` of a comprehension over ``User.query.all()``."""
        receiver = unparenthesize(receiver)
        if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"):
            return model
        if isinstance(receiver, (cst.Name, cst.Attribute)) and tail_text(receiver)[:1].isupper():
            if isinstance(receiver, cst.Name) and receiver.value == model.name:
                return model
            resolved = resolve_class(mctx, receiver)
            return class_model(*resolved) if resolved is not None else None
        if not isinstance(receiver, cst.Name):
            return None
        for node in walk(function.body):
            if isinstance(node, cst.CompFor) and isinstance(node.target, cst.Name) and \
                    node.target.value == receiver.value:
                if any(isinstance(n, cst.Attribute) and n.attr.value in ("query", "objects") and
                       isinstance(n.value, cst.Name) and n.value.value == "cls" for n in walk(node.iter)):
                    return model  # ``for u in cls.query.all()``
                queried = _queried_model(node.iter)
                if queried is not None:
                    return self._callee_model(model, mctx, function, queried)
        return None

    def _exposed(self, flow: HandlerFlow, dump: cst.BaseExpression, target: cst.BaseExpression,
                 how: str) -> tuple[list[str], str, bool] | None:
        """(secret fields, description, confident) when the dump sends a user's secrets."""
        cls, userish, label = self._object_class(flow, target)
        if how == "model_to_dict" and isinstance(dump, cst.Call):
            if self.ctx.keyword(dump, "fields") is not None or len(dump.args) > 1 and dump.args[1].keyword is None:
                listed = literal_names(self.ctx, self.ctx.argument(dump, "fields", 1))
                if listed is None or not any(_is_secret_field(f) for f in listed):
                    return None
            excluded = literal_names(self.ctx, self.ctx.argument(dump, "exclude", 2)) or []
            how = "all"
        else:
            excluded = []
        if how == "all":
            if cls is not None:
                secrets = sorted(f for f in cls[1] if _is_secret_field(f) and f not in excluded)
                if secrets and (userish or cls[2]):
                    return secrets, label, True
                if cls[3] or (cls[4] is not None and cls[4].kind == "schema"):
                    return None  # the whole class is known (or a schema, which declares its fields): nothing secret
            if userish and not excluded:
                return [], label, False
            return None
        if cls is None or cls[4] is None:
            return None
        model: ClassModel = cls[4]
        if how in ("dict", "model_dump") and (model.kind == "schema" or any(
                a.endswith(("SQLModel", "BaseModel")) for a in model.ancestors)):
            secrets = sorted(f for f in model.fields if _is_stored_secret(f))
            return (secrets, label, True) if secrets and model.userish() else None
        method = model.method(how)
        secrets = self._method_secrets(model, method, how)
        if secrets:
            return secrets, label, True
        return None

    def _object_class(self, flow: HandlerFlow, target: cst.BaseExpression
                      ) -> tuple[tuple[str, set[str], bool, bool, ClassModel | None] | None, bool, str]:
        """((name, fields, userish, complete, class), userish, label) of the object a dump serializes."""
        target = unparenthesize(target)
        expr = self._model_expression(flow, target, 0)
        principal = flow.is_current_user(target) and flow.client_origin(target) is None and \
            isinstance(target, (cst.Name, cst.Attribute))
        label = f"the user object {markup.code(self.ctx.code(target))}" if principal else markup.code(self.ctx.code(target))
        if principal and (expr is None or resolve_class(self.ctx, expr) is None):
            if flow.framework in (Framework.DJANGO, Framework.DRF):
                return ("User", set(ABSTRACT_USER_FIELDS), True, False, None), True, label
            expr = self._user_class_name() or expr
        if expr is None:
            return None, principal, label
        known = model_fields_of(self.ctx, expr)
        resolved = resolve_class(self.ctx, expr)
        model = class_model(*resolved) if resolved is not None else None
        name = known[0] if known is not None else tail_text(expr)
        userish = principal or names_user_model(name) or (model is not None and model.userish())
        if not principal:
            label = f"a {markup.code(name)} object" if name else label
        if known is None:
            return (name, set(), userish, False, model), userish, label
        return (known[0], known[1], userish, known[2] and model is not None, model), userish, label

    def _model_expression(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> cst.BaseExpression | None:
        """The class expression of the object ``expr`` holds (a load's model, a typed parameter, a comprehension's)."""
        if depth > 6:
            return None
        expr = unparenthesize(expr)
        if isinstance(expr, cst.Call):
            load = flow.load(expr)
            if load is not None and load.model:
                return self._find_model_node(load.call, load.model)
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in SCHEMA_LOADERS:
                return expr.func.value
            if tail_text(expr.func)[:1].isupper():
                return expr.func
            return _queried_model(expr)
        if isinstance(expr, cst.Subscript):
            return self._model_expression(flow, expr.value, depth + 1)
        if isinstance(expr, cst.Attribute):
            return _queried_model(expr)
        if isinstance(expr, cst.Name):
            comprehension = self._comprehension_iter(expr)
            if comprehension is not None:
                return self._model_expression(flow, comprehension, depth + 1)
            if flow.is_parameter(expr):
                for param in (*flow.function.params.params, *flow.function.params.kwonly_params):
                    if param.name.value == expr.value and param.annotation is not None:
                        annotation = param.annotation.annotation
                        return annotation if tail_text(annotation)[:1].isupper() else None
                return None
            return _through_values(flow, expr, lambda value: self._model_expression(flow, value, depth + 1))
        return None

    def _comprehension_iter(self, name: cst.Name) -> cst.BaseExpression | None:
        for node in reversed(self._comprehensions):
            comp: cst.CompFor | None = node.for_in
            while comp is not None:
                if isinstance(comp.target, cst.Name) and comp.target.value == name.value and \
                        any(n is name for n in walk(node)):
                    return comp.iter
                comp = comp.inner_for_in
        return None

    @property
    def _comprehensions(self) -> list[cst.BaseComp]:
        return _COMPREHENSIONS.get(self.ctx)

    @staticmethod
    def _find_model_node(call: cst.Call, model: str) -> cst.BaseExpression | None:
        for node in walk(call):
            if isinstance(node, (cst.Name, cst.Attribute)) and tail_text(node) == model:
                return node
        return None

    def _user_class_name(self) -> cst.BaseExpression | None:
        """The project's user model as this file names it (``User`` imported or defined here)."""
        for name in ("User", "Account", "CustomUser", "UserAccount", "Member"):
            if name in self.ctx.index.imports or name in self.ctx.index.classes:
                return cst.Name(name)
        return None

    def _method_secrets(self, model: ClassModel, method: tuple[FileContext, cst.FunctionDef] | None,
                        name: str) -> list[str]:
        """Secret fields a ``to_dict``-style method puts in its result."""
        secrets = {f for f in model.fields if _is_secret_field(f)}
        if method is None:
            if any(a.endswith("sqlalchemy_serializer.SerializerMixin") for a in model.ancestors) and name == "to_dict":
                only = literal_names(model.ctx, model.attribute("serialize_only"))
                rules = literal_names(model.ctx, model.attribute("serialize_rules")) or []
                if only is not None:
                    secrets &= set(only)
                secrets -= {r.lstrip("-") for r in rules if r.startswith("-")}
                return sorted(secrets)
            return []
        mctx, function = method
        text = mctx.code(function)
        strings = {mctx.string(n) for n in walk(function) if isinstance(n, cst.SimpleString)}
        exposed: set[str] = set()
        if _ALL_COLUMNS.search(text):
            exposed = {s for s in secrets if s not in strings}
        for node in walk(function):
            if isinstance(node, cst.Dict):
                for element in node.elements:
                    if isinstance(element, cst.DictElement):
                        key = mctx.string(element.key)
                        if key and _is_stored_secret(key):
                            exposed.add(key)
                        value = element.value
                        if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and \
                                value.value.value == "self" and _is_stored_secret(value.attr.value):
                            exposed.add(value.attr.value)
        return sorted(exposed)

    # --- FastAPI response models ----------------------------------------------------------
    def _check_response_model(self, handler: RouteHandler) -> bool:
        """Report a response model with secret fields; True when a response model filters what is returned."""
        function = handler.function
        for decorator in function.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call):
                continue
            arg = self.ctx.keyword(call, "response_model")
            if arg is None and (tail_text(call.func) not in ("get", "post", "put", "patch", "delete", "api_route")
                                or function.returns is None):
                continue
            if arg is not None and self.ctx.literal(arg.value) is None:
                return False  # ``response_model=None``: returned as is
            annotation = arg.value if arg is not None else function.returns.annotation  # type: ignore[union-attr]
            schema = MassAssignment._annotation_schema(self, annotation)  # type: ignore[arg-type]
            if schema is None:
                return arg is not None
            if schema.kind != "schema" and not any(a.endswith(("SQLModel", "BaseModel")) for a in schema.ancestors):
                return False
            secrets = sorted(f for f in schema.fields if _is_stored_secret(f))
            if not secrets or not schema.userish():
                return True
            names = ", ".join(markup.code(s) for s in secrets)
            via = "`response_model`" if arg is not None else "its return annotation"
            self.report(decorator, f"{markup.code(handler.label)} answers with {markup.code(schema.name)} ({via}), which includes {names}: "
                                   f"use a response model without secret fields")
            return True
        return False

    # --- serializers ----------------------------------------------------------------------
    def _check_serializers(self) -> None:
        for cls in classes_in(self.ctx.module):
            model = class_model(self.ctx, cls)
            if model.kind == "serializer":
                kind = "serializer"
            elif model.kind == "schema" and any(a.rsplit(".", 1)[-1] in _MARSHMALLOW_MODEL_SCHEMAS
                                                for a in model.ancestors):
                kind = "marshmallow"
            else:
                continue
            info = writable_info(self.ctx, cls, kind)
            if info is None or info.anchor is None:
                continue
            secrets = sorted(f for f in info.readable if _is_stored_secret(f))
            views = _fields_outside_admin_views(self.ctx, cls)
            if views is not None:  # narrowed per instance: only what a non-administrator's view lists is sent
                secrets = [s for s in secrets if s in views]
            if not secrets or not info.userish:
                continue
            names = ", ".join(markup.code(s) for s in secrets)
            how = 'with `fields = "__all__"`' if info.all_fields else "in `fields`" if info.listed is not None \
                else "through `exclude`"
            if views:
                how = f"in its {markup.code(views[secrets[0]])} view"
            fix = self._write_only_fix(cls, info, secrets) if kind == "serializer" else None
            advice = "make them write-only or leave them out" if kind == "serializer" else \
                "leave them out (`exclude`) or make them `load_only`"
            self.report(info.anchor, f"{markup.code(cls.name.value)} sends {names} of {markup.code(info.model)} to the client ({how}): "
                                     f"{advice}", fix=fix)

    def _write_only_fix(self, cls: cst.ClassDef, info: Writable, secrets: list[str]) -> Fix | None:
        meta = meta_class(cls)
        if meta is None or class_assignment(meta, "extra_kwargs") is not None or info.anchor is None:
            return None
        if any(s in {tail_text(t.target) for st in cls.body.body if isinstance(st, cst.SimpleStatementLine)
                     for sm in st.body if isinstance(sm, cst.Assign) for t in sm.targets} for s in secrets):
            return None  # declared on the serializer: ``write_only=True`` belongs there
        ctx = self.ctx
        end = ctx.position(info.anchor).end.line
        indent = ctx.indentation(ctx.position(info.anchor).start.line)
        items = ", ".join(f'"{s}": {{"write_only": True}}' for s in secrets)
        return Fix(end, end, f"{ctx.lines[end - 1]}\n{indent}extra_kwargs = {{{items}}}", "make the secrets write-only")
