"""The framework model: which functions are HTTP routes, and what guards stand in front of them.

Route rules (AR1xx) ask two questions of every route: who may call it (its
guards) and on whose data (its handler's body). This module answers the first
for Flask (app and blueprint decorators, ``add_url_rule``, ``MethodView``,
``before_request`` hooks) and FastAPI/Starlette (app/router decorators,
``Depends``/``Security`` in parameters, decorators and router/app
``dependencies=``, ``include_router(..., dependencies=...)``, ``@requires``,
``Route(...)`` lists across modules) and aiohttp (``RouteTableDef`` decorators, aiohttp-security
checks), one file at a time. Names resolve through the imports,
and the project's own guard decorators are recognised when they wrap a known
one (or are named in configuration).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from .context import FileContext
from .project import imported_definition
from .walk import walk

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Known authentication guards, by qualified name (decorators, or dependencies' callables).
AUTH_DECORATORS = frozenset({
    "flask_login.login_required", "flask_login.utils.login_required",
    "flask_jwt_extended.jwt_required", "flask_jwt_extended.view_decorators.jwt_required",
    "flask_jwt_extended.fresh_jwt_required", "flask_jwt_extended.verify_jwt_in_request",
    "flask_httpauth.HTTPBasicAuth().login_required", "flask_httpauth.HTTPTokenAuth().login_required",
    "flask_httpauth.HTTPDigestAuth().login_required", "flask_security.auth_required",
    "flask_security.login_required", "flask_security.roles_required", "flask_security.roles_accepted",
    "flask_security.permissions_required", "flask_praetorian.auth_required", "flask_praetorian.roles_required",
    "starlette.authentication.requires",
    "django.contrib.auth.decorators.login_required", "django.contrib.auth.decorators.permission_required",
    "django.contrib.auth.decorators.user_passes_test", "django.contrib.admin.views.decorators.staff_member_required",
})
ROLE_DECORATORS = frozenset({
    "flask_security.roles_required", "flask_security.roles_accepted", "flask_security.permissions_required",
    "flask_praetorian.roles_required", "django.contrib.auth.decorators.permission_required",
    "django.contrib.auth.decorators.user_passes_test", "django.contrib.admin.views.decorators.staff_member_required",
})
# Callables whose failure means "not authenticated" inside a body or a dependency.
AUTH_CHECK_CALLS = frozenset({
    "flask_jwt_extended.verify_jwt_in_request", "flask_jwt_extended.get_jwt_identity",
    "flask_jwt_extended.get_current_user", "flask_jwt_extended.current_user",
    "aiohttp_security.check_authorized", "aiohttp_security.check_permission",
})
FASTAPI_DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})


@dataclass(frozen=True)
class Guard:
    """Something that stops an unauthenticated (or unprivileged) caller before the handler's work."""

    kind: str  # decorator | dependency | hook | check | middleware | configured
    name: str  # qualified name or source text, for messages ("@login_required")
    level: str = "route"  # route | router | app
    role: bool = False  # checks a role or permission, not only identity


def route_label(methods: tuple[str, ...], path: str | None, name: str) -> str:
    """``GET|POST /notes/<id>`` for messages: the methods (``ANY``: every one) and the path, or the handler's name
    when the path is not known."""
    verbs = "|".join(methods) if methods else "ANY"
    return f"{verbs} {path}" if path else f"{verbs} {name}"


@dataclass
class Route:
    framework: str  # flask | fastapi | starlette
    methods: tuple[str, ...]
    path: str | None
    handler: cst.FunctionDef | cst.ClassDef
    owner: str | None  # the app/blueprint/router variable the route hangs on
    guards: list[Guard] = field(default_factory=list)
    view_class: cst.ClassDef | None = None  # for a method of a class-based view

    @property
    def name(self) -> str:
        if self.view_class is not None:
            return f"{self.view_class.name.value}.{self.handler.name.value}"
        return self.handler.name.value

    @property
    def label(self) -> str:
        return route_label(self.methods, self.path, self.name)

    @property
    def authenticated(self) -> bool:
        return bool(self.guards)

    @property
    def role_checked(self) -> bool:
        return any(g.role for g in self.guards)


