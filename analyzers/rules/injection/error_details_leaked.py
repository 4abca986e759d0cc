"""AR603 error-details-leaked: exception text and tracebacks returned to the client."""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

import libcst as cst

from ... import markup
from ...context import FileContext, FileFact
from ...findings import Confidence, Severity
from ...frameworks import adminish, class_model, endpoint_for, resolve_class
from ...project import Project, ProjectFact
from ...rule import Invalid, Rule
from ...walk import children, walk
from ...words import split_words
from .._common import own_nodes, target_name

# --- AR603 ------------------------------------------------------------------------------

# Exceptions whose text is written for nobody in particular: it carries SQL, paths, hosts, library internals.
_LEAKY_BUILTINS = frozenset({
    "Exception", "BaseException", "RuntimeError", "OSError", "IOError", "EnvironmentError", "AttributeError",
    "NameError", "UnboundLocalError", "ZeroDivisionError", "ArithmeticError", "OverflowError",
    "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError",
    "TimeoutError", "FileNotFoundError", "FileExistsError", "IsADirectoryError", "NotADirectoryError",
    "MemoryError", "RecursionError", "ImportError", "ModuleNotFoundError", "SystemError", "EOFError",
    "BufferError", "ReferenceError",
})
# Not listed, as applications raise them with messages for the user: ValueError, TypeError, KeyError, LookupError,
# PermissionError, NotImplementedError, AssertionError, UnicodeError (input that does not parse).
# Libraries whose errors describe infrastructure (databases, HTTP calls, files, queues, clouds).
_INFRA_MODULES = (
    "sqlalchemy.", "flask_sqlalchemy.", "sqlmodel.", "django.db.", "psycopg2.", "psycopg.", "pymysql.", "MySQLdb.",
    "mysql.", "sqlite3.", "asyncpg.", "aiomysql.", "aiosqlite.", "aiopg.", "pymongo.", "motor.", "mongoengine.",
    "redis.", "aioredis.", "requests.", "httpx.", "urllib3.", "urllib.error.", "aiohttp.client_exceptions.",
    "aiohttp.ClientError", "aiohttp.ClientResponseError", "aiohttp.ClientConnectionError", "botocore.", "boto3.",
    "smtplib.", "socket.", "ssl.", "subprocess.", "zipfile.", "tarfile.", "shutil.", "celery.", "kombu.",
    "elasticsearch.", "pika.", "grpc.", "paramiko.", "ldap.", "ldap3.", "peewee.", "tortoise.", "databases.",
    "cassandra.", "kafka.", "confluent_kafka.", "google.api_core.", "azure.core.", "jinja2.exceptions.",
)
_INFRA_NAMES = frozenset({
    "DatabaseError", "OperationalError", "IntegrityError", "ProgrammingError", "DataError", "InterfaceError",
    "InternalError", "SQLAlchemyError", "DBAPIError", "StatementError", "PyMongoError", "OperationFailure",
    "RequestException", "RequestError", "HTTPError", "ConnectError", "TransportError", "ClientError", "BotoCoreError",
    "RedisError", "SMTPException", "CalledProcessError", "BadZipFile", "TemplateError",
})
_LEAKY_ATTRS = frozenset({"args", "orig", "original_exception", "__cause__", "__context__", "message", "strerror",
                          "stderr", "output", "filename", "statement", "params"})
_TRACEBACK_CALLS = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                              "traceback.format_exception_only", "traceback.format_stack", "traceback.extract_tb",
                              "sys.exc_info"})
_RESPONSES = frozenset({
    *(f"flask.{n}" for n in ("jsonify", "json.jsonify", "make_response", "Response", "wrappers.Response", "abort",
                             "render_template", "render_template_string", "flash", "helpers.make_response",
                             "helpers.flash", "templating.render_template")),
    *(f"quart.{n}" for n in ("jsonify", "make_response", "Response", "abort", "render_template", "flash")),
    "werkzeug.wrappers.Response", "werkzeug.Response", "werkzeug.exceptions.abort",
    *(f"{m}.{n}" for m in ("starlette.responses", "fastapi.responses") for n in (
        "Response", "JSONResponse", "PlainTextResponse", "HTMLResponse", "ORJSONResponse", "UJSONResponse")),
    "fastapi.Response", "fastapi.HTTPException", "fastapi.exceptions.HTTPException",
    "starlette.exceptions.HTTPException", "starlette.websockets.WebSocket().send_text",
    *(f"django.http.{n}" for n in ("HttpResponse", "JsonResponse", "HttpResponseBadRequest", "HttpResponseServerError",
                                   "HttpResponseNotFound", "HttpResponseForbidden", "HttpResponseNotAllowed",
                                   "HttpResponseGone")),
    "django.shortcuts.render", "django.template.response.TemplateResponse",
    *(f"django.contrib.messages.{n}" for n in ("error", "warning", "info", "success", "debug", "add_message")),
    "rest_framework.response.Response",
    "aiohttp.web.Response", "aiohttp.web.json_response",
    "sanic.response.json", "sanic.response.text", "sanic.response.html", "sanic.json", "sanic.text", "sanic.html",
})
_TEMPLATE_RENDERERS = frozenset({"flask.render_template", "flask.templating.render_template", "quart.render_template",
                                 "django.shortcuts.render", "django.template.response.TemplateResponse"})
