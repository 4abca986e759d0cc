"""What several AR1xx rules use: the route vocabulary of AR101–AR103; the handler list and the class model
of AR104–AR106 (``_handlers``: the endpoints of ``analyzers.endpoints`` plus Starlette/aiohttp-style functions
declared in another module's route table; ``_ClassModel``: the fields of ORM models, pydantic schemas, DRF
serializers and Django forms, followed through the bases in this file and, with a project, in other modules);
rate limiters, Django settings and credential checks of AR107–AR108. ``endpoint_label`` and ``django_settings``
serve other families too."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import libcst as cst

from ...context import UNKNOWN, FileContext
from ...endpoints import Endpoint, endpoints
from ...flow import HandlerFlow
from ...project import imported_definition
from ...routes import guard_for_decorator
from ...routes_django import DjangoRoute, class_info, collect_settings, discover_django, settings_modules
from ...walk import walk
from .._common import split_words

# --- routes and stored data ----------------------------------------------------------------

# Files that may declare or handle routes: decorators, url rules, endpoints, Django/DRF views.
ROUTE_FILES = re.compile(r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|add_url_rule|HTTPEndpoint|"
                         r"from starlette|starlette\.routing|from django\.(?:http|shortcuts|views)|rest_framework")
# Calls that read or write stored data.
_DATA_ATTRS = frozenset({
    "query", "objects", "execute", "scalars", "scalar", "get_or_404", "first_or_404", "one_or_404", "filter_by",
    "add", "delete", "commit", "merge", "save", "find", "find_one", "insert_one", "insert_many", "update_one",
    "update_many", "delete_one", "delete_many", "aggregate", "bulk_create", "get_object_or_404", "get_list_or_404",
    "fetch_all", "fetch_one", "fetch_val", "fetchrow", "fetchval", "fetchall", "fetchone",  # databases, asyncpg, DB-API
})


_ADMIN_ROUTE = re.compile(r"(?:^|[/_\-. ])admin(?:$|[/_\-. ])|(?:^|[/ ])staff/|superuser", re.IGNORECASE)


def touches_data(handler: cst.CSTNode) -> bool:
    """Whether the handler reads or changes stored data (ORM, DB-API or Mongo calls)."""
    for node in walk(handler):
        if isinstance(node, cst.Attribute) and node.attr.value in _DATA_ATTRS:
            return True
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in _DATA_ATTRS:
            return True
    return False


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


_WRITING_VIEWS = re.compile(r"(?:Create|Update|Delete|Destroy|Form)(?:API)?View$|^ModelViewSet$|Model(?:Create|Update|"
                            r"Destroy)Mixin$|ListCreate")


def _generic_write(ctx: FileContext, route: DjangoRoute) -> bool:
    """A generic editing view (``CreateView``, ``UpdateAPIView``, ``ModelViewSet``) writes through inherited code."""
    if not isinstance(route.handler, cst.ClassDef):
        return False
    return any(_WRITING_VIEWS.search(tail) for tail in class_info(ctx, route.handler).tails())


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


# --- handlers ---------------------------------------------------------------------------

_ADMIN = re.compile(r"(?:^|[/_\-. ])(?:admin|staff|superuser|backoffice|back_office)(?:$|[/_\-. ])|superuser",
                    re.IGNORECASE)
_REQUEST_TYPES = ("Request", "HTTPConnection", "HttpRequest", "WSGIRequest", "ASGIRequest", "BaseRequest")

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


# --- users and role tests ------------------------------------------------------------------

_USER_MODEL = re.compile(r"(?:^|_)(?:user|users|account|accounts|member|members|customer|customers|profile|"
                         r"profiles|person|people|principal|staff|auth_user|customuser)$", re.IGNORECASE)


def _is_user_model(name: str | None) -> bool:
    if not name:
        return False
    return bool(_USER_MODEL.search("_".join(split_words(name))))


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


# --- fields a client may write -------------------------------------------------------------

_SCHEMA_LOADERS = frozenset({"model_validate", "parse_obj", "parse_raw", "model_validate_json", "construct",
                             "model_construct", "validate", "load", "loads"})


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


# --- names ------------------------------------------------------------------------


def _strip_await(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


def callee_text(func: cst.BaseExpression) -> str:
    """``limiter.limit`` for ``limiter.limit(...)``; ``Limiter().limit`` for ``Limiter(...).limit``."""
    parts: list[str] = []
    node: cst.BaseExpression = func
    while True:
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Name):
            parts.append(node.value)
            break
        else:
            break
    return ".".join(reversed(parts))


def tail_name(func: cst.BaseExpression) -> str:
    func = _strip_await(func)
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


# --- rate limiters ------------------------------------------------------------------

_LIMIT_WORDS = frozenset({
    "ratelimit", "ratelimited", "ratelimiter", "ratelimits", "ratelimiting", "throttle", "throttled", "throttles",
    "throttling", "throttler", "limiter", "limiters", "bruteforce", "brute", "lockout", "axes",
})
_RATE_NEXT = frozenset({"limit", "limits", "limited", "limiter", "limiting"})
# These only turn a limiter's exception into a response; they limit nothing themselves.
_NOT_LIMITERS = frozenset({"django_ratelimit.middleware.RatelimitMiddleware", "ratelimit.middleware.RatelimitMiddleware",
                           "slowapi.middleware.SlowAPIMiddleware", "slowapi.middleware.SlowAPIASGIMiddleware",
                           "slowapi._rate_limit_exceeded_handler"})


def words_say_limit(words: list[str] | set[str]) -> bool:
    ordered = list(words)
    if _LIMIT_WORDS & set(ordered):
        return True
    return any(a == "rate" and b in _RATE_NEXT for a, b in zip(ordered, ordered[1:]))


def text_says_limit(text: str) -> bool:
    return words_say_limit(split_words(text))


# --- Django settings -----------------------------------------------------------------------

@dataclass(frozen=True)
class _DjangoLimits:
    drf_throttles: tuple[str, ...] | None  # DEFAULT_THROTTLE_CLASSES (None: unset)
    axes: bool  # django-axes / django-defender installed: failed logins through authenticate() are counted
    middleware: str | None  # a rate-limiting middleware
    root_urlconf: str | None
    values: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def django_settings(ctx: FileContext) -> list[_DjangoLimits]:
    """What the project's Django settings modules say about limits (empty without a project or settings)."""
    project = ctx.project
    if project is None:
        return []
    key = "login.django_settings"
    cached = project.cache.get(key)
    if cached is None:
        cached = []
        for settings in settings_modules(project):
            settings_ctx = project.context_for_module(settings.module)
            if settings_ctx is None:
                continue
            values: dict[str, Any] = {}
            collect_settings(settings_ctx, values)
            rest = values.get("REST_FRAMEWORK")
            throttles: tuple[str, ...] | None = None
            if isinstance(rest, dict) and "DEFAULT_THROTTLE_CLASSES" in rest:
                listed = rest["DEFAULT_THROTTLE_CLASSES"]
                throttles = tuple(str(t) for t in listed) if isinstance(listed, (list, tuple)) else ("?",)
            elif "REST_FRAMEWORK" in values and not isinstance(rest, dict):
                throttles = ("?",)  # built in code: cannot tell, take it as throttled
            strings: list[str] = []
            for name in ("INSTALLED_APPS", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "AUTHENTICATION_BACKENDS"):
                listed = values.get(name)
                if isinstance(listed, (list, tuple)):
                    strings += [s for s in listed if isinstance(s, str)]
            axes = any(s == "axes" or s.startswith(("axes.", "defender")) for s in strings)
            middleware_list = values.get("MIDDLEWARE", values.get("MIDDLEWARE_CLASSES"))
            middleware = None
            if isinstance(middleware_list, (list, tuple)):
                middleware = next((m for m in middleware_list if isinstance(m, str) and m not in _NOT_LIMITERS
                                   and text_says_limit(m) and not m.startswith("axes.")), None)
            cached.append(_DjangoLimits(throttles, axes, middleware, settings.root_urlconf, values))
        project.cache[key] = cached
    return cached