# --- receivers ---------------------------------------------------------------------

_FLASK_OWNERS = ("flask.Flask()", "flask.Blueprint()", "flask.blueprints.Blueprint()", "quart.Quart()",
                 "quart.Blueprint()", "apiflask.APIFlask()", "apiflask.APIBlueprint()")
_AIOHTTP_OWNERS = ("aiohttp.web.RouteTableDef()", "aiohttp.web_routedef.RouteTableDef()")
_FASTAPI_OWNERS = ("fastapi.FastAPI()", "fastapi.APIRouter()", "fastapi.routing.APIRouter()", "starlette.applications.Starlette()")


def _owner_kind(ctx: FileContext, receiver: cst.BaseExpression) -> str | None:
    name = ctx.qualname(receiver)
    if name in _FLASK_OWNERS:
        return "flask"
    if name in _FASTAPI_OWNERS:
        return "fastapi" if name.startswith("fastapi") else "starlette"
    if name in _AIOHTTP_OWNERS:
        return "aiohttp"
    return None


# --- guards ------------------------------------------------------------------------

def _decorator_target(decorator: cst.Decorator) -> cst.BaseExpression:
    expr = decorator.decorator
    return expr.func if isinstance(expr, cst.Call) else expr


def guard_for_decorator(ctx: FileContext, decorator: cst.Decorator) -> Guard | None:
    target = _decorator_target(decorator)
    name = ctx.qualname(target) or ""
    text = ctx.code(target)
    written = f"@{ctx.code(decorator.decorator)}"  # as the project writes it, arguments included: fixes copy it
    configured = set(ctx.config.auth_decorators)
    if name in AUTH_DECORATORS:
        return Guard("decorator", written, role=name in ROLE_DECORATORS or _requires_scopes(ctx, decorator))
    if name in configured or text in configured or text.rsplit(".", 1)[-1] in configured:
        return Guard("configured", written, role=_looks_like_role(text))
    found = definition(ctx, target)
    if found is not None and wraps_a_guard(*found):
        return Guard("decorator", written, role=_looks_like_role(text) or _checks_role(*found))
    return None


def _requires_scopes(ctx: FileContext, decorator: cst.Decorator) -> bool:
    """Starlette's ``@requires("admin")`` / ``@requires(["authenticated", "admin"])``: a scope beyond login."""
    expr = decorator.decorator
    if not isinstance(expr, cst.Call) or ctx.qualname(expr.func) != "starlette.authentication.requires":
        return False
    scopes = ctx.literal(ctx.argument(expr, "scopes", 0))
    scopes = [scopes] if isinstance(scopes, str) else scopes if isinstance(scopes, (list, tuple)) else []
    return any(isinstance(scope, str) and scope != "authenticated" for scope in scopes)


def definition(ctx: FileContext, target: cst.BaseExpression) -> tuple[FileContext, cst.FunctionDef] | None:
    """The function a name refers to: in this file, or through the project in another module."""
    if isinstance(target, cst.Name) and target.value in ctx.index.functions:
        return ctx, ctx.index.functions[target.value]
    return imported_definition(ctx, target, cst.FunctionDef)


def wraps_a_guard(ctx: FileContext, function: cst.FunctionDef, depth: int = 0) -> bool:
    """A project decorator or dependency that applies, calls or re-raises a known guard.

    ``def admin_required(fn): @wraps(fn) @jwt_required() def inner(...)`` and a
    dependency that decodes the token and raises 401 both count.
    """
    if depth > 3:
        return False
    for node in walk(function):
        if isinstance(node, cst.Decorator) and guard_for_decorator(ctx, node) is not None:
            return True
        if isinstance(node, cst.Call):
            name = ctx.qualname(node.func) or ""
            if name in AUTH_DECORATORS or name in AUTH_CHECK_CALLS:
                return True
            if _denies_access(ctx, node):
                return True
            found = definition(ctx, node.func)
            if found is not None and found[1] is not function and wraps_a_guard(found[0], found[1], depth + 1):
                return True
    return False