_RESPONSE_PREFIXES = ("django.http.response.", "rest_framework.exceptions.", "aiohttp.web.HTTP",
                      "werkzeug.exceptions.", "litestar.exceptions.")
# Callees recognisable by name even when their receiver is not resolvable (``templates.TemplateResponse``).
_RESPONSE_TAILS = frozenset({"jsonify", "JSONResponse", "JsonResponse", "PlainTextResponse", "HTMLResponse",
                             "TemplateResponse", "HttpResponseServerError", "HttpResponseBadRequest", "HTTPException"})
_LOGGING = re.compile(r"(?:^|\.)(?:log|logger|logging|LOGGER|LOG|_log|_logger|log_)\w*\.(?:exception|error|warning|"
                      r"warn|critical|info|debug|log)$|(?:^|\.)capture_exception$|^logging\.\w+$")
_HANDLER_DECORATORS = frozenset({"errorhandler", "app_errorhandler", "exception_handler"})
_HANDLER_REGISTRARS = frozenset({"register_error_handler", "add_exception_handler"})
_GENERIC_MESSAGE = "An internal error occurred."
# GraphQL servers: what they return for an error is what their error formatter builds.
_GRAPHQL_PACKAGES = frozenset({"graphql", "graphql_server", "flask_graphql", "graphene", "graphene_django",
                               "ariadne", "strawberry", "strawberry_django", "starlette_graphene3",
                               "sanic_graphql", "aiohttp_graphql", "quart_graphql", "graphql_ws"})
# Keyword arguments that install a function as the formatter of the errors sent to clients (flask-graphql's,
# graphql-server's and graphene-django's ``format_error=``, graphql-core's ``to_dict(format_error=)``,
# ariadne's ``error_formatter=``).
_FORMATTER_KEYWORDS = frozenset({"format_error", "error_formatter"})
# Methods a view class of those libraries calls to build the errors (or the whole result) it answers with.
_FORMATTER_METHODS = frozenset({"format_error", "format_errors", "process_result"})


_DEV_VALUES = frozenset({"development", "dev", "local", "debug"})


def _debug_test(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """``settings.DEBUG``, ``app.debug``, ``current_app.config["DEBUG"]``, ``ENV == "development"``."""
    if isinstance(test, cst.BooleanOperation):
        return _debug_test(ctx, test.left) or _debug_test(ctx, test.right)
    if isinstance(test, (cst.Name, cst.Attribute, cst.Subscript)):
        return "debug" in split_words(target_name(test) or "")
    if isinstance(test, cst.Call):
        return "debug" in split_words(test.func.attr.value if isinstance(test.func, cst.Attribute) else
                                      test.func.value if isinstance(test.func, cst.Name) else "")
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and \
            isinstance(test.comparisons[0].operator, (cst.Equal, cst.In)):
        value = ctx.literal(test.comparisons[0].comparator)
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        return bool(values) and all(isinstance(v, str) and v.lower() in _DEV_VALUES for v in values)
    return False


@dataclass
class _Region:
    """Code where an exception is at hand: an ``except`` block or an error handler's body."""

    body: cst.CSTNode
    names: set[str]  # the exception's variables
    leaky: bool  # its text may describe internals
    caught: str  # for messages: "the caught `Exception`"
    wrapped: bool = False  # werkzeug's InternalServerError: generic text; its ``original_exception`` is not


def _mentions_registration(ctx: FileContext) -> bool:
    text = ctx.source.text
    return "register_error_handler" in text or "exception_handler" in text


_MAY_REGISTER = FileFact("injection.may_register", _mentions_registration)


def _find_registered_handlers(ctx: FileContext) -> dict[str, cst.BaseExpression]:
    """Functions registered as error handlers in this file: ``app.register_error_handler(T, fn)``,
    ``app.add_exception_handler(T, fn)``, ``Starlette(exception_handlers={T: fn})``."""
    found: dict[str, cst.BaseExpression] = {}
    for node in walk(ctx.module):
        if not isinstance(node, cst.Call):
            continue
        tail = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
        if tail in _HANDLER_REGISTRARS and len(node.args) >= 2 and isinstance(node.args[1].value, cst.Name):
            found[node.args[1].value.value] = node.args[0].value
        handlers = ctx.argument(node, "exception_handlers")
        if isinstance(handlers, cst.Dict):
            for element in handlers.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.value, cst.Name):
                    found[element.value.value] = element.key
    return found


