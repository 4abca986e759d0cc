"""The framework model for Django and Django REST framework: views, their URLs, and their guards.

``discover_django(ctx)`` answers, for one file, the two questions ``routes.discover``
answers for Flask and FastAPI: which views are routes, and who may call them.

* A urlconf (``urlpatterns`` with ``path``/``re_path``/``url``, ``include()`` of
  modules, strings and lists, DRF routers) yields the routes it declares, each with
  its full path (``include()`` prefixes joined from the project's root urlconfs).
  Their handlers usually live in another file: ``DjangoRoute.handler_ctx`` is the
  ``FileContext`` that holds ``handler`` (``handler_path`` its file), so a rule
  reports on the handler only when ``route.handler_path == ctx.path``.
* A views module yields its views: those the project's urlconfs reach (with their
  paths), plus ``@api_view`` functions, class-based views and ViewSets (through
  their bases, project-local ones included), and functions shaped like views
  (``request`` first, returns an ``HttpResponse``/``render``/``redirect``), the
  last marked ``inferred`` (medium confidence).

Guards: Django decorators (also as ``login_required(View.as_view())`` in urls.py),
``method_decorator``, auth mixins in the MRO (ignored when a view base precedes
them, as Django then never calls their ``dispatch``), DRF permission classes with
``&``/``|`` algebra, ``@permission_classes``, ``@action(permission_classes=)``,
``get_permissions()`` branches on ``self.action``/``request.method``, the settings'
``DEFAULT_PERMISSION_CLASSES`` and ``LoginRequiredMiddleware`` (with
``@login_not_required`` opt-outs), and explicit checks at the top of a body.
Guards that cover only some methods (``IsAuthenticatedOrReadOnly``) are
``DjangoGuard``s with ``methods``; ``DjangoRoute.authenticated`` and ``role_checked``
hold only when every method of the route is covered.

Nodes of the file being analysed always come from ``ctx`` itself (the engine parses
it apart from the project), so a rule may report on them.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst

from .context import FileContext
from .routes import Guard, Route, _body_guards, _denies_access, guard_for_decorator
from .walk import walk

ALL_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNSAFE_METHODS = ALL_METHODS - SAFE_METHODS
_HANDLER_NAMES = ("get", "post", "put", "patch", "delete", "head", "options")

# DRF ViewSet actions and the method each answers, on the list and the detail URL.
ACTION_METHODS = {"list": "GET", "create": "POST", "retrieve": "GET", "update": "PUT",
                  "partial_update": "PATCH", "destroy": "DELETE"}
LIST_ACTIONS = ("list", "create")
DETAIL_ACTIONS = ("retrieve", "update", "partial_update", "destroy")
_VIEWSET_ACTIONS = {
    "ModelViewSet": tuple(ACTION_METHODS), "ReadOnlyModelViewSet": ("list", "retrieve"),
    "ListModelMixin": ("list",), "CreateModelMixin": ("create",), "RetrieveModelMixin": ("retrieve",),
    "UpdateModelMixin": ("update", "partial_update"), "DestroyModelMixin": ("destroy",),
}
# Methods that generic views answer without the class defining a handler.
_GENERIC_METHODS = {
    "TemplateView": ("GET",), "ListView": ("GET",), "DetailView": ("GET",), "RedirectView": ("GET", "POST"),
    "FormView": ("GET", "POST"), "CreateView": ("GET", "POST"), "UpdateView": ("GET", "POST"),
    "DeleteView": ("GET", "POST"), "ArchiveIndexView": ("GET",), "YearArchiveView": ("GET",),
    "MonthArchiveView": ("GET",), "WeekArchiveView": ("GET",), "DayArchiveView": ("GET",),
    "TodayArchiveView": ("GET",), "DateDetailView": ("GET",), "LoginView": ("GET", "POST"),
    "LogoutView": ("POST",), "PasswordChangeView": ("GET", "POST"),
    "ListAPIView": ("GET",), "CreateAPIView": ("POST",), "RetrieveAPIView": ("GET",), "DestroyAPIView": ("DELETE",),
    "UpdateAPIView": ("PUT", "PATCH"), "ListCreateAPIView": ("GET", "POST"),
    "RetrieveUpdateAPIView": ("GET", "PUT", "PATCH"), "RetrieveDestroyAPIView": ("GET", "DELETE"),
    "RetrieveUpdateDestroyAPIView": ("GET", "PUT", "PATCH", "DELETE"),
}
# Bases that make a class a view: Django's by module prefix, DRF's likewise.
_DJANGO_VIEW_MODULES = ("django.views", "django.contrib.auth.views", "django.contrib.admin.views")
_DRF_VIEW_MODULES = ("rest_framework.views", "rest_framework.generics", "rest_framework.viewsets")

_AUTH_MIXINS = {  # qualname -> checks a role
    "django.contrib.auth.mixins.LoginRequiredMixin": False,
    "django.contrib.auth.mixins.PermissionRequiredMixin": True,
    "braces.views.LoginRequiredMixin": False, "braces.views.PermissionRequiredMixin": True,
    "braces.views.MultiplePermissionsRequiredMixin": True, "braces.views.GroupRequiredMixin": True,
    "braces.views.SuperuserRequiredMixin": True, "braces.views.StaffuserRequiredMixin": True,
}
_TEST_MIXIN = "django.contrib.auth.mixins.UserPassesTestMixin"
_ACCESS_MIXIN = "django.contrib.auth.mixins.AccessMixin"
_METHOD_DECORATOR = "django.utils.decorators.method_decorator"
_LOGIN_NOT_REQUIRED = frozenset({
    "django.contrib.auth.decorators.login_not_required", "global_login_required.login_not_required",
    "django_require_login.decorators.public", "stronghold.decorators.public",
})
_LOGIN_MIDDLEWARE = frozenset({
    "django.contrib.auth.middleware.LoginRequiredMiddleware", "global_login_required.GlobalLoginRequiredMiddleware",
    "django_require_login.middleware.LoginRequiredMiddleware", "stronghold.middleware.LoginRequiredMiddleware",
    "login_required.middleware.LoginRequiredMiddleware",
})
_REQUIRE_METHODS = {"require_GET": ("GET",), "require_POST": ("POST",), "require_safe": ("GET", "HEAD")}
_URL_FUNCTIONS = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url",
                            "django.urls.conf.path", "django.urls.conf.re_path", "django.conf.urls.re_path"})
_INCLUDE = frozenset({"django.urls.include", "django.conf.urls.include", "django.urls.conf.include"})
_RESPONSES = ("django.http.", "django.shortcuts.render", "django.shortcuts.redirect",
              "django.shortcuts.render_to_response", "django.template.response.", "rest_framework.response.Response")
_ROLE_WORDS = ("is_staff", "is_superuser", "has_perm", "groups", "role", "admin", "is_admin", "permission")
_IDENTITY_WORDS = ("request.user", "is_authenticated", "is_anonymous", "is_staff", "is_superuser", "has_perm")

# DRF permission classes by tail of ``rest_framework.permissions.*``: (methods authenticated, methods role-checked).
_DRF_PERMISSIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "AllowAny": (frozenset(), frozenset()),
    "BasePermission": (frozenset(), frozenset()),
    "IsAuthenticated": (ALL_METHODS, frozenset()),
    "IsAuthenticatedOrReadOnly": (UNSAFE_METHODS, frozenset()),
    "IsAdminUser": (ALL_METHODS, ALL_METHODS),
    "DjangoModelPermissions": (ALL_METHODS, UNSAFE_METHODS),
    "DjangoObjectPermissions": (ALL_METHODS, UNSAFE_METHODS),
    "DjangoModelPermissionsOrAnonReadOnly": (UNSAFE_METHODS, UNSAFE_METHODS),
}


@dataclass(frozen=True)
class DjangoGuard(Guard):
    """A guard that may stop callers of some methods only (``IsAuthenticatedOrReadOnly``: unsafe ones)."""

    methods: frozenset[str] | None = None  # None: every method

    def covers(self, method: str) -> bool:
        return self.methods is None or method in self.methods


@dataclass
class DjangoRoute(Route):
    """A Django or DRF route; ``framework`` is ``django`` or ``drf``, ``owner`` the urlconf module."""

    handler_ctx: FileContext | None = field(default=None, repr=False, compare=False)
    inferred: bool = False  # found by shape alone (``request`` first, returns a response): medium confidence
    actions: dict[str, str] = field(default_factory=dict)  # method -> ViewSet action ("GET" -> "list")
    exempt: list[str] = field(default_factory=list)  # deliberate opt-outs seen: "AllowAny", "@login_not_required"
    authentication: tuple[str, ...] | None = None  # DRF authentication_classes set on the view
    settings_known: bool = False  # a settings module was found, so defaults (or their absence) are real
    root: str | None = None  # the root urlconf module ``path`` was resolved from
    permissions_declared: bool = False  # the view sets its own DRF permissions (the default does not apply)
    default_methods: tuple[str, ...] = ()  # methods left to the default when get_permissions() covers others

    @property
    def handler_path(self) -> str | None:
        return self.handler_ctx.path if self.handler_ctx is not None else None

    def _methods(self) -> tuple[str, ...]:
        return self.methods or tuple(sorted(ALL_METHODS))

    def guards_for(self, method: str) -> list[Guard]:
        return [g for g in self.guards if not isinstance(g, DjangoGuard) or g.covers(method)]

    @property
    def public_methods(self) -> tuple[str, ...]:
        return tuple(m for m in self._methods() if not self.guards_for(m))

    @property
    def authenticated(self) -> bool:
        return all(self.guards_for(m) for m in self._methods())

    @property
    def role_checked(self) -> bool:
        return all(any(g.role for g in self.guards_for(m)) for m in self._methods())


def discover_django(ctx: FileContext) -> list[DjangoRoute]:
    """The routes this file declares (a urlconf) or handles (a views module), with their guards."""
    found: list[DjangoRoute] = []
    entries = _url_index(ctx.project).entries if ctx.project is not None else _local_entries(ctx)
    module = ctx.index.module_name
    routed: set[str] = set()  # top-level names of this file's handlers that a urlconf reaches
    for entry in entries:
        if entry.owner != module and entry.handler_path != ctx.path:
            continue
        handler_ctx = ctx if entry.handler_path == ctx.path else _context_for_path(ctx, entry.handler_path)
        if handler_ctx is None:
            continue
        route = _route_for_entry(handler_ctx, entry)
        if route is not None:
            found.append(route)
            if entry.handler_path == ctx.path:
                routed.add(entry.handler_name)
    for top, route in _views_in(ctx):
        if top not in routed:
            found.append(route)
    return found


# --- url index ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _UrlEntry:
    """One URL pattern that reaches a project view, as data (nodes are re-read from the handler's file)."""

    path: str
    owner: str  # module that declares the pattern
    root: str  # root urlconf it was reached from
    handler_path: str
    handler_name: str  # top-level function or class
    kind: str = "view"  # view | list | detail | action
    member: str | None = None  # the @action method, for kind "action"
    mapping: tuple[tuple[str, str], ...] = ()  # ViewSet.as_view({"get": "list"})
    guards: tuple[Guard, ...] = ()  # wrappers in urls.py: login_required(View.as_view())
    exempt: tuple[str, ...] = ()


@dataclass
class _UrlIndex:
    entries: list[_UrlEntry]


_PROJECT_CACHE: dict[int, tuple[Any, dict[str, Any]]] = {}


def _project_cache(project: Any) -> dict[str, Any]:
    """Facts computed once per ``Project`` (keyed by identity; dropped when the project is)."""
    key = id(project)
    entry = _PROJECT_CACHE.get(key)
    if entry is None or entry[0]() is not project:
        entry = (weakref.ref(project, lambda _ref, k=key: _PROJECT_CACHE.pop(k, None)), {})
        _PROJECT_CACHE[key] = entry
    return entry[1]


def _context_for_path(ctx: FileContext, path: str) -> FileContext | None:
    return ctx.project.context_for_path(path) if ctx.project is not None else None


def _url_index(project: Any) -> _UrlIndex:
    cache = _project_cache(project)
    if "urls" not in cache:
        urlconfs = {}
        for path in project.files:
            ctx = project.context_for_path(path) if _looks_like_urlconf(path) else None
            if ctx is not None and _has_urlpatterns(ctx):
                urlconfs[ctx.index.module_name] = ctx
        for settings in settings_modules(project):
            ctx = project.context_for_module(settings.root_urlconf) if settings.root_urlconf else None
            if ctx is not None and _has_urlpatterns(ctx):
                urlconfs[ctx.index.module_name] = ctx
        included: set[str] = set()
        for ctx in urlconfs.values():
            included |= _included_modules(ctx)
        entries: list[_UrlEntry] = []
        for name, ctx in sorted(urlconfs.items()):
            if name not in included:
                entries += _walk_urlconf(ctx, "", name, set())
        cache["urls"] = _UrlIndex(entries)
    return cache["urls"]


def _local_entries(ctx: FileContext) -> list[_UrlEntry]:
    name = ctx.index.module_name
    return _walk_urlconf(ctx, "", name, set()) if _has_urlpatterns(ctx) else []


def _looks_like_urlconf(path: str) -> bool:
    return "urls" in path.replace("\\", "/").rsplit("/", 2)[-1] or "/urls/" in path.replace("\\", "/")


def _has_urlpatterns(ctx: FileContext) -> bool:
    return any(isinstance(t, cst.Name) and t.value == "urlpatterns" for t in _top_targets(ctx))


def _top_targets(ctx: FileContext) -> Iterator[cst.BaseExpression]:
    for statement in _top_statements(ctx.module):
        for small in statement.body:
            if isinstance(small, cst.Assign):
                yield from (t.target for t in small.targets)
            elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
                yield small.target


def _top_statements(module: cst.Module) -> Iterator[cst.SimpleStatementLine]:
    """Module-level simple statements, including those under ``if settings.DEBUG:`` and ``try:``."""
    stack: list[Any] = list(reversed(module.body))
    while stack:
        statement = stack.pop()
        if isinstance(statement, cst.SimpleStatementLine):
            yield statement
        elif isinstance(statement, (cst.If, cst.Try)) and isinstance(statement.body, cst.IndentedBlock):
            stack.extend(reversed(statement.body.body))


def _included_modules(ctx: FileContext) -> set[str]:
    found = set()
    for node in walk(ctx.module):
        if isinstance(node, cst.Call) and ctx.qualname(node.func) in _INCLUDE:
            target = _include_module(ctx, ctx.argument(node, "arg", 0))
            if target is not None:
                found.add(target)
    return found


def _include_module(ctx: FileContext, arg: cst.BaseExpression | None) -> str | None:
    """``include("shop.urls")``, ``include(("shop.urls", "shop"))`` or ``include(shop_urls)`` (a module)."""
    if isinstance(arg, cst.Tuple) and arg.elements:
        arg = arg.elements[0].value
    text = ctx.string(arg)
    if text is not None:
        return text
    name = ctx.qualname(arg) if isinstance(arg, (cst.Name, cst.Attribute)) else None
    if name and ctx.project is not None and ctx.project.context_for_module(name) is not None:
        return name
    return None


def _walk_urlconf(ctx: FileContext, prefix: str, root: str, seen: set[str]) -> list[_UrlEntry]:
    module = ctx.index.module_name
    if module in seen:
        return []
    seen = seen | {module}
    entries = []
    for element in _urlpatterns(ctx):
        entries += _pattern_entries(ctx, element, prefix, root, seen)
    return entries


def _urlpatterns(ctx: FileContext) -> list[cst.BaseExpression]:
    """Elements of ``urlpatterns``: assigned, ``+=``-ed, ``.append``-ed or ``.extend``-ed at module level."""
    elements: list[cst.BaseExpression] = []
    for statement in _top_statements(ctx.module):
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(_is_urlpatterns(t.target) for t in small.targets):
                elements = _expand(ctx, small.value)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and _is_urlpatterns(small.target) \
                    and small.value is not None:
                more = _expand(ctx, small.value)
                elements = more if isinstance(small, cst.AnnAssign) else elements + more
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) \
                    and isinstance(small.value.func, cst.Attribute) and _is_urlpatterns(small.value.func.value):
                method, args = small.value.func.attr.value, small.value.args
                if method in ("append", "insert") and args:
                    elements.append(args[-1].value)
                elif method == "extend" and args:
                    elements += _expand(ctx, args[0].value)
    return elements


