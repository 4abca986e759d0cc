"""AR104–AR106 (access control on routes): what a handler takes from the request and gives back.

* AR104 identity-from-request: a user id the client sent (body, query, header, cookie) used as the
  acting user: the owner/author of what the handler creates, or the "whose data" of what it lists.
* AR105 mass-assignment: a model created or updated from the whole request payload (or from a
  schema/serializer/form that lets the client write privileged fields).
* AR106 sensitive-fields-exposed: a response that serializes a user object with its password hash,
  tokens or secrets.

The three rules share the handler list (``_handlers``: the endpoints of ``analyzers.endpoints`` plus
Starlette/aiohttp-style functions declared in another module's route table) and the class model
(``_ClassModel``: the fields of ORM models, pydantic schemas, DRF serializers and Django forms,
followed through the bases in this file and, with a project, in other modules).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import libcst as cst

from ..context import UNKNOWN, FileContext
from .. import markup
from ..endpoints import endpoints
from ..findings import Confidence, Fix, Severity
from ..flow import HandlerFlow, Load, Origin, names_in
from ..project import imported_definition
from ..routes import guard_for_decorator
from ..rule import Invalid, Rule
from ..walk import walk
from ._common import split_words

# --- handlers ---------------------------------------------------------------------------

_ADMIN = re.compile(r"(?:^|[/_\-. ])(?:admin|staff|superuser|backoffice|back_office)(?:$|[/_\-. ])|superuser",
                    re.IGNORECASE)
_REQUEST_TYPES = ("Request", "HTTPConnection", "HttpRequest", "WSGIRequest", "ASGIRequest", "BaseRequest")
_ROUTE_HINT = re.compile(r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|add_url_rule|HTTPEndpoint|"
                         r"api_view|APIView|ViewSet|View\)|Mixin\b|def \w+\(\s*(?:self,\s*)?request\b|"
                         r"\bRequest\b|web\.Request")


_ADMIN_WORDS = frozenset({"admin", "admins", "administrator", "staff", "superuser", "backoffice", "superadmin"})


def _adminish(*names: str) -> bool:
    """``UserAdminSerializer``, ``admin_api.py``, ``StaffUserViewSet``: meant for administrators."""
    return any(set(split_words(name)) & _ADMIN_WORDS for name in names)


@dataclass
class _Handler:
    function: cst.FunctionDef
    framework: str
    label: str
    authenticated: bool
    role_checked: bool
    privileged: bool  # an admin/staff route by path, name, router or module: acting on others is its job
    endpoint: bool  # declared as a route (False: shaped like a handler, declared in another module)
    _flow: HandlerFlow | None = None

    def flow(self, ctx: FileContext) -> HandlerFlow:
        if self._flow is None:
            self._flow = HandlerFlow.build(ctx, self.function, self.framework)
        return self._flow


def _admin_dependency(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """A FastAPI parameter that resolves an administrator (``admin: AdminUser``, ``Depends(get_superuser)``)."""
    params = function.params
    for param in (*params.params, *params.kwonly_params):
        texts = [ctx.code(param.default)] if param.default is not None else []
        if param.annotation is not None:
            texts.append(ctx.code(param.annotation.annotation))
        if any(("Depends" in t or "Security" in t or t.isidentifier()) and _adminish(*re.findall(r"\w+", t))
               for t in texts):
            return True
    return False


def _handlers(ctx: FileContext) -> list[_Handler]:
    """The request handlers of this file: declared endpoints, then Starlette/aiohttp-shaped functions."""
    cached = ctx.cache.get("payloads.handlers")
    if cached is not None:
        return cached
    module = ctx.path.rsplit("/", 1)[-1].removesuffix(".py")
    found: list[_Handler] = []
    seen: set[int] = set()
    for endpoint in endpoints(ctx):
        function = endpoint.function
        if id(function) in seen:
            continue
        seen.add(id(function))
        route = endpoint.route
        cls = route.view_class.name.value if route.view_class is not None else ""
        where = f"{endpoint.path or ''} {_prefix(ctx, route.owner)} {module}"
        privileged = bool(_ADMIN.search(where)) or _adminish(function.name.value, cls, route.owner or "") or \
            (endpoint.framework == "fastapi" and _admin_dependency(ctx, function))
        found.append(_Handler(function, endpoint.framework, endpoint.label, endpoint.authenticated,
                              endpoint.role_checked, privileged, True))
    text = ctx.source.text
    if ("django" in text or "rest_framework" in text) and "class " in text:
        for hook, route in _view_hooks(ctx):
            if id(hook) in seen:
                continue
            seen.add(id(hook))
            cls = route.handler.name.value
            privileged = bool(_ADMIN.search(f"{route.path or ''} {module}")) or _adminish(cls)
            found.append(_Handler(hook, route.framework, f"{cls}.{hook.name.value}", route.authenticated,
                                  route.role_checked, privileged, True))
    framework = "starlette" if "starlette" in text else "aiohttp" if "aiohttp" in text else None
    if framework is not None:
        for function in _functions(ctx.module):
            if id(function) in seen or not _shaped_like_handler(ctx, function):
                continue
            seen.add(id(function))
            guards = [g for g in (guard_for_decorator(ctx, d) for d in function.decorators) if g is not None]
            privileged = bool(_ADMIN.search(module)) or _adminish(function.name.value)
            found.append(_Handler(function, framework, f"{function.name.value}()", bool(guards),
                                  any(g.role for g in guards), privileged, False))
    ctx.cache["payloads.handlers"] = found
    return found


_VIEW_HOOKS = frozenset({"get_queryset", "perform_create", "perform_update", "perform_destroy", "form_valid",
                         "get_object", "create", "update", "partial_update", "list", "retrieve", "destroy", "get",
                         "post", "put", "patch", "delete"})


def _view_hooks(ctx: FileContext) -> Iterator[tuple[cst.FunctionDef, Any]]:
    """Methods of this file's class-based views and ViewSets that run per request (``perform_create``...)."""
    from ..routes_django import discover_django

    seen: set[int] = set()
    for route in discover_django(ctx):
        cls = route.handler
        if not isinstance(cls, cst.ClassDef) or route.handler_ctx is None or route.handler_ctx.path != ctx.path \
                or id(cls) in seen:
            continue
        seen.add(id(cls))
        for member in cls.body.body:
            if isinstance(member, cst.FunctionDef) and member.name.value in _VIEW_HOOKS:
                yield member, route


def _prefix(ctx: FileContext, owner: str | None) -> str:
    """The ``prefix=``/``url_prefix=`` of the router or blueprint a route hangs on."""
    if owner is None:
        return ""
    bound = ctx.index.bindings.get((id(ctx.module), owner))
    if bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
        for name in ("prefix", "url_prefix"):
            value = ctx.string(ctx.argument(bound[0], name))
            if value:
                return value
    return ""


def _functions(module: cst.Module) -> Iterator[cst.FunctionDef]:
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef):
            yield statement
        elif isinstance(statement, cst.ClassDef):
            for member in statement.body.body:
                if isinstance(member, cst.FunctionDef):
                    yield member


