"""AR107 missing-rate-limit (access control on routes): login, sign-up and reset flows.

AR107 asks, of every handler that takes a credential (checks a password or a one-time
code, sends or completes a password reset, creates an account), whether anything limits
how often it may be called: a limiter decorator or dependency on the route, one applied
to its blueprint, router or view, an app-wide default or middleware, DRF throttles (on
the view or in the settings), django-axes, or a lockout in the body.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ... import markup
from ...context import FileContext, FileFact
from ...findings import Confidence, Fix, Severity
from ...frameworks import (
    GRAPHQL_HINT,
    NOT_LIMITERS,
    DjangoLimits,
    Endpoint,
    Framework,
    HandlerFlow,
    Load,
    class_attribute,
    class_info,
    definition,
    development_only,
    django_settings,
    endpoint_label,
    endpoints,
    resolve_class,
    text_says_limit,
)
from ...imports import dotted_name
from ...project import Project, ProjectFact
from ...rule import Invalid, Rule
from ...walk import children, walk
from ...words import split_words
from ._shared import (
    _CHECK_VERBS,
    _CODE_QUALIFIERS,
    _HASHER_WORDS,
    _OTP_WORDS,
    _PASSWORD_NAME_WORDS,
    _RESET_WORDS,
    _is_mail_call,
    _secret_comparison,
    _strip_await,
    callee_text,
    checks_a_signed_value,
    first_run,
    secret_check_kind,
    sends_reset,
    signed_in,
    tail_name,
)

# --- rate limiters ------------------------------------------------------------------

_LIMIT_QUALS = ("flask_limiter.", "slowapi.", "django_ratelimit.", "ratelimit.", "fastapi_limiter.",
                "limits.", "rest_framework.throttling.", "axes.", "defender.")


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Which endpoint carries the one finding for an app with no limiting at all: the most guessable credential first.
_KIND_ORDER = ("otp", "login", "password", "reset-confirm", "reset", "signup")
# Libraries of six-digit codes (TOTP, HOTP, SMS): a million guesses, so a limiter matters at once.
_OTP_LIBRARIES = frozenset({"pyotp", "django_otp", "twilio", "onetimepass", "otpauth", "two_factor"})



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
    if qual in NOT_LIMITERS or _is_exempt(ctx, expr):
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
                if (ctx.qualname(first) or "") not in NOT_LIMITERS and (
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
    return _FILE_LIMITS.get(ctx)


def _file_limits(ctx: FileContext) -> _ProjectLimits:
    """The project's limits (see ``_project_limits``) with this file's own."""
    found = _ProjectLimits()
    project = ctx.project
    if project is not None:
        shared = _PROJECT_LIMITS.get(project)
        found.app_wide, found.targets = shared.app_wide, set(shared.targets)
    _scan_limits(ctx, found, this_file=True)
    return found


def _project_limits(project: Project) -> _ProjectLimits:
    """The limits the project's modules that mention limits or throttles apply beyond one route."""
    found = _ProjectLimits()
    seen: set[str] = set()
    for word in ("imit", "IMIT", "hrottl"):  # limit, Limit, LIMIT; throttle, Throttle
        for other in project.contexts_mentioning(word):
            if other.path in seen:
                continue
            seen.add(other.path)
            _scan_limits(other, found, this_file=False)
    return found


_FILE_LIMITS = FileFact("login.limits", _file_limits)
_PROJECT_LIMITS = ProjectFact("login.limits", _project_limits)


def _nodes_with_parents(root: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]:
    stack: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [(root, ())]
    while stack:
        node, parents = stack.pop()
        yield node, parents
        here = (*parents, node)
        stack.extend((child, here) for child in reversed(children(node)))


def project_route_limiters(ctx: FileContext) -> dict[Framework, tuple[str, str]]:
    """Framework -> (limiter decorator text, module) used on some route of another module of the project."""
    project = ctx.project
    if project is None:
        return {}
    return _ROUTE_LIMITERS.get(project)


