"""GraphQL servers: graphene (and graphene-django), strawberry (and strawberry-django) and ariadne.

A GraphQL API answers at one URL, usually open at the URL level: its endpoints are the root fields' resolvers
(queries, which read: ``GET``) and the mutations (``POST``), each with its own checks. A route's path is the
field's schema coordinate as the code names it, ``Query.invoice`` or ``Mutation.create_invoice``.

* graphene: the ``resolve_<field>`` methods of a root ``ObjectType`` (a class given to ``graphene.Schema(query=...,
  mutation=...)`` or one of its bases, or a class named ``Query``/``...Query``/``...Mutation``) for fields it
  declares, and fields declared with ``resolver=``; the ``mutate``/``mutate_and_get_payload``/``perform_mutate``
  of ``Mutation`` classes (``ClientIDMutation``, graphene-django's form and serializer mutations).
* strawberry: ``@strawberry.field``/``@strawberry.mutation`` (and strawberry-django's) methods of a root
  ``@strawberry.type``, and ``strawberry.field(resolver=...)`` functions, in any module of the project.
* ariadne: ``@query.field("x")`` on ``QueryType()``/``MutationType()``/``ObjectType("Query")`` bindables (here or
  imported) and ``bindable.set_field("x", resolver)`` anywhere in the project.

Guards: decorators (graphql_jwt's, and project decorators whose wrapper refuses a caller who is not signed in),
checks at the top of a resolver that refuse such a caller (``if not info.context.user.is_authenticated: raise
GraphQLError(...)``, ``if info.context["user"] is None: raise PermissionError(...)``), or a helper called there
that does, strawberry permission classes (``permission_classes=[IsAuthenticated]``,
``PermissionExtension(permissions=[...])``) whose ``has_permission`` reads the caller, and strawberry-django's
permission extensions. The caller is ``info.context.user``, ``info.context.request.user`` or
``info.context["request"].user`` (``flow.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ..context import FileContext
from ..project import Project, ProjectFact
from ..walk import walk
from .classes import resolve_class
from .concepts import Framework, Guard, Route
from .flow import HandlerFlow
from .guards import class_method, definition, guard_for_decorator, guards_in_body, looks_like_role, refuses
from .tables import project_table

NAME = Framework.GRAPHQL
# The libraries by name, an ariadne bindable's ``@query.field(``/``.set_field(``, or a function shaped like a resolver
# (``def resolve_note(_, info, id)``) in a module a schema elsewhere names.
MARKER = re.compile(r"graphene|strawberry|ariadne|\.set_field\(|\.field\(|def \w+\(\s*\w+,\s*info\b")

_QUERY = ("GET",)  # a query reads
_MUTATION = ("POST",)  # a mutation changes state

_GRAPHENE_OBJECTS = frozenset({"graphene.ObjectType", "graphene.types.ObjectType",
                               "graphene.types.objecttype.ObjectType"})
_GRAPHENE_MUTATIONS = frozenset({
    "graphene.Mutation", "graphene.types.Mutation", "graphene.types.mutation.Mutation",
    "graphene.ClientIDMutation", "graphene.relay.ClientIDMutation", "graphene.relay.mutation.ClientIDMutation",
    "graphene_django.forms.mutation.DjangoModelFormMutation", "graphene_django.forms.mutation.DjangoFormMutation",
    "graphene_django.forms.DjangoModelFormMutation", "graphene_django.forms.DjangoFormMutation",
    "graphene_django.rest_framework.mutation.SerializerMutation",
})
_MUTATE_METHODS = ("mutate", "mutate_and_get_payload", "perform_mutate")
_SCHEMAS = frozenset({"graphene.Schema", "graphene.types.schema.Schema", "strawberry.Schema",
                      "strawberry.schema.Schema", "strawberry.schema.schema.Schema", "strawberry.federation.Schema",
                      "strawberry.federation.schema.Schema"})
_MERGE_TYPES = frozenset({"strawberry.tools.merge_types", "strawberry.tools.merge_types.merge_types"})
_STRAWBERRY_TYPES = frozenset({"strawberry.type", "strawberry.federation.type"})
_STRAWBERRY_FIELDS = frozenset({"strawberry.field", "strawberry.federation.field", "strawberry_django.field",
                                "strawberry.relay.connection", "strawberry_django.connection"})
_STRAWBERRY_MUTATIONS = frozenset({"strawberry.mutation", "strawberry.federation.mutation",
                                   "strawberry_django.mutation"})
_STRAWBERRY_PERMISSION = frozenset({"strawberry.permission.PermissionExtension", "strawberry.PermissionExtension"})
# strawberry-django's permission extensions: (qualified name, checks a role or permission beyond login).
_DJANGO_EXTENSIONS = {"strawberry_django.permissions.IsAuthenticated": False,
                      "strawberry_django.permissions.IsStaff": True,
                      "strawberry_django.permissions.IsSuperuser": True,
                      "strawberry_django.permissions.HasPerm": True,
                      "strawberry_django.permissions.HasSourcePerm": True,
                      "strawberry_django.permissions.HasRetvalPerm": True}
_ARIADNE = {"ariadne.QueryType()": "query", "ariadne.objects.QueryType()": "query",
            "ariadne.MutationType()": "mutation", "ariadne.objects.MutationType()": "mutation"}
_ARIADNE_OBJECTS = frozenset({"ariadne.ObjectType", "ariadne.objects.ObjectType"})
_ROOT_NAME = re.compile(r"(?:^|[a-z0-9_])(Query|Queries|Mutation|Mutations)$")
_ROLE_TESTS = ("has_perm", "is_superuser", "is_staff", "role", "admin", "permission", "scope")


@dataclass(frozen=True)
class Resolver:
    """A function some module names as a root field's resolver: ``strawberry.field(resolver=get_note)``,
    ``query.set_field("note", resolve_note)``, ``graphene.Field(Note, resolver=resolve_note)``."""

    function: str  # its qualified name, as the declaring module resolves it
    kind: str  # query | mutation
    field: str
    guards: tuple[Guard, ...]  # what the declaration adds (strawberry's permission classes)


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """Every root resolver and mutation defined in this file, with its guards."""
    found: list[Route] = []
    seen: set[int] = set()

    def add(function: cst.FunctionDef, kind: str, field: str, owner: str | None, extra: list[Guard]) -> None:
        if id(function) in seen:
            return
        seen.add(id(function))
        route = Route(NAME, _MUTATION if kind == "mutation" else _QUERY, f"{kind.capitalize()}.{field}",
                      function, owner)
        route.guards += [g for d in function.decorators if (g := _decorator_guard(ctx, d))]
        route.guards += extra
        route.guards += guards_in_body(ctx, function) or _body_check(ctx, function)
        found.append(route)

    roots = _root_types(ctx)
    for cls in ctx.index.classes.values():
        bases = _ancestors(ctx, cls)
        if bases & _GRAPHENE_MUTATIONS:
            function = next((f for m in _MUTATE_METHODS if (f := class_method(cls, m)) is not None), None)
            if function is not None:
                add(function, "mutation", _mounted_name(ctx, cls), cls.name.value, [])
            continue
        strawberry = any(ctx.qualname(_target(d)) in _STRAWBERRY_TYPES for d in cls.decorators)
        root = roots.get(cls.name.value) or _root_by_name(cls)
        if root is None or not (strawberry or bases & _GRAPHENE_OBJECTS):
            continue
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef):
                if strawberry:
                    kind = _strawberry_field(ctx, statement, root)
                    if kind is not None:
                        declared = _decorator_call(ctx, statement, _STRAWBERRY_FIELDS | _STRAWBERRY_MUTATIONS)
                        add(statement, kind, statement.name.value, cls.name.value,
                            _field_guards(ctx, declared) if declared is not None else [])
                elif statement.name.value.startswith("resolve_") and \
                        _declares(ctx, cls, statement.name.value.removeprefix("resolve_")):
                    add(statement, root, statement.name.value.removeprefix("resolve_"), cls.name.value, [])
    for function, kind, field, owner in _ariadne_decorated(ctx):
        add(function, kind, field, owner, [])
    names = _module_names(ctx)
    for resolver in resolver_table(ctx):
        module, _, name = resolver.function.rpartition(".")
        if module in names and name in ctx.index.functions:
            add(ctx.index.functions[name], resolver.kind, resolver.field, None, list(resolver.guards))
    return found


# --- classes ---------------------------------------------------------------------------------------------------------

def _target(decorator: cst.Decorator) -> cst.BaseExpression:
    expr = decorator.decorator
    return expr.func if isinstance(expr, cst.Call) else expr


def _ancestors(ctx: FileContext, cls: cst.ClassDef, depth: int = 0) -> set[str]:
    """The qualified names of the class's bases, and of theirs through the project."""
    found: set[str] = set()
    for base in cls.bases:
        if base.keyword is not None:
            continue
        name = ctx.qualname(base.value)
        if name:
            found.add(name)
        resolved = resolve_class(ctx, base.value) if depth < 4 else None
        if resolved is not None and resolved[1] is not cls:
            found |= _ancestors(resolved[0], resolved[1], depth + 1)
    return found


