"""Vocabularies, whatever the framework: what means authentication (decorators, checks), where a request's
client data comes from, what names the principal, and how ORMs read rows (``flow.py`` reads them)."""

from __future__ import annotations

import re

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
    # Sanic (sanic-jwt, sanic-security, sanic-beskar), Tornado, Pyramid
    "sanic_jwt.protected", "sanic_jwt.decorators.protected", "sanic_jwt.scoped", "sanic_jwt.decorators.scoped",
    "sanic_security.authentication.requires_authentication", "sanic_security.authorization.require_permissions",
    "sanic_security.authorization.require_roles", "sanic_beskar.auth_required", "sanic_beskar.roles_required",
    "tornado.web.authenticated", "quart_auth.login_required",
    # GraphQL: django-graphql-jwt, graphene-django-extras, strawberry-django
    "graphql_jwt.decorators.login_required", "graphql_jwt.decorators.staff_member_required",
    "graphql_jwt.decorators.superuser_required", "graphql_jwt.decorators.permission_required",
})


ROLE_DECORATORS = frozenset({
    "flask_security.roles_required", "flask_security.roles_accepted", "flask_security.permissions_required",
    "flask_praetorian.roles_required", "django.contrib.auth.decorators.permission_required",
    "django.contrib.auth.decorators.user_passes_test", "django.contrib.admin.views.decorators.staff_member_required",
    "sanic_jwt.scoped", "sanic_jwt.decorators.scoped", "sanic_security.authorization.require_permissions",
    "sanic_security.authorization.require_roles", "sanic_beskar.roles_required",
    "graphql_jwt.decorators.staff_member_required", "graphql_jwt.decorators.superuser_required",
    "graphql_jwt.decorators.permission_required",
})


# Callables whose failure means "not authenticated" inside a body or a dependency.
AUTH_CHECK_CALLS = frozenset({
    "flask_jwt_extended.verify_jwt_in_request", "flask_jwt_extended.get_jwt_identity",
    "flask_jwt_extended.get_current_user", "flask_jwt_extended.current_user",
    "aiohttp_security.check_authorized", "aiohttp_security.check_permission",
})


# --- request sources, schemas and the principal -------------------------------------------------------------------

FLASK_REQUESTS = frozenset({
    "flask.request", "flask.globals.request", "quart.request", "quart.globals.request",
    "apiflask.request", "flask_restful.request", "flask_restx.request", "bottle.request",
    "connexion.request",
})
# Attributes of a request object that carry client data; the value is "delivers only strings".
REQUEST_SOURCES: dict[str, bool] = {
    # Flask / Werkzeug
    "args": True, "form": True, "values": True, "files": True, "cookies": True, "headers": True,
    "view_args": True, "json": False, "get_json": False, "data": False, "get_data": True, "stream": False,
    # Starlette / FastAPI (json/body/form are awaited methods)
    "query_params": True, "path_params": True, "body": True,
    # Django / DRF
    "GET": True, "POST": True, "FILES": True, "COOKIES": True, "META": True,
    # aiohttp
    "query": True, "match_info": True, "post": True, "text": True, "content": False, "rel_url": True,
    # Bottle, Pyramid (WebOb), Falcon, Sanic
    "forms": True, "params": True, "get_cookie": True, "matchdict": True, "json_body": False, "media": False,
    "get_media": False, "get_param": True, "get_param_as_int": True, "get_header": True, "raw_args": True,
    # Tornado (``self.request.arguments``; ``self.get_argument`` is read in flow.py)
    "arguments": True, "body_arguments": True, "query_arguments": True,
}
# Tornado ``RequestHandler`` methods that read the request (``self.get_argument("id")``).
TORNADO_SOURCES = frozenset({"get_argument", "get_arguments", "get_query_argument", "get_query_arguments",
                             "get_body_argument", "get_body_arguments", "get_cookie", "decode_argument"})
SCHEMA_BASES = frozenset({"BaseModel", "Schema", "ModelSchema", "SQLAlchemySchema", "SQLAlchemyAutoSchema",
                           "TypedDict", "RootModel"})
TYPE_WRAPPERS = frozenset({"Optional", "Union", "None", "List", "list", "Set", "set", "Sequence", "tuple", "Tuple",
                            "typing", "uuid", "datetime", "decimal", "pydantic", "Annotated"})
PATH_CONTAINERS = frozenset({"view_args", "path_params", "match_info", "matchdict", "path_kwargs"})
SCHEMA_ATTRS = frozenset({"validated_data", "initial_data", "cleaned_data"})
# Calls that keep client data client data (a cast changes the type, not who chose the value).
SCALAR_CASTS = frozenset({"int", "str", "float", "bool", "UUID", "ObjectId", "Decimal", "uuid4_from", "escape",
                           "secure_filename", "unquote", "unquote_plus", "b64decode", "urlsafe_b64decode"})
STRUCTURED_CASTS = frozenset({"dict", "list", "tuple", "set", "loads", "deepcopy", "copy", "MultiDict", "OrderedDict",
                               "parse_qs", "jsonable_encoder", "asdict"})
