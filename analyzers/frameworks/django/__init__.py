"""The framework model for Django and Django REST framework: views, their URLs, and their guards.

``discover_django(ctx)`` answers, for one file, the two questions ``frameworks.file_routes``
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

from ...context import FileContext
from .model import DjangoGuard, DjangoRoute, _context_for_path
from .permissions import Coverage, permission_coverage
from .routes import (
    _route_for_entry,
    _views_in,
    body_guards,
    class_route,
    function_route,
)
from .settings import Settings, collect_settings, guards_by_method, settings_modules
from .urls import _local_entries, url_index
from .views import (
    ClassInfo,
    class_attribute,
    class_info,
    method_handler,
    viewset_actions,
)


def discover_django(ctx: FileContext) -> list[DjangoRoute]:
    """The routes this file declares (a urlconf) or handles (a views module), with their guards."""
    found: list[DjangoRoute] = []
    entries = url_index(ctx.project).entries if ctx.project is not None else _local_entries(ctx)
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
        # A function shaped like a view is one only if nothing routes at all here: where the project's urlconfs
        # are in sight, an unrouted `email_form(request, channel)` is a helper its routed callers guard.
        if top not in routed and not (route.inferred and entries):
            found.append(route)
    return found


__all__ = ["DjangoGuard", "DjangoRoute", "Settings", "Coverage", "ClassInfo", "discover_django", "class_info",
           "class_attribute", "class_route", "function_route", "body_guards", "method_handler", "permission_coverage",
           "settings_modules", "collect_settings", "viewset_actions", "guards_by_method"]