def _route_limiters(project: Project) -> dict[Framework, tuple[str, str]]:
    counts: Counter[tuple[Framework, str]] = Counter()
    where: dict[tuple[Framework, str], str] = {}
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
    found: dict[Framework, tuple[str, str]] = {}
    for (framework, text), _ in counts.most_common():
        found.setdefault(framework, (text, where[(framework, text)]))
    return found


_ROUTE_LIMITERS = ProjectFact("login.route_limiters", _route_limiters)


# --- Django settings -----------------------------------------------------------------------


def _applicable(ctx: FileContext, endpoint: Endpoint) -> list[DjangoLimits]:
    found = django_settings(ctx)
    root = getattr(endpoint.route, "root", None)
    matching = [s for s in found if root is not None and s.root_urlconf == root]
    return matching or found


# --- what a handler does with credentials ------------------------------------------------------

_HASH_TAILS = frozenset({"set_password", "aset_password", "hash_password", "generate_password_hash", "make_password",
                         "hashpw", "get_password_hash", "set_unusable_password"})
_CREATE_USER_TAILS = frozenset({"create_user", "acreate_user", "create_account", "register_user", "register_account",
                                "signup_user", "create_new_user", "sign_up_user"})
_USER_MODELS = re.compile(r"^(?:[A-Z]\w*)?(?:User|Account|Member|Customer|Person|Profile)$")
_SIGNUP_WORDS = frozenset({"signup", "register", "registration", "usercreation", "join", "enroll", "enrol"})
_LOGIN_FORMS = frozenset({"AuthenticationForm", "OAuth2PasswordRequestForm", "OAuth2PasswordRequestFormStrict",
                          "AuthTokenSerializer", "TokenObtainPairSerializer", "TokenObtainSerializer",
                          "TokenObtainSlidingSerializer", "LoginSerializer"})


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
    lookup: str | None = None  # a helper's lookup keyed by a secret it was passed ("otp", "password")

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


def _function_words(endpoint: Endpoint) -> set[str]:
    return set(split_words(f"{endpoint.path or ''} {endpoint.function.name.value} "
                           f"{endpoint.route.view_class.name.value if getattr(endpoint.route, 'view_class', None) else ''}"))


# --- a secret looked up: ``Otp.objects.filter(email=..., otp=code)``, ``User.query.filter_by(pin=pin)`` ------------

# Words of a key that name what the secret is about, not the secret: ``otp_method``, ``otp_id``, ``mfa_enabled``.
_NOT_SECRET_KEY = frozenset({"method", "type", "kind", "enabled", "status", "mode", "length", "len", "expires", "expiry",
                             "channel", "provider", "backend", "sent", "created", "updated", "at", "count", "attempts",
                             "tries", "id", "ids", "pk", "uuid", "user", "owner", "device", "used", "active", "verified",
                             "confirmed", "required", "secret", "key", "url", "name", "zip", "postal", "country"})
# ``auth_code``/``access_code`` are as often an OAuth grant, ``phone_code`` a dialling prefix: not a code the user types.
_CODE_KEY_QUALIFIERS = _CODE_QUALIFIERS - {"auth", "access", "phone", "pin"}
# A bare ``code``/``pin`` key is a secret when the model it is looked up in holds one: ``VerificationCode``, ``OTP``.
_SECRET_MODEL_WORDS = _OTP_WORDS | {"verification", "verify", "confirmation", "confirm", "activation", "sms", "reset",
                                    "recovery", "backup", "login", "signin", "passcode", "pin"}
# Finders that raise when nothing matches (``DoesNotExist``, a 404): the lookup itself decides the answer.
_RAISING_FINDERS = frozenset({"get", "aget", "get_object_or_404", "aget_object_or_404", "first_or_404", "get_or_404",
                              "one", "one_or_404", "scalar_one"})


