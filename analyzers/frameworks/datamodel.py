"""What a handler's data is: which models it touches, whether they belong to users, whether it reads
only published rows.

Route rules need to tell a public catalogue read (``Product.objects.filter(is_active=True)``) from a
leak of customers' orders, and a per-user object from a shared one. The answer comes from the model
definitions (Django fields, SQLAlchemy columns), found through the imports and, when the whole
project is known, in other modules: a model with a foreign key to the user model (``customer =
ForeignKey(settings.AUTH_USER_MODEL)``, ``owner_id = mapped_column(ForeignKey("users.id"))``) holds
users' data; the user model itself does too.
"""

from __future__ import annotations

import re

import libcst as cst

from ..context import FileContext
from ..imports import dotted_name
from ..project import imported_definition
from ..walk import walk

# Calls whose first argument is a model class.
_MODEL_ARG_CALLS = frozenset({
    "get_object_or_404", "get_list_or_404", "select", "query", "get", "get_or_404", "first_or_404", "delete",
    "update", "insert", "aget_object_or_404",
})
_MODEL_ATTRS = frozenset({"objects", "query", "_default_manager", "all_objects"})
_USER_BASES = re.compile(r"(?:^|\.)(?:AbstractUser|AbstractBaseUser|UserMixin|SQLAlchemyBaseUserTable\w*|BaseUser)$")
_USER_MODEL_NAMES = frozenset({"User", "Account", "CustomUser", "Customer", "Member", "UserAccount", "Profile"})
_USER_MODEL_QUALNAMES = frozenset({
    "django.contrib.auth.get_user_model()", "django.contrib.auth.models.User", "django.conf.settings.AUTH_USER_MODEL",
})
_USER_TABLE = re.compile(r"^(?:auth\.)?(?:users?|accounts?|customers?|members?|auth_user)(?:\.id|\.pk)?$", re.IGNORECASE)
_OWNER_FIELD = re.compile(r"^(?:user|owner|customer|assignee|account|member|buyer|"
                          r"patient|employee|tenant|requester)(?:_id)?$", re.IGNORECASE)
# Authorship: who wrote a row says nothing about who may read it (blog posts, reviews, products).
_AUTHOR_FIELD = re.compile(r"^(?:author|creator|created_by|updated_by|modified_by|submitter|uploader|posted_by|"
                           r"reviewer|editor|last_modified_by)(?:_id)?$", re.IGNORECASE)
_RELATION_CALLS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField", "relationship", "mapped_column",
                             "Column", "ReferenceField", "ForeignKeyField"})
# Filters that restrict a read to rows published on purpose.
_PUBLISHED_FIELD = re.compile(r"^(?:is_)?(?:active|published|public|visible|listed|live|enabled|approved)$",
                              re.IGNORECASE)
_PUBLISHED_VALUE = re.compile(r"^(?:published|public|live|active|approved|visible)$", re.IGNORECASE)


def model_expressions(node: cst.CSTNode) -> list[cst.BaseExpression]:
    """The model classes a handler (or class view) touches: ``X.objects``, ``X.query``, ``select(X)``,
    ``get_object_or_404(X, ...)``, ``session.get(X, ...)``, ``model = X``, ``queryset = X.objects...``."""
    found: list[cst.BaseExpression] = []
    for child in (node, *walk(node)):
        if isinstance(child, cst.Attribute) and child.attr.value in _MODEL_ATTRS:
            found.append(child.value)
        elif isinstance(child, cst.Call) and child.args:
            func = child.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            first = child.args[0].value
            if name in _MODEL_ARG_CALLS and child.args[0].keyword is None and _capitalised(first):
                found.append(first)
        if isinstance(child, cst.Call) and isinstance(child.func, cst.Attribute) and _capitalised(child.func.value) \
                and _active_record_lookup(child):
            found.append(child.func.value)  # Note.get(id=...), Note.filter(owner=...), Note.get_by_id(pk)
        if isinstance(child, cst.Assign) and len(child.targets) == 1:
            target = child.targets[0].target
            if isinstance(target, cst.Name) and target.value == "model" and _capitalised(child.value):
                found.append(child.value)
    return found


def _active_record_lookup(call: cst.Call) -> bool:
    """``Model.get(id=x)``, ``Model.get_or_none(...)``, ``Model.filter(owner=u)``, ``Model.get(Model.id == x)``:
    a lookup written on the class itself (keyword filters or a column comparison, not ``Settings.get("KEY")``)."""
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    if method in ("get_or_none", "get_by_id", "get_or_create", "exclude"):
        return True
    if method not in ("get", "filter", "select", "find_one", "find"):
        return False
    return bool(call.args) and all(a.keyword is not None or isinstance(a.value, cst.Comparison) for a in call.args)


