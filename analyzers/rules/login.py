"""AR107–AR108 (access control on routes): login, sign-up and reset flows.

AR107 asks, of every handler that takes a credential (checks a password or a one-time
code, sends or completes a password reset, creates an account), whether anything limits
how often it may be called: a limiter decorator or dependency on the route, one applied
to its blueprint, router or view, an app-wide default or middleware, DRF throttles (on
the view or in the settings), django-axes, or a lockout in the body.

AR108 reads login and reset handlers (and the helpers and serializers they delegate to)
for a user looked up by a client-supplied identifier whose "no such user" branch answers
differently from the "wrong password" branch (or, in a reset flow, from the "e-mail sent"
answer).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ..context import FileContext
from .. import markup
from ..endpoints import Endpoint, endpoints
from ..findings import Confidence, Fix, Severity
from ..imports import dotted_name
from ..routes import definition
from ..rule import Invalid, Rule
from ..walk import children, walk
from ._common import split_words

# --- names ------------------------------------------------------------------------


def _strip_await(expr: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


def callee_text(func: cst.BaseExpression) -> str:
    """``limiter.limit`` for ``limiter.limit(...)``; ``Limiter().limit`` for ``Limiter(...).limit``."""
    parts: list[str] = []
    node: cst.BaseExpression = func
    while True:
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Name):
            parts.append(node.value)
            break
        else:
            break
    return ".".join(reversed(parts))


def tail_name(func: cst.BaseExpression) -> str:
    func = _strip_await(func)
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


# --- rate limiters ------------------------------------------------------------------

_LIMIT_WORDS = frozenset({
    "ratelimit", "ratelimited", "ratelimiter", "ratelimits", "ratelimiting", "throttle", "throttled", "throttles",
    "throttling", "throttler", "limiter", "limiters", "bruteforce", "brute", "lockout", "axes",
})
_RATE_NEXT = frozenset({"limit", "limits", "limited", "limiter", "limiting"})
_LIMIT_QUALS = ("flask_limiter.", "slowapi.", "django_ratelimit.", "ratelimit.", "fastapi_limiter.",
                "limits.", "rest_framework.throttling.", "axes.", "defender.")
# These only turn a limiter's exception into a response; they limit nothing themselves.
_NOT_LIMITERS = frozenset({"django_ratelimit.middleware.RatelimitMiddleware", "ratelimit.middleware.RatelimitMiddleware",
                           "slowapi.middleware.SlowAPIMiddleware", "slowapi.middleware.SlowAPIASGIMiddleware",
                           "slowapi._rate_limit_exceeded_handler"})


def words_say_limit(words: list[str] | set[str]) -> bool:
    ordered = list(words)
    if _LIMIT_WORDS & set(ordered):
        return True
    return any(a == "rate" and b in _RATE_NEXT for a, b in zip(ordered, ordered[1:]))


def text_says_limit(text: str) -> bool:
    return words_say_limit(split_words(text))


def _is_exempt(ctx: FileContext, expr: cst.BaseExpression) -> bool:
    """``@limiter.exempt``: opts the route out of default and blueprint limits."""
    target = expr.func if isinstance(expr, cst.Call) else expr
    return tail_name(target) == "exempt" and text_says_limit(callee_text(target))


def _refuses_too_often(ctx: FileContext, node: cst.CSTNode) -> bool:
    """A 429 answer, ``TooManyRequests``/``Ratelimited`` raised, or a failed-attempts lockout."""
    for child in walk(node):
        if isinstance(child, cst.Integer) and child.value == "429":
            return True
        if isinstance(child, cst.Name) and (child.value in ("TooManyRequests", "Ratelimited", "RateLimitExceeded",
                                                             "Throttled", "HTTPTooManyRequests")
                                            or "TOO_MANY_REQUESTS" in child.value):
            return True
        if isinstance(child, cst.Attribute):
            words = split_words(child.attr.value)
            if "TOO_MANY_REQUESTS" in child.attr.value or {"attempts", "lockout", "locked"} & set(words) \
                    or ("failed" in words and {"logins", "login", "count", "tries"} & set(words)):
                return True
    return False


def expr_limits(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> bool:
    """A decorator, dependency or wrapper that limits calls: by its name, its library, or its definition."""
    expr = _strip_await(expr)
    target = expr.func if isinstance(expr, cst.Call) else expr
    qual = ctx.qualname(target) or ""
    if qual in _NOT_LIMITERS or _is_exempt(ctx, expr):
        return False
    if isinstance(expr, cst.Call) and tail_name(target) == "throttle_classes" and expr.args \
            and isinstance(expr.args[0].value, (cst.List, cst.Tuple)) and not expr.args[0].value.elements:
        return False  # @throttle_classes([]): throttling switched off
    if qual.startswith(_LIMIT_QUALS) and not qual.startswith("limits.strategies") or text_says_limit(callee_text(target)) \
            or text_says_limit(qual):
        return True
    if isinstance(expr, cst.Call):
        # Depends(RateLimiter(times=5, seconds=60)), method_decorator(ratelimit(...)), throttle_classes([...])
        for arg in expr.args:
            value = _strip_await(arg.value)
            if isinstance(value, (cst.Call, cst.Name, cst.Attribute)) and expr_limits(ctx, value, depth + 1):
                return True
            if isinstance(value, (cst.List, cst.Tuple)) and any(
                    isinstance(e.value, (cst.Call, cst.Name, cst.Attribute)) and expr_limits(ctx, e.value, depth + 1)
                    for e in value.elements):
                return True
    if depth < 2 and isinstance(target, (cst.Name, cst.Attribute)):
        found = definition(ctx, target)
        if found is not None and _refuses_too_often(found[0], found[1]):
            return True  # the project's own decorator: it answers 429 or locks accounts out
    return False


def _drf_throttles_declared(ctx: FileContext, expr: cst.BaseExpression) -> bool:
    """A non-empty ``throttle_classes`` list (``[]`` turns throttling off)."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        return bool(expr.elements)
    return True  # built elsewhere: trust it


@dataclass
class _ProjectLimits:
    """Limits that reach beyond one route, found once per project (or per file without one)."""

    app_wide: str | None = None  # what limits every route: "default_limits", a middleware...
    targets: set[str] = field(default_factory=set)  # qualified names a limiter is applied to (blueprints, views)
    hooks: set[str] = field(default_factory=set)  # owners (code text, this file) with a limiting before_request


def _scan_limits(ctx: FileContext, found: _ProjectLimits, this_file: bool) -> None:
    text = ctx.source.text
    if not re.search(r"(?i)limit|throttl|lockout|brute", text):
        return
    for node in walk(ctx.module):
        if isinstance(node, cst.Call):
            # Limiter(app, default_limits=["200/day"]) (flask-limiter, slowapi)
            for keyword in ("default_limits", "application_limits"):
                arg = ctx.keyword(node, keyword)
                if arg is not None and not (isinstance(arg.value, (cst.List, cst.Tuple)) and not arg.value.elements):
                    if text_says_limit(callee_text(node.func)) or (ctx.qualname(node.func) or "").startswith(
                            ("flask_limiter", "slowapi")):
                        found.app_wide = found.app_wide or f"{markup.code(keyword)} on the limiter"
            # app.add_middleware(RateLimitMiddleware, ...), Middleware(RateLimitMiddleware, ...)
            tail = tail_name(node.func)
            if tail in ("add_middleware", "Middleware") and node.args:
                first = node.args[0].value
                if (ctx.qualname(first) or "") not in _NOT_LIMITERS and (
                        text_says_limit(callee_text(first)) or text_says_limit(ctx.qualname(first) or "")):
                    found.app_wide = found.app_wide or f"{markup.code(callee_text(first))} middleware"
            # app.include_router(auth.router, dependencies=[Depends(RateLimiter(times=5, seconds=60))])
            if tail == "include_router" and node.args:
                dependencies = ctx.argument(node, "dependencies")
                if dependencies is not None and any(
                        isinstance(d, cst.Call) and tail_name(d.func) in ("Depends", "Security") and d.args
                        and expr_limits(ctx, d.args[0].value) for d in walk(dependencies)):
                    router = _target_name(ctx, node.args[0].value)
                    if router:
                        found.targets.add(router)
            # limiter.limit("10 per minute")(auth_bp), ratelimit(key="ip", rate="5/m")(views.login)
            if isinstance(node.func, cst.Call) and node.args and expr_limits(ctx, node.func):
                target = _strip_await(node.args[0].value)
                if isinstance(target, cst.Call) and tail_name(target.func) == "as_view" \
                        and isinstance(target.func, cst.Attribute):
                    target = target.func.value
                name = _target_name(ctx, target)
                if name:
                    found.targets.add(name)
        elif isinstance(node, cst.Assign):
            # app.config["RATELIMIT_DEFAULT"] = "100/hour"; RATELIMIT_DEFAULT = "100/hour" in a config class
            for target in node.targets:
                key = target.target
                name = None
                if isinstance(key, cst.Name):
                    name = key.value
                elif isinstance(key, cst.Subscript) and len(key.slice) == 1 and isinstance(key.slice[0].slice, cst.Index):
                    name = ctx.string(key.slice[0].slice.value)
                if name in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION") and ctx.literal(node.value) not in ("", None):
                    found.app_wide = found.app_wide or markup.code(name)
                # app.wsgi_app = RateLimitMiddleware(app.wsgi_app)
                if isinstance(node.value, cst.Call) and isinstance(key, cst.Attribute) and key.attr.value in (
                        "wsgi_app", "app") and text_says_limit(callee_text(node.value.func)):
                    found.app_wide = found.app_wide or markup.code(callee_text(node.value.func))
        elif isinstance(node, cst.FunctionDef):
            for decorator in node.decorators:
                expr = decorator.decorator
                target = expr.func if isinstance(expr, cst.Call) else expr
                if not isinstance(target, cst.Attribute):
                    continue
                hook = target.attr.value
                if hook in ("before_request", "before_app_request", "middleware") and (
                        text_says_limit(node.name.value) or _refuses_too_often(ctx, node)):
                    owner = ctx.code(target.value)
                    owner_qual = ctx.qualname(target.value) or ""
                    owner_name = _target_name(ctx, target.value)
                    if hook == "before_request" and not owner_qual.startswith(("flask.Flask", "quart.Quart")):
                        if this_file:
                            found.hooks.add(owner)
                        if owner_name:
                            found.targets.add(owner_name)
                    else:
                        found.app_wide = found.app_wide or f"{markup.code(node.name.value)} {hook} hook"


def _target_name(ctx: FileContext, expr: cst.BaseExpression) -> str | None:
    """The module-qualified name of what ``expr`` names: ``app.api.auth.auth_bp`` for a blueprint defined
    or imported here (not the ``flask.Blueprint()`` it is bound to), a view function or class."""
    name = dotted_name(expr)
    if not name:
        return None
    head, _, rest = name.partition(".")
    if head in ctx.index.imports:
        base = ctx.index.imports[head]
        return f"{base}.{rest}" if rest else base
    if (id(ctx.module), head) in ctx.index.bindings or head in ctx.index.functions or head in ctx.index.classes:
        module = ctx.index.module_name
        return f"{module}.{name}" if module else name
    return ctx.qualname(expr)


def project_limits(ctx: FileContext) -> _ProjectLimits:
    key = "login.limits"
    if key in ctx.cache:
        return ctx.cache[key]
    found = _ProjectLimits()
    project = ctx.project
    if project is not None:
        cached = project.cache.get(key)
        if cached is None:
            cached = _ProjectLimits()
            seen: set[str] = set()
            for word in ("imit", "IMIT", "hrottl"):  # limit, Limit, LIMIT; throttle, Throttle
                for other in project.contexts_mentioning(word):
                    if other.path in seen:
                        continue
                    seen.add(other.path)
                    _scan_limits(other, cached, this_file=False)
            project.cache[key] = cached
        found.app_wide, found.targets = cached.app_wide, set(cached.targets)
    _scan_limits(ctx, found, this_file=True)
    ctx.cache[key] = found
    return found


