"""AR403 oauth-missing-state: OAuth logins without a per-login ``state`` that the callback checks."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid
from ...walk import walk
from ...words import split_words
from .._common import handler_flow, own_nodes
from ._shared import (
    AuthorizationRequestRule,
    AuthRequest,
    call_tail,
    in_function,
    local_values,
    oauth_library_call,
)

# Calls of OAuth client libraries that take the ``state`` of an authorization request.
_STATE_TAKERS = frozenset({"authorization_url", "create_authorization_url", "authorize_redirect",
                           "prepare_authorization_request", "prepare_request_uri", "OAuth2Session", "OAuth2Client",
                           "AsyncOAuth2Client", "from_client_config", "from_client_secrets_file"})
_CODE_EXCHANGES = frozenset({"fetch_token", "fetch_access_token", "acquire_token_by_authorization_code",
                             "exchange_code", "exchange_code_for_token", "exchange_code_for_tokens",
                             "get_access_token", "exchange_authorization_code", "prepare_request_body",
                             "prepare_token_request"})
_QUERY_SOURCE = re.compile(r"\b(?:args|GET|query_params|query|values|params|rel_url)\b|query parameter")
_COMPARE_CALLS = frozenset({"compare_digest", "constant_time_compare", "safe_str_cmp", "safe_compare"})
# A helper that turns a code into tokens (``get_token(code)``, ``fetch_tokens(code)``), not one that checks a
# code the app sent itself (``verify_email_token(code)``).
_EXCHANGE_VERBS = frozenset({"get", "fetch", "exchange", "access", "request", "obtain", "retrieve", "acquire", "oauth",
                             "redeem"})
_NOT_EXCHANGE_VERBS = frozenset({"verify", "validate", "check", "decode", "create", "generate", "make", "issue",
                                 "sign", "confirm", "reset", "email", "invite", "invitation"})
_OAUTH_WORDS = re.compile(r"oauth|OAuth|OAUTH|client_id|CLIENT_ID|redirect_uri|REDIRECT_URI|authorization_code|openid")


def _constant_value(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """A string written in the code (directly or through a module constant): the same for every login."""
    if isinstance(node, cst.Name) and ctx.value_of(node) is None:
        return False
    value = ctx.literal(node)
    return isinstance(value, str)


def _mentions_state(node: cst.CSTNode) -> bool:
    for child in [node, *walk(node)]:
        if isinstance(child, cst.Name):
            words = split_words(child.value)
        elif isinstance(child, cst.SimpleString):
            value = child.evaluated_value
            words = split_words(value) if isinstance(value, str) and len(value) < 60 else []
        else:
            continue
        if "state" in words:
            return True
    return False


def _subscript_string(ctx: FileContext, node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.string(node.slice[0].slice.value)
    return None


class OAuthMissingState(AuthorizationRequestRule):
    """What it does: flags OAuth/OIDC logins that do not use ``state``: an authorization request built by
    hand (a parameter dict or URL with ``response_type=code``) that sends no ``state``; a ``state`` that
    is a constant; oauthlib's ``prepare_request_uri`` without one; and a callback that reads the
    ``code`` from the request and exchanges it at the token endpoint without ever comparing the
    ``state`` it got back with the one stored at login (nor handing the stored one to the library,
    e.g. ``OAuth2Session(..., state=session["oauth_state"])``). authlib's ``authorize_redirect`` /
    ``authorize_access_token`` and requests-oauthlib's ``authorization_url`` generate and check it.

    Why is this bad: without a per-login ``state`` bound to the user's session, the callback accepts
    an authorization response the user never asked for. An attacker sends the victim a callback link
    carrying the attacker's own code, and the victim is signed in to the attacker's account (login
    CSRF), where whatever they save or upload ends up in the attacker's hands.

    Example:
        return redirect(AUTHORIZE_URL + "?" + urlencode({
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": CALLBACK,
        }))

    Use instead:
        state = secrets.token_urlsafe(32)
        session["oauth_state"] = state
        return redirect(AUTHORIZE_URL + "?" + urlencode({
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": CALLBACK, "state": state,
        }))
        # and in the callback:
        if not secrets.compare_digest(request.args.get("state", ""), session.pop("oauth_state", "")):
            abort(400)
    """

    id = "AR403"
    name = "oauth-missing-state"
    title = "OAuth flow without a state check"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 352
    prefilter = re.compile(r"response_type|client_id|authorization_url|authorize_redirect|prepare_request_uri|"
                           r"fetch_token|access_token|authorization_response|authorization_code|exchange_code|"
                           r"acquire_token_by")
    in_tests = False

    VALID = [
        'from urllib.parse import urlencode\n'
        'def login(state):\n'
        '    return AUTH + "?" + urlencode({"response_type": "code", "client_id": CID, "state": state})',
        # state added after the dict is built.
        'from urllib.parse import urlencode\nimport secrets\n'
        'def login():\n'
        '    params = {"response_type": "code", "client_id": CID, "redirect_uri": CB}\n'
        '    params["state"] = secrets.token_urlsafe(32)\n'
        '    return f"{AUTH}?{urlencode(params)}"',
        'def login(state):\n    return f"{AUTH}?response_type=code&client_id={CID}&state={state}"',
        # Libraries that generate state.
        'from requests_oauthlib import OAuth2Session\n'
        'def login():\n'
        '    url, state = OAuth2Session(CID, redirect_uri=CB).authorization_url(AUTH)\n'
        '    session["oauth_state"] = state\n    return redirect(url)',
        'from authlib.integrations.flask_client import OAuth\noauth = OAuth()\n'
        'def login():\n    return oauth.idp.authorize_redirect(url_for("cb", _external=True))\n'
        'def cb():\n    token = oauth.idp.authorize_access_token()\n    return token',
        # The callback compares the state.
        'import hmac, requests\nfrom flask import request, session, abort\n'
        'def callback():\n'
        '    if not hmac.compare_digest(session.pop("oauth_state", ""), request.args.get("state", "")):\n'
        '        abort(400)\n'
        '    return requests.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": request.args["code"],\n'
        '                                          "redirect_uri": CB}).json()',
        # ... or hands the stored state to requests-oauthlib, which checks it.
        'from requests_oauthlib import OAuth2Session\nfrom flask import request, session\n'
        'def callback():\n'
        '    oauth = OAuth2Session(CID, state=session["oauth_state"], redirect_uri=CB)\n'
        '    return oauth.fetch_token(TOKEN_URL, client_secret=SECRET, authorization_response=request.url)',
        # A verification code sent by e-mail is not an OAuth code.
        'from flask import request\n'
        'def confirm():\n    code = request.form["code"]\n    return verify_token(code)',
        # Token requests are not authorization requests.
        'data = {"grant_type": "authorization_code", "client_id": CID, "code": code, "redirect_uri": CB}',
        'CONFIG = {"client_id": CID, "authorize_url": AUTH, "redirect_uri": CB}',
    ]
    INVALID = [
        Invalid(
            'from urllib.parse import urlencode\n'
            'def login():\n'
            '    return AUTH + "?" + urlencode({\n'
            '        "response_type": "code",\n'
            '        "client_id": CID,\n'
            '        "redirect_uri": CB,\n'
            '    })',
        ),
        Invalid('def login():\n    return f"{AUTH}?response_type=code&client_id={CID}&redirect_uri={CB}"'),
        Invalid(
            'from urllib.parse import urlencode\n'
            'def login():\n'
            '    return AUTH + "?" + urlencode({"client_id": CID, "redirect_uri": CB, "scope": "read:user"})',
        ),
        Invalid(
            'from urllib.parse import urlencode\n'
            'def login():\n'
            '    return AUTH + "?" + urlencode({"response_type": "code", "client_id": CID, "state": "xyz"})',
        ),
        Invalid(
            'from requests_oauthlib import OAuth2Session\n'
            'def login():\n'
            '    url, _ = OAuth2Session(CID, redirect_uri=CB).authorization_url(AUTH, state="static")\n'
            '    return url',
        ),
        Invalid(
            'from oauthlib.oauth2 import WebApplicationClient\nclient = WebApplicationClient(CID)\n'
            'def login():\n    return client.prepare_request_uri(AUTH, redirect_uri=CB, scope=["openid"])',
        ),
        # A callback that never compares the state.
        Invalid(
            'import requests\nfrom flask import Flask, request\napp = Flask(__name__)\n'
            '@app.get("/callback")\n'
            'def callback():\n'
            '    response = requests.post(TOKEN_URL, data={\n'
            '        "grant_type": "authorization_code",\n'
            '        "code": request.args["code"],\n'
            '        "redirect_uri": CB,\n'
            '    })\n'
            '    return response.json()',
        ),
        Invalid(
            'from fastapi import FastAPI\napp = FastAPI()\n'
            '@app.get("/auth/callback")\n'
            'async def callback(code: str, state: str | None = None):\n'
            '    token = await oauth_client.get_access_token(code, REDIRECT_URI)\n'
            '    return token',
        ),
        Invalid(
            'from requests_oauthlib import OAuth2Session\nfrom flask import request\n'
            'def callback():\n'
            '    oauth = OAuth2Session(CID, redirect_uri=CB)\n'
            '    return oauth.fetch_token(TOKEN_URL, client_secret=SECRET, authorization_response=request.url)',
        ),
    ]

    # --- authorization requests (found by AuthorizationRequestRule) -----------------
    def _check_request(self, request: AuthRequest) -> None:
        state = request.params.get("state")
        confidence = None if request.explicit else Confidence.MEDIUM
        if state is not None and (_constant_value(self.ctx, state) or self.ctx.literal(state) is None):
            self.report(state, f"the authorization request's `state` is {markup.code(self.ctx.code(state))}, the same for every "
                        "login: it cannot tie the callback to this user's session (login CSRF); send a random "
                        "per-login value kept in the session and compare it in the callback", confidence=confidence)
            return
        if request.has(self.ctx, "state"):
            return
        self.report(request.node, f"the authorization request built{in_function(self.ctx)} sends no `state`: the "
                    "callback cannot tell a login this user started from one an attacker started (login CSRF); "
                    "generate `secrets.token_urlsafe(32)`, keep it in the session, send it as `state` and compare it "
                    "in the callback", confidence=confidence)

    # --- libraries -------------------------------------------------------------------
    def _check_call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = oauth_library_call(ctx, node)
        tail = name.rsplit(".", 1)[-1].removesuffix("()")
        if not name or tail not in _STATE_TAKERS:
            return
        state = ctx.argument(node, "state", 3 if tail == "prepare_request_uri" else None)
        if state is not None and _constant_value(ctx, state) and ctx.string(state) != "":
            self.report(state, f"{markup.code(ctx.code(node.func))} is given the constant state {markup.code(ctx.code(state))}: the same "
                        "for every login, it cannot tie the callback to the user's session (login CSRF); let the "
                        "library generate it and keep the returned value in the session")
        elif tail == "prepare_request_uri" and (state is None or ctx.literal(state) in (None, "")):
            self.report(node, f"{markup.code(ctx.code(node.func))} builds an authorization URL without `state` (oauthlib does "
                        "not add one): the callback cannot tell a login this user started from an attacker's (login "
                        "CSRF); pass `state=` a random value kept in the session and compare it in the callback")

    # --- callbacks -------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        ctx = self.ctx
        own = list(own_nodes(node))
        calls = [n for n in own if isinstance(n, cst.Call)]
        tails = {call_tail(c) for c in calls}
        if "authorize_access_token" in tails:
            return  # authlib checks the state it stored
        candidates = [(n, n.value) for n in own if isinstance(n, cst.Subscript) and _subscript_string(ctx, n) == "code"]
        candidates += [(n, n.func.value) for n in calls if isinstance(n.func, cst.Attribute)
                       and n.func.attr.value in ("get", "getone", "get_one", "getfirst") and n.args
                       and ctx.string(n.args[0].value) == "code"]
        params = [p.name for p in (*node.params.params, *node.params.kwonly_params) if p.name.value == "code"]
        by_response = [c for c in calls if call_tail(c) in ("fetch_token", "fetch_access_token")
                       and ctx.keyword(c, "authorization_response") is not None]
        if not candidates and not params and not by_response:
            return
        flow, label, _ = handler_flow(ctx, node)
        reads: list[tuple[cst.BaseExpression, str]] = []
        for expr, base in candidates:
            if flow.is_client(base):
                reads.append((expr, flow.client_source_markdown(expr) or markup.code(ctx.code(expr))))
        for param in params:
            source = flow.client_source_markdown(param)
            if source is not None:
                reads.append((param, source))
        exchange = self._exchange(node, own, calls, reads, by_response)
        if exchange is None or self._state_checked(node, own, calls):
            return
        source = exchange
        self.report(node.name, f"{markup.code(label)} exchanges the authorization code ({source}) for tokens but never compares "
                    "the `state` returned with the one stored when the login started: an attacker's code is "
                    "accepted (login CSRF); compare `state` with the session's value (`secrets.compare_digest`) "
                    "before the exchange, or let the OAuth library check it")

    def _exchange(self, function: cst.FunctionDef, own: list[cst.CSTNode], calls: list[cst.Call],
                  reads: list[tuple[cst.BaseExpression, str]],
                  by_response: list[cst.Call]) -> str | None:
        """What the code exchange uses as the code (for the message), or None when there is no exchange."""
        ctx = self.ctx
        if by_response:
            return markup.code('authorization_response=' + ctx.code(ctx.argument(by_response[0], 'authorization_response')))
        if not reads:
            return None
        read_ids = {id(expr) for expr, _ in reads}
        code_names = {expr.value for expr, _ in reads if isinstance(expr, cst.Name)}
        values = local_values(function)
        for _ in range(3):
            for name, bound in values.items():
                if name not in code_names and any(self._mentions(v, read_ids, code_names) for v in bound):
                    code_names.add(name)
        query = any(_QUERY_SOURCE.search(source) for _, source in reads)
        source = next((s for _, s in reads if _QUERY_SOURCE.search(s)), reads[0][1])
        for node in own:
            if isinstance(node, cst.Dict):
                params = {ctx.string(e.key): e.value for e in node.elements if isinstance(e, cst.DictElement)}
                code = params.get("code")
                if code is None or not self._mentions(code, read_ids, code_names):
                    continue
                if ctx.string(params.get("grant_type")) == "authorization_code":
                    return source
                if query and params.keys() & {"redirect_uri", "client_id", "client_secret", "code_verifier"}:
                    return source
        oauth_file = bool(_OAUTH_WORDS.search(ctx.source.text))
        for call in calls:
            tail = call_tail(call)
            words = set(split_words(tail))
            weak = query and oauth_file and bool(words & {"token", "tokens"}) and bool(words & _EXCHANGE_VERBS) \
                and not words & _NOT_EXCHANGE_VERBS
            if tail not in _CODE_EXCHANGES and not weak:
                continue
            if any(self._mentions(a.value, read_ids, code_names) for a in call.args
                   if a.keyword is None or a.keyword.value in ("code", "authorization_code")):
                return source
        return None

    @staticmethod
    def _mentions(expr: cst.BaseExpression, ids: set[int], names: set[str]) -> bool:
        return any(id(n) in ids or (isinstance(n, cst.Name) and n.value in names) for n in [expr, *walk(expr)])

    def _state_checked(self, function: cst.FunctionDef, own: list[cst.CSTNode], calls: list[cst.Call],
                       depth: int = 0) -> bool:
        ctx = self.ctx
        for decorator in function.decorators:
            if _mentions_state(decorator.decorator):
                return True
        parses_response = any(ctx.keyword(c, "authorization_response") is not None or call_tail(c).startswith(
            ("parse_request_uri_response", "parse_authorization", "validate_authorization")) for c in calls)
        for node in own:
            if isinstance(node, cst.Comparison) and _mentions_state(node):
                return True
            if parses_response and isinstance(node, cst.Assign) and any(
                    isinstance(t.target, cst.Attribute) and t.target.attr.value in ("state", "_state")
                    for t in node.targets):
                return True  # ``oauth._state = session[key]`` before ``fetch_token(authorization_response=...)``
        for call in calls:
            tail = call_tail(call)
            if "state" in split_words(tail):
                return True  # verify_state(...), self._check_oauth_state(request)
            if tail in _COMPARE_CALLS and any(_mentions_state(a.value) for a in call.args):
                return True
            state = ctx.keyword(call, "state")
            if state is not None and parses_response and not _constant_value(ctx, state.value) \
                    and ctx.literal(state.value) is not None:
                return True  # OAuth2Session(..., state=saved) checks it when fetch_token parses the response URL
            if depth == 0:
                helper = self._helper(call)
                if helper is not None:
                    inner = list(own_nodes(helper))
                    if self._state_checked(helper, inner, [n for n in inner if isinstance(n, cst.Call)], 1):
                        return True
        return False

    def _helper(self, call: cst.Call) -> cst.FunctionDef | None:
        """A function of this file (or a method of the enclosing class) that the handler calls."""
        func = call.func
        if isinstance(func, cst.Name):
            return self.ctx.index.functions.get(func.value)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            cls = self.ctx.enclosing(cst.ClassDef)
            if isinstance(cls, cst.ClassDef):
                for statement in cls.body.body:
                    if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value:
                        return statement
        return None