def _is_urlpatterns(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) and target.value == "urlpatterns"


def _expand(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> list[cst.BaseExpression]:
    """The pattern expressions a list expression holds: literals, ``a + b``, names, ``router.urls``, wrappers."""
    if depth > 4:
        return []
    if isinstance(expr, (cst.List, cst.Tuple)):
        items: list[cst.BaseExpression] = []
        for element in expr.elements:
            if isinstance(element, cst.StarredElement):
                items += _expand(ctx, element.value, depth + 1)
            else:
                items.append(element.value)
        return items
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _expand(ctx, expr.left, depth + 1) + _expand(ctx, expr.right, depth + 1)
    if isinstance(expr, cst.Attribute) and expr.attr.value == "urls":
        return [expr]  # a router's patterns, resolved by _pattern_entries
    if isinstance(expr, cst.Name):
        bound = ctx.value_of(expr)
        return _expand(ctx, bound, depth + 1) if bound is not None else []
    if isinstance(expr, cst.Call):  # format_suffix_patterns([...]), i18n_patterns(*items)
        tail = (ctx.qualname(expr.func) or "").rsplit(".", 1)[-1]
        if tail in ("format_suffix_patterns", "i18n_patterns", "patterns"):
            items = []
            for arg in expr.args:
                if arg.keyword is None and not (tail == "patterns" and ctx.string(arg.value) is not None):
                    items += _expand(ctx, arg.value, depth + 1) if arg.star or tail == "format_suffix_patterns" \
                        else [arg.value]
            return items
    return []


def _join(prefix: str, pattern: str) -> str:
    """Django concatenates patterns; regex anchors of inner patterns are dropped when joining."""
    if pattern.startswith("^"):
        pattern = pattern[1:]
    if prefix.endswith("$"):
        prefix = prefix[:-1]
    return prefix + pattern


def _display(pattern: str) -> str:
    pattern = pattern[1:] if pattern.startswith("^") else pattern
    pattern = pattern[:-1] if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    return "/" + pattern.lstrip("/")


def _pattern_entries(ctx: FileContext, element: cst.BaseExpression, prefix: str, root: str,
                     seen: set[str]) -> list[_UrlEntry]:
    if isinstance(element, cst.Attribute) and element.attr.value == "urls":
        return _router_entries(ctx, element.value, prefix, root)
    if not (isinstance(element, cst.Call) and ctx.qualname(element.func) in _URL_FUNCTIONS):
        return []
    route_arg = ctx.argument(element, "route", 0)
    if route_arg is None:
        route_arg = ctx.argument(element, "regex", 0)
    pattern = ctx.string(route_arg)
    full = _join(prefix, pattern if pattern is not None else "*")
    view = ctx.argument(element, "view", 1)
    if isinstance(view, cst.Call) and ctx.qualname(view.func) in _INCLUDE:
        return _include_entries(ctx, view, full, root, seen)
    guards, exempt, view = _unwrap_view(ctx, view)
    target = _view_target(ctx, view)
    if target is None:
        return []
    handler_ctx, node, mapping = target
    return [_UrlEntry(_display(full), ctx.index.module_name, root, handler_ctx.path, node.name.value,
                      mapping=mapping, guards=tuple(guards), exempt=tuple(exempt))]


def _include_entries(ctx: FileContext, call: cst.Call, prefix: str, root: str, seen: set[str]) -> list[_UrlEntry]:
    arg = ctx.argument(call, "arg", 0)
    if isinstance(arg, cst.Tuple) and arg.elements and ctx.string(arg.elements[0].value) is None:
        arg = arg.elements[0].value  # include((patterns, "app_name"))
    if isinstance(arg, cst.Attribute) and arg.attr.value == "urls" and _router_call(ctx, arg.value) is not None:
        return _router_entries(ctx, arg.value, prefix, root)
    module = _include_module(ctx, arg)
    if module is not None:
        target = ctx.project.context_for_module(module) if ctx.project is not None else None
        return _walk_urlconf(target, prefix, root, seen) if target is not None else []
    entries = []
    for element in _expand(ctx, arg) if arg is not None else []:
        entries += _pattern_entries(ctx, element, prefix, root, seen)
    return entries


def _unwrap_view(ctx: FileContext, view: cst.BaseExpression | None) -> tuple[list[Guard], list[str], Any]:
    """``login_required(csrf_exempt(View.as_view()))`` -> the guards it applies and the view inside."""
    guards: list[Guard] = []
    exempt: list[str] = []
    for _ in range(6):
        if not (isinstance(view, cst.Call) and view.args and view.args[0].keyword is None):
            break
        if isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
            break
        name = ctx.qualname(view.func.func if isinstance(view.func, cst.Call) else view.func) or ""
        if name in _LOGIN_NOT_REQUIRED:
            exempt.append(f"@{name.rsplit('.', 1)[-1]}")
        guard = _decorator_guard(ctx, cst.Decorator(decorator=view.func))
        if guard is not None:
            guards.append(guard)
        view = view.args[0].value
    return guards, exempt, view


def _view_target(ctx: FileContext, view: Any) -> tuple[FileContext, cst.FunctionDef | cst.ClassDef,
                                                          tuple[tuple[str, str], ...]] | None:
    mapping: tuple[tuple[str, str], ...] = ()
    if isinstance(view, cst.Call) and isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
        actions = ctx.literal(ctx.argument(view, "actions", 0))
        if isinstance(actions, dict):
            mapping = tuple((str(k).upper(), str(v)) for k, v in actions.items() if isinstance(v, str))
        view = view.func.value
    elif ctx.string(view) is not None:  # url(r"^x$", "app.views.x") in old projects
        found = ctx.project.definition(ctx.string(view)) if ctx.project is not None else None
        return (found[0], found[1], ()) if found is not None else None
    found = _resolve(ctx, view)
    return (found[0], found[1], mapping) if found is not None else None


def _resolve(ctx: FileContext, expr: Any) -> tuple[FileContext, cst.FunctionDef | cst.ClassDef] | None:
    """The project function or class an expression names, in this file or another."""
    if isinstance(expr, cst.Name):
        local = ctx.index.functions.get(expr.value) or ctx.index.classes.get(expr.value)
        if local is not None and expr.value not in ctx.index.imports:
            return ctx, local
    if not isinstance(expr, (cst.Name, cst.Attribute)):
        return None
    name = ctx.qualname(expr)
    if name and ctx.project is not None:
        return ctx.project.definition(name)
    return None


# --- DRF routers ---------------------------------------------------------------------------

def _router_call(ctx: FileContext, expr: cst.BaseExpression) -> tuple[FileContext, str, cst.Call] | None:
    """The module, variable name and constructor call of a DRF router (here or imported)."""
    if isinstance(expr, cst.Name):
        bound = ctx.value_of(expr)
        if isinstance(bound, cst.Call) and _is_router(ctx.qualname(bound.func) or ""):
            return ctx, expr.value, bound
        imported = ctx.index.imports.get(expr.value)
        if imported and ctx.project is not None and "." in imported:
            module, _, name = imported.rpartition(".")
            other = ctx.project.context_for_module(module)
            if other is not None and other is not ctx:
                return _router_call(other, cst.Name(name))
    return None


def _is_router(name: str) -> bool:
    """DRF's routers and look-alikes (``ExtendedDefaultRouter``); nested routers' paths need their parent, skipped."""
    tail = name.rsplit(".", 1)[-1]
    return tail.endswith(("DefaultRouter", "SimpleRouter")) and "Nested" not in tail


def _router_entries(ctx: FileContext, expr: cst.BaseExpression, prefix: str, root: str) -> list[_UrlEntry]:
    found = _router_call(ctx, expr)
    if found is None:
        return []
    router_ctx, variable, call = found
    slash = "/" if ctx.literal(ctx.argument(call, "trailing_slash")) is not False else ""
    entries = []
    for node in walk(router_ctx.module):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "register" and isinstance(node.func.value, cst.Name)
                and node.func.value.value == variable):
            continue
        base = router_ctx.string(router_ctx.argument(node, "prefix", 0))
        target = _resolve(router_ctx, router_ctx.argument(node, "viewset", 1))
        if target is None or not isinstance(target[1], cst.ClassDef):
            continue
        handler_ctx, cls = target
        info = class_info(handler_ctx, cls)
        lookup = _class_string(info, "lookup_field") or "pk"
        lookup = _class_string(info, "lookup_url_kwarg") or lookup
        collection = _join(prefix, f"{base if base is not None else '*'}{slash}")
        detail = _join(prefix, f"{base if base is not None else '*'}/<{lookup}>{slash}")
        common = dict(owner=ctx.index.module_name, root=root, handler_path=handler_ctx.path,
                      handler_name=cls.name.value)
        entries.append(_UrlEntry(_display(collection), kind="list", **common))
        entries.append(_UrlEntry(_display(detail), kind="detail", **common))
        for method_ctx, method, action_call in _extra_actions(info):
            detail_action = method_ctx.literal(method_ctx.argument(action_call, "detail")) is True
            url_path = method_ctx.string(method_ctx.argument(action_call, "url_path")) or method.name.value
            where = detail if detail_action else collection
            if not slash:
                where += "/"
            entries.append(_UrlEntry(_display(f"{where}{url_path}{slash}"), kind="action",
                                     member=method.name.value, **common))
    return entries