# --- what a handler does with credentials ------------------------------------------------------

_PASSWORD_QUALS = frozenset({
    "werkzeug.security.check_password_hash", "werkzeug.check_password_hash", "flask_bcrypt.check_password_hash",
    "bcrypt.checkpw", "django.contrib.auth.authenticate", "django.contrib.auth.aauthenticate",
    "django.contrib.auth.hashers.check_password", "django.contrib.auth.hashers.acheck_password",
})
_PASSWORD_TAILS = frozenset({
    "check_password", "acheck_password", "check_password_hash", "verify_password", "averify_password", "checkpw",
    "authenticate", "aauthenticate", "authenticate_user", "authenticate_account", "verify_credentials",
    "check_credentials", "validate_credentials", "verify_pw", "check_pw", "validate_login", "verify_login",
    "check_login", "password_matches", "passwords_match", "check_pass", "verify_pass", "verify_user_password",
    "check_user_password", "validate_password_hash", "verify_and_update", "check_password_async",
})
_HASHER_WORDS = frozenset({"pwd", "password", "passwords", "passwd", "hasher", "crypt", "bcrypt", "argon2", "argon",
                           "ph", "pbkdf2", "scrypt", "pwdlib", "passlib"})
_OTP_WORDS = frozenset({"otp", "totp", "hotp", "mfa", "2fa", "twofa", "passcode", "tfa"})
_OTP_RECEIVERS = _OTP_WORDS | {"device", "authenticator"}
_CHECK_VERBS = frozenset({"verify", "check", "validate", "match", "confirm"})
_CODE_QUALIFIERS = frozenset({"sms", "email", "auth", "login", "verify", "verification", "confirm", "confirmation",
                              "reset", "security", "one", "mfa", "otp", "2fa", "twofa", "signin", "phone", "recovery",
                              "backup", "access", "pin"})
