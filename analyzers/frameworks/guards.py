"""Framework-neutral guard recognition: decorators, checks at the top of a body, helpers that wrap them.

A guard is anything that stops an unauthenticated (or unprivileged) caller before the handler's work.
The project's own guard decorators are recognised when they wrap a known one (or are named in
configuration).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ..context import FileContext
from ..project import imported_definition
from ..walk import walk
from ..words import split_words
from .concepts import Guard
from .vocabulary import AUTH_CHECK_CALLS, AUTH_DECORATORS, ROLE_DECORATORS


def decorator_target(decorator: cst.Decorator) -> cst.BaseExpression:
    expr = decorator.decorator
    return expr.func if isinstance(expr, cst.Call) else expr


def guard_for_decorator(ctx: FileContext, decorator: cst.Decorator) -> Guard | None:
    target = decorator_target(decorator)
    name = ctx.qualname(target) or ""
    text = ctx.code(target)
    written = f"@{ctx.code(decorator.decorator)}"  # as the project writes it, arguments included: fixes copy it
    configured = set(ctx.config.auth_decorators)
    if name not in AUTH_DECORATORS:
        name = _through_import(ctx, target) or name
    if name in AUTH_DECORATORS:
        return Guard("decorator", written, role=name in ROLE_DECORATORS or _requires_scopes(ctx, decorator))
    if name in configured or text in configured or text.rsplit(".", 1)[-1] in configured:
        return Guard("configured", written, role=looks_like_role(text))
    found = definition(ctx, target)
    if found is not None and wraps_a_guard(*found):
        return Guard("decorator", written, role=looks_like_role(text) or checks_role(*found))
    return None


def _through_import(ctx: FileContext, target: cst.BaseExpression) -> str | None:
    """``token_auth.login_required`` where ``token_auth = HTTPTokenAuth()`` lives in another module of the
    project (``from app.api.auth import token_auth``): ``flask_httpauth.HTTPTokenAuth().login_required``."""
    if ctx.project is None or not isinstance(target, cst.Attribute) or not isinstance(target.value, cst.Name):
        return None
    base = ctx.qualname(target.value)
    if base is None or base.endswith("()") or target.value.value not in ctx.index.imports:
        return None
    found = ctx.project.binding(base)
    if found is None or not isinstance(found[1], cst.Call):
        return None
    built = found[0].qualname(found[1])
    return f"{built}.{target.attr.value}" if built else None


def _requires_scopes(ctx: FileContext, decorator: cst.Decorator) -> bool:
    """Starlette's ``@requires("admin")`` / ``@requires(["authenticated", "admin"])``: a scope beyond login."""
    expr = decorator.decorator
    if not isinstance(expr, cst.Call) or ctx.qualname(expr.func) != "starlette.authentication.requires":
        return False
    scopes = ctx.literal(ctx.argument(expr, "scopes", 0))
    scopes = [scopes] if isinstance(scopes, str) else scopes if isinstance(scopes, (list, tuple)) else []
    return any(isinstance(scope, str) and scope != "authenticated" for scope in scopes)


def definition(ctx: FileContext, target: cst.BaseExpression) -> tuple[FileContext, cst.FunctionDef] | None:
    """The function a name refers to: in this file, or through the project in another module."""
    if isinstance(target, cst.Name) and target.value in ctx.index.functions:
        return ctx, ctx.index.functions[target.value]
    return imported_definition(ctx, target, cst.FunctionDef)