def _root_by_name(cls: cst.ClassDef) -> str | None:
    """``Query``, ``InvoiceQuery``, ``NoteMutations``: the name says which root the class is (a part of)."""
    match = _ROOT_NAME.search(cls.name.value)
    if match is None:
        return None
    return "query" if match.group(1).startswith("Quer") else "mutation"


def _module_names(ctx: FileContext) -> set[str]:
    names = {ctx.index.module_name}
    if ctx.project is not None:
        names |= ctx.project.module_names(ctx.path)
    return names


def _root_types(ctx: FileContext) -> dict[str, str]:
    """This file's classes that a schema (anywhere in the project) takes as its query or mutation type, or that
    such a class derives from: class name -> query | mutation."""
    names = _module_names(ctx)
    found: dict[str, str] = {}
    for qualname, kind in schema_roots(ctx).items():
        module, _, name = qualname.rpartition(".")
        if module in names and name in ctx.index.classes:
            found[name] = kind
    return found


def schema_roots(ctx: FileContext) -> dict[str, str]:
    """The qualified names of the classes every schema of the project (or this file) is built from, and of their
    bases: ``graphene.Schema(query=Query, mutation=Mutation)``, ``strawberry.Schema(Query, Mutation)``."""
    project = ctx.project
    if project is None:
        return _schema_roots(ctx)
    return _PROJECT_ROOTS.get(project)


