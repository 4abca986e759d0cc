"""What several AR1xx rules use: the route vocabulary of AR101-AR103 (which files may hold routes, which calls
touch stored data, Django routes whose views live here), role tests on a handler's flow, and the credential
checks of AR107-AR108 (password and one-time-code comparisons, reset mails, sign-ins). The handler list, the
class model, rate-limiter words and Django settings are the framework model's: ``analyzers.frameworks``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import libcst as cst

from ...context import FileContext, FileFact
from ...frameworks import (
    ENDPOINT_HINT,
    DjangoRoute,
    Endpoint,
    HandlerFlow,
    class_info,
    definition,
    discover_django,
    mentions_django,
    verifies_a_signature,
)
from ...walk import walk
from ...words import split_words

# Files that may declare or handle routes: decorators, url rules, endpoints, Django/DRF views.
ROUTE_FILES = ENDPOINT_HINT  # files that may declare endpoints, whatever the framework


# Calls that read or write stored data.
_DATA_ATTRS = frozenset({
    "query", "objects", "execute", "scalars", "scalar", "get_or_404", "first_or_404", "one_or_404", "filter_by",
    "add", "delete", "commit", "merge", "save", "find", "find_one", "insert_one", "insert_many", "update_one",
    "update_many", "delete_one", "delete_many", "aggregate", "bulk_create", "get_object_or_404", "get_list_or_404",
    "fetch_all", "fetch_one", "fetch_val", "fetchrow", "fetchval", "fetchall", "fetchone",  # databases, asyncpg, DB-API
})


_ADMIN_ROUTE = re.compile(r"(?:^|[/_\-. ])admin(?:$|[/_\-. ])|(?:^|[/ ])staff/|superuser", re.IGNORECASE)


def touches_data(handler: cst.CSTNode) -> bool:
    """Whether the handler reads or changes stored data (ORM, DB-API or Mongo calls)."""
    for node in walk(handler):
        if isinstance(node, cst.Attribute) and node.attr.value in _DATA_ATTRS:
            return True
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in _DATA_ATTRS:
            return True
        if isinstance(node, cst.Call) and _gets_a_model(node):
            return True
    return False


_ENVIRON = frozenset({"os.environ", "environ"})
_WHOLE_MAPPING = frozenset({"copy", "items", "keys", "values"})
# Calls that turn a mapping into an answer (or a copy of it that becomes one).
_ANSWERS = frozenset({"dict", "jsonify", "JSONResponse", "JsonResponse", "Response", "json_response", "make_response",
                      "HttpResponse", "dumps", "ORJSONResponse", "UJSONResponse", "render_template", "render"})


def exposes_environment(handler: cst.CSTNode) -> bool:
    """The handler hands out the process environment whole (keys, secrets and all): ``dict(os.environ)``,
    ``os.environ.copy()``, ``{**os.environ}``, ``jsonify(os.environ)``, ``return os.environ``; reading one
    variable (``os.environ["GIT_SHA"]``, ``os.environ.get(...)``) is not."""
    for node in walk(handler):
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _WHOLE_MAPPING and _environ(func.value):
                return True
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            if name in _ANSWERS and any(a.keyword is None and not a.star and _environ(a.value) for a in node.args):
                return True  # dict(os.environ), jsonify(os.environ), JSONResponse(os.environ)
        elif isinstance(node, cst.StarredDictElement) and _environ(node.value):
            return True
        elif isinstance(node, cst.Return) and node.value is not None and _environ(node.value):
            return True
    return False


def _environ(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Attribute):
        return isinstance(expr.value, cst.Name) and expr.value.value == "os" and expr.attr.value == "environ"
    return isinstance(expr, cst.Name) and expr.value == "environ"


def _gets_a_model(call: cst.Call) -> bool:
    """``session.get(Ticket, ticket_id)`` (SQLAlchemy 2): ``get`` with a class as its first argument."""
    func = call.func
    return isinstance(func, cst.Attribute) and func.attr.value in ("get", "aget") and len(call.args) >= 2 \
        and isinstance(call.args[0].value, cst.Name) and call.args[0].value.value[:1].isupper() \
        and call.args[0].keyword is None


def django_routes_here(ctx: FileContext) -> list[DjangoRoute]:
    """Django/DRF routes whose view is defined in this file: routed by a urlconf, or declared a view."""
    if ctx.project is None and not mentions_django(ctx):
        return []
    routes: list[DjangoRoute] = []
    seen: set[tuple[int, tuple[str, ...]]] = set()
    for route in discover_django(ctx):
        if route.handler_path != ctx.path:
            continue
        key = (id(route.handler), route.methods)
        if key not in seen:
            seen.add(key)
            routes.append(route)
    return routes


_WRITING_VIEWS = re.compile(r"(?:Create|Update|Delete|Destroy|Form)(?:API)?View$|^ModelViewSet$|Model(?:Create|Update|"
                            r"Destroy)Mixin$|ListCreate")


def _generic_write(ctx: FileContext, route: DjangoRoute) -> bool:
    """A generic editing view (``CreateView``, ``UpdateAPIView``, ``ModelViewSet``) writes through inherited code."""
    if not isinstance(route.handler, cst.ClassDef):
        return False
    return any(_WRITING_VIEWS.search(tail) for tail in class_info(ctx, route.handler).tails())


def _source_statement(cls: cst.ClassDef) -> cst.Assign | None:
    """The class's own ``queryset = ...`` (or ``model = ...``) assignment."""
    found: dict[str, cst.Assign] = {}
    for statement in cls.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                        isinstance(small.targets[0].target, cst.Name):
                    found.setdefault(small.targets[0].target.value, small)
    return found.get("queryset") or found.get("model")