def _extra_actions(info: ClassInfo) -> Iterator[tuple[FileContext, cst.FunctionDef, cst.Call]]:
    """``@action(detail=..., methods=[...])`` methods (and the older ``detail_route``/``list_route``)."""
    seen: set[str] = set()
    for ctx, cls in info.chain:
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value not in seen:
                seen.add(statement.name.value)
                call = _action_decorator(ctx, statement)
                if call is not None:
                    yield ctx, statement, call


def _action_decorator(ctx: FileContext, function: cst.FunctionDef) -> cst.Call | None:
    for decorator in function.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) in (
                "rest_framework.decorators.action", "rest_framework.decorators.detail_route",
                "rest_framework.decorators.list_route"):
            if ctx.qualname(expr.func) == "rest_framework.decorators.detail_route":
                return expr.with_changes(args=[*expr.args, cst.Arg(cst.Name("True"), keyword=cst.Name("detail"))])
            return expr
    return None


# --- class views -------------------------------------------------------------------------------

@dataclass
class ClassInfo:
    """A class view's project classes in MRO order and its outside bases in the order met."""

    ctx: FileContext
    node: cst.ClassDef
    chain: list[tuple[FileContext, cst.ClassDef]]
    external: list[str]

    def tails(self) -> list[str]:
        return [name.rsplit(".", 1)[-1] for name in self.external]

    @property
    def drf(self) -> bool:
        return any(n.startswith("rest_framework.") for n in self.external) or \
            (_uses_django(self.ctx) and any(t.endswith(("APIView", "ViewSet")) for t in self.tails()))

    @property
    def viewset(self) -> bool:
        return any(t.endswith("ViewSet") or t == "ViewSetMixin" for t in self.tails())

    @property
    def is_view(self) -> bool:
        """Django/DRF view bases by qualname; by name only when the bases cannot be resolved in a Django module."""
        if any(_is_view_base(n) for n in self.external):
            return True
        return _uses_django(self.ctx) and any("." not in n and n.endswith(("View", "ViewSet")) for n in self.external)