def _project_roots(project: Project) -> dict[str, str]:
    found: dict[str, str] = {}
    for other in project.contexts_mentioning("Schema("):
        for name, kind in _schema_roots(other).items():
            found.setdefault(name, kind)
    return found


_PROJECT_ROOTS = ProjectFact("graphql_schema_roots", _project_roots)


def _schema_roots(ctx: FileContext) -> dict[str, str]:
    if "Schema(" not in ctx.source.text:
        return {}
    found: dict[str, str] = {}
    for node in walk(ctx.module):
        if not (isinstance(node, cst.Call) and ctx.qualname(node.func) in _SCHEMAS):
            continue
        for kind, index in (("query", 0), ("mutation", 1)):
            value = ctx.argument(node, kind, index)
            if value is not None:
                for cls_ctx, expr in _root_expressions(ctx, value):
                    _add_root(cls_ctx, expr, kind, found, 0)
    return found


def _root_expressions(ctx: FileContext, value: cst.BaseExpression) -> list[tuple[FileContext, cst.BaseExpression]]:
    """``Query``, or the types ``merge_types("Query", (NoteQuery, TeamQuery))`` merges."""
    bound = ctx.module_value(value) if isinstance(value, cst.Name) else None
    if isinstance(bound, cst.Call) and ctx.qualname(bound.func) in _MERGE_TYPES:
        types = ctx.argument(bound, "types", 1)
        if isinstance(types, (cst.Tuple, cst.List)):
            return [(ctx, e.value) for e in types.elements]
    return [(ctx, value)]


def _add_root(ctx: FileContext, expr: cst.BaseExpression, kind: str, found: dict[str, str], depth: int) -> None:
    name = ctx.qualname(expr)
    if name is None or depth > 4:
        return
    found.setdefault(name, kind)
    resolved = resolve_class(ctx, expr)
    if resolved is not None:
        cls_ctx, cls = resolved
        found.setdefault(f"{cls_ctx.index.module_name}.{cls.name.value}", kind)
        for base in cls.bases:
            if base.keyword is None:
                _add_root(cls_ctx, base.value, kind, found, depth + 1)


