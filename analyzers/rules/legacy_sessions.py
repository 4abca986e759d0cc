"""AR3xx (sessions): cookie flags, session and CSRF settings, CSRF exemptions, CORS with credentials, debug mode."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, ClassVar

import libcst as cst

from ..context import UNKNOWN, FileContext
from .. import markup
from ..findings import Confidence, Fix, Severity
from ..rule import Invalid, Rule, Valid
from ._common import is_env_read, remove_keyword, set_keyword, target_name

# --- vocabulary -----------------------------------------------------------------------

# Word parts of a cookie name that mark an authentication/session cookie.
_AUTH_COOKIE_WORDS = frozenset({
    "session", "sessionid", "sessid", "sess", "sid", "ssid", "phpsessid", "jsessionid", "token",
    "accesstoken", "refreshtoken", "idtoken", "authtoken", "jwt", "auth", "authorization", "authn",
    "remember", "rememberme", "remembertoken", "apikey", "bearer", "credentials",
})
# A variable holding a cookie name may also say only "access"/"refresh" (JWT_ACCESS_COOKIE_NAME).
_AUTH_IDENTIFIER_WORDS = _AUTH_COOKIE_WORDS | {"access", "refresh"}
# CSRF cookies are read by the page's JavaScript (double submit): HttpOnly is not required.
_CSRF_COOKIE_WORDS = frozenset({"csrf", "csrftoken", "xsrf", "xsrftoken"})
# Words that mark development/test configuration (class names, file names, `if` conditions).
_DEV_WORDS = frozenset({"dev", "develop", "development", "local", "test", "tests", "testing", "debug", "ci"})


def _words(name: str) -> list[str]:
    """``SessionCookieName`` / ``session-cookie_name`` -> ``["session", "cookie", "name"]``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _cookie_kind(name: str, identifier: bool = False) -> str | None:
    """``"auth"``, ``"csrf"`` or None (a theme or locale cookie)."""
    words = set(_words(name))
    if words & _CSRF_COOKIE_WORDS:
        return "csrf"
    if words & (_AUTH_IDENTIFIER_WORDS if identifier else _AUTH_COOKIE_WORDS):
        return "auth"
    return None


def _is_dev_name(name: str) -> bool:
    return bool(set(_words(name)) & _DEV_WORDS)


def _is_dev_file(ctx: FileContext) -> bool:
    """``settings/dev.py``, ``local_settings.py``, ``config_testing.py``."""
    return _is_dev_name(PurePosixPath(ctx.path.replace("\\", "/")).stem)


def _imported_roots(ctx: FileContext) -> set[str]:
    return {q.split(".")[0] for q in ctx.index.imports.values()}


def _module_binds(ctx: FileContext, name: str) -> bool:
    return (id(ctx.module), name) in ctx.index.bindings


def _is_django_settings(ctx: FileContext) -> bool:
    stem = PurePosixPath(ctx.path.replace("\\", "/")).stem
    return (
        "settings" in _words(stem)
        or "django" in _imported_roots(ctx)
        or any(_module_binds(ctx, n) for n in ("INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE"))
    )


def _os_hint(ctx: FileContext) -> str:
    return "" if ctx.index.imports.get("os") == "os" else " (add `import os`)"


def _in_dev_branch(ctx: FileContext) -> bool:
    """Inside ``if app.debug:``/``if TESTING:`` (or the ``else`` of ``if not DEBUG:``), or a dev/test helper."""
    stack = ctx.stack
    for i, node in enumerate(stack[:-1]):
        child = stack[i + 1]
        if isinstance(node, cst.If):
            negated = isinstance(node.test, cst.UnaryOperation) and isinstance(node.test.operator, cst.Not)
            mentions_dev = _is_dev_name(ctx.code(node.test))
            in_body = child is node.body
            if mentions_dev and in_body != negated:
                return True
        elif isinstance(node, cst.FunctionDef) and _is_dev_name(node.name.value):
            return True
    return False


def _set_argument(call: cst.Call, keyword: str, index: int | None, value: str) -> cst.Call:
    """``call`` with the argument ``keyword`` (or its positional ``index``) set to ``value``."""
    if FileContext.keyword(call, keyword) is None and index is not None:
        arg = FileContext.positional(call, index)
        if arg is not None:
            args = [a.with_changes(value=cst.parse_expression(value)) if a is arg else a for a in call.args]
            return call.with_changes(args=args)
    return set_keyword(call, keyword, value)


def _star_kwargs(ctx: FileContext, call: cst.Call) -> dict[str, Any] | None:
    """Keywords passed through ``**name`` when ``name`` is a literal dict; None when unknowable."""
    result: dict[str, Any] = {}
    for arg in call.args:
        if arg.star == "**":
            value = ctx.literal(arg.value)
            if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                return None
            result.update(value)
    return result


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


# --- settings: module constants, config classes, app.config[...], config.update(...) -----------

@dataclass
class _Setting:
    key: str
    value: cst.BaseExpression
    container: str  # "module", "config" (app.config / settings.configure) or "class:<Name>"
    dev: bool
    django: bool
    scope_values: int  # how many times the key is bound in its module or class scope


_CONFIG_METHODS = frozenset({"update", "from_mapping", "setdefault"})