def wraps_a_guard(ctx: FileContext, function: cst.FunctionDef, depth: int = 0) -> bool:
    """A project decorator or dependency that applies, calls or re-raises a known guard.

    ``def admin_required(fn): @wraps(fn) @jwt_required() def inner(...)`` and a
    dependency that decodes the token and raises 401 both count.
    """
    if depth > 3:
        return False
    for node in walk(function):
        if isinstance(node, cst.Decorator) and guard_for_decorator(ctx, node) is not None:
            return True
        if isinstance(node, cst.If) and _tests_identity(ctx, node.test) and _denies_in(ctx, node.body):
            return True  # the Flask tutorial's login_required: ``if g.user is None: return redirect(login)``
        if isinstance(node, cst.If) and isinstance(node.orelse, cst.Else) and (
                _tests_presence(ctx, node.test) or _tests_a_credential(ctx, node.test)) \
                and _denies_in(ctx, node.orelse.body) and (
                not _denies_in(ctx, node.body) or _calls_wrapped(function, node.body)):
            # ``if request.user.is_authenticated: return func(...) else: return redirect("login")``, and
            # ``if "auth_token" in request.COOKIES: ...func(...) else: return HttpResponseRedirect("/login")``
            return True
        if isinstance(node, cst.Call):
            name = ctx.qualname(node.func) or ""
            if name in AUTH_DECORATORS or name in AUTH_CHECK_CALLS:
                return True
            if denies_access(ctx, node):
                return True
            if _answers_denied(ctx, node):
                return True
            found = definition(ctx, node.func) or _called_class(ctx, node.func)
            if found is not None and found[1] is not function and wraps_a_guard(found[0], found[1], depth + 1):
                return True
    return False


def _calls_wrapped(decorator: cst.FunctionDef, block: cst.CSTNode) -> bool:
    """The block runs the view the decorator wraps (its first parameter): ``return function(request, ...)``."""
    params = decorator.params.params
    wrapped = params[0].name.value if params else None
    return wrapped is not None and any(isinstance(n, cst.Call) and isinstance(n.func, cst.Name)
                                       and n.func.value == wrapped for n in walk(block))


_CREDENTIAL_SOURCES = ("COOKIES", "cookies", "session", "headers", "META", "get_cookie")
_CREDENTIAL_WORDS_IN_TEST = ("token", "auth", "user", "login", "key", "session", "sid", "jwt")