def _is_view_base(name: str) -> bool:
    return name.startswith(_DJANGO_VIEW_MODULES + _DRF_VIEW_MODULES) or (
        name.startswith("braces.views.") and name.endswith("View"))


def _uses_django(ctx: FileContext) -> bool:
    """A module that imports Django or DRF (star imports included, which the index does not record)."""
    if "uses_django" not in ctx.cache:
        text = ctx.source.text
        ctx.cache["uses_django"] = "django" in text or "rest_framework" in text
    return bool(ctx.cache["uses_django"])


def class_info(ctx: FileContext, cls: cst.ClassDef) -> ClassInfo:
    info = ClassInfo(ctx, cls, [], [])
    _linearize(ctx, cls, info, 0)
    return info


def _linearize(ctx: FileContext, cls: cst.ClassDef, info: ClassInfo, depth: int) -> None:
    """Depth-first, left to right: close enough to C3 for deciding which base's ``dispatch`` runs first."""
    if depth > 8 or any(node is cls for _, node in info.chain):
        return
    info.chain.append((ctx, cls))
    for base in cls.bases:
        if base.keyword is not None:
            continue
        found = _resolve(ctx, base.value)
        if found is not None and isinstance(found[1], cst.ClassDef):
            _linearize(found[0], found[1], info, depth + 1)
        else:
            name = ctx.qualname(base.value) or ctx.dotted_name(base.value) or ctx.code(base.value)
            if name not in info.external:
                info.external.append(name)