_RESET_WORDS = frozenset({"reset", "forgot", "forgotten", "recover", "recovery"})
_SEND_WORDS = frozenset({"send", "mail", "email", "notify", "link", "instructions", "request", "token", "code",
                         "message", "sms", "initiate", "start", "begin", "trigger", "issue", "generate", "create"})
_PASSWORD_NAME_WORDS = frozenset({"password", "passwd", "pwd", "passphrase"})


def _words_of(ctx: FileContext, node: cst.CSTNode) -> set[str]:
    return set(split_words(ctx.code(node)))


def secret_check_kind(ctx: FileContext, call: cst.Call) -> str | None:
    """"password" or "otp" when ``call`` verifies a credential, else None."""
    func = _strip_await(call.func)
    qual = ctx.qualname(func) or ""
    tail = qual.rsplit(".", 1)[-1].removesuffix("()") if qual else tail_name(func)  # through ``import ... as``
    receiver_words: set[str] = set()
    if isinstance(func, cst.Attribute):
        receiver_words = set(split_words(callee_text(func.value))) | set(split_words(ctx.qualname(func.value) or ""))
    kind = None
    if qual.startswith("pyotp.") and tail in ("verify", "verify_otp") or qual in (
            "django_otp.match_token", "django_otp.verify_token") or tail in ("verify_token", "verify_otp") and \
            receiver_words & _OTP_RECEIVERS:
        return "otp"
    if tail == "create" and {"verification", "checks"} <= receiver_words:
        return "otp"  # Twilio Verify: client.verify.services(sid).verification_checks.create(to=..., code=...)
    tail_words = set(split_words(tail))
    if tail_words & _OTP_WORDS and tail_words & _CHECK_VERBS or tail in ("verify_code", "check_code", "validate_code",
                                                                          "verify_pin", "check_pin"):
        return "otp"
    if qual in _PASSWORD_QUALS or tail in _PASSWORD_TAILS:
        kind = "password"
        if tail in ("authenticate", "aauthenticate") and len(call.args) <= 1 and not any(
                a.star for a in call.args):
            return None  # ``authenticate(request)``: a token/session backend, no credential passed
    elif tail == "verify" and (receiver_words & _HASHER_WORDS or qual.startswith(("passlib.", "argon2.", "pwdlib.",
                                                                                    "bcrypt."))):
        kind = "password"
    elif tail == "verify" and receiver_words & _OTP_RECEIVERS:
        return "otp"
    if kind == "password":
        argument_words: set[str] = set()
        for arg in call.args:
            argument_words |= _words_of(ctx, arg.value)
        if argument_words & (_OTP_WORDS | {"code", "pin"}) and not argument_words & _PASSWORD_NAME_WORDS:
            return "otp"  # check_password(form.code, otp.code_hash): a hashed one-time code
    return kind


