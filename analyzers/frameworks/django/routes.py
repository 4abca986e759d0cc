"""Building routes: function views, class-based views and ViewSet actions, with their guards
(decorators, ``method_decorator``, auth mixins, permissions, settings defaults, checks in the body).
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ...context import FileContext
from ...walk import walk
from ..concepts import Framework, Guard
from ..guards import denies_access, guard_for_decorator, guards_in_body
from .model import (
    _ACCESS_MIXIN,
    _AUTH_MIXINS,
    _LOGIN_NOT_REQUIRED,
    _METHOD_DECORATOR,
    _REQUIRE_METHODS,
    _RESPONSES,
    _TEST_MIXIN,
    ACTION_METHODS,
    DETAIL_ACTIONS,
    IDENTITY_WORDS,
    LIST_ACTIONS,
    DjangoGuard,
    DjangoRoute,
    _mentions_role,
    _resolve,
    _UrlEntry,
    mentions_django,
)
from .permissions import (
    _add_method_coverage,
    _add_permission_guards,
    _authentication,
    _decorated_authentication,
    _decorated_permissions,
    _permission_list,
    _permissions_for,
)
from .routers import _action_decorator, _extra_actions
from .settings import _apply_defaults
from .views import (
    ClassInfo,
    _class_methods,
    _is_view_base,
    class_info,
    class_member,
    viewset_actions,
)


def _route_for_entry(ctx: FileContext, entry: _UrlEntry) -> DjangoRoute | None:
    node = ctx.index.functions.get(entry.handler_name) or ctx.index.classes.get(entry.handler_name)
    if node is None:
        return None
    if isinstance(node, cst.FunctionDef):
        route = function_route(ctx, node, entry.path)
    elif entry.kind == "action" and entry.member is not None:
        route = _action_route(ctx, class_info(ctx, node), entry.member, entry.path)
    else:
        actions: dict[str, str] | None = dict(entry.mapping) or None
        info = class_info(ctx, node)
        if entry.kind in ("list", "detail"):
            wanted = LIST_ACTIONS if entry.kind == "list" else DETAIL_ACTIONS
            actions = {ACTION_METHODS[a]: a for a in viewset_actions(info) if a in wanted}
        route = class_route(ctx, node, entry.path, actions, info)
    if route is None:
        return None
    route.owner, route.root = entry.owner, entry.root
    route.exempt += list(entry.exempt)
    route.guards = [*entry.guards, *route.guards]
    _apply_defaults(ctx, route)
    return route


def _views_in(ctx: FileContext) -> list[tuple[str, DjangoRoute]]:
    """Views defined in this file, with the top-level name each belongs to; no path (no urlconf seen)."""
    found: list[tuple[str, DjangoRoute]] = []
    if not mentions_django(ctx):
        return found
    for function in ctx.index.functions.values():
        route = function_route(ctx, function, None, require_view=True)
        if route is not None:
            _apply_defaults(ctx, route)
            found.append((function.name.value, route))
    for cls in ctx.index.classes.values():
        info = class_info(ctx, cls)
        if not info.is_view or _is_mixin_or_base(info):
            continue
        routes: list[DjangoRoute] = []
        if info.viewset:
            actions = viewset_actions(info)
            route = class_route(ctx, cls, None, {ACTION_METHODS[a]: a for a in actions if a in LIST_ACTIONS}, info)
            detail = class_route(ctx, cls, None, {ACTION_METHODS[a]: a for a in actions if a in DETAIL_ACTIONS}, info)
            routes += [r for r in (route, detail) if r is not None and r.methods]
            for _, method, _call in _extra_actions(info):
                extra = _action_route(ctx, info, method.name.value, None)
                if extra is not None:
                    routes.append(extra)
        else:
            route = class_route(ctx, cls, None, None, info)
            if route is not None:
                routes.append(route)
        for route in routes:
            _apply_defaults(ctx, route)
            found.append((cls.name.value, route))
    return found


def _is_mixin_or_base(info: ClassInfo) -> bool:
    """A project base class or mixin (``class BaseView(LoginRequiredMixin, View)`` with no handlers)."""
    name = info.node.name.value
    return name.endswith("Mixin") or (name.startswith(("Base", "Abstract")) and not _class_methods(info)
                                      and not viewset_actions(info))


def function_route(ctx: FileContext, function: cst.FunctionDef, path: str | None,
                   require_view: bool = False) -> DjangoRoute | None:
    """A function view; with ``require_view``, only when decorators or its shape say it is one."""
    api_view = _api_view(ctx, function)
    methods: tuple[str, ...] = ()
    if api_view is not None:
        listed = ctx.literal(ctx.argument(api_view, "http_method_names", 0)) if isinstance(api_view, cst.Call) else None
        methods = tuple(str(m).upper() for m in listed) if isinstance(listed, (list, tuple)) else ("GET",)
    else:
        methods = _required_methods(ctx, function)
    guards, exempt = _function_guards(ctx, function)
    inferred = False
    decorated = any(g.kind != "check" for g in guards)  # a body check alone may sit in a helper
    if require_view and api_view is None and not decorated and not exempt and not methods:
        if function.name.value.startswith("_") or not _shaped_like_view(ctx, function):
            return None
        inferred = True
    route = DjangoRoute(Framework.DRF if api_view is not None else Framework.DJANGO, methods, path, function, None,
                        handler_ctx=ctx, inferred=inferred, exempt=exempt)
    route.guards += guards
    if api_view is not None:
        coverage = _decorated_permissions(ctx, function)
        route.authentication = _decorated_authentication(ctx, function)
        _add_permission_guards(route, coverage, "route")
    return route


def _api_view(ctx: FileContext, function: cst.FunctionDef) -> cst.BaseExpression | None:
    for decorator in function.decorators:
        expr = decorator.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        if ctx.qualname(target) == "rest_framework.decorators.api_view":
            return expr
    return None


def _required_methods(ctx: FileContext, function: cst.FunctionDef) -> tuple[str, ...]:
    for decorator in function.decorators:
        expr = decorator.decorator
        name = ctx.qualname(expr.func if isinstance(expr, cst.Call) else expr) or ""
        if not name.startswith("django.views.decorators.http."):
            continue
        tail = name.rsplit(".", 1)[-1]
        if tail in _REQUIRE_METHODS:
            return _REQUIRE_METHODS[tail]
        if tail == "require_http_methods" and isinstance(expr, cst.Call):
            listed = ctx.literal(ctx.argument(expr, "request_method_list", 0))
            if isinstance(listed, (list, tuple)):
                return tuple(str(m).upper() for m in listed)
    return ()


def _shaped_like_view(ctx: FileContext, function: cst.FunctionDef) -> bool:
    params = function.params.params
    if not params or params[0].name.value not in ("request", "req"):
        return False
    for node in walk(function):
        if isinstance(node, cst.Return) and isinstance(node.value, cst.Call):
            name = ctx.qualname(node.value.func) or ""
            if name.startswith(_RESPONSES):
                return True
    return False


def _function_guards(ctx: FileContext, function: cst.FunctionDef) -> tuple[list[Guard], list[str]]:
    guards: list[Guard] = []
    exempt: list[str] = []
    for decorator in function.decorators:
        target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        if ctx.qualname(target) in _LOGIN_NOT_REQUIRED:
            exempt.append(f"@{ctx.code(target)}")
            continue
        guard = _decorator_guard(ctx, decorator)
        if guard is not None:
            guards.append(guard)
    guards += body_guards(ctx, function)
    return guards, exempt


def _decorator_guard(ctx: FileContext, decorator: cst.Decorator) -> Guard | None:
    """``routes.guard_for_decorator``, with ``user_passes_test(lambda u: u.is_authenticated)`` not a role check."""
    guard = guard_for_decorator(ctx, decorator)
    expr = decorator.decorator
    if guard is not None and guard.role and isinstance(expr, cst.Call) \
            and ctx.qualname(expr.func) == "django.contrib.auth.decorators.user_passes_test":
        test = ctx.argument(expr, "test_func", 0)
        if test is not None and not _mentions_role(ctx.code(test) if isinstance(test, cst.Lambda)
                                                   else _function_text(ctx, test)):
            return replace(guard, role=False)
    return guard


def _function_text(ctx: FileContext, expr: cst.BaseExpression) -> str:
    found = _resolve(ctx, expr)
    return found[0].code(found[1]) if found is not None else ctx.code(expr)


def body_guards(ctx: FileContext, function: cst.FunctionDef) -> list[Guard]:
    """``if not request.user.is_authenticated: return redirect(...)`` / ``raise PermissionDenied`` first in a body."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    for statement in list(body)[:5]:
        if isinstance(statement, cst.If):
            test = ctx.code(statement.test)
            if any(word in test for word in IDENTITY_WORDS) and not _admits_users(test) \
                    and _denies(ctx, statement.body):
                return [Guard("check", f"if {test}: ...", role=_mentions_role(test.replace("permission", "")))]
    return guards_in_body(ctx, function)