def _tests_a_credential(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """``"auth_token" in request.COOKIES``, ``request.session.get("user_id")``: a credential the request
    carries (a decorator then checks it, and sends the caller to the login page without one)."""
    code = ctx.code(test)
    return any(s in code for s in _CREDENTIAL_SOURCES) and any(w in code.lower() for w in _CREDENTIAL_WORDS_IN_TEST)


def _called_class(ctx: FileContext, target: cst.BaseExpression) -> tuple[FileContext, cst.FunctionDef] | None:
    """``require_permissions(("admin",))(fn)``: a decorator class; what it does is its ``__call__``."""
    if isinstance(target, cst.Name) and target.value in ctx.index.classes:
        found: tuple[FileContext, cst.ClassDef] | None = (ctx, ctx.index.classes[target.value])
    else:
        found = imported_definition(ctx, target, cst.ClassDef)
    if found is None:
        return None
    method = class_method(found[1], "__call__")
    return (found[0], method) if method is not None else None


_DENY_STATUSES = frozenset({401, 403})


def denies_access(ctx: FileContext, call: cst.Call) -> bool:
    """``abort(401)``, ``HTTPException(status_code=401)``, ``raise Unauthorized()``-style calls."""
    name = ctx.qualname(call.func) or ""
    tail = name.rsplit(".", 1)[-1] if name else (ctx.dotted_name(call.func) or "").rsplit(".", 1)[-1]
    if tail in ("Unauthorized", "Forbidden", "PermissionDenied", "NotAuthenticated", "AuthenticationFailed",
                "HTTPUnauthorized", "HTTPForbidden", "HttpResponseForbidden",
                "NotAuthorizedException", "PermissionDeniedException"):  # Litestar
        return True
    if tail in ("abort", "HTTPException", "HTTPError", "HttpError"):  # HttpError: Django Ninja
        status = ctx.literal(ctx.argument(call, "status_code", 0))
        if status is not None and not isinstance(status, int):
            status = ctx.literal(ctx.argument(call, "code", 0))
        if isinstance(status, int) and status in _DENY_STATUSES:
            return True
        return ctx.dotted_name(ctx.argument(call, "status_code", 0) or cst.Name("x")) in (
            "status.HTTP_401_UNAUTHORIZED", "status.HTTP_403_FORBIDDEN")
    return False


def _answers_denied(ctx: FileContext, call: cst.Call) -> bool:
    """A response built with status 401 or 403: ``error("missing api key", 401)``,
    ``JsonResponse({...}, status=403)``, ``HttpResponse(status=401)``."""
    return any(isinstance(arg.value, cst.Integer) and arg.value.value in ("401", "403")
               and (arg.keyword is None or arg.keyword.value in ("status", "status_code", "code"))
               for arg in call.args)


def looks_like_role(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ("admin", "role", "staff", "superuser", "permission", "owner_or_admin"))


_ROLE_WORDS = ("is_admin", "role", "is_staff", "is_superuser", "permission", "has_perm", "scopes", "admin")


def checks_role(ctx: FileContext, function: cst.FunctionDef) -> bool:
    """The function refuses the caller on a role condition: ``if user.role != "admin": abort(403)``."""
    for node in walk(function):
        if isinstance(node, cst.If) and any(w in ctx.code(node.test).lower() for w in _ROLE_WORDS) \
                and _denies_in(ctx, node.body):
            return True
    return False


def functions_in(module: cst.Module) -> Iterator[cst.FunctionDef]:
    for node in walk(module):
        if isinstance(node, cst.FunctionDef):
            yield node


def guards_in_body(ctx: FileContext, function: cst.FunctionDef) -> list[Guard]:
    """An explicit check at the top of the body: ``if not current_user...: abort(401)`` or a raising helper."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    found_by_key = _credential_lookup(ctx, list(body)[:8])
    if found_by_key is not None:
        return [found_by_key]
    wrapper = _wraps_the_body(ctx, list(body))
    if wrapper is not None:
        return [wrapper]
    top = list(body)[:6]
    if top and isinstance(top[0], cst.If) and ".method" in ctx.code(top[0].test) \
            and isinstance(top[0].body, cst.IndentedBlock):
        top = list(top[0].body.body)[:6]  # ``if request.method == "GET":`` around the whole handler
    decoded = _request_token_decoded(ctx, top)
    if decoded is not None:
        return [decoded]
    for statement in list(body)[:4]:
        if isinstance(statement, cst.If) and _tests_identity(ctx, statement.test) and _denies_in(ctx, statement.body):
            test = ctx.code(statement.test)
            return [Guard("check", f"if {test}: ...", role=any(w in test for w in _ROLE_WORDS))]
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                call = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
                if isinstance(call, cst.Await):
                    call = call.expression  # aiohttp-security: ``await check_authorized(request)``
                if isinstance(call, cst.Call):
                    name = ctx.qualname(call.func) or ""
                    found = definition(ctx, call.func)
                    if name in AUTH_CHECK_CALLS or (found is not None and wraps_a_guard(*found)):
                        role = name.endswith("check_permission") or (found is not None and checks_role(*found))
                        return [Guard("check", f"{ctx.code(call.func)}()", role=role)]
    return []


_JWT_DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode"})
_JWT_TEXT = re.compile(r"jwt|jose")
_REQUEST_CREDENTIAL = ("cookies", "COOKIES", "headers", "META", "Authorization", "get_cookie")


def _request_token_decoded(ctx: FileContext, statements: list[cst.BaseStatement]) -> Guard | None:
    """``claims = jwt.decode(request.cookies["auth"], KEY, algorithms=["HS256"])`` near the top: the token is
    verified (a bad one raises before anything else runs), so the handler authenticates its caller itself.
    Turned-off verification is AR203's finding, not a guard."""
    if not _JWT_TEXT.search(ctx.source.text):
        return None  # (most files decode no JWT: pay nothing for it)
    sources: dict[str, str] = {}  # locals holding request text: ``token = request.headers["Authorization"]...``
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Assign):
                continue
            value = small.value
            text = ctx.code(value)
            if isinstance(value, cst.Call) and (ctx.qualname(value.func) or "") in _JWT_DECODERS and value.args \
                    and ctx.argument(value, "options", 99) is None and "verify" not in text:
                first = ctx.code(value.args[0].value)
                if any(w in first for w in _REQUEST_CREDENTIAL) or first in sources:
                    return Guard("check", f"{ctx.code(value.func)}() of the request's token", role=False)
            if any(w in text for w in _REQUEST_CREDENTIAL):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        sources[target.target.value] = text
    return None