_DENY_STATUSES = frozenset({401, 403})


def _denies_access(ctx: FileContext, call: cst.Call) -> bool:
    """``abort(401)``, ``HTTPException(status_code=401)``, ``raise Unauthorized()``-style calls."""
    name = ctx.qualname(call.func) or ""
    tail = name.rsplit(".", 1)[-1] if name else (ctx.dotted_name(call.func) or "").rsplit(".", 1)[-1]
    if tail in ("Unauthorized", "Forbidden", "PermissionDenied", "NotAuthenticated", "AuthenticationFailed",
                "HTTPUnauthorized", "HTTPForbidden"):
        return True
    if tail in ("abort", "HTTPException", "HTTPError"):
        status = ctx.literal(ctx.argument(call, "status_code", 0))
        if status is not None and not isinstance(status, int):
            status = ctx.literal(ctx.argument(call, "code", 0))
        if isinstance(status, int) and status in _DENY_STATUSES:
            return True
        return ctx.dotted_name(ctx.argument(call, "status_code", 0) or cst.Name("x")) in (
            "status.HTTP_401_UNAUTHORIZED", "status.HTTP_403_FORBIDDEN")
    return False


def _looks_like_role(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ("admin", "role", "staff", "superuser", "permission", "owner_or_admin"))


_ROLE_WORDS = ("is_admin", "role", "is_staff", "is_superuser", "permission", "has_perm", "scopes", "admin")