def _admits_users(test: str) -> bool:
    """``if request.user.is_authenticated: return redirect(...)`` sends signed-in users away (a login page)."""
    return "is_authenticated" in test and "not " not in test and "False" not in test


def _denies(ctx: FileContext, block: cst.BaseSuite) -> bool:
    for node in walk(block):
        if isinstance(node, cst.Call):
            name = ctx.qualname(node.func) or ctx.dotted_name(node.func) or ""
            tail = name.rsplit(".", 1)[-1]
            if denies_access(ctx, node) or tail in (
                    "HttpResponseForbidden", "handle_no_permission", "redirect_to_login", "redirect",
                    "HttpResponseRedirect", "HttpResponseNotFound"):
                return True
            status = ctx.literal(ctx.argument(node, "status"))
            if status in (401, 403) or "HTTP_401" in ctx.code(node) or "HTTP_403" in ctx.code(node):
                return True
        if isinstance(node, cst.Raise) and node.exc is not None:
            tail = (ctx.dotted_name(node.exc.func if isinstance(node.exc, cst.Call) else node.exc) or "")
            if tail.rsplit(".", 1)[-1] in ("Http404", "PermissionDenied", "NotAuthenticated", "NotFound"):
                return True
    return False


def class_route(ctx: FileContext, cls: cst.ClassDef, path: str | None, actions: dict[str, str] | None,
                info: ClassInfo | None = None) -> DjangoRoute | None:
    """A class-based view or a ViewSet (``actions``: method -> action, for the URL this route is)."""
    info = info or class_info(ctx, cls)
    if not info.is_view:
        return None
    methods = tuple(actions) if actions is not None else _class_methods(info)
    route = DjangoRoute(Framework.DRF if info.drf else Framework.DJANGO, methods, path, cls, None, handler_ctx=ctx,
                        actions=dict(actions or {}))
    _add_class_guards(info, route)
    if info.drf:
        route.authentication = _authentication(info)
        per_method = {m: _permissions_for(info, m, route.actions.get(m)) for m in route._methods()}
        _add_method_coverage(route, per_method, "route")
    return route