def _shaped_like_handler(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """``async def add_comment(request: Request)``: takes the request (annotated), or carries ``@requires``."""
    for decorator in function.decorators:
        target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        if ctx.qualname(target) == "starlette.authentication.requires":
            return True
    params = [p for p in function.params.params if p.name.value not in ("self", "cls")]
    if not params or params[0].annotation is None:
        return False
    annotation = params[0].annotation.annotation
    text = ctx.qualname(annotation) or ctx.dotted_name(annotation) or ""
    return text.rsplit(".", 1)[-1] in _REQUEST_TYPES and not text.startswith(("fastapi", "django", "flask"))


# --- small helpers ---------------------------------------------------------------------------

def _tail(expr: cst.BaseExpression | None) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return ""


def _strip(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


T = TypeVar("T")


def _through_values(flow: HandlerFlow, name: cst.Name, find: Callable[[cst.BaseExpression], T | None]) -> T | None:
    """The first answer ``find`` gives for a value assigned to the local ``name``."""
    for value in flow.values_of(name):
        if value is not name:
            found = find(value)
            if found is not None:
                return found
    return None


def _field_core(name: str) -> str:
    """``owner_id`` -> ``owner``; ``createdById`` -> ``created_by``; ``user__pk`` -> ``user``."""
    words = split_words(name)
    while len(words) > 1 and words[-1] in ("id", "pk", "uuid", "guid", "key"):
        words.pop()
    return "_".join(words)


def _id_suffixed(name: str) -> bool:
    words = split_words(name)
    return len(words) > 1 and words[-1] in ("id", "pk", "uuid", "guid")


_CASTS = frozenset({"int", "str", "UUID", "ObjectId", "PydanticObjectId", "float", "Decimal"})


def _unwrap(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``int(x)``, ``str(x)``, ``await x`` -> ``x``."""
    expr = _strip(expr)
    while isinstance(expr, cst.Call) and _tail(expr.func) in _CASTS and len(expr.args) == 1 \
            and expr.args[0].keyword is None and not expr.args[0].star:
        expr = _strip(expr.args[0].value)
    return expr


# --- the class model: ORM models, schemas, serializers, forms ---------------------------------

# Fields the framework's own bases declare.
_ABSTRACT_BASE_USER = ("password", "last_login")
_PERMISSIONS_MIXIN = ("is_superuser", "groups", "user_permissions")
_ABSTRACT_USER = (*_ABSTRACT_BASE_USER, *_PERMISSIONS_MIXIN, "username", "first_name", "last_name", "email",
                  "is_staff", "is_active", "date_joined")
_KNOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "django.contrib.auth.models.AbstractUser": _ABSTRACT_USER,
    "django.contrib.auth.models.User": _ABSTRACT_USER,
    "django.contrib.auth.get_user_model()": _ABSTRACT_USER,
    "django.conf.settings.AUTH_USER_MODEL": _ABSTRACT_USER,
    "django.contrib.auth.base_user.AbstractBaseUser": _ABSTRACT_BASE_USER,
    "django.contrib.auth.models.AbstractBaseUser": _ABSTRACT_BASE_USER,
    "django.contrib.auth.models.PermissionsMixin": _PERMISSIONS_MIXIN,
    "fastapi_users_db_sqlalchemy.SQLAlchemyBaseUserTable": ("email", "hashed_password", "is_active",
                                                            "is_superuser", "is_verified"),
    "fastapi_users_db_sqlalchemy.SQLAlchemyBaseUserTableUUID": ("id", "email", "hashed_password", "is_active",
                                                                "is_superuser", "is_verified"),
}
_USER_WORDS = frozenset({"user", "users", "account", "accounts", "member", "customer", "profile", "person",
                         "principal", "staff", "admin", "employee", "me", "signup", "registration", "register"})
_MODEL_ROOTS = frozenset({"Model", "DeclarativeBase", "DeclarativeBaseNoMeta", "Document", "DynamicDocument",
                          "AbstractUser", "AbstractBaseUser", "PermissionsMixin", "SQLAlchemyBaseUserTable",
                          "SQLAlchemyBaseUserTableUUID", "TimeStampedModel", "MPTTModel", "PolymorphicModel"})
_SCHEMA_ROOTS = frozenset({"BaseModel", "Schema", "SQLAlchemySchema", "SQLAlchemyAutoSchema", "ModelSchema",
                           "TypedDict", "RootModel", "BaseSettings", "Struct"})
_SERIALIZER_ROOTS = frozenset({"ModelSerializer", "HyperlinkedModelSerializer"})
_FORM_ROOTS = frozenset({"ModelForm"})
_EDIT_VIEWS = frozenset({"CreateView", "UpdateView", "FormView", "BaseCreateView", "BaseUpdateView"})
_COLUMN_CALLS = frozenset({"Column", "mapped_column", "ForeignKey", "OneToOneField", "ManyToManyField",
                           "ReferenceField", "column_property", "Field", "PrimaryKeyField", "auto_field"})


@dataclass
class _ClassModel:
    """A class of the project and what it is: its kind, fields and ancestors."""

    ctx: FileContext
    node: cst.ClassDef
    kind: str  # model | schema | serializer | form | view | other
    fields: dict[str, cst.CSTNode | None]  # field name -> its declaration (None: from a framework base)
    complete: bool  # every base was followed: ``fields`` is all there is
    ancestors: list[str]  # base names, nearest first (qualified when known)
    unconstrained: bool = False  # a schema that accepts extra keys

    @property
    def name(self) -> str:
        return self.node.name.value

    def userish(self) -> bool:
        return bool(set(split_words(self.name)) & _USER_WORDS) or \
            bool({"password", "password_hash", "hashed_password"} & set(self.fields))

    def method(self, name: str, depth: int = 0) -> tuple[FileContext, cst.FunctionDef] | None:
        for statement in self.node.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                return self.ctx, statement
        if depth > 4:
            return None
        for base in self.node.bases:
            found = _resolve_class(self.ctx, base.value)
            if found is not None:
                method = _class_model(*found).method(name, depth + 1)
                if method is not None:
                    return method
        return None

    def attribute(self, name: str) -> cst.BaseExpression | None:
        for statement in self.node.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and any(
                            isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets):
                        return small.value
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) \
                            and small.target.value == name and small.value is not None:
                        return small.value
        return None


def _resolve_class(ctx: FileContext, expr: cst.BaseExpression) -> tuple[FileContext, cst.ClassDef] | None:
    """The class an expression names, in this file or (with a project) in the module it comes from."""
    expr = _strip(expr)
    if isinstance(expr, cst.Name) and expr.value in ctx.index.classes:
        values = ctx.index.bindings.get((id(ctx.module), expr.value), [])
        if all(v is None for v in values):
            return ctx, ctx.index.classes[expr.value]
    if not isinstance(expr, (cst.Name, cst.Attribute)):
        return None
    return imported_definition(ctx, expr, cst.ClassDef)


def _class_model(ctx: FileContext, node: cst.ClassDef) -> _ClassModel:
    cache: dict[int, _ClassModel] = ctx.cache.setdefault("payloads.classes", {})
    found = cache.get(id(node))
    if found is None:
        found = cache[id(node)] = _build_class(ctx, node, 0)
    return found


def _class_model_of(ctx: FileContext, expr: cst.BaseExpression, kinds: tuple[str, ...]) -> _ClassModel | None:
    """The model of the class ``expr`` names, when its kind is one of ``kinds`` (``schema``, ``model``...)."""
    resolved = _resolve_class(ctx, expr)
    if resolved is None:
        return None
    model = _class_model(*resolved)
    return model if model.kind in kinds else None


def _build_class(ctx: FileContext, node: cst.ClassDef, depth: int) -> _ClassModel:
    fields: dict[str, cst.CSTNode | None] = {}
    ancestors: list[str] = []
    complete = True
    kinds: list[str] = []
    unconstrained = False
    for base in node.bases:
        if base.keyword is not None:
            continue
        qual = ctx.qualname(base.value) or ctx.dotted_name(base.value) or ""
        tail = qual.rsplit(".", 1)[-1].removesuffix("()")
        ancestors.append(qual)
        if qual in _KNOWN_FIELDS:
            fields.update(dict.fromkeys(_KNOWN_FIELDS[qual]))
        resolved = _resolve_class(ctx, base.value) if depth < 5 else None
        if resolved is not None and resolved[1] is not node:
            inner = _class_model(*resolved) if depth == 0 else _build_class(*resolved, depth + 1)
            for name, declared in inner.fields.items():
                fields.setdefault(name, declared)
            ancestors += inner.ancestors
            complete = complete and inner.complete
            unconstrained = unconstrained or inner.unconstrained
            if inner.kind != "other":
                kinds.append(inner.kind)
            continue
        kind = _root_kind(ctx, tail, node)
        if kind is not None:
            kinds.append(kind)
        elif qual not in _KNOWN_FIELDS and tail not in ("object", "Generic", "ABC", "Protocol", "UserMixin",
                                                         "SerializerMixin"):
            complete = False
    own = _own_fields(ctx, node)
    fields.update(own)
    if _extra_allowed(ctx, node):
        unconstrained = True
    kind = kinds[0] if kinds else "other"
    if any(k.keyword is not None and k.keyword.value == "table" and ctx.literal(k.value) is True
           for k in node.keywords):
        kind = "model"  # SQLModel ``class User(UserBase, table=True)``
    if kind == "other" and ("__tablename__" in own or any(
            isinstance(d, cst.Call) and _tail(d.func) in _COLUMN_CALLS for d in own.values())):
        kind = "model"
    if "__tablename__" in fields:
        fields.pop("__tablename__")
        kind = "model" if kind in ("other", "schema") else kind
    return _ClassModel(ctx, node, kind, fields, complete, ancestors, unconstrained)


def _root_kind(ctx: FileContext, tail: str, node: cst.ClassDef) -> str | None:
    if tail == "SQLModel":
        table = next((b for b in (*node.keywords, *node.bases) if b.keyword is not None and b.keyword.value == "table"),
                     None)
        return "model" if table is not None and ctx.literal(table.value) is True else "schema"
    if tail in _SERIALIZER_ROOTS:
        return "serializer"
    if tail in _FORM_ROOTS:
        return "form"
    if tail in _EDIT_VIEWS:
        return "view"
    if tail in _MODEL_ROOTS or tail == "Base":
        return "model"
    if tail in _SCHEMA_ROOTS:
        return "schema"
    return None


def _own_fields(ctx: FileContext, node: cst.ClassDef) -> dict[str, cst.CSTNode | None]:
    """Columns, model fields and annotated attributes declared in the class body."""
    found: dict[str, cst.CSTNode | None] = {}
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                name = small.target.value
                annotation = ctx.code(small.annotation.annotation)
                if name.startswith("_") or name in ("model_config", "objects") or annotation.startswith(
                        ("ClassVar", "typing.ClassVar")):
                    continue
                if isinstance(small.value, cst.Call) and _tail(small.value.func) in ("relationship", "Relationship"):
                    continue
                found[name] = small
            elif isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target,
                                                                                         cst.Name):
                name = small.targets[0].target.value
                value = small.value
                if name == "__tablename__":
                    found[name] = small
                elif isinstance(value, cst.Call) and not name.startswith("_"):
                    callee = _tail(value.func)
                    qual = ctx.qualname(value.func) or ctx.dotted_name(value.func) or ""
                    if callee in _COLUMN_CALLS or (callee.endswith("Field") and callee[:1].isupper()) or \
                            qual.startswith(("marshmallow.fields.", "fields.", "ma.fields.")):
                        found[name] = value
    return found


def _extra_allowed(ctx: FileContext, node: cst.ClassDef) -> bool:
    """A pydantic schema that keeps unknown keys (``extra="allow"``)."""
    statements = list(node.body.body)
    for statement in statements:
        if isinstance(statement, cst.ClassDef) and statement.name.value == "Config":  # pydantic v1
            statements += list(statement.body.body)
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            continue  # methods say nothing about extra keys; rendering them is the costly part
        text = ctx.code(statement)
        if "extra" in text and re.search(r"""["']?extra["']?\s*[=:]\s*(?:["']allow["']|Extra\.allow)""", text):
            return True
    return False


def _meta(node: cst.ClassDef) -> cst.ClassDef | None:
    for statement in node.body.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == "Meta":
            return statement
    return None


def _assigned(node: cst.ClassDef, name: str) -> cst.Assign | None:
    for statement in node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets):
                    return small
    return None


def _model_fields(ctx: FileContext, expr: cst.BaseExpression | None) -> tuple[str, set[str], bool] | None:
    """(name, fields, complete) of the model an expression names (``User``, ``get_user_model()``)."""
    if expr is None:
        return None
    qual = ctx.qualname(expr) or ""
    if isinstance(expr, cst.Call) and not qual:
        qual = (ctx.dotted_name(expr.func) or "") + "()"
    if qual in _KNOWN_FIELDS or qual.endswith("get_user_model()") or qual.endswith("AUTH_USER_MODEL"):
        return "User", set(_KNOWN_FIELDS.get(qual, _ABSTRACT_USER)), False
    resolved = _resolve_class(ctx, expr)
    if resolved is None:
        name = _tail(expr)
        if name in ("User", "CustomUser", "Account", "UserAccount", "AppUser") and \
                re.search(r"\b(?:django|rest_framework)\b", ctx.source.text):
            return name, set(_ABSTRACT_USER), False  # a Django project's user model: AbstractUser at least
        return None
    model = _class_model(*resolved)
    return model.name, set(model.fields), model.complete


# --- AR104 ---------------------------------------------------------------------------------

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
_USER_MODEL = re.compile(r"(?:^|_)(?:user|users|account|accounts|member|members|customer|customers|profile|"
                         r"profiles|person|people|principal|staff|auth_user|customuser)$", re.IGNORECASE)
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


def _acting_kind(name: str) -> str | None:
    """``strong`` for ``author_id``-like fields, ``weak`` for ``user_id``-like ones, else None."""
    core = _field_core(name)
    if core in _ACTING:
        return "strong"
    if core in _USERISH_FIELDS:
        return "weak"
    return None


def _is_user_model(name: str | None) -> bool:
    if not name:
        return False
    return bool(_USER_MODEL.search("_".join(split_words(name))))


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


class IdentityFromRequest(Rule):
    """What it does: flags authenticated handlers that take a user id from the request body, query
    string, headers or cookies and use it as the acting user: as the owner, author or creator of
    what they create (``Comment(author_id=payload["author_id"])``), or as the "whose rows" filter of
    what they return (``Order.objects.filter(user_id=request.GET["user_id"])``).
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
        handlers = _handlers(self.ctx)
        principal_forms: _PrincipalForms | None = None
        for handler in handlers:
            if handler.role_checked or handler.privileged:
                continue
            flow = handler.flow(self.ctx)
            if not handler.authenticated and not flow.principal_expressions() and not _principal_parameter(flow):
                continue  # no authenticated principal to use instead
            if flow.role_checked:
                continue
            reported: set[int] = set()
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

    # --- sinks --------------------------------------------------------------------------
    def _sinks(self, flow: HandlerFlow) -> Iterator[_Sink]:
        ctx = self.ctx
        load_calls: dict[int, Load] = {}
        for load in flow.loads:
            for call_id in load.chain:
                load_calls[call_id] = load
        for load in flow.loads:
            if _is_user_model(load.model) or _targets_another_user(load.model):
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
                callee = _tail(node.func)
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
            value = _strip(value)
            if isinstance(value, cst.Call) and _tail(value.func)[:1].isupper() and flow.load(value) is None:
                return _tail(value.func)
        return None

    def _private_model(self, model: str | None) -> bool:
        """Rows that belong to one user: by name (orders, invoices, carts...), or because another handler of this
        file scopes the same model to the caller (``Project.query.filter_by(owner_id=current_user.id)``)."""
        if not model:
            return False
        if set(split_words(model)) & _PRIVATE_WORDS:
            return True
        scoped: set[str] | None = self.ctx.cache.get("payloads.scoped_models")
        if scoped is None:
            scoped = set()
            for handler in _handlers(self.ctx):
                flow = handler.flow(self.ctx)
                for load in flow.loads:
                    if load.model and not load.principal_root and flow.scoped_to_user(load) and any(
                            flow.is_current_user(k.value) for k in load.keys):
                        scoped.add(load.model)
            self.ctx.cache["payloads.scoped_models"] = scoped
        return model in scoped

    @staticmethod
    def _modified(flow: HandlerFlow, load: Load) -> bool:
        """The selected rows are deleted or changed, not only read."""
        if _tail(load.call.func) in ("delete", "update", "adelete", "aupdate", "delete_one", "delete_many",
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
        if _tail(func)[:1].isupper():
            return _tail(func)
        expr: cst.BaseExpression = func
        while isinstance(expr, (cst.Attribute, cst.Call)):
            expr = expr.value if isinstance(expr, cst.Attribute) else expr.func
            name = _tail(expr)
            if name[:1].isupper() or (isinstance(expr, cst.Attribute) and name not in ("objects", "query")):
                return name
        return _tail(func) or None

    def _is_log_or_response(self, call: cst.Call) -> bool:
        name = _tail(call.func)
        return name in _LOG_METHODS or name in _RESPONSES

    def _persisted_names(self, flow: HandlerFlow) -> dict[int, str]:
        """Dict literals written to the database (inline or through a local), with the target's name."""
        found: dict[int, str] = {}
        for node in walk(flow.function.body):
            if not isinstance(node, cst.Call) or _tail(node.func) not in _WRITE_METHODS and \
                    not _tail(node.func)[:1].isupper():
                continue
            what = self._model_of_call(node) or ""
            for arg in node.args:
                for value in self._dict_values(flow, arg.value, 0):
                    found[id(value)] = what
        return found

    def _dict_values(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> Iterator[cst.Dict]:
        expr = _strip(expr)
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
        expr = _strip(expr)
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
                if not _is_user_model(load.model):
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
    def _report(self, handler: _Handler, flow: HandlerFlow, sink: _Sink, trace: _Trace, anchor: cst.CSTNode,
                forms: "_PrincipalForms") -> None:
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
    def collect(cls, ctx: FileContext, handlers: list[_Handler]) -> "_PrincipalForms":
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

    def best(self, handler: _Handler, flow: HandlerFlow) -> tuple[str, str] | None:
        """(object form or "", id form) to use in ``handler``."""
        local_ids: Counter[str] = Counter()
        local_objects: Counter[str] = Counter()
        _count_forms(flow, local_objects, local_ids)
        request = _request_param(flow)
        if handler.framework in ("django", "drf") and request is not None:
            return f"{request}.user", f"{request}.user.pk"
        if handler.framework == "fastapi" and not local_objects:
            param = _principal_parameter(flow)
            if param is not None:
                local_objects[param] += 1
        obj = _most(local_objects) or _most(self.objects)
        ident = _most(local_ids)
        if ident is None and obj is not None and not obj.endswith(")") and handler.framework not in (
                "starlette", "aiohttp"):  # Starlette's ``request.user`` need not have an ``id``
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


_ROLE_TEST = re.compile(r"admin|staff|superuser|has_perm|permission|\brole|moderator|is_root|scopes", re.IGNORECASE)


def _under_role_test(flow: HandlerFlow, node: cst.CSTNode) -> bool:
    """``node`` runs only when an ``if`` on the caller's role holds (``if request.user.is_staff: ...``)."""
    cache: dict[int, dict[int, cst.CSTNode]] = flow.ctx.cache.setdefault("payloads.parents", {})
    parents = cache.get(id(flow.function))
    if parents is None:
        parents = cache[id(flow.function)] = {}
        for parent in walk(flow.function):
            for child in parent.children:
                parents[id(child)] = parent
    current: cst.CSTNode | None = node
    while current is not None and current is not flow.function:
        parent = parents.get(id(current))
        if isinstance(parent, (cst.If, cst.IfExp)) and current is not parent.test and \
                _ROLE_TEST.search(flow.ctx.code(parent.test)) and \
                any(flow.is_current_user(n) for n in walk(parent.test) if isinstance(n, (cst.Name, cst.Attribute))):
            return True
        current = parent
    return False


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
    if params and (params[0].name.value in ("request", "req") or flow.framework in ("django", "drf")):
        return params[0].name.value
    if flow.function.params.params and flow.function.params.params[0].name.value == "self":
        return "self.request"
    return None


def _is_id_form(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Attribute):
        return node.attr.value in ("id", "pk", "uuid")
    if isinstance(node, cst.Call):
        words = split_words(_tail(node.func))
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


# --- AR105 ---------------------------------------------------------------------------------

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
_SCHEMA_LOADERS = frozenset({"model_validate", "parse_obj", "parse_raw", "model_validate_json", "construct",
                             "model_construct", "validate", "load", "loads"})
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


@dataclass
class _Payload:
    """Data a model is built from: the whole request (any key), or a schema's fields."""

    text: str  # for messages
    privileged: list[str]  # known privileged keys the client may set (empty: unknown, "any")
    schema: _ClassModel | None = None
    dump: cst.Call | None = None  # ``payload.model_dump(...)``, where a fix can exclude the fields


class MassAssignment(Rule):
    """What it does: flags models created or updated from the whole request payload
    (``Model(**request.json)``, ``Model.objects.create(**request.data)``, ``query.update(request.json)``,
    ``for k, v in data.items(): setattr(obj, k, v)``, a Mongo ``{"$set": body}``), from a schema that carries privileged
    fields (``Item(**payload.model_dump())`` where the schema has ``owner_id`` or ``is_admin``), and
    DRF serializers, Django model forms and edit views that leave such fields writable
    (``fields = "__all__"``, or a listed ``owner``/``is_staff`` not in ``read_only_fields``).
    Not flagged: explicit allow-lists (``{k: data[k] for k in ALLOWED}``, a ``setattr`` loop over a
    constant list or guarded by ``if k in ALLOWED``), payloads whose privileged keys are popped first,
    schemas and serializers whose writable fields are all harmless (or that the view sets itself, as
    ``serializer.save(owner=request.user)`` in a create-only view), validated data of a serializer or
    form (its own fields decide), admin and role-checked routes, and admin serializers and forms.

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
        re.compile(r"\*\*|setattr|update|\.values\(|insert_|replace_one|fields\s*=|exclude\s*="),
        # ...and a payload to take it from, or a schema, serializer or form that writes a model.
        re.compile(r"request\.(?:json|get_json|form|data|POST|values|body|args|GET|query_params|stream|media|"
                   r"match_info)|get_json|await request|Body\(|model_dump|\.dict\(|validated_data|cleaned_data|"
                   r"Serializer|ModelForm|Schema|BaseModel|SQLModel|UpdateView|CreateView|FormView|[\"']__all__[\"']|"
                   r"payload|fastapi"),
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
    ]

    def visit_Module(self, node: cst.Module) -> None:
        for handler in _handlers(self.ctx):
            if handler.role_checked or handler.privileged:
                continue
            flow = handler.flow(self.ctx)
            if flow.role_checked:
                continue
            for child in walk(handler.function.body):
                if isinstance(child, cst.Call):
                    self._check_call(handler, flow, child)
                elif isinstance(child, cst.For):
                    self._check_loop(handler, flow, child)
        self._check_classes()

    # --- calls ------------------------------------------------------------------------
    def _check_call(self, handler: _Handler, flow: HandlerFlow, call: cst.Call) -> None:
        target = self._write_target(flow, call)
        if target is None or _under_role_test(flow, call):
            return
        name, verb = target
        method = _tail(call.func)
        collection = re.search(r"`([^`]+)`", name)
        if verb == "writes to" and not (handler.authenticated or flow.principal_expressions()
                                        or _is_user_model(collection.group(1) if collection else name)):
            return  # a schemaless collection in an app with no users: nothing privileged to set
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
                value = _strip(value)
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
                model = _model_fields(self.ctx, call.func) if verb == "creates" and _tail(call.func)[:1].isupper() \
                    else None
                if model is not None:
                    columns = sorted(f for f in model[1] if _privileged(f, _is_user_model(model[0])))
            self._report(handler, call, payload, name, verb, columns)
            return

    def _write_target(self, flow: HandlerFlow, call: cst.Call) -> tuple[str, str] | None:
        """(what, verb) when ``call`` creates or updates stored objects, else None."""
        func = call.func
        method = _tail(func)
        if isinstance(func, cst.Attribute):
            receiver = _strip(func.value)
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
                    if isinstance(inner, cst.Call) and _tail(inner.func) in ("update", "insert") and inner.args:
                        first = inner.args[0].value
                        if _tail(first)[:1].isupper():
                            return f"{markup.code(_tail(first))} rows", "writes"
                return None
            if method in _MONGO_WRITES:
                collection = _tail(receiver) or (_target_key(self.ctx, receiver) if isinstance(
                    receiver, cst.Subscript) else None) or self.ctx.code(receiver)  # db.users / db["users"]
                return f"the {markup.code(collection)} collection", "writes to"
            if method in ("update_from_dict", "sqlmodel_update", "populate_from_dict") and \
                    isinstance(receiver, (cst.Name, cst.Attribute)):
                return markup.code(self.ctx.code(receiver)), "updates"
        name = _tail(func)
        if name[:1].isupper() and self._is_model(flow, call):
            return markup.code(name), "creates"
        return None

    def _manager_model(self, receiver: cst.BaseExpression) -> str | None:
        """``Order`` for ``Order.objects`` / ``Order.objects.filter(...)`` / ``Order.query.filter_by(...)``."""
        expr: cst.BaseExpression = receiver
        while True:
            expr = _strip(expr)
            if isinstance(expr, cst.Call):
                expr = expr.func
            elif isinstance(expr, cst.Attribute):
                if expr.attr.value in ("objects", "query", "_default_manager", "all_objects") and \
                        _tail(expr.value)[:1].isupper():
                    return _tail(expr.value)
                expr = expr.value
            else:
                return None

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
        resolved = _resolve_class(self.ctx, call.func)
        if resolved is not None:
            return _class_model(*resolved).kind == "model"
        qual = self.ctx.qualname(call.func) or ""
        if set(split_words(_tail(call.func))[-1:]) & _SCHEMA_SUFFIXES:
            return False
        module = qual.rsplit(".", 1)[0] if "." in qual else ""
        if module and re.search(r"(?:^|\.)(?:models?|entities|entity|orm|tables|db|domain)(?:\.|$)", module):
            return True
        if module and not module.startswith(self.ctx.index.module_name.split(".")[0]) and \
                re.match(r"(?:flask|fastapi|starlette|django|rest_framework|pydantic|marshmallow|werkzeug|"
                         r"builtins|json|typing|collections|dataclasses)\b", module):
            return False
        name = _tail(call.func)
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

    # --- payloads ---------------------------------------------------------------------
    def _payload(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> _Payload | None:
        expr = _strip(expr)
        if depth > 6:
            return None
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            if method in _DUMP_METHODS:
                schema = self._schema_of(flow, expr.func.value, 0)
                if schema is not None:
                    return self._schema_payload(schema, expr)
            if method in _SCHEMA_LOADERS:
                schema = self._schema_of(flow, expr.func.value, 0)
                if schema is not None:
                    return self._schema_payload(schema, None)
                return None  # a validator we cannot read: trust it
            if method in _COPY_METHODS and flow.client_origin(expr) is None:
                return self._payload(flow, expr.func.value, depth + 1)
        if isinstance(expr, cst.Call) and _tail(expr.func) in ("dict", "deepcopy", "copy", "OrderedDict") \
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
            source = _strip(expr.for_in.iter)
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
        if flow.framework != "fastapi":
            return None
        for param in (*flow.function.params.params, *flow.function.params.kwonly_params):
            if param.name.value == name.value and param.annotation is not None:
                text = self.ctx.code(param.annotation.annotation)
                if re.match(r"(?:typing\.)?(?:dict|Dict|Mapping|Any|Json)\b", text.removeprefix("Annotated[")):
                    return _Payload(f"the whole request body {markup.code(name.value)}", [])
        return None

    def _schema_payload(self, schema: _ClassModel, dump: cst.Call | None) -> _Payload | None:
        fields = set(schema.fields)
        if dump is not None:
            include = self.ctx.keyword(dump, "include")
            exclude = self.ctx.keyword(dump, "exclude")
            for arg, keep in ((include, True), (exclude, False)):
                if arg is None:
                    continue
                value = self.ctx.literal(arg.value)
                names = set(value) if isinstance(value, (list, tuple, set, dict)) else None
                if isinstance(_strip(arg.value), cst.Set):
                    names = {self.ctx.string(e.value) for e in _strip(arg.value).elements}  # type: ignore[union-attr]
                if names is None:
                    return None  # computed: the author filters the keys
                fields = fields & names if keep else fields - names
        if schema.unconstrained:
            return _Payload(f"{markup.code(schema.name)}, which accepts any extra key", [], schema, dump)
        privileged = sorted(f for f in fields if _privileged(f, schema.userish()))
        if not privileged:
            return None
        return _Payload(markup.code(schema.name), privileged, schema, dump)

    def _schema_of(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> _ClassModel | None:
        """The pydantic/marshmallow schema class of a value (a typed parameter, ``S.model_validate(...)``...)."""
        expr = _strip(expr)
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
            if isinstance(func, cst.Attribute) and func.attr.value in _SCHEMA_LOADERS:
                return self._schema_of(flow, func.value, depth + 1)
            return _class_model_of(self.ctx, func, ("schema",))
        if isinstance(expr, (cst.Attribute,)):
            return _class_model_of(self.ctx, expr, ("schema",))
        return None

    def _annotation_schema(self, annotation: cst.BaseExpression) -> _ClassModel | None:
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
    def _check_loop(self, handler: _Handler, flow: HandlerFlow, loop: cst.For) -> None:
        source, key = self._loop_source(loop)
        if source is None or key is None:
            return
        setters = [n for n in walk(loop.body) if isinstance(n, cst.Call) and _tail(n.func) == "setattr"
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
        iterable = _strip(loop.iter)
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
                if re.search(r"__table__|columns|_meta|__dict__|__mapper__|\bdir\(|vars\(|fields\b", text):
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
    def _report(self, handler: _Handler, anchor: cst.CSTNode, payload: _Payload, what: str, verb: str,
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
                from ._common import add_keyword
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
        for cls in _classes(self.ctx.module):
            kind = _class_model(self.ctx, cls).kind
            if kind not in ("serializer", "form", "view"):
                continue
            info = _writable_info(self.ctx, cls, kind)
            if info is None or info.anchor is None:
                continue
            privileged = sorted(f for f in info.writable if _privileged(f, info.userish))
            if not privileged or _adminish(cls.name.value, self.ctx.path.rsplit('/', 1)[-1]):
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

    def _report_class(self, cls: cst.ClassDef, kind: str, info: "_Writable", privileged: list[str],
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

    def _read_only_fix(self, info: "_Writable", privileged: list[str]) -> Fix | None:
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

    def _drop_fields_fix(self, info: "_Writable", privileged: list[str]) -> Fix | None:
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


def _classes(module: cst.Module) -> Iterator[cst.ClassDef]:
    """Module-level classes and the classes nested one level in them (a serializer inside its view)."""
    for statement in module.body:
        if isinstance(statement, cst.ClassDef):
            yield statement
            for member in statement.body.body:
                if isinstance(member, cst.ClassDef) and member.name.value != "Meta":
                    yield member


@dataclass
class _Writable:
    anchor: cst.Assign | None  # the ``fields``/``exclude`` statement
    model: str | None
    userish: bool
    writable: set[str]
    readable: set[str]
    all_fields: bool
    listed: list[str] | None
    read_only_stmt: cst.Assign | None
    write_only: set[str]


def _literal_names(ctx: FileContext, node: cst.BaseExpression | None) -> list[str] | None:
    value = ctx.literal(node) if node is not None else UNKNOWN
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _writable_info(ctx: FileContext, cls: cst.ClassDef, kind: str) -> _Writable | None:
    """Which fields a serializer, model form or edit view lets the client write (and which it outputs)."""
    holder = cls if kind == "view" else _meta(cls)
    if holder is None:
        return None
    fields_stmt = _assigned(holder, "fields")
    exclude_stmt = _assigned(holder, "exclude")
    model_expr = _class_attr(holder, "model")
    if kind == "marshmallow":
        return _marshmallow_info(ctx, cls, holder, fields_stmt, exclude_stmt, model_expr)
    if model_expr is None and kind == "view":
        model_expr = _view_model(ctx, cls)
    model = _model_fields(ctx, model_expr) if model_expr is not None else None
    model_name = model[0] if model is not None else (_tail(model_expr) or None if model_expr is not None else None)
    model_fields = model[1] if model is not None else None
    userish = _is_user_model(model_name) or bool(model_fields and {"password", "password_hash",
                                                                    "hashed_password"} & model_fields)
    listed: list[str] | None = None
    all_fields = False
    if fields_stmt is not None:
        if ctx.string(fields_stmt.value) == "__all__":
            all_fields = True
        else:
            listed = _literal_names(ctx, fields_stmt.value)
            if listed is None:
                return None
    elif exclude_stmt is None:
        return None
    if listed is not None:
        chosen = set(listed)
    else:
        if model_fields is None:
            return None
        chosen = set(model_fields)
        if exclude_stmt is not None and not all_fields:
            excluded = _literal_names(ctx, exclude_stmt.value)
            if excluded is None:
                return None
            chosen -= set(excluded)
    read_only: set[str] = set()
    write_only: set[str] = set()
    read_only_stmt = _assigned(holder, "read_only_fields") if kind == "serializer" else None
    if kind == "serializer":
        read_only |= set(_literal_names(ctx, read_only_stmt.value) or []) if read_only_stmt is not None else set()
        extra = ctx.literal(_class_attr(holder, "extra_kwargs"))
        if isinstance(extra, dict):
            for name, options in extra.items():
                if isinstance(options, dict) and options.get("read_only") is True:
                    read_only.add(name)
                if isinstance(options, dict) and options.get("write_only") is True:
                    write_only.add(name)
        for statement in cls.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                        isinstance(small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call):
                    name = small.targets[0].target.value
                    call = small.value
                    callee = _tail(call.func)
                    if callee in ("ReadOnlyField", "HiddenField", "SerializerMethodField") or \
                            ctx.literal(ctx.argument(call, "read_only")) is True or \
                            "CurrentUserDefault" in ctx.code(call):
                        read_only.add(name)
                    if ctx.literal(ctx.argument(call, "write_only")) is True:
                        write_only.add(name)
                    elif callee.endswith("Serializer") or callee.endswith("Field"):
                        chosen.add(name)
    anchor = fields_stmt if fields_stmt is not None else exclude_stmt
    return _Writable(anchor, model_name, userish, chosen - read_only, chosen - write_only, all_fields, listed,
                     read_only_stmt, write_only)


def _marshmallow_info(ctx: FileContext, cls: cst.ClassDef, meta: cst.ClassDef, fields_stmt: cst.Assign | None,
                      exclude_stmt: cst.Assign | None, model_expr: cst.BaseExpression | None) -> _Writable | None:
    """What a marshmallow-sqlalchemy schema dumps: ``Meta.fields``, or (auto schemas) every column less
    ``exclude`` and ``load_only``, plus the fields declared on it."""
    model = _model_fields(ctx, model_expr) if model_expr is not None else None
    if model is None:
        return None
    name, model_fields, _ = model
    declared = _own_fields(ctx, cls)
    load_only = set(_literal_names(ctx, _class_attr(meta, "load_only")) or [])
    for field_name, declaration in declared.items():
        if isinstance(declaration, cst.Call) and ctx.literal(ctx.argument(declaration, "load_only")) is True:
            load_only.add(field_name)
    auto = any(_tail(b.value) in ("SQLAlchemyAutoSchema", "ModelSchema", "SQLAlchemyModelSchema")
               for b in cls.bases)
    listed = _literal_names(ctx, fields_stmt.value) if fields_stmt is not None else None
    if listed is not None:
        chosen = set(listed)
    else:
        chosen = (set(model_fields) if auto else set()) | set(declared)
        chosen -= set(_literal_names(ctx, exclude_stmt.value) or []) if exclude_stmt is not None else set()
    anchor = fields_stmt or exclude_stmt or _assigned(meta, "model")
    userish = _is_user_model(name) or bool({"password", "password_hash", "hashed_password"} & model_fields)
    return _Writable(anchor, name, userish, chosen - load_only, chosen - load_only, False, listed, None, load_only)


def _class_attr(node: cst.ClassDef, name: str) -> cst.BaseExpression | None:
    statement = _assigned(node, name)
    return statement.value if statement is not None else None


def _view_model(ctx: FileContext, cls: cst.ClassDef) -> cst.BaseExpression | None:
    """The model an edit view works on: ``queryset = X.objects...`` or ``get_queryset`` returning ``X.objects...``."""
    queryset = _class_attr(cls, "queryset")
    places: list[cst.CSTNode] = [queryset] if queryset is not None else []
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value in ("get_queryset", "get_object"):
            places.append(statement)
    for place in places:
        for node in [place, *walk(place)]:
            if isinstance(node, cst.Attribute) and node.attr.value in ("objects", "_default_manager") and \
                    _tail(node.value)[:1].isupper():
                return node.value
    return None


_ROLE_MIXINS = re.compile(r"Permission|Staff|Superuser|Admin|UserPassesTest|GroupRequired|Role")


def _role_mixins(ctx: FileContext, cls: cst.ClassDef) -> bool:
    return any(_ROLE_MIXINS.search(ctx.code(base.value)) for base in cls.bases)


_MARSHMALLOW_MODEL_SCHEMAS = frozenset({"SQLAlchemyAutoSchema", "SQLAlchemySchema", "ModelSchema",
                                        "TableSchema", "SQLAlchemyModelSchema"})
_READ_ONLY_VIEWS = frozenset({"ReadOnlyModelViewSet", "ListAPIView", "RetrieveAPIView", "ListView", "DetailView",
                              "TemplateView", "RetrieveDestroyAPIView", "DestroyAPIView"})
_WRITE_VIEWS = re.compile(r"ModelViewSet$|Create|Update|FormView|GenericAPIView$|APIView$|^View$|ViewSet$")


_Writer = tuple[str, list[set[str]]]  # (view or function, the fields forced by the server for each write it does)


def _usages(ctx: FileContext, name: str, attributes: tuple[str, ...]) -> list[_Writer] | None:
    """Views and functions that use a serializer or form to write, other than admin ones, with the fields
    each write sets itself (``serializer.save(owner=request.user)``, ``form.instance.user = request.user``).

    ``None`` when no use is found (unknown); an empty list when every use only reads, or is an admin view's.
    """
    contexts: list[FileContext] = [ctx]
    project = ctx.project
    if project is not None:
        texts: dict[str, bytes] | None = project.cache.get("payloads.texts")  # type: ignore[assignment]
        if texts is None:
            texts = {}
            for path in project.files:
                try:
                    texts[path] = project.read(path)
                except OSError:
                    continue
            project.cache["payloads.texts"] = texts
        needle = name.encode()
        for path, data in texts.items():
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
                            if use and not admin and not _adminish(member.name.value, module):
                                writers.append((f"{statement.name.value}.{member.name.value}()", use))
            elif isinstance(statement, cst.FunctionDef):
                use = _function_use(other, statement, name, attributes)
                if use is not None:
                    found = True
                    if use and not _adminish(statement.name.value, module) and not _role_decorated(other, statement):
                        writers.append((f"{statement.name.value}()", use))
    if not found:
        return None
    return writers


def _class_attr_is(cls: cst.ClassDef, attributes: tuple[str, ...], name: str) -> bool:
    for attribute in attributes:
        value = _class_attr(cls, attribute)
        if value is not None and _tail(value) == name:
            return True
    return False


def _function_use(ctx: FileContext, function: cst.FunctionDef, name: str,
                  attributes: tuple[str, ...]) -> list[set[str]] | None:
    """None: the function does not use the class; []: it only reads with it; else the forced fields per write."""
    used = False
    writes: list[set[str]] = []
    for node in walk(function):
        if isinstance(node, cst.Call) and _tail(node.func) == name:
            used = True
            data = FileContext.keyword(node, "data") is not None or (
                "form_class" in attributes and any(a.keyword is None for a in node.args))
            if data:
                writes.append(_save_keywords(ctx, function))
        elif isinstance(node, cst.Return) and node.value is not None and _tail(node.value) == name:
            used = True  # ``get_serializer_class`` / ``get_form_class`` returning it
            writes.append(set())
    return writes if used else None


def _save_keywords(ctx: FileContext, function: cst.FunctionDef) -> set[str]:
    """Fields a function sets on the saved object itself: ``.save(owner=...)``, ``form.instance.user = ...``."""
    forced: set[str] = set()
    for node in walk(function):
        if isinstance(node, cst.Call) and _tail(node.func) == "save":
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
    tails = [_tail(b.value) for b in cls.bases]
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
    tails = [_tail(b.value) for b in cls.bases]
    if any(t in _READ_ONLY_VIEWS for t in tails) and not any(
            t and ("Create" in t or "Update" in t) for t in tails):
        return False
    if any(t and ("Create" in t or "Update" in t or t in ("ModelViewSet", "FormView")) for t in tails):
        return True
    methods = {s.name.value for s in cls.body.body if isinstance(s, cst.FunctionDef)}
    return bool(methods & {"post", "put", "patch", "create", "update", "perform_create", "perform_update"})


def _admin_view(ctx: FileContext, cls: cst.ClassDef) -> bool:
    permissions = _class_attr(cls, "permission_classes")
    text = f"{cls.name.value} {ctx.code(permissions) if permissions is not None else ''}"
    return bool(_adminish(cls.name.value, ctx.path.rsplit('/', 1)[-1]) or
                re.search(r"IsAdminUser|Admin|Staff|Superuser|DjangoModelPermissions", text) or
                _role_mixins(ctx, cls))


# --- AR106 ---------------------------------------------------------------------------------

_SECRET_NOUNS = frozenset({"password", "passwd", "pwd", "secret", "secrets", "token", "tokens", "totp", "salt",
                           "passphrase", "apikey", "pin", "mfa", "seed"})
_SECRET_BIGRAMS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"),
                             ("recovery", "codes"), ("recovery", "code"), ("backup", "codes"), ("security", "answer"),
                             ("signing", "key"), ("session", "key"), ("otp", "code")})
_META_TAILS = frozenset({"at", "on", "date", "time", "changed", "updated", "created", "expires", "expiry", "expired",
                         "count", "attempts", "enabled", "disabled", "required", "set", "confirmed", "verified",
                         "type", "length", "policy", "hint", "url", "uri", "version", "algorithm", "method", "sent",
                         "used", "last4", "prefix", "name", "label", "strength", "status", "id", "ids", "needed",
                         "age", "ttl", "lifetime", "scope", "scopes", "kind", "issued", "last", "hint", "display",
                         "masked", "preview", "count", "code_length"})
_BOOLEAN_HEADS = frozenset({"is", "has", "can", "should", "must", "needs", "use", "uses", "allow", "require",
                            "requires", "force", "with", "show", "send"})
_DUMP_CALLS = frozenset({"to_dict", "as_dict", "to_json", "serialize", "to_mongo", "todict", "asdict", "dict",
                         "model_dump", "_asdict", "to_json_dict", "serialize_model", "to_representation"})
_JSON_RESPONSES = frozenset({"jsonify", "JsonResponse", "JSONResponse", "Response", "make_response",
                             "ORJSONResponse", "UJSONResponse", "json_response", "dumps", "HttpResponse"})
_ALL_COLUMNS = re.compile(r"__table__\s*\.\s*c(?:olumns)?\b|__mapper__|inspect\(\s*self\s*\)|self\.__dict__|"
                          r"vars\(\s*self\s*\)|_meta\.(?:get_)?fields|model_to_dict\(\s*self|asdict\(\s*self|"
                          r"\.columns\b|__dict__\.items\(\)")


_NOT_SERIALIZED = frozenset({"render", "render_template", "render_to_response", "TemplateResponse", "redirect",
                             "HttpResponseRedirect", "RedirectResponse", "url_for", "send_file", "FileResponse",
                             "render_to_string", "render_template_string"})
# Credentials a response hands to their own holder on purpose (a login answer), not secrets kept about a user.
_SESSION_CREDENTIALS = frozenset({"access_token", "refresh_token", "id_token", "token_type", "csrf_token", "token",
                                  "auth_token", "jwt", "session_token", "expires_in"})


def _is_stored_secret(name: str) -> bool:
    return _is_secret_field(name) and "_".join(split_words(name)) not in _SESSION_CREDENTIALS


def _queried_model(expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """``User`` in ``User.objects.all()``, ``User.query.all()``, ``session.scalars(select(User)).all()``."""
    for node in [expr, *walk(expr)]:
        if isinstance(node, cst.Attribute) and node.attr.value in ("objects", "query", "_default_manager") and \
                _tail(node.value)[:1].isupper():
            return node.value
        if isinstance(node, cst.Call) and _tail(node.func) == "select" and node.args and \
                _tail(node.args[0].value)[:1].isupper():
            return node.args[0].value
    return None


def _is_secret_field(name: str) -> bool:
    """``password_hash``, ``api_key``, ``totp_secret``, ``reset_token``: yes.
    ``password_changed_at``, ``has_totp``, ``token_type``: no."""
    words = split_words(name)
    if not words or words[0] in _BOOLEAN_HEADS or words[-1] in _META_TAILS:
        return False
    if set(words) & _SECRET_NOUNS:
        return True
    return any(pair in _SECRET_BIGRAMS for pair in zip(words, words[1:]))


class SensitiveFieldsExposed(Rule):
    """What it does: flags responses that serialize a user or account object wholesale with its
    password hash, tokens or secrets: ``jsonify(user.__dict__)``, ``vars(user)``, ``model_to_dict(user)``,
    ``user.to_dict()`` when that method dumps every column (followed into the model, across modules
    when the project is known), FastAPI ``response_model``s with a ``hashed_password``/``totp_secret``
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
        re.compile(r"__dict__|vars\(|model_to_dict|to_dict|as_dict|to_json|serializ|asdict|dict\(|model_dump|"
                   r"response_model|fields\s*=|exclude\s*=|Meta\b|to_mongo|\.values(?:_list)?\(\)|-> *\w"),
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
        # model_to_dict with an explicit field list.
        "from django.forms.models import model_to_dict\nfrom django.http import JsonResponse\n"
        "from django.contrib.auth.decorators import login_required\n"
        "@login_required\ndef me(request):\n"
        "    return JsonResponse(model_to_dict(request.user, fields=['id', 'username', 'email']))\n",
    ]
    INVALID = [
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
        for handler in _handlers(self.ctx):
            flow = handler.flow(self.ctx)
            filtered = False  # FastAPI passes returned values through the response model
            if handler.framework == "fastapi":
                filtered = self._check_response_model(handler)
            reported: set[int] = set()
            for expr in self._response_values(flow, returns=not filtered):
                for dump, target, how in self._dumps(expr):
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
        self._check_serializers()

    # --- what a handler sends back ------------------------------------------------------
    def _response_values(self, flow: HandlerFlow, returns: bool = True) -> Iterator[cst.BaseExpression]:
        for node in walk(flow.function.body):
            if isinstance(node, cst.Return) and node.value is not None and returns:
                value = _strip(node.value)
                if isinstance(value, cst.Call) and _tail(value.func) in _NOT_SERIALIZED:
                    continue  # a template's context or a redirect: rendered server-side, not sent as data
                yield node.value
            elif isinstance(node, cst.Call) and _tail(node.func) in _JSON_RESPONSES:
                for arg in node.args:
                    if arg.keyword is None or arg.keyword.value in ("content", "data", "body", "response"):
                        yield arg.value
            elif isinstance(node, (cst.FunctionDef, cst.Lambda)) and node is not flow.function:
                continue

    def _dumps(self, expr: cst.BaseExpression) -> Iterator[tuple[cst.BaseExpression, cst.BaseExpression, str]]:
        """(dump expression, the object dumped, how) inside a response value."""
        for node in [expr, *walk(expr)]:
            if isinstance(node, cst.Attribute) and node.attr.value == "__dict__":
                yield node, node.value, "all"
            elif isinstance(node, cst.Call):
                name = _tail(node.func)
                qual = self.ctx.qualname(node.func) or ""
                if name in ("vars", "asdict", "model_to_dict", "jsonable_encoder") and node.args and \
                        isinstance(node.func, cst.Name):
                    if name == "model_to_dict" or qual.endswith("model_to_dict"):
                        yield node, node.args[0].value, "model_to_dict"
                    else:
                        yield node, node.args[0].value, "all"
                elif qual in ("django.core.serializers.serialize",) and len(node.args) >= 2:
                    yield node, node.args[1].value, "all"
                elif isinstance(node.func, cst.Attribute) and name in _DUMP_CALLS:
                    yield node, node.func.value, name
                elif isinstance(node.func, cst.Attribute) and name in ("values", "values_list") and not node.args \
                        and _queried_model(node.func.value) is not None:
                    yield node, node.func.value, "all"  # ``User.objects.values()``: every column

    def _exposed(self, flow: HandlerFlow, dump: cst.BaseExpression, target: cst.BaseExpression,
                 how: str) -> tuple[list[str], str, bool] | None:
        """(secret fields, description, confident) when the dump sends a user's secrets."""
        cls, userish, label = self._object_class(flow, target)
        if how == "model_to_dict" and isinstance(dump, cst.Call):
            if self.ctx.keyword(dump, "fields") is not None or len(dump.args) > 1 and dump.args[1].keyword is None:
                listed = _literal_names(self.ctx, self.ctx.argument(dump, "fields", 1))
                if listed is None or not any(_is_secret_field(f) for f in listed):
                    return None
            excluded = _literal_names(self.ctx, self.ctx.argument(dump, "exclude", 2)) or []
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
        model: _ClassModel = cls[4]
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
                      ) -> tuple[tuple[str, set[str], bool, bool, _ClassModel | None] | None, bool, str]:
        """((name, fields, userish, complete, class), userish, label) of the object a dump serializes."""
        target = _strip(target)
        expr = self._model_expression(flow, target, 0)
        principal = flow.is_current_user(target) and flow.client_origin(target) is None and \
            isinstance(target, (cst.Name, cst.Attribute))
        label = f"the user object {markup.code(self.ctx.code(target))}" if principal else markup.code(self.ctx.code(target))
        if principal and (expr is None or _resolve_class(self.ctx, expr) is None):
            if flow.framework in ("django", "drf"):
                return ("User", set(_ABSTRACT_USER), True, False, None), True, label
            expr = self._user_class_name() or expr
        if expr is None:
            return None, principal, label
        known = _model_fields(self.ctx, expr)
        resolved = _resolve_class(self.ctx, expr)
        model = _class_model(*resolved) if resolved is not None else None
        name = known[0] if known is not None else _tail(expr)
        userish = principal or _is_user_model(name) or (model is not None and model.userish())
        if not principal:
            label = f"a {markup.code(name)} object" if name else label
        if known is None:
            return (name, set(), userish, False, model), userish, label
        return (known[0], known[1], userish, known[2] and model is not None, model), userish, label

    def _model_expression(self, flow: HandlerFlow, expr: cst.BaseExpression, depth: int) -> cst.BaseExpression | None:
        """The class expression of the object ``expr`` holds (a load's model, a typed parameter, a comprehension's)."""
        if depth > 6:
            return None
        expr = _strip(expr)
        if isinstance(expr, cst.Call):
            load = flow.load(expr)
            if load is not None and load.model:
                return self._find_model_node(load.call, load.model)
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in _SCHEMA_LOADERS:
                return expr.func.value
            if _tail(expr.func)[:1].isupper():
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
                        return annotation if _tail(annotation)[:1].isupper() else None
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
        cached = self.ctx.cache.get("payloads.comprehensions")
        if cached is None:
            cached = self.ctx.cache["payloads.comprehensions"] = [
                n for n in walk(self.ctx.module) if isinstance(n, (cst.ListComp, cst.SetComp, cst.GeneratorExp,
                                                                   cst.DictComp))]
        return cached

    @staticmethod
    def _find_model_node(call: cst.Call, model: str) -> cst.BaseExpression | None:
        for node in walk(call):
            if isinstance(node, (cst.Name, cst.Attribute)) and _tail(node) == model:
                return node
        return None

    def _user_class_name(self) -> cst.BaseExpression | None:
        """The project's user model as this file names it (``User`` imported or defined here)."""
        for name in ("User", "Account", "CustomUser", "UserAccount", "Member"):
            if name in self.ctx.index.imports or name in self.ctx.index.classes:
                return cst.Name(name)
        return None

    def _method_secrets(self, model: _ClassModel, method: tuple[FileContext, cst.FunctionDef] | None,
                        name: str) -> list[str]:
        """Secret fields a ``to_dict``-style method puts in its result."""
        secrets = {f for f in model.fields if _is_secret_field(f)}
        if method is None:
            if any(a.endswith("sqlalchemy_serializer.SerializerMixin") for a in model.ancestors) and name == "to_dict":
                only = _literal_names(model.ctx, model.attribute("serialize_only"))
                rules = _literal_names(model.ctx, model.attribute("serialize_rules")) or []
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
    def _check_response_model(self, handler: _Handler) -> bool:
        """Report a response model with secret fields; True when a response model filters what is returned."""
        function = handler.function
        for decorator in function.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call):
                continue
            arg = self.ctx.keyword(call, "response_model")
            if arg is None and (_tail(call.func) not in ("get", "post", "put", "patch", "delete", "api_route")
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
        for cls in _classes(self.ctx.module):
            model = _class_model(self.ctx, cls)
            if model.kind == "serializer":
                kind = "serializer"
            elif model.kind == "schema" and any(a.rsplit(".", 1)[-1] in _MARSHMALLOW_MODEL_SCHEMAS
                                                for a in model.ancestors):
                kind = "marshmallow"
            else:
                continue
            info = _writable_info(self.ctx, cls, kind)
            if info is None or info.anchor is None:
                continue
            secrets = sorted(f for f in info.readable if _is_stored_secret(f))
            if not secrets or not info.userish:
                continue
            names = ", ".join(markup.code(s) for s in secrets)
            how = 'with `fields = "__all__"`' if info.all_fields else "in `fields`" if info.listed is not None \
                else "through `exclude`"
            fix = self._write_only_fix(cls, info, secrets) if kind == "serializer" else None
            advice = "make them write-only or leave them out" if kind == "serializer" else \
                "leave them out (`exclude`) or make them `load_only`"
            self.report(info.anchor, f"{markup.code(cls.name.value)} sends {names} of {markup.code(info.model)} to the client ({how}): "
                                     f"{advice}", fix=fix)

    def _write_only_fix(self, cls: cst.ClassDef, info: _Writable, secrets: list[str]) -> Fix | None:
        meta = _meta(cls)
        if meta is None or _assigned(meta, "extra_kwargs") is not None or info.anchor is None:
            return None
        if any(s in {_tail(t.target) for st in cls.body.body if isinstance(st, cst.SimpleStatementLine)
                     for sm in st.body if isinstance(sm, cst.Assign) for t in sm.targets} for s in secrets):
            return None  # declared on the serializer: ``write_only=True`` belongs there
        ctx = self.ctx
        end = ctx.position(info.anchor).end.line
        indent = ctx.indentation(ctx.position(info.anchor).start.line)
        items = ", ".join(f'"{s}": {{"write_only": True}}' for s in secrets)
        return Fix(end, end, f"{ctx.lines[end - 1]}\n{indent}extra_kwargs = {{{items}}}", "make the secrets write-only")