# The principal, not any variable named user: `user = User.query.filter_by(email=...)` in a login
# route followed by `if user is None` checks credentials, it guards nothing.
_IDENTITY_WORDS = ("current_user", "is_authenticated", "is_anonymous", "g.user", "session.get(", "session[",
                   "request.user", "request.auth", "get_jwt_identity", "verify_jwt_in_request",
                   "authenticated_userid", "request.identity",  # (Pyramid)
                   "ctx.user", "authorized_userid")  # Sanic's request.ctx.user, aiohttp-security


def _tests_identity(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """``if not current_user.is_authenticated`` / ``if g.user is None`` / ``if user.is_anonymous``: a missing user.

    The opposite test (``if current_user.is_authenticated: return redirect(...)``, sending
    signed-in users away from a login page) guards nothing.
    """
    if isinstance(test, cst.BooleanOperation):
        return _tests_identity(ctx, test.left) or _tests_identity(ctx, test.right)
    code = ctx.code(test)
    if not any(w in code for w in _IDENTITY_WORDS):
        return False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return "is_anonymous" not in ctx.code(test.expression)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        right = ctx.code(target.comparator)
        if isinstance(target.operator, (cst.Is, cst.Equal)) and right in ("None", "False"):
            return True
        if isinstance(target.operator, (cst.IsNot, cst.NotEqual)) and right in ("True",):
            return True
        return False
    return "is_anonymous" in code


def _wraps_the_body(ctx: FileContext, body: list[cst.BaseStatement]) -> Guard | None:
    """``if current_user.is_authenticated: <the view> else: return redirect(login)``: the view's work happens only
    for a signed-in user (a few set-up lines may come first; nothing may follow)."""
    if not body or len(body) > 4:
        return None
    last = body[-1]
    if len(body) >= 2 and isinstance(body[-2], cst.If) and body[-2].orelse is None \
            and isinstance(last, cst.SimpleStatementLine) and _denies_in(ctx, last) \
            and _tests_presence(ctx, body[-2].test) and any(isinstance(n, cst.Return) for n in walk(body[-2].body)):
        # ``if user.is_authenticated: ...work, return...`` then ``return redirect(login)`` after the if
        if any(not isinstance(s, cst.SimpleStatementLine) for s in body[:-2]) or _sends_away(ctx, body[-2].body):
            return None
        test = ctx.code(body[-2].test)
        return Guard("check", f"if {test}: ...", role=any(w in test for w in _ROLE_WORDS))
    if not isinstance(last, cst.If):
        return None
    orelse = last.orelse
    # ``if check_if_valid_token(request): <the view> else: return HttpResponse("Unauthorized", status=401)``: an
    # else that answers 401/403 says the test lets callers in, whatever it is named
    gate = isinstance(orelse, cst.Else) and any(
        isinstance(n, cst.Call) and (denies_access(ctx, n) or _answers_denied(ctx, n)) for n in walk(orelse.body))
    if not (_tests_presence(ctx, last.test) or gate):
        return None
    if any(not isinstance(s, cst.SimpleStatementLine) for s in body[:-1]):
        return None
    if isinstance(orelse, cst.Else) and not _denies_in(ctx, orelse.body) or isinstance(orelse, cst.If):
        return None
    if _denies_in(ctx, last.body) and len(last.body.body) <= 1:
        return None  # ``if current_user.is_authenticated: return redirect(home)``: sends signed-in users away
    test = ctx.code(last.test)
    return Guard("check", f"if {test}: ...", role=any(w in test for w in _ROLE_WORDS))


def _sends_away(ctx: FileContext, block: cst.BaseSuite) -> bool:
    """``if current_user.is_authenticated: return redirect(home)``: the branch only sends signed-in users
    elsewhere (a login page), it is not the view's work."""
    statements = block.body if isinstance(block, cst.IndentedBlock) else ()
    return len(statements) == 1 and isinstance(statements[0], cst.SimpleStatementLine) and _denies_in(ctx, block)


def _tests_presence(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """``current_user.is_authenticated``, ``request.user.is_authenticated and ...``, ``g.user is not None``: a
    signed-in user is present."""
    if isinstance(test, cst.BooleanOperation):
        if isinstance(test.operator, cst.And):
            return _tests_presence(ctx, test.left) or _tests_presence(ctx, test.right)
        return _tests_presence(ctx, test.left) and _tests_presence(ctx, test.right)
    code = ctx.code(test)
    if not any(w in code for w in _IDENTITY_WORDS) or "is_anonymous" in code:
        return False
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and not test.args:
        test = test.func  # Django < 1.10: ``request.user.is_authenticated()`` was a method
    if isinstance(test, cst.Attribute):
        return test.attr.value in ("is_authenticated", "is_active") or code in ("g.user", "request.user", "current_user")
    if isinstance(test, cst.Name):
        return test.value == "current_user"
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        right = ctx.code(target.comparator)
        return isinstance(target.operator, cst.IsNot) and right == "None" or \
            isinstance(target.operator, (cst.Is, cst.Equal)) and right == "True"
    return False


# Words of a call that looks the caller up by a key or a signature: `Project.objects.for_api_key(key)`,
# `verify_signature(...)`. Not tokens or passwords: a login or reset-confirm route looks a user up by those
# and is a credential endpoint, not a guarded one.
_CREDENTIAL_WORDS = frozenset({"key", "apikey", "signature", "signed", "credential", "credentials", "unsign", "hmac"})


def _credential_lookup(ctx: FileContext, statements: list[cst.BaseStatement]) -> Guard | None:
    """``project = Project.objects.for_api_key(key)`` then ``if project is None: return HttpResponseForbidden()``:
    the view authenticates the caller itself, by a key or a signature, and refuses the rest (401/403)."""
    looked_up: dict[str, str] = {}
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                        and isinstance(small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call):
                    callee = ctx.code(small.value.func)
                    if set(split_words(callee)) & _CREDENTIAL_WORDS:
                        looked_up[small.targets[0].target.value] = callee
        elif isinstance(statement, cst.If) and _denies_in(ctx, statement.body):
            tested = {n.value for n in walk(statement.test) if isinstance(n, cst.Name)}
            hit = next((name for name in looked_up if name in tested), None)
            if hit is not None:
                return Guard("check", f"{looked_up[hit]}(), refused when it finds no one", role=False)
    return None


def _denies_in(ctx: FileContext, block: cst.CSTNode) -> bool:
    for node in walk(block):
        if isinstance(node, cst.Call) and (denies_access(ctx, node) or
                                           (ctx.qualname(node.func) or "").endswith(("redirect", "unauthorized",
                                                                                     "HttpResponseForbidden"))):
            return True
        if isinstance(node, cst.Return):
            code = ctx.code(node)
            if "401" in code or "403" in code or "login" in code:
                return True
    return False


def refuses(ctx: FileContext, block: cst.CSTNode) -> bool:
    """The block turns the caller away: a denial (``abort(403)``, ``HttpResponseForbidden()``, a redirect to the
    login page, an answer with 401/403) or any ``raise``."""
    return _denies_in(ctx, block) or any(isinstance(n, cst.Raise) for n in walk(block))


def class_method(cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None