_REGISTERED_HANDLERS = FileFact("injection.error_handlers", _find_registered_handlers)


def _graphql_name(qualname: str) -> bool:
    return qualname.split(".", 1)[0] in _GRAPHQL_PACKAGES


def _graphql_formatters_in(ctx: FileContext) -> set[str]:
    """Qualified names of the functions this file installs as a GraphQL error formatter: ``format_error=fn`` or
    ``error_formatter=fn`` given to a call, in a file that imports a GraphQL library or to a GraphQL callee."""
    text = ctx.source.text
    if "format_error" not in text and "error_formatter" not in text:
        return set()
    imports_graphql = any(_graphql_name(q) for q in ctx.index.imports.values())
    found: set[str] = set()
    for node in walk(ctx.module):
        if not isinstance(node, cst.Call):
            continue
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value not in _FORMATTER_KEYWORDS or \
                    not isinstance(arg.value, (cst.Name, cst.Attribute)):
                continue
            name = ctx.qualname(arg.value)
            if name and (imports_graphql or _graphql_callee(ctx, node)):
                found.add(name)
    return found


def _graphql_callee(ctx: FileContext, call: cst.Call) -> bool:
    """``graphql_server.run_http_query(...)``, or ``View.as_view(...)`` for a GraphQL view class of the project."""
    if _graphql_name(ctx.qualname(call.func) or ""):
        return True
    if isinstance(call.func, cst.Attribute):
        resolved = resolve_class(ctx, call.func.value)
        return resolved is not None and _graphql_class(*resolved)
    return False


def _graphql_class(ctx: FileContext, cls: cst.ClassDef) -> bool:
    return any(_graphql_name(a) for a in class_model(ctx, cls).ancestors)


def _project_formatters(project: Project) -> set[str]:
    found: set[str] = set()
    for other in {id(c): c for t in _FORMATTER_KEYWORDS for c in project.contexts_mentioning(t)}.values():
        found |= _graphql_formatters_in(other)
    return found


_PROJECT_FORMATTERS: ProjectFact[set[str]] = ProjectFact("injection.graphql_error_formatters", _project_formatters)
_FILE_FORMATTERS = FileFact("injection.graphql_error_formatters", _graphql_formatters_in)