def _secret_comparison(ctx: FileContext, node: cst.Comparison) -> str | None:
    """``user.password == password``, ``code != otp.code``: a credential compared in place."""
    if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.NotEqual)):
        return None
    left, right = node.left, node.comparisons[0].comparator
    for side in (left, right):
        if isinstance(side, (cst.Integer, cst.Float)) or (isinstance(side, cst.Name) and side.value in (
                "None", "True", "False")):
            return None  # ``password == None``, ``len(pin) != 6``: a shape check, not a credential check
        if isinstance(side, cst.SimpleString) and ctx.string(side) in ("", None):
            return None
        if isinstance(side, cst.Call) and tail_name(side.func) in ("len", "type", "count", "isinstance"):
            return None
    words = _words_of(ctx, left) | _words_of(ctx, right)
    if words & _PASSWORD_NAME_WORDS and not words & {"confirm", "confirmation", "repeat", "again", "password2",
                                                     "new", "old", "current"}:
        return "password"
    if any(isinstance(side, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)) for side in (left, right)) \
            or words & {"method", "type", "kind", "enabled", "status", "mode", "length", "len", "expires", "expiry",
                        "channel", "provider", "backend"}:
        return None  # ``mfa_method == "totp"``: which factor, not the factor itself
    if words & _OTP_WORDS or "code" in words and words & _CODE_QUALIFIERS or "pin" in words:
        return "otp"
    return None


def sends_reset(ctx: FileContext, call: cst.Call) -> bool:
    """``send_password_reset_email(...)``, ``request_password_reset(...)``, Django's ``PasswordResetForm``,
    ``default_token_generator.make_token(...)``: starts a reset (a confirmation form or ``reset_password(new)`` does not)."""
    tail = tail_name(call.func)
    tail_words = set(split_words(tail))
    if tail_words & _RESET_WORDS and tail_words & _SEND_WORDS and not tail_words & {"form", "serializer", "confirm"}:
        return True
    qual = ctx.qualname(call.func) or ""
    if tail == "PasswordResetForm" or qual.endswith("auth.forms.PasswordResetForm"):
        return True
    return tail == "make_token" and ("token_generator" in qual or "generator" in callee_text(call.func).lower())


def _is_mail_call(call: cst.Call) -> bool:
    tail_words = set(split_words(tail_name(call.func)))
    return bool(tail_words & {"mail", "email", "sms"}) and bool(tail_words & {"send", "queue", "deliver", "schedule"}) \
        or tail_name(call.func) in ("send_mail", "send_mass_mail", "mail_user", "email_user", "send_email",
                                    "send_message", "send")


def signed_in(endpoint: Endpoint) -> bool:
    """Whether only signed-in callers reach the endpoint. A body "guard" that is the credential check itself
    (``authenticate_user(...)`` raising 401 on a wrong password) is the login, not a prior sign-in."""
    for guard in endpoint.guards:
        if guard.kind == "check":
            tail = guard.name.removesuffix("()").rsplit(".", 1)[-1]
            if tail in _PASSWORD_TAILS or set(split_words(tail)) & ({"login", "signin", "credentials", "password"}
                                                                   | _OTP_WORDS):
                continue
        return True
    return False


def endpoint_label(ctx: FileContext, endpoint: Endpoint) -> str:
    """``POST /auth/login``: the endpoint's label, with its FastAPI router's ``prefix=`` when this file sets it."""
    label = endpoint.label
    route = endpoint.route
    if endpoint.framework == "fastapi" and route.owner and endpoint.path is not None:
        bound = ctx.index.bindings.get((id(ctx.module), route.owner))
        if bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
            prefix = ctx.string(ctx.argument(bound[0], "prefix"))
            if prefix:
                methods = "|".join(endpoint.methods) if endpoint.methods else "ANY"
                label = f"{methods} {prefix.rstrip('/')}{endpoint.path}"
    return label
