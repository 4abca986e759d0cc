"""Request data flow inside one handler: what is client data, who is the caller, which loads are scoped.

Route rules (AR102 IDOR, AR104 identity from request, AR105 mass assignment,
AR602 NoSQL injection) ask three questions of a handler body: does this
expression carry client-supplied data, is it the authenticated principal (or
derived from it), and is this ORM/Mongo load keyed by a client id and, if so,
is it constrained to the caller or checked against the caller before use?

``HandlerFlow.build`` makes one pass over the statements in order (nested
blocks included), tracking local bindings. Branches merge as "may" facts: a
name is client data if any path made it so, which is what a reviewer means
by "the client can control this". Facts are kept per statement, so a name
reassigned from a safe value is safe from there on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import libcst as cst

from .. import markup
from ..context import UNKNOWN, FileContext, FileFact
from ..imports import dotted_name
from ..walk import walk
from .concepts import Framework, binding
from .datamodel import active_record_model
from .vocabulary import (
    DEPENDENCY_WORDS,
    DJANGO_SHORTCUTS,
    EXECUTORS,
    FASTAPI_MARKERS,
    FILTER_METHODS,
    FLASK_REQUESTS,
    LOADER_METHODS,
    LOOKUP_SUFFIXES,
    MONGO_METHODS,
    NOT_CLIENT_TYPES,
    NOT_PRINCIPAL_WORDS,
    PATH_CONTAINERS,
    PRINCIPAL_NOUNS,
    PRINCIPAL_QUALIFIERS,
    PRINCIPAL_QUALS,
    QUERY_ROOT_ATTRS,
    REQUEST_SOURCES,
    SCALAR_CASTS,
    SCALAR_TYPES,
    SCHEMA_ATTRS,
    SCHEMA_BASES,
    SELECTS,
    STRING_METHODS,
    STRUCTURED_CASTS,
    TERMINALS,
    TORNADO_SOURCES,
    TYPE_WRAPPERS,
    USERISH_MODELS,
)

# --- checks -----------------------------------------------------------------------

# A helper is an authorization check when its name says so on its own (``authorize``, ``can_edit``,
# ``check_object_permissions``) or pairs a checking verb with what it checks (``require_owner``, ``has_access``).
_CHECK_ALONE = frozenset({"authorize", "authorise", "authorized", "authorised", "authz", "policy", "owns", "belongs",
                          "can", "may", "permission", "permissions", "perm", "perms", "allowed", "acl", "authorization",
                          "visible", "accessible", "editable", "owned"})
_CHECK_VERBS = frozenset({"check", "require", "requires", "ensure", "assert", "verify", "enforce", "is", "has",
                          "user", "guard", "validate"})
_CHECK_OBJECTS = frozenset({"owner", "ownership", "access", "member", "membership", "rights", "privileges", "edit",
                            "write", "read", "view", "delete", "manage", "admin", "author", "creator", "collaborator"})
_NOT_CHECK_PREFIXES = ("get", "load", "fetch", "find", "set", "update", "create", "delete", "serialize", "to",
                       "render", "send", "log", "save", "add", "remove", "make", "build", "list")
_ROLE_WORDS = ("admin", "staff", "superuser", "role", "moderator", "has_perm", "permission", "is_root")
_DENY_CALLS = frozenset({"abort", "HTTPException", "PermissionDenied", "Http404", "Forbidden", "NotFound",
                         "Unauthorized", "HttpResponseForbidden", "HttpResponseNotFound", "HTTPForbidden",
                         "HTTPNotFound", "HTTPUnauthorized", "NotAuthenticated", "AuthenticationFailed",
                         "redirect", "login_required", "unauthorized", "forbidden"})


# What a GraphQL resolver receives besides the client's arguments: the parent object and the resolve info.
_RESOLVER_OBJECTS = frozenset({"root", "parent", "obj", "info", "_root", "_obj", "_parent", "_info", "_", "self",
                               "cls"})
# What an auth layer hangs on the request besides the user: the tenant an API key or a membership resolved to
# (`request.project = Project.objects.for_api_key(key)`). Scoping a query by it scopes it to the caller.
_REQUEST_SCOPES = frozenset({"project", "organization", "organisation", "org", "team", "tenant", "workspace",
                             "account", "company", "household"})


def _words(name: str) -> list[str]:
    """``get_currentUser`` -> ["get", "current", "user"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[_.\W]+", spaced.lower()) if w]


def _tail(node: cst.BaseExpression) -> str | None:
    """The last name of a callee: ``a.b.c`` -> ``c``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _strip(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


# The finders that answer one row (or raise): ``first()``, ``get_object_or_404``, ``find_one``.
ONE_ROW_FINDERS = frozenset({"first", "first_or_404", "one", "one_or_none", "one_or_404", "get", "aget", "get_or_404",
                             "scalar", "scalar_one", "scalar_one_or_none", "get_object_or_404",
                             "aget_object_or_404", "find_one", "afirst"})


# A key that is a secret the caller must know (a share token, a confirmation code): holding it is the permission.
CAPABILITY_KEY = re.compile(r"token|code|secret|nonce|hash|signature|(?:^|_)key$", re.IGNORECASE)


def _id_like(field_name: str) -> bool:
    """A key that names one record: ``id``, ``pk``, ``_id``, ``note_id``, ``owner__id``, ``uuid``."""
    parts = [p for p in field_name.split("__") if p]
    if len(parts) > 1 and parts[-1] in LOOKUP_SUFFIXES:
        parts.pop()
    name = "_".join(parts)
    lowered = name.lower()
    return lowered in ("id", "pk", "_id", "uuid", "guid", "ident") or lowered.endswith(("_id", "_pk", "_uuid", "_guid")) \
        or bool(re.fullmatch(r"[a-z]+Id", name))


def _argument(call: cst.Call, name: str, index: int) -> cst.BaseExpression | None:
    return FileContext.argument(call, name, index)


def _dotted(expr: cst.BaseExpression) -> str:
    """``deps.get_current_user`` (or ``fastapi_users.current_user`` for a call) without needing its module's code."""
    return dotted_name(expr.func if isinstance(expr, cst.Call) else expr) or ""


# Calls that return a payload only once a signature the server made checks out (Django signing,
# itsdangerous, a project's wrapper in a signing module): whoever holds the value was handed it by the app.
SIGNING_LIBRARIES = ("itsdangerous.", "django.core.signing.")
_UNSIGNERS = frozenset({"unsign", "unsign_object"})
_SIGNED_LOADERS = frozenset({"loads", "load", "loads_unsafe", "unserialize", "deserialize", *_UNSIGNERS})
_SIGNER_WORDS = frozenset({"serializer", "signer", "signing", "token", "tokens", "ts", "timed", "signed"})


def verifies_a_signature(ctx: FileContext, call: cst.Call, qual: str | None = None) -> bool:
    """``signer.unsign(link)``, ``signing.loads(value)``, ``URLSafeTimedSerializer(key).loads(code)`` (also through
    a module's serializer, or one bound in the function a rule is visiting), ``serializer.loads(token, max_age=...)``,
    ``unserialize`` from the project's ``signing`` module. ``qual`` is the callee's resolved name when the caller has
    it (HandlerFlow passes none for a handler's locals)."""
    if qual is None:
        qual = ctx.qualname(call.func) or ctx.dotted_name(call.func) or ""
    method = qual.rpartition(".")[2].removesuffix("()") or _tail(call.func) or ""
    if method in _UNSIGNERS or method in _SIGNED_LOADERS and qual.startswith(SIGNING_LIBRARIES):
        return True
    if method in _SIGNED_LOADERS and (FileContext.keyword(call, "max_age") is not None
                                      or FileContext.keyword(call, "salt") is not None):
        return True
    if method in _SIGNED_LOADERS and isinstance(call.func, cst.Attribute):
        receiver = call.func.value
        bound = ctx.value_of(receiver) if isinstance(receiver, cst.Name) else None
        made_by = (ctx.qualname(bound.func) or "") if isinstance(bound, cst.Call) else ""
        if made_by.startswith(SIGNING_LIBRARIES) or set(_words(made_by or _dotted(receiver))) & _SIGNER_WORDS:
            return True  # a serializer made by a signing library, or named for one
    module_words = set(_words(qual.rpartition(".")[0]))
    return method in _SIGNED_LOADERS | {"decode"} and bool({"signing", "signer"} & module_words)


def _names_a_check(name: str) -> bool:
    words = _words(name)
    if not words or words[0] in _NOT_CHECK_PREFIXES:
        return False
    found = set(words)
    return bool(found & _CHECK_ALONE) or (bool(found & _CHECK_VERBS) and bool(found & _CHECK_OBJECTS))


def names_read(node: cst.CSTNode) -> list[cst.Name]:
    """The Name nodes ``node`` reads as variables, in order (not attribute names or keywords: ``note.owner_id``
    reads ``note`` only)."""
    skip: set[int] = set()
    found: list[cst.Name] = []
    for child in [node, *walk(node)]:
        if isinstance(child, cst.Attribute):
            skip.add(id(child.attr))
        elif isinstance(child, cst.Arg) and child.keyword is not None:
            skip.add(id(child.keyword))
        elif isinstance(child, cst.Name) and id(child) not in skip:
            found.append(child)
    return found


def names_in(expr: cst.CSTNode) -> set[str]:
    """Variables read by ``expr`` (``names_read``, by name)."""
    return {name.value for name in names_read(expr)}


# --- facts ------------------------------------------------------------------------

@dataclass(frozen=True)
class Origin:
    """Where client data came from, for messages: ``path parameter note_id``, ``request.json['user_id']``."""

    kind: str  # "path parameter", "request body", ... or "" when ``text`` says it all
    text: str
    scalar: bool = False  # known to be a string/number (not a dict an attacker could shape)

    def describe(self) -> str:
        return f"{self.kind} {self.text}" if self.kind else self.text

    def markdown(self) -> str:
        """``describe`` for a message: the code it names as a code span."""
        return f"{self.kind} {markup.code(self.text)}" if self.kind else markup.code(self.text)

    def extend(self, suffix: str, scalar: bool | None = None) -> Origin:
        text = self.text + suffix
        if len(text) > 60:
            text = text[:57] + "..."
        return replace(self, text=text, scalar=self.scalar if scalar is None else scalar)


@dataclass(frozen=True)
class _Fact:
    """What one local name holds at one point of the handler."""

    client: Origin | None = None
    principal: str | None = None
    request: bool = False  # the request object itself (Django/Starlette parameter, alias of flask.request)
    form: bool = False  # a WTForms/Django form bound to the request: its ``.data`` is client data
    loads: frozenset[int] = frozenset()  # indices into HandlerFlow.loads
    # Values assigned, with the facts at that point, to see through ``stmt = select(...); stmt = stmt.where(...)``.
    exprs: tuple[tuple[cst.BaseExpression, _Env], ...] = ()

    def merge(self, other: _Fact) -> _Fact:
        if self is other:
            return self
        return _Fact(self.client or other.client, self.principal or other.principal, self.request or other.request,
                     self.form or other.form, self.loads | other.loads, self.exprs + other.exprs)


_Env = dict[str, _Fact]
_UNBOUND = _Fact()


def _merge(a: _Env, b: _Env) -> _Env:
    if a is b:
        return a
    merged = dict(a)
    for name, fact in b.items():
        merged[name] = merged[name].merge(fact) if name in merged else fact
    return merged


@dataclass(frozen=True)
class Key:
    """One constraint of a query: ``field`` (``id``, ``owner_id``, ``_id``) compared to ``value``."""

    field: str
    value: cst.BaseExpression


@dataclass
class Load:
    """An ORM or Mongo lookup found in the handler, keyed by some field values."""

    call: cst.Call  # outermost call of the chain (``....first()``)
    kind: str  # sqlalchemy | django | mongo
    model: str | None
    keys: list[Key]
    filters: list[cst.BaseExpression]  # every filter argument, for "mentions the current user"
    principal_root: bool  # queried through the user (``current_user.notes``, ``request.user.orders``)
    unit: int = -1  # statement position in the handler; -1 when classified outside the pass
    chain: frozenset[int] = frozenset()  # ids of the calls in the chain, so any of them finds the load
    targets: set[str] = field(default_factory=set)  # local names the loaded object is bound to
    anchors: set[str] = field(default_factory=set)  # loaded objects it is queried through (``project.tasks``)
    query: bool = False  # a lazy query (``Note.objects.filter(...)``, ``select(...)``), not yet an object
    superseded: bool = False  # a later load executes or refines this query: report that one instead


@dataclass
class _Parts:
    calls: list[cst.Call] = field(default_factory=list)
    receivers: list[cst.BaseExpression] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    kind: str | None = None
    keys: list[Key] = field(default_factory=list)
    filters: list[cst.BaseExpression] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    consumed: set[int] = field(default_factory=set)  # earlier query loads this one builds on


# Whether a helper function returns the principal, by id(helper), in the helper's file.
_HELPER_RETURNS_PRINCIPAL: FileFact[dict[int, bool]] = FileFact("flow.helper_returns_principal", lambda _ctx: {})


# --- the flow ---------------------------------------------------------------------

class HandlerFlow:
    """Facts about client data, the principal and loads in one handler (build with ``HandlerFlow.build``)."""

    def __init__(self, ctx: FileContext, function: cst.FunctionDef, framework: Framework) -> None:
        self.ctx = ctx
        self.function = function
        self.framework = framework
        self.loads: list[Load] = []
        self._snapshots: list[_Env] = []
        self._units: list[cst.CSTNode] = []
        self._unit_of: dict[int, int] = {}
        self._final: _Env = {}
        self._bound: dict[int, _Env] = {}  # an assignment target reads the facts after its binding
        self._scoped_cache: dict[int, bool] = {}

    # --- construction -----------------------------------------------------------
    @classmethod
    def build(cls, ctx: FileContext, function: cst.FunctionDef, framework: Framework,
              path_params: set[str] | frozenset[str] | None = None) -> HandlerFlow:
        """Facts for ``function``; ``path_params`` are the route's URL variables (None: infer from the signature)."""
        flow = cls(ctx, function, framework)
        env = flow._parameters(path_params)
        flow._final = flow._block(function.body, env)
        return flow

    def _parameters(self, path_params: set[str] | frozenset[str] | None) -> _Env:
        params = self.function.params
        positional = [*params.posonly_params, *params.params]
        is_method = bool(positional) and positional[0].name.value in ("self", "cls")
        if is_method:
            positional = positional[1:]
        env: _Env = {}
        if is_method:
            env[[*params.posonly_params, *params.params][0].name.value] = _UNBOUND
        request_index = self._request_param_index(positional)
        bound = binding(self.framework)
        for index, param in enumerate([*positional, *params.kwonly_params]):
            name = param.name.value
            if index == request_index:
                env[name] = _Fact(request=True)
            elif self.framework == Framework.CONNEXION and name in ("user", "token_info"):
                env[name] = _Fact(principal=name)  # connexion passes the authenticated subject and its claims
            elif bound.declared:
                env[name] = self._fastapi_param(param, path_params)
            elif self._is_request_annotation(param):
                env[name] = _Fact(request=True)
            elif self._server_parameter(param, index, request_index):
                env[name] = _UNBOUND
            elif path_params is not None and name not in path_params:
                env[name] = _UNBOUND  # extra view kwargs the server passes (Django ``path(..., {"x": 1})``)
            elif not bound.url_arguments:
                env[name] = _UNBOUND
            else:  # Flask, Django, DRF, Sanic, Falcon, Tornado pass URL variables as arguments
                env[name] = _Fact(client=Origin(self._argument_kind(), name, scalar=True))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                env[star.name.value] = _Fact(client=Origin(self._argument_kind(), star.name.value, scalar=True)) \
                    if bound.url_arguments and not bound.declared else _UNBOUND
        return env

    def _argument_kind(self) -> str:
        return "query parameter" if self.framework == Framework.GRAPHQL else "path parameter"

    def _server_parameter(self, param: cst.Param, index: int, request_index: int | None) -> bool:
        """A parameter the framework fills with its own object: Falcon's ``resp`` after ``req``, a GraphQL
        resolver's ``root``/``info``."""
        if self.framework == Framework.FALCON and request_index is not None and index == request_index + 1:
            return True
        if self.framework != Framework.GRAPHQL:
            return False
        annotation = param.annotation.annotation if param.annotation is not None else None
        if annotation is not None and (_tail(annotation) or "") in ("Info", "ResolveInfo", "GraphQLResolveInfo"):
            return True
        first = [*self.function.params.posonly_params, *self.function.params.params][:1]
        return param.name.value in _RESOLVER_OBJECTS or (index == 0 and bool(first) and first[0] is param)

    def _request_param_index(self, positional: list[cst.Param]) -> int | None:
        for index, param in enumerate(positional):
            if param.name.value in ("request", "req") or self._is_request_annotation(param):
                return index
        if binding(self.framework).request_first and positional:
            return 0  # these frameworks pass the request first
        return None

    def _is_request_annotation(self, param: cst.Param) -> bool:
        if param.annotation is None:
            return False
        annotation = param.annotation.annotation
        text = self.ctx.qualname(annotation) or self.ctx.code(annotation)
        return text.rsplit(".", 1)[-1] in ("Request", "HttpRequest", "WSGIRequest", "ASGIRequest", "HTTPConnection",
                                           "BaseRequest", "WebSocket")

    def _fastapi_param(self, param: cst.Param, path_params: set[str] | frozenset[str] | None) -> _Fact:
        """Dependencies are the server's (a user, a db session); anything else FastAPI reads from the request."""
        name = param.name.value
        dependency = self._dependency_of(param)
        if dependency is not None:
            callee, found = dependency
            words = set(_words(callee)) if callee else set()
            if callee and words & DEPENDENCY_WORDS and not words & NOT_PRINCIPAL_WORDS:
                return _Fact(principal=name)
            if found and set(_words(name)) & PRINCIPAL_NOUNS and not words & NOT_PRINCIPAL_WORDS:
                return _Fact(principal=name)  # ``current_user: User = Depends(deps.resolve)``
            return _UNBOUND
        annotation = param.annotation.annotation if param.annotation is not None else None
        type_text = (self.ctx.qualname(annotation) or self.ctx.code(annotation)) if annotation is not None else ""
        if type_text.rsplit(".", 1)[-1] in NOT_CLIENT_TYPES or type_text.startswith("sqlalchemy."):
            return _UNBOUND
        kind = "path parameter" if path_params is not None and name in path_params else None
        default = param.default
        if kind is None and isinstance(default, cst.Call):
            kind = FASTAPI_MARKERS.get(_tail(default.func) or "")
        scalar = self._scalar_annotation(annotation)
        if kind is None:
            kind = "query parameter" if scalar else "request body"
        return _Fact(client=Origin(kind, name, scalar=scalar or kind == "path parameter"))

    def _dependency_of(self, param: cst.Param) -> tuple[str, bool] | None:
        """(callee name, found) when the parameter is a ``Depends``/``Security``, else None."""
        candidates: list[cst.BaseExpression] = []
        if param.default is not None:
            candidates.append(param.default)
        if param.annotation is not None:
            annotation = param.annotation.annotation
            if isinstance(annotation, cst.Name):
                alias = self._alias(annotation)  # CurrentUser = Annotated[User, Depends(...)], maybe imported
                if alias is None and self._annotation_alias_unresolved(annotation):
                    words = set(_words(annotation.value))
                    return annotation.value, bool(words & PRINCIPAL_NOUNS)  # ``SessionDep``, ``CurrentUserDep``
                annotation = alias if alias is not None else annotation
            if isinstance(annotation, cst.Subscript) and _tail(annotation.value) == "Annotated":
                candidates += [e.slice.value for e in annotation.slice[1:] if isinstance(e.slice, cst.Index)]
        for candidate in candidates:
            if isinstance(candidate, cst.Call) and _tail(candidate.func) in ("Depends", "Security"):
                target = _argument(candidate, "dependency", 0)
                if target is None and param.annotation is not None:
                    target = param.annotation.annotation  # ``Depends()`` uses the annotated class
                text = _dotted(target) if target is not None else ""
                return text.rsplit(".", 1)[-1], target is not None
        return None

    def _alias(self, name: cst.Name) -> cst.BaseExpression | None:
        """The value of a module-level type alias, here or (through the project) in the module it comes from."""
        value = self.ctx.value_of(name)
        if value is not None:
            return value
        qual = self.ctx.qualname(name)
        found = self.ctx.project.binding(qual) if qual and self.ctx.project is not None else None
        return found[1] if found is not None else None

    def _annotation_alias_unresolved(self, name: cst.Name) -> bool:
        """An imported alias we cannot read, named like a dependency (``SessionDep``, ``CurrentUser``)."""
        if name.value not in self.ctx.index.imports:
            return False
        words = set(_words(name.value))
        return bool(words & {"dep", "deps", "depends", "dependency", "session", "db"}) or (
            bool(words & PRINCIPAL_NOUNS) and bool(words & (PRINCIPAL_QUALIFIERS | {"admin", "staff"})))

    @staticmethod
    def _scalar_annotation(annotation: cst.BaseExpression | None) -> bool:
        """``int``, ``Optional[str]``, ``list[UUID]``: FastAPI reads these from the query string, not the body."""
        if annotation is None:
            return True  # FastAPI reads an unannotated parameter as a query string
        if isinstance(annotation, cst.Subscript) and _tail(annotation.value) == "Annotated" and annotation.slice \
                and isinstance(annotation.slice[0].slice, cst.Index):
            annotation = annotation.slice[0].slice.value
        names = {n.value for n in [annotation, *walk(annotation)] if isinstance(n, cst.Name)} - TYPE_WRAPPERS
        return bool(names) and names <= SCALAR_TYPES

    # --- the pass ---------------------------------------------------------------
    def _mark(self, node: cst.CSTNode, env: _Env) -> int:
        index = len(self._snapshots)
        self._snapshots.append(env)
        self._units.append(node)
        for child in walk(node):
            self._unit_of[id(child)] = index
        self._unit_of[id(node)] = index
        self._record_loads(node, env, index)
        return index

    def _block(self, body: cst.BaseSuite | cst.CSTNode, env: _Env) -> _Env:
        statements = getattr(body, "body", ())
        if isinstance(statements, cst.BaseSmallStatement):
            statements = (statements,)
        for statement in statements:
            env = self._statement(statement, env)
        return env

    def _statement(self, statement: cst.CSTNode, env: _Env) -> _Env:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                self._mark(small, env)
                env = self._walrus(small, env)
                env = self._small(small, env)
            return env
        if isinstance(statement, (cst.If, cst.While)):
            self._mark(statement.test, env)
            env = self._walrus(statement.test, env)
            taken = self._block(statement.body, env)
            other = self._orelse(statement.orelse, env)
            return _merge(taken, other)
        if isinstance(statement, cst.For):
            self._mark(statement.iter, env)
            inner = self._bind(statement.target, statement.iter, env, element=True)
            after = _merge(env, self._block(statement.body, inner))
            return _merge(after, self._orelse(statement.orelse, after))
        if isinstance(statement, cst.With):
            for item in statement.items:
                self._mark(item.item, env)
                if item.asname is not None:
                    env = self._bind(item.asname.name, item.item, env)
            return self._block(statement.body, env)
        if isinstance(statement, cst.Try) or type(statement).__name__ == "TryStar":
            body_env = self._block(statement.body, env)
            merged = _merge(env, body_env)
            ends = [self._orelse(getattr(statement, "orelse", None), body_env)]
            for handler in statement.handlers:
                handler_env = merged
                if handler.name is not None:
                    handler_env = self._assign(handler.name.name, _UNBOUND, handler_env)
                ends.append(self._block(handler.body, handler_env))
            result = ends[0]
            for end in ends[1:]:
                result = _merge(result, end)
            if statement.finalbody is not None:
                result = self._block(statement.finalbody.body, result)
            return result
        if isinstance(statement, cst.Match):
            self._mark(statement.subject, env)
            result = env
            for case in statement.cases:
                result = _merge(result, self._block(case.body, env))
            return result
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            self._mark(statement, env)  # nested helpers read the enclosing facts
            return self._assign(statement.name, _UNBOUND, env)
        return env

    def _orelse(self, orelse: cst.CSTNode | None, env: _Env) -> _Env:
        if orelse is None:
            return env
        if isinstance(orelse, cst.If):
            return self._statement(orelse, env)
        return self._block(orelse.body, env)  # type: ignore[attr-defined]

    def _small(self, small: cst.BaseSmallStatement, env: _Env) -> _Env:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                env = self._bind(target.target, small.value, env)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            env = self._bind(small.target, small.value, env)
        elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
            old = env.get(small.target.value, _UNBOUND)
            env = self._assign(small.target, old.merge(self._fact(small.value, env)), env)
        return env

    def _walrus(self, node: cst.CSTNode, env: _Env) -> _Env:
        for child in [node, *walk(node)]:
            if isinstance(child, cst.NamedExpr):
                env = self._bind(child.target, child.value, env)
        return env

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression, env: _Env,
              element: bool = False) -> _Env:
        if isinstance(target, (cst.Tuple, cst.List)):
            value_s = _strip(value)
            items = value_s.elements if isinstance(value_s, (cst.Tuple, cst.List)) and not element else None
            for position, element_node in enumerate(target.elements):
                inner = element_node.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                if items is not None and len(items) == len(target.elements) and \
                        not isinstance(items[position], cst.StarredElement):
                    env = self._bind(inner, items[position].value, env)
                else:  # ``user, token = authenticate()``: each part may hold what the whole holds
                    env = self._bind(inner, value, env, element)
            return env
        if isinstance(target, cst.Name):
            return self._assign(target, self._fact(value, env), env)
        return env  # attribute/subscript targets bind no local

    def _assign(self, target: cst.Name, fact: _Fact, env: _Env) -> _Env:
        updated = dict(env)
        updated[target.value] = fact
        self._bound[id(target)] = updated
        for index in fact.loads:
            self.loads[index].targets.add(target.value)
        return updated

    def _fact(self, value: cst.BaseExpression, env: _Env) -> _Fact:
        stripped = _strip(value)
        loads: frozenset[int] = frozenset()
        if isinstance(stripped, cst.Call):
            found = self._load_index(stripped)
            if found is not None:
                loads = frozenset({found})
        base: cst.BaseExpression = stripped
        while isinstance(base, cst.Subscript):  # ``notes[0]`` is one of the loaded objects
            base = _strip(base.value)
        if isinstance(base, cst.Name) and base.value in env:
            loads = loads | env[base.value].loads
        return _Fact(client=self._client(value, env), principal=self._principal(value, env),
                     request=self._is_request(stripped, env), form=self._is_form_call(stripped),
                     loads=loads, exprs=((value, env),))

    def _env_for(self, node: cst.CSTNode) -> _Env:
        if id(node) in self._bound:
            return self._bound[id(node)]
        index = self._unit_of.get(id(node))
        return self._snapshots[index] if index is not None else self._final

    # --- client data --------------------------------------------------------------
    def is_client(self, expr: cst.BaseExpression) -> bool:
        """Does ``expr`` carry data the client chose (path, query, body, headers, cookies, files)?"""
        return self._client(expr, self._env_for(expr)) is not None

    def client_source(self, expr: cst.BaseExpression) -> str | None:
        """Where the client data in ``expr`` comes from, for messages, or None."""
        source = self._client(expr, self._env_for(expr))
        return source.describe() if source is not None else None

    def client_source_markdown(self, expr: cst.BaseExpression) -> str | None:
        """``client_source`` for a message (GitHub markdown): the code it names as a code span."""
        source = self._client(expr, self._env_for(expr))
        return source.markdown() if source is not None else None

    def may_be_structured(self, expr: cst.BaseExpression) -> bool:
        """Client data that may be a dict or list (JSON), not known to be cast to a string or number."""
        source = self._client(expr, self._env_for(expr))
        return source is not None and not source.scalar

    def _client(self, expr: cst.BaseExpression, env: _Env, depth: int = 0) -> Origin | None:
        if depth > 20:
            return None
        expr = _strip(expr)
        if isinstance(expr, cst.Name):
            fact = env.get(expr.value)
            return fact.client if fact is not None else None
        if isinstance(expr, cst.Attribute):
            return self._client_attribute(expr, env, depth)
        if isinstance(expr, cst.Subscript):
            base = self._client(expr.value, env, depth + 1)
            if base is None:
                return None
            key = self._subscript_key(expr)
            if base.kind == "path parameter" and key is not None and base.text.split(".")[-1] in (
                    "kwargs", *PATH_CONTAINERS):
                return Origin("path parameter", key, scalar=True)
            return base.extend(f"[{key!r}]" if key is not None else "[...]")
        if isinstance(expr, cst.Call):
            return self._client_call(expr, env, depth)
        if isinstance(expr, cst.BinaryOperation):
            found = self._client(expr.left, env, depth + 1) or self._client(expr.right, env, depth + 1)
            return replace(found, scalar=True) if found is not None else None
        if isinstance(expr, cst.FormattedString):
            for part in expr.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    found = self._client(part.expression, env, depth + 1)
                    if found is not None:
                        return replace(found, scalar=True)
            return None
        if isinstance(expr, cst.IfExp):
            return self._client(expr.body, env, depth + 1) or self._client(expr.orelse, env, depth + 1)
        if isinstance(expr, cst.BooleanOperation):
            return self._client(expr.left, env, depth + 1) or self._client(expr.right, env, depth + 1)
        if isinstance(expr, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
            for element in expr.elements:
                value = getattr(element, "value", None)
                found = self._client(value, env, depth + 1) if value is not None else None
                if found is None and isinstance(element, cst.DictElement):
                    found = self._client(element.key, env, depth + 1)
                if found is not None:
                    return replace(found, scalar=False)
            return None
        if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            comp: cst.CompFor | None = expr.for_in
            while comp is not None:
                found = self._client(comp.iter, env, depth + 1)
                if found is not None:
                    return replace(found, scalar=False)
                comp = comp.inner_for_in
        return None

    def _client_attribute(self, expr: cst.Attribute, env: _Env, depth: int) -> Origin | None:
        attr = expr.attr.value
        if self._is_request(expr.value, env):
            if attr in REQUEST_SOURCES:
                kind = "path parameter" if attr in PATH_CONTAINERS else ""
                return Origin(kind, self.ctx.code(expr), scalar=REQUEST_SOURCES[attr])
            return None  # request.user, request.session, request.method: not the client's choice
        if attr == "kwargs" and isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
            return Origin("path parameter", "self.kwargs", scalar=True)  # DRF/Django class-based views
        if attr in SCHEMA_ATTRS:
            return Origin("", self.ctx.code(expr))
        base_expr = _strip(expr.value)
        if attr == "data" and isinstance(base_expr, cst.Name) and env.get(base_expr.value, _UNBOUND).form:
            return Origin("form data", self.ctx.code(expr))
        if attr == "data" and isinstance(base_expr, cst.Attribute) and isinstance(base_expr.value, cst.Name) \
                and env.get(base_expr.value.value, _UNBOUND).form:
            return Origin("form field", self.ctx.code(expr), scalar=True)
        base = self._client(expr.value, env, depth + 1)
        if base is None:
            return None
        # A field of a validated body model has its declared type (no operator dicts in a ``str`` field).
        return base.extend(f".{attr}", scalar=True if base.kind == "request body" else None)

    def _client_call(self, call: cst.Call, env: _Env, depth: int) -> Origin | None:
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            base = self._client(func.value, env, depth + 1)
            if base is not None:
                if method in ("get", "pop", "getlist", "getone", "get_one", "getall", "setdefault") and call.args:
                    key = self.ctx.string(call.args[0].value)
                    if key is not None:
                        if base.kind == "path parameter" and base.text.split(".")[-1] in ("kwargs", *PATH_CONTAINERS):
                            return Origin("path parameter", key, scalar=True)
                        return base.extend(f"[{key!r}]")
                    return base.extend(f".{method}(...)")
                if method in STRING_METHODS:
                    return base.extend(f".{method}()", scalar=True)
                return base.extend(f".{method}()")
            if self._is_request(func.value, env) and method in REQUEST_SOURCES:
                return Origin("", f"{self.ctx.code(func)}()", scalar=REQUEST_SOURCES[method] and method != "form")
            if method in TORNADO_SOURCES and self.framework == Framework.TORNADO and isinstance(func.value, cst.Name) \
                    and func.value.value == "self":
                return Origin("", f"{self.ctx.code(func)}()", scalar=not method.endswith("s"))
        name = _tail(func) or ""
        qual = self._global_qualname(func, env) or ""
        if verifies_a_signature(self.ctx, call, qual):
            return None  # the server signed it: a token it issued, not a value the client picked
        if isinstance(func, cst.Attribute) and name in LOADER_METHODS:
            return self._first_client_arg(call, env, depth, scalar=False)
        if name in SCALAR_CASTS or qual in ("uuid.UUID", "bson.ObjectId", "bson.objectid.ObjectId") \
                or self._id_parser(name, call):
            return self._first_client_arg(call, env, depth, scalar=True)
        if name in STRUCTURED_CASTS:
            return self._first_client_arg(call, env, depth, scalar=False)
        if self._is_schema_class(func):
            return self._first_client_arg(call, env, depth, scalar=False)
        return None

    @staticmethod
    def _id_parser(name: str, call: cst.Call) -> bool:
        """A project helper that parses one id (``object_id(x)``, ``parse_uuid(x)``, ``decode_hashid(x)``): a cast."""
        words = _words(name)
        return len(call.args) == 1 and bool(set(words) & {"id", "uuid", "oid", "objectid", "pk", "hashid", "int"}) \
            and words[0] not in ("get", "load", "fetch", "find", "lookup", "resolve", "query")

    def _first_client_arg(self, call: cst.Call, env: _Env, depth: int, scalar: bool) -> Origin | None:
        for arg in call.args:
            found = self._client(arg.value, env, depth + 1)
            if found is not None:
                return replace(found, scalar=scalar)
        return None

    def _subscript_key(self, expr: cst.Subscript) -> str | None:
        if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
            return self.ctx.string(expr.slice[0].slice.value)
        return None

    def _is_schema_class(self, func: cst.BaseExpression, depth: int = 0) -> bool:
        """A pydantic/marshmallow class of this file: ``NoteIn(**request.json)`` is still the client's data."""
        if not isinstance(func, cst.Name) or func.value not in self.ctx.index.classes or depth > 3:
            return False
        for base in self.ctx.index.classes[func.value].bases:
            if (_tail(base.value) or "") in SCHEMA_BASES or self._is_schema_class(base.value, depth + 1):
                return True
        return False

    def _is_form_call(self, expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Call) and (_tail(expr.func) or "").endswith("Form")

    # --- the request object ---------------------------------------------------------
    def _is_request(self, expr: cst.BaseExpression, env: _Env) -> bool:
        expr = _strip(expr)
        if isinstance(expr, cst.Name):
            if expr.value in env:
                return env[expr.value].request
            return self.ctx.qualname(expr) in FLASK_REQUESTS
        if isinstance(expr, cst.Attribute):
            if expr.attr.value == "request" and isinstance(expr.value, cst.Name) and expr.value.value == "self":
                return True  # Django/DRF class-based views, Tornado handlers
            if self._graphql_context(expr):
                return True  # a resolver's ``info.context``: the request (graphene-django, strawberry-django)
            root = expr
            while isinstance(root, cst.Attribute):
                root = root.value  # type: ignore[assignment]
            if isinstance(root, cst.Name) and root.value not in env:
                return self.ctx.qualname(expr) in FLASK_REQUESTS
        if isinstance(expr, cst.Subscript):
            return self._graphql_context(expr)
        return False

    def _graphql_context(self, expr: cst.BaseExpression) -> bool:
        """``info.context``, ``info.context["request"]`` or ``info.context.request`` (strawberry) in a GraphQL resolver."""
        if self.framework != Framework.GRAPHQL:
            return False
        if isinstance(expr, cst.Subscript) and self._subscript_key(expr) == "request" or \
                isinstance(expr, cst.Attribute) and expr.attr.value == "request":
            expr = expr.value
        return isinstance(expr, cst.Attribute) and expr.attr.value == "context" and isinstance(expr.value, cst.Name) \
            and expr.value.value in ("info", "_info")

    def client_origin(self, expr: cst.BaseExpression) -> Origin | None:
        """Where the client data in ``expr`` comes from (kind, text, scalar), or None."""
        return self._client(expr, self._env_for(expr))

    def values_of(self, name: cst.Name) -> list[cst.BaseExpression]:
        """The expressions the local ``name`` may hold where it is read (one per assignment reaching it).

        A ``for`` target holds an element of its iterable: the iterable is given. Empty for
        parameters and for names the handler does not bind.
        """
        fact = self._env_for(name).get(name.value)
        return [value for value, _ in fact.exprs] if fact is not None else []

    def is_parameter(self, name: cst.Name) -> bool:
        """``name`` is read where it still holds the handler's parameter of that name."""
        fact = self._env_for(name).get(name.value)
        if fact is None or fact.exprs:
            return False
        params = self.function.params
        return any(p.name.value == name.value
                   for p in (*params.posonly_params, *params.params, *params.kwonly_params))

    def unit_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The statement (small statement, or compound header expression) of the handler holding ``node``."""
        index = self._unit_of.get(id(node))
        return self._units[index] if index is not None else None

    def checked_against_principal(self, names: set[str]) -> bool:
        """Some statement compares one of the locals ``names`` with the caller (an expression of the caller not
        computed from ``names``) or passes it to a check helper: ``if uid != current_user.id: abort(403)``."""
        if not names:
            return False
        for unit, env in zip(self._units, self._snapshots, strict=False):
            for node in [unit, *walk(unit)]:
                if isinstance(node, cst.Comparison):
                    operands = [node.left, *(c.comparator for c in node.comparisons)]
                    for first in operands:
                        if not names_in(first) & names:
                            continue
                        if any(second is not first and not names_in(second) & names
                               and self._mentions_principal(second, env) for second in operands):
                            return True
                elif isinstance(node, cst.Call) and self._is_check_call(node, names, env):
                    return True
        return False

    def principal_expressions(self) -> list[cst.BaseExpression]:
        """Every maximal expression of the handler that is the caller or derived from it, in source order."""
        found: list[cst.BaseExpression] = []
        covered: set[int] = set()
        for node in walk(self.function.body):
            if id(node) in covered or not isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
                continue
            if self._principal(node, self._env_for(node)) is not None:
                found.append(node)
                covered |= {id(n) for n in walk(node)}
        return found

    # --- the principal ----------------------------------------------------------------
    def is_current_user(self, expr: cst.BaseExpression) -> bool:
        """Is ``expr`` the authenticated principal, or derived from it (``current_user.id``, ``user.org_id``)?"""
        return self._principal(expr, self._env_for(expr)) is not None

    def _principal(self, expr: cst.BaseExpression, env: _Env, depth: int = 0) -> str | None:
        if depth > 12:
            return None
        expr = _strip(expr)
        if isinstance(expr, cst.Name):
            if expr.value in env:
                return env[expr.value].principal
            qual = self.ctx.qualname(expr) or ""
            if qual in PRINCIPAL_QUALS or (qual and qual.rsplit(".", 1)[-1] in ("current_user", "current_identity")):
                return expr.value
            return None
        if isinstance(expr, cst.Attribute):
            attr = expr.attr.value
            if self._is_request(expr.value, env) and (attr in ("user", "auth", "identity", "principal",
                                                                 "authenticated_userid") or attr in _REQUEST_SCOPES):
                return self.ctx.code(expr)  # (Pyramid: request.authenticated_userid)
            base_expr = _strip(expr.value)
            if isinstance(base_expr, cst.Attribute) and base_expr.attr.value in ("state", "context", "ctx") \
                    and self._is_request(base_expr.value, env) and set(_words(attr)) & PRINCIPAL_NOUNS:
                return self.ctx.code(expr)  # request.state.user, Falcon's req.context.user: set by auth middleware
            if attr == "current_user" and self.framework == Framework.TORNADO and isinstance(base_expr, cst.Name) \
                    and base_expr.value == "self":
                return self.ctx.code(expr)  # Tornado: RequestHandler.current_user (from get_current_user)
            if self._is_flask_g(base_expr, env) and set(_words(attr)) & (PRINCIPAL_NOUNS | {"identity"}):
                return self.ctx.code(expr)
            qual = self._global_qualname(expr, env)
            if qual in PRINCIPAL_QUALS:
                return self.ctx.code(expr)
            base = self._principal(expr.value, env, depth + 1)
            return f"{base}.{attr}" if base is not None else None
        if isinstance(expr, cst.Subscript):
            if self._is_session(expr.value, env) or self._graphql_context(expr.value):  # also info.context["user"]
                key = self._subscript_key(expr)
                return self.ctx.code(expr) if key is not None and set(_words(key)) & PRINCIPAL_NOUNS else None
            base = self._principal(expr.value, env, depth + 1)
            return f"{base}[...]" if base is not None else None
        if isinstance(expr, cst.Call):
            return self._principal_call(expr, env, depth)
        if isinstance(expr, (cst.IfExp, cst.BooleanOperation)):
            sides = (expr.body, expr.orelse) if isinstance(expr, cst.IfExp) else (expr.left, expr.right)
            return self._principal(sides[0], env, depth + 1) or self._principal(sides[1], env, depth + 1)
        if isinstance(expr, cst.FormattedString):
            parts = [p.expression for p in expr.parts if isinstance(p, cst.FormattedStringExpression)]
            if parts and any(self._principal(p, env, depth + 1) for p in parts) \
                    and not any(self._client(p, env) for p in parts):
                return self.ctx.code(expr)
        return None

    def _principal_call(self, call: cst.Call, env: _Env, depth: int) -> str | None:
        func = call.func
        args_from_client = any(self._client(a.value, env) is not None for a in call.args)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method == "get" and self._is_session(func.value, env) and call.args:
                key = self.ctx.string(call.args[0].value)
                if key is not None and set(_words(key)) & PRINCIPAL_NOUNS:
                    return self.ctx.code(call)
            if not args_from_client and self._principal(func.value, env, depth + 1) is not None:
                return self.ctx.code(call)  # current_user.get_id(), claims.get("sub")
        qual = self._global_qualname(func, env) or ""
        name = _tail(func) or ""
        if qual in PRINCIPAL_QUALS:
            if qual.endswith("decode") and self._verification_disabled(call):
                return None
            return self.ctx.code(call)
        if name in SCALAR_CASTS or qual in ("uuid.UUID", "bson.ObjectId", "bson.objectid.ObjectId"):
            for arg in call.args:
                found = self._principal(arg.value, env, depth + 1)
                if found is not None:
                    return found
            return None
        if not args_from_client and self._named_like_principal_getter(name) and not \
                (isinstance(func, cst.Attribute) and self._is_request(func.value, env)):
            return self.ctx.code(call)  # get_current_user(), auth.current_user(), current_user_id()
        if not args_from_client and self._helper_returns_principal(func, env):
            return self.ctx.code(call)  # user = require_user(request): a project helper that hands back the caller
        # A lookup keyed by the caller is the caller's row; its receivers are principals or not at a shallow depth
        # (classifying asks for principals again: unbounded, that recursion is exponential)
        load = self._classify(call, env, depth=depth + 1) if depth < 3 else None
        if load is not None and load.keys and all(self._principal(k.value, env, depth + 1) for k in load.keys) and (
                USERISH_MODELS.search(load.model or "") or all(
                    k.field in ("id", "pk", "_id", "username", "email", "sub") for k in load.keys)):
            return self.ctx.code(call)  # User.query.get(get_jwt_identity()): the caller's own row
        return None

    def _helper_returns_principal(self, func: cst.BaseExpression, env: _Env) -> bool:
        """A function of this file or the project whose ``return`` hands back the caller (or derives from it)."""
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return False
        target: tuple[FileContext, cst.CSTNode] | None = None
        if isinstance(func, cst.Name):
            if func.value in env:
                return False
            if func.value in self.ctx.index.functions:
                target = (self.ctx, self.ctx.index.functions[func.value])
        if target is None and self.ctx.project is not None:
            qual = self._global_qualname(func, env)
            found = self.ctx.project.definition(qual) if qual else None
            if found is not None:
                target = found
        if target is None or not isinstance(target[1], cst.FunctionDef) or target[1] is self.function:
            return False
        hctx, helper = target
        returns = _HELPER_RETURNS_PRINCIPAL.get(hctx)
        key = id(helper)
        if key not in returns:
            returns[key] = False  # recursion guard
            # "flask": only a parameter named or annotated as the request is the request (not any first one).
            inner = HandlerFlow.build(hctx, helper, Framework.FLASK, frozenset())
            returns[key] = any(
                isinstance(node, cst.Return) and node.value is not None
                and inner._principal(node.value, inner._env_for(node.value)) is not None
                for node in walk(helper.body))
        return returns[key]

    @staticmethod
    def _named_like_principal_getter(name: str) -> bool:
        words = _words(name)
        if not words or set(words) & NOT_PRINCIPAL_WORDS:
            return False
        if name in ("get_jwt_identity", "get_identity", "whoami", "current_identity", "get_current_identity"):
            return True
        return bool(set(words) & (PRINCIPAL_NOUNS - {"self", "sub", "admin", "staff", "owner", "tenant"})) and \
            bool(set(words) & PRINCIPAL_QUALIFIERS)

    def _verification_disabled(self, call: cst.Call) -> bool:
        code = self.ctx.code(call).replace(" ", "")
        return '"verify_signature":False' in code or "'verify_signature':False" in code or "verify=False" in code

    def _global_qualname(self, expr: cst.BaseExpression, env: _Env) -> str | None:
        """The import-resolved name of ``expr`` when its root is not a local of the handler."""
        root = expr
        while isinstance(root, (cst.Attribute, cst.Call)):
            root = root.value if isinstance(root, cst.Attribute) else root.func
        if isinstance(root, cst.Name) and root.value in env:
            return None
        return self.ctx.qualname(expr)

    def _is_flask_g(self, expr: cst.BaseExpression, env: _Env) -> bool:
        return self._global_qualname(expr, env) in ("flask.g", "flask.globals.g", "quart.g")

    def _is_session(self, expr: cst.BaseExpression, env: _Env) -> bool:
        """The server-side or signed session (or Falcon's ``req.context``, filled by the auth middleware): what it
        says about the user was written by the server."""
        expr = _strip(expr)
        # (Pyramid's request.context is the traversal resource the URL picked: not the server's word)
        contexts = ("session", "context") if self.framework == Framework.FALCON else ("session",)
        if isinstance(expr, cst.Attribute) and expr.attr.value in contexts and self._is_request(expr.value, env):
            return True
        return self._global_qualname(expr, env) in ("flask.session", "flask.globals.session", "quart.session")

    # --- loads ------------------------------------------------------------------------
    def load(self, node: cst.CSTNode) -> Load | None:
        """The load that ``node`` (any call of its chain, or a statement holding it) performs, or None."""
        for candidate in [node, *walk(node)]:
            if isinstance(candidate, cst.Call):
                index = self._load_index(candidate)
                if index is not None:
                    return self.loads[index]
                if self._unit_of.get(id(candidate)) is None:
                    found = self._classify(candidate, self._final)
                    if found is not None:
                        return found
        return None

    def loads_by_client_id(self, node: cst.CSTNode | Load) -> bool:
        """Is this load keyed by an id-like value the client chose (``Note.query.get(note_id)``)?"""
        load = node if isinstance(node, Load) else self.load(node)
        return load is not None and bool(self.client_keys(load))

    def client_keys(self, load: Load) -> list[Key]:
        """The id-like keys of ``load`` whose value is client data."""
        env = self._snapshots[load.unit] if load.unit >= 0 else self._final
        return [k for k in load.keys if _id_like(k.field) and self._client(k.value, env) is not None]

    def path_keys(self, load: Load) -> list[Key]:
        """Keys of a one-row lookup whose value is a URL variable, whatever the column (``slug``, ``title``,
        ``username``): a URL that names one record names it by whichever column the app chose."""
        if load.anchors or not any(
                isinstance(n, cst.Call) and id(n) in load.chain and (_tail(n.func) or "") in ONE_ROW_FINDERS
                for n in (load.call, *walk(load.call))):
            return []
        env = self._snapshots[load.unit] if load.unit >= 0 else self._final
        found: list[Key] = []
        for key in load.keys:
            origin = self._client(key.value, env)
            if origin is not None and origin.kind == "path parameter" and key.field.isidentifier() \
                    and not CAPABILITY_KEY.search(key.field):
                found.append(key)
            elif self.ctx.literal(key.value) is UNKNOWN:
                return []  # also keyed by something of the server's (``owner=check``): scoped, or not ours to judge
        return found

    def _load_index(self, call: cst.Call) -> int | None:
        for index, load in enumerate(self.loads):
            if id(call) in load.chain:
                return index
        return None

    def _record_loads(self, node: cst.CSTNode, env: _Env, unit: int) -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return
        covered: set[int] = set()
        for child in [node, *walk(node)]:
            if isinstance(child, cst.Call) and id(child) not in covered:
                parts = _Parts()
                load = self._classify(child, env, parts)
                if load is not None:
                    load.unit = unit
                    covered |= load.chain
                    for index in parts.consumed:
                        self.loads[index].superseded = True
                    self.loads.append(load)

    def _classify(self, call: cst.Call, env: _Env, parts: _Parts | None = None, depth: int = 0) -> Load | None:
        parts = parts if parts is not None else _Parts()
        self._collect(call, env, parts, 0)
        # (``depth``: a principal lookup classifies its call, which asks for principals again)
        principal_root = any(self._principal(r, env, depth) is not None for r in parts.receivers)
        if parts.kind is None and parts.keys and (principal_root or parts.anchors):
            parts.kind = "relationship"  # current_user.notes.filter_by(id=...), project.tasks.get(pk=...)
        if parts.kind is None or not (parts.keys or parts.filters):
            return None
        method = _tail(call.func) or ""
        return Load(call=call, kind=parts.kind, model=parts.models[0] if parts.models else None, keys=parts.keys,
                    filters=parts.filters, principal_root=principal_root,
                    chain=frozenset(id(c) for c in parts.calls), anchors=parts.anchors,
                    query=method not in TERMINALS)

    def _collect(self, expr: cst.BaseExpression, env: _Env, parts: _Parts, depth: int) -> None:
        """Walk a query down its receivers, expanding locals (``stmt = select(...)``) and executed statements."""
        if depth > 5:
            return
        expr = _strip(expr)
        while True:
            if isinstance(expr, cst.Call):
                parts.calls.append(expr)
                func = expr.func
                if isinstance(func, cst.Attribute):
                    if func.attr.value in ("get_queryset", "filter_queryset") and not parts.kind:
                        parts.kind = "django"  # a class-based view's own queryset
                    self._collect_method(expr, func.attr.value, env, parts, depth)
                    parts.receivers.append(func.value)
                    expr = _strip(func.value)
                    continue
                self._collect_function(expr, env, parts, depth)
                return
            if isinstance(expr, cst.Attribute):
                if expr.attr.value in QUERY_ROOT_ATTRS and not self._is_request(expr.value, env):
                    parts.kind = parts.kind or ("django" if expr.attr.value != "query" else "sqlalchemy")
                    self._add_model(expr.value, parts)
                parts.receivers.append(expr)
                expr = _strip(expr.value)
                continue
            if isinstance(expr, cst.Subscript):
                expr = _strip(expr.value)
                continue
            if isinstance(expr, cst.Name) and expr.value in env:
                fact = env[expr.value]
                if fact.loads and not all(self.loads[i].query for i in fact.loads):
                    parts.anchors.add(expr.value)  # a loaded object: its relationships are anchored on it
                    return
                parts.consumed |= fact.loads
                for value, bound_in in fact.exprs:
                    self._collect(value, bound_in, parts, depth + 1)
            elif isinstance(expr, (cst.Name, cst.Attribute)) and parts.calls and not parts.kind \
                    and self._looks_like_model(expr) and active_record_model(self.ctx, expr):
                parts.kind = "orm"  # await Note.get(id=...), Note.get_or_none(...), Note.filter(...).first()
                self._add_model(expr, parts)
            return

    def _collect_method(self, call: cst.Call, method: str, env: _Env, parts: _Parts, depth: int) -> None:
        receiver = _strip(call.func.value)  # type: ignore[attr-defined]
        if method in MONGO_METHODS and call.args:
            filter_expr = self._expand(call.args[0].value, env)
            if isinstance(filter_expr, cst.Dict) and not self._is_request(receiver, env):
                parts.kind = parts.kind or "mongo"
                parts.models.append(self._collection_name(receiver))
                self._dict_keys(filter_expr, env, parts, 0)
            return
        if method in ("query",) and call.args and self._is_session_like(receiver):
            parts.kind = parts.kind or "sqlalchemy"
            self._add_model(call.args[0].value, parts)
            return
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if method in SELECTS and positional and self._looks_like_model(positional[0]):
            parts.kind = parts.kind or "sqlalchemy"  # db.select(Note), sa.select(Note)
            self._add_model(positional[0], parts)
            return
        if method in ("get", "aget", "get_one", "get_or_404") and len(positional) >= 2 \
                and self._looks_like_model(positional[0]) and self._is_session_like(receiver):
            self._model_get(call, env, parts)  # session.get(Note, note_id), db.get_or_404(Note, id)
            return
        if method in EXECUTORS and positional and not self._looks_like_model(positional[0]) \
                and method != "get_or_404":
            self._collect(positional[0], env, parts, depth + 1)  # session.scalars(stmt), db.first_or_404(stmt)
            return
        if method in ("get_by_id", "get_or_none", "aget_or_none"):
            if method == "get_by_id" and positional:
                parts.keys.append(Key("id", positional[0]))  # peewee's Note.get_by_id(pk)
            else:
                self._filter_args(call, env, parts)  # Tortoise's Note.get_or_none(id=..., owner=...)
            return
        if method in FILTER_METHODS:
            if method in ("get", "get_or_404", "aget") and call.args and call.args[0].keyword is None \
                    and self.ctx.string(call.args[0].value) is None \
                    and not isinstance(call.args[0].value, cst.Comparison):
                parts.keys.append(Key("id", call.args[0].value))  # Model.query.get(ident)
            self._filter_args(call, env, parts)

    def _collect_function(self, call: cst.Call, env: _Env, parts: _Parts, depth: int) -> None:
        name = _tail(call.func) or ""
        if name in DJANGO_SHORTCUTS and call.args:
            parts.kind = parts.kind or "django"
            first = call.args[0].value
            parts.receivers.append(first)
            if self._looks_like_model(first):
                self._add_model(first, parts)
            else:
                self._collect(first, env, parts, depth + 1)
            self._filter_args(call, env, parts, skip_first=True)
        elif name in SELECTS and call.args and self._looks_like_model(call.args[0].value):
            parts.kind = parts.kind or "sqlalchemy"
            self._add_model(call.args[0].value, parts)

    def _model_get(self, call: cst.Call, env: _Env, parts: _Parts) -> None:
        parts.kind = parts.kind or "sqlalchemy"
        self._add_model(call.args[0].value, parts)
        ident = self.ctx.argument(call, "ident", 1)
        if ident is not None:
            parts.keys.append(Key("id", ident))

    def _filter_args(self, call: cst.Call, env: _Env, parts: _Parts, skip_first: bool = False) -> None:
        for position, arg in enumerate(call.args):
            if skip_first and position == 0 and arg.keyword is None:
                continue
            parts.filters.append(arg.value)
            if arg.keyword is not None:
                if arg.keyword.value not in ("defaults", "klass", "create_defaults"):
                    parts.keys.append(Key(arg.keyword.value, arg.value))
            elif arg.star == "**":
                parts.keys.append(Key("**", arg.value))
            else:
                self._condition_keys(arg.value, parts, 0)

    def _condition_keys(self, expr: cst.BaseExpression, parts: _Parts, depth: int) -> None:
        """``Note.id == x``, ``and_(...)``, ``a & b``, ``Q(pk=x)``, ``Note.id.in_(ids)``."""
        if depth > 6:
            return
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1 and \
                isinstance(expr.comparisons[0].operator, (cst.Equal, cst.Is, cst.In)):
            left, right = expr.left, expr.comparisons[0].comparator
            column = self._column(left)
            if column is not None:
                parts.keys.append(Key(column, right))
            elif (column := self._column(right)) is not None:
                parts.keys.append(Key(column, left))
        elif isinstance(expr, (cst.BooleanOperation, cst.BinaryOperation)):
            self._condition_keys(expr.left, parts, depth + 1)
            self._condition_keys(expr.right, parts, depth + 1)
        elif isinstance(expr, cst.Call):
            name = _tail(expr.func) or ""
            if name in ("and_", "or_", "Q") or name.startswith("and"):
                for arg in expr.args:
                    if arg.keyword is not None:
                        parts.keys.append(Key(arg.keyword.value, arg.value))
                    else:
                        self._condition_keys(arg.value, parts, depth + 1)
            elif name in ("in_", "is_", "__eq__", "contains") and isinstance(expr.func, cst.Attribute) and expr.args:
                column = self._column(expr.func.value)
                if column is not None:
                    parts.keys.append(Key(column, expr.args[0].value))

    def _dict_keys(self, expr: cst.Dict, env: _Env, parts: _Parts, depth: int) -> None:
        parts.filters.append(expr)
        for element in expr.elements:
            if not isinstance(element, cst.DictElement):
                parts.keys.append(Key("**", element.value))
                continue
            key = self.ctx.string(element.key)
            value = element.value
            if key in ("$and", "$or") and isinstance(value, (cst.List, cst.Tuple)) and depth < 4:
                for item in value.elements:
                    inner = self._expand(item.value, env)
                    if isinstance(inner, cst.Dict):
                        self._dict_keys(inner, env, parts, depth + 1)
            elif key is not None:
                if isinstance(value, cst.Dict) and len(value.elements) == 1 and \
                        isinstance(value.elements[0], cst.DictElement) and \
                        self.ctx.string(value.elements[0].key) in ("$eq", "$in"):
                    value = value.elements[0].value
                parts.keys.append(Key(key, value))

    def _expand(self, expr: cst.BaseExpression, env: _Env) -> cst.BaseExpression:
        """A local bound once to a literal reads as that literal (``query = {"_id": ...}``)."""
        expr = _strip(expr)
        if isinstance(expr, cst.Name) and expr.value in env and len(env[expr.value].exprs) == 1:
            return _strip(env[expr.value].exprs[0][0])
        return expr

    def _column(self, expr: cst.BaseExpression) -> str | None:
        """``Note.owner_id`` or ``notes.c.owner_id``: the column a condition constrains."""
        if not isinstance(expr, cst.Attribute):
            return None
        base = expr.value
        if isinstance(base, cst.Attribute) and base.attr.value == "c":
            return expr.attr.value
        if self._looks_like_model(base):
            return expr.attr.value
        return None

    @staticmethod
    def _looks_like_model(expr: cst.BaseExpression) -> bool:
        name = _tail(expr)
        return bool(name) and name[0].isupper() and not name.isupper()  # type: ignore[index]

    @staticmethod
    def _is_session_like(expr: cst.BaseExpression) -> bool:
        text = (_tail(expr) or "").lower()
        return any(w in text for w in ("session", "db", "sess", "conn", "uow", "orm")) or text in ("s", "tx")

    def _add_model(self, expr: cst.BaseExpression, parts: _Parts) -> None:
        name = _tail(expr)
        if name and name[0].isupper():
            parts.models.append(name)

    def _collection_name(self, receiver: cst.BaseExpression) -> str:
        if isinstance(receiver, cst.Subscript):
            return self._subscript_key(receiver) or self.ctx.code(receiver)
        return _tail(receiver) or self.ctx.code(receiver)

    # --- scoping ----------------------------------------------------------------------
    def scoped_to_user(self, node: cst.CSTNode | Load) -> bool:
        """Is the load constrained to the caller, or is its result checked against the caller before use?"""
        load = node if isinstance(node, Load) else self.load(node)
        if load is None:
            return False
        key = id(load.call)  # tree nodes live as long as the flow; on-the-fly Load objects may not
        if key not in self._scoped_cache:
            self._scoped_cache[key] = False  # a load anchored on itself is not scoped
            self._scoped_cache[key] = self._scoped(load)
        return self._scoped_cache[key]

    def _scoped(self, load: Load) -> bool:
        env = self._snapshots[load.unit] if load.unit >= 0 else self._final
        if load.principal_root or self._through_scoped_queryset(load):
            return True
        for expr in [*load.filters, *(k.value for k in load.keys)]:
            if self._mentions_principal(expr, env):
                return True
        if self._anchored(load, env):
            return True
        if self._keys_checked(load, env):
            return True
        return self._checked_after(load)

    def _mentions_principal(self, expr: cst.BaseExpression, env: _Env) -> bool:
        for node in [expr, *walk(expr)]:
            if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) and \
                    self._principal(node, env) is not None:
                return True
        return False

    def _anchored(self, load: Load, env: _Env) -> bool:
        """``Task.query.filter_by(id=tid, project_id=project.id)`` or ``project.tasks`` after ``project`` was checked."""
        names = set(load.anchors)
        for key in load.keys:
            names |= names_in(key.value)
        for name in names:
            for index in env.get(name, _UNBOUND).loads:
                other = self.loads[index]
                if other is not load and self.scoped_to_user(other):
                    return True
        return False

    def _through_scoped_queryset(self, load: Load) -> bool:
        """DRF ``self.get_queryset().get(pk=pk)`` where the view's ``get_queryset`` filters by the user."""
        uses = any(isinstance(c.func, cst.Attribute) and c.func.attr.value == "get_queryset" for c in
                   (n for n in walk(load.call) if isinstance(n, cst.Call))) or \
            (isinstance(load.call.func, cst.Attribute) and load.call.func.attr.value == "get_queryset")
        if not uses:
            return False
        for node in walk(self.ctx.module):
            if isinstance(node, cst.ClassDef) and any(s is self.function for s in node.body.body):
                for statement in node.body.body:
                    if isinstance(statement, cst.FunctionDef) and statement.name.value == "get_queryset":
                        inner = HandlerFlow.build(self.ctx, statement, self.framework, frozenset())
                        return any(inner._mentions_principal(u, s)  # type: ignore[arg-type]
                                   for u, s in zip(inner._units, inner._snapshots, strict=False))
        return False

    def _keys_checked(self, load: Load, env: _Env) -> bool:
        """``if user_id != current_user.id: abort(403)`` anywhere in the handler covers a load keyed by it."""
        names: set[str] = set()
        for key in self.client_keys(load):  # the client-data locals the keys read (not ``request`` itself)
            names |= {n for n in names_in(key.value) if env.get(n, _UNBOUND).client is not None}
        return bool(names) and self._check_mentioning(names, 0)

    def _checked_after(self, load: Load) -> bool:
        """``if note.owner_id != current_user.id: abort(404)`` or ``require_owner(note)`` after the load."""
        names = set(load.targets)
        return bool(names) and self._check_mentioning(names, load.unit + 1)

    def _check_mentioning(self, names: set[str], start: int) -> bool:
        for other in self.loads:
            # Membership.query.filter_by(project_id=project.id, user_id=current_user.id).first_or_404(), or tested
            if other.unit >= start and self._stops_or_tested(other) \
                    and (other.anchors | {n for k in other.keys for n in names_in(k.value)}) & names \
                    and any(self._mentions_principal(k.value, self._snapshots[other.unit]) for k in other.keys):
                return True
        for index in range(start, len(self._units)):
            unit, env = self._units[index], self._snapshots[index]
            for node in [unit, *walk(unit)]:
                if isinstance(node, cst.Comparison) and self._compares_to_principal(node, names, env):
                    return True
                if isinstance(node, cst.Call) and self._is_check_call(node, names, env):
                    return True
        return False

    def _stops_or_tested(self, load: Load) -> bool:
        """A lookup that raises when nothing matches, or whose result an ``if``/``assert`` tests."""
        method = _tail(load.call.func) or ""
        if method in ("first_or_404", "one_or_404", "get_or_404", "one", "scalar_one", "get", "aget",
                      "get_object_or_404", "aget_object_or_404", "exists", "aexists"):
            return True
        unit = self._units[load.unit]
        if isinstance(unit, cst.Assert) or not isinstance(unit, cst.BaseSmallStatement):
            return True  # ``if not Membership.objects.filter(...).exists():`` (a compound statement's test)
        return any(self._check_tested(name, load.unit) for name in load.targets)

    def _check_tested(self, name: str, start: int) -> bool:
        for index in range(start + 1, len(self._units)):
            unit = self._units[index]
            if not isinstance(unit, cst.BaseSmallStatement) and name in names_in(unit):
                return True
        return False

    def _compares_to_principal(self, node: cst.Comparison, names: set[str], env: _Env) -> bool:
        operands = [node.left, *(c.comparator for c in node.comparisons)]
        for i, first in enumerate(operands):
            if not names_in(first) & names:
                continue
            for j, second in enumerate(operands):
                if i != j and self._mentions_principal(second, env):
                    return True
        return False

    def _is_check_call(self, call: cst.Call, names: set[str], env: _Env) -> bool:
        func = call.func
        name = _tail(func) or ""
        arg_has = any(names_in(a.value) & names for a in call.args)
        checky = _names_a_check(name)
        if checky and arg_has:
            return True  # require_owner(note), check_object_permissions(request, obj), authorize(user, "edit", doc)
        if isinstance(func, cst.Attribute):
            receiver = func.value
            args_principal = any(self._mentions_principal(a.value, env) for a in call.args)
            if names_in(receiver) & names and args_principal and (checky or name.startswith(("is_", "has_"))):
                return True  # note.is_owned_by(current_user), note.can_edit(user)
            if arg_has and self._principal(receiver, env) is not None and (checky or name.startswith(("is_", "has_"))):
                return True  # current_user.can_edit(note), request.user.has_perm("x", note)
        return False

    # --- role checks ----------------------------------------------------------------
    @property
    def role_checked(self) -> bool:
        """An inline role/permission check that denies: ``if not current_user.is_admin: abort(403)``."""
        for unit, env in zip(self._units, self._snapshots, strict=False):
            if isinstance(unit, cst.BaseExpression) and self._tests_role(unit, env) and self._denies_after(unit):
                return True
            if isinstance(unit, cst.Expr) and isinstance(unit.value, cst.Call):
                words = _words(_tail(unit.value.func) or "")
                if set(words) & {"require", "requires", "ensure", "check", "assert"} and \
                        set(words) & {"admin", "staff", "superuser", "role", "roles", "permission", "perm"}:
                    return True
        return False

    def _tests_role(self, test: cst.BaseExpression, env: _Env) -> bool:
        for node in [test, *walk(test)]:
            if isinstance(node, (cst.Attribute, cst.Call, cst.Subscript)) and \
                    self._principal(node, env) is not None:
                code = self.ctx.code(node).lower()
                if any(word in code for word in _ROLE_WORDS):
                    return True
        return False

    def _denies_after(self, test: cst.BaseExpression) -> bool:
        """The ``if`` whose test is ``test`` stops the request in its body."""
        for node in walk(self.function):
            if isinstance(node, cst.If) and node.test is test:
                for inner in walk(node.body):
                    if isinstance(inner, cst.Raise):
                        return True
                    if isinstance(inner, cst.Call) and (_tail(inner.func) or "") in _DENY_CALLS:
                        return True
                    if isinstance(inner, cst.Return) and re.search(r"40[134]|forbidden|denied|redirect",
                                                                   self.ctx.code(inner), re.I):
                        return True
        return False
