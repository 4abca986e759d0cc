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
from ..tokens._shared import ALL_ENCODE
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


# Words of a cookie's name that say it holds no credential: a preference, a consent, an analytics id.
_BENIGN_COOKIE_WORDS = frozenset({
    "theme", "lang", "language", "locale", "tz", "timezone", "currency", "country", "region", "consent",
    "gdpr", "cookieconsent", "dismissed", "banner", "notice", "tour", "onboarding", "pref", "prefs",
    "preference", "preferences", "sidebar", "layout", "font", "color", "colour", "dark", "ga", "gid", "gat",
    "utm", "analytics", "tracking", "tracker", "visitor", "campaign", "referrer", "experiment", "variant", "ab",
    "cart", "recent", "redirect", "flash", "tab", "zoom", "debug", "welcome",
})
# Values that protect a flow (an OAuth ``state``, a ``nonce``), like a CSRF token: no login in them.
_FLOW_COOKIE_WORDS = frozenset({"state", "nonce"})
# What a value is, read from the name it is kept under (its head noun): (what it holds, confidence).
_CREDENTIAL_HEADS = frozenset({
    "jwt", "sid", "sessionid", "sessid", "bearer", "accesstoken", "refreshtoken", "authtoken", "idtoken", "apikey",
})
_CREDENTIAL_PAIRS = frozenset({
    ("session", "id"), ("session", "key"), ("session", "token"), ("access", "token"), ("refresh", "token"),
    ("auth", "token"), ("id", "token"), ("api", "key"), ("jwt", "token"), ("login", "token"), ("remember", "token"),
})
_IDENTITY_HEADS = frozenset({"userid", "uid", "username", "email", "login"})
_IDENTITY_PAIRS = frozenset({
    ("user", "id"), ("user", "name"), ("user", "email"), ("account", "id"), ("member", "id"), ("customer", "id"),
    ("user", "pk"), ("user", "uuid"),
})
# Objects whose id/username/email identify the person logged in.
_USER_OBJECTS = frozenset({"user", "current", "account", "member", "customer", "principal", "identity", "me", "owner"})
_IDENTITY_ATTRS = frozenset({"id", "pk", "uuid", "username", "email", "login", "user_id", "userid"})
_SESSION_ATTRS = frozenset({"sid", "session_key", "session_id", "sessionid"})
# Suffixes naming a form of the value, not another thing: ``token_str``, ``signed_value``.
_FORM_WORDS = frozenset({"value", "str", "string", "encoded", "b64", "hex", "bytes", "raw", "signed", "cookie", "data"})
# Verbs of a function's name that makes the value: ``create_access_token`` holds an access token.
_MAKER_VERBS = frozenset({"create", "generate", "gen", "make", "issue", "encode", "new", "build", "mint", "get", "sign"})
# Calls a value passes through unchanged in what it is.
_CONVERTERS = frozenset({"builtins.str", "builtins.bytes", "builtins.int", "builtins.format", "urllib.parse.quote",
                         "base64.b64encode", "base64.urlsafe_b64encode"})
_SIGNER_WORDS = frozenset({"signer", "serializer", "serialiser", "signing"})

Holds = tuple[str, Confidence]  # what an auth cookie's value is, and how sure the reading is