def _declares(ctx: FileContext, cls: cst.ClassDef, field: str, depth: int = 0) -> bool:
    """The class (or a base in the project) declares ``field = graphene.Field(...)``: ``resolve_<field>`` is its
    resolver (graphene ignores a ``resolve_x`` with no field ``x``)."""
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
                    [small.target] if isinstance(small, cst.AnnAssign) else []
                if any(isinstance(t, cst.Name) and t.value == field for t in targets):
                    return True
    for base in cls.bases:
        resolved = resolve_class(ctx, base.value) if depth < 3 and base.keyword is None else None
        if resolved is not None and resolved[1] is not cls and _declares(resolved[0], resolved[1], field, depth + 1):
            return True
    return False


def _mounted_name(ctx: FileContext, cls: cst.ClassDef) -> str:
    """The field a mutation class is mounted as (``create_invoice = CreateInvoice.Field()`` in this file or, with
    a project, in any module), else its name in snake case."""
    names = {f"{m}.{cls.name.value}" for m in _module_names(ctx)}
    for mounted, field in mounts(ctx).items():
        if mounted in names:
            return field
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", cls.name.value).lower()


def mounts(ctx: FileContext) -> dict[str, str]:
    """``field = Mutation.Field()`` in an ``ObjectType``: the mutation class's qualified name -> the field."""
    project = ctx.project
    if project is None:
        return _mounts(ctx)
    return _PROJECT_MOUNTS.get(project)


def _project_mounts(project: Project) -> dict[str, str]:
    found: dict[str, str] = {}
    for other in project.contexts_mentioning(".Field("):
        for name, field in _mounts(other).items():
            found.setdefault(name, field)
    return found


_PROJECT_MOUNTS = ProjectFact("graphql_mounts", _project_mounts)


def _mounts(ctx: FileContext) -> dict[str, str]:
    found: dict[str, str] = {}
    if ".Field(" not in ctx.source.text:
        return found
    for cls in ctx.index.classes.values():
        for statement in cls.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                        and isinstance(small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call) \
                        and isinstance(small.value.func, cst.Attribute) and small.value.func.attr.value == "Field":
                    name = ctx.qualname(small.value.func.value)
                    if name:
                        found.setdefault(name, small.targets[0].target.value)
    return found


# --- strawberry ------------------------------------------------------------------------------------------------------

def _decorator_call(ctx: FileContext, function: cst.FunctionDef, names: frozenset[str]) -> cst.Call | None:
    """The ``@strawberry.field(...)`` call among the decorators (None when it is written without arguments)."""
    for decorator in function.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) in names:
            return expr
    return None


def _strawberry_field(ctx: FileContext, function: cst.FunctionDef, root: str) -> str | None:
    """``query`` or ``mutation`` for a ``@strawberry.field``/``@strawberry.mutation`` method of a root type."""
    for decorator in function.decorators:
        name = ctx.qualname(_target(decorator))
        if name in _STRAWBERRY_MUTATIONS:
            return "mutation"
        if name in _STRAWBERRY_FIELDS:
            return root
    return None


def _field_guards(ctx: FileContext, call: cst.Call) -> list[Guard]:
    """``permission_classes=[IsAuthenticated]``, ``extensions=[PermissionExtension(permissions=[IsAuthenticated()])]``
    and strawberry-django's ``extensions=[IsAuthenticated()]``."""
    guards: list[Guard] = []
    classes = ctx.argument(call, "permission_classes")
    if isinstance(classes, (cst.List, cst.Tuple)):
        guards += [g for e in classes.elements if (g := _permission_guard(ctx, e.value, "permission_classes"))]
    extensions = ctx.argument(call, "extensions")
    if isinstance(extensions, (cst.List, cst.Tuple)):
        for element in extensions.elements:
            value = element.value
            if not isinstance(value, cst.Call):
                continue
            name = ctx.qualname(value.func) or ""
            if name in _DJANGO_EXTENSIONS:
                guards.append(Guard("permission", f"extensions=[{ctx.code(value)}]", role=_DJANGO_EXTENSIONS[name]))
            elif name in _STRAWBERRY_PERMISSION:
                listed = ctx.argument(value, "permissions", 0)
                if isinstance(listed, (cst.List, cst.Tuple)):
                    guards += [g for e in listed.elements if (g := _permission_guard(ctx, e.value, "permissions"))]
    return guards