def _nodes_with_parents(root: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]:
    stack: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [(root, ())]
    while stack:
        node, parents = stack.pop()
        yield node, parents
        here = (*parents, node)
        stack.extend((child, here) for child in reversed(children(node)))


def project_route_limiters(ctx: FileContext) -> dict[str, tuple[str, str]]:
    """Framework -> (limiter decorator text, module) used on some route of another module of the project."""
    project = ctx.project
    if project is None:
        return {}
    key = "login.route_limiters"
    cached = project.cache.get(key)
    if cached is None:
        counts: Counter[tuple[str, str]] = Counter()
        where: dict[tuple[str, str], str] = {}
        for other in project.contexts_mentioning(".limit("):
            if other.is_test:
                continue
            for endpoint in endpoints(other):
                for decorator in endpoint.function.decorators:
                    if expr_limits(other, decorator.decorator) and not _is_exempt(other, decorator.decorator):
                        text = other.code(decorator.decorator)
                        if "\n" not in text:
                            counts[(endpoint.framework, text)] += 1
                            where.setdefault((endpoint.framework, text), other.path)
        cached = {}
        for (framework, text), _ in counts.most_common():
            cached.setdefault(framework, (text, where[(framework, text)]))
        project.cache[key] = cached
    return cached


# --- Django settings -----------------------------------------------------------------------

@dataclass(frozen=True)
class _DjangoLimits:
    drf_throttles: tuple[str, ...] | None  # DEFAULT_THROTTLE_CLASSES (None: unset)
    axes: bool  # django-axes / django-defender installed: failed logins through authenticate() are counted
    middleware: str | None  # a rate-limiting middleware
    root_urlconf: str | None
    values: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def django_settings(ctx: FileContext) -> list[_DjangoLimits]:
    """What the project's Django settings modules say about limits (empty without a project or settings)."""
    project = ctx.project
    if project is None:
        return []
    key = "login.django_settings"
    cached = project.cache.get(key)
    if cached is None:
        cached = []
        try:
            from ..routes_django import collect_settings, settings_modules
        except ImportError:  # pragma: no cover - the framework model moved
            return []
        for settings in settings_modules(project):
            settings_ctx = project.context_for_module(settings.module)
            if settings_ctx is None:
                continue
            values: dict[str, Any] = {}
            collect_settings(settings_ctx, values)
            rest = values.get("REST_FRAMEWORK")
            throttles: tuple[str, ...] | None = None
            if isinstance(rest, dict) and "DEFAULT_THROTTLE_CLASSES" in rest:
                listed = rest["DEFAULT_THROTTLE_CLASSES"]
                throttles = tuple(str(t) for t in listed) if isinstance(listed, (list, tuple)) else ("?",)
            elif "REST_FRAMEWORK" in values and not isinstance(rest, dict):
                throttles = ("?",)  # built in code: cannot tell, take it as throttled
            strings: list[str] = []
            for name in ("INSTALLED_APPS", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "AUTHENTICATION_BACKENDS"):
                listed = values.get(name)
                if isinstance(listed, (list, tuple)):
                    strings += [s for s in listed if isinstance(s, str)]
            axes = any(s == "axes" or s.startswith(("axes.", "defender")) for s in strings)
            middleware_list = values.get("MIDDLEWARE", values.get("MIDDLEWARE_CLASSES"))
            middleware = None
            if isinstance(middleware_list, (list, tuple)):
                middleware = next((m for m in middleware_list if isinstance(m, str) and m not in _NOT_LIMITERS
                                   and text_says_limit(m) and not m.startswith("axes.")), None)
            cached.append(_DjangoLimits(throttles, axes, middleware, settings.root_urlconf, values))
        project.cache[key] = cached
    return cached


def _applicable(ctx: FileContext, endpoint: Endpoint) -> list[_DjangoLimits]:
    found = django_settings(ctx)
    root = getattr(endpoint.route, "root", None)
    matching = [s for s in found if root is not None and s.root_urlconf == root]
    return matching or found


# --- what a handler does with credentials ------------------------------------------------------

_PASSWORD_QUALS = frozenset({
    "werkzeug.security.check_password_hash", "werkzeug.check_password_hash", "flask_bcrypt.check_password_hash",
    "bcrypt.checkpw", "django.contrib.auth.authenticate", "django.contrib.auth.aauthenticate",
    "django.contrib.auth.hashers.check_password", "django.contrib.auth.hashers.acheck_password",
})
_PASSWORD_TAILS = frozenset({
    "check_password", "acheck_password", "check_password_hash", "verify_password", "averify_password", "checkpw",
    "authenticate", "aauthenticate", "authenticate_user", "authenticate_account", "verify_credentials",
    "check_credentials", "validate_credentials", "verify_pw", "check_pw", "validate_login", "verify_login",
    "check_login", "password_matches", "passwords_match", "check_pass", "verify_pass", "verify_user_password",
    "check_user_password", "validate_password_hash", "verify_and_update", "check_password_async",
})
_HASHER_WORDS = frozenset({"pwd", "password", "passwords", "passwd", "hasher", "crypt", "bcrypt", "argon2", "argon",
                           "ph", "pbkdf2", "scrypt", "pwdlib", "passlib"})
_OTP_WORDS = frozenset({"otp", "totp", "hotp", "mfa", "2fa", "twofa", "passcode", "tfa"})
_OTP_RECEIVERS = _OTP_WORDS | {"device", "authenticator"}
_CHECK_VERBS = frozenset({"verify", "check", "validate", "match", "confirm"})
_CODE_QUALIFIERS = frozenset({"sms", "email", "auth", "login", "verify", "verification", "confirm", "confirmation",
                              "reset", "security", "one", "mfa", "otp", "2fa", "twofa", "signin", "phone", "recovery",
                              "backup", "access", "pin"})
_RESET_WORDS = frozenset({"reset", "forgot", "forgotten", "recover", "recovery"})
_SEND_WORDS = frozenset({"send", "mail", "email", "notify", "link", "instructions", "request", "token", "code",
                         "message", "sms", "initiate", "start", "begin", "trigger", "issue", "generate", "create"})
_HASH_TAILS = frozenset({"set_password", "aset_password", "hash_password", "generate_password_hash", "make_password",
                         "hashpw", "get_password_hash", "set_unusable_password"})
_CREATE_USER_TAILS = frozenset({"create_user", "acreate_user", "create_account", "register_user", "register_account",
                                "signup_user", "create_new_user", "sign_up_user"})
_USER_MODELS = re.compile(r"^(?:[A-Z]\w*)?(?:User|Account|Member|Customer|Person|Profile)$")
_SIGNUP_WORDS = frozenset({"signup", "register", "registration", "usercreation", "join", "enroll", "enrol"})
_LOGIN_FORMS = frozenset({"AuthenticationForm", "OAuth2PasswordRequestForm", "OAuth2PasswordRequestFormStrict",
                          "AuthTokenSerializer", "TokenObtainPairSerializer", "TokenObtainSerializer",
                          "TokenObtainSlidingSerializer", "LoginSerializer"})
_PASSWORD_NAME_WORDS = frozenset({"password", "passwd", "pwd", "passphrase"})


def _words_of(ctx: FileContext, node: cst.CSTNode) -> set[str]:
    return set(split_words(ctx.code(node)))


def secret_check_kind(ctx: FileContext, call: cst.Call) -> str | None:
    """"password" or "otp" when ``call`` verifies a credential, else None."""
    func = _strip_await(call.func)
    qual = ctx.qualname(func) or ""
    tail = qual.rsplit(".", 1)[-1].removesuffix("()") if qual else tail_name(func)  # through ``import ... as``
    receiver_words: set[str] = set()
    if isinstance(func, cst.Attribute):
        receiver_words = set(split_words(callee_text(func.value))) | set(split_words(ctx.qualname(func.value) or ""))
    kind = None
    if qual.startswith("pyotp.") and tail in ("verify", "verify_otp") or qual in (
            "django_otp.match_token", "django_otp.verify_token") or tail in ("verify_token", "verify_otp") and \
            receiver_words & _OTP_RECEIVERS:
        return "otp"
    if tail == "create" and {"verification", "checks"} <= receiver_words:
        return "otp"  # Twilio Verify: client.verify.services(sid).verification_checks.create(to=..., code=...)
    tail_words = set(split_words(tail))
    if tail_words & _OTP_WORDS and tail_words & _CHECK_VERBS or tail in ("verify_code", "check_code", "validate_code",
                                                                          "verify_pin", "check_pin"):
        return "otp"
    if qual in _PASSWORD_QUALS or tail in _PASSWORD_TAILS:
        kind = "password"
        if tail in ("authenticate", "aauthenticate") and len(call.args) <= 1 and not any(
                a.star for a in call.args):
            return None  # ``authenticate(request)``: a token/session backend, no credential passed
    elif tail == "verify" and (receiver_words & _HASHER_WORDS or qual.startswith(("passlib.", "argon2.", "pwdlib.",
                                                                                    "bcrypt."))):
        kind = "password"
    elif tail == "verify" and receiver_words & _OTP_RECEIVERS:
        return "otp"
    if kind == "password":
        argument_words: set[str] = set()
        for arg in call.args:
            argument_words |= _words_of(ctx, arg.value)
        if argument_words & (_OTP_WORDS | {"code", "pin"}) and not argument_words & _PASSWORD_NAME_WORDS:
            return "otp"  # check_password(form.code, otp.code_hash): a hashed one-time code
    return kind


def _secret_comparison(ctx: FileContext, node: cst.Comparison) -> str | None:
    """``user.password == password``, ``code != otp.code``: a credential compared in place."""
    if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.NotEqual)):
        return None
    left, right = node.left, node.comparisons[0].comparator
    for side in (left, right):
        if isinstance(side, (cst.Integer, cst.Float)) or (isinstance(side, cst.Name) and side.value in (
                "None", "True", "False")):
            return None  # ``password == None``, ``len(pin) != 6``: a shape check, not a credential check
        if isinstance(side, cst.SimpleString) and ctx.string(side) in ("", None):
            return None
        if isinstance(side, cst.Call) and tail_name(side.func) in ("len", "type", "count", "isinstance"):
            return None
    words = _words_of(ctx, left) | _words_of(ctx, right)
    if words & _PASSWORD_NAME_WORDS and not words & {"confirm", "confirmation", "repeat", "again", "password2",
                                                     "new", "old", "current"}:
        return "password"
    if any(isinstance(side, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)) for side in (left, right)) \
            or words & {"method", "type", "kind", "enabled", "status", "mode", "length", "len", "expires", "expiry",
                        "channel", "provider", "backend"}:
        return None  # ``mfa_method == "totp"``: which factor, not the factor itself
    if words & _OTP_WORDS or "code" in words and words & _CODE_QUALIFIERS or "pin" in words:
        return "otp"
    return None


def sends_reset(ctx: FileContext, call: cst.Call) -> bool:
    """``send_password_reset_email(...)``, ``request_password_reset(...)``, Django's ``PasswordResetForm``,
    ``default_token_generator.make_token(...)``: starts a reset (a confirmation form or ``reset_password(new)`` does not)."""
    tail = tail_name(call.func)
    tail_words = set(split_words(tail))
    if tail_words & _RESET_WORDS and tail_words & _SEND_WORDS and not tail_words & {"form", "serializer", "confirm"}:
        return True
    qual = ctx.qualname(call.func) or ""
    if tail == "PasswordResetForm" or qual.endswith("auth.forms.PasswordResetForm"):
        return True
    return tail == "make_token" and ("token_generator" in qual or "generator" in callee_text(call.func).lower())


def _is_mail_call(call: cst.Call) -> bool:
    tail_words = set(split_words(tail_name(call.func)))
    return bool(tail_words & {"mail", "email", "sms"}) and bool(tail_words & {"send", "queue", "deliver", "schedule"}) \
        or tail_name(call.func) in ("send_mail", "send_mass_mail", "mail_user", "email_user", "send_email",
                                    "send_message", "send")


