"""The framework model: the only surface rules import to ask which endpoints a file has, which guards stand
before them, who the principal is and what data they touch. Rules never ask which framework.

Layout (CodeQL's shape: shared concepts, one module per framework):

* ``concepts``: ``Framework`` (the typed name), ``Guard``, ``Route``, ``Endpoint``.
* ``guards``: framework-neutral guard recognition (auth decorators, checks at the top of a body, project
  helpers that wrap a known guard); ``vocabulary`` and ``limiters``: the names that mean authentication or
  rate limiting whatever the framework.
* ``flask``, ``fastapi``, ``starlette``, ``aiohttp``, ``sanic``, ``ninja``, ``litestar``, ``bottle``, ``tornado``,
  ``falcon``, ``pyramid``, ``restful`` (flask-restful/restx/smorest resources), ``graphql`` (graphene,
  strawberry, ariadne), ``connexion`` (OpenAPI documents as route tables): one module per framework; ``django/`` a sub-package
  (urls, class views, DRF routers and permissions, settings).
* ``discovery``: routes that hang on app/router objects; ``endpoints``: every handler of a file, whatever
  the framework; ``handlers``: the endpoints plus functions other modules route to and view hooks.
* ``flow``: client data, the principal and loads in one handler; ``datamodel`` and ``classes``: ORM models,
  schemas, serializers and forms, and which of them hold a user's data.

What a framework module provides (the next one copies this list):

1. ``NAME``: its ``Framework`` member (add one to ``concepts.Framework``, and its ``Binding`` in
   ``concepts.BINDINGS`` when the handler receives the request or URL variables differently from Flask).
2. For frameworks whose routes hang on an object (``@app.get``): ``OWNERS``, the qualified names of the calls
   that build those objects (``"flask.Flask()"``); for decorators that are plain functions (``@get("/x")``),
   ``BARE``; optionally ``decorator_guards(ctx, call, function)`` for guards given to the decorator
   (``auth=``, ``guards=``). List the module in ``discovery._DECORATOR_FRAMEWORKS``.
3. Routes declared any other way (tables, ``add_route``, resource classes, resolvers): ``MARKER``, a regex the
   file's text must match (a file that does not use the framework pays nothing for it), and
   ``routes(ctx, owner_guards) -> list[Route]``, listed in ``discovery._TABLE_FRAMEWORKS``, with the guards
   each route carries (``guards.guard_for_decorator`` and ``guards.guards_in_body`` cover the neutral ones;
   add framework-specific ones such as permission classes in the module).
4. Request sources and auth decorators that are the framework's own: ``vocabulary`` (``REQUEST_SOURCES``,
   ``AUTH_DECORATORS``); how the handler's parameters bind: ``concepts.BINDINGS``.
5. Tests in ``tests/test_routes*.py`` and a sample app in ``tests/corpus``.
"""

from __future__ import annotations

from .aiohttp import csrf_left_out as csrf_middleware_left_out
from .classes import (
    ABSTRACT_USER_FIELDS,
    SCHEMA_LOADERS,
    ClassModel,
    Writable,
    class_assignment,
    class_attr,
    class_model,
    classes_in,
    literal_names,
    meta_class,
    model_fields_of,
    names_user_model,
    resolve_class,
    tail_text,
    unparenthesize,
    writable_info,
)
from .concepts import STATE_CHANGING, Endpoint, Framework, Guard, Route
from .datamodel import (
    holds_user_data,
    is_user_model,
    model_expressions,
    owned_by_users,
    publication_filtered,
    resolve_model,
    user_field,
)
from .discovery import ENDPOINT_HINT, file_routes, routed_elsewhere
from .django import DjangoRoute, class_attribute, class_info, discover_django
from .django.limits import DjangoLimits, django_settings
from .django.model import mentions_django
from .django.urls import url_index
from .django.views import class_member
from .endpoints import endpoint_for, endpoint_label, endpoints
from .fastapi import development_only
from .flow import CAPABILITY_KEY, HandlerFlow, Load, Origin, names_in, names_read, verifies_a_signature
from .graphql import MARKER as GRAPHQL_HINT  # resolvers are endpoints in modules that never say "request"
from .guards import definition, denies_access, guard_for_decorator, refuses
from .handlers import RouteHandler, adminish, route_handlers
from .limiters import NOT_LIMITERS, text_says_limit
from .starlette import starlette_table
from .vocabulary import AUTH_DECORATORS, PRINCIPAL_QUALS

__all__ = [
    "ABSTRACT_USER_FIELDS", "CAPABILITY_KEY", "AUTH_DECORATORS", "ENDPOINT_HINT", "GRAPHQL_HINT", "PRINCIPAL_QUALS", "SCHEMA_LOADERS", "STATE_CHANGING", "NOT_LIMITERS",
    "ClassModel", "DjangoLimits", "DjangoRoute", "Endpoint", "Framework", "Guard", "HandlerFlow", "Load", "Origin",
    "Route", "RouteHandler", "Writable",
    "adminish", "class_assignment", "class_attr", "class_attribute", "class_info", "class_member", "class_model",
    "classes_in", "csrf_middleware_left_out", "definition", "denies_access", "development_only", "discover_django", "django_settings", "endpoint_for", "endpoint_label", "endpoints",
    "file_routes", "guard_for_decorator", "mentions_django", "holds_user_data", "is_user_model", "literal_names", "meta_class",
    "model_expressions", "model_fields_of", "names_in", "names_read", "names_user_model", "owned_by_users",
    "verifies_a_signature",
    "publication_filtered", "refuses", "routed_elsewhere", "resolve_class", "resolve_model", "route_handlers", "starlette_table", "tail_text",
    "text_says_limit", "unparenthesize", "url_index", "user_field", "writable_info",
]
