"""AR301 cookie-flags: session or token cookie without secure flags."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule
from .._common import target_name
from ._shared import identifier_words, imported_roots, set_argument

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


def _cookie_kind(name: str, identifier: bool = False) -> str | None:
    """``"auth"``, ``"csrf"`` or None (a theme or locale cookie)."""
    words = set(identifier_words(name))
    if words & _CSRF_COOKIE_WORDS:
        return "csrf"
    if words & (_AUTH_IDENTIFIER_WORDS if identifier else _AUTH_COOKIE_WORDS):
        return "auth"
    return None


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
            confidence=Confidence.MEDIUM,
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
            new = set_argument(new, keyword, positions.get(keyword), value)
        description = ", ".join(f"{k}={v}" for k, v in changes)
        lifetime_note = (f"; the fix adds {markup.code(f'max_age={lifetime_value}')} seconds, adjust it to the session lifetime"
                         if not lifetime else "")
        what = "CSRF cookie" if kind == "csrf" else "authentication cookie"
        if kind == "csrf":
            # A CSRF token is no credential: read over plain HTTP it opens nothing without the session cookie.
            # Judged debatable each time on maintained code, so a lead for the summary, not an inline comment.
            confidence = min(confidence, Confidence.MEDIUM)
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
        imported = [_FRAMEWORK_ROOTS[r] for r in sorted(imported_roots(ctx)) if r in _FRAMEWORK_ROOTS]
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
        words = identifier_words(identifier)
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


__all__ = ["CookieFlags"]