@dataclass
class _Evidence:
    password: cst.CSTNode | None = None
    otp: cst.CSTNode | None = None
    reset: cst.CSTNode | None = None
    reset_confirm: cst.CSTNode | None = None
    signup: cst.CSTNode | None = None
    password_input: str | None = None  # where a client-supplied password is read
    login_form: str | None = None
    hashes: bool = False  # hashes or sets a (new) password

    def note_check(self, kind: str | None, node: cst.CSTNode) -> None:
        """Keep ``node`` as the first check of a one-time code or a password (``kind``) seen."""
        if kind == "otp":
            self.otp = self.otp or node
        elif kind == "password":
            self.password = self.password or node

    def kind(self, authenticated: bool) -> str | None:
        if self.otp is not None:
            return "otp"
        if authenticated:
            return None  # re-authentication (change password, confirm deletion) of a signed-in user
        if self.signup is not None:
            return "signup"
        if self.reset is not None:
            return "reset"
        if self.reset_confirm is not None:
            return "reset-confirm"
        if self.password is not None or self.login_form is not None:
            return "login"
        if self.password_input is not None:
            return "password"
        return None


def signed_in(endpoint: Endpoint) -> bool:
    """Whether only signed-in callers reach the endpoint. A body "guard" that is the credential check itself
    (``authenticate_user(...)`` raising 401 on a wrong password) is the login, not a prior sign-in."""
    for guard in endpoint.guards:
        if guard.kind == "check":
            tail = guard.name.removesuffix("()").rsplit(".", 1)[-1]
            if tail in _PASSWORD_TAILS or set(split_words(tail)) & ({"login", "signin", "credentials", "password"}
                                                                   | _OTP_WORDS):
                continue
        return True
    return False


def endpoint_label(ctx: FileContext, endpoint: Endpoint) -> str:
    """``POST /auth/login``: the endpoint's label, with its FastAPI router's ``prefix=`` when this file sets it."""
    label = endpoint.label
    route = endpoint.route
    if endpoint.framework == "fastapi" and route.owner and endpoint.path is not None:
        bound = ctx.index.bindings.get((id(ctx.module), route.owner))
        if bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
            prefix = ctx.string(ctx.argument(bound[0], "prefix"))
            if prefix:
                methods = "|".join(endpoint.methods) if endpoint.methods else "ANY"
                label = f"{methods} {prefix.rstrip('/')}{endpoint.path}"
    return label


def _function_words(endpoint: Endpoint) -> set[str]:
    return set(split_words(f"{endpoint.path or ''} {endpoint.function.name.value} "
                           f"{endpoint.route.view_class.name.value if getattr(endpoint.route, 'view_class', None) else ''}"))


def collect_evidence(ctx: FileContext, function: cst.FunctionDef, endpoint: Endpoint | None,
                     depth: int = 0) -> _Evidence:
    found = _Evidence()
    names = set(split_words(function.name.value)) | (_function_words(endpoint) if endpoint else set())
    hashes = False
    creates: cst.CSTNode | None = None
    mails = False
    token_checked = False
    for param in (*function.params.params, *function.params.kwonly_params):
        text = ctx.code(param)
        if any(form in text for form in ("OAuth2PasswordRequestForm",)):
            found.login_form = found.login_form or "OAuth2PasswordRequestForm"
    for node in walk(function.body):
        if isinstance(node, cst.Call):
            kind = secret_check_kind(ctx, node)
            found.note_check(kind, node)
            if sends_reset(ctx, node):
                found.reset = found.reset or node
            tail = tail_name(node.func)
            if tail in _HASH_TAILS or (tail == "hash" and set(split_words(callee_text(node.func))) & _HASHER_WORDS):
                hashes = True
            if tail in _CREATE_USER_TAILS:
                creates = creates or node
            if _USER_MODELS.match(tail) and tail[0].isupper() and any(
                    a.keyword is not None for a in node.args):
                creates = creates or node
            tail_words = set(split_words(tail))
            if tail in _LOGIN_FORMS or ({"login", "signin", "authentication"} & tail_words
                                        and {"form", "serializer"} & tail_words):
                found.login_form = found.login_form or tail
            if tail_words & _SIGNUP_WORDS and {"form", "serializer"} & tail_words:
                creates = creates or node
            if tail in ("check_token", "check_reset_token", "verify_reset_token", "validate_reset_token") or (
                    tail_words & _RESET_WORDS and tail_words & {"token", "code"} and tail_words & (
                        _CHECK_VERBS | {"load", "loads", "get", "find", "decode"})):
                token_checked = True
            if _is_mail_call(node):
                mails = True
            if depth < 1 and not (kind or creates) and isinstance(node.func, (cst.Name, cst.Attribute)):
                helper = definition(ctx, node.func)
                if helper is not None and helper[1] is not function and helper[0] is ctx:
                    inner = collect_evidence(helper[0], helper[1], None, depth + 1)
                    found.otp = found.otp or (node if inner.otp is not None else None)
                    found.password = found.password or (node if inner.password is not None else None)
                    found.reset = found.reset or (node if inner.reset is not None else None)
        elif isinstance(node, cst.Comparison):
            found.note_check(_secret_comparison(ctx, node), node)
    found.hashes = hashes
    if mails and names & _RESET_WORDS and found.reset is None and not hashes:
        found.reset = function
    body_words = set(split_words(ctx.code(function.body)))
    invited = bool(endpoint is not None and re.search(r"[<{][^>}]*(?:token|invite|code|key)[^>}]*[>}]",
                                                      endpoint.path or "", re.IGNORECASE))
    creates_with_password = creates is not None and (
        hashes or any(_PASSWORD_NAME_WORDS & set(split_words(ctx.code(a.value))) for a in creates.args)
        if isinstance(creates, cst.Call) else hashes)
    if invited:
        pass  # accepting an invitation (or a signed link): the token in the path is the credential
    elif creates_with_password or (creates is not None and names & _SIGNUP_WORDS):
        found.signup = creates
    elif hashes and names & _SIGNUP_WORDS:
        found.signup = function
    elif hashes and (token_checked or names & _RESET_WORDS) and body_words & {"code", "otp", "pin", "passcode"}:
        found.reset_confirm = function  # a short reset code, not a signed link: guessable
    return found


_NEW_PASSWORD_WORDS = frozenset({"new", "confirm", "confirmation", "repeat", "again", "2", "old", "current"})


def _current_password_key(key: str | None) -> bool:
    """``password``, ``pwd``: yes. ``new_password``, ``password_confirm``, ``password2``: no (a password being set)."""
    words = set(split_words(key or ""))
    return bool(words & _PASSWORD_NAME_WORDS) and not words & _NEW_PASSWORD_WORDS


def client_password_read(ctx: FileContext, function: cst.FunctionDef, framework: str) -> str | None:
    """Where the handler reads a password the client sent (``request.form["password"]``, ``payload.password``), for
    a message (the code as a code span)."""
    candidates: list[cst.BaseExpression] = []
    for node in walk(function.body):
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            if _current_password_key(ctx.string(node.slice[0].slice.value)):
                candidates.append(node)
        elif isinstance(node, cst.Call) and tail_name(node.func) in ("get", "getlist") and node.args:
            if _current_password_key(ctx.string(node.args[0].value)):
                candidates.append(node)
        elif isinstance(node, cst.Attribute) and _current_password_key(node.attr.value):
            candidates.append(node)
    if not candidates:
        return None
    from ..flow import HandlerFlow

    flow = HandlerFlow.build(ctx, function, framework)
    for candidate in candidates:
        source = flow.client_source_markdown(candidate)
        if source is not None:
            return source
    return None


# --- AR107 --------------------------------------------------------------------------------

_WHAT = {
    "login": "checks a password",
    "password": "takes a password from the client",
    "otp": "verifies a one-time code",
    "reset": "sends password-reset messages",
    "reset-confirm": "sets a new password from a reset code",
    "signup": "creates accounts",
}
_RISK = {
    "login": "passwords can be guessed (or stuffed from breaches) at full speed",
    "password": "passwords can be guessed at full speed",
    "otp": "a 6-digit code falls to a million requests",
    "reset": "anyone can flood a mailbox and burn the mail budget, and probe which e-mails exist",
    "reset-confirm": "reset codes can be guessed at full speed",
    "signup": "bots can create accounts in bulk",
}
_CREDENTIAL_BASES = {
    "rest_framework_simplejwt.views.TokenObtainPairView": "login",
    "rest_framework_simplejwt.views.TokenObtainSlidingView": "login",
    "rest_framework_simplejwt.views.TokenObtainView": "login",
    "rest_framework.authtoken.views.ObtainAuthToken": "login",
    "django.contrib.auth.views.LoginView": "login",
    "django.contrib.auth.views.PasswordResetView": "reset",
    "dj_rest_auth.views.LoginView": "login",
    "dj_rest_auth.views.PasswordResetView": "reset",
    "dj_rest_auth.registration.views.RegisterView": "signup",
    "knox.views.LoginView": "login",
    "rest_auth.views.LoginView": "login",
    "rest_auth.views.PasswordResetView": "reset",
    "rest_auth.registration.views.RegisterView": "signup",
}
_DRF_PREFIXES = ("rest_framework", "rest_framework_simplejwt", "dj_rest_auth", "rest_auth", "knox")