def _permission_guard(ctx: FileContext, expr: cst.BaseExpression, keyword: str) -> Guard | None:
    """A strawberry ``BasePermission`` whose ``has_permission`` reads the caller: it turns away whoever it finds
    no user for."""
    target = expr.func if isinstance(expr, cst.Call) else expr
    written = f"{keyword}=[{ctx.code(expr)}]"
    resolved = resolve_class(ctx, target)
    found = _has_permission(*resolved) if resolved is not None else None
    if found is None:
        # A class we cannot read (a package's, or outside the project): a permission class exists to refuse.
        return Guard("permission", written, role=looks_like_role(ctx.code(target)))
    if not isinstance(found, tuple):
        return None  # no has_permission anywhere: nothing is checked
    cls_ctx, cls, check = found
    flow = HandlerFlow.build(cls_ctx, check, NAME)
    read = flow.principal_expressions()
    if not read:
        return None
    role = any(word in cls_ctx.code(e).lower() for e in read for word in _ROLE_TESTS) or \
        looks_like_role(cls.name.value)
    return Guard("permission", written, role=role)


_BASE_PERMISSIONS = frozenset({"strawberry.permission.BasePermission", "strawberry.BasePermission"})


def _has_permission(ctx: FileContext, cls: cst.ClassDef, depth: int = 0
                    ) -> tuple[FileContext, cst.ClassDef, cst.FunctionDef] | bool | None:
    """The ``has_permission`` a permission class runs (its own or a project base's); None when it comes from a
    base we cannot read, False when there is none."""
    own = class_method(cls, "has_permission")
    if own is not None:
        return ctx, cls, own
    unreadable = False
    for base in cls.bases:
        if base.keyword is not None or ctx.qualname(base.value) in _BASE_PERMISSIONS:
            continue
        resolved = resolve_class(ctx, base.value) if depth < 3 else None
        inherited = _has_permission(*resolved, depth + 1) if resolved is not None else None
        if inherited is None:
            unreadable = True
        elif inherited is not False:
            return inherited
    return None if unreadable else False


# --- ariadne ---------------------------------------------------------------------------------------------------------

def _bindable_kind(ctx: FileContext, receiver: cst.BaseExpression) -> str | None:
    """``query``/``mutation`` when ``receiver`` is an ariadne ``QueryType()``/``MutationType()`` or an
    ``ObjectType("Query")``/``ObjectType("Mutation")``, defined here or in another module of the project."""
    value: cst.BaseExpression | None = ctx.module_value(receiver) if isinstance(receiver, cst.Name) else None
    where = ctx
    if value is None and ctx.project is not None:
        name = ctx.qualname(receiver)
        bound = ctx.project.binding(name) if name else None
        if bound is not None:
            where, value = bound
    if not isinstance(value, cst.Call):
        return None
    name = where.qualname(value.func) or ""
    if f"{name}()" in _ARIADNE:
        return _ARIADNE[f"{name}()"]
    if name in _ARIADNE_OBJECTS:
        type_name = where.string(where.argument(value, "name", 0))
        return {"Query": "query", "Mutation": "mutation"}.get(type_name or "")
    return None


def _ariadne_decorated(ctx: FileContext) -> list[tuple[cst.FunctionDef, str, str, str]]:
    """``@query.field("invoice") def resolve_invoice(_, info, id)``: (function, kind, field, bindable)."""
    found = []
    for function in ctx.index.functions.values():
        for decorator in function.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "field":
                kind = _bindable_kind(ctx, expr.func.value)
                field = ctx.string(ctx.argument(expr, "name", 0))
                if kind is not None and field:
                    found.append((function, kind, field, ctx.code(expr.func.value)))
                    break
    return found


# --- resolvers named elsewhere ---------------------------------------------------------------------------------------