LOADER_METHODS = frozenset({"load", "loads", "validate", "parse_obj", "model_validate", "model_validate_json",
                             "parse_raw", "from_dict", "deserialize", "from_json", "from_orm", "model_construct"})
STRING_METHODS = frozenset({"strip", "lower", "upper", "lstrip", "rstrip", "title", "casefold", "encode", "decode",
                             "format", "replace", "split", "hex"})
FASTAPI_MARKERS = {"Query": "query parameter", "Path": "path parameter", "Body": "request body",
                    "Header": "header", "Cookie": "cookie", "Form": "form field", "File": "uploaded file",
                    "UploadFile": "uploaded file"}
SCALAR_TYPES = frozenset({"str", "int", "float", "bool", "UUID", "uuid.UUID", "datetime", "date", "Decimal", "bytes",
                           "EmailStr", "constr", "conint", "PositiveInt", "Literal"})
NOT_CLIENT_TYPES = ("Request", "WebSocket", "HTTPConnection", "Response", "BackgroundTasks", "Session",
                     "AsyncSession", "SecurityScopes", "Connection", "AsyncConnection", "Engine")

PRINCIPAL_QUALS = frozenset({
    "flask_login.current_user", "flask_login.utils.current_user", "flask_security.current_user",
    "flask_security.core.current_user", "flask_jwt_extended.current_user", "flask_jwt.current_identity",
    "flask_jwt_extended.get_jwt_identity", "flask_jwt_extended.get_jwt", "flask_jwt_extended.get_current_user",
    "flask_jwt_extended.get_raw_jwt", "flask_jwt_extended.decode_token", "flask_jwt_extended.utils.get_jwt_identity",
    "flask_jwt_extended.utils.get_jwt", "flask_jwt_extended.utils.get_current_user",
    "flask_praetorian.current_user", "flask_praetorian.current_user_id", "flask_praetorian.current_rolenames",
    "django.contrib.auth.get_user", "jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode",
    # aiohttp-security hands back the identity it checked; quart-auth's proxy; Sanic-JWT's claims
    "aiohttp_security.check_authorized", "aiohttp_security.authorized_userid", "quart_auth.current_user",
    "sanic_jwt.utils.extract_payload",
    # connexion keeps what the security handler returned: context["user"], context["token_info"]
    "connexion.context", "connexion.context.context",
})
PRINCIPAL_NOUNS = frozenset({"user", "superuser", "principal", "identity", "account", "member", "customer",
                              "actor", "subject", "viewer", "owner", "me", "self", "claims", "operator", "admin",
                              "staff", "uid", "userid", "sub", "employee", "tenant", "requester", "caller"})
PRINCIPAL_QUALIFIERS = frozenset({"current", "authenticated", "auth", "logged", "login", "active", "request",
                                   "requesting", "session", "verified", "jwt", "token", "me", "whoami", "require",
                                   "required"})
DEPENDENCY_WORDS = PRINCIPAL_NOUNS | frozenset({"auth", "authenticated", "current", "token", "jwt", "claims",
                                                  "principal", "identity", "login", "session_user"})
NOT_PRINCIPAL_WORDS = frozenset({"by", "valid", "or", "404", "db", "target", "other", "lookup", "find", "load",
                                  "fetch", "create", "new", "list", "all", "search"})

# --- ORM vocabulary ---------------------------------------------------------------

QUERY_ROOT_ATTRS = frozenset({"query", "objects", "_default_manager", "_base_manager", "all_objects"})
FILTER_METHODS = frozenset({"filter", "filter_by", "where", "get", "get_or_404", "aget", "first_or_404",
                             "one_or_404", "having"})
EXECUTORS = frozenset({"execute", "scalars", "scalar", "first_or_404", "one_or_404", "paginate", "exec",
                        "one_or_none", "first"})
MONGO_METHODS = frozenset({"find_one", "find", "find_one_and_update", "find_one_and_delete", "find_one_and_replace",
                            "update_one", "update_many", "delete_one", "delete_many", "replace_one",
                            "count_documents", "aggregate", "distinct"})
DJANGO_SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404", "aget_object_or_404", "aget_list_or_404"})
SELECTS = frozenset({"select", "update", "delete"})
# Methods that turn a query into an object, a list or a write; anything else leaves a lazy query.
TERMINALS = frozenset({"get", "aget", "get_or_404", "first", "one", "one_or_none", "first_or_404", "one_or_404",
                        "scalar", "scalar_one", "scalar_one_or_none", "all", "afirst", "aget_or_none", "last",
                        "update", "delete", "count", "exists", "values_list", "in_bulk", "get_or_none",
                        *MONGO_METHODS, *DJANGO_SHORTCUTS})
LOOKUP_SUFFIXES = frozenset({"exact", "iexact", "in", "eq"})
USERISH_MODELS = re.compile(r"(user|account|profile|member|customer|person|principal|staff)", re.I)