class _SettingsRule(Rule):
    """Collects framework settings in every form; subclasses decide which are insecure (no ``id``: abstract)."""

    KEYS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.settings: list[_Setting] = []
        self._dev_file = _is_dev_file(ctx)
        self._django = _is_django_settings(ctx)

    # collection
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._collect_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._collect_target(node.target, node.value)

    def _collect_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and target.value in self.KEYS:
            owner = self.ctx.enclosing(cst.FunctionDef, cst.ClassDef)
            if owner is None:
                bound = len(self.ctx.index.bindings.get((id(self.ctx.module), target.value), []))
                self._add(target.value, value, "module", bound)
            elif isinstance(owner, cst.ClassDef):
                bound = len(self.ctx.index.bindings.get((id(owner), target.value), []))
                self._add(target.value, value, f"class:{owner.name.value}", bound,
                          dev=_is_dev_name(owner.name.value))
        elif isinstance(target, cst.Subscript) and _is_config_object(self.ctx, target.value):
            key = target_name(target)
            if key in self.KEYS:
                self._add(key, value, "config", 1)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        is_config = func.attr.value in _CONFIG_METHODS and _is_config_object(self.ctx, func.value)
        is_configure = self.ctx.qualname(func) == "django.conf.settings.configure"
        if not (is_config or is_configure):
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in self.KEYS:
                self._add(arg.keyword.value, arg.value, "config", 1)
            elif arg.keyword is None and not arg.star:
                self._collect_mapping(arg.value)

    def _collect_mapping(self, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Dict):
            for element in value.elements:
                if isinstance(element, cst.DictElement):
                    key = self.ctx.string(element.key)
                    if key in self.KEYS:
                        self._add(key, element.value, "config", 1)
        elif isinstance(value, cst.Call) and self.ctx.qualname(value.func) == "builtins.dict":
            for arg in value.args:
                if arg.keyword is not None and arg.keyword.value in self.KEYS:
                    self._add(arg.keyword.value, arg.value, "config", 1)

    def _add(self, key: str, value: cst.BaseExpression, container: str, bound: int, dev: bool = False) -> None:
        dev = dev or self._dev_file or _in_dev_branch(self.ctx)
        self.settings.append(_Setting(key, value, container, dev, self._django, bound))

    # queries used in finish()
    def lookup(self, key: str, near: _Setting) -> list[_Setting]:
        """Settings of ``key`` in effect where ``near`` is: the nearest class of its MRO that sets it,
        else the module and app.config ones."""
        for container in self._lineage(near.container):
            found = [s for s in self.settings if s.key == key and s.container == container]
            if found:
                return found
        return [s for s in self.settings if s.key == key and not s.container.startswith("class:")]

    def overridden(self, setting: _Setting) -> bool:
        """Whether the value never reaches production: a module constant bound more than once
        (``X = False`` then ``if not DEBUG: X = True``), or a base-class value that every non-dev
        subclass overrides (``ProductionConfig(Config)`` sets its own)."""
        if setting.scope_values > 1:
            return True
        if not setting.container.startswith("class:"):
            return False
        subclasses = [c for c in self.ctx.index.classes if setting.container in self._lineage(f"class:{c}")[1:]]
        production = [c for c in subclasses if not _is_dev_name(c)]
        if not production:
            return False  # the base itself is what gets used
        return not any(setting in self.lookup(setting.key, _Setting(setting.key, setting.value, f"class:{c}",
                                                                    False, False, 1)) for c in production)

    def _lineage(self, container: str) -> list[str]:
        """``class:X`` then its base classes defined in this file, nearest first (an MRO approximation)."""
        result = [container]
        todo = [container.removeprefix("class:")] if container.startswith("class:") else []
        while todo:
            cls = self.ctx.index.classes.get(todo.pop(0))
            if cls is None:
                continue
            for base in cls.bases:
                name = self.ctx.dotted_name(base.value)
                if name and f"class:{name.split('.')[-1]}" not in result:
                    result.append(f"class:{name.split('.')[-1]}")
                    todo.append(name.split(".")[-1])
        return result