def _name_reading(words: list[str]) -> Holds | str | None:
    """What a variable, attribute or key called ``words`` holds: ``"csrf"``, (what, confidence), or None."""
    core = list(words)
    while core and (core[-1] in _FORM_WORDS or core[-1].isdigit()):
        core.pop()
    if not core:
        return None
    if set(core) & _CSRF_COOKIE_WORDS:
        return "csrf"
    if set(core) & _BENIGN_COOKIE_WORDS:
        return None
    head, pair = core[-1], tuple(core[-2:])
    if head in _CREDENTIAL_HEADS or pair in _CREDENTIAL_PAIRS:
        what = "a JWT" if "jwt" in core else "a session id" if {"session", "sid", "sessionid", "sessid"} & set(core) \
            else "an API key" if head == "apikey" or pair == ("api", "key") else "an access token"
        return (what, Confidence.HIGH)
    if head in ("token", "tokens"):
        return ("a token", Confidence.MEDIUM)
    if head in _IDENTITY_HEADS or pair in _IDENTITY_PAIRS:
        return ("the user's identity", Confidence.MEDIUM)
    return None


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
    a ``samesite`` policy, or a lifetime (``max_age``/``expires``). A cookie is also recognised by what it
    holds, whatever its name: a JWT (``jwt.encode``), an access token (``create_access_token``), a session
    id, a ``secrets.token_*`` value, a token variable, a signed value (``signer.dumps(...)``) or the user's
    id/username/email; those known by their value alone are reported with medium confidence and need no
    lifetime, unless the value is clearly a credential (a JWT, an access token, a session id). A name saying
    the cookie holds a preference, a consent or an analytics id keeps it out. CSRF cookies are not required
    to be HttpOnly (the page reads them); cookies that are being deleted are ignored.

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
        # Names that say what the value is: a preference, a consent, an analytics id.
        'resp.set_cookie("lang", request.args["lang"])\nresp.set_cookie("theme", str(user.theme_id))',
        "import uuid\nresp.set_cookie(\"visitor_id\", str(uuid.uuid4()))\nresp.set_cookie(\"_ga\", analytics_id)",
        'resp.set_cookie("cookie_consent", signer.sign("all"))',
        # Read as the user's name by its content, flags set: ending with the browser session is fine.
        'resp.set_cookie("who", user.username, httponly=True, secure=True, samesite="Lax")',
        # Values that are no credential: a JSON document, a CSRF token (read by the page's JavaScript).
        'import json\nresp.set_cookie("state", json.dumps({"tab": 2}))',
        'from flask_wtf.csrf import generate_csrf\nresp.set_cookie("x", generate_csrf())',
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
        # Recognised by what it holds: the user's id...
        Invalid(
            'resp.set_cookie("userid", str(user.id), max_age=3600, httponly=True, samesite="Lax", secure=False)',
            fixed='resp.set_cookie("userid", str(user.id), max_age=3600, httponly=True, samesite="Lax", secure=True)',
            confidence=Confidence.MEDIUM,
        ),
        # ...a token under a neutral name...
        Invalid(
            'resp.set_cookie("cookie", token, max_age=3600, secure=True, samesite="Lax")',
            fixed='resp.set_cookie("cookie", token, max_age=3600, secure=True, samesite="Lax", httponly=True)',
            confidence=Confidence.MEDIUM,
        ),
        # ...a JWT (through a variable), a session id: credentials.
        Invalid(
            "import jwt\n"
            "def login(resp, user):\n"
            '    value = jwt.encode({"sub": str(user.id)}, KEY, algorithm="HS256")\n'
            '    resp.set_cookie("u", value, max_age=900, httponly=True, samesite="Strict")\n',
            fixed="import jwt\n"
            "def login(resp, user):\n"
            '    value = jwt.encode({"sub": str(user.id)}, KEY, algorithm="HS256")\n'
            '    resp.set_cookie("u", value, max_age=900, httponly=True, samesite="Strict", secure=True)\n',
            confidence=Confidence.HIGH,
        ),
        Invalid(
            "from django.http import HttpResponse\n"
            "def login(request):\n"
            "    response = HttpResponse()\n"
            '    response.set_cookie("s", request.session.session_key, max_age=600, secure=True, samesite="Lax")\n',
            fixed="from django.http import HttpResponse\n"
            "def login(request):\n"
            "    response = HttpResponse()\n"
            '    response.set_cookie("s", request.session.session_key, max_age=600, secure=True, samesite="Lax", '
            "httponly=True)\n",
            confidence=Confidence.HIGH,
        ),
        # ...a signed value.
        Invalid(
            "from itsdangerous import URLSafeSerializer\n"
            "signer = URLSafeSerializer(KEY)\n"
            'resp.set_cookie("u", signer.dumps({"id": uid}), max_age=600, httponly=True, samesite="Lax")',
            fixed="from itsdangerous import URLSafeSerializer\n"
            "signer = URLSafeSerializer(KEY)\n"
            'resp.set_cookie("u", signer.dumps({"id": uid}), max_age=600, httponly=True, samesite="Lax", secure=True)',
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
        name, kind, confidence, holds = cookie
        extra = _star_kwargs(self.ctx, node)
        if extra is None or self._is_deletion(node, framework, extra):
            return
        self._check(node, framework, name, kind, confidence, extra, holds)

    def _check(self, node: cst.Call, framework: str, name: str, kind: str,
               confidence: Confidence, extra: dict[str, Any], holds: str = "") -> None:
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
        # The lifetime matters for a token (which has its own expiry); a cookie read as a user's id or a signed
        # value only by its content is no less safe ending with the browser session.
        lifetime_missing = not lifetime and (not holds or confidence == Confidence.HIGH)
        if lifetime_missing:
            problems.append("no `max_age`/`expires`")
            changes.append(("max_age", lifetime_value))
        if not problems:
            return
        new = node
        for keyword, value in changes:
            new = set_argument(new, keyword, positions.get(keyword), value)
        description = ", ".join(f"{k}={v}" for k, v in changes)
        lifetime_note = (f"; the fix adds {markup.code(f'max_age={lifetime_value}')} seconds, adjust it to the session lifetime"
                         if lifetime_missing else "")
        what = "CSRF cookie" if kind == "csrf" else "authentication cookie"
        held = f" (it holds {holds})" if holds else ""
        if kind == "csrf":
            # A CSRF token is no credential: read over plain HTTP it opens nothing without the session cookie.
            # Judged debatable each time on maintained code, so a lead for the summary, not an inline comment.
            confidence = min(confidence, Confidence.MEDIUM)
        only_lifetime = problems == ["no `max_age`/`expires`"]
        self.report(
            node,
            f"{what} {markup.code(name)}{held} is set with {', '.join(problems)}{lifetime_note}",
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

    def _cookie_name(self, node: cst.Call) -> tuple[str, str, Confidence, str] | None:
        """(the cookie's name as written, "auth"/"csrf", confidence, what its value holds when that decided)."""
        ctx = self.ctx
        expr = ctx.argument(node, "key", 0) or ctx.argument(node, "name")
        if expr is None:
            return None
        literal = ctx.string(expr)
        if literal is not None:
            kind = _cookie_kind(literal)
            if kind:
                return literal, kind, Confidence.HIGH, ""
            return self._by_content(node, literal, identifier_words(literal))
        identifier = target_name(expr)
        words = identifier_words(identifier) if identifier else []
        if "cookie" in words or "name" in words or "key" in words:
            kind = _cookie_kind(identifier or "", identifier=True)
            if kind:
                return ctx.code(expr), kind, Confidence.MEDIUM, ""
        return self._by_content(node, ctx.code(expr), words)

    # --- what the cookie holds --------------------------------------------------------------
    def _by_content(self, node: cst.Call, name: str, words: list[str]) -> tuple[str, str, Confidence, str] | None:
        """An auth cookie by its value (``set_cookie("userid", str(user.id))``), unless its name says it holds
        a preference, a consent or an analytics id."""
        if set(words) & (_BENIGN_COOKIE_WORDS | _CSRF_COOKIE_WORDS | _FLOW_COOKIE_WORDS):
            return None
        holds = self._holds(self.ctx.argument(node, "value", 1), 0)
        if not isinstance(holds, tuple):
            return None  # nothing known, or a CSRF token under a neutral name
        what, confidence = holds
        return name, "auth", confidence, what

    def _holds(self, node: cst.BaseExpression | None, depth: int) -> Holds | str | None:
        """What a cookie value is: a JWT, a session id, a user's id, a signed value... ``"csrf"``, or None."""
        ctx = self.ctx
        if node is None or depth > 4:
            return None
        if isinstance(node, cst.Await):
            return self._holds(node.expression, depth + 1)
        if isinstance(node, cst.Call):
            return self._call_holds(node, depth)
        if isinstance(node, cst.Name):
            bound = ctx.value_of(node)
            found = self._holds(bound, depth + 1) if bound is not None else None
            return found if found is not None else _name_reading(identifier_words(node.value))
        if isinstance(node, cst.Attribute):
            attr = node.attr.value
            if attr in _SESSION_ATTRS:
                return ("a session id", Confidence.HIGH)
            base_words = set(identifier_words(ctx.code(node.value)))
            if attr in _IDENTITY_ATTRS and base_words & _USER_OBJECTS:
                return ("the user's identity", Confidence.MEDIUM)
            reading = _name_reading(identifier_words(attr))
            if reading is None and attr in ("key", "value", "token"):
                reading = _name_reading(identifier_words(target_name(node.value) or ""))  # ``token.key`` (DRF)
            return reading
        if isinstance(node, cst.Subscript):
            key = ctx.string(node.slice[0].slice.value) if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) else None
            return _name_reading(identifier_words(key)) if key else None
        parts: list[cst.BaseExpression] = []
        if isinstance(node, cst.FormattedString):
            parts = [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
        elif isinstance(node, cst.BinaryOperation):
            parts = [node.left, node.right]
        readings = [self._holds(p, depth + 1) for p in parts]
        credentials = [r for r in readings if isinstance(r, tuple)]
        if credentials:
            return max(credentials, key=lambda r: r[1])
        return "csrf" if "csrf" in readings else None

    def _call_holds(self, call: cst.Call, depth: int) -> Holds | str | None:
        ctx = self.ctx
        name = ctx.qualname(call.func) or ""
        if name in ALL_ENCODE:
            return ("a JWT", Confidence.HIGH)
        if name.startswith("secrets.token_"):
            return ("a random token", Confidence.MEDIUM)
        if name.startswith("django.core.signing."):
            return ("a signed value", Confidence.MEDIUM)
        func = call.func
        method = func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else "")
        if name in _CONVERTERS or method in ("decode", "encode"):
            inner = func.value if method in ("decode", "encode") and isinstance(func, cst.Attribute) else \
                (call.args[0].value if call.args else None)
            return self._holds(inner, depth + 1)
        if isinstance(func, cst.Attribute) and method in ("sign", "dumps"):
            receiver = ctx.qualname(func.value) or ""
            if receiver.startswith(("itsdangerous", "django.core.signing")) or \
                    set(identifier_words(ctx.code(func.value))) & _SIGNER_WORDS:
                return ("a signed value", Confidence.MEDIUM)
            return None
        words = identifier_words(method)
        if words and words[0] in _MAKER_VERBS and len(words) > 1:
            return _name_reading(words[1:])  # create_access_token(), generate_csrf()
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