def _class_member(info: ClassInfo, name: str) -> tuple[FileContext, cst.FunctionDef] | None:
    for ctx, cls in info.chain:
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                return ctx, statement
    return None


def class_attribute(info: ClassInfo, name: str) -> tuple[FileContext, cst.BaseExpression] | None:
    for ctx, cls in info.chain:
        for statement in cls.body.body:
            # ``class V(ViewSet): queryset = ...; permission_classes = [...]`` has its statements inline
            smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else \
                [statement] if isinstance(statement, cst.BaseSmallStatement) else []
            for small in smalls:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets):
                    return ctx, small.value
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) \
                        and small.target.value == name and small.value is not None:
                    return ctx, small.value
    return None


def _class_string(info: ClassInfo, name: str) -> str | None:
    found = class_attribute(info, name)
    return found[0].string(found[1]) if found is not None else None


def _class_methods(info: ClassInfo) -> tuple[str, ...]:
    methods = {name.upper() for name in _HANDLER_NAMES if _class_member(info, name) is not None}
    for tail in info.tails():
        methods |= set(_GENERIC_METHODS.get(tail, ()))
    listed = class_attribute(info, "http_method_names")
    if listed is not None:
        allowed = listed[0].literal(listed[1])
        if isinstance(allowed, (list, tuple)):
            methods &= {str(m).upper() for m in allowed}
    return tuple(m for m in (n.upper() for n in _HANDLER_NAMES) if m in methods)


def viewset_actions(info: ClassInfo) -> tuple[str, ...]:
    """The standard actions a ViewSet answers: from its bases and the action methods it defines."""
    actions: set[str] = set()
    for tail in info.tails():
        actions |= set(_VIEWSET_ACTIONS.get(tail, ()))
    actions |= {a for a in ACTION_METHODS if _class_member(info, a) is not None}
    return tuple(a for a in ACTION_METHODS if a in actions)


def method_handler(route: DjangoRoute, method: str) -> cst.FunctionDef | None:
    """The function that answers ``method`` on a route: the function view, the action or the handler method."""
    if isinstance(route.handler, cst.FunctionDef):
        return route.handler
    if route.handler_ctx is None:
        return None
    info = class_info(route.handler_ctx, route.handler)
    name = route.actions.get(method, method.lower())
    found = _class_member(info, name)
    return found[1] if found is not None else None