def _mentions_principal(expr: cst.BaseExpression) -> bool:
    return any(isinstance(n, cst.Attribute) and n.attr.value == "user" for n in (expr, *walk(expr)))


T = TypeVar("T")


def _through_values(flow: HandlerFlow, name: cst.Name, find: Callable[[cst.BaseExpression], T | None]) -> T | None:
    """The first answer ``find`` gives for a value assigned to the local ``name``."""
    for value in flow.values_of(name):
        if value is not name:
            found = find(value)
            if found is not None:
                return found
    return None


def _field_core(name: str) -> str:
    """``owner_id`` -> ``owner``; ``createdById`` -> ``created_by``; ``user__pk`` -> ``user``."""
    words = split_words(name)
    while len(words) > 1 and words[-1] in ("id", "pk", "uuid", "guid", "key"):
        words.pop()
    return "_".join(words)


# The parent of each node of a function, by id(node), by id(function).
_PARENTS: FileFact[dict[int, dict[int, cst.CSTNode]]] = FileFact("payloads.parents", lambda _ctx: {})


_ROLE_TEST = re.compile(r"admin|staff|superuser|has_perm|permission|\brole|moderator|is_root|scopes", re.IGNORECASE)


def handler_parents(flow: HandlerFlow) -> dict[int, cst.CSTNode]:
    """The parent of each node of the handler, by ``id(node)`` (built once per handler)."""
    by_function = _PARENTS.get(flow.ctx)
    parents = by_function.get(id(flow.function))
    if parents is None:
        parents = by_function[id(flow.function)] = {}
        for parent in walk(flow.function):
            for child in parent.children:
                parents[id(child)] = parent
    return parents


def _under_role_test(flow: HandlerFlow, node: cst.CSTNode) -> bool:
    """``node`` runs only when an ``if`` on the caller's role holds (``if request.user.is_staff: ...``)."""
    parents = handler_parents(flow)
    current: cst.CSTNode | None = node
    while current is not None and current is not flow.function:
        parent = parents.get(id(current))
        if isinstance(parent, (cst.If, cst.IfExp)) and current is not parent.test and \
                _ROLE_TEST.search(flow.ctx.code(parent.test)) and \
                any(flow.is_current_user(n) for n in walk(parent.test) if isinstance(n, (cst.Name, cst.Attribute))):
            return True
        current = parent
    return False


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


# --- signed values, webhooks, first run: public on purpose --------------------------------

_SIGNATURE_CALLS = frozenset({"hmac.compare_digest", "secrets.compare_digest", "hmac.new", "hmac.digest", "hmac.HMAC",
                              "stripe.Webhook.construct_event", "stripe.WebhookSignature.verify_header"})
_VERIFIES = re.compile(r"(?:verif|signature|construct_event|validate_(?:request|webhook)|check_sig|is_valid_request|"
                       r"^validate$)", re.IGNORECASE)
# Calls that check a signed value: Django's signing, itsdangerous, the project's own `unsign_*`/`check_signature`.
_SIGNED_VALUE = re.compile(r"unsign|signature|check_sig|loads_signed", re.IGNORECASE)


_SETUP_ROUTE = re.compile(r"(?:^|[/_\-.])(?:setup|install|installer|installation|onboarding)(?:$|[/_\-.])", re.I)
_SETUP_WORDS = frozenset({"setup", "installed", "install", "initialized", "initialised", "configured", "onboarded"})


def first_run(ctx: FileContext, path: str | None, name: str, handler: cst.CSTNode) -> bool:
    """A first-run installer that shuts itself once done: ``/setup`` whose body branches on ``is_setup()``."""
    if not (_SETUP_ROUTE.search(path or "") or _SETUP_ROUTE.search(name)):
        return False
    return any(isinstance(node, cst.If) and set(split_words(ctx.code(node.test))) & _SETUP_WORDS
               for node in walk(handler))


def verifies_signature(ctx: FileContext, handler: cst.CSTNode) -> bool:
    """The handler (or a function it calls, one level down) checks an HMAC or a provider's signature."""
    return _calls_a_check(ctx, handler, _VERIFIES, signed_loads=False)


def _calls_a_check(ctx: FileContext, handler: cst.CSTNode, names: re.Pattern[str], signed_loads: bool,
                   depth: int = 0) -> bool:
    """The handler, or a helper it calls one level down (here or in another module), calls an HMAC check, a
    function whose name matches ``names`` or, with ``signed_loads``, a signing library's ``loads``/``unsign``."""
    for node in walk(handler):
        if not isinstance(node, cst.Call):
            continue
        qualname = ctx.qualname(node.func) or ""
        if qualname in _SIGNATURE_CALLS or signed_loads and verifies_a_signature(ctx, node):
            return True
        name = qualname.rsplit(".", 1)[-1] or (node.func.attr.value if isinstance(node.func, cst.Attribute) else "")
        if names.search(name):
            return True
        if depth == 0:
            called = definition(ctx, node.func)
            if called is not None and called[1] is not handler and _calls_a_check(
                    called[0], called[1], names, signed_loads, 1):
                return True
    return False


def checks_a_signed_value(ctx: FileContext, handler: cst.CSTNode) -> bool:
    """The handler (or a helper it calls, one level down) verifies a signed link or value: whoever holds it was
    given it by the app (an e-mail link, a bounce address), so the signature is the credential."""
    return _calls_a_check(ctx, handler, _SIGNED_VALUE, signed_loads=True)