def _secret_key_kind(field_name: str, model_words: set[str]) -> str | None:
    """"otp" or "password" when a lookup key (a column, a Django lookup) names a secret the client must know:
    ``otp``, ``pin``, ``verification_code``, ``password``; a bare ``code`` only in a model that holds codes.
    ``code`` alone (an OAuth grant, a product, a coupon) and ``pincode`` (a postal code) are not."""
    words = set(split_words(field_name))
    if not words or words & _NOT_SECRET_KEY:
        return None
    if words & _PASSWORD_NAME_WORDS:
        return "password" if _current_password_key(field_name) else None
    if words & _OTP_WORDS or "passcode" in words:
        return "otp"
    if "code" in words and words & _CODE_KEY_QUALIFIERS:
        return "otp"
    if words & {"code", "pin"} and words <= {"code", "pin", "exact", "iexact", "hash", "hashed", "digest"}:
        if "pin" in words and "code" not in words or model_words & _SECRET_MODEL_WORDS:
            return "otp"  # ``pin``; ``code``/``pin_code`` of a ``VerificationCode``
    return None


def _maybe_secret_key(name: str) -> bool:
    """A cheap first look: could ``name`` be a secret's key in some model?"""
    words = set(split_words(name))
    return bool(words & (_PASSWORD_NAME_WORDS | _OTP_WORDS | {"code", "pin", "passcode"}))


def _model_words(ctx: FileContext, load: Load) -> set[str]:
    if load.model:
        return set(split_words(load.model.rsplit(".", 1)[-1]))
    node: cst.BaseExpression = load.call.func  # ``otp.objects.filter``: the chain's head names the model
    while isinstance(node, (cst.Attribute, cst.Call)):
        node = node.value if isinstance(node, cst.Attribute) else node.func
    return set(split_words(node.value)) if isinstance(node, cst.Name) else set()


def _in_test(node: cst.CSTNode, parents: tuple[cst.CSTNode, ...], returns: bool) -> bool:
    """``node`` is (part of) the test of an ``if``/``while``/conditional expression/``assert``, or, with ``returns``,
    of a returned value (a helper's answer, which its caller tests)."""
    chain = (*parents, node)
    for parent, child in zip(chain, chain[1:], strict=False):
        if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.Assert)) and child is parent.test:
            return True
        if returns and isinstance(parent, cst.Return):
            return True
    return False


def _secret_lookup(ctx: FileContext, function: cst.FunctionDef, framework: Framework,
                   helper: bool) -> tuple[str, cst.CSTNode] | None:
    """A lookup keyed by a secret the client sent (in a helper: one of its parameters) whose result decides the
    answer: tested (``if Otp.objects.filter(otp=code):``, ``if row is None``), returned by a helper, or fetched with
    a finder that raises when nothing matches (``.get(pin=pin)``, ``get_object_or_404``)."""
    candidates = any(
        isinstance(node, cst.Arg) and node.keyword is not None and _maybe_secret_key(node.keyword.value)
        or isinstance(node, cst.Attribute) and _maybe_secret_key(node.attr.value)
        for node in walk(function.body))
    if not candidates:
        return None
    flow = HandlerFlow.build(ctx, function, framework)
    secret: list[tuple[str, Load]] = []
    for load in flow.loads:
        model = _model_words(ctx, load)
        for key in load.keys:
            kind = _secret_key_kind(key.field, model)
            if kind is None:
                continue
            value = _strip_await(key.value)
            if helper:  # one of the helper's parameters, or computed from one: ``pin_hash=digest(pin)``
                ok = any(isinstance(part, cst.Name) and flow.is_parameter(part) for part in (value, *walk(value)))
            else:  # what the client sent, or computed from it: ``password_hash=md5(password)``
                ok = any(isinstance(part, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)) and flow.is_client(part)
                         for part in (value, *walk(value)))
            if ok:
                secret.append((kind, load))
                break
    if not secret:
        return None
    parents_of: dict[int, tuple[cst.CSTNode, ...]] = {}
    tested: set[str] = set()  # locals read in a test: ``if row is None``, ``if not match``
    for node, parents in _nodes_with_parents(function.body):
        parents_of[id(node)] = parents
        if isinstance(node, cst.Name) and _in_test(node, parents, returns=helper):
            tested.add(node.value)
    for kind, load in sorted(secret, key=lambda item: item[0] != "otp"):
        above = parents_of.get(id(load.call))
        if above is None:
            continue
        if _in_test(load.call, above, returns=helper) or tail_name(load.call.func) in _RAISING_FINDERS \
                or load.targets & tested:
            return kind, load.call
    return None


