"""AR304 cors-credentials-wildcard: any-origin CORS with credentials."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Valid
from .._common import remove_keyword, set_keyword
from ._shared import SettingsRule, os_hint

_ATTACKER_ORIGINS = ("https://attacker.example", "http://evil.test")
_REGEX_CHARS = re.compile(r"[\\^$*+?{}\[\]|()]")


def _pattern_matches_anything(pattern: str) -> bool:
    """``*``, or a regex (``.*``, ``https://.*``) that accepts an attacker's origin."""
    if pattern.strip() == "*":
        return True
    if not _REGEX_CHARS.search(pattern):
        return False
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False
    return any(compiled.match(origin) for origin in _ATTACKER_ORIGINS)


def _is_any_origin(ctx: FileContext, node: cst.BaseExpression | None) -> bool:
    """``"*"``, ``["*"]``, ``r".*"``, ``r"https://.*"``, ``re.compile(".*")``."""
    if node is None:
        return False
    if isinstance(node, cst.Call) and ctx.qualname(node.func) == "re.compile":
        return _is_any_origin(ctx, ctx.argument(node, "pattern", 0))
    value = ctx.literal(node)
    if isinstance(value, str):
        return _pattern_matches_anything(value)
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, str) and _pattern_matches_anything(v) for v in value)
    if isinstance(node, (cst.List, cst.Tuple)):
        return any(isinstance(e, cst.Element) and _is_any_origin(ctx, e.value) for e in node.elements)
    return False


_ENV_ORIGINS = 'os.environ.get("CORS_ORIGINS", "").split(",")'

_FLASK_CORS = frozenset({"flask_cors.CORS", "flask_cors.cross_origin", "flask_cors.extension.CORS",
                         "flask_cors.decorator.cross_origin"})
_CORS_MIDDLEWARE = frozenset({"starlette.middleware.cors.CORSMiddleware", "fastapi.middleware.cors.CORSMiddleware"})
_MIDDLEWARE_WRAPPER = frozenset({"starlette.middleware.Middleware", "fastapi.middleware.Middleware"})
_ALLOW_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
_ORIGIN_REGEXES = ("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST")
_ORIGIN_LISTS = ("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST")
_ACAO = "access-control-allow-origin"
_ACAC = "access-control-allow-credentials"