# --- building routes ---------------------------------------------------------------------------

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
    if not _uses_django(ctx):
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
    route = DjangoRoute("drf" if api_view is not None else "django", methods, path, function, None,
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


def _mentions_role(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _ROLE_WORDS)


def body_guards(ctx: FileContext, function: cst.FunctionDef) -> list[Guard]:
    """``if not request.user.is_authenticated: return redirect(...)`` / ``raise PermissionDenied`` first in a body."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    for statement in list(body)[:5]:
        if isinstance(statement, cst.If):
            test = ctx.code(statement.test)
            if any(word in test for word in _IDENTITY_WORDS) and not _admits_users(test) \
                    and _denies(ctx, statement.body):
                return [Guard("check", f"if {test}: ...", role=_mentions_role(test.replace("permission", "")))]
    return _body_guards(ctx, function)


def _admits_users(test: str) -> bool:
    """``if request.user.is_authenticated: return redirect(...)`` sends signed-in users away (a login page)."""
    return "is_authenticated" in test and "not " not in test and "False" not in test


def _denies(ctx: FileContext, block: cst.BaseSuite) -> bool:
    for node in walk(block):
        if isinstance(node, cst.Call):
            name = ctx.qualname(node.func) or ctx.dotted_name(node.func) or ""
            tail = name.rsplit(".", 1)[-1]
            if _denies_access(ctx, node) or tail in (
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
    route = DjangoRoute("drf" if info.drf else "django", methods, path, cls, None, handler_ctx=ctx,
                        actions=dict(actions or {}))
    _add_class_guards(info, route)
    if info.drf:
        route.authentication = _authentication(info)
        per_method = {m: _permissions_for(info, m, route.actions.get(m)) for m in route._methods()}
        _add_method_coverage(route, per_method, "route")
    return route


def _action_route(ctx: FileContext, info: ClassInfo, member: str, path: str | None) -> DjangoRoute | None:
    found = _class_member(info, member)
    if found is None:
        return None
    method_ctx, function = found
    call = _action_decorator(method_ctx, function)
    listed = method_ctx.literal(method_ctx.argument(call, "methods")) if call is not None else None
    methods = tuple(str(m).upper() for m in listed) if isinstance(listed, (list, tuple)) else ("GET",)
    route = DjangoRoute("drf", methods, path, function, None, handler_ctx=method_ctx,
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
    dispatch = _class_member(info, "dispatch")
    if dispatch is not None:
        dctx, function = dispatch
        for decorator in function.decorators:
            guards, exempt = _method_decorator(dctx, decorator.decorator, "dispatch")
            route.guards += guards
            route.exempt += exempt
        route.guards += body_guards(dctx, function)
    for method in route.methods:
        handler = _class_member(info, route.actions.get(method, method.lower()))
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
            test = _class_member(info, "test_func")
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
    dispatch = _class_member(info, "dispatch")
    if dispatch is None:
        return None
    ctx, function = dispatch
    if any(isinstance(n, cst.Call) and (ctx.dotted_name(n.func) or "").endswith("handle_no_permission")
           for n in walk(function)) or _denies(ctx, function.body):
        for cctx, cls in info.chain:
            if any(s is function for s in cls.body.body):
                return cls.name.value
    return None


def _dispatch_text(info: ClassInfo) -> str:
    dispatch = _class_member(info, "dispatch")
    return dispatch[0].code(dispatch[1].body) if dispatch is not None else ""


# --- DRF permissions ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """Which methods a permission set authenticates, and which it role-checks; ``names`` for messages."""

    auth: frozenset[str]
    role: frozenset[str]
    names: tuple[str, ...]
    allow_any: bool = False  # AllowAny (or an empty list) written on purpose

    def both(self, other: "Coverage") -> "Coverage":  # all must pass: A & B, [A, B]
        return Coverage(self.auth | other.auth, self.role | other.role, self.names + other.names,
                        self.allow_any and other.allow_any)

    def either(self, other: "Coverage") -> "Coverage":  # one suffices: A | B
        return Coverage(self.auth & other.auth, self.role & other.role, self.names + other.names,
                        self.allow_any or other.allow_any)


_NONE = Coverage(frozenset(), frozenset(), (), True)
_UNKNOWN_LIST = Coverage(ALL_METHODS, frozenset(), ("permission_classes",))


def _permission_list(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> Coverage:
    """A ``permission_classes`` value: every class in it must pass."""
    if isinstance(expr, cst.Name) and depth < 3:
        bound = ctx.value_of(expr)
        if bound is not None:
            return _permission_list(ctx, bound, depth + 1)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _permission_list(ctx, expr.left, depth + 1).both(_permission_list(ctx, expr.right, depth + 1))
    if not isinstance(expr, (cst.List, cst.Tuple)):
        return _UNKNOWN_LIST  # built elsewhere: assume it guards rather than report a false positive
    coverage = Coverage(frozenset(), frozenset(), (), True)
    for element in expr.elements:
        coverage = coverage.both(permission_coverage(ctx, element.value))
    return coverage


def permission_coverage(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> Coverage:
    """One permission expression: a class, an instance, ``A & B``, ``A | B``."""
    if isinstance(expr, cst.BinaryOperation) and depth < 8:
        left, right = permission_coverage(ctx, expr.left, depth + 1), permission_coverage(ctx, expr.right, depth + 1)
        if isinstance(expr.operator, cst.BitAnd):
            return left.both(right)
        if isinstance(expr.operator, cst.BitOr):
            return left.either(right)
    if isinstance(expr, cst.UnaryOperation):  # ~A: what it lets through is unclear
        return Coverage(frozenset(), frozenset(), (ctx.code(expr),))
    if isinstance(expr, cst.Call):
        expr = expr.func
    name = ctx.qualname(expr) or ctx.dotted_name(expr) or ctx.code(expr)
    return _class_coverage(ctx, expr, name, depth)


def _qualified_coverage(ctx: FileContext | None, name: str, depth: int = 0) -> Coverage:
    """A permission named by a dotted string (settings) or a qualname."""
    if ctx is not None and ctx.project is not None:
        found = ctx.project.definition(name)
        if found is not None and isinstance(found[1], cst.ClassDef):
            return _custom_coverage(class_info(*found), name.rsplit(".", 1)[-1], depth)
    return _known_coverage(name)


def _class_coverage(ctx: FileContext, expr: cst.BaseExpression, name: str, depth: int) -> Coverage:
    found = _resolve(ctx, expr)
    if found is not None and isinstance(found[1], cst.ClassDef) and depth < 6:
        return _custom_coverage(class_info(*found), ctx.code(expr), depth)
    return _known_coverage(name)


def _known_coverage(name: str) -> Coverage:
    tail = name.rsplit(".", 1)[-1]
    if name.startswith("rest_framework.permissions.") and tail in _DRF_PERMISSIONS:
        auth, role = _DRF_PERMISSIONS[tail]
        return Coverage(auth, role, (tail,), tail == "AllowAny")
    if "AllowAny" in tail or tail.lower() in ("public", "ispublic"):
        return Coverage(frozenset(), frozenset(), (tail,), True)
    # A class from a package we cannot read: its name is the only evidence, and reporting
    # a guarded route as open costs more than missing one; count it as authentication.
    role = ALL_METHODS if _mentions_role(tail) else frozenset()
    return Coverage(ALL_METHODS, role, (tail,))


def _custom_coverage(info: ClassInfo, label: str, depth: int) -> Coverage:
    """A project ``BasePermission`` subclass, judged by its ``has_permission``."""
    found = _class_member(info, "has_permission")
    if found is None:  # inherited from a known class, or only object-level checks (no view-level guard)
        for name in info.external:
            if name.rsplit(".", 1)[-1] not in ("BasePermission", "object") and not name.startswith("builtins."):
                return replace(_known_coverage(name), names=(label,))
        return Coverage(frozenset(), frozenset(), (label,))
    ctx, function = found
    statements = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    body = "".join(ctx.code(s) for s in statements)
    if _always_true(ctx, function):
        return Coverage(frozenset(), frozenset(), (label,))
    methods = UNSAFE_METHODS if "SAFE_METHODS" in body or '"GET"' in body or "'GET'" in body else ALL_METHODS
    role = methods if _mentions_role(body.replace("has_permission", "")) else frozenset()
    return Coverage(methods, role, (label,))


def _always_true(ctx: FileContext, function: cst.FunctionDef) -> bool:
    returns = [n for n in walk(function) if isinstance(n, cst.Return)]
    return bool(returns) and all(ctx.literal(r.value) is True for r in returns)


def _permissions_for(info: ClassInfo, method: str, action: str | None) -> Coverage | None:
    """The permissions a DRF view applies to one method/action; None when the settings' default applies."""
    override = _class_member(info, "get_permissions")
    declared = class_attribute(info, "permission_classes")
    base = _permission_list(*declared) if declared is not None else None
    if override is not None:
        return _get_permissions(override[0], override[1], method, action, base)
    return base


def _get_permissions(ctx: FileContext, function: cst.FunctionDef, method: str, action: str | None,
                     base: Coverage | None) -> Coverage | None:
    """Follow ``if self.action in (...)``/``if self.request.method in SAFE_METHODS`` branches to a return."""
    body = list(function.body.body) if isinstance(function.body, cst.IndentedBlock) else []
    outcome = _branch(ctx, body, method, action, base)
    if outcome is not None:
        return outcome[1]
    # Could not follow: the weakest of every list it may return, so nothing is called open that is not.
    options = [_permission_list(ctx, n.value) for n in walk(function)
               if isinstance(n, cst.Return) and isinstance(n.value, (cst.List, cst.Tuple))]
    if not options:
        return Coverage(ALL_METHODS, frozenset(), ("get_permissions()",))
    weakest = options[0]
    for option in options[1:]:
        weakest = weakest.either(option)
    return weakest


def _branch(ctx: FileContext, statements: list[Any], method: str, action: str | None,
            current: Coverage | None) -> tuple[bool, Coverage | None] | None:
    """(returned, coverage) for this method/action: what a return gives, or the permissions assigned on
    falling through; None when a condition or statement cannot be followed."""
    for statement in statements:
        if isinstance(statement, cst.If):
            taken = _condition(ctx, statement.test, method, action)
            if taken is None:
                return None
            block = statement.body if taken else statement.orelse
            if block is None:
                continue
            inner = [block] if isinstance(block, cst.If) else \
                list(block.body.body) if isinstance(block, cst.Else) and isinstance(block.body, cst.IndentedBlock) \
                else list(block.body) if isinstance(block, cst.IndentedBlock) else []
            outcome = _branch(ctx, inner, method, action, current)
            if outcome is None or outcome[0]:
                return outcome
            current = outcome[1]
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    current = _assigned_permissions(ctx, [statement]) or current
                elif isinstance(small, cst.Return) and small.value is not None:
                    return True, _returned(ctx, small.value, current)
        else:
            return None
    return False, current


def _assigned_permissions(ctx: FileContext, block: list[Any]) -> Coverage | None:
    for statement in block:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                        (ctx.dotted_name(t.target) or "").endswith("permission_classes") for t in small.targets):
                    return _permission_list(ctx, small.value)
    return None


