"""AR305 debug-enabled: debug mode enabled."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Fix, Severity
from ...rule import Invalid, Valid
from .._common import is_env_read
from ._shared import (
    Setting,
    SettingsRule,
    identifier_words,
    imported_roots,
    in_dev_branch,
    module_binds,
    os_hint,
    set_argument,
)

_APP_CONSTRUCTORS = {
    "fastapi.FastAPI": ("debug", None), "fastapi.applications.FastAPI": ("debug", None),
    "starlette.applications.Starlette": ("debug", 0),
    "tornado.web.Application": ("debug", None),
    "quart.Quart": ("debug", None),
    # aiohttp's debug mode turns on asyncio's debug checks and the debug toolbar hooks
    "aiohttp.web.Application": ("debug", None), "aiohttp.web_app.Application": ("debug", None),
    "litestar.Litestar": ("debug", None), "litestar.app.Litestar": ("debug", None),
}
_FLASK_RUN_PREFIXES = ("flask", "quart", "flask_socketio")
_NOT_FLASK_RUN = frozenset({"subprocess", "asyncio", "uvicorn", "hypercorn", "trio", "anyio", "multiprocessing",
                            "threading", "docker", "invoke", "unittest", "pytest", "uvloop", "gevent"})
_TRUE_STRINGS = frozenset({"1", "true", "yes", "on", "y", "t"})
_OFF = {"True": "False", "true": "false", "TRUE": "FALSE", "1": "0", "yes": "no", "Yes": "No", "on": "off",
        "y": "n", "t": "f"}


def _env_default(ctx: FileContext, expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """The literal default of an environment read (``os.getenv("DEBUG", "True")``)."""
    if not (isinstance(expr, cst.Call) and is_env_read(ctx, expr)):
        return None
    return ctx.argument(expr, "default", 1)


def _unset_value(ctx: FileContext, expr: cst.BaseExpression, flipped: cst.CSTNode | None = None) -> Any:
    """What ``expr`` evaluates to when the environment variable it reads is unset (UNKNOWN if unsure).

    ``flipped`` names a default literal to read as its "off" counterpart (to check a fix).
    """
    if isinstance(expr, cst.Call) and is_env_read(ctx, expr):
        default = _env_default(ctx, expr)
        if default is None:
            return None if not isinstance(expr.func, cst.Attribute) or expr.func.attr.value in ("get", "getenv") \
                else UNKNOWN
        value = ctx.literal(default)
        if default is flipped:
            value = _flip(value)
        cast = ctx.argument(expr, "cast")
        if cast is not None and ctx.qualname(cast) == "builtins.bool" or (
                isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "bool"):
            return _truthy(value)
        return value
    if isinstance(expr, cst.Call):
        name = ctx.qualname(expr.func) or ""
        if name in ("builtins.bool", "builtins.int", "builtins.str") and len(expr.args) == 1:
            inner = _unset_value(ctx, expr.args[0].value, flipped)
            try:
                return UNKNOWN if inner is UNKNOWN else {"builtins.bool": bool, "builtins.int": int,
                                                         "builtins.str": str}[name](inner)
            except (TypeError, ValueError):
                return UNKNOWN
        if name.endswith("strtobool") and len(expr.args) == 1:
            inner = _unset_value(ctx, expr.args[0].value, flipped)
            return UNKNOWN if inner is UNKNOWN else _truthy(inner)
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in ("lower", "upper", "strip") and not expr.args:
            inner = _unset_value(ctx, expr.func.value, flipped)
            return getattr(inner, expr.func.attr.value)() if isinstance(inner, str) else UNKNOWN
        return UNKNOWN
    if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
        left = _unset_value(ctx, expr.left, flipped)
        target = expr.comparisons[0]
        right = ctx.literal(target.comparator)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        operator = target.operator
        try:
            if isinstance(operator, cst.Equal):
                return left == right
            if isinstance(operator, cst.NotEqual):
                return left != right
            if isinstance(operator, cst.In):
                return left in right
            if isinstance(operator, cst.NotIn):
                return left not in right
        except TypeError:
            return UNKNOWN
        return UNKNOWN
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
        inner = _unset_value(ctx, expr.expression, flipped)
        return UNKNOWN if inner is UNKNOWN else not inner
    return ctx.literal(expr)


def _truthy(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_STRINGS
    return UNKNOWN if value is UNKNOWN else bool(value)


def _flip(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return 0
    if isinstance(value, str):
        return _OFF.get(value, value)
    return value


def _env_reads(ctx: FileContext, expr: cst.BaseExpression) -> list[cst.Call]:
    nodes = [expr, *ctx.descendants(expr)]
    return [n for n in nodes if isinstance(n, cst.Call) and is_env_read(ctx, n)]


class DebugEnabled(SettingsRule):
    """What it does: flags debug mode switched on in application code: ``app.run(debug=True)`` (Flask,
    Quart, Flask-SocketIO; Bandit B201), ``app.debug = True``, ``app.config["DEBUG"] = True``,
    ``DEBUG = True`` in a settings/config module or a production config class, ``FastAPI(debug=True)``,
    ``Starlette(debug=True)``, ``tornado.web.Application(debug=True)``, ``run_simple(use_debugger=True)``,
    ``uvicorn.run(debug=True)`` (old uvicorn), and debug flags read from the environment with an "on"
    default (``os.getenv("DEBUG", "True")``). Test files and development configuration are skipped; a
    ``debug=True`` under ``if __name__ == "__main__":`` is still reported (that server gets run).

    Why is this bad: debug mode shows tracebacks, settings and source to anyone who triggers an error, and
    the Werkzeug debugger runs arbitrary Python from the browser.

    Example:
        app.run(host="0.0.0.0", debug=True)

    Use instead:
        app.run(host="0.0.0.0", debug=os.environ.get("FLASK_DEBUG") == "1")
    """

    id = "AR305"
    name = "debug-enabled"
    title = "Debug mode enabled"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 489
    prefilter = re.compile(r"(?i)debug|serve_traceback|use_debugger|run_simple|\.run\(|starlette")
    bandit_equivalents = frozenset({"B201"})
    in_tests = False
    KEYS = frozenset({"DEBUG"})

    VALID = [
        "from flask import Flask\napp = Flask(__name__)\napp.run()",
        'import os\nfrom flask import Flask\napp = Flask(__name__)\napp.run(debug=os.environ.get("FLASK_DEBUG") == "1")',
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=False)",
        # Not a Flask app.
        "import subprocess\nsubprocess.run(cmd, debug=True)",
        "import asyncio\nasyncio.run(main(), debug=True)",
        # A plain module constant in some script, not a settings module.
        "DEBUG = True\nprint(DEBUG)",
        # Django settings reading the environment, default off.
        Valid('import os\nDEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"', path="mysite/settings.py"),
        Valid("DEBUG = env.bool('DEBUG', default=False)", path="settings.py"),
        # Development settings and configs.
        Valid("DEBUG = True", path="mysite/settings/dev.py"),
        Valid("DEBUG = True", path="local_settings.py"),
        "class DevelopmentConfig(Config):\n    DEBUG = True",
        "class Config:\n    DEBUG = True\nclass ProductionConfig(Config):\n    DEBUG = False",
        "from fastapi import FastAPI\napp = FastAPI(debug=False)",
        "if app.debug:\n    app.config['DEBUG'] = True",
        # A logger level is not debug mode.
        "import logging\nlogging.basicConfig(level=logging.DEBUG)",
    ]
    INVALID = [
        Invalid(
            "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
            "if __name__ == '__main__':\n    app.run(host='0.0.0.0', debug=True)\n",
            fixed="import os\nfrom flask import Flask\napp = Flask(__name__)\n"
            "if __name__ == '__main__':\n    app.run(host='0.0.0.0', debug=os.environ.get(\"FLASK_DEBUG\") == \"1\")\n",
        ),
        # Factory app and positional debug (host, port, debug).
        Invalid(
            "from flask import Flask\nfrom myapp import create_app\napp = create_app()\napp.run('0.0.0.0', 5000, True)",
            fixed="from flask import Flask\nfrom myapp import create_app\napp = create_app()\n"
            "app.run('0.0.0.0', 5000, os.environ.get(\"FLASK_DEBUG\") == \"1\")",
        ),
        Invalid(
            "from flask import Flask as F\napplication = F(__name__)\napplication.debug = True",
            fixed="from flask import Flask as F\napplication = F(__name__)\n"
            "application.debug = os.environ.get(\"FLASK_DEBUG\") == \"1\"",
        ),
        Invalid(
            "app.config['DEBUG'] = True",
            fixed="app.config['DEBUG'] = os.environ.get(\"FLASK_DEBUG\") == \"1\"",
        ),
        Invalid(
            "INSTALLED_APPS = ['django.contrib.admin']\nDEBUG = True\n",
            fixed="INSTALLED_APPS = ['django.contrib.admin']\nDEBUG = os.environ.get(\"DJANGO_DEBUG\") == \"1\"\n",
        ),
        Invalid(
            "import os\nDEBUG = os.getenv('DEBUG', 'True') == 'True'\n",
            path="proj/settings.py",
            fixed="import os\nDEBUG = os.getenv('DEBUG', 'False') == 'True'\n",
        ),
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI(\n    title='api',\n    debug=True,\n)\n",
            fixed="from fastapi import FastAPI\napp = FastAPI(\n    title='api',\n"
            "    debug=os.environ.get(\"DEBUG\") == \"1\",\n)\n",
        ),
        Invalid(
            "from starlette.applications import Starlette\napp = Starlette(True, routes=routes)",
            fixed="from starlette.applications import Starlette\n"
            "app = Starlette(os.environ.get(\"DEBUG\") == \"1\", routes=routes)",
        ),
        Invalid(
            "class ProductionConfig(BaseConfig):\n    DEBUG = True\n",
            fixed="class ProductionConfig(BaseConfig):\n    DEBUG = os.environ.get(\"FLASK_DEBUG\") == \"1\"\n",
        ),
        Invalid("from werkzeug.serving import run_simple\nrun_simple('0.0.0.0', 80, app, use_debugger=True)"),
        Invalid(
            "from aiohttp import web\napp = web.Application(middlewares=[auth], debug=True)\n",
            fixed="from aiohttp import web\napp = web.Application(middlewares=[auth], "
            "debug=os.environ.get(\"DEBUG\") == \"1\")\n",
        ),
        Invalid("from sanic import Sanic\napp = Sanic('shop')\napp.run(host='0.0.0.0', port=8000, debug=True)\n",
                fixed="from sanic import Sanic\napp = Sanic('shop')\n"
                "app.run(host='0.0.0.0', port=8000, debug=os.environ.get(\"DEBUG\") == \"1\")\n"),
        Invalid("from bottle import run\nrun(host='0.0.0.0', port=8080, debug=True)\n",
                fixed="from bottle import run\nrun(host='0.0.0.0', port=8080, debug=os.environ.get(\"DEBUG\") == \"1\")\n"),
        Invalid("import bottle\nbottle.run(host='0.0.0.0', port=8080, debug=True)\n",
                fixed="import bottle\nbottle.run(host='0.0.0.0', port=8080, debug=os.environ.get(\"DEBUG\") == \"1\")\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        ctx = self.ctx
        name = ctx.qualname(node.func) or ""
        if name in _APP_CONSTRUCTORS:
            keyword, index = _APP_CONSTRUCTORS[name]
            self._check_flag(node, keyword, index, "DEBUG", f"{markup.code(f'{ctx.code(node.func)}(debug=True)')} serves tracebacks "
                             "to clients")
            if name == "tornado.web.Application":
                self._check_flag(node, "serve_traceback", None, "DEBUG", "`serve_traceback=True` sends tracebacks "
                                 "to clients")
        elif name in ("werkzeug.serving.run_simple", "werkzeug.run_simple"):
            value = ctx.argument(node, "use_debugger", 4)
            if value is not None and ctx.literal(value) is True:
                self.report(node, "`run_simple(use_debugger=True)` exposes the Werkzeug debugger, which runs any "
                            "Python code sent from the browser")
        elif name == "uvicorn.run":
            self._check_flag(node, "debug", None, "DEBUG", "`uvicorn.run(debug=True)` (uvicorn < 0.19) sends "
                             "tracebacks to clients", confidence=Confidence.LOW)
        elif name == "bottle.run" or (name.startswith(("sanic.", "bottle.")) and name.endswith(".run")):
            self._check_flag(node, "debug", None, "DEBUG", f"{markup.code(f'{ctx.code(node.func)}(debug=True)')} "
                             "serves tracebacks to clients")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "run" and self._is_flask_app(node.func.value, name):
            self._check_flag(node, "debug", None if name.startswith("flask_socketio") else 2, "FLASK_DEBUG",
                             f"{markup.code(f'{ctx.code(node.func)}(debug=True)')} starts the Werkzeug debugger, which runs any "
                             "Python code sent from the browser")

    def _is_flask_app(self, receiver: cst.BaseExpression, name: str) -> bool:
        root = name.split(".")[0]
        if root in _FLASK_RUN_PREFIXES:
            return True
        if root in _NOT_FLASK_RUN or (isinstance(receiver, cst.Name) and self.ctx.index.imports.get(receiver.value)
                                      == receiver.value):
            return False  # ``subprocess.run``, ``some_module.run``: a library function, not an app
        if isinstance(receiver, cst.Name) and set(identifier_words(receiver.value)) & {"app", "application"}:
            return True  # ``app = create_app()``, ``from myproject import app``
        roots = imported_roots(self.ctx)
        return bool(roots & {"flask", "quart"}) and not (isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"))

    def _check_flag(self, node: cst.Call, keyword: str, index: int | None, env: str, message: str,
                    confidence: Confidence | None = None) -> None:
        ctx = self.ctx
        value = ctx.argument(node, keyword, index)
        if value is None or in_dev_branch(ctx):
            return
        if ctx.literal(value) is True:
            new = set_argument(node, keyword, index, f'os.environ.get("{env}") == "1"')
            # Reported on the call, where Bandit's B201 points too (one comment, not two).
            self.report(node, f"{message}; read it from the environment, default off{os_hint(ctx)}",
                        fix=ctx.replace(node, new, f"read {keyword} from {env}"), confidence=confidence)
        else:
            self._check_env_default(value, markup.code(f'{keyword}='))

    # --- app.debug = True ---------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        for target in node.targets:
            attribute = target.target
            if isinstance(attribute, cst.Attribute) and attribute.attr.value == "debug" \
                    and self.ctx.literal(node.value) is True and self._is_app(attribute.value) \
                    and not in_dev_branch(self.ctx):
                self.report(node.value, f"{markup.code(f'{self.ctx.code(attribute)} = True')} turns on the debugger and tracebacks "
                            f"in responses; read it from the environment, default off{os_hint(self.ctx)}",
                            fix=self.ctx.replace(node.value, 'os.environ.get("FLASK_DEBUG") == "1"',
                                                 "read debug from FLASK_DEBUG"))

    def _is_app(self, receiver: cst.BaseExpression) -> bool:
        name = self.ctx.qualname(receiver) or ""
        if name.split(".")[0] in ("flask", "quart", "fastapi", "starlette"):
            return True
        roots = imported_roots(self.ctx)
        return isinstance(receiver, cst.Name) and "app" in identifier_words(receiver.value) and bool(
            roots & {"flask", "quart", "fastapi", "starlette"})

    # --- DEBUG settings -----------------------------------------------------------------------
    def finish(self) -> None:
        for setting in self.settings:
            if setting.dev or not self._is_debug_setting(setting):
                continue
            if self.ctx.literal(setting.value) is True:
                if self.overridden(setting):
                    continue
                env = "DJANGO_DEBUG" if setting.django and setting.container == "module" else "FLASK_DEBUG"
                self.report(setting.value, f"`DEBUG = True` in {self._where(setting)} shows tracebacks and settings "
                            f"to anyone who triggers an error; read it from the environment, default off"
                            f"{os_hint(self.ctx)}",
                            fix=self.ctx.replace(setting.value, f'os.environ.get("{env}") == "1"', f"read DEBUG from {env}"))
            elif setting.scope_values == 1:
                self._check_env_default(setting.value, "`DEBUG`")

    def _is_debug_setting(self, setting: Setting) -> bool:
        """Module constants only in settings/config modules; class attributes only in config classes."""
        if setting.container == "config":
            return True
        if setting.container == "module":
            stem = set(identifier_words(PurePosixPath(self.ctx.path.replace("\\", "/")).stem))
            return bool(stem & {"settings", "config", "conf", "configs", "production", "prod"}) or module_binds(
                self.ctx, "INSTALLED_APPS")
        class_name = setting.container.removeprefix("class:")
        return bool(set(identifier_words(class_name)) & {"config", "settings", "configuration", "prod", "production"})

    def _where(self, setting: Setting) -> str:
        if setting.container.startswith("class:"):
            return markup.code(setting.container.removeprefix('class:'))
        return "the app config" if setting.container == "config" else "this settings module"

    def _check_env_default(self, value: cst.BaseExpression, what: str) -> None:
        ctx = self.ctx
        reads = _env_reads(ctx, value)
        if len(reads) != 1 or _unset_value(ctx, value) is not True:
            return
        default = _env_default(ctx, reads[0])
        fix: Fix | None = None
        if default is not None and _unset_value(ctx, value, flipped=default) is False:
            literal = ctx.literal(default)
            new = repr(_flip(literal)) if not isinstance(literal, str) else \
                default.with_changes(value=default.value.replace(literal, _flip(literal))) \
                if isinstance(default, cst.SimpleString) else None
            if new is not None:
                fix = ctx.replace(default, new, "default debug to off")
        self.report(value, f"{what} is on when the environment variable is unset (the default is "
                    f"{markup.code(ctx.code(default) if default is not None else '?')}); default to off", fix=fix,
                    confidence=Confidence.MEDIUM)


__all__ = ["DebugEnabled"]