class ErrorDetailsLeaked(Rule):
    """What it does: flags handlers that send exception text or tracebacks to the client: ``str(exc)``,
    ``repr(exc)``, ``f"{exc}"``, ``exc.args`` or ``traceback.format_exc()`` in a response
    (``jsonify``, ``JSONResponse``, ``JsonResponse``, DRF ``Response``, ``HTTPException(detail=...)``,
    ``abort``, ``flash``, a rendered template, or the handler's return value), for exceptions that
    describe internals: ``Exception``/bare ``except``, built-in system errors, and errors of database,
    HTTP-client, file and queue libraries (SQLAlchemy, Django's ``django.db``, pymongo, requests,
    httpx...), in ``except`` blocks and in error handlers (``errorhandler``, ``exception_handler``).
    The messages of exceptions the application raises for its users (validation errors, its own
    exception classes, ``HTTPException``) are not reported. GraphQL servers too: a traceback in what
    an error formatter returns (a function given as ``format_error=``/``error_formatter=`` in any
    module, or ``format_error``/``process_result`` overridden on a graphene, flask-graphql,
    graphql-server, ariadne or strawberry view class), and ariadne's ``debug=True``. Tracebacks
    that are only logged, or added under ``if settings.DEBUG:``, are not reported.

    Why is this bad: exception text carries SQL statements and parameters, table and column names,
    file paths, internal hosts and URLs, library versions and sometimes secrets; tracebacks add the
    source. It maps the system for an attacker and can disclose other users' data.

    Example:
        except SQLAlchemyError as exc:
            return jsonify(error="database_error", detail=str(exc)), 500

    Use instead:
        except SQLAlchemyError:
            current_app.logger.exception("database error")
            return jsonify(error="database_error"), 500
    """

    id = "AR603"
    name = "error-details-leaked"
    title = "Exception details returned to the client"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 209
    prefilter = (
        re.compile(r"except\b|format_exc|exc_info|format_exception|errorhandler|exception_handler|format_error|"
                   r"debug\s*=\s*True"),
        # ...and something that answers a client: a response, an HTTP error, a template, a route.
        re.compile(r"Response|jsonify|HTTPException|abort\(|render|flash\(|messages\.|errorhandler|exception_handler|"
                   r"json_response|HTTPFound|@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\(|"
                   r"sanic|litestar|\bweb\.HTTP|"
                   # ...or a GraphQL server's error formatter.
                   r"graphql|GraphQL|format_error|error_formatter|process_result|ariadne"),
    )
    in_tests = False

    VALID = [
        # Logged, generic answer.
        "import logging\nfrom flask import Flask, jsonify\napp = Flask(__name__)\nlog = logging.getLogger(__name__)\n"
        "@app.post('/import')\ndef do_import():\n    try:\n        run()\n    except Exception:\n"
        "        log.exception('import failed')\n        return jsonify(error='Import failed'), 500\n",
        # The messages of a validation error are written for the client.
        "from flask import Flask\nfrom marshmallow import ValidationError\napp = Flask(__name__)\n"
        "@app.post('/notes')\ndef create():\n    try:\n        data = schema.load(request.json)\n"
        "    except ValidationError as e:\n        return e.messages, 400\n",
        "from django.http import JsonResponse\nfrom .coupons import CouponError\ndef apply(request):\n"
        "    try:\n        apply_coupon(request)\n    except CouponError as exc:\n"
        "        return JsonResponse({'error': str(exc)}, status=400)\n",
        "from fastapi import FastAPI, HTTPException\napp = FastAPI()\n@app.post('/x')\ndef x(v: str):\n"
        "    try:\n        return parse(v)\n    except ValueError as exc:\n"
        "        raise HTTPException(status_code=400, detail=str(exc))\n",
        # Logged, not returned.
        "import logging\ndef job():\n    try:\n        run()\n    except Exception as e:\n"
        "        logging.error('failed: %s', e)\n        return str(e)\n",
        # An HTTPException handler returns the message the code passed to abort().
        "from flask import jsonify\nfrom werkzeug.exceptions import HTTPException\n"
        "def register(app):\n    @app.errorhandler(HTTPException)\n    def handle(exc):\n"
        "        return jsonify(error=exc.name, message=exc.description), exc.code\n",
        # werkzeug's 500 wrapper prints a generic text.
        "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.errorhandler(500)\ndef internal(error):\n"
        "    return jsonify(error=str(error)), 500\n",
        # Raised by the application for the user.
        "from flask import Flask\napp = Flask(__name__)\n@app.delete('/notes/<int:i>')\ndef delete(i):\n    try:\n"
        "        remove(i)\n    except PermissionError as e:\n        return {'error': str(e)}, 403\n",
        # A GraphQL error formatter that logs the traceback and answers with a generic message.
        "import logging\nimport traceback\nfrom flask_graphql import GraphQLView\nlog = logging.getLogger(__name__)\n"
        "def format_graphql_error(error):\n    log.error('graphql error: %s', traceback.format_exc())\n"
        "    return {'message': 'Internal error'}\n"
        "view = GraphQLView.as_view('graphql', schema=schema, format_error=format_graphql_error)\n",
        # The traceback is added in development only.
        "import traceback\nfrom django.conf import settings\nfrom graphene_django.views import GraphQLView\n"
        "class ApiView(GraphQLView):\n    @staticmethod\n    def format_error(error):\n"
        "        formatted = GraphQLView.format_error(error)\n        if settings.DEBUG:\n"
        "            formatted['trace'] = traceback.format_exc()\n        return formatted\n",
        "from ariadne.asgi import GraphQL\nfrom .config import settings\n"
        "app = GraphQL(schema, debug=settings.DEBUG)\n",
        # The exception's class name only.
        "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.get('/x')\ndef x():\n    try:\n        run()\n"
        "    except Exception as e:\n        return jsonify(error=type(e).__name__), 500\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.post('/import')\ndef do_import():\n"
            "    try:\n        run()\n    except Exception as e:\n        return jsonify(error=str(e)), 500\n",
        ),
        # Logged already: the fix drops the text from the response.
        Invalid(
            "from flask import current_app, jsonify\nfrom sqlalchemy.exc import SQLAlchemyError\n"
            "def register(app):\n    @app.errorhandler(SQLAlchemyError)\n    def handle_db(exc):\n"
            "        current_app.logger.exception('database error')\n"
            "        return jsonify(error='database_error', detail=str(exc)), 500\n",
            fixed="from flask import current_app, jsonify\nfrom sqlalchemy.exc import SQLAlchemyError\n"
            "def register(app):\n    @app.errorhandler(SQLAlchemyError)\n    def handle_db(exc):\n"
            "        current_app.logger.exception('database error')\n"
            f"        return jsonify(error='database_error', detail=\"{_GENERIC_MESSAGE}\"), 500\n",
        ),
        Invalid(
            "from fastapi import FastAPI, HTTPException\napp = FastAPI()\n@app.post('/items/import')\n"
            "async def import_items():\n    try:\n        await load()\n    except Exception as exc:\n"
            "        raise HTTPException(status_code=400, detail=str(exc))\n",
        ),
        Invalid(
            "from django.http import JsonResponse\ndef apply(request):\n    try:\n        apply_coupon(request)\n"
            "    except Exception as exc:\n"
            "        return JsonResponse({'error': f'Could not apply coupon: {exc}'}, status=500)\n",
        ),
        Invalid(
            "import traceback\nfrom django.http import HttpResponseServerError\ndef server_error(request):\n"
            "    return HttpResponseServerError(f'<pre>{traceback.format_exc()}</pre>')\n",
        ),
        Invalid(
            "import requests\nfrom rest_framework.decorators import api_view\nfrom rest_framework.response import Response\n"
            "@api_view(['POST'])\ndef sync(request):\n    try:\n        push()\n"
            "    except requests.RequestException as exc:\n        message = repr(exc)\n"
            "        return Response({'detail': message}, status=502)\n",
        ),
        Invalid(
            "import httpx\nfrom starlette.responses import JSONResponse\nasync def callback(request):\n    try:\n"
            "        await exchange()\n    except httpx.HTTPError as exc:\n"
            "        return JSONResponse({'error': exc.args}, status_code=502)\n",
        ),
        Invalid(
            "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.errorhandler(500)\ndef internal(error):\n"
            "    return jsonify(error=str(error.original_exception)), 500\n",
        ),
        Invalid(
            "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.get('/sync')\ndef sync():\n"
            "    result = {'ok': False}\n    try:\n        push()\n    except Exception as e:\n"
            "        result['error'] = str(e)\n        return jsonify(result), 500\n",
        ),
        Invalid(
            "from django.db import DatabaseError\nfrom django.shortcuts import render\ndef report(request):\n"
            "    try:\n        rows = build_report()\n    except DatabaseError as error:\n"
            "        return render(request, 'report_error.html', {'error': error}, status=500)\n",
        ),
        Invalid(
            "from flask import Flask, flash, redirect\napp = Flask(__name__)\n@app.post('/upload')\ndef upload():\n"
            "    try:\n        store()\n    except OSError as e:\n        flash('Upload failed: %s' % e)\n"
            "    return redirect('/')\n",
        ),
        # A GraphQL error formatter that returns the stack to the client.
        Invalid(
            "import traceback\nfrom flask_graphql import GraphQLView\ndef format_graphql_error(error):\n"
            "    formatted = {'message': str(error), 'extensions': {}}\n"
            "    formatted['extensions']['stack'] = traceback.format_stack()\n    return formatted\n"
            "view = GraphQLView.as_view('graphql', schema=schema, format_error=format_graphql_error)\n",
        ),
        Invalid(
            "import traceback\nfrom graphene_django.views import GraphQLView\nclass ApiView(GraphQLView):\n"
            "    @staticmethod\n    def format_error(error):\n        formatted = GraphQLView.format_error(error)\n"
            "        formatted['trace'] = traceback.format_exc()\n        return formatted\n",
        ),
        Invalid("from ariadne.asgi import GraphQL\napp = GraphQL(schema, debug=True)\n"),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._marked: dict[int, bool] = {}  # functions holding an ``except ... as``: id -> also a traceback call
        self._handlers: dict[int, tuple[str, bool]] = {}

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        function = self.ctx.enclosing_function()
        if node.name is not None and function is not None:
            self._marked.setdefault(id(function), False)

    def visit_Call(self, node: cst.Call) -> None:
        tail = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
        if "ariadne" in self.ctx.source.text:
            self._ariadne_debug(node)
        if tail in ("format_exc", "format_exception", "format_tb", "format_exception_only", "format_stack",
                    "extract_tb", "exc_info") and self.ctx.qualname(node.func) in _TRACEBACK_CALLS:
            function = self.ctx.enclosing_function()
            if function is not None:
                self._marked[id(function)] = True

    def _ariadne_debug(self, call: cst.Call) -> None:
        """``GraphQL(schema, debug=True)``, ``graphql_sync(..., debug=True)``, ``format_error(error, True)``: ariadne
        then adds each error's traceback and the failing resolver's local variables to the response."""
        ctx = self.ctx
        qual = ctx.qualname(call.func) or ""
        if not qual.startswith("ariadne."):
            return
        flag = ctx.argument(call, "debug", 1 if qual.endswith(".format_error") else None)
        if flag is None or ctx.literal(flag) is not True:
            return
        self.report(flag, f"ariadne's {markup.code(ctx.code(call.func) + '(debug=True)')} sends each error's "
                    "traceback and the failing resolver's local variables to the client in the response's "
                    "`extensions.exception`: a traceback shows source paths, code and the values of the failing "
                    "call; pass `debug=False` (or a value that is true in development only)")

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        # Decided on leaving: the walk has then seen the function's except blocks and traceback calls.
        handled = self._handled_type(node) if node.decorators or self._may_register() else None
        if id(node) not in self._marked and handled is None:
            return
        regions = self._regions(node, handled)
        reported: set[int] = set()
        for region in regions:
            if region.leaky:
                self._scan(node, region, reported)
        if self._marked.get(id(node)):
            self._scan(node, _Region(node.body, set(), True, "the exception"), reported)

    # --- where exceptions are at hand ----------------------------------------------------
    def _regions(self, function: cst.FunctionDef,
                 handled: tuple[str, cst.BaseExpression | None] | None) -> list[_Region]:
        regions = []
        if id(function) in self._marked:
            for node in own_nodes(function):
                if isinstance(node, cst.ExceptHandler) and node.name is not None and \
                        isinstance(node.name.name, cst.Name):
                    leaky, caught = self._classify(node.type)
                    regions.append(_Region(node.body, {node.name.name.value}, leaky, caught))
        if handled is not None:
            param, type_expr = handled
            wrapped = (isinstance(type_expr, cst.Integer) and type_expr.value == "500") or \
                (type_expr is not None and (self.ctx.qualname(type_expr) or "").endswith("InternalServerError"))
            leaky, caught = self._classify(type_expr) if type_expr is not None else (True, "the exception")
            if wrapped:
                leaky, caught = True, "the original exception"
            regions.append(_Region(function.body, {param}, leaky, caught, wrapped))
        return regions

    def _classify(self, type_expr: cst.BaseExpression | None) -> tuple[bool, str]:
        """(whether the exception's text may describe internals, how to name it in a message)."""
        ctx = self.ctx
        if type_expr is None:
            return True, "the exception (bare `except`)"
        if isinstance(type_expr, cst.Tuple):
            for element in type_expr.elements:
                leaky, caught = self._classify(element.value)
                if leaky:
                    return True, caught
            return False, ""
        if isinstance(type_expr, cst.Integer):
            return False, ""  # errorhandler(500): werkzeug's own generic InternalServerError text
        qual = ctx.qualname(type_expr) or ctx.dotted_name(type_expr) or ""
        tail = qual.rsplit(".", 1)[-1]
        caught = f"the caught {markup.code(ctx.code(type_expr))}"
        if qual.startswith("builtins."):
            return tail in _LEAKY_BUILTINS, caught
        if qual.startswith(_INFRA_MODULES):
            return "Validation" not in tail and "NotFound" not in tail, caught
        if tail in ctx.index.classes:
            return False, caught  # the application's own exception
        if "." not in qual:
            return tail in _LEAKY_BUILTINS or tail in _INFRA_NAMES, caught
        return tail in _INFRA_NAMES, caught

    def _handled_type(self, function: cst.FunctionDef) -> tuple[str, cst.BaseExpression | None] | None:
        """(exception parameter, handled type) when ``function`` is an error handler (decorated or registered)."""
        ctx = self.ctx
        params = [p for p in (*function.params.posonly_params, *function.params.params)
                  if p.name.value not in ("self", "cls")]
        if not params:
            return None
        found: tuple[bool, cst.BaseExpression | None] | None = None
        for decorator in function.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
                    expr.func.attr.value in _HANDLER_DECORATORS:
                found = (True, ctx.argument(expr, "code_or_exception", 0) or ctx.argument(expr, "exc_class_or_status_code", 0))
        if found is None:
            registered = self._registered_handlers().get(function.name.value) if self._may_register() else None
            if registered is None:
                return None
            found = (True, registered)
        param = params[1] if len(params) >= 2 else params[0]
        type_expr = found[1]
        if type_expr is None and param.annotation is not None:
            type_expr = param.annotation.annotation
        return param.name.value, type_expr

    def _graphql_formatter(self, function: cst.FunctionDef) -> bool:
        """What ``function`` returns is the error a GraphQL server answers with: the known method of a class
        derived from a GraphQL view (``format_error``, strawberry's ``process_result``), or a function installed
        with ``format_error=``/``error_formatter=`` here or in any module of the project."""
        ctx = self.ctx
        owner = ctx.enclosing(cst.ClassDef, cst.FunctionDef)
        if isinstance(owner, cst.ClassDef):
            return function.name.value in _FORMATTER_METHODS and \
                any(s is function for s in owner.body.body) and _graphql_class(ctx, owner)
        if owner is not None or not any(s is function for s in ctx.module.body):
            return False
        installed = _FILE_FORMATTERS.get(ctx) if ctx.project is None else _PROJECT_FORMATTERS.get(ctx.project)
        modules = {ctx.index.module_name} | (ctx.project.module_names(ctx.path) if ctx.project is not None else set())
        return any((f"{m}.{function.name.value}" if m else function.name.value) in installed for m in modules)

    def _may_register(self) -> bool:
        return _MAY_REGISTER.get(self.ctx)

    def _registered_handlers(self) -> dict[str, cst.BaseExpression]:
        return _REGISTERED_HANDLERS.get(self.ctx)

    def _handler(self, function: cst.FunctionDef) -> tuple[str, bool]:
        """(label for messages, whether what it returns is the HTTP response)."""
        if id(function) in self._handlers:
            return self._handlers[id(function)]
        self._handlers[id(function)] = self._describe(function, endpoint_for(self.ctx, function))
        return self._handlers[id(function)]

    def _describe(self, function: cst.FunctionDef, endpoint) -> tuple[str, bool]:
        if endpoint is not None:
            return markup.code(endpoint.label), True
        if self._graphql_formatter(function):
            return f"the GraphQL error formatter {markup.code(f'{function.name.value}()')}", True
        if self._handled_type(function) is not None:
            return f"the error handler {markup.code(f'{function.name.value}()')}", True
        return markup.code(f'{function.name.value}()'), False

    # --- what reaches the client ---------------------------------------------------------
    def _scan(self, function: cst.FunctionDef, region: _Region, reported: set[int]) -> None:
        ctx = self.ctx
        names = set(region.names) if region.leaky else set()
        tainted: dict[str, cst.CSTNode] = {}  # variable -> the expression that put the exception's text in it
        logs = False
        debug_only = {id(n) for branch in own_nodes(region.body) if isinstance(branch, cst.If)
                      and _debug_test(ctx, branch.test) for n in walk(branch.body)}
        for node in own_nodes(region.body):
            if id(node) in debug_only:
                continue  # shown in development only (``if settings.DEBUG:``); debug mode itself is AR305's
            if isinstance(node, cst.Call) and _LOGGING.search(ctx.dotted_name(node.func) or ctx.qualname(node.func) or ""):
                logs = True
            if isinstance(node, cst.Assign) and len(node.targets) == 1:
                target = node.targets[0].target
                while isinstance(target, (cst.Subscript, cst.Attribute)):
                    target = target.value  # ``body["detail"] = str(exc)`` taints ``body``
                leak = self._leaks(node.value, names, tainted, region.wrapped) if isinstance(target, cst.Name) else None
                if isinstance(target, cst.Name) and leak is not None:
                    origin = tainted.get(leak[0].value) if isinstance(leak[0], cst.Name) else None
                    tainted[target.value] = origin or leak[0]
                continue
            sink: cst.BaseExpression | None = None
            if isinstance(node, cst.Call) and self._is_response(node):
                sink = node
            elif isinstance(node, cst.Return) and node.value is not None:
                sink = node.value
            if sink is None:
                continue
            found = self._leaks(sink, names, tainted, region.wrapped)
            if found is None and isinstance(sink, cst.Call) and self._is_template(sink):
                found = self._exception_in_context(sink, names)
            if found is None or id(found[0]) in reported:
                continue
            label, responds = self._handler(function)
            if sink is not node and not responds and not self._status_tuple(sink):
                continue  # a helper's return value: where it goes is its caller's business
            reported.add(id(found[0]))
            origin = tainted.get(found[0].value) if isinstance(found[0], cst.Name) else None
            self._report(found[0], found[1], region, label, logs, self._for_administrators(function), origin)

    def _leaks(self, expr: cst.BaseExpression, names: set[str], tainted: Container[str],
               wrapped: bool = False) -> tuple[cst.CSTNode, cst.CSTNode | None] | None:
        """The first sub-expression of ``expr`` that turns the exception (or a traceback) into text, and its parent."""
        ctx = self.ctx

        def is_exception(node: cst.BaseExpression, inner: bool = False) -> bool:
            while isinstance(node, cst.Subscript):
                node = node.value
            if isinstance(node, cst.Name):
                return node.value in names and (inner or not wrapped)
            return isinstance(node, cst.Attribute) and node.attr.value in _LEAKY_ATTRS and \
                is_exception(node.value, inner or node.attr.value == "original_exception")

        stack: list[tuple[cst.CSTNode, cst.CSTNode | None]] = [(expr, None)]
        while stack:
            node, parent = stack.pop()
            if isinstance(node, cst.Lambda):
                continue
            if isinstance(node, cst.IfExp) and _debug_test(ctx, node.test):
                stack.append((node.orelse, node))  # ``format_exc() if settings.DEBUG else "error"``
                continue
            stack.extend((child, node) for child in reversed(children(node)))
            if isinstance(node, cst.Name) and node.value in tainted:
                return node, parent
            if isinstance(node, cst.Call):
                qual = ctx.qualname(node.func) or ""
                if qual in _TRACEBACK_CALLS:
                    return node, parent
                if qual in ("builtins.str", "builtins.repr", "builtins.format", "builtins.ascii") and node.args and \
                        is_exception(node.args[0].value):
                    return node, parent
                if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format" and \
                        any(is_exception(a.value) for a in node.args):
                    return node, parent
            elif isinstance(node, cst.FormattedStringExpression) and is_exception(node.expression):
                return node, parent
            elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
                right = node.right
                items = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
                if any(is_exception(i) for i in items) and isinstance(node.left, (cst.SimpleString, cst.ConcatenatedString)):
                    return node, parent
            elif isinstance(node, cst.Attribute) and node.attr.value in ("args", "orig", "original_exception") and \
                    is_exception(node):
                return node, parent
        return None

    def _is_template(self, call: cst.Call) -> bool:
        qual = self.ctx.qualname(call.func) or ""
        return qual in _TEMPLATE_RENDERERS or (isinstance(call.func, cst.Attribute)
                                               and call.func.attr.value == "TemplateResponse")

    @staticmethod
    def _exception_in_context(call: cst.Call, names: set[str]) -> tuple[cst.CSTNode, cst.CSTNode | None] | None:
        """``render_template("error.html", error=exc)``: the template prints the exception's text."""
        for arg in call.args:
            if isinstance(arg.value, cst.Name) and arg.value.value in names:
                return arg.value, arg
            if isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    if isinstance(element, cst.DictElement) and isinstance(element.value, cst.Name) and \
                            element.value.value in names:
                        return element.value, element
        return None

    def _is_response(self, call: cst.Call) -> bool:
        qual = self.ctx.qualname(call.func) or ""
        if qual in _RESPONSES or qual.startswith(_RESPONSE_PREFIXES):
            return True
        tail = call.func.attr.value if isinstance(call.func, cst.Attribute) else \
            call.func.value if isinstance(call.func, cst.Name) else ""
        return not qual.startswith(("logging.", "builtins.")) and (
            tail in _RESPONSE_TAILS or tail.startswith("HttpResponse"))

    def _status_tuple(self, value: cst.BaseExpression) -> bool:
        """``return {...}, 500``: a Flask response with an error status, wherever the function is registered."""
        if isinstance(value, cst.Tuple) and len(value.elements) >= 2:
            status = self.ctx.literal(value.elements[1].value)
            return isinstance(status, int) and 400 <= status <= 599
        return False

    def _for_administrators(self, function: cst.FunctionDef) -> bool:
        """A route only administrators reach (a role guard, an admin module or name): showing them the error
        is often the point (a connection test, a debug page), so the finding is a lead, not a certainty."""
        endpoint = endpoint_for(self.ctx, function)
        if endpoint is not None and endpoint.role_checked:
            return True
        owner = self.ctx.enclosing(cst.ClassDef)
        return adminish(self.ctx.path, function.name.value, owner.name.value if isinstance(owner, cst.ClassDef) else "")

    def _report(self, leak: cst.CSTNode, parent: cst.CSTNode | None, region: _Region, label: str,
                logs: bool, administrators: bool = False, origin: cst.CSTNode | None = None) -> None:
        """``origin``: when ``leak`` is a variable, the expression that put the exception's text in it."""
        ctx = self.ctx
        source = origin if origin is not None else leak
        traceback_call = isinstance(source, cst.Call) and ctx.qualname(source.func) in _TRACEBACK_CALLS
        what = "the traceback" if traceback_call else region.caught.replace("the caught", "the text of the caught")
        fix = None
        whole = parent is None or isinstance(parent, (cst.Arg, cst.DictElement, cst.Element))
        if logs and whole and isinstance(leak, (cst.Call, cst.Attribute)):
            fix = ctx.replace(leak, f'"{_GENERIC_MESSAGE}"', "answer with a generic message")
        shown = markup.code(ctx.code(leak)) if origin is None else \
            f"{markup.code(ctx.code(origin))} through {markup.code(ctx.code(leak))}"
        self.report(leak, f"{label} sends {what} to the client ({shown}): "
                    f"{self._why(region, traceback_call)}; log it server-side and answer with a generic message",
                    fix=fix, confidence=Confidence.MEDIUM if administrators else None)

    @staticmethod
    def _why(region: _Region, traceback_call: bool) -> str:
        if traceback_call:
            return "a traceback shows source paths, code and the values of the failing call"
        caught = region.caught
        if re.search(r"sql|database|db\b|integrity|operational|programming|mongo|redis|dataerror|statement", caught, re.I):
            return "database errors carry SQL statements, parameters, table and column names"
        if re.search(r"requests|httpx|http|urllib|aiohttp|connect|timeout|transport", caught, re.I):
            return "HTTP client errors carry internal URLs, hosts and the upstream's answers"
        return "exception text can carry SQL, file paths, hosts and library details an attacker can use"


__all__ = ["ErrorDetailsLeaked"]