def _returned(ctx: FileContext, value: cst.BaseExpression, current: Coverage | None) -> Coverage | None:
    if isinstance(value, (cst.List, cst.Tuple)):
        return _permission_list(ctx, value)
    code = ctx.code(value)
    if "permission_classes" in code or "super()" in code:
        return current  # [p() for p in self.permission_classes], super().get_permissions()
    return Coverage(ALL_METHODS, frozenset(), (code,))


def _condition(ctx: FileContext, test: cst.BaseExpression, method: str, action: str | None) -> bool | None:
    """Whether ``self.action in (...)``/``== "x"``/``request.method in SAFE_METHODS`` holds for this call."""
    if isinstance(test, cst.BooleanOperation):
        left = _condition(ctx, test.left, method, action)
        right = _condition(ctx, test.right, method, action)
        if left is None or right is None:
            return None
        return (left or right) if isinstance(test.operator, cst.Or) else (left and right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _condition(ctx, test.expression, method, action)
        return None if inner is None else not inner
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    subject = ctx.dotted_name(test.left) or ""
    operator = test.comparisons[0].operator
    other = test.comparisons[0].comparator
    if subject.endswith(".action"):
        value = action
    elif subject.endswith("request.method"):
        value = method
    else:
        return None
    if (ctx.dotted_name(other) or "").endswith("SAFE_METHODS"):
        options: Any = SAFE_METHODS
    else:
        options = ctx.literal(other)
    if isinstance(operator, (cst.In, cst.NotIn)) and isinstance(options, (list, tuple, frozenset, set)):
        hit = value in {str(o) if subject.endswith(".action") else str(o).upper() for o in options}
        return hit if isinstance(operator, cst.In) else not hit
    if isinstance(operator, (cst.Equal, cst.NotEqual)) and isinstance(options, str):
        hit = value == (options if subject.endswith(".action") else options.upper())
        return hit if isinstance(operator, cst.Equal) else not hit
    return None


def _decorated_permissions(ctx: FileContext, function: cst.FunctionDef) -> Coverage | None:
    for decorator in function.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) == "rest_framework.decorators.permission_classes":
            listed = ctx.argument(expr, "permission_classes", 0)
            return _permission_list(ctx, listed) if listed is not None else None
    return None


def _decorated_authentication(ctx: FileContext, function: cst.FunctionDef) -> tuple[str, ...] | None:
    for decorator in function.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) == \
                "rest_framework.decorators.authentication_classes":
            return _names(ctx, ctx.argument(expr, "authentication_classes", 0))
    return None


def _authentication(info: ClassInfo) -> tuple[str, ...] | None:
    found = class_attribute(info, "authentication_classes")
    return _names(*found) if found is not None else None


def _names(ctx: FileContext, expr: cst.BaseExpression | None) -> tuple[str, ...]:
    if isinstance(expr, (cst.List, cst.Tuple)):
        return tuple(ctx.code(e.value) for e in expr.elements)
    return (ctx.code(expr),) if expr is not None else ()


def _add_method_coverage(route: DjangoRoute, per_method: dict[str, Coverage | None], level: str) -> None:
    """Per-method coverages as guards; methods with none of their own are left to the settings' default."""
    declared = {m: c for m, c in per_method.items() if c is not None}
    if not declared:
        return
    if len(set(declared.values())) == 1 and len(declared) == len(per_method):
        _add_permission_guards(route, next(iter(declared.values())), level)
        return
    groups: dict[Coverage, set[str]] = {}
    for method, coverage in declared.items():
        groups.setdefault(coverage, set()).add(method)
    for coverage, methods in groups.items():
        _add_permission_guards(route, coverage, level, frozenset(methods))
    route.default_methods = tuple(m for m, c in per_method.items() if c is None)


def _add_permission_guards(route: DjangoRoute, coverage: Coverage | None, level: str,
                           scope: frozenset[str] | None = None, prefix: str = "") -> None:
    """Guards for what ``coverage`` authenticates and role-checks among the route's methods (or ``scope``)."""
    if coverage is None:
        return
    if level == "route":
        route.permissions_declared = True
    methods = frozenset(route._methods()) if scope is None else scope
    name = prefix + (" & ".join(dict.fromkeys(coverage.names)) or "[]")
    auth, role = coverage.auth & methods, coverage.role & methods
    if not auth and coverage.allow_any:
        route.exempt.append(name)
    everything = frozenset(route._methods())
    # A role check implies authentication: one role guard when both cover the same methods.
    for covered, is_role in ((auth if auth != role else frozenset(), False), (role, True)):
        if covered:
            route.guards.append(DjangoGuard("permission", name, level, is_role,
                                            None if covered == everything else covered))


# --- settings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What a settings module says about access: its urlconf, login middleware and DRF defaults."""

    module: str
    root_urlconf: str | None
    login_middleware: str | None
    default_permissions: tuple[str, ...] | None  # None: unset (DRF's AllowAny)


def settings_modules(project: Any) -> list[Settings]:
    """Settings modules: those ``DJANGO_SETTINGS_MODULE`` names in manage.py/wsgi.py/asgi.py when any exist,
    else every module named ``settings``/``settings*``/``settings/*`` that no other one star-imports (a base)."""
    cache = _project_cache(project)
    if "settings" not in cache:
        names: list[str] = []
        for path in project.files:  # DJANGO_SETTINGS_MODULE first
            tail = path.replace("\\", "/").rsplit("/", 1)[-1]
            if tail in ("manage.py", "wsgi.py", "asgi.py"):
                ctx = project.context_for_path(path)
                named = _settings_module_named(ctx) if ctx is not None else None
                if named is not None and named not in names:
                    names.append(named)
        declared = set(names)
        for path in project.files:
            parts = path.replace("\\", "/").removesuffix(".py").split("/")
            if any(p == "settings" or p.startswith("settings") for p in parts) and not parts[-1].startswith("test"):
                ctx = project.context_for_path(path)
                if ctx is not None and ctx.index.module_name not in names and not ctx.is_test:
                    names.append(ctx.index.module_name)
        found: list[Settings] = []
        imports: dict[str, set[str]] = {}
        for name in names:
            ctx = project.context_for_module(name)
            if ctx is not None and _is_settings(ctx):
                found.append(_read_settings(ctx))
                imports[name] = _star_imports(ctx)
        chosen = [s for s in found if s.module in declared] or found
        bases = set().union(*(imports[s.module] for s in chosen))
        cache["settings"] = [s for s in chosen if s.module not in bases] or chosen
    return cache["settings"]