def _capitalised(expr: cst.BaseExpression) -> bool:
    """Model classes are CamelCase names (``Order``, ``models.Order``); rules out ``session``, ``db``."""
    name = dotted_name(expr)
    return bool(name) and name.rsplit(".", 1)[-1][:1].isupper()


def resolve_model(ctx: FileContext, expr: cst.BaseExpression) -> tuple[FileContext, cst.ClassDef] | None:
    """The class definition a model expression names, in this file or (with a project) another one."""
    name = dotted_name(expr)
    if name is None:
        return None
    local = ctx.index.classes.get(name)
    if local is not None:
        return ctx, local
    return imported_definition(ctx, expr, cst.ClassDef)


# ORMs whose model classes query themselves: ``await Note.get(id=...)`` (Tortoise), ``Note.get_by_id(...)``
# (peewee), ``await Note.objects.get(...)`` (ormar), ``Note.objects().get(...)`` (Piccolo), ``Note.find_one(...)``.
_ACTIVE_RECORD_ROOTS = ("tortoise.", "peewee.", "playhouse.", "ormar.", "piccolo.", "beanie.", "odmantic.", "pony.")


def active_record_model(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> bool:
    """A model class of an ORM whose classes run their own queries (through its bases, two levels)."""
    resolved = resolve_model(ctx, expr)
    if resolved is None or depth > 2:
        return False
    model_ctx, cls = resolved
    for base in cls.bases:
        qual = model_ctx.qualname(base.value) or ""
        if qual.startswith(_ACTIVE_RECORD_ROOTS) or active_record_model(model_ctx, base.value, depth + 1):
            return True
    return False


def is_user_model(ctx: FileContext, expr: cst.BaseExpression) -> bool:
    """``User``, ``get_user_model()``, or a class deriving from a user base class."""
    qualname = ctx.qualname(expr) or ""
    if qualname in _USER_MODEL_QUALNAMES or qualname.endswith(".get_user_model()"):
        return True
    resolved = resolve_model(ctx, expr)
    if resolved is not None:
        model_ctx, cls = resolved
        if any(_USER_BASES.search(model_ctx.qualname(base.value) or model_ctx.code(base.value)) for base in cls.bases):
            return True
        return (cls.name.value in _USER_MODEL_NAMES and _has_password_field(cls)) or _holds_logins(cls)
    name = dotted_name(expr) or ""
    return name.rsplit(".", 1)[-1] in ("User", "CustomUser", "UserAccount")


def _holds_logins(cls: cst.ClassDef) -> bool:
    """A table of logins whatever its name (``authLogin``): it declares a ``username`` and a ``password`` field."""
    fields: set[str] = set()
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
                    [small.target] if isinstance(small, cst.AnnAssign) else []
                fields |= {t.value for t in targets if isinstance(t, cst.Name)}
    return "username" in fields and bool(fields & {"password", "password_hash", "hashed_password", "passwd"})


def _has_password_field(cls: cst.ClassDef) -> bool:
    for child in walk(cls.body):
        if isinstance(child, cst.Name) and "password" in child.value.lower():
            return True
    return False


def owned_by_users(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0, authored: bool = True) -> bool | None:
    """Whether rows of this model belong to users: a relation to the user model, or to a model that has
    one (``Invoice.order -> Order.customer``); None when the model cannot be found. With ``authored``
    false, authorship (``author``, ``created_by``) does not make a row private: blog posts and reviews
    are written by users and read by everyone."""
    if is_user_model(ctx, expr):
        return True
    resolved = resolve_model(ctx, expr)
    if resolved is None:
        return None
    model_ctx, cls = resolved
    parents: list[cst.BaseExpression] = []
    for statement in cls.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            target, value = _field(small)
            if target is None or value is None or (not authored and _AUTHOR_FIELD.match(target)):
                continue
            if _relates_to_user(model_ctx, target, value, authored):
                return True
            parents += _parent_models(model_ctx, value)
    return depth < 2 and any(owned_by_users(model_ctx, p, depth + 1, authored) for p in parents)


def user_field(ctx: FileContext, expr: cst.BaseExpression) -> str | None:
    """The model's field that points at the user model (``customer`` for ``customer = ForeignKey(User)``)."""
    resolved = resolve_model(ctx, expr)
    if resolved is None:
        return None
    model_ctx, cls = resolved
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                target, value = _field(small)
                if target is not None and value is not None and _relates_to_user(model_ctx, target, value):
                    return target
    return None


def _parent_models(ctx: FileContext, value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``models.ForeignKey(Order, ...)`` / ``OneToOneField(Order)`` -> ``Order``; SQLAlchemy's
    ``mapped_column(ForeignKey("projects.id"))`` -> the class of this module whose table is ``projects``."""
    found: list[cst.BaseExpression] = []
    for call in (n for n in (value, *walk(value)) if isinstance(n, cst.Call)):
        if (dotted_name(call.func) or "").rsplit(".", 1)[-1] not in ("ForeignKey", "OneToOneField", "ForeignKeyField") \
                or not call.args:
            continue
        target = call.args[0].value
        if _capitalised(target):
            found.append(target)
            continue
        table = (ctx.string(target) or "").split(".", 1)[0]
        owner = _class_for_table(ctx, table) if table else None
        if owner is not None:
            found.append(cst.Name(owner))
    return found


def _class_for_table(ctx: FileContext, table: str) -> str | None:
    for name, cls in ctx.index.classes.items():
        for statement in cls.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    target, value = _field(small)
                    if target == "__tablename__" and value is not None and ctx.string(value) == table:
                        return name
    return None


def _field(small: cst.BaseSmallStatement) -> tuple[str | None, cst.BaseExpression | None]:
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return small.target.value, small.value
    return None, None


def _relates_to_user(ctx: FileContext, name: str, value: cst.BaseExpression, authored: bool = True) -> bool:
    if not authored and _AUTHOR_FIELD.match(name):
        return False
    for call in (n for n in (value, *walk(value)) if isinstance(n, cst.Call)):
        func = dotted_name(call.func) or ""
        tail = func.rsplit(".", 1)[-1]
        if tail not in _RELATION_CALLS and tail != "ForeignKey":
            continue
        for arg in call.args:
            target = arg.value
            text = ctx.string(target)
            if text is not None and _USER_TABLE.match(text.rsplit(".", 1)[-1] if text.count(".") > 1 else text):
                return True
            if text is not None and text.rsplit(".", 1)[-1] in ("User", "CustomUser"):
                return True
            if text is None and arg.keyword is None and is_user_model(ctx, _attribute_owner(target)):
                return True
        if tail in ("ForeignKey", "OneToOneField", "ForeignKeyField") and _OWNER_FIELD.match(name):
            return True
    return False


def _attribute_owner(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``User.id`` -> ``User`` (SQLAlchemy ``ForeignKey(User.id)``); ``settings.AUTH_USER_MODEL`` kept."""
    if isinstance(expr, cst.Attribute) and expr.attr.value in ("id", "pk"):
        return expr.value
    return expr


def publication_filtered(ctx: FileContext, node: cst.CSTNode) -> bool:
    """Whether a read is restricted to rows published on purpose (``is_active=True``, ``published=True``,
    ``status="published"``, ``Post.is_public.is_(True)``, ``Product.active == True``)."""
    for child in walk(node):
        if isinstance(child, cst.Arg) and child.keyword is not None:
            field = child.keyword.value.split("__", 1)[0]
            if _PUBLISHED_FIELD.match(field) and ctx.literal(child.value) is True:
                return True
            value = ctx.string(child.value)
            if field == "status" and value is not None and _PUBLISHED_VALUE.match(value):
                return True
        elif isinstance(child, cst.Comparison) and len(child.comparisons) == 1:
            left, right = child.left, child.comparisons[0].comparator
            if isinstance(left, cst.Attribute) and _PUBLISHED_FIELD.match(left.attr.value) and \
                    ctx.literal(right) is True:
                return True
        elif isinstance(child, cst.Call) and isinstance(child.func, cst.Attribute) and child.func.attr.value == "is_" \
                and isinstance(child.func.value, cst.Attribute) and _PUBLISHED_FIELD.match(child.func.value.attr.value):
            return bool(child.args) and ctx.literal(child.args[0].value) is True
    return False


def holds_user_data(ctx: FileContext, node: cst.CSTNode) -> bool:
    """The node touches a model whose rows belong to users, and does not restrict itself to published rows."""
    if publication_filtered(ctx, node):
        return False
    return any(owned_by_users(ctx, model, authored=False) for model in model_expressions(node))