def _is_config_object(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """``app.config``, ``current_app.config``, ``self.app.config``, a local ``config`` dict."""
    if isinstance(node, cst.Attribute):
        return node.attr.value == "config"
    if isinstance(node, cst.Name):
        return node.value in ("config", "app_config") or (ctx.qualname(node) or "").endswith(".config")
    return False


# --- AR301 ------------------------------------------------------------------------------

_WERKZEUG_POSITIONS = {"max_age": 2, "expires": 3, "secure": 6, "httponly": 7, "samesite": 8}
# Positional index of each parameter, per framework's ``set_cookie`` signature.
_POSITIONS: dict[str, dict[str, int]] = {
    "werkzeug": _WERKZEUG_POSITIONS, "django": _WERKZEUG_POSITIONS, "starlette": _WERKZEUG_POSITIONS,
    "aiohttp": {}, "bottle": {}, "tornado": {"expires": 3, "expires_days": 5},
    "falcon": {"expires": 2, "max_age": 3, "secure": 6, "http_only": 7, "same_site": 8},
}
# What a missing flag means per framework (Starlette defaults SameSite to lax; Falcon is secure by default).
_DEFAULTS: dict[str, dict[str, Any]] = {"starlette": {"samesite": "lax"}, "falcon": {"secure": True, "httponly": True}}
_FRAMEWORK_ROOTS = {
    "flask": "werkzeug", "werkzeug": "werkzeug", "quart": "werkzeug", "django": "django",
    "rest_framework": "django", "starlette": "starlette", "fastapi": "starlette", "aiohttp": "aiohttp",
    "tornado": "tornado", "falcon": "falcon", "bottle": "bottle",
}
_LONG_LIVED = ("refresh", "remember")


class CookieFlags(Rule):
    """What it does: flags authentication, session and token cookies (``session``, ``sessionid``,
    ``access_token``, ``jwt``, ``remember_token``...) set with ``set_cookie`` (Flask/Werkzeug, Django,
    Starlette/FastAPI, aiohttp, Tornado, Falcon, Bottle) without ``httponly=True``, ``secure=True``,
    a ``samesite`` policy, or a lifetime (``max_age``/``expires``). CSRF cookies are not required to be
    HttpOnly (the page reads them); cookies that are being deleted are ignored.

    Why is this bad: without HttpOnly any XSS reads the session token; without Secure it travels in clear
    over plain HTTP; without SameSite the browser attaches it to cross-site requests (CSRF); a token cookie
    with no lifetime lives as long as the browser session does, regardless of the token.

    Example:
        resp.set_cookie("session", sid)

    Use instead:
        resp.set_cookie("session", sid, max_age=3600, httponly=True, secure=True, samesite="Lax")
    """

    id = "AR301"
    name = "cookie-flags"
    title = "Session or token cookie without secure flags"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 614
    prefilter = re.compile(r"set_cookie")
    in_tests = False

    VALID = [
        'resp.set_cookie("session", sid, max_age=3600, httponly=True, secure=True, samesite="Lax")',
        # Not an authentication cookie.
        'resp.set_cookie("theme", "dark")',
        'resp.set_cookie("locale", lang, max_age=86400)',
        # Clearing the cookie at logout.
        'resp.set_cookie("session", "", expires=0)',
        'resp.set_cookie("access_token", "", max_age=0)',
        # Flags from settings: not knowable, not reported.
        "from django.conf import settings\n"
        "response.set_cookie(settings.SESSION_COOKIE_NAME, key, max_age=settings.SESSION_COOKIE_AGE,\n"
        "                    secure=settings.SESSION_COOKIE_SECURE, httponly=settings.SESSION_COOKIE_HTTPONLY,\n"
        "                    samesite=settings.SESSION_COOKIE_SAMESITE)",
        # Starlette defaults SameSite to lax.
        "from fastapi import Response\n"
        "def login(response: Response):\n"
        '    response.set_cookie("access_token", tok, max_age=900, httponly=True, secure=True)',
        # CSRF cookie: JavaScript must read it (double submit).
        'resp.set_cookie("csrftoken", tok, max_age=3600, secure=True, samesite="Strict")',
        # SameSite=None is fine together with Secure.
        'resp.set_cookie("sid", sid, max_age=60, httponly=True, secure=True, samesite="None")',
        # Options from a dict we cannot see.
        'resp.set_cookie("session", sid, **cookie_options)',
        # Options from a literal dict we can.
        'OPTS = {"httponly": True, "secure": True, "samesite": "Lax", "max_age": 600}\n'
        'resp.set_cookie("session", sid, **OPTS)',
        # A cookie jar, not a response.
        "import http.cookiejar\njar = http.cookiejar.CookieJar()\njar.set_cookie(cookie)",
        # Falcon is Secure and HttpOnly by default.
        "import falcon\n"
        "def on_post(req, resp):\n"
        '    resp.set_cookie("session", sid, max_age=600, same_site="Lax")',
    ]
    INVALID = [
        Invalid(
            'from flask import make_response\nresp = make_response("ok")\nresp.set_cookie("session", sid)',
            fixed='from flask import make_response\nresp = make_response("ok")\n'
            'resp.set_cookie("session", sid, httponly=True, secure=True, samesite="Lax", max_age=3600)',
        ),
        # Only one flag missing; multi-line call keeps its layout.
        Invalid(
            "def login(request):\n"
            "    response = HttpResponse()\n"
            "    response.set_cookie(\n"
            '        "sessionid",\n'
            "        key,\n"
            "        max_age=3600,\n"
            "        httponly=True,\n"
            '        samesite="Lax",\n'
            "    )\n"
            "    return response\n",
            fixed="def login(request):\n"
            "    response = HttpResponse()\n"
            "    response.set_cookie(\n"
            '        "sessionid",\n'
            "        key,\n"
            "        max_age=3600,\n"
            "        httponly=True,\n"
            '        samesite="Lax",\n'
            "        secure=True,\n"
            "    )\n"
            "    return response\n",
        ),
        # Explicitly insecure values.
        Invalid(
            'resp.set_cookie("jwt", token, max_age=600, httponly=False, secure=True, samesite="Strict")',
            fixed='resp.set_cookie("jwt", token, max_age=600, httponly=True, secure=True, samesite="Strict")',
        ),
        # Positional form (key, value, max_age, expires, path, domain, secure, httponly).
        Invalid(
            'resp.set_cookie("auth_token", tok, 3600, None, "/", None, False, True, "Lax")',
            fixed='resp.set_cookie("auth_token", tok, 3600, None, "/", None, True, True, "Lax")',
        ),
        # SameSite=None without Secure is rejected by browsers and leaks over HTTP.
        Invalid(
            'resp.set_cookie("sid", sid, max_age=60, httponly=True, samesite="None")',
            fixed='resp.set_cookie("sid", sid, max_age=60, httponly=True, samesite="None", secure=True)',
        ),
        # The name comes from a constant that says what it is.
        Invalid(
            "from django.conf import settings\n"
            "response.set_cookie(settings.SESSION_COOKIE_NAME, key, max_age=60, secure=True, samesite='Lax')",
            fixed="from django.conf import settings\n"
            "response.set_cookie(settings.SESSION_COOKIE_NAME, key, max_age=60, secure=True, samesite='Lax', "
            "httponly=True)",
        ),
        # aiohttp, keyword-only flags; a refresh token gets a week.
        Invalid(
            "from aiohttp import web\n"
            "async def login(request):\n"
            "    resp = web.json_response({})\n"
            '    resp.set_cookie("refresh_token", tok, httponly=True, secure=True, samesite="Strict")\n',
            fixed="from aiohttp import web\n"
            "async def login(request):\n"
            "    resp = web.json_response({})\n"
            '    resp.set_cookie("refresh_token", tok, httponly=True, secure=True, samesite="Strict", '
            "max_age=7 * 24 * 3600)\n",
        ),
        # CSRF cookie: Secure and SameSite still required.
        Invalid(
            'resp.set_cookie("XSRF-TOKEN", tok, max_age=3600)',
            fixed='resp.set_cookie("XSRF-TOKEN", tok, max_age=3600, secure=True, samesite="Lax")',
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "set_cookie":
            return
        framework = self._framework(func.value)
        if framework is None:
            return
        cookie = self._cookie_name(node)
        if cookie is None:
            return
        name, kind, confidence = cookie
        extra = _star_kwargs(self.ctx, node)
        if extra is None or self._is_deletion(node, framework, extra):
            return
        self._check(node, framework, name, kind, confidence, extra)

    def _check(self, node: cst.Call, framework: str, name: str, kind: str,
               confidence: Confidence, extra: dict[str, Any]) -> None:
        ctx = self.ctx
        positions = _POSITIONS[framework]
        defaults = _DEFAULTS.get(framework, {})
        keywords = {"httponly": "http_only", "samesite": "same_site"} if framework == "falcon" else {}

        def flag(flag_name: str) -> tuple[bool, Any]:
            keyword = keywords.get(flag_name, flag_name)
            if keyword in extra:
                return True, extra[keyword]
            expr = ctx.argument(node, keyword, positions.get(keyword))
            if expr is None:
                return False, defaults.get(flag_name)
            return True, ctx.literal(expr)

        changes: list[tuple[str, str]] = []  # (keyword, new value)
        problems: list[str] = []
        _, secure = flag("secure")
        secure_ok = secure is UNKNOWN or bool(secure)
        if kind == "auth":
            present, httponly = flag("httponly")
            if not (httponly is UNKNOWN or bool(httponly)):
                problems.append("`httponly=False`" if present else "no `httponly=True`")
                changes.append((keywords.get("httponly", "httponly"), "True"))
        if not secure_ok:
            present, _ = flag("secure")
            problems.append("`secure=False`" if present else "no `secure=True`")
            changes.append(("secure", "True"))
        present, samesite = flag("samesite")
        if samesite is not UNKNOWN and not samesite:
            problems.append(markup.code(f'samesite={samesite!r}') if present else "no `samesite`")
            changes.append((keywords.get("samesite", "samesite"), '"Lax"'))
        elif isinstance(samesite, str) and samesite.lower() == "none" and not secure_ok:
            problems.append("`samesite=\"None\"` without Secure")
        lifetime = [k for k in ("max_age", "expires", "expires_days") if k in extra
                    or ctx.argument(node, k, positions.get(k)) is not None]
        lifetime_value = "7 * 24 * 3600" if any(w in name.lower() for w in _LONG_LIVED) else "3600"
        if not lifetime:
            problems.append("no `max_age`/`expires`")
            changes.append(("max_age", lifetime_value))
        if not problems:
            return
        new = node
        for keyword, value in changes:
            new = _set_argument(new, keyword, positions.get(keyword), value)
        description = ", ".join(f"{k}={v}" for k, v in changes)
        lifetime_note = (f"; the fix adds {markup.code(f'max_age={lifetime_value}')} seconds, adjust it to the session lifetime"
                         if not lifetime else "")
        what = "CSRF cookie" if kind == "csrf" else "authentication cookie"
        only_lifetime = problems == ["no `max_age`/`expires`"]
        self.report(
            node,
            f"{what} {markup.code(name)} is set with {', '.join(problems)}{lifetime_note}",
            fix=ctx.replace(node, new, f"set {description}"),
            confidence=confidence,
            severity=Severity.LOW if only_lifetime else None,
        )

    def _framework(self, receiver: cst.BaseExpression) -> str | None:
        """Which ``set_cookie`` this is, from the receiver's type, else from the file's imports."""
        ctx = self.ctx
        qualname = ctx.qualname(receiver) or self._annotation(receiver) or ""
        if "test_client" in qualname or qualname.startswith(("http.cookiejar", "requests", "httpx")):
            return None
        root = qualname.split(".")[0]
        if root in _FRAMEWORK_ROOTS:
            return _FRAMEWORK_ROOTS[root]
        if isinstance(receiver, cst.Name) and receiver.value == "self":
            cls = ctx.enclosing(cst.ClassDef)
            if isinstance(cls, cst.ClassDef):
                for base in cls.bases:
                    base_root = (ctx.qualname(base.value) or "").split(".")[0]
                    if base_root in _FRAMEWORK_ROOTS:
                        return _FRAMEWORK_ROOTS[base_root]
        imported = [_FRAMEWORK_ROOTS[r] for r in sorted(_imported_roots(ctx)) if r in _FRAMEWORK_ROOTS]
        families = set(imported)
        return families.pop() if len(families) == 1 else "werkzeug"

    def _annotation(self, receiver: cst.BaseExpression) -> str | None:
        """The annotated type of a parameter (``response: Response``)."""
        function = self.ctx.enclosing_function()
        if not isinstance(receiver, cst.Name) or function is None:
            return None
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.name.value == receiver.value and param.annotation is not None:
                annotation = self.ctx.qualname(param.annotation.annotation)
                return f"{annotation}()" if annotation else None
        return None

    def _cookie_name(self, node: cst.Call) -> tuple[str, str, Confidence] | None:
        ctx = self.ctx
        expr = ctx.argument(node, "key", 0) or ctx.argument(node, "name")
        if expr is None:
            return None
        literal = ctx.string(expr)
        if literal is not None:
            kind = _cookie_kind(literal)
            return (literal, kind, Confidence.HIGH) if kind else None
        identifier = target_name(expr)
        if identifier is None:
            return None
        words = _words(identifier)
        if "cookie" in words or "name" in words or "key" in words:
            kind = _cookie_kind(identifier, identifier=True)
            if kind:
                return ctx.code(expr), kind, Confidence.MEDIUM
        return None

    def _is_deletion(self, node: cst.Call, framework: str, extra: dict[str, Any]) -> bool:
        ctx = self.ctx
        positions = _POSITIONS[framework]
        if ctx.string(ctx.argument(node, "value", 1)) == "":
            return True
        for key in ("max_age", "expires", "expires_days"):
            value = extra.get(key, UNKNOWN)
            if value is UNKNOWN:
                value = ctx.literal(ctx.argument(node, key, positions.get(key)))
            if value == 0 and not isinstance(value, bool):
                return True
        return False


# --- AR302 ------------------------------------------------------------------------------

# Settings and their insecure literal values; the fix's secure value.
_SECURE_FLAGS = {
    "SESSION_COOKIE_SECURE": "True", "SESSION_COOKIE_HTTPONLY": "True", "CSRF_COOKIE_SECURE": "True",
    "REMEMBER_COOKIE_SECURE": "True", "REMEMBER_COOKIE_HTTPONLY": "True",
}
_SAMESITE = {"SESSION_COOKIE_SAMESITE": "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE": "CSRF_COOKIE_SECURE",
             "REMEMBER_COOKIE_SAMESITE": "REMEMBER_COOKIE_SECURE"}
_LIFETIMES = ("PERMANENT_SESSION_LIFETIME", "SESSION_COOKIE_AGE")
_MAX_LIFETIME = 31 * 24 * 3600  # Flask's own default; anything longer is a choice worth a look
_TIMEDELTA_ORDER = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
_TIMEDELTA_SECONDS = {"days": 86400, "seconds": 1, "microseconds": 1e-6, "milliseconds": 1e-3,
                      "minutes": 60, "hours": 3600, "weeks": 604800}


def _seconds(ctx: FileContext, node: cst.BaseExpression | None, depth: int = 0) -> float | None:
    """Seconds in an int literal or a ``timedelta(...)`` of literals."""
    if node is None or depth > 2:
        return None
    value = ctx.literal(node)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(node, cst.Name):
        bound = ctx.value_of(node)
        return _seconds(ctx, bound, depth + 1) if bound is not None else None
    if isinstance(node, cst.Call) and ctx.qualname(node.func) == "datetime.timedelta":
        total = 0.0
        for i, unit in enumerate(_TIMEDELTA_ORDER):
            arg = ctx.argument(node, unit, i)
            if arg is None:
                continue
            amount = ctx.literal(arg)
            if not isinstance(amount, (int, float)):
                return None
            total += amount * _TIMEDELTA_SECONDS[unit]
        return total
    return None


class SessionConfigInsecure(_SettingsRule):
    """What it does: flags Flask, Flask-Login and Django session, remember-me and CSRF cookie settings set
    to insecure values: ``SESSION_COOKIE_SECURE``/``CSRF_COOKIE_SECURE``/``REMEMBER_COOKIE_SECURE = False``,
    ``SESSION_COOKIE_HTTPONLY``/``REMEMBER_COOKIE_HTTPONLY = False``, ``SESSION_COOKIE_SAMESITE = None``
    (Django) or ``"None"`` without Secure, and session lifetimes over 31 days. It reads module constants,
    config classes, ``app.config[...] =``, ``app.config.update(...)``/``from_mapping(...)`` and
    ``settings.configure(...)``. Settings left at their default, and development or test configuration
    (``DevelopmentConfig``, ``settings/dev.py``, ``if app.debug:``), are not reported.

    Why is this bad: the framework's session cookie carries the login. Sent over plain HTTP it can be
    sniffed; readable from JavaScript it is stolen by any XSS; sent on cross-site requests it enables CSRF;
    a months-long session keeps a stolen cookie useful.

    Example:
        class ProductionConfig(Config):
            SESSION_COOKIE_SECURE = False

    Use instead:
        class ProductionConfig(Config):
            SESSION_COOKIE_SECURE = True
    """

    id = "AR302"
    name = "session-config-insecure"
    title = "Insecure session cookie settings"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 614
    prefilter = re.compile(r"SESSION_|REMEMBER_COOKIE|CSRF_COOKIE")
    in_tests = False
    KEYS = frozenset({*_SECURE_FLAGS, *_SAMESITE, *_LIFETIMES})

    VALID = [
        "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\nCSRF_COOKIE_SECURE = True",
        # From the environment: not knowable.
        'import os\nSESSION_COOKIE_SECURE = os.environ.get("HTTPS") == "1"',
        "SESSION_COOKIE_SECURE = not DEBUG",
        # Development and test configuration.
        "class DevelopmentConfig(Config):\n    SESSION_COOKIE_SECURE = False",
        "class TestingConfig:\n    SESSION_COOKIE_SECURE = False\n    REMEMBER_COOKIE_SECURE = False",
        Valid("SESSION_COOKIE_SECURE = False\nCSRF_COOKIE_SECURE = False", path="myproject/settings/dev.py"),
        Valid("SESSION_COOKIE_SECURE = False", path="local_settings.py"),
        "if app.debug:\n    app.config['SESSION_COOKIE_SECURE'] = False",
        # The base class value is overridden where it matters.
        "class Config:\n    SESSION_COOKIE_SECURE = False\n"
        "class ProductionConfig(Config):\n    SESSION_COOKIE_SECURE = True",
        # Cross-site cookie done right.
        'SESSION_COOKIE_SAMESITE = "None"\nSESSION_COOKIE_SECURE = True',
        # Flask's default SameSite is None anyway; lifetimes within a month.
        "from datetime import timedelta\napp.config.update(SESSION_COOKIE_SAMESITE=None, "
        "PERMANENT_SESSION_LIFETIME=timedelta(days=7))",
        "SESSION_COOKIE_AGE = 60 * 60 * 24 * 14",
        # Another key that happens to mention SESSION_.
        'SESSION_ENGINE = "django.contrib.sessions.backends.cache"',
    ]
    INVALID = [
        Invalid(
            "class ProductionConfig(Config):\n    SESSION_COOKIE_SECURE = False\n",
            fixed="class ProductionConfig(Config):\n    SESSION_COOKIE_SECURE = True\n",
        ),
        Invalid(
            'app.config["SESSION_COOKIE_HTTPONLY"] = False',
            fixed='app.config["SESSION_COOKIE_HTTPONLY"] = True',
        ),
        Invalid(
            "app.config.update(\n    SECRET_KEY=key,\n    REMEMBER_COOKIE_SECURE=False,\n)",
            fixed="app.config.update(\n    SECRET_KEY=key,\n    REMEMBER_COOKIE_SECURE=True,\n)",
        ),
        Invalid(
            'app.config.from_mapping({"SESSION_COOKIE_SECURE": False})',
            fixed='app.config.from_mapping({"SESSION_COOKIE_SECURE": True})',
        ),
        Invalid(
            "INSTALLED_APPS = []\nSESSION_COOKIE_SAMESITE = None\n",
            fixed='INSTALLED_APPS = []\nSESSION_COOKIE_SAMESITE = "Lax"\n',
        ),
        Invalid(
            "CSRF_COOKIE_SECURE = False",
            path="mysite/settings.py",
            fixed="CSRF_COOKIE_SECURE = True",
        ),
        Invalid('SESSION_COOKIE_SAMESITE = "None"', fixed='SESSION_COOKIE_SAMESITE = "Lax"'),
        Invalid("from datetime import timedelta as td\nPERMANENT_SESSION_LIFETIME = td(days=365)"),
        Invalid("SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600"),
        # The base class is not overridden by any production subclass here.
        Invalid(
            "class Config:\n    SESSION_COOKIE_SECURE = False\nclass TestingConfig(Config):\n    TESTING = True\n",
            fixed="class Config:\n    SESSION_COOKIE_SECURE = True\nclass TestingConfig(Config):\n    TESTING = True\n",
        ),
    ]

    def finish(self) -> None:
        for setting in self.settings:
            if not setting.dev:
                self._check(setting)

    def _check(self, setting: _Setting) -> None:
        ctx = self.ctx
        key, value = setting.key, ctx.literal(setting.value)
        if key in _SECURE_FLAGS and value is False and not self.overridden(setting):
            what = "travel over plain HTTP" if key.endswith("SECURE") else "be read by JavaScript (and by any XSS)"
            self.report(setting.value, f"{markup.code(f'{key} = False')} lets the {_cookie_label(key)} {what}; set it to True",
                        fix=ctx.replace(setting.value, _SECURE_FLAGS[key], f"{key} = True"))
        elif key in _SAMESITE:
            self._check_samesite(setting, value)
        elif key in _LIFETIMES:
            seconds = _seconds(ctx, setting.value)
            if seconds is not None and seconds > _MAX_LIFETIME and not setting.scope_values > 1:
                self.report(setting.value, f"{markup.code(key)} keeps a session valid for {seconds / 86400:.0f} days; "
                            "a stolen session cookie stays useful that long, keep it to days or hours",
                            severity=Severity.LOW)

    def _check_samesite(self, setting: _Setting, value: Any) -> None:
        key = setting.key
        if isinstance(value, str) and value.lower() == "none":
            secure = [self.ctx.literal(s.value) for s in self.lookup(_SAMESITE[key], setting)]
            if secure and all(v is True or v is UNKNOWN for v in secure):
                return  # cross-site cookie with Secure: a deliberate, valid choice
            problem = markup.code(key + ' = "None"') + " without " + markup.code(f"{_SAMESITE[key]} = True")
        elif (value is None or value is False) and setting.django:
            problem = f"{markup.code(f'{key} = {value}')} turns off Django's default SameSite=Lax"
        else:
            return
        if self.overridden(setting):
            return
        self.report(setting.value, f"{problem}: the {_cookie_label(key)} is sent on cross-site requests; "
                    'use "Lax"', fix=self.ctx.replace(setting.value, '"Lax"', f'{key} = "Lax"'))


def _cookie_label(key: str) -> str:
    return {"SESSION": "session cookie", "CSRF": "CSRF cookie", "REMEMBER": "remember-me cookie"}[key.split("_")[0]]


# --- AR303 ------------------------------------------------------------------------------

_CSRF_EXEMPT = frozenset({"django.views.decorators.csrf.csrf_exempt"})
_METHOD_DECORATOR = frozenset({"django.utils.decorators.method_decorator"})
_SAFE_ONLY = frozenset({"django.views.decorators.http.require_GET", "django.views.decorators.http.require_safe"})
_REQUIRE_METHODS = frozenset({"django.views.decorators.http.require_http_methods"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Words in a view body that show the request is authenticated some way other than a cookie
# (a webhook signature, an Authorization header, a SAML assertion): CSRF does not apply.
_NON_COOKIE_AUTH = re.compile(
    r"signature|hmac|compare_digest|construct_event|verify_webhook|webhook_secret|signing_secret|saml|"
    r"authorization|bearer|x_hub|x-hub",
    re.IGNORECASE,
)
_CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
_SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
_SESSION_AUTHENTICATION = frozenset({"rest_framework.authentication.SessionAuthentication"})


class CsrfDisabled(_SettingsRule):
    """What it does: flags CSRF protection turned off: Django's ``@csrf_exempt`` (also through
    ``method_decorator`` and ``csrf_exempt(view)`` in ``urls.py``) on views that accept state-changing
    requests, Flask-WTF's ``@csrf.exempt``/``csrf.exempt(blueprint)``, ``WTF_CSRF_ENABLED = False`` and
    ``WTF_CSRF_CHECK_DEFAULT = False`` outside test configuration, a Django ``MIDDLEWARE`` with sessions
    but no ``CsrfViewMiddleware`` (or that removes it), and Django REST framework ``SessionAuthentication``
    subclasses whose ``enforce_csrf`` does nothing. Views that verify a webhook signature, read an
    ``Authorization`` header or receive SAML assertions are not reported: they are not cookie-authenticated.

    Why is this bad: a logged-in user's browser sends the session cookie with any form post a third-party
    site makes; without the CSRF token check that site can change the password, the e-mail or transfer
    funds on the user's behalf.

    Example:
        @csrf_exempt
        def change_email(request): ...

    Use instead:
        def change_email(request): ...  # and send the CSRF token from the page
    """

    id = "AR303"
    name = "csrf-disabled"
    title = "CSRF protection disabled"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 352
    prefilter = re.compile(r"(?i)csrf|SessionMiddleware")
    in_tests = False
    KEYS = frozenset({"WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT"})

    VALID = [
        # A webhook that verifies its signature.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "import hmac\n"
        "@csrf_exempt\n"
        "def stripe_webhook(request):\n"
        '    sig = request.headers["Stripe-Signature"]\n'
        "    event = stripe.Webhook.construct_event(request.body, sig, SECRET)\n",
        # Token-authenticated API: no cookie, no CSRF.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "@csrf_exempt\n"
        "def api_create(request):\n"
        '    token = request.META["HTTP_AUTHORIZATION"]\n',
        # Safe methods only.
        "from django.views.decorators.csrf import csrf_exempt\n"
        "from django.views.decorators.http import require_GET\n"
        "@csrf_exempt\n@require_GET\ndef feed(request):\n    return render(request, 'feed.xml')\n",
        # A Flask route that only answers GET.
        "from flask_wtf.csrf import CSRFProtect\ncsrf = CSRFProtect(app)\n"
        "@app.route('/health')\n@csrf.exempt\ndef health():\n    return 'ok'\n",
        # Some other project's csrf_exempt.
        "from myproject.utils import csrf_exempt\n@csrf_exempt\ndef f(request):\n    pass",
        # Test configuration.
        "class TestingConfig(Config):\n    WTF_CSRF_ENABLED = False",
        Valid("WTF_CSRF_ENABLED = False", path="config/testing.py"),
        "if app.testing:\n    app.config['WTF_CSRF_ENABLED'] = False",
        "WTF_CSRF_ENABLED = True",
        # CSRF middleware present.
        "MIDDLEWARE = [\n    'django.contrib.sessions.middleware.SessionMiddleware',\n"
        "    'django.middleware.csrf.CsrfViewMiddleware',\n]",
        # No sessions, no CSRF needed.
        "MIDDLEWARE = ['django.middleware.common.CommonMiddleware']",
        # enforce_csrf that still checks.
        "from rest_framework.authentication import SessionAuthentication\n"
        "class Auth(SessionAuthentication):\n"
        "    def enforce_csrf(self, request):\n"
        "        return super().enforce_csrf(request)\n",
    ]
    INVALID = [
        Invalid(
            "from django.views.decorators.csrf import csrf_exempt\n"
            "@csrf_exempt\n"
            "def change_email(request):\n"
            "    request.user.email = request.POST['email']\n",
            fixed="from django.views.decorators.csrf import csrf_exempt\n"
            "def change_email(request):\n"
            "    request.user.email = request.POST['email']\n",
        ),
        Invalid(
            "from django.views.decorators import csrf\n"
            "from django.utils.decorators import method_decorator\n"
            "@method_decorator(csrf.csrf_exempt, name='dispatch')\n"
            "class TransferView(View):\n"
            "    def post(self, request):\n"
            "        pass\n",
            fixed="from django.views.decorators import csrf\n"
            "from django.utils.decorators import method_decorator\n"
            "class TransferView(View):\n"
            "    def post(self, request):\n"
            "        pass\n",
        ),
        Invalid(
            "from django.views.decorators.csrf import csrf_exempt as no_csrf\n"
            "urlpatterns = [path('transfer/', no_csrf(views.transfer))]\n",
            fixed="from django.views.decorators.csrf import csrf_exempt as no_csrf\n"
            "urlpatterns = [path('transfer/', views.transfer)]\n",
        ),
        Invalid(
            "from flask_wtf.csrf import CSRFProtect\ncsrf = CSRFProtect(app)\n"
            "@app.route('/transfer', methods=['POST'])\n@csrf.exempt\ndef transfer():\n    pass\n",
            fixed="from flask_wtf.csrf import CSRFProtect\ncsrf = CSRFProtect(app)\n"
            "@app.route('/transfer', methods=['POST'])\ndef transfer():\n    pass\n",
        ),
        Invalid(
            "from app.extensions import csrf\ncsrf.exempt(api_bp)\n",
            fixed="from app.extensions import csrf\n",
        ),
        Invalid("WTF_CSRF_ENABLED = False", fixed="WTF_CSRF_ENABLED = True"),
        Invalid(
            "class ProductionConfig:\n    WTF_CSRF_CHECK_DEFAULT = False",
            fixed="class ProductionConfig:\n    WTF_CSRF_CHECK_DEFAULT = True",
        ),
        Invalid(
            "app.config['WTF_CSRF_ENABLED'] = False",
            fixed="app.config['WTF_CSRF_ENABLED'] = True",
        ),
        Invalid(
            "MIDDLEWARE = [\n"
            "    'django.contrib.sessions.middleware.SessionMiddleware',\n"
            "    'django.middleware.common.CommonMiddleware',\n"
            "    'django.contrib.auth.middleware.AuthenticationMiddleware',\n"
            "]\n",
            fixed="MIDDLEWARE = [\n"
            "    'django.contrib.sessions.middleware.SessionMiddleware',\n"
            "    'django.middleware.common.CommonMiddleware',\n"
            "    'django.middleware.csrf.CsrfViewMiddleware',\n"
            "    'django.contrib.auth.middleware.AuthenticationMiddleware',\n"
            "]\n",
        ),
        Invalid("MIDDLEWARE.remove('django.middleware.csrf.CsrfViewMiddleware')"),
        Invalid(
            "from rest_framework.authentication import SessionAuthentication\n"
            "class CsrfExemptSessionAuthentication(SessionAuthentication):\n"
            "    def enforce_csrf(self, request):\n"
            "        return\n",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._middleware: list[cst.Assign] = []
        self._mentions_csrf_middleware = False

    # --- decorators -------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.name.value == "enforce_csrf":
            self._check_enforce_csrf(node)
        for decorator in node.decorators:
            kind = self._exemption(decorator.decorator)
            if kind is None:
                continue
            if kind == "django" and (self._django_safe(node) or self._is_drf(node)):
                continue
            if kind == "flask" and self._flask_safe(node):
                continue
            self._report_decorator(decorator, node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            if self._exemption(decorator.decorator) == "django" and not self._uses_non_cookie_auth(node) \
                    and not self._is_drf(node):
                self._report_decorator(decorator, node.name.value)

    def _exemption(self, expr: cst.BaseExpression) -> str | None:
        """``"django"``, ``"flask"`` or None for a decorator expression."""
        ctx = self.ctx
        if ctx.qualname(expr) in _CSRF_EXEMPT:
            return "django"
        if isinstance(expr, cst.Call) and ctx.qualname(expr.func) in _METHOD_DECORATOR:
            first = ctx.argument(expr, "decorator", 0)
            decorators = first.elements if isinstance(first, (cst.List, cst.Tuple)) else [first]
            for item in decorators:
                value = item.value if isinstance(item, cst.BaseElement) else item
                if value is not None and ctx.qualname(value) in _CSRF_EXEMPT:
                    return "django"
            return None
        if isinstance(expr, cst.Attribute) and expr.attr.value == "exempt" and self._is_csrf_protect(expr.value):
            return "flask"
        return None

    def _is_drf(self, node: cst.FunctionDef | cst.ClassDef) -> bool:
        """Django REST framework views are exempt already; its SessionAuthentication enforces CSRF itself."""
        if isinstance(node, cst.ClassDef):
            return any((self.ctx.qualname(b.value) or "").startswith("rest_framework") for b in node.bases)
        for decorator in node.decorators:
            expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            if (self.ctx.qualname(expr) or "").startswith("rest_framework.decorators"):
                return True
        owner = self.ctx.enclosing(cst.ClassDef)
        return isinstance(owner, cst.ClassDef) and self._is_drf(owner)

    def _is_csrf_protect(self, node: cst.BaseExpression) -> bool:
        qualname = self.ctx.qualname(node) or ""
        if qualname.startswith("flask_wtf") and qualname.endswith("CSRFProtect()"):
            return True
        name = target_name(node)
        return name is not None and "csrf" in _words(name) and not qualname.startswith("django")

    def _report_decorator(self, decorator: cst.Decorator, view: str) -> None:
        pos = self.ctx.position(decorator)
        fix = self.ctx.replace_lines(pos.start.line, pos.end.line, "", "remove the CSRF exemption")
        self.report(decorator, f"{markup.code(self.ctx.code(decorator.decorator))} turns off CSRF protection for {markup.code(view)}, "
                    "which accepts state-changing requests authenticated by the session cookie; remove it and "
                    "send the CSRF token from the client", fix=fix)

    def _django_safe(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            expr = decorator.decorator
            if self.ctx.qualname(expr) in _SAFE_ONLY:
                return True
            if isinstance(expr, cst.Call) and self.ctx.qualname(expr.func) in _REQUIRE_METHODS:
                methods = self.ctx.literal(self.ctx.argument(expr, "request_method_list", 0))
                if isinstance(methods, (list, tuple)) and methods and set(map(str.upper, methods)) <= _SAFE_METHODS:
                    return True
        return self._uses_non_cookie_auth(node)

    def _flask_safe(self, node: cst.FunctionDef) -> bool:
        """Flask-WTF checks only unsafe methods: an exempt GET-only route loses nothing."""
        for decorator in node.decorators:
            expr = decorator.decorator
            if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)):
                continue
            method = expr.func.attr.value
            if method in ("get", "head"):
                return True
            if method == "route":
                methods = self.ctx.literal(self.ctx.argument(expr, "methods"))
                if self.ctx.argument(expr, "methods") is None:
                    return True
                if isinstance(methods, (list, tuple)) and set(map(str.upper, methods)) <= _SAFE_METHODS:
                    return True
        return self._uses_non_cookie_auth(node)

    def _uses_non_cookie_auth(self, node: cst.CSTNode) -> bool:
        for child in self.ctx.descendants(node):
            if isinstance(child, cst.Decorator):
                continue
            text = None
            if isinstance(child, cst.Name):
                text = child.value
            elif isinstance(child, cst.SimpleString):
                text = child.value
            if text and _NON_COOKIE_AUTH.search(text):
                return True
        return False

    # --- csrf_exempt(view), csrf.exempt(bp), MIDDLEWARE.remove(...) --------------------
    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        ctx = self.ctx
        parent = self.ctx.stack[-2] if len(self.ctx.stack) > 1 else None
        if isinstance(parent, cst.Decorator):
            return  # handled with the decorated definition
        if ctx.qualname(node.func) in _CSRF_EXEMPT and len(node.args) == 1:
            view = node.args[0].value
            bound = ctx.index.functions.get(view.value) if isinstance(view, cst.Name) else None
            if bound is not None and self._django_safe(bound):
                return
            self.report(node, f"{markup.code(ctx.code(node))} turns off CSRF protection for this view; remove the wrapper",
                        fix=ctx.replace(node, view, "remove csrf_exempt"),
                        confidence=Confidence.HIGH if bound is not None else Confidence.MEDIUM)
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "exempt" \
                and self._is_csrf_protect(node.func.value) and len(node.args) == 1:
            self._report_statement(node, f"{markup.code(ctx.code(node))} turns off Flask-WTF CSRF protection for "
                                   f"{markup.code(ctx.code(node.args[0].value))}; remove it")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "remove" \
                and ctx.string(ctx.argument(node, "x", 0)) == _CSRF_MIDDLEWARE:
            self.report(node, "`CsrfViewMiddleware` is removed from `MIDDLEWARE`: no view checks CSRF tokens")

    def _report_statement(self, node: cst.Call, message: str) -> None:
        statement = self.ctx.enclosing(cst.SimpleStatementLine)
        fix = None
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
                and isinstance(statement.body[0], cst.Expr) and statement.body[0].value is node:
            pos = self.ctx.position(statement)
            fix = self.ctx.replace_lines(pos.start.line, pos.end.line, "", "remove the CSRF exemption")
        self.report(node, message, fix=fix)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "csrf" in node.value.lower() and "middleware" in node.value.lower():
            parent = self.ctx.stack[-2] if len(self.ctx.stack) > 1 else None
            if not (isinstance(parent, cst.Arg) and isinstance(self.ctx.stack[-3], cst.Call)
                    and isinstance(self.ctx.stack[-3].func, cst.Attribute)
                    and self.ctx.stack[-3].func.attr.value == "remove"):
                self._mentions_csrf_middleware = True

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        if self.ctx.enclosing(cst.FunctionDef, cst.ClassDef) is not None:
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value in ("MIDDLEWARE", "MIDDLEWARE_CLASSES"):
                self._middleware.append(node)

    # --- enforce_csrf -------------------------------------------------------------------
    def _check_enforce_csrf(self, node: cst.FunctionDef) -> None:
        cls = self.ctx.enclosing(cst.ClassDef)
        if not isinstance(cls, cst.ClassDef):
            return
        if not any(self.ctx.qualname(b.value) in _SESSION_AUTHENTICATION for b in cls.bases):
            return
        if any(isinstance(n, (cst.Raise, cst.Call)) for n in self.ctx.descendants(node.body)):
            return
        self.report(node, f"{markup.code(f'{cls.name.value}.enforce_csrf')} does nothing, so session-authenticated API requests "
                    "skip Django REST framework's CSRF check; delete the override")

    # --- results ----------------------------------------------------------------------
    def finish(self) -> None:
        for setting in self.settings:
            if setting.dev or self.ctx.literal(setting.value) is not False or self.overridden(setting):
                continue
            confidence = Confidence.MEDIUM if setting.key == "WTF_CSRF_CHECK_DEFAULT" else None
            meaning = ("no view checks CSRF tokens unless it calls `csrf.protect()`"
                       if setting.key == "WTF_CSRF_CHECK_DEFAULT" else "Flask-WTF forms accept posts without a CSRF token")
            self.report(setting.value, f"{markup.code(f'{setting.key} = False')}: {meaning}; set it to True outside tests",
                        fix=self.ctx.replace(setting.value, "True", f"{setting.key} = True"), confidence=confidence)
        if not (self._dev_file or self._mentions_csrf_middleware):
            for assign in self._middleware:
                self._check_middleware(assign)

    def _check_middleware(self, assign: cst.Assign) -> None:
        ctx = self.ctx
        value = assign.value
        items = ctx.literal(value)
        if not isinstance(value, (cst.List, cst.Tuple)) or not isinstance(items, (list, tuple)):
            return
        if _SESSION_MIDDLEWARE not in items or len(ctx.index.bindings.get((id(ctx.module), "MIDDLEWARE"), [])) > 1:
            return
        after = "django.middleware.common.CommonMiddleware"
        index = items.index(after) if after in items else items.index(_SESSION_MIDDLEWARE)
        fix = ctx.replace(value, _insert_element(value, index, _CSRF_MIDDLEWARE), "add CsrfViewMiddleware")
        self.report(value, "`MIDDLEWARE` has `SessionMiddleware` but no `CsrfViewMiddleware`: no view checks "
                    "CSRF tokens; add it after `CommonMiddleware`", fix=fix)


def _insert_element(value: cst.List | cst.Tuple, index: int, text: str) -> cst.List | cst.Tuple:
    """``value`` with the string ``text`` inserted after element ``index``, in the list's layout.

    A comment after the neighbour rides on its comma: the new element goes after it, not copying it.
    """
    elements = list(value.elements)
    neighbour = elements[index]
    quote = "'" if isinstance(neighbour.value, cst.SimpleString) and neighbour.value.value.startswith("'") else '"'
    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    for element in elements:
        comma = element.comma
        if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
            separator = comma.with_changes(whitespace_after=comma.whitespace_after.with_changes(
                first_line=cst.TrailingWhitespace(), empty_lines=[]))
            break
    new = cst.Element(value=cst.SimpleString(f"{quote}{text}{quote}"), comma=separator)
    if index == len(elements) - 1:
        new = new.with_changes(comma=neighbour.comma)
        elements[index] = neighbour.with_changes(comma=separator)
    elements.insert(index + 1, new)
    return value.with_changes(elements=elements)


# --- AR304 ------------------------------------------------------------------------------

_FLASK_CORS = frozenset({"flask_cors.CORS", "flask_cors.cross_origin", "flask_cors.extension.CORS",
                         "flask_cors.decorator.cross_origin"})
_CORS_MIDDLEWARE = frozenset({"starlette.middleware.cors.CORSMiddleware", "fastapi.middleware.cors.CORSMiddleware"})
_MIDDLEWARE_WRAPPER = frozenset({"starlette.middleware.Middleware", "fastapi.middleware.Middleware"})
_ALLOW_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
_ORIGIN_REGEXES = ("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST")
_ORIGIN_LISTS = ("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST")
_ACAO = "access-control-allow-origin"
_ACAC = "access-control-allow-credentials"


class CorsCredentialsWildcard(_SettingsRule):
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
                        f"the environment{_os_hint(ctx)}", fix=fix)

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
                    f"from the environment{_os_hint(ctx)}",
                    fix=ctx.replace(node, new, "read origins from CORS_ORIGINS"))

    # --- manual headers ---------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        for target in node.targets:
            if isinstance(target.target, cst.Subscript) and (self.ctx.string(_subscript_key(target.target)) or "").lower() == _ACAO:
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
                pairs = [(_subscript_key(t.target), node.value) for t in node.targets if isinstance(t.target, cst.Subscript)]
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


def _subscript_key(node: cst.Subscript) -> cst.BaseExpression | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return node.slice[0].slice.value
    return None


# --- AR305 ------------------------------------------------------------------------------

_APP_CONSTRUCTORS = {
    "fastapi.FastAPI": ("debug", None), "fastapi.applications.FastAPI": ("debug", None),
    "starlette.applications.Starlette": ("debug", 0),
    "tornado.web.Application": ("debug", None),
    "quart.Quart": ("debug", None),
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


class DebugEnabled(_SettingsRule):
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
        if isinstance(receiver, cst.Name) and set(_words(receiver.value)) & {"app", "application"}:
            return True  # ``app = create_app()``, ``from myproject import app``
        roots = _imported_roots(self.ctx)
        return bool(roots & {"flask", "quart"}) and not (isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"))

    def _check_flag(self, node: cst.Call, keyword: str, index: int | None, env: str, message: str,
                    confidence: Confidence | None = None) -> None:
        ctx = self.ctx
        value = ctx.argument(node, keyword, index)
        if value is None or _in_dev_branch(ctx):
            return
        if ctx.literal(value) is True:
            new = _set_argument(node, keyword, index, f'os.environ.get("{env}") == "1"')
            # Reported on the call, where Bandit's B201 points too (one comment, not two).
            self.report(node, f"{message}; read it from the environment, default off{_os_hint(ctx)}",
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
                    and not _in_dev_branch(self.ctx):
                self.report(node.value, f"{markup.code(f'{self.ctx.code(attribute)} = True')} turns on the debugger and tracebacks "
                            f"in responses; read it from the environment, default off{_os_hint(self.ctx)}",
                            fix=self.ctx.replace(node.value, 'os.environ.get("FLASK_DEBUG") == "1"',
                                                 "read debug from FLASK_DEBUG"))

    def _is_app(self, receiver: cst.BaseExpression) -> bool:
        name = self.ctx.qualname(receiver) or ""
        if name.split(".")[0] in ("flask", "quart", "fastapi", "starlette"):
            return True
        roots = _imported_roots(self.ctx)
        return isinstance(receiver, cst.Name) and "app" in _words(receiver.value) and bool(
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
                            f"{_os_hint(self.ctx)}",
                            fix=self.ctx.replace(setting.value, f'os.environ.get("{env}") == "1"', f"read DEBUG from {env}"))
            elif setting.scope_values == 1:
                self._check_env_default(setting.value, "`DEBUG`")

    def _is_debug_setting(self, setting: _Setting) -> bool:
        """Module constants only in settings/config modules; class attributes only in config classes."""
        if setting.container == "config":
            return True
        if setting.container == "module":
            stem = set(_words(PurePosixPath(self.ctx.path.replace("\\", "/")).stem))
            return bool(stem & {"settings", "config", "conf", "configs", "production", "prod"}) or _module_binds(
                self.ctx, "INSTALLED_APPS")
        class_name = setting.container.removeprefix("class:")
        return bool(set(_words(class_name)) & {"config", "settings", "configuration", "prod", "production"})

    def _where(self, setting: _Setting) -> str:
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


__all__ = ["CookieFlags", "CorsCredentialsWildcard", "CsrfDisabled", "DebugEnabled", "SessionConfigInsecure"]
