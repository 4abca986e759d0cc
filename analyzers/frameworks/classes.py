"""The class model: the fields of ORM models, pydantic schemas, DRF serializers, marshmallow schemas and
Django forms, followed through the bases in this file and, with a project, in other modules; and the fields
each lets a client write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ..context import UNKNOWN, FileContext, FileFact
from ..project import imported_definition
from ..walk import walk
from ..words import split_words


def tail_text(expr: cst.BaseExpression | None) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return ""


def unparenthesize(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


# Fields the framework's own bases declare.
_ABSTRACT_BASE_USER = ("password", "last_login")


_PERMISSIONS_MIXIN = ("is_superuser", "groups", "user_permissions")


ABSTRACT_USER_FIELDS = (*_ABSTRACT_BASE_USER, *_PERMISSIONS_MIXIN, "username", "first_name", "last_name", "email",
                  "is_staff", "is_active", "date_joined")


_KNOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "django.contrib.auth.models.AbstractUser": ABSTRACT_USER_FIELDS,
    "django.contrib.auth.models.User": ABSTRACT_USER_FIELDS,
    "django.contrib.auth.get_user_model()": ABSTRACT_USER_FIELDS,
    "django.conf.settings.AUTH_USER_MODEL": ABSTRACT_USER_FIELDS,
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
class ClassModel:
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
            found = resolve_class(self.ctx, base.value)
            if found is not None:
                method = class_model(*found).method(name, depth + 1)
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


def resolve_class(ctx: FileContext, expr: cst.BaseExpression) -> tuple[FileContext, cst.ClassDef] | None:
    """The class an expression names, in this file or (with a project) in the module it comes from."""
    expr = unparenthesize(expr)
    if isinstance(expr, cst.Name) and expr.value in ctx.index.classes:
        values = ctx.index.bindings.get((id(ctx.module), expr.value), [])
        if all(v is None for v in values):
            return ctx, ctx.index.classes[expr.value]
    if not isinstance(expr, (cst.Name, cst.Attribute)):
        return None
    return imported_definition(ctx, expr, cst.ClassDef)


def class_model(ctx: FileContext, node: cst.ClassDef) -> ClassModel:
    models = _CLASS_MODELS.get(ctx)
    found = models.get(id(node))
    if found is None:
        found = models[id(node)] = _build_class(ctx, node, 0)
    return found


_CLASS_MODELS: FileFact[dict[int, ClassModel]] = FileFact("payloads.classes", lambda _ctx: {})  # by id(class)


def _build_class(ctx: FileContext, node: cst.ClassDef, depth: int) -> ClassModel:
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
        resolved = resolve_class(ctx, base.value) if depth < 5 else None
        if resolved is not None and resolved[1] is not node:
            inner = class_model(*resolved) if depth == 0 else _build_class(*resolved, depth + 1)
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
            isinstance(d, cst.Call) and tail_text(d.func) in _COLUMN_CALLS for d in own.values())):
        kind = "model"
    if "__tablename__" in fields:
        fields.pop("__tablename__")
        kind = "model" if kind in ("other", "schema") else kind
    return ClassModel(ctx, node, kind, fields, complete, ancestors, unconstrained)


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
                if isinstance(small.value, cst.Call) and tail_text(small.value.func) in ("relationship", "Relationship"):
                    continue
                found[name] = small
            elif isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target,
                                                                                         cst.Name):
                name = small.targets[0].target.value
                value = small.value
                if name == "__tablename__":
                    found[name] = small
                elif isinstance(value, cst.Call) and not name.startswith("_"):
                    callee = tail_text(value.func)
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


def meta_class(node: cst.ClassDef) -> cst.ClassDef | None:
    for statement in node.body.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == "Meta":
            return statement
    return None


def class_assignment(node: cst.ClassDef, name: str) -> cst.Assign | None:
    for statement in node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets):
                    return small
    return None


def model_fields_of(ctx: FileContext, expr: cst.BaseExpression | None) -> tuple[str, set[str], bool] | None:
    """(name, fields, complete) of the model an expression names (``User``, ``get_user_model()``)."""
    if expr is None:
        return None
    qual = ctx.qualname(expr) or ""
    if isinstance(expr, cst.Call) and not qual:
        qual = (ctx.dotted_name(expr.func) or "") + "()"
    if qual in _KNOWN_FIELDS or qual.endswith("get_user_model()") or qual.endswith("AUTH_USER_MODEL"):
        return "User", set(_KNOWN_FIELDS.get(qual, ABSTRACT_USER_FIELDS)), False
    resolved = resolve_class(ctx, expr)
    if resolved is None:
        name = tail_text(expr)
        if name in ("User", "CustomUser", "Account", "UserAccount", "AppUser") and \
                re.search(r"\b(?:django|rest_framework)\b", ctx.source.text):
            return name, set(ABSTRACT_USER_FIELDS), False  # a Django project's user model: AbstractUser at least
        return None
    model = class_model(*resolved)
    return model.name, set(model.fields), model.complete


_USER_MODEL = re.compile(r"(?:^|_)(?:user|users|account|accounts|member|members|customer|customers|profile|"
                         r"profiles|person|people|principal|staff|auth_user|customuser)$", re.IGNORECASE)


def names_user_model(name: str | None) -> bool:
    if not name:
        return False
    return bool(_USER_MODEL.search("_".join(split_words(name))))


SCHEMA_LOADERS = frozenset({"model_validate", "parse_obj", "parse_raw", "model_validate_json", "construct",
                             "model_construct", "validate", "load", "loads"})


def classes_in(module: cst.Module) -> Iterator[cst.ClassDef]:
    """Module-level classes and the classes nested one level in them (a serializer inside its view)."""
    for statement in module.body:
        if isinstance(statement, cst.ClassDef):
            yield statement
            for member in statement.body.body:
                if isinstance(member, cst.ClassDef) and member.name.value != "Meta":
                    yield member


@dataclass
class Writable:
    anchor: cst.Assign | None  # the ``fields``/``exclude`` statement
    model: str | None
    userish: bool
    writable: set[str]
    readable: set[str]
    all_fields: bool
    listed: list[str] | None
    read_only_stmt: cst.Assign | None
    write_only: set[str]


def literal_names(ctx: FileContext, node: cst.BaseExpression | None) -> list[str] | None:
    value = ctx.literal(node) if node is not None else UNKNOWN
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def writable_info(ctx: FileContext, cls: cst.ClassDef, kind: str) -> Writable | None:
    """Which fields a serializer, model form or edit view lets the client write (and which it outputs)."""
    holder = cls if kind == "view" else meta_class(cls)
    if holder is None:
        return None
    fields_stmt = class_assignment(holder, "fields")
    exclude_stmt = class_assignment(holder, "exclude")
    model_expr = class_attr(holder, "model")
    if kind == "marshmallow":
        return _marshmallow_info(ctx, cls, holder, fields_stmt, exclude_stmt, model_expr)
    if model_expr is None and kind == "view":
        model_expr = _view_model(ctx, cls)
    model = model_fields_of(ctx, model_expr) if model_expr is not None else None
    model_name = model[0] if model is not None else (tail_text(model_expr) or None if model_expr is not None else None)
    model_fields = model[1] if model is not None else None
    userish = names_user_model(model_name) or bool(model_fields and {"password", "password_hash",
                                                                    "hashed_password"} & model_fields)
    listed: list[str] | None = None
    all_fields = False
    if fields_stmt is not None:
        if ctx.string(fields_stmt.value) == "__all__":
            all_fields = True
        else:
            listed = literal_names(ctx, fields_stmt.value)
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
            excluded = literal_names(ctx, exclude_stmt.value)
            if excluded is None:
                return None
            chosen -= set(excluded)
    read_only: set[str] = set()
    write_only: set[str] = set()
    read_only_stmt = class_assignment(holder, "read_only_fields") if kind == "serializer" else None
    if kind == "serializer":
        read_only |= set(literal_names(ctx, read_only_stmt.value) or []) if read_only_stmt is not None else set()
        extra = ctx.literal(class_attr(holder, "extra_kwargs"))
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
                    callee = tail_text(call.func)
                    if callee in ("ReadOnlyField", "HiddenField", "SerializerMethodField") or \
                            ctx.literal(ctx.argument(call, "read_only")) is True or \
                            "CurrentUserDefault" in ctx.code(call):
                        read_only.add(name)
                    if ctx.literal(ctx.argument(call, "write_only")) is True:
                        write_only.add(name)
                    elif callee.endswith("Serializer") or callee.endswith("Field"):
                        chosen.add(name)
    anchor = fields_stmt if fields_stmt is not None else exclude_stmt
    return Writable(anchor, model_name, userish, chosen - read_only, chosen - write_only, all_fields, listed,
                     read_only_stmt, write_only)


def _marshmallow_info(ctx: FileContext, cls: cst.ClassDef, meta: cst.ClassDef, fields_stmt: cst.Assign | None,
                      exclude_stmt: cst.Assign | None, model_expr: cst.BaseExpression | None) -> Writable | None:
    """What a marshmallow-sqlalchemy schema dumps: ``Meta.fields``, or (auto schemas) every column less
    ``exclude`` and ``load_only``, plus the fields declared on it."""
    model = model_fields_of(ctx, model_expr) if model_expr is not None else None
    if model is None:
        return None
    name, model_fields, _ = model
    declared = _own_fields(ctx, cls)
    load_only = set(literal_names(ctx, class_attr(meta, "load_only")) or [])
    for field_name, declaration in declared.items():
        if isinstance(declaration, cst.Call) and ctx.literal(ctx.argument(declaration, "load_only")) is True:
            load_only.add(field_name)
    auto = any(tail_text(b.value) in ("SQLAlchemyAutoSchema", "ModelSchema", "SQLAlchemyModelSchema")
               for b in cls.bases)
    listed = literal_names(ctx, fields_stmt.value) if fields_stmt is not None else None
    if listed is not None:
        chosen = set(listed)
    else:
        chosen = (set(model_fields) if auto else set()) | set(declared)
        chosen -= set(literal_names(ctx, exclude_stmt.value) or []) if exclude_stmt is not None else set()
    anchor = fields_stmt or exclude_stmt or class_assignment(meta, "model")
    userish = names_user_model(name) or bool({"password", "password_hash", "hashed_password"} & model_fields)
    return Writable(anchor, name, userish, chosen - load_only, chosen - load_only, False, listed, None, load_only)


def class_attr(node: cst.ClassDef, name: str) -> cst.BaseExpression | None:
    statement = class_assignment(node, name)
    return statement.value if statement is not None else None


def _view_model(ctx: FileContext, cls: cst.ClassDef) -> cst.BaseExpression | None:
    """The model an edit view works on: ``queryset = X.objects...`` or ``get_queryset`` returning ``X.objects...``."""
    queryset = class_attr(cls, "queryset")
    places: list[cst.CSTNode] = [queryset] if queryset is not None else []
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value in ("get_queryset", "get_object"):
            places.append(statement)
    for place in places:
        for node in [place, *walk(place)]:
            if isinstance(node, cst.Attribute) and node.attr.value in ("objects", "_default_manager") and \
                    tail_text(node.value)[:1].isupper():
                return node.value
    return None