def collect_evidence(ctx: FileContext, function: cst.FunctionDef, endpoint: Endpoint | None,
                     depth: int = 0, framework: Framework | None = None) -> _Evidence:
    """What ``function`` does with credentials. With ``framework`` (an endpoint's, or the endpoint's a helper serves)
    it also reads lookups keyed by a secret, and follows helpers into the project's other modules."""
    found = _Evidence()
    if endpoint is not None and depth == 0:
        framework = endpoint.framework
    handler_flow: list[HandlerFlow] = []

    def passes_client(call: cst.Call) -> bool:
        """The handler hands the helper something the client sent."""
        if endpoint is None or depth:
            return False
        if not handler_flow:
            handler_flow.append(HandlerFlow.build(ctx, function, endpoint.framework))
        return any(handler_flow[0].is_client(a.value) for a in call.args)

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
                here = helper is not None and helper[0] is ctx
                if helper is not None and helper[1] is not function and (here or framework is not None):
                    inner = collect_evidence(helper[0], helper[1], None, depth + 1, framework)
                    if here:
                        found.otp = found.otp or (node if inner.otp is not None else None)
                        found.password = found.password or (node if inner.password is not None else None)
                        found.reset = found.reset or (node if inner.reset is not None else None)
                    # A helper of another module that checks a password or a code (``security.check_creds(username,
                    # password, ...)``), or one looking up the code it is given: the handler checks what the
                    # client sent through it.
                    kinds = {k for k in ("otp", "password") if inner.lookup == k or not here and (
                        inner.otp if k == "otp" else inner.password) is not None}
                    if kinds and passes_client(node):
                        for kind_found in sorted(kinds, key=lambda k: k != "otp"):
                            found.note_check(kind_found, node)
        elif isinstance(node, cst.Comparison):
            found.note_check(_secret_comparison(ctx, node), node)
    if framework is not None and found.otp is None:
        looked_up = _secret_lookup(ctx, function, framework, helper=depth > 0)
        if looked_up is not None:
            if depth:
                found.lookup = looked_up[0]
            else:
                found.note_check(*looked_up)
    found.hashes = hashes
    if mails and names & _RESET_WORDS and found.reset is None and not hashes:
        found.reset = function
    body_words = set(split_words(ctx.code(function.body)))
    invited = bool(endpoint is not None and re.search(r"[<{][^>}]*(?:token|invite|code|key|sign)[^>}]*[>}]",
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
    stored: set[int] = set()  # set on an object (``Team(password=...)``, ``team.password = ...``): kept, not checked
    for node in walk(function.body):  # pre-order: a call or an assignment comes before the values it stores
        if id(node) in stored:
            continue
        values: list[cst.BaseExpression] = []
        if isinstance(node, cst.Call) and tail_name(node.func)[:1].isupper():
            values = [a.value for a in node.args if a.keyword is not None]
        elif isinstance(node, cst.Assign) and all(isinstance(t.target, cst.Attribute) for t in node.targets):
            values = [node.value]
        for value in values:
            stored.update(id(n) for n in (value, *walk(value)))
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
    flow = HandlerFlow.build(ctx, function, framework)
    for candidate in candidates:
        source = flow.client_source_markdown(candidate)
        if source is not None:
            return source
    return None


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
    ``authenticate()``, ``verify_password``, ``OAuth2PasswordRequestForm``, a helper of the
    project that compares one), verify a one-time code (``pyotp``, django-otp, a hashed code,
    or a lookup keyed by the code the client sent, ``OneTimeCode.objects.filter(otp=code)``),
    send or complete a password reset, or create accounts. GraphQL resolvers count as
    endpoints. Any of these counts as a limit: a limiter decorator or dependency on
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
                   r"TokenObtain|ObtainAuthToken|LoginView|PasswordReset|RegisterView|" + GRAPHQL_HINT.pattern),
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
        # Attempts limited where the form validates them: a token bucket in ``clean()``.
        "from django import forms\nfrom django.contrib.auth import authenticate\n"
        "class PasswordLoginForm(forms.Form):\n"
        "    def clean(self):\n"
        "        if not TokenBucket.authorize_login_password(self.cleaned_data['email']):\n"
        "            raise forms.ValidationError('Too many attempts')\n"
        "        self.user = authenticate(email=self.cleaned_data['email'], password=self.cleaned_data['password'])\n"
        "def login(request):\n"
        "    form = PasswordLoginForm(request.POST)\n"
        "    if form.is_valid():\n        return finish(request, form.user)\n",
        # A login page's GET builds the form to show it; its POST is the limited one.
        "from django.contrib.auth.forms import AuthenticationForm\nfrom django.views.generic import View\n"
        "from django_ratelimit.decorators import ratelimit\nfrom django.utils.decorators import method_decorator\n"
        "from django.urls import path\n"
        "class LoginView(View):\n"
        "    def get(self, request):\n"
        "        return render(request, 'login.html', {'form': AuthenticationForm(request)})\n"
        "    @method_decorator(ratelimit(key='ip', rate='5/m'))\n"
        "    def post(self, request):\n"
        "        form = AuthenticationForm(request, data=request.POST)\n"
        "        return finish(request, form)\n"
        "urlpatterns = [path('login/', LoginView.as_view())]\n",
        # A ``code`` that is no secret: a product looked up by its code, an OAuth grant exchanged with the provider.
        "from flask import Flask, request, abort, session\napp = Flask(__name__)\n"
        "@app.get('/products/lookup')\ndef product_by_code():\n"
        "    product = Product.query.filter_by(code=request.args['code']).first()\n"
        "    if product is None:\n        abort(404)\n    return product.to_dict()\n"
        "@app.get('/oauth/callback')\ndef callback():\n"
        "    session['token'] = oauth.exchange(code=request.args['code'], state=session.pop('state'))\n"
        "    return 'ok'\n",
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
        # A one-time code checked by looking it up: the row matching the client's code decides the answer.
        Invalid(
            "from django.shortcuts import render\nfrom .models import OneTimeCode\n"
            "def verify_code(request):\n    code = request.POST.get('otp')\n"
            "    if OneTimeCode.objects.filter(email=request.COOKIES.get('email'), otp=code).exists():\n"
            "        return render(request, 'welcome.html')\n"
            "    return render(request, 'otp.html', {'error': 'Invalid code'})\n",
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
        # No limiting anywhere in the app: one cause, one finding (on the login), listing the other endpoints.
        Invalid(
            "from fastapi import APIRouter\nfrom app.security import hash_password, verify_password\n"
            "router = APIRouter()\n"
            "@router.post('/register')\ndef register(body: RegisterBody, session: SessionDep):\n"
            "    session.add(User(email=body.email, hashed_password=hash_password(body.password)))\n"
            "@router.post('/login')\ndef login(body: LoginBody, session: SessionDep):\n"
            "    user = get_user(session, body.email)\n"
            "    if user is None or not verify_password(body.password, user.hashed_password):\n"
            "        raise HTTPException(401)\n"
            "@router.post('/password-recovery')\ndef recover(body: EmailBody):\n"
            "    send_password_reset_email(body.email)\n",
            count=1,
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
        unlimited: list[tuple[Endpoint, str, _Evidence]] = []
        by_function: dict[int, list[Endpoint]] = {}
        for endpoint in found:
            by_function.setdefault(id(endpoint.function), []).append(endpoint)
        for group in by_function.values():
            # One function may be reached several ways (a Flask route and a Django-shaped view): any guard or
            # limit on any of them counts.
            endpoint = group[0]
            function = endpoint.function
            if all(development_only(ctx, e.route.owner) for e in group):
                continue  # a router mounted only in development: it never faces the internet
            evidence = collect_evidence(ctx, function, endpoint)
            if all(e.methods and set(e.methods) <= _SAFE_METHODS for e in group):
                evidence.login_form = None  # a login page's GET builds the form to show it; nothing is checked
            authenticated = any(signed_in(e) for e in group)
            kind = evidence.kind(authenticated)
            if kind is None and not authenticated and not evidence.hashes:
                password = client_password_read(ctx, function, endpoint.framework)
                if password is not None:
                    evidence.password_input = password
                    kind = "password"
            if kind is None or first_run(ctx, endpoint.path, function.name.value, function):
                continue  # nothing checked, or an installer that sets the first password once and closes
            if kind != "signup" and checks_a_signed_value(ctx, function) \
                    and client_password_read(ctx, function, endpoint.framework) is None:
                continue  # the code travels inside a signed link: forging the signature comes before guessing
            if limits is None:
                limits = project_limits(ctx)
            if any(self._limited(e, kind, limits) is not None for e in group):
                continue
            unlimited.append((endpoint, kind, evidence))
        self._report_all(unlimited, found)
        self._class_views(found)

    def _report_all(self, unlimited: list[tuple[Endpoint, str, _Evidence]], found: list[Endpoint]) -> None:
        """One finding per root cause. Where the project limits some routes, each route it missed is its own
        omission (with the decorator to copy). Where it limits none, the cause is one: no limiting in the app,
        reported once, on the most exposed endpoint, listing the others."""
        used = project_route_limiters(self.ctx)
        alone: dict[Framework, list[tuple[Endpoint, str, _Evidence]]] = {}
        for item in unlimited:
            endpoint = item[0]
            fixed = self._fix(endpoint, item[1], found)
            if fixed[0] is None and endpoint.framework not in used:
                alone.setdefault(endpoint.framework, []).append(item)
            else:
                self._report(*item, found, fixed=fixed)
        for group in alone.values():
            group.sort(key=lambda item: (_KIND_ORDER.index(item[1]), item[0].function.name.value))
            self._report(*group[0], found, others=[(e, k) for e, k, _ in group[1:]])

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
        if self._form_limits(function):
            return "a check in the form it validates"
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
        if endpoint.framework in (Framework.DJANGO, Framework.DRF):
            for settings in _applicable(ctx, endpoint):
                if settings.middleware:
                    return settings.middleware
                if kind in ("login", "password") and settings.axes:
                    return "django-axes"
                if endpoint.framework == Framework.DRF and settings.drf_throttles and self._defaults_throttle(
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
        return self._limits_in(self.ctx, function)

    def _form_limits(self, function: cst.FunctionDef) -> bool:
        """A form or serializer of the project, built in the view, whose validation limits attempts (a token
        bucket in ``clean()``): the view is limited through it."""
        for node in walk(function.body):
            if not (isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute))):
                continue
            found = resolve_class(self.ctx, node.func)
            if found is None:
                continue
            home, cls = found
            for statement in cls.body.body:
                if isinstance(statement, cst.FunctionDef) and statement.name.value.startswith(
                        ("clean", "validate", "is_valid")) and self._limits_in(home, statement):
                    return True
        return False

    @staticmethod
    def _limits_in(ctx: FileContext, function: cst.FunctionDef) -> bool:
        """A 429 or a lockout, or a limiter called: ``limiter.hit(...)``, ``check_rate_limit(request)``."""
        if _refuses_too_often(ctx, function.body):
            return True
        for node in walk(function.body):
            if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
                qual = ctx.qualname(node.func) or ""
                if qual not in NOT_LIMITERS and (text_says_limit(callee_text(node.func)) or text_says_limit(qual)):
                    return True
        return False

    def _class_info(self, cls: cst.ClassDef) -> Any:
        return class_info(self.ctx, cls)

    def _class_attribute(self, cls: cst.ClassDef, name: str) -> tuple[FileContext, cst.BaseExpression] | None:
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
    def _report(self, endpoint: Endpoint, kind: str, evidence: _Evidence, found: list[Endpoint],
                others: list[tuple[Endpoint, str]] | None = None, fixed: tuple[Fix | None, str] | None = None) -> None:
        ctx = self.ctx
        label = self._label(endpoint)
        how = _WHAT[kind]
        if kind == "password" and evidence.password_input:
            how = f"takes a password from the client ({evidence.password_input})"
        fix, advice = fixed if fixed is not None else self._fix(endpoint, kind, found)
        confidence = Confidence.HIGH if kind == "login" else Confidence.MEDIUM
        if kind == "otp" and self._short_code(evidence.otp):
            confidence = Confidence.HIGH  # a TOTP/SMS code: six digits; a code by name alone may be a long token
        if ctx.project is None:
            confidence = Confidence.MEDIUM  # app-wide limits (default_limits, settings, middleware) are not in sight
        if kind == "password":
            confidence = Confidence.MEDIUM
        severity = Severity.LOW if kind == "signup" else Severity.MEDIUM
        where = {
            Framework.FLASK: "no limiter on the route, its blueprint or the app",
            Framework.DJANGO: "no ratelimit decorator, django-axes or limiting middleware",
            Framework.DRF: "no DRF throttle, ratelimit decorator or django-axes",
        }.get(endpoint.framework, "no limiter on the route, its router or the app")
        exempt = next((d for d in endpoint.function.decorators if _is_exempt(ctx, d.decorator)), None)
        if exempt is not None:
            where = f"{markup.code(f'@{ctx.code(exempt.decorator)}')} takes it out of the app's default limits"
        cls = endpoint.route.handler if isinstance(endpoint.route.handler, cst.ClassDef) else None
        if cls is not None and endpoint.framework == Framework.DRF:
            fix = None
            declared = self._class_attribute(cls, "throttle_classes")
            if declared is not None and _drf_throttles_declared(*declared):
                where = "its `ScopedRateThrottle` has no `throttle_scope`, so it throttles nothing"
                advice = "set `throttle_scope` to a scope with a rate in `DEFAULT_THROTTLE_RATES`"
            else:
                advice = "set `throttle_classes` (e.g. `ScopedRateThrottle` with a `throttle_scope`)"
        also = ""
        if others:
            listed = ", ".join(f"{markup.code(self._label(e))} (line {ctx.position(e.function.name).start.line})"
                               for e, _ in others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
            also = f"; the other credential endpoints here have none either: {listed}"
            severity = max([severity] + [Severity.MEDIUM for _, k in others if k != "signup"])
        self.report(endpoint.function.name,
                    f"{markup.code(label)} {how} with no rate limiting ({where}): {_RISK[kind]}{also}; {advice}",
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
        if endpoint.framework in (Framework.FASTAPI, Framework.STARLETTE) and not self._has_request_param(function):
            return self._fix_with_request(function, def_line, indent, text, advice)
        return Fix(def_line, def_line, f"{indent}@{text}\n{line}", f"add @{text}"), advice

    def _short_code(self, check: cst.CSTNode | None) -> bool:
        """The code is checked by a library of six-digit codes (pyotp, django-otp, Twilio Verify)."""
        if not isinstance(check, cst.Call):
            return False
        for node in (check, *walk(check)):
            if isinstance(node, (cst.Name, cst.Attribute)):
                root = (self.ctx.qualname(node) or "").split(".")[0]
                if root in _OTP_LIBRARIES:
                    return True
        return False

    def _advice_elsewhere(self, endpoint: Endpoint) -> str:
        """Advice when no route of this file has a limiter: the one other modules use, else the usual library."""
        used = project_route_limiters(self.ctx).get(endpoint.framework)
        if used is not None:
            return f"add {markup.code(f'@{used[0]}')} as {markup.code(used[1])} does"
        return {
            Framework.DJANGO: "add `@ratelimit(key=\"ip\", rate=\"5/m\", method=\"POST\", block=True)` (django-ratelimit) "
                              "or django-axes",
            Framework.DRF: "set `throttle_classes` (e.g. `ScopedRateThrottle` with a `throttle_scope`)",
            Framework.FASTAPI: "add a limiter (`@limiter.limit(\"5/minute\")` with slowapi, or "
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