def _action_route(ctx: FileContext, info: ClassInfo, member: str, path: str | None) -> DjangoRoute | None:
    found = class_member(info, member)
    if found is None:
        return None
    method_ctx, function = found
    call = _action_decorator(method_ctx, function)
    listed = method_ctx.literal(method_ctx.argument(call, "methods")) if call is not None else None
    methods = tuple(str(m).upper() for m in listed) if isinstance(listed, (list, tuple)) else ("GET",)
    route = DjangoRoute(Framework.DRF, methods, path, function, None, handler_ctx=method_ctx,
                        actions={m: member for m in methods})
    _add_class_guards(info, route)
    override = method_ctx.argument(call, "permission_classes") if call is not None else None
    if override is not None:
        _add_permission_guards(route, _permission_list(method_ctx, override), "route")
    else:
        per_method = {m: _permissions_for(info, m, member) for m in route._methods()}
        _add_method_coverage(route, per_method, "route")
    route.authentication = _authentication(info)
    return route


def _add_class_guards(info: ClassInfo, route: DjangoRoute) -> None:
    """Mixins, ``method_decorator``s, and checks in ``dispatch`` or in the handler methods."""
    route.guards += _mixin_guards(info)
    for ctx, cls in info.chain:
        for decorator in cls.decorators:
            guards, exempt = _method_decorator(ctx, decorator.decorator, None)
            route.guards += guards
            route.exempt += exempt
    dispatch = class_member(info, "dispatch")
    if dispatch is not None:
        dctx, function = dispatch
        for decorator in function.decorators:
            guards, exempt = _method_decorator(dctx, decorator.decorator, "dispatch")
            route.guards += guards
            route.exempt += exempt
        route.guards += body_guards(dctx, function)
    for method in route.methods:
        handler = class_member(info, route.actions.get(method, method.lower()))
        if handler is None:
            continue
        hctx, function = handler
        only = frozenset({method})
        for decorator in function.decorators:
            guards, _ = _method_decorator(hctx, decorator.decorator, method.lower())
            route.guards += [_limited(g, only) for g in guards]
        route.guards += [_limited(g, only) for g in body_guards(hctx, function)]