class MissingRateLimit(Rule):
    """What it does: flags handlers that take a credential with nothing limiting how often
    they may be called: they check a password (``check_password_hash``, ``bcrypt.checkpw``,
    ``authenticate()``, ``verify_password``, ``OAuth2PasswordRequestForm``), verify a
    one-time code (``pyotp``, django-otp, a hashed code), send or complete a password reset,
    or create accounts. Any of these counts as a limit: a limiter decorator or dependency on
    the route (flask-limiter, slowapi, fastapi-limiter, django-ratelimit, the project's own
    ``@rate_limit``), one applied to its blueprint, router or view, ``default_limits`` or a
    rate-limiting middleware, DRF ``throttle_classes`` or ``DEFAULT_THROTTLE_CLASSES``,
    django-axes for logins, or a failed-attempts lockout in the body.

    Why is this bad: without a limit an attacker can try passwords (or passwords leaked from
    other sites) as fast as the server answers, walk through every 6-digit one-time code in
    hours, flood mailboxes with reset e-mails, and script sign-ups. These endpoints are public
    by design, so the limit is the only thing between them and a script.

    Example:
        @auth_bp.post("/login")
        def login():
            user = User.query.filter_by(email=request.json["email"]).first()
            if user is None or not check_password_hash(user.password_hash, request.json["password"]):
                return {"msg": "Invalid email or password"}, 401
            return {"access_token": create_access_token(identity=user.id)}

    Use instead:
        @auth_bp.post("/login")
        @limiter.limit("5 per minute")
        def login():
            ...
    """

    id = "AR107"
    name = "missing-rate-limit"
    title = "Credential endpoint without rate limiting"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = 307
    in_tests = False
    prefilter = (
        re.compile(r"request|urlpatterns|as_view|@\s*[\w.]+\.(?:route|get|post|put|patch|api_route)\(|"
                   r"TokenObtain|ObtainAuthToken|LoginView|PasswordReset|RegisterView"),
        re.compile(r"(?i)passw|otp|2fa|mfa|verif|reset|forgot|recover|sign_?up|regist|login|authenticat|"
                   r"credential|TokenObtain|ObtainAuthToken"),
    )

    VALID = [
        # flask-limiter on the route.
        "from flask import Flask, request\nfrom flask_limiter import Limiter\nfrom werkzeug.security import check_password_hash\n"
        "app = Flask(__name__)\nlimiter = Limiter(app=app, key_func=lambda: request.remote_addr)\n"
        "@app.post('/login')\n@limiter.limit('5 per minute')\ndef login():\n"
        "    user = User.query.filter_by(email=request.form['email']).first()\n"
        "    if user is None or not check_password_hash(user.pw_hash, request.form['password']):\n"
        "        return 'Invalid credentials', 401\n    return 'ok'\n",
        # App-wide default limits.
        "from flask import Flask, request\nfrom flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\n"
        "app = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app, default_limits=['200 per day', '50 per hour'])\n"
        "@app.post('/login')\ndef login():\n    user = find(request.form['email'])\n"
        "    if not user or not user.check_password(request.form['password']):\n        return 'no', 401\n    return 'ok'\n",
        # fastapi-limiter dependency.
        "from fastapi import APIRouter, Depends\nfrom fastapi.security import OAuth2PasswordRequestForm\n"
        "from fastapi_limiter.depends import RateLimiter\nrouter = APIRouter()\n"
        "@router.post('/token', dependencies=[Depends(RateLimiter(times=5, seconds=60))])\n"
        "def token(form: OAuth2PasswordRequestForm = Depends()):\n    return issue(form.username, form.password)\n",
        # django-ratelimit.
        "from django.contrib.auth import authenticate, login\nfrom django.shortcuts import redirect, render\n"
        "from django_ratelimit.decorators import ratelimit\n"
        "@ratelimit(key='ip', rate='5/m', method='POST', block=True)\ndef login_view(request):\n"
        "    user = authenticate(request, username=request.POST['username'], password=request.POST['password'])\n"
        "    if user is None:\n        return render(request, 'login.html', status=400)\n"
        "    login(request, user)\n    return redirect('/')\n",
        # DRF throttle on the view.
        "from rest_framework.decorators import api_view, permission_classes, throttle_classes\n"
        "from rest_framework.permissions import AllowAny\nfrom rest_framework.throttling import AnonRateThrottle\n"
        "from django.contrib.auth import authenticate\n"
        "@api_view(['POST'])\n@permission_classes([AllowAny])\n@throttle_classes([AnonRateThrottle])\n"
        "def obtain_token(request):\n    user = authenticate(username=request.data['username'], password=request.data['password'])\n"
        "    return Response({'token': make_token(user)})\n",
        # A lockout after failed attempts, counted in the body.
        "from flask import Flask, request, abort\napp = Flask(__name__)\n"
        "@app.post('/login')\ndef login():\n    user = User.query.filter_by(email=request.form['email']).first_or_404()\n"
        "    if user.failed_logins >= 5:\n        abort(423)\n"
        "    if not user.check_password(request.form['password']):\n        user.failed_logins += 1\n"
        "        abort(401)\n    return 'ok'\n",
        # No credential: a GET page, an OAuth redirect, a logout.
        "from flask import Flask, render_template, redirect\napp = Flask(__name__)\n"
        "@app.get('/login')\ndef login_page():\n    return render_template('login.html')\n"
        "@app.get('/login/github')\ndef github():\n    return redirect(github_authorize_url())\n",
        # A signed-in user re-entering a password (change password) is not a login endpoint.
        "from flask import Flask, request\nfrom flask_login import login_required, current_user\napp = Flask(__name__)\n"
        "@app.post('/account/password')\n@login_required\ndef change_password():\n"
        "    if not current_user.check_password(request.form['old']):\n        return 'no', 400\n"
        "    current_user.set_password(request.form['new'])\n    return 'ok'\n",
        # The project's own limiter, by name.
        "from fastapi import APIRouter, Depends\nfrom app.security import rate_limit, verify_password\n"
        "router = APIRouter()\n@router.post('/login', dependencies=[Depends(rate_limit('login'))])\n"
        "def login(body: LoginBody):\n    if not verify_password(body.password, lookup(body.email)):\n"
        "        raise Unauthorized()\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Blueprint, request\nfrom werkzeug.security import check_password_hash\n"
            "from .extensions import limiter\nbp = Blueprint('auth', __name__)\n"
            "@bp.post('/signup')\n@limiter.limit('3 per hour')\ndef signup():\n    return create(request.json)\n"
            "@bp.post('/login')\ndef login():\n"
            "    user = User.query.filter_by(email=request.json['email']).first()\n"
            "    if user is None or not check_password_hash(user.password_hash, request.json['password']):\n"
            "        return {'msg': 'Invalid email or password'}, 401\n    return {'token': issue(user)}\n",
            fixed="from flask import Blueprint, request\nfrom werkzeug.security import check_password_hash\n"
            "from .extensions import limiter\nbp = Blueprint('auth', __name__)\n"
            "@bp.post('/signup')\n@limiter.limit('3 per hour')\ndef signup():\n    return create(request.json)\n"
            "@bp.post('/login')\n@limiter.limit('3 per hour')\ndef login():\n"
            "    user = User.query.filter_by(email=request.json['email']).first()\n"
            "    if user is None or not check_password_hash(user.password_hash, request.json['password']):\n"
            "        return {'msg': 'Invalid email or password'}, 401\n    return {'token': issue(user)}\n",
        ),
        # slowapi needs a ``request`` parameter: the fix adds it.
        Invalid(
            "from fastapi import APIRouter, Request\nfrom app.limiter import limiter\nfrom app.security import verify_password\n"
            "router = APIRouter()\n"
            "@router.post('/password-reset')\n@limiter.limit('3/hour')\ndef reset(request: Request, body: ResetBody):\n"
            "    send_password_reset_email(body.email)\n"
            "@router.post('/login')\ndef login(body: LoginBody, session: SessionDep):\n"
            "    user = get_user(session, body.email)\n"
            "    if user is None or not verify_password(body.password, user.hashed_password):\n"
            "        raise HTTPException(401, 'Incorrect email or password')\n    return issue_tokens(user)\n",
            fixed="from fastapi import APIRouter, Request\nfrom app.limiter import limiter\nfrom app.security import verify_password\n"
            "router = APIRouter()\n"
            "@router.post('/password-reset')\n@limiter.limit('3/hour')\ndef reset(request: Request, body: ResetBody):\n"
            "    send_password_reset_email(body.email)\n"
            "@router.post('/login')\n@limiter.limit('3/hour')\ndef login(request: Request, body: LoginBody, session: SessionDep):\n"
            "    user = get_user(session, body.email)\n"
            "    if user is None or not verify_password(body.password, user.hashed_password):\n"
            "        raise HTTPException(401, 'Incorrect email or password')\n    return issue_tokens(user)\n",
        ),
        # A TOTP check behind authentication (the second factor): no limiter in the project to copy.
        Invalid(
            "import pyotp\nfrom flask import Flask, request, session\napp = Flask(__name__)\n"
            "@app.post('/2fa')\ndef second_factor():\n    user = db.session.get(User, session['pending_user'])\n"
            "    if not pyotp.TOTP(user.totp_secret).verify(request.form['code']):\n        return 'Invalid code', 401\n"
            "    return finish_login(user)\n",
        ),
        # Django: a reset request with Django's form, no ratelimit.
        Invalid(
            "from django.contrib.auth.forms import PasswordResetForm\nfrom django.shortcuts import redirect, render\n"
            "def password_reset(request):\n    form = PasswordResetForm(request.POST or None)\n"
            "    if request.method == 'POST' and form.is_valid():\n        form.save(request=request)\n"
            "        return redirect('done')\n    return render(request, 'reset.html', {'form': form})\n",
        ),
        # Sign-up, FastAPI, no limiter anywhere.
        Invalid(
            "from fastapi import APIRouter\nfrom app.security import hash_password\nrouter = APIRouter()\n"
            "@router.post('/register')\ndef register(body: RegisterBody, session: SessionDep):\n"
            "    user = User(email=body.email, hashed_password=hash_password(body.password))\n"
            "    session.add(user)\n    session.commit()\n    return {'id': user.id}\n",
        ),
        # A simplejwt login view subclassed without throttling.
        Invalid(
            "from rest_framework_simplejwt.views import TokenObtainPairView\n"
            "class LoginView(TokenObtainPairView):\n    serializer_class = EmailTokenSerializer\n",
        ),
        # ScopedRateThrottle without a scope throttles nothing.
        Invalid(
            "from django.contrib.auth import authenticate\nfrom rest_framework.views import APIView\n"
            "from rest_framework.permissions import AllowAny\nfrom rest_framework.throttling import ScopedRateThrottle\n"
            "class Login(APIView):\n    permission_classes = [AllowAny]\n    throttle_classes = [ScopedRateThrottle]\n"
            "    def post(self, request):\n"
            "        user = authenticate(username=request.data['username'], password=request.data['password'])\n"
            "        return Response({'token': token_for(user)})\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        ctx = self.ctx
        found = endpoints(ctx)
        limits: _ProjectLimits | None = None
        by_function: dict[int, list[Endpoint]] = {}
        for endpoint in found:
            by_function.setdefault(id(endpoint.function), []).append(endpoint)
        for group in by_function.values():
            # One function may be reached several ways (a Flask route and a Django-shaped view): any guard or
            # limit on any of them counts.
            endpoint = group[0]
            function = endpoint.function
            evidence = collect_evidence(ctx, function, endpoint)
            authenticated = any(signed_in(e) for e in group)
            kind = evidence.kind(authenticated)
            if kind is None and not authenticated and not evidence.hashes:
                password = client_password_read(ctx, function, endpoint.framework)
                if password is not None:
                    evidence.password_input = password
                    kind = "password"
            if kind is None:
                continue
            if limits is None:
                limits = project_limits(ctx)
            if any(self._limited(e, kind, limits) is not None for e in group):
                continue
            self._report(endpoint, kind, evidence, found)
        self._class_views(found)

    # --- is the endpoint limited? ---------------------------------------------------------
    def _limited(self, endpoint: Endpoint, kind: str, limits: _ProjectLimits) -> str | None:
        ctx = self.ctx
        function = endpoint.function
        route = endpoint.route
        decorators = list(function.decorators)
        cls = route.handler if isinstance(route.handler, cst.ClassDef) else getattr(route, "view_class", None)
        if cls is not None:
            decorators += list(cls.decorators)
        exempt = any(_is_exempt(ctx, d.decorator) for d in decorators)
        for decorator in decorators:
            if expr_limits(ctx, decorator.decorator):
                return markup.code(f'@{ctx.code(decorator.decorator)}')
        if cls is not None and self._class_limits(cls, endpoint):
            return "the view's throttles"
        # FastAPI: Depends(RateLimiter(...)) in parameters, the decorator's or the router's dependencies.
        for param in (*function.params.params, *function.params.kwonly_params):
            for expr in (param.default, param.annotation.annotation if param.annotation else None):
                if expr is not None and self._dependency_limits(expr):
                    return "a limiter dependency"
        for decorator in function.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call):
                dependencies = ctx.argument(call, "dependencies")
                if dependencies is not None and self._dependency_limits(dependencies):
                    return "a limiter dependency"
        owner = route.owner
        if owner:
            bound = ctx.index.bindings.get((id(ctx.module), owner))
            if bound and len(bound) == 1 and isinstance(bound[0], cst.Call):
                dependencies = ctx.argument(bound[0], "dependencies")
                if dependencies is not None and self._dependency_limits(dependencies):
                    return "the router's limiter dependency"
        if self._body_limits(function):
            return "a check in the body"
        # Applied from outside: limiter.limit(...)(bp), ratelimit(...)(view) in urls.py, hooks, app-wide.
        module = ctx.index.module_name
        names = {function.name.value, f"{module}.{function.name.value}"}
        if cls is not None:
            names |= {cls.name.value, f"{module}.{cls.name.value}"}
        if owner and not exempt:
            names |= {owner, f"{module}.{owner}"}
            if owner in limits.hooks:
                return "a limiting before_request hook"
            qualified = _target_name(ctx, cst.parse_expression(owner)) if re.fullmatch(r"[\w.]+", owner) else None
            if qualified:
                names.add(qualified)
        if names & limits.targets:
            return "a limiter applied to the view or its blueprint"
        if limits.app_wide and not exempt:
            return limits.app_wide
        if endpoint.framework in ("django", "drf"):
            for settings in _applicable(ctx, endpoint):
                if settings.middleware:
                    return settings.middleware
                if kind in ("login", "password") and settings.axes:
                    return "django-axes"
                if endpoint.framework == "drf" and settings.drf_throttles and self._defaults_throttle(
                        settings.drf_throttles, cls, endpoint):
                    return "DEFAULT_THROTTLE_CLASSES"
        return None

    def _dependency_limits(self, expr: cst.BaseExpression) -> bool:
        for node in [expr, *walk(expr)]:
            if isinstance(node, cst.Call) and tail_name(node.func) in ("Depends", "Security") and node.args:
                if expr_limits(self.ctx, node.args[0].value):
                    return True
        return False

    def _body_limits(self, function: cst.FunctionDef) -> bool:
        ctx = self.ctx
        if _refuses_too_often(ctx, function.body):
            return True
        for node in walk(function.body):
            if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
                qual = ctx.qualname(node.func) or ""
                if qual in _NOT_LIMITERS:
                    continue
                if text_says_limit(callee_text(node.func)) or text_says_limit(qual):
                    return True  # limiter.hit(...), check_rate_limit(request), throttle.allow(key)
        return False

    def _class_info(self, cls: cst.ClassDef) -> Any:
        from ..routes_django import class_info

        return class_info(self.ctx, cls)

    def _class_attribute(self, cls: cst.ClassDef, name: str) -> tuple[FileContext, cst.BaseExpression] | None:
        from ..routes_django import class_attribute

        return class_attribute(self._class_info(cls), name)

    def _class_limits(self, cls: cst.ClassDef, endpoint: Endpoint | None) -> bool:
        # Flask MethodView: decorators = [limiter.limit("5/minute")]
        for name in ("decorators", "method_decorators"):
            found = self._class_attribute(cls, name)
            if found is not None and isinstance(found[1], (cst.List, cst.Tuple)) and any(
                    expr_limits(found[0], e.value) for e in found[1].elements):
                return True
        # Django: @method_decorator(ratelimit(...)) on dispatch; DRF throttles.
        info = self._class_info(cls)
        for home, node in info.chain:
            for statement in node.body.body:
                if isinstance(statement, cst.FunctionDef):
                    if statement.name.value == "get_throttles":
                        return True
                    if statement.name.value == "dispatch" and any(
                            expr_limits(home, d.decorator) for d in statement.decorators):
                        return True
            if node is not cls and any(expr_limits(home, d.decorator) for d in node.decorators):
                return True
        throttles = self._class_attribute(cls, "throttle_classes")
        if throttles is not None:
            home, value = throttles
            if not _drf_throttles_declared(home, value):
                return False
            return self._throttles_apply(home, value, cls)
        if any("Ratelimit" in name or "Throttl" in name for name in info.external):
            return True
        return False

    def _throttles_apply(self, home: FileContext, value: cst.BaseExpression, cls: cst.ClassDef | None) -> bool:
        """``ScopedRateThrottle`` throttles only views that set ``throttle_scope``."""
        if not isinstance(value, (cst.List, cst.Tuple)):
            return True
        for element in value.elements:
            name = home.qualname(element.value) or home.code(element.value)
            if not name.endswith("ScopedRateThrottle"):
                return True
        return cls is not None and self._class_attribute(cls, "throttle_scope") is not None

    def _defaults_throttle(self, defaults: tuple[str, ...], cls: cst.ClassDef | None, endpoint: Endpoint) -> bool:
        if cls is not None:
            declared = self._class_attribute(cls, "throttle_classes")
            if declared is not None and isinstance(declared[1], (cst.List, cst.Tuple)) and not declared[1].elements:
                return False  # throttle_classes = [] opts out of the defaults
        if all(d.endswith("ScopedRateThrottle") for d in defaults):
            return cls is not None and self._class_attribute(cls, "throttle_scope") is not None
        return True

    # --- reporting -----------------------------------------------------------------------------
    def _report(self, endpoint: Endpoint, kind: str, evidence: _Evidence, found: list[Endpoint]) -> None:
        ctx = self.ctx
        label = self._label(endpoint)
        how = _WHAT[kind]
        if kind == "password" and evidence.password_input:
            how = f"takes a password from the client ({evidence.password_input})"
        fix, advice = self._fix(endpoint, kind, found)
        confidence = Confidence.HIGH if kind in ("login", "otp") else Confidence.MEDIUM
        if ctx.project is None:
            confidence = Confidence.MEDIUM  # app-wide limits (default_limits, settings, middleware) are not in sight
        if kind == "password":
            confidence = Confidence.MEDIUM
        severity = Severity.LOW if kind == "signup" else Severity.MEDIUM
        where = {
            "flask": "no limiter on the route, its blueprint or the app",
            "django": "no ratelimit decorator, django-axes or limiting middleware",
            "drf": "no DRF throttle, ratelimit decorator or django-axes",
        }.get(endpoint.framework, "no limiter on the route, its router or the app")
        exempt = next((d for d in endpoint.function.decorators if _is_exempt(ctx, d.decorator)), None)
        if exempt is not None:
            where = f"{markup.code(f'@{ctx.code(exempt.decorator)}')} takes it out of the app's default limits"
        cls = endpoint.route.handler if isinstance(endpoint.route.handler, cst.ClassDef) else None
        if cls is not None and endpoint.framework == "drf":
            fix = None
            declared = self._class_attribute(cls, "throttle_classes")
            if declared is not None and _drf_throttles_declared(*declared):
                where = "its `ScopedRateThrottle` has no `throttle_scope`, so it throttles nothing"
                advice = "set `throttle_scope` to a scope with a rate in `DEFAULT_THROTTLE_RATES`"
            else:
                advice = "set `throttle_classes` (e.g. `ScopedRateThrottle` with a `throttle_scope`)"
        self.report(endpoint.function.name,
                    f"{markup.code(label)} {how} with no rate limiting ({where}): {_RISK[kind]}; {advice}",
                    fix=fix, confidence=confidence, severity=severity)

    def _label(self, endpoint: Endpoint) -> str:
        return endpoint_label(self.ctx, endpoint)

    def _fix(self, endpoint: Endpoint, kind: str, found: list[Endpoint]) -> tuple[Fix | None, str]:
        """The limiter decorator the other routes of this file use, added to this one."""
        ctx = self.ctx
        route = endpoint.route
        ranked: Counter[tuple[int, str]] = Counter()
        order: list[str] = []
        for other in found:
            if other.function is endpoint.function or other.framework != endpoint.framework:
                continue
            texts = [ctx.code(d.decorator) for d in other.function.decorators
                     if expr_limits(ctx, d.decorator) and not _is_exempt(ctx, d.decorator)]
            texts = [t for t in texts if "\n" not in t]
            if not texts:
                continue
            other_kind = collect_evidence(ctx, other.function, other).kind(signed_in(other))
            rank = 2 if other_kind == kind else 1 if other_kind else 0
            for text in texts:
                ranked[(rank, text)] += 1
                if text not in order:
                    order.append(text)
        if not ranked:
            return None, self._advice_elsewhere(endpoint)
        best_rank = max(rank for rank, _ in ranked)
        pool = {text: n for (rank, text), n in ranked.items() if rank == best_rank}
        text = max(pool, key=lambda t: (pool[t], -order.index(t)))
        advice = f"add {markup.code(f'@{text}')} as the other routes here do"
        function = endpoint.function
        if getattr(route, "view_class", None) is not None or isinstance(route.handler, cst.ClassDef) \
                or ctx.index.functions.get(function.name.value) is not function:
            return None, advice  # methods of class views take limits differently (method_decorator, throttles)
        def_line = ctx.position(function.name).start.line
        line = ctx.lines[def_line - 1]
        indent = line[: len(line) - len(line.lstrip())]
        if endpoint.framework in ("fastapi", "starlette") and not self._has_request_param(function):
            return self._fix_with_request(function, def_line, indent, text, advice)
        return Fix(def_line, def_line, f"{indent}@{text}\n{line}", f"add @{text}"), advice

    def _advice_elsewhere(self, endpoint: Endpoint) -> str:
        """Advice when no route of this file has a limiter: the one other modules use, else the usual library."""
        used = project_route_limiters(self.ctx).get(endpoint.framework)
        if used is not None:
            return f"add {markup.code(f'@{used[0]}')} as {markup.code(used[1])} does"
        return {
            "django": "add `@ratelimit(key=\"ip\", rate=\"5/m\", method=\"POST\", block=True)` (django-ratelimit) "
                      "or django-axes",
            "drf": "set `throttle_classes` (e.g. `ScopedRateThrottle` with a `throttle_scope`)",
            "fastapi": "add a limiter (`@limiter.limit(\"5/minute\")` with slowapi, or "
                       "`Depends(RateLimiter(times=5, seconds=60))`)",
        }.get(endpoint.framework, "add a limiter (`@limiter.limit(\"5 per minute\")` with flask-limiter)")

    @staticmethod
    def _has_request_param(function: cst.FunctionDef) -> bool:
        params = function.params
        return any(p.name.value in ("request", "websocket")
                   for p in (*params.posonly_params, *params.params, *params.kwonly_params))

    def _fix_with_request(self, function: cst.FunctionDef, def_line: int, indent: str, text: str,
                          advice: str) -> tuple[Fix | None, str]:
        """slowapi finds the request through a ``request`` parameter: add it, typed with the imported ``Request``."""
        ctx = self.ctx
        alias = next((local for local, qual in ctx.index.imports.items()
                      if qual in ("fastapi.Request", "starlette.requests.Request")), None)
        params = function.params
        if alias is None or params.posonly_params or isinstance(params.star_arg, cst.Param) or params.star_kwarg:
            return None, advice + " (it needs a `request: Request` parameter)"
        new_param = cst.Param(name=cst.Name("request"), annotation=cst.Annotation(cst.Name(alias)),
                              comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        if not params.params and not params.kwonly_params:
            new_param = new_param.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new = params.with_changes(params=[new_param, *params.params])
        if not params.params and not params.kwonly_params:
            start = ctx.position(function.name).start
            line = ctx.lines[def_line - 1]
            open_paren = line.find("(", start.column)
            if open_paren < 0 or line[open_paren + 1 : open_paren + 2] != ")":
                return None, advice
            replaced = line[: open_paren + 1] + f"request: {alias}" + line[open_paren + 1 :]
            return Fix(def_line, def_line, f"{indent}@{text}\n{replaced}", f"add @{text}"), advice
        inner = ctx.replace(params, new, f"add @{text}")
        if inner.line < def_line:
            return None, advice
        between = ctx.lines[def_line - 1 : inner.line - 1]
        replacement = "\n".join([f"{indent}@{text}", *between, inner.replacement])
        return Fix(def_line, inner.end_line, replacement, f"add @{text}"), advice

    # --- class views with inherited handlers ------------------------------------------------------
    def _class_views(self, found: list[Endpoint]) -> None:
        """``class LoginView(TokenObtainPairView)`` with no handler of its own: the base's login, unthrottled."""
        ctx = self.ctx
        if not re.search(r"TokenObtain|ObtainAuthToken|LoginView|PasswordReset|RegisterView", ctx.source.text):
            return
        handled = {id(getattr(e.route, "handler", None)) for e in found}
        for cls in ctx.index.classes.values():
            kind = None
            base_name = ""
            for base in cls.bases:
                qual = ctx.qualname(base.value) or ""
                if qual in _CREDENTIAL_BASES:
                    kind, base_name = _CREDENTIAL_BASES[qual], qual.rsplit(".", 1)[-1]
                    break
            if kind is None:
                continue
            own = {s.name.value for s in cls.body.body if isinstance(s, cst.FunctionDef)}
            if own & {"post", "put", "get"} and id(cls) in handled:
                continue  # its own handlers are endpoints, read above
            if self._class_limits(cls, None) or self._settings_cover_class(cls, kind, base_name):
                continue
            limits = project_limits(ctx)
            module = ctx.index.module_name
            if {cls.name.value, f"{module}.{cls.name.value}"} & limits.targets or limits.app_wide:
                continue
            what = _WHAT[kind]
            self.report(cls.name, f"{markup.code(cls.name.value)} ({base_name}) {what} with no throttling or rate limit: "
                        f"{_RISK[kind]}; set `throttle_classes` or wrap it with a limiter",
                        confidence=Confidence.MEDIUM)
        self._stock_routes()

    def _stock_routes(self) -> None:
        """``path("api/token/", TokenObtainPairView.as_view())``: a library's login routed as it is, unthrottled.

        Only with the project's settings in sight (axes, DRF default throttles, middleware decide)."""
        ctx = self.ctx
        if ctx.project is None or "as_view" not in ctx.source.text or not django_settings(ctx):
            return
        limits = project_limits(ctx)
        if limits.app_wide:
            return
        for node, parents in _nodes_with_parents(ctx.module):
            if not (isinstance(node, cst.Call) and tail_name(node.func) == "as_view"
                    and isinstance(node.func, cst.Attribute)):
                continue
            qual = ctx.qualname(node.func.value) or ""
            kind = _CREDENTIAL_BASES.get(qual)
            if kind is None or qual in limits.targets:
                continue
            throttles = ctx.argument(node, "throttle_classes")
            if throttles is not None and _drf_throttles_declared(ctx, throttles):
                continue
            if any(isinstance(p, cst.Call) and isinstance(p.func, cst.Call) and expr_limits(ctx, p.func)
                   for p in parents):
                continue  # ratelimit(...)(LoginView.as_view())
            drf = qual.startswith(_DRF_PREFIXES)
            if any(s.middleware or (kind == "login" and s.axes) or (drf and s.drf_throttles and not all(
                    d.endswith("ScopedRateThrottle") for d in s.drf_throttles)) for s in django_settings(ctx)):
                continue
            route = next((p for p in reversed(parents) if isinstance(p, cst.Call)
                          and tail_name(p.func) in ("path", "re_path", "url")), None)
            if route is None:
                continue  # called in code (``LoginView.as_view(**defaults)(request)``), not routed here
            where = ctx.string(ctx.argument(route, "route", 0))
            name = qual.rsplit(".", 1)[-1]
            label = f"{markup.code(where)} ({name})" if where is not None else markup.code(name)
            advice = "pass `throttle_classes` to `as_view()` or set `DEFAULT_THROTTLE_CLASSES`" if drf else \
                "wrap it with `ratelimit(...)` or install django-axes"
            self.report(node, f"{label} {_WHAT[kind]} with no throttling or rate limit: {_RISK[kind]}; {advice}",
                        confidence=Confidence.MEDIUM)

    def _settings_cover_class(self, cls: cst.ClassDef, kind: str, base_name: str) -> bool:
        drf = base_name not in ("LoginView", "PasswordResetView", "PasswordResetConfirmView") or any(
            (self.ctx.qualname(b.value) or "").startswith(_DRF_PREFIXES) for b in cls.bases)
        for settings in django_settings(self.ctx):
            if settings.middleware or (kind == "login" and settings.axes):
                return True
            if drf and settings.drf_throttles:
                if all(d.endswith("ScopedRateThrottle") for d in settings.drf_throttles):
                    if self._class_attribute(cls, "throttle_scope") is not None:
                        return True
                else:
                    return True
        return False


# --- AR108 ----------------------------------------------------------------------------------

_IDENT_FIELDS = frozenset({"email", "username", "user_name", "login", "phone", "phone_number", "mobile", "handle",
                           "email_address", "mail", "user", "username_or_email", "login_name", "user_email",
                           "nickname", "userid", "user_id", "account", "name", "msisdn"})
_LOOKUP_VERBS = frozenset({"get", "find", "fetch", "load", "lookup", "by", "query", "retrieve", "read", "search"})
_PRINCIPAL_WORDS = frozenset({"user", "users", "account", "accounts", "member", "members", "customer", "customers",
                              "person", "staff", "admin", "employee", "profile"})
_FLOW_WORDS = frozenset({"reset", "forgot", "forgotten", "recover", "recovery", "login", "signin", "logon"})
_MISSING_EXCEPTIONS = frozenset({"DoesNotExist", "ObjectDoesNotExist", "NoResultFound", "NotFound", "UserNotFound",
                                 "UserDoesNotExist", "LookupError", "KeyError"})
_HTTP_STATUS_NAMES = {"OK": 200, "CREATED": 201, "ACCEPTED": 202, "NO_CONTENT": 204, "FOUND": 302,
                      "SEE_OTHER": 303, "BAD_REQUEST": 400, "UNAUTHORIZED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404,
                      "CONFLICT": 409, "GONE": 410, "UNPROCESSABLE_ENTITY": 422, "UNPROCESSABLE_CONTENT": 422,
                      "TOO_MANY_REQUESTS": 429}
_IMPLIED_STATUS = {"NotFound": 404, "Http404": 404, "HTTPNotFound": 404, "HttpResponseNotFound": 404,
                   "Unauthorized": 401, "HTTPUnauthorized": 401, "AuthenticationFailed": 401, "NotAuthenticated": 401,
                   "PermissionDenied": 403, "Forbidden": 403, "HTTPForbidden": 403, "HttpResponseForbidden": 403,
                   "BadRequest": 400, "HTTPBadRequest": 400, "HttpResponseBadRequest": 400, "ValidationError": 400,
                   "redirect": 302, "RedirectResponse": 307, "HttpResponseRedirect": 302}
_HTTP_EXCEPTIONS = frozenset({"HTTPException", "HTTPError", "HttpError", "ValidationError", "AuthenticationFailed",
                              "NotAuthenticated", "NotFound", "PermissionDenied", "Http404", "Unauthorized",
                              "Forbidden", "BadRequest", "HTTPNotFound", "HTTPUnauthorized", "HTTPForbidden",
                              "HTTPBadRequest", "APIException", "ParseError"})
_RESPONSE_CALLS = re.compile(r"(?:Response|jsonify|render|render_template|redirect|make_response|JsonResponse|"
                             r"HttpResponse\w*|TemplateResponse|abort)$")
_MESSAGE_CALLS = frozenset({"flash", "add_error", "error", "warning", "info", "success", "add_message"})


_FLOW_TEXT = re.compile(r"(?i)passw|reset|forgot|recover|authenticat|magic|checkpw|verify")


def _words_in(node: cst.CSTNode) -> str:
    """The names, attributes and strings of a node, joined: enough to ask what a body talks about,
    without rendering its code."""
    parts = []
    for child in walk(node):
        if isinstance(child, cst.Name):
            parts.append(child.value)
        elif isinstance(child, cst.Attribute):
            parts.append(child.attr.value)
        elif isinstance(child, (cst.SimpleString, cst.FormattedStringText)):
            parts.append(child.value)
    return " ".join(parts)


def _is_missing_test(test: cst.BaseExpression, name: str) -> bool | None:
    """True for ``x is None`` / ``not x``; False for ``x`` / ``x is not None``; None when not about ``x`` alone."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = test.expression
        if isinstance(inner, cst.Name) and inner.value == name:
            return True
        if isinstance(inner, cst.Call) and tail_name(inner.func) == "exists" and name in _names_in(inner):
            return True
        return None
    if isinstance(test, cst.Name) and test.value == name:
        return False
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        left, op = test.left, test.comparisons[0].operator
        right = test.comparisons[0].comparator
        if isinstance(left, cst.Name) and left.value == name and isinstance(right, cst.Name) and right.value == "None":
            if isinstance(op, (cst.Is, cst.Equal)):
                return True
            if isinstance(op, (cst.IsNot, cst.NotEqual)):
                return False
    return None


def _inline_lookup(test: cst.BaseExpression) -> tuple[cst.Call, bool] | None:
    """``not X.exists()`` / ``X.first() is None`` -> (X's call, True); ``X.exists()`` / ``X is not None`` -> (.., False)."""
    missing = False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        missing, test = True, test.expression
    elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and \
            isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None":
        operator = test.comparisons[0].operator
        if not isinstance(operator, (cst.Is, cst.IsNot, cst.Equal, cst.NotEqual)):
            return None
        missing, test = isinstance(operator, (cst.Is, cst.Equal)), test.left
    test = _strip_await(test)
    if not isinstance(test, cst.Call):
        return None
    if tail_name(test.func) == "exists" and isinstance(test.func, cst.Attribute) \
            and isinstance(_strip_await(test.func.value), cst.Call):
        return _strip_await(test.func.value), missing  # type: ignore[return-value]
    return test, missing


def _names_in(node: cst.CSTNode) -> set[str]:
    return {n.value for n in [node, *walk(node)] if isinstance(n, cst.Name)}


@dataclass
class _Exit:
    node: cst.CSTNode  # the Return/Raise/abort statement (or the load that 404s)
    value: cst.BaseExpression | None
    branch: list[cst.CSTNode]  # statements of the branch before the exit (for flash() messages)
    status: int | None = None
    implied: str | None = None  # "404 from first_or_404()"


class _Function:
    """Statements of one function in order, with their blocks, to walk forward from any of them."""

    def __init__(self, ctx: FileContext, function: cst.FunctionDef) -> None:
        self.ctx = ctx
        self.function = function
        self.parent: dict[int, tuple[cst.CSTNode | None, list[cst.CSTNode], int]] = {}
        self.order: dict[int, int] = {}
        self.statements: list[cst.CSTNode] = []
        self._index(function.body, None)
        for position, node in enumerate([function, *walk(function)]):
            self.order[id(node)] = position
        self.assigned: dict[str, list[tuple[int, cst.BaseExpression]]] = {}
        for statement in self.statements:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    targets: list[cst.BaseExpression] = []
                    value = None
                    if isinstance(small, cst.Assign):
                        targets, value = [t.target for t in small.targets], small.value
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        targets, value = [small.target], small.value
                    for target in targets:
                        if isinstance(target, cst.Name) and value is not None:
                            self.assigned.setdefault(target.value, []).append((self.order[id(small)], value))

    def _index(self, suite: Any, owner: cst.CSTNode | None) -> None:
        body = list(getattr(suite, "body", ()))
        if isinstance(suite, cst.SimpleStatementSuite):
            return
        for index, statement in enumerate(body):
            self.parent[id(statement)] = (owner, body, index)
            self.statements.append(statement)
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                continue
            for child in _child_blocks(statement):
                self._index(child, statement)

    def value_before(self, name: str, position: int) -> cst.BaseExpression | None:
        """The value last assigned to ``name`` before ``position`` (source order)."""
        best = None
        for at, value in self.assigned.get(name, ()):
            if at < position:
                best = value
        return best

    def following(self, statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """Statements that run after ``statement`` when it completes normally (its block, then enclosing ones)."""
        current: cst.CSTNode | None = statement
        while current is not None and id(current) in self.parent:
            owner, block, index = self.parent[id(current)]
            yield from block[index + 1 :]
            if isinstance(owner, (cst.For, cst.While)):
                return  # a loop's next iteration: too far
            current = owner


def _child_blocks(statement: cst.CSTNode) -> list[Any]:
    suites: list[Any] = []
    for attr in ("body", "finalbody"):
        value = getattr(statement, attr, None)
        if isinstance(value, cst.BaseSuite):
            suites.append(value)
        elif isinstance(value, cst.Finally):
            suites.append(value.body)
    for handler in getattr(statement, "handlers", ()):
        suites.append(handler.body)
    for case in getattr(statement, "cases", ()):
        suites.append(case.body)
    orelse = getattr(statement, "orelse", None)
    while orelse is not None:
        if isinstance(orelse, cst.If):
            suites.append(cst.IndentedBlock(body=[orelse]))
            break
        if isinstance(orelse, cst.Else):
            suites.append(orelse.body)
        break
    return suites


def _exit_of(statement: cst.CSTNode) -> tuple[cst.CSTNode, cst.BaseExpression | None] | None:
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Return):
                return small, small.value
            if isinstance(small, cst.Raise):
                return small, small.exc
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and \
                    tail_name(small.value.func) in ("abort", "abort_with", "raise_error"):
                return small, small.value
    return None


def _branch_exit(statement: cst.If, body: bool) -> _Exit | None:
    """The first exit of the If's body (``body``) or of its ``else`` (None without one)."""
    if body:
        return _first_exit(list(statement.body.body))[0]
    if isinstance(statement.orelse, cst.Else):
        return _first_exit(list(statement.orelse.body.body))[0]
    return None


def _first_exit(statements: list[cst.CSTNode]) -> tuple[_Exit | None, list[cst.CSTNode]]:
    """The first return/raise/abort in ``statements`` (nested blocks included) and what ran before it."""
    before: list[cst.CSTNode] = []
    for statement in statements:
        found = _exit_of(statement)
        if found is not None:
            return _Exit(found[0], found[1], before), before
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(statement, cst.SimpleStatementLine):
            before.append(statement)
            continue
        for block in _child_blocks(statement):
            inner, ran = _first_exit(list(getattr(block, "body", ())))
            if inner is not None:
                inner.branch = before + ran
                return inner, before
        before.append(statement)
    return None, before


class UserEnumeration(Rule):
    """What it does: flags login and password-reset flows that look a user up by a
    client-supplied identifier (e-mail, username, phone) and answer "no such user" differently
    from "wrong password" (another message, another status code, a 404 from ``first_or_404``),
    or, in a reset flow, answer "no account with that e-mail" differently from "e-mail sent".
    Handlers, their helpers, and serializers/forms whose errors reach the client are read.

    Why is this bad: the difference tells anyone which e-mail addresses have an account. That
    list feeds credential stuffing and targeted phishing, and on some sites (health, dating,
    legal) the membership itself is sensitive.

    Example:
        user = User.query.filter_by(email=data["email"]).first()
        if user is None:
            return {"msg": "No account with that email"}, 404
        if not user.check_password(data["password"]):
            return {"msg": "Wrong password"}, 401

    Use instead:
        user = User.query.filter_by(email=data["email"]).first()
        if user is None or not user.check_password(data["password"]):
            return {"msg": "Invalid email or password"}, 401
    """

    id = "AR108"
    name = "user-enumeration"
    title = "Login or reset answers reveal which accounts exist"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = 204
    in_tests = False
    prefilter = (
        re.compile(r"(?i)passw|reset|forgot|recover|authenticat|magic"),
        re.compile(r"(?i)email|user|login|account|phone"),
    )

    VALID = [
        # One answer for both failures.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    user = User.query.filter_by(email=request.json['email']).first()\n"
        "    if user is None or not user.check_password(request.json['password']):\n"
        "        return {'msg': 'Invalid email or password'}, 401\n    return {'ok': True}\n",
        # Separate branches, same answer (and a dummy hash check for timing).
        "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n@router.post('/login')\n"
        "def login(body: LoginBody, session: SessionDep):\n"
        "    user = session.scalars(select(User).where(User.email == body.email)).first()\n"
        "    if user is None:\n        verify_password(body.password, DUMMY_HASH)\n"
        "        raise HTTPException(401, 'Incorrect email or password')\n"
        "    if not verify_password(body.password, user.hashed_password):\n"
        "        raise HTTPException(401, 'Incorrect email or password')\n    return issue(user)\n",
        # A shared error object.
        "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n@router.post('/login')\n"
        "def login(body: LoginBody, session: SessionDep):\n    invalid = HTTPException(401, 'Invalid credentials')\n"
        "    user = get_user_by_email(session, body.email)\n    if not user:\n        raise invalid\n"
        "    if not verify_password(body.password, user.hashed_password):\n        raise invalid\n    return issue(user)\n",
        # Reset: same answer whether or not the account exists.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/password/forgot')\ndef forgot():\n"
        "    user = User.query.filter_by(email=request.json['email']).first()\n    if user is not None:\n"
        "        send_password_reset(user)\n    return {'msg': 'If that address has an account, a link is on its way.'}, 202\n",
        # Sign-up saying an e-mail is taken is outside this rule (no secret is checked).
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/signup')\ndef signup():\n"
        "    if User.query.filter_by(email=request.json['email']).first() is not None:\n"
        "        return {'msg': 'Email already registered'}, 409\n    return create(request.json)\n",
        # A disabled account is reported only after the password matched.
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    user = User.query.filter_by(email=request.form['email']).first()\n"
        "    if user is None or not user.check_password(request.form['password']):\n        return 'Invalid', 401\n"
        "    if not user.is_active:\n        return 'Account suspended', 403\n    return 'ok'\n",
        # Sign-up forms say an address is taken (the opposite test); login forms with one generic error.
        "from wtforms.validators import ValidationError\nclass RegistrationForm(FlaskForm):\n"
        "    def validate_email(self, email):\n        if User.query.filter_by(email=email.data).first():\n"
        "            raise ValidationError('That email is taken.')\n"
        "class LoginForm(FlaskForm):\n    def validate_email(self, email):\n"
        "        user = User.query.filter_by(email=email.data).first()\n        if user is None:\n"
        "            raise ValidationError('Invalid email or password.')\n",
        # The user comes from the session, not from a client-supplied identifier.
        "from flask import Flask, request, session\napp = Flask(__name__)\n@app.post('/confirm')\ndef confirm():\n"
        "    user = User.query.get(session['user_id'])\n    if user is None:\n        return 'Session expired', 401\n"
        "    if not user.check_password(request.form['password']):\n        return 'Wrong password', 400\n    return 'ok'\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, jsonify, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    data = request.get_json()\n    user = User.query.filter_by(email=data['email']).first()\n"
            "    if user is None:\n        return jsonify(msg='No account with that email'), 404\n"
            "    if not user.check_password(data['password']):\n        return jsonify(msg='Wrong password'), 401\n"
            "    return jsonify(token=issue(user))\n",
        ),
        # Django: the lookup raises, the except branch answers differently.
        Invalid(
            "from django.contrib.auth import get_user_model\nfrom django.contrib.auth.hashers import check_password\n"
            "from django.shortcuts import render\nUser = get_user_model()\n"
            "def login_view(request):\n    try:\n        user = User.objects.get(username=request.POST['username'])\n"
            "    except User.DoesNotExist:\n        return render(request, 'login.html', {'error': 'Unknown username'})\n"
            "    if not check_password(request.POST['password'], user.password):\n"
            "        return render(request, 'login.html', {'error': 'Incorrect password'})\n    return do_login(request, user)\n",
        ),
        # Reset flow: "no account" vs "sent".
        Invalid(
            "from rest_framework.decorators import api_view\nfrom rest_framework.response import Response\n"
            "@api_view(['POST'])\ndef forgot_password(request):\n"
            "    user = User.objects.filter(email__iexact=request.data['email']).first()\n"
            "    if user is None:\n        return Response({'detail': 'No user with this email.'}, status=404)\n"
            "    send_password_reset_email(user)\n    return Response({'detail': 'Reset link sent.'})\n",
        ),
        # A 404 from first_or_404 before the password check.
        Invalid(
            "from flask import Flask, request, abort\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    user = User.query.filter_by(username=request.form['username']).first_or_404()\n"
            "    if not user.check_password(request.form['password']):\n        abort(401)\n    return 'ok'\n",
        ),
        # A reset form's validator: the known address passes, the unknown one gets its own error.
        Invalid(
            "from flask_wtf import FlaskForm\nfrom wtforms.validators import ValidationError\n"
            "class RequestResetForm(FlaskForm):\n    def validate_email(self, email):\n"
            "        user = User.query.filter_by(email=email.data).first()\n        if user is None:\n"
            "            raise ValidationError('There is no account with that email. You must register first.')\n",
        ),
        # A DRF serializer: its validation errors are the response.
        Invalid(
            "from rest_framework import serializers\n"
            "class LoginSerializer(serializers.Serializer):\n"
            "    def validate(self, attrs):\n"
            "        user = User.objects.filter(email=attrs['email']).first()\n"
            "        if not user:\n            raise serializers.ValidationError('No account found with this email.')\n"
            "        if not user.check_password(attrs['password']):\n"
            "            raise serializers.ValidationError('Incorrect password.')\n"
            "        attrs['user'] = user\n        return attrs\n",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._functions: list[cst.FunctionDef] = []
        self._owners: dict[int, str] = {}  # method -> its class's name

    # The engine's one walk collects what this rule needs; the analysis runs once it is done.
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                self._owners[id(statement)] = node.name.value

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def finish(self) -> None:
        ctx = self.ctx
        by_function: dict[int, list[Endpoint]] = {}
        for endpoint in endpoints(ctx):
            by_function.setdefault(id(endpoint.function), []).append(endpoint)
        owners = self._owners
        for function in self._functions:
            flow_words = set(split_words(f"{owners.get(id(function), '')} {function.name.value}"))
            if not flow_words & _FLOW_WORDS and not _FLOW_TEXT.search(_words_in(function.body)):
                continue
            found = by_function.get(id(function), [])
            if any(signed_in(e) for e in found):
                continue  # only signed-in callers (an admin looking users up): nothing to enumerate
            self._check(function, found[0] if found else None, owners.get(id(function)))

    def _check(self, function: cst.FunctionDef, endpoint: Endpoint | None, owner: str | None = None) -> None:
        from ..flow import HandlerFlow

        ctx = self.ctx
        framework = endpoint.framework if endpoint is not None else "flask"
        flow = HandlerFlow.build(ctx, function, framework)
        index = _Function(ctx, function)
        lookups = self._lookups(index, flow, endpoint)
        if not lookups:
            return
        label = markup.code(self._label(endpoint, function))
        reported: set[int] = set()
        for name, statement, value in lookups:
            missing = self._missing_exit(index, name, statement, value)
            if missing is None or id(missing.node) in reported:
                continue
            if endpoint is None and not self._client_facing(missing):
                continue
            other, what = self._other_exit(index, name, statement, missing)
            if other is None:
                flow_words = set(split_words(f"{owner or ''} {function.name.value}"))
                if endpoint is None and flow_words & _FLOW_WORDS and self._client_facing(missing):
                    # A form/serializer validator of a login or reset form: the known account simply passes.
                    messages = self._messages(index, missing, self._resolve(index, missing))
                    generic = any(set(split_words(m)) & {"password", "credentials", "credential", "or"}
                                  for m in messages)  # "Invalid e-mail or password": the same for both
                    if any(" " in m for m in messages) and not generic:
                        where = f"{owner}.{function.name.value}()" if owner else f"{function.name.value}()"
                        reported.add(id(missing.node))
                        self.report(missing.node,
                                    f"{markup.code(where)} rejects an unknown account with "
                                    f"{self._describe(None, messages, missing)} while a known one passes: the "
                                    f"error tells anyone which accounts exist; accept every address and answer "
                                    f"the same way (\"if an account exists, we sent a link\")")
                continue
            if endpoint is None and not self._client_facing(other):
                continue
            difference = self._difference(index, missing, other)
            if difference is None:
                continue
            reported.add(id(missing.node))
            self.report(missing.node,
                        f"{label} answers an unknown account with {difference[0]} but {what} with {difference[1]}: "
                        f"the difference tells anyone which accounts exist; give both cases the same message and "
                        f"status")

    def _label(self, endpoint: Endpoint | None, function: cst.FunctionDef) -> str:
        return endpoint_label(self.ctx, endpoint) if endpoint is not None else f"{function.name.value}()"

    # --- the lookup -------------------------------------------------------------------------
    def _lookups(self, index: _Function, flow: Any, endpoint: Endpoint | None) -> list[tuple[str, cst.CSTNode, cst.BaseExpression]]:
        found = []
        for statement in index.statements:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                target = value = None
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                if isinstance(target, cst.Name) and value is not None and self._is_user_lookup(flow, value):
                    found.append((target.value, statement, value))
        for statement in index.statements:
            if isinstance(statement, cst.If):
                inline = _inline_lookup(statement.test)
                if inline is not None and self._is_user_lookup(flow, inline[0]):
                    found.append(("", statement, inline[0]))  # if not User.objects.filter(email=...).exists():
        return found

    def _is_user_lookup(self, flow: Any, value: cst.BaseExpression) -> bool:
        value = _strip_await(value)
        if not isinstance(value, cst.Call):
            return False
        load = flow.load(value)
        if load is not None:
            model_userish = bool(load.model and set(split_words(load.model)) & _PRINCIPAL_WORDS)
            for key in load.keys:
                field_name = key.field.split("__")[0].lower()
                if not (field_name in _IDENT_FIELDS or (model_userish and field_name not in ("id", "pk", "_id"))):
                    continue
                if flow.is_client(key.value):
                    return True
            return False
        words = set(split_words(callee_text(value.func)))
        tail_words = set(split_words(tail_name(value.func)))
        if words & _PRINCIPAL_WORDS and tail_words & (_LOOKUP_VERBS | {"one", "first"}) \
                and not words & {"current", "me", "session", "request"}:
            return any(flow.is_client(arg.value) for arg in value.args)  # get_user_by_email(db, body.email)
        return False

    # --- the branches -------------------------------------------------------------------------
    def _missing_exit(self, index: _Function, name: str, statement: cst.CSTNode,
                      value: cst.BaseExpression) -> _Exit | None:
        """How the function answers when the lookup finds nobody."""
        if not name and isinstance(statement, cst.If):
            inline = _inline_lookup(statement.test)
            if inline is None:
                return None
            return _branch_exit(statement, inline[1])
        call = _strip_await(value)
        tail = tail_name(call.func) if isinstance(call, cst.Call) else ""
        if tail in ("first_or_404", "get_or_404", "one_or_404", "get_object_or_404", "aget_object_or_404"):
            description = FileContext.keyword(call, "description") if isinstance(call, cst.Call) else None
            exit_ = _Exit(statement, description.value if description is not None else None, [], 404,
                          f"404 from {markup.code(f'{tail}()')}")
            return exit_
        owner = index.parent.get(id(statement), (None, [], 0))[0]
        if isinstance(owner, cst.Try):
            for handler in owner.handlers:
                names = {n.value for n in walk(handler.type)} if handler.type is not None else set()
                if names & _MISSING_EXCEPTIONS:
                    found, _ = _first_exit(list(handler.body.body))
                    if found is not None:
                        return found
        start = index.order[id(statement)]
        for candidate in index.statements:
            if not isinstance(candidate, cst.If) or index.order[id(candidate)] <= start:
                continue
            if index.value_before(name, index.order[id(candidate)]) is not value:
                continue  # reassigned in between
            polarity = self._missing_polarity(candidate.test, name)
            if polarity is None:
                continue
            found = _branch_exit(candidate, polarity)
            if found is not None:
                return found
        return None

    def _missing_polarity(self, test: cst.BaseExpression, name: str) -> bool | None:
        """True: the If's body runs for a missing user; False: its else does. Combined with a secret check: None."""
        direct = _is_missing_test(test, name)
        if direct is not None:
            return direct
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
            parts = _or_parts(test)
            if any(self._mentions_secret(p) for p in parts):
                return None
            if any(_is_missing_test(p, name) is True for p in parts):
                return True  # ``if user is None or not user.is_active``: still fires for a missing user
        return None

    def _mentions_secret(self, expr: cst.BaseExpression) -> bool:
        ctx = self.ctx
        for node in [expr, *walk(expr)]:
            if isinstance(node, cst.Call) and secret_check_kind(ctx, node):
                return True
            if isinstance(node, cst.Comparison) and _secret_comparison(ctx, node):
                return True
        return False

    def _other_exit(self, index: _Function, name: str, statement: cst.CSTNode,
                    missing: _Exit) -> tuple[_Exit | None, str]:
        """The wrong-password answer (login flow) or the e-mail-sent answer (reset flow)."""
        ctx = self.ctx
        start = index.order[id(statement)]
        secret_vars: set[str] = set()
        for candidate in index.statements:
            position = index.order[id(candidate)]
            if position <= start:
                continue
            if isinstance(candidate, cst.SimpleStatementLine):
                for small in candidate.body:
                    if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                        value = _strip_await(small.value)
                        if isinstance(value, cst.Call) and secret_check_kind(ctx, value) == "password":
                            targets = small.targets if isinstance(small, cst.Assign) else [small]
                            for target in targets:
                                if isinstance(target.target, cst.Name):
                                    secret_vars.add(target.target.value)
                continue
            if not isinstance(candidate, cst.If):
                continue
            polarity = self._secret_polarity(candidate.test, secret_vars)
            if polarity is None:
                continue
            found = _branch_exit(candidate, polarity)
            if not polarity and not isinstance(candidate.orelse, cst.Else):  # no else: what follows the If answers
                for following in index.following(candidate):
                    found, _ = _first_exit([following])
                    if found is not None:
                        break
            if found is not None and found.node is not missing.node:
                return found, "a wrong password"
        # A reset flow: the answer after the reset is sent.
        for candidate in index.statements:
            if index.order[id(candidate)] <= start:
                continue
            for node in [candidate, *walk(candidate)] if isinstance(candidate, cst.SimpleStatementLine) else []:
                if isinstance(node, cst.Call) and (sends_reset(ctx, node) or self._reset_mail(index, node)):
                    passed: list[cst.CSTNode] = [candidate]
                    for following in index.following(candidate):
                        found, _ = _first_exit([following])
                        if found is not None:
                            found.branch = [*passed, *found.branch]
                            return found, "a known one"
                        passed.append(following)
                    return None, ""
        return None, ""

    def _reset_mail(self, index: _Function, call: cst.Call) -> bool:
        words = set(split_words(index.function.name.value))
        return bool(words & (_RESET_WORDS | {"magic"})) and _is_mail_call(call)

    def _secret_polarity(self, test: cst.BaseExpression, secret_vars: set[str]) -> bool | None:
        """True: the If's body runs when the secret is wrong; False: when it is right; None: no secret here."""
        negated = False
        expr = test
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            negated, expr = True, expr.expression
        if isinstance(expr, cst.BooleanOperation):
            parts = _or_parts(expr) if isinstance(expr.operator, cst.Or) else [expr]
            if any(self._secret_polarity(p, secret_vars) for p in parts):
                return True if not negated else None
            return None
        if isinstance(expr, cst.Call) and secret_check_kind(self.ctx, _strip_await(expr)) == "password":
            return negated
        if isinstance(expr, cst.Await) and isinstance(expr.expression, cst.Call) and \
                secret_check_kind(self.ctx, expr.expression) == "password":
            return negated
        if isinstance(expr, cst.Name) and expr.value in secret_vars:
            return negated
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            left, op = expr.left, expr.comparisons[0].operator
            right = expr.comparisons[0].comparator
            if isinstance(left, cst.Name) and left.value in secret_vars and isinstance(right, cst.Name) \
                    and right.value in ("None", "False"):
                wrong = isinstance(op, (cst.Is, cst.Equal))
                return wrong if not negated else not wrong
            kind = _secret_comparison(self.ctx, expr)
            if kind == "password":
                wrong = isinstance(op, cst.NotEqual)
                return wrong if not negated else not wrong
        return None

    # --- comparing answers --------------------------------------------------------------------
    def _client_facing(self, exit_: _Exit) -> bool:
        if exit_.implied:
            return True
        value = exit_.value
        if isinstance(exit_.node, cst.Expr):
            return True  # abort(...)
        if isinstance(value, cst.Call):
            tail = tail_name(value.func)
            return tail in _HTTP_EXCEPTIONS or bool(_RESPONSE_CALLS.search(tail))
        if isinstance(value, cst.Tuple) and value.elements and isinstance(value.elements[0].value, cst.Call):
            return bool(_RESPONSE_CALLS.search(tail_name(value.elements[0].value.func)))
        return False

    def _resolve(self, index: _Function, exit_: _Exit) -> cst.BaseExpression | None:
        value = exit_.value
        if isinstance(value, cst.Name):
            bound = index.value_before(value.value, index.order.get(id(exit_.node), 0))
            if bound is not None:
                return bound
        return value

    def _status(self, value: cst.BaseExpression | None) -> int | None:
        ctx = self.ctx
        if value is None:
            return None
        if isinstance(value, cst.Tuple) and len(value.elements) >= 2:
            return _status_literal(ctx, value.elements[1].value)
        if isinstance(value, cst.Call):
            for keyword in ("status", "status_code", "code"):
                arg = ctx.keyword(value, keyword)
                if arg is not None:
                    return _status_literal(ctx, arg.value)
            tail = tail_name(value.func)
            if tail in ("abort", "HTTPException", "HTTPError", "HttpError") and value.args \
                    and value.args[0].keyword is None:
                return _status_literal(ctx, value.args[0].value)
            if tail in ("make_response", "Response", "JSONResponse", "PlainTextResponse", "HTMLResponse") \
                    and len(value.args) >= 2 and value.args[1].keyword is None:
                found = _status_literal(ctx, value.args[1].value)
                if found is not None:
                    return found
            if tail in _IMPLIED_STATUS:
                return _IMPLIED_STATUS[tail]
        return None

    def _messages(self, index: _Function, exit_: _Exit, value: cst.BaseExpression | None) -> tuple[str, ...]:
        ctx = self.ctx
        found: list[str] = []

        def strings(node: cst.CSTNode | None) -> None:
            if node is None:
                return
            skip: set[int] = set()
            for child in [node, *walk(node)]:
                if isinstance(child, cst.DictElement):
                    skip.add(id(child.key))
                if id(child) in skip:
                    continue
                if isinstance(child, (cst.SimpleString, cst.ConcatenatedString)):
                    text = ctx.string(child)
                    if text is not None:
                        found.append(text)
                elif isinstance(child, cst.FormattedString):
                    found.append("".join(p.value if isinstance(p, cst.FormattedStringText) else "{}"
                                         for p in child.parts))
                elif isinstance(child, cst.Name) and child is not node and index.value_before(
                        child.value, index.order.get(id(exit_.node), 0)) is not None:
                    bound = index.value_before(child.value, index.order.get(id(exit_.node), 0))
                    if isinstance(bound, (cst.Dict, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                        strings(bound)

        strings(value)
        for statement in exit_.branch:
            for child in walk(statement):
                if isinstance(child, cst.Call) and (tail_name(child.func) in _MESSAGE_CALLS or (
                        tail_name(child.func) in ("append", "extend", "add")
                        and {"errors", "error", "messages"} & set(split_words(callee_text(child.func))))):
                    strings(child)
        return tuple(sorted(set(found)))

    def _difference(self, index: _Function, missing: _Exit, other: _Exit) -> tuple[str, str] | None:
        ctx = self.ctx
        missing_value = self._resolve(index, missing)
        other_value = self._resolve(index, other)
        same_code = missing_value is not None and other_value is not None and \
            ctx.code(missing_value) == ctx.code(other_value)
        missing_messages = self._messages(index, missing, missing_value)
        other_messages = self._messages(index, other, other_value)
        if same_code and missing_messages == other_messages and not missing.implied:
            return None
        missing_status = missing.status if missing.implied else self._status(missing_value)
        other_status = self._status(other_value)
        if missing_status is not None and other_status is not None and missing_status != other_status:
            return self._describe(missing_status, missing_messages, missing), \
                self._describe(other_status, other_messages, other)
        if missing_messages and other_messages and missing_messages != other_messages:
            return self._describe(missing_status, missing_messages, missing), \
                self._describe(other_status, other_messages, other)
        return None

    def _describe(self, status: int | None, messages: tuple[str, ...], exit_: _Exit) -> str:
        if exit_.implied:
            return exit_.implied
        message = max(messages, key=lambda m: (" " in m, len(m))) if messages else ""
        if len(message) > 60:
            message = message[:57] + "..."
        parts = [str(status)] if status is not None else []
        if message and " " in message:
            parts.append(markup.code(f'"{message}"'))
        elif exit_.value is not None:
            code = " ".join(self.ctx.code(exit_.value).split())
            parts.append(markup.code(code if len(code) <= 60 else code[:57] + '...'))
        return " ".join(parts) if parts else "another response"


def _or_parts(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        return _or_parts(expr.left) + _or_parts(expr.right)
    return [expr]


def _status_literal(ctx: FileContext, node: cst.BaseExpression) -> int | None:
    value = ctx.literal(node)
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return value
    text = dotted_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    if text:
        match = re.search(r"HTTP_(\d{3})", text)
        if match:
            return int(match.group(1))
        last = text.rsplit(".", 1)[-1]
        if last in _HTTP_STATUS_NAMES and ("HTTPStatus" in text or "status" in text.lower()):
            return _HTTP_STATUS_NAMES[last]
    return None


__all__ = ["MissingRateLimit", "UserEnumeration", "callee_text", "tail_name", "text_says_limit", "expr_limits"]