class CorsCredentialsWildcard(SettingsRule):
    """What it does: flags CORS configurations that accept any origin together with credentials: flask-cors
    ``CORS(app, supports_credentials=True)`` or ``@cross_origin(supports_credentials=True)`` with the default
    or a ``"*"`` origin, Starlette/FastAPI ``CORSMiddleware`` with ``allow_origins=["*"]`` (or
    ``allow_origin_regex=".*"``) and ``allow_credentials=True``, django-cors-headers
    ``CORS_ALLOW_ALL_ORIGINS = True`` with ``CORS_ALLOW_CREDENTIALS = True``, and handlers that copy the
    request's ``Origin`` header into ``Access-Control-Allow-Origin`` while allowing credentials.

    Why is this bad: these libraries do not send ``*`` with credentials (browsers would refuse it); they
    echo the caller's origin instead. Any website the user visits can then make authenticated requests
    with the user's cookies and read the answers: account data, CSRF tokens, API keys.

    Example:
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)

    Use instead:
        app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)
    """

    id = "AR304"
    name = "cors-credentials-wildcard"
    title = "Any-origin CORS with credentials"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 942
    prefilter = re.compile(r"(?i)cors|access-control-allow")
    in_tests = False
    KEYS = frozenset({*_ALLOW_ALL, *_ORIGIN_REGEXES, *_ORIGIN_LISTS, "CORS_ALLOW_CREDENTIALS",
                      "CORS_SUPPORTS_CREDENTIALS", "CORS_ORIGINS"})

    VALID = [
        "from flask_cors import CORS\nCORS(app)",
        "from flask_cors import CORS\nCORS(app, origins=['https://app.example.com'], supports_credentials=True)",
        "from flask_cors import cross_origin\n@cross_origin(origins=ALLOWED, supports_credentials=True)\ndef f(): pass",
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=False)",
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=settings.ORIGINS, allow_credentials=True)",
        "CORS_ALLOW_ALL_ORIGINS = True",
        "CORS_ALLOWED_ORIGINS = ['https://a.example.com']\nCORS_ALLOW_CREDENTIALS = True",
        Valid("CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True", path="settings/dev.py"),
        # Origin checked against an allow-list before it is echoed.
        "def add_cors(resp):\n"
        "    origin = request.headers.get('Origin')\n"
        "    if origin in ALLOWED_ORIGINS:\n"
        "        resp.headers['Access-Control-Allow-Origin'] = origin\n"
        "        resp.headers['Access-Control-Allow-Credentials'] = 'true'\n"
        "    return resp\n",
        # Reflected origin without credentials.
        "def add_cors(resp):\n"
        "    resp.headers['Access-Control-Allow-Origin'] = request.headers['Origin']\n"
        "    return resp\n",
        # send_wildcard: flask-cors sends a literal * that browsers refuse with credentials.
        "from flask_cors import CORS\nCORS(app, supports_credentials=True, send_wildcard=True)",
    ]
    INVALID = [
        Invalid(
            "import os\nfrom flask_cors import CORS\nCORS(app, supports_credentials=True)",
            fixed="import os\nfrom flask_cors import CORS\n"
            f"CORS(app, supports_credentials=True, origins={_ENV_ORIGINS})",
        ),
        Invalid(
            "import os\nimport flask_cors\n"
            "flask_cors.CORS(app, resources={r'/api/*': {'origins': '*'}}, supports_credentials=True)",
        ),
        Invalid(
            "import os\nfrom flask_cors import cross_origin\n"
            "@cross_origin(origins='*', supports_credentials=True)\ndef me(): pass",
            fixed="import os\nfrom flask_cors import cross_origin\n"
            f"@cross_origin(origins={_ENV_ORIGINS}, supports_credentials=True)\ndef me(): pass",
        ),
        Invalid(
            "import os\nfrom fastapi.middleware.cors import CORSMiddleware\n"
            "app.add_middleware(\n"
            "    CORSMiddleware,\n"
            '    allow_origins=["*"],\n'
            "    allow_credentials=True,\n"
            ")\n",
            fixed="import os\nfrom fastapi.middleware.cors import CORSMiddleware\n"
            "app.add_middleware(\n"
            "    CORSMiddleware,\n"
            f"    allow_origins={_ENV_ORIGINS},\n"
            "    allow_credentials=True,\n"
            ")\n",
        ),
        Invalid(
            "import os\nfrom starlette.middleware import Middleware\n"
            "from starlette.middleware.cors import CORSMiddleware as Cors\n"
            "middleware = [Middleware(Cors, allow_origin_regex='.*', allow_credentials=True)]\n",
            fixed="import os\nfrom starlette.middleware import Middleware\n"
            "from starlette.middleware.cors import CORSMiddleware as Cors\n"
            f"middleware = [Middleware(Cors, allow_credentials=True, allow_origins={_ENV_ORIGINS})]\n",
        ),
        Invalid("CORS_ORIGIN_ALLOW_ALL = True\nCORS_ALLOW_CREDENTIALS = True\n"),
        Invalid(
            "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\nCORS_ALLOWED_ORIGINS = ['https://a.b']\n",
            fixed="CORS_ALLOW_ALL_ORIGINS = False\nCORS_ALLOW_CREDENTIALS = True\n"
            "CORS_ALLOWED_ORIGINS = ['https://a.b']\n",
        ),
        Invalid(
            "@app.after_request\n"
            "def add_cors(resp):\n"
            "    origin = request.headers.get('Origin')\n"
            "    resp.headers['Access-Control-Allow-Origin'] = origin\n"
            "    resp.headers['Access-Control-Allow-Credentials'] = 'true'\n"
            "    return resp\n",
        ),
        Invalid(
            "def options(request):\n"
            "    return HttpResponse(headers={\n"
            "        'Access-Control-Allow-Origin': request.META.get('HTTP_ORIGIN'),\n"
            "        'Access-Control-Allow-Credentials': 'true',\n"
            "    })\n",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._flask_cors_calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        ctx = self.ctx
        name = ctx.qualname(node.func) or ""
        if name in _FLASK_CORS or (name.startswith("flask_cors.") and name.endswith("CORS().init_app")):
            self._flask_cors_calls.append(node)
            self._check_flask_cors(node)
        elif name in _CORS_MIDDLEWARE:
            self._check_starlette(node)
        elif (name in _MIDDLEWARE_WRAPPER or (isinstance(node.func, cst.Attribute)
              and node.func.attr.value == "add_middleware")) and node.args \
                and ctx.qualname(node.args[0].value) in _CORS_MIDDLEWARE:
            self._check_starlette(node)
        else:
            self._check_header_call(node)

    def _check_flask_cors(self, node: cst.Call) -> None:
        ctx = self.ctx
        if ctx.has_star_kwargs(node) or ctx.literal(ctx.argument(node, "send_wildcard")) is True:
            return
        credentials = ctx.literal(ctx.argument(node, "supports_credentials")) is True
        origins = ctx.argument(node, "origins")
        top_any = origins is None or _is_any_origin(ctx, origins)
        resources = ctx.argument(node, "resources")
        if isinstance(resources, cst.Dict):
            for element in resources.elements:
                if not isinstance(element, cst.DictElement) or not isinstance(element.value, cst.Dict):
                    continue
                options = {ctx.string(e.key): e.value for e in element.value.elements if isinstance(e, cst.DictElement)}
                res_any = _is_any_origin(ctx, options["origins"]) if "origins" in options else top_any
                res_credentials = (ctx.literal(options["supports_credentials"]) is True
                                   if "supports_credentials" in options else credentials)
                if res_any and res_credentials:
                    self.report(element, f"CORS resource {markup.code(ctx.code(element.key))} allows any origin with "
                                "credentials (flask-cors echoes the caller's origin); list the allowed origins")
            return
        if credentials and top_any:
            fix = ctx.replace(node, set_keyword(node, "origins", _ENV_ORIGINS), "read origins from CORS_ORIGINS")
            self.report(node, "flask-cors allows any origin with `supports_credentials=True` (it echoes the caller's "
                        "origin), so every site can make authenticated requests; read the allowed origins from "
                        f"the environment{os_hint(ctx)}", fix=fix)

    def _check_starlette(self, node: cst.Call) -> None:
        ctx = self.ctx
        if ctx.has_star_kwargs(node) or ctx.literal(ctx.argument(node, "allow_credentials")) is not True:
            return
        origins = ctx.argument(node, "allow_origins")
        regex = ctx.argument(node, "allow_origin_regex")
        if not (_is_any_origin(ctx, origins) or _is_any_origin(ctx, regex)):
            return
        new = node
        if _is_any_origin(ctx, regex):
            new = remove_keyword(new, "allow_origin_regex")
        new = set_keyword(new, "allow_origins", _ENV_ORIGINS)
        self.report(node, "`CORSMiddleware` allows any origin with `allow_credentials=True`; Starlette then echoes "
                    "the caller's origin, so every site can make authenticated requests; read the allowed origins "
                    f"from the environment{os_hint(ctx)}",
                    fix=ctx.replace(node, new, "read origins from CORS_ORIGINS"))

    # --- manual headers ---------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        for target in node.targets:
            if isinstance(target.target, cst.Subscript) and (self.ctx.string(_subscript_index_expression(target.target)) or "").lower() == _ACAO:
                self._check_reflected(node.value, target.target)

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement) and (self.ctx.string(element.key) or "").lower() == _ACAO:
                self._check_reflected(element.value, element)

    def _check_header_call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("add", "set", "setdefault", "add_header",
                                                                             "append") and len(node.args) >= 2:
            if (self.ctx.string(node.args[0].value) or "").lower() == _ACAO:
                self._check_reflected(node.args[1].value, node)

    def _check_reflected(self, value: cst.BaseExpression, report_at: cst.CSTNode) -> None:
        origin_var = value.value if isinstance(value, cst.Name) else None
        if not self._reads_origin(value):
            return
        if origin_var and self._guarded(origin_var):
            return
        scope = self.ctx.enclosing_function() or self.ctx.module
        if not self._allows_credentials(scope):
            return
        self.report(report_at, "`Access-Control-Allow-Origin` echoes the request's `Origin` header while "
                    "`Access-Control-Allow-Credentials` is true: every site can make authenticated requests; "
                    "compare the origin with an allow-list first")

    def _reads_origin(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        if isinstance(node, cst.Name) and depth < 2:
            bound = self.ctx.value_of(node)
            return bound is not None and self._reads_origin(bound, depth + 1)
        nodes = [node, *self.ctx.descendants(node)]
        return any(isinstance(n, cst.SimpleString) and (self.ctx.string(n) or "").lower() in ("origin", "http_origin")
                   for n in nodes)

    def _guarded(self, name: str) -> bool:
        """The echo sits under an ``if`` that tests the origin (``if origin in ALLOWED:``)."""
        for ancestor in self.ctx.stack:
            if isinstance(ancestor, (cst.If, cst.IfExp)):
                if any(isinstance(n, cst.Name) and n.value == name for n in [ancestor.test,
                                                                            *self.ctx.descendants(ancestor.test)]):
                    return True
        return False

    def _allows_credentials(self, scope: cst.CSTNode) -> bool:
        for node in self.ctx.descendants(scope):
            if isinstance(node, cst.Assign):
                pairs = [(_subscript_index_expression(t.target), node.value) for t in node.targets if isinstance(t.target, cst.Subscript)]
            elif isinstance(node, cst.DictElement):
                pairs = [(node.key, node.value)]
            elif isinstance(node, cst.Call) and len(node.args) >= 2:
                pairs = [(node.args[0].value, node.args[1].value)]
            else:
                continue
            for key, value in pairs:
                if (self.ctx.string(key) or "").lower() == _ACAC:
                    literal = self.ctx.literal(value)
                    if literal is True or (isinstance(literal, str) and literal.lower() == "true"):
                        return True
        return False

    # --- settings -----------------------------------------------------------------------
    def finish(self) -> None:
        ctx = self.ctx
        has_list = any(s.key in _ORIGIN_LISTS for s in self.settings)
        for setting in self.settings:
            if setting.dev:
                continue
            value = ctx.literal(setting.value)
            if setting.key in _ALLOW_ALL and value is True or setting.key in _ORIGIN_REGEXES \
                    and _is_any_origin(ctx, setting.value):
                credentials = self.lookup("CORS_ALLOW_CREDENTIALS", setting)
                if credentials and all(ctx.literal(c.value) is True for c in credentials):
                    fix = (ctx.replace(setting.value, "False", "stop allowing all origins")
                           if has_list and setting.key in _ALLOW_ALL else None)
                    self.report(setting.value, f"{markup.code(setting.key)} accepts every origin while "
                                "`CORS_ALLOW_CREDENTIALS = True`: every site can make authenticated requests; "
                                "list the origins in `CORS_ALLOWED_ORIGINS`", fix=fix)
            elif setting.key == "CORS_SUPPORTS_CREDENTIALS" and value is True:
                origins = self.lookup("CORS_ORIGINS", setting)
                wildcard = any(_is_any_origin(ctx, o.value) for o in origins)
                if wildcard or (not origins and self._flask_cors_calls):
                    self.report(setting.value, "`CORS_SUPPORTS_CREDENTIALS = True` with any origin allowed "
                                "(`CORS_ORIGINS` is `*` or unset): flask-cors echoes the caller's origin; set "
                                "`CORS_ORIGINS` to the allowed origins")


def _subscript_index_expression(node: cst.Subscript) -> cst.BaseExpression | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return node.slice[0].slice.value
    return None


__all__ = ["CorsCredentialsWildcard"]