def _limited(guard: Guard, methods: frozenset[str]) -> DjangoGuard:
    return DjangoGuard(guard.kind, guard.name, guard.level, guard.role, methods)


def _method_decorator(ctx: FileContext, expr: cst.BaseExpression, on: str | None) -> tuple[list[Guard], list[str]]:
    """``method_decorator(login_required, name="dispatch")`` on a class, or on a method (``on``)."""
    if not (isinstance(expr, cst.Call) and ctx.qualname(expr.func) == _METHOD_DECORATOR):
        return [], []
    name = ctx.string(ctx.argument(expr, "name", 1)) or on
    if name is None:
        return [], []
    inner = ctx.argument(expr, "decorator", 0)
    if isinstance(inner, cst.Name) and isinstance(ctx.value_of(inner), (cst.List, cst.Tuple)):
        inner = ctx.value_of(inner)
    items = [e.value for e in inner.elements] if isinstance(inner, (cst.List, cst.Tuple)) else [inner]
    guards: list[Guard] = []
    exempt: list[str] = []
    for item in items:
        if item is None:
            continue
        if ctx.qualname(item.func if isinstance(item, cst.Call) else item) in _LOGIN_NOT_REQUIRED:
            exempt.append(f"@{ctx.code(item)}")
            continue
        guard = _decorator_guard(ctx, cst.Decorator(decorator=item))
        if guard is None:
            continue
        if name != "dispatch":
            guard = _limited(guard, frozenset({name.upper()}))
        guards.append(guard)
    return guards, exempt


def _mixin_guards(info: ClassInfo) -> list[Guard]:
    """Auth mixins that run: Django calls the first ``dispatch`` in the MRO, so a mixin after a view base is dead."""
    guards: list[Guard] = []
    for name in info.external:
        tail = name.rsplit(".", 1)[-1]
        if _is_view_base(name) or tail.endswith(("View", "ViewSet")):
            break
        if name in _AUTH_MIXINS:
            guards.append(Guard("mixin", tail, role=_AUTH_MIXINS[name]))
        elif name == _TEST_MIXIN:
            test = class_member(info, "test_func")
            text = test[0].code(test[1]) if test is not None else ""
            guards.append(Guard("mixin", tail, role=_mentions_role(text.replace("test_func", ""))))
        elif name == _ACCESS_MIXIN:
            owner = _access_mixin_owner(info)
            if owner is not None:
                guards.append(Guard("mixin", owner, role=_mentions_role(_dispatch_text(info))))
        elif tail.endswith(("LoginRequiredMixin", "LoginRequired")) and not name.startswith("django."):
            guards.append(Guard("mixin", tail))  # third-party mixins we cannot read
    return guards


def _access_mixin_owner(info: ClassInfo) -> str | None:
    """A project ``AccessMixin`` subclass whose ``dispatch`` denies (``handle_no_permission()``)."""
    dispatch = class_member(info, "dispatch")
    if dispatch is None:
        return None
    ctx, function = dispatch
    if any(isinstance(n, cst.Call) and (ctx.dotted_name(n.func) or "").endswith("handle_no_permission")
           for n in walk(function)) or _denies(ctx, function.body):
        for _cctx, cls in info.chain:
            if any(s is function for s in cls.body.body):
                return cls.name.value
    return None


def _dispatch_text(info: ClassInfo) -> str:
    dispatch = class_member(info, "dispatch")
    return dispatch[0].code(dispatch[1].body) if dispatch is not None else ""