def _resolvers(ctx: FileContext) -> list[Resolver]:
    text = ctx.source.text
    if "set_field(" not in text and "resolver=" not in text:
        return []
    found: list[Resolver] = []
    # query.set_field("invoice", resolve_invoice)
    for node in walk(ctx.module):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "set_field":
            kind = _bindable_kind(ctx, node.func.value)
            field = ctx.string(ctx.argument(node, "name", 0))
            resolver = ctx.qualname(ctx.argument(node, "resolver", 1))
            if kind is not None and field and resolver:
                found.append(Resolver(resolver, kind, field, ()))
    # class Query: note: Note = strawberry.field(resolver=get_note) / notes = graphene.List(Note, resolver=...)
    roots = _root_types(ctx)
    for cls in ctx.index.classes.values():
        root = roots.get(cls.name.value) or _root_by_name(cls)
        if root is None:
            continue
        for statement in cls.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                target = small.targets[0].target if isinstance(small, cst.Assign) and len(small.targets) == 1 else \
                    small.target if isinstance(small, cst.AnnAssign) else None
                value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
                if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
                    continue
                resolver = ctx.qualname(ctx.argument(value, "resolver"))
                if not resolver:
                    continue
                name = ctx.qualname(value.func) or ""
                kind = "mutation" if name in _STRAWBERRY_MUTATIONS else root
                found.append(Resolver(resolver, kind, target.value, tuple(_field_guards(ctx, value))))
    return found


# --- guards ----------------------------------------------------------------------------------------------------------

def _decorator_guard(ctx: FileContext, decorator: cst.Decorator) -> Guard | None:
    """A known guard (``guard_for_decorator``), or a project decorator whose wrapper refuses a caller who is not
    signed in: ``if not info.context.user.is_authenticated: raise GraphQLError("...")``."""
    found = guard_for_decorator(ctx, decorator)
    if found is not None:
        return found
    target = _target(decorator)
    defined = definition(ctx, target)
    if defined is None:
        return None
    def_ctx, function = defined
    for inner in walk(function):
        if isinstance(inner, cst.FunctionDef) and inner is not function:
            check = _body_check(def_ctx, inner)
            if check:
                role = check[0].role or looks_like_role(ctx.code(target))
                return Guard("decorator", f"@{ctx.code(decorator.decorator)}", role=role)
    return None


def _body_check(ctx: FileContext, function: cst.FunctionDef, depth: int = 0) -> list[Guard]:
    """The resolver turns away a caller with no (or the wrong kind of) user before its work: an ``if`` on the
    caller that raises, or a helper called first that does."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    flow: HandlerFlow | None = None
    for statement in list(body)[:4]:
        if isinstance(statement, cst.If) and refuses(ctx, statement.body):
            flow = flow or HandlerFlow.build(ctx, function, NAME)
            if _refuses_absent_caller(ctx, flow, statement.test):
                test = ctx.code(statement.test)
                return [Guard("check", f"if {test}: ...", role=any(w in test for w in _ROLE_TESTS))]
        elif isinstance(statement, cst.SimpleStatementLine) and depth < 2:
            for small in statement.body:
                call = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
                if isinstance(call, cst.Await):
                    call = call.expression
                if not isinstance(call, cst.Call):
                    continue
                helper = definition(ctx, call.func)
                inner = _body_check(helper[0], helper[1], depth + 1) if helper is not None \
                    and helper[1] is not function else []
                if inner:
                    return [Guard("check", f"{ctx.code(call.func)}()", role=inner[0].role)]
    return []


def _refuses_absent_caller(ctx: FileContext, flow: HandlerFlow, test: cst.BaseExpression) -> bool:
    """``not user.is_authenticated``, ``info.context["user"] is None``, ``user.is_anonymous``, ``not user.is_staff``:
    true for a caller who is not signed in (or lacks the role). Not the opposite test, nor one on other objects."""
    if isinstance(test, cst.BooleanOperation):
        return _refuses_absent_caller(ctx, flow, test.left) or _refuses_absent_caller(ctx, flow, test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = test.expression
        return flow.is_current_user(inner) and not ctx.code(inner).endswith("is_anonymous")
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        right = ctx.code(target.comparator)
        if isinstance(target.operator, (cst.Is, cst.Equal)) and right in ("None", "False") or \
                isinstance(target.operator, (cst.IsNot, cst.NotEqual)) and right == "True":
            return flow.is_current_user(test.left)
        return False
    if isinstance(test, cst.Attribute) and test.attr.value == "is_anonymous":
        return flow.is_current_user(test)
    return False


# Every resolver the project's modules (or this file) name: ``set_field`` and ``resolver=``.
resolver_table = project_table("graphql_resolvers", ("set_field(", "resolver="), _resolvers)
