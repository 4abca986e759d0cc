"""The Django route model: ``DjangoRoute``/``DjangoGuard``, the names Django and DRF give their
views, mixins and permissions, and the small lookups every other Django module uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ...context import FileContext, FileFact
from ..concepts import Guard, Route

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


IDENTITY_WORDS = ("request.user", "is_authenticated", "is_anonymous", "is_staff", "is_superuser", "has_perm")


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


def _context_for_path(ctx: FileContext, path: str) -> FileContext | None:
    return ctx.project.context_for_path(path) if ctx.project is not None else None


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


def _mentions_role(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _ROLE_WORDS)


def _names_django(ctx: FileContext) -> bool:
    text = ctx.source.text
    return "django" in text or "rest_framework" in text


_MENTIONS_DJANGO = FileFact("mentions_django", _names_django)


def mentions_django(ctx: FileContext) -> bool:
    """The file's text names Django or DRF (star imports included, which the import index does not record):
    the cheap gate before any Django-specific walk."""
    return _MENTIONS_DJANGO.get(ctx)