def _star_imports(ctx: FileContext) -> set[str]:
    found = set()
    for statement in _top_statements(ctx.module):
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                module = ctx.dotted_name(small.module) if small.module is not None else ""
                found.add(ctx.index._absolute(len(small.relative), module or ""))
    return found


def _settings_module_named(ctx: FileContext) -> str | None:
    for node in walk(ctx.module):
        if isinstance(node, cst.Call) and len(node.args) >= 2 and \
                ctx.string(node.args[0].value) == "DJANGO_SETTINGS_MODULE":
            return ctx.string(node.args[1].value)
        if isinstance(node, cst.Assign) and isinstance(node.targets[0].target, cst.Subscript) \
                and "DJANGO_SETTINGS_MODULE" in ctx.code(node.targets[0].target):
            return ctx.string(node.value)
    return None


def _is_settings(ctx: FileContext) -> bool:
    names = {"MIDDLEWARE", "INSTALLED_APPS", "ROOT_URLCONF", "REST_FRAMEWORK", "SECRET_KEY", "DATABASES"}
    if any(isinstance(t, cst.Name) and t.value in names for t in _top_targets(ctx)):
        return True
    return any(isinstance(s.body[0], cst.ImportFrom) and isinstance(s.body[0].names, cst.ImportStar)
               for s in _top_statements(ctx.module))


def _read_settings(ctx: FileContext) -> Settings:
    values: dict[str, Any] = {}
    collect_settings(ctx, values)
    middleware = values.get("MIDDLEWARE", values.get("MIDDLEWARE_CLASSES"))
    middleware = middleware if isinstance(middleware, (list, tuple)) else []
    login = next((m for m in middleware if isinstance(m, str) and _is_login_middleware(ctx, m)), None)
    rest = values.get("REST_FRAMEWORK")
    permissions: tuple[str, ...] | None = None
    if "REST_FRAMEWORK" in values and not isinstance(rest, dict):
        permissions = ("?",)  # built in code: unknown, taken as a guard by _known_coverage
    elif isinstance(rest, dict) and "DEFAULT_PERMISSION_CLASSES" in rest:
        defaults = rest["DEFAULT_PERMISSION_CLASSES"]
        permissions = tuple(str(d) for d in defaults) if isinstance(defaults, (list, tuple)) else ("?",)
    root = values.get("ROOT_URLCONF")
    return Settings(ctx.index.module_name, root if isinstance(root, str) else None, login, permissions)


def _is_login_middleware(ctx: FileContext, name: str) -> bool:
    if name in _LOGIN_MIDDLEWARE:
        return True
    if ctx.project is None or not name.rsplit(".", 1)[-1].endswith("LoginRequiredMiddleware"):
        return False
    found = ctx.project.definition(name)  # the project's own: trust it when it reads the user
    return found is not None and "is_authenticated" in found[0].code(found[1])


def collect_settings(ctx: FileContext, values: dict[str, Any], depth: int = 0) -> None:
    """Module-level settings of ``ctx`` into ``values``, in order, following ``from .base import *`` (later values
    win)."""
    for statement in _top_statements(ctx.module):
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar) and depth < 4 \
                    and ctx.project is not None:
                base = ctx.index._absolute(len(small.relative),
                                           ctx.dotted_name(small.module) or "" if small.module else "")
                other = ctx.project.context_for_module(base)
                if other is not None and other is not ctx:
                    collect_settings(other, values, depth + 1)
            elif isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name) and target.target.value.isupper():
                        values[target.target.value] = ctx.literal(small.value)
                    elif isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name):
                        _set_item(ctx, values, target.target, small.value)
            elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                extra = ctx.literal(small.value)
                current = values.get(small.target.value)
                if isinstance(current, (list, tuple)) and isinstance(extra, (list, tuple)):
                    values[small.target.value] = [*current, *extra]
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) \
                    and isinstance(small.value.func, cst.Attribute) and isinstance(small.value.func.value, cst.Name):
                current = values.get(small.value.func.value.value)
                args = [ctx.literal(a.value) for a in small.value.args]
                if isinstance(current, list) and small.value.func.attr.value in ("append", "insert") and args:
                    values[small.value.func.value.value] = [*current, args[-1]]


def _set_item(ctx: FileContext, values: dict[str, Any], target: cst.Subscript, value: cst.BaseExpression) -> None:
    """``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = (...)``."""
    container = values.get(target.value.value)  # type: ignore[attr-defined]
    element = target.slice[0].slice if target.slice else None
    if isinstance(container, dict) and isinstance(element, cst.Index):
        key = ctx.literal(element.value)
        if isinstance(key, str):
            container[key] = ctx.literal(value)


def _applicable_settings(ctx: FileContext, route: DjangoRoute) -> list[Settings]:
    if ctx.project is None:
        return []
    found = settings_modules(ctx.project)
    if route.root is not None:
        matching = [s for s in found if s.root_urlconf == route.root]
        if matching:
            return matching
    return found


def _apply_defaults(ctx: FileContext, route: DjangoRoute) -> None:
    """``DEFAULT_PERMISSION_CLASSES`` for DRF views without their own; ``LoginRequiredMiddleware`` for Django ones.

    With several settings modules that may serve the route, a default counts only when all of them set it.
    """
    applicable = _applicable_settings(ctx, route)
    route.settings_known = bool(applicable)
    if not applicable:
        return
    if route.framework == "drf":
        if route.permissions_declared and not route.default_methods:
            return
        coverage: Coverage | None = None
        for settings in applicable:
            one = _NONE if settings.default_permissions is None else _settings_coverage(ctx, settings)
            coverage = one if coverage is None else coverage.either(one)
        scope = frozenset(route.default_methods) if route.default_methods else None
        _add_permission_guards(route, coverage, "app", scope, "DEFAULT_PERMISSION_CLASSES: ")
        return
    if all(s.login_middleware for s in applicable) and not any("login_not_required" in e or "public" in e
                                                               for e in route.exempt):
        tail = applicable[0].login_middleware.rsplit(".", 1)[-1]  # type: ignore[union-attr]
        route.guards.append(Guard("middleware", tail, "app"))


def _settings_coverage(ctx: FileContext, settings: Settings) -> Coverage:
    coverage = Coverage(frozenset(), frozenset(), (), True)
    settings_ctx = ctx.project.context_for_module(settings.module) if ctx.project is not None else None
    for name in settings.default_permissions or ():
        coverage = coverage.both(_qualified_coverage(settings_ctx or ctx, name))
    return coverage


def guards_by_method(route: DjangoRoute) -> dict[str, list[Guard]]:
    """Every method of the route and the guards that cover it (for messages and tests)."""
    return {m: route.guards_for(m) for m in route._methods()}


__all__ = ["DjangoGuard", "DjangoRoute", "Settings", "Coverage", "ClassInfo", "discover_django", "class_info",
           "class_attribute", "class_route", "function_route", "body_guards", "method_handler", "permission_coverage",
           "settings_modules", "collect_settings", "viewset_actions", "guards_by_method"]