def _checks_role(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """The function refuses the caller on a role condition: ``if user.role != "admin": abort(403)``."""
    for node in walk(function):
        if isinstance(node, cst.If) and any(w in ctx.code(node.test).lower() for w in _ROLE_WORDS) \
                and _denies_in(ctx, node.body):
            return True
    return False


def guards_in_dependencies(ctx: FileContext, value: cst.BaseExpression | None, level: str) -> list[Guard]:
    """Guards in a ``dependencies=[Depends(get_current_user), ...]`` list."""
    if not isinstance(value, (cst.List, cst.Tuple)):
        return []
    guards = []
    for element in value.elements:
        guard = _dependency_guard(ctx, element.value, level)
        if guard is not None:
            guards.append(guard)
    return guards


def _dependency_guard(ctx: FileContext, expr: cst.BaseExpression, level: str) -> Guard | None:
    if not (isinstance(expr, cst.Call) and ctx.qualname(expr.func) in FASTAPI_DEPENDS):
        return None
    dependency = ctx.argument(expr, "dependency", 0)
    if dependency is None:
        return None
    text = ctx.code(dependency)
    configured = set(ctx.config.auth_dependencies)
    name = ctx.qualname(dependency) or text
    if name in configured or text in configured or text.rsplit(".", 1)[-1] in configured:
        return Guard("configured", f"Depends({text})", level, role=_looks_like_role(text))
    found = definition(ctx, dependency)
    if found is not None:
        if wraps_a_guard(*found) or _resolves_a_user(*found):
            return Guard("dependency", f"Depends({text})", level, role=_looks_like_role(text) or _checks_role(*found))
        return None
    if _named_like_auth(text):
        # Defined outside what we can see (another package); its name is the only evidence.
        return Guard("dependency", f"Depends({text})", level, role=_looks_like_role(text))
    return None


def _named_like_auth(text: str) -> bool:
    lowered = text.rsplit(".", 1)[-1].lower()
    return any(w in lowered for w in ("current_user", "current_active_user", "authenticated", "require_user",
                                      "get_user", "verify_token", "auth", "admin", "jwt", "login"))


def _resolves_a_user(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """A dependency that decodes a token or depends on another guard (``Depends(oauth2_scheme)``)."""
    for param in function.params.params + function.params.kwonly_params:
        default = param.default
        if isinstance(default, cst.Call) and ctx.qualname(default.func) in FASTAPI_DEPENDS:
            inner = ctx.argument(default, "dependency", 0)
            qual = ctx.qualname(inner) or ""
            if "OAuth2" in qual or "HTTPBearer" in qual or "APIKey" in qual or _dependency_guard(ctx, default, "route"):
                return True
    return False


_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated")


def _annotated_metadata(ctx: FileContext, annotation: cst.BaseExpression) -> list[tuple[FileContext, cst.BaseExpression]]:
    """``Annotated[T, Depends(x)]`` metadata, read where it is written: in place, or behind an alias
    (``CurrentUser = Annotated[...]``) in this module or, through the project, in another."""
    where: tuple[FileContext, cst.BaseExpression] | None = (ctx, annotation)
    if isinstance(annotation, (cst.Name, cst.Attribute)):
        alias = ctx.value_of(annotation) if isinstance(annotation, cst.Name) else None
        if alias is not None:
            where = (ctx, alias)
        elif ctx.project is not None and (name := ctx.qualname(annotation)):
            where = ctx.project.binding(name)
    if where is None:
        return []
    home, expr = where
    if isinstance(expr, cst.Subscript) and home.qualname(expr.value) in _ANNOTATED:
        return [(home, e.slice.value) for e in expr.slice[1:] if isinstance(e.slice, cst.Index)]
    return []


def _parameter_guards(ctx: FileContext, function: cst.FunctionDef) -> list[Guard]:
    guards = []
    for param in (*function.params.params, *function.params.kwonly_params):
        candidates: list[tuple[FileContext, cst.BaseExpression]] = []
        if param.default is not None:
            candidates.append((ctx, param.default))
        if param.annotation is not None:
            candidates += _annotated_metadata(ctx, param.annotation.annotation)
        for home, candidate in candidates:
            guard = _dependency_guard(home, candidate, "route")
            if guard is not None:
                guards.append(guard)
    return guards


# --- discovery -----------------------------------------------------------------------

def _route_decorator(ctx: FileContext, decorator: cst.Decorator) -> tuple[str, str | None, tuple[str, ...], cst.Call] | None:
    """(framework, path, methods, call) when ``decorator`` registers a route."""
    expr = decorator.decorator
    if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
        return None
    framework = _owner_kind(ctx, expr.func.value)
    if framework is None:
        return None
    method = expr.func.attr.value
    path = ctx.string(ctx.argument(expr, "path", 0)) or ctx.string(ctx.argument(expr, "rule", 0))
    if method in HTTP_METHODS:
        return framework, path, (method.upper(),), expr
    if method in ("route", "api_route"):
        listed = ctx.literal(ctx.argument(expr, "methods"))
        methods = tuple(m.upper() for m in listed if isinstance(m, str)) if isinstance(listed, (list, tuple)) else ("GET",)
        return framework, path, methods, expr
    return None


# A file can declare Flask/FastAPI/aiohttp routes only if its text shows one of these.
_DECLARES_ROUTES = re.compile(r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete|head|options|api_route)\(|"
                              r"add_url_rule|HTTPEndpoint")


def discover(ctx: FileContext) -> list[Route]:
    """Every route defined in this file, with the guards that stand before it."""
    cached = ctx.cache.get("routes")
    if cached is None:
        cached = ctx.cache["routes"] = _discover(ctx)
    return cached


def _discover(ctx: FileContext) -> list[Route]:
    routes: list[Route] = []
    if "starlette" in ctx.source.text:
        routes += _starlette_endpoints(ctx, set())
    if not _DECLARES_ROUTES.search(ctx.source.text):
        return routes  # the three walks below find nothing in a models, forms or settings module
    seen = {id(r.handler) for r in routes}
    owner_guards = _owner_level_guards(ctx)
    for function in _functions(ctx.module):
        if id(function) in seen:
            continue
        for decorator in function.decorators:
            found = _route_decorator(ctx, decorator)
            if found is None:
                continue
            framework, path, methods, call = found
            owner = ctx.code(call.func.value)  # type: ignore[attr-defined]
            route = Route(framework, methods, path, function, owner)
            route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
            route.guards += guards_in_dependencies(ctx, ctx.argument(call, "dependencies"), "route")
            route.guards += _parameter_guards(ctx, function)
            route.guards += owner_guards.get(owner, [])
            route.guards += _body_guards(ctx, function)
            routes.append(route)
    routes += _url_rules(ctx, owner_guards)
    return routes


_HTTP_ENDPOINT = frozenset({"starlette.endpoints.HTTPEndpoint"})
_STARLETTE_ROUTE = frozenset({"starlette.routing.Route", "starlette.routing.WebSocketRoute"})
_STARLETTE_MOUNT = frozenset({"starlette.routing.Mount", "starlette.routing.Host"})


@dataclass(frozen=True)
class StarletteEntry:
    """One ``Route(path, endpoint, methods=...)`` of a route table, with its ``Mount`` prefixes joined."""

    endpoint: str  # qualified name of the endpoint function or class
    path: str
    methods: tuple[str, ...]


def _starlette_endpoints(ctx: FileContext, seen: set[int]) -> list[Route]:
    """Endpoints named in ``Route(...)`` tables (this file's or, with a project, any module's): functions
    and ``HTTPEndpoint`` subclasses, guarded by ``@requires`` or a check in the body."""
    module = ctx.index.module_name
    table = {e.endpoint: e for e in starlette_table(ctx) if e.endpoint.rpartition(".")[0] == module}
    routes = []
    for name, function in ctx.index.functions.items():
        entry = table.get(f"{module}.{name}")
        if entry is None or id(function) in seen:
            continue
        route = Route("starlette", entry.methods or ("GET",), entry.path, function, None)
        route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
        route.guards += _body_guards(ctx, function)
        routes.append(route)
    for cls in ctx.index.classes.values():
        if not any(ctx.qualname(base.value) in _HTTP_ENDPOINT for base in cls.bases):
            continue
        entry = table.get(f"{module}.{cls.name.value}")
        for method in HTTP_METHODS:
            function = _class_method(cls, method)
            if function is None:
                continue
            route = Route("starlette", (method.upper(),), entry.path if entry else None, function, None, view_class=cls)
            route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
            route.guards += [g for d in cls.decorators if (g := guard_for_decorator(ctx, d))]
            route.guards += _body_guards(ctx, function)
            routes.append(route)
    return routes


def starlette_table(ctx: FileContext) -> list[StarletteEntry]:
    """Every Starlette route table entry of the project (built once), or of this file alone."""
    project = ctx.project
    if project is None:
        return _route_table(ctx)
    cached = project.cache.get("starlette_table")
    if cached is None:
        cached = [e for other in project.contexts_mentioning("starlette") for e in _route_table(other)]
        project.cache["starlette_table"] = cached
    return cached


def _route_table(ctx: FileContext) -> list[StarletteEntry]:
    if "Route" not in ctx.source.text:
        return []
    prefixes: dict[int, str] = {}  # id(Route or Mount call) -> the joined prefix of the Mounts around it
    calls = [n for n in walk(ctx.module) if isinstance(n, cst.Call)]
    for call in calls:  # pre-order: an outer Mount is met before the Mounts inside it
        if ctx.qualname(call.func) in _STARLETTE_MOUNT:
            prefix = prefixes.get(id(call), "") + (ctx.string(ctx.argument(call, "path", 0)) or "").rstrip("/")
            for inner in _routes_of(ctx, ctx.argument(call, "routes", 2)):
                prefixes.setdefault(id(inner), prefix)
    entries = []
    for call in calls:
        if ctx.qualname(call.func) not in _STARLETTE_ROUTE:
            continue
        endpoint = ctx.argument(call, "endpoint", 1)
        target = ctx.qualname(endpoint) if endpoint is not None else None
        path = ctx.string(ctx.argument(call, "path", 0))
        if not target or path is None:
            continue
        listed = ctx.literal(ctx.argument(call, "methods"))
        methods = tuple(str(m).upper() for m in listed) if isinstance(listed, (list, tuple)) else ()
        entries.append(StarletteEntry(target, prefixes.get(id(call), "") + path, methods))
    return entries


def _routes_of(ctx: FileContext, value: cst.BaseExpression | None) -> list[cst.Call]:
    """The calls listed in a ``routes=`` value (a list literal, or a name bound to one)."""
    if isinstance(value, cst.Name):
        value = ctx.value_of(value)
    if not isinstance(value, (cst.List, cst.Tuple)):
        return []
    return [e.value for e in value.elements if isinstance(e.value, cst.Call)]


def _functions(module: cst.Module) -> Iterator[cst.FunctionDef]:
    for node in walk(module):
        if isinstance(node, cst.FunctionDef):
            yield node


def included_router_guards(ctx: FileContext) -> dict[str, list[Guard]]:
    """``app.include_router(admin.router, dependencies=[Depends(get_admin)])`` anywhere in the project,
    by the included router's qualified name (built once per project)."""
    project = ctx.project
    if project is None:
        return {}
    cached = project.cache.get("included_router_guards")
    if cached is None:
        cached = {}
        for other in project.contexts_mentioning("include_router("):
            for node in walk(other.module):
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                        and node.func.attr.value == "include_router":
                    router = other.qualname(other.argument(node, "router", 0))
                    found = guards_in_dependencies(other, other.argument(node, "dependencies"), "router")
                    if router and found:
                        cached.setdefault(router, []).extend(found)
        project.cache["included_router_guards"] = cached
    return cached  # type: ignore[return-value]


def _owner_level_guards(ctx: FileContext) -> dict[str, list[Guard]]:
    """Guards that cover every route of an app, blueprint or router defined in this file."""
    guards: dict[str, list[Guard]] = {}
    module = ctx.index.module_name
    for router, found in included_router_guards(ctx).items():
        if router.startswith(f"{module}.") and "." not in router[len(module) + 1 :]:
            guards.setdefault(router[len(module) + 1 :], []).extend(found)
    for node in walk(ctx.module):
        # router = APIRouter(dependencies=[Depends(get_current_user)])
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name) and ctx.qualname(node.value.func) in (
                    "fastapi.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter"):
                level = "app" if ctx.qualname(node.value.func) == "fastapi.FastAPI" else "router"
                found = guards_in_dependencies(ctx, ctx.argument(node.value, "dependencies"), level)
                if found:
                    guards.setdefault(target.value, []).extend(found)
        # @bp.before_request def require_login(): if not current_user...: abort(401)
        if isinstance(node, cst.FunctionDef):
            for decorator in node.decorators:
                target = _decorator_target(decorator)
                if isinstance(target, cst.Attribute) and target.attr.value in ("before_request", "before_app_request") \
                        and _owner_kind(ctx, target.value) == "flask" and _body_guards(ctx, node):
                    level = "app" if target.attr.value == "before_app_request" else "router"
                    guards.setdefault(ctx.code(target.value), []).append(
                        Guard("hook", f"{ctx.code(target.value)}.before_request {node.name.value}()", level,
                              role=_checks_role(ctx, node)))
    return guards


def _body_guards(ctx: FileContext, function: cst.FunctionDef) -> list[Guard]:
    """An explicit check at the top of the body: ``if not current_user...: abort(401)`` or a raising helper."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    for statement in list(body)[:4]:
        if isinstance(statement, cst.If) and _tests_identity(ctx, statement.test) and _denies_in(ctx, statement.body):
            test = ctx.code(statement.test)
            return [Guard("check", f"if {test}: ...", role=any(w in test for w in _ROLE_WORDS))]
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                call = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
                if isinstance(call, cst.Await):
                    call = call.expression  # aiohttp-security: ``await check_authorized(request)``
                if isinstance(call, cst.Call):
                    name = ctx.qualname(call.func) or ""
                    found = definition(ctx, call.func)
                    if name in AUTH_CHECK_CALLS or (found is not None and wraps_a_guard(*found)):
                        role = name.endswith("check_permission") or (found is not None and _checks_role(*found))
                        return [Guard("check", f"{ctx.code(call.func)}()", role=role)]
    return []


# The principal, not any variable named user: `user = User.query.filter_by(email=...)` in a login
# route followed by `if user is None` checks credentials, it guards nothing.
_IDENTITY_WORDS = ("current_user", "is_authenticated", "is_anonymous", "g.user", "session.get(", "session[",
                   "request.user", "request.auth", "get_jwt_identity", "verify_jwt_in_request")


def _tests_identity(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """``if not current_user.is_authenticated`` / ``if g.user is None`` / ``if user.is_anonymous``: a missing user.

    The opposite test (``if current_user.is_authenticated: return redirect(...)``, sending
    signed-in users away from a login page) guards nothing.
    """
    if isinstance(test, cst.BooleanOperation):
        return _tests_identity(ctx, test.left) or _tests_identity(ctx, test.right)
    code = ctx.code(test)
    if not any(w in code for w in _IDENTITY_WORDS):
        return False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return not ("is_anonymous" in ctx.code(test.expression))
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        right = ctx.code(target.comparator)
        if isinstance(target.operator, (cst.Is, cst.Equal)) and right in ("None", "False"):
            return True
        if isinstance(target.operator, (cst.IsNot, cst.NotEqual)) and right in ("True",):
            return True
        return False
    return "is_anonymous" in code


def _denies_in(ctx: FileContext, block: cst.BaseSuite) -> bool:
    for node in walk(block):
        if isinstance(node, cst.Call) and (_denies_access(ctx, node) or
                                           (ctx.qualname(node.func) or "").endswith(("redirect", "unauthorized"))):
            return True
        if isinstance(node, cst.Return):
            code = ctx.code(node)
            if "401" in code or "403" in code or "login" in code:
                return True
    return False


def _url_rules(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    """``app.add_url_rule("/x", view_func=...)`` with functions or ``MethodView.as_view``."""
    routes = []
    for node in walk(ctx.module):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "add_url_rule" and _owner_kind(ctx, node.func.value) == "flask"):
            continue
        view = ctx.argument(node, "view_func", 2)
        handler: cst.FunctionDef | cst.ClassDef | None = None
        if isinstance(view, cst.Name):
            handler = ctx.index.functions.get(view.value)
        elif isinstance(view, cst.Call) and isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
            base = view.func.value
            handler = ctx.index.classes.get(base.value) if isinstance(base, cst.Name) else None
        if handler is None:
            continue
        owner = ctx.code(node.func.value)
        listed = ctx.literal(ctx.argument(node, "methods"))
        methods = tuple(m.upper() for m in listed if isinstance(m, str)) if isinstance(listed, (list, tuple)) else ()
        if isinstance(handler, cst.ClassDef) and not methods:
            methods = tuple(m.upper() for m in HTTP_METHODS if _class_method(handler, m))
        path = ctx.string(ctx.argument(node, "rule", 0))
        if isinstance(handler, cst.ClassDef):
            routes += _method_view_routes(ctx, handler, methods, path, owner, owner_guards.get(owner, []))
            continue
        route = Route("flask", methods, path, handler, owner)
        route.guards += owner_guards.get(owner, [])
        route.guards += [g for d in handler.decorators if (g := guard_for_decorator(ctx, d))] + _body_guards(ctx, handler)
        routes.append(route)
    return routes


def _method_view_routes(ctx: FileContext, cls: cst.ClassDef, methods: tuple[str, ...], path: str | None,
                        owner: str, inherited: list[Guard]) -> list[Route]:
    """One route per HTTP method of a class-based view, each with the class's and its own guards."""
    class_guards = _class_guards(ctx, cls)
    routes = []
    for method in methods:
        function = _class_method(cls, method.lower())
        if function is None:
            continue
        route = Route("flask", (method,), path, function, owner, view_class=cls)
        route.guards += inherited + class_guards
        route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
        route.guards += _body_guards(ctx, function)
        routes.append(route)
    return routes


def _class_method(cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def _class_guards(ctx: FileContext, cls: cst.ClassDef) -> list[Guard]:
    """``decorators = [login_required]`` on a MethodView, or checks in every handler."""
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value in ("decorators", "method_decorators")
                        for t in small.targets) and isinstance(small.value, (cst.List, cst.Tuple)):
                    guards = []
                    for element in small.value.elements:
                        fake = cst.Decorator(decorator=element.value)
                        guard = guard_for_decorator(ctx, fake)
                        if guard is not None:
                            guards.append(guard)
                    if guards:
                        return guards
    return []
