"""AR404 oauth-missing-pkce: authorization-code logins without PKCE (or with ``plain``)."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid
from .._common import add_dict_element, add_keyword
from ._shared import (
    AuthorizationRequestRule,
    AuthRequest,
    call_tail,
    in_function,
    oauth_library_call,
    response_types,
    url_pieces,
)

_AUTHLIB_SESSIONS = ("OAuth2Session()", "OAuth2Client()", "AsyncOAuth2Client()")
_CLIENT_SECRET = re.compile(r"client_secret|CLIENT_SECRET|clientSecret")


def _constructor(ctx: FileContext, receiver: cst.BaseExpression) -> cst.Call | None:
    """The call that made ``receiver`` (``OAuth2Session(...)`` itself, or the one a local is bound to)."""
    if isinstance(receiver, cst.Call):
        return receiver
    if isinstance(receiver, cst.Name):
        value = ctx.value_of(receiver)
        if isinstance(value, cst.Call):
            return value
    return None


def _add_dict_entry(node: cst.Dict, key: str, value: str) -> cst.Dict:
    """``node`` with ``"key": "value"`` appended, in its quote style and layout."""
    elements = node.elements
    first_key = elements[0].key if elements and isinstance(elements[0], cst.DictElement) else None
    quote = first_key.quote if isinstance(first_key, cst.SimpleString) and first_key.quote in ("'", '"') else '"'
    return add_dict_element(node, f"{quote}{key}{quote}", f"{quote}{value}{quote}")


class OAuthMissingPkce(AuthorizationRequestRule):
    """What it does: flags authorization-code logins without PKCE: authorization requests built by hand
    (parameter dicts and URLs with ``response_type=code``) that send no ``code_challenge``, or send one
    with ``code_challenge_method`` ``plain`` or missing (which means plain); requests-oauthlib's
    ``authorization_url`` on a session made without ``pkce="S256"`` and without a ``code_challenge``;
    authlib's ``create_authorization_url`` without a ``code_verifier``; authlib client registrations
    (``oauth.register(...)``) whose ``client_kwargs`` do not set ``code_challenge_method``; and
    oauthlib's ``prepare_request_uri`` without ``code_challenge``. Reported with medium confidence when
    the client has a secret (a confidential client, for which PKCE is recommended rather than required
    by RFC 9700, and required by OAuth 2.1).

    Why is this bad: without PKCE an authorization code that leaks (referrer, logs, a malicious app
    registered for the same redirect, an injected code) can be redeemed by whoever holds it. PKCE binds
    the code to a secret verifier only the client that started the login knows; ``plain`` sends that
    secret in the front channel, where it leaks with the code.

    Example:
        oauth.register("idp", server_metadata_url=IDP_METADATA, client_kwargs={"scope": "openid email"})

    Use instead:
        oauth.register("idp", server_metadata_url=IDP_METADATA,
                       client_kwargs={"scope": "openid email", "code_challenge_method": "S256"})
    """

    id = "AR404"
    name = "oauth-missing-pkce"
    title = "OAuth authorization code flow without PKCE"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 345
    prefilter = re.compile(r"response_type|client_id|authorization_url|prepare_request_uri|\.register\(|"
                           r"code_challenge|pkce")
    in_tests = False

    VALID = [
        'from urllib.parse import urlencode\n'
        'def login(state, challenge):\n'
        '    return AUTH + "?" + urlencode({"response_type": "code", "client_id": CID, "state": state,\n'
        '                                   "code_challenge": challenge, "code_challenge_method": "S256"})',
        'def login(state, challenge):\n'
        '    return f"{AUTH}?response_type=code&client_id={CID}&state={state}&code_challenge={challenge}"'
        '"&code_challenge_method=S256"',
        'from authlib.integrations.flask_client import OAuth\noauth = OAuth()\n'
        'oauth.register("google", server_metadata_url=GOOGLE_META,\n'
        '               client_kwargs={"scope": "openid email", "code_challenge_method": "S256"})',
        'from requests_oauthlib import OAuth2Session\n'
        'def login():\n'
        '    client = OAuth2Session(CID, redirect_uri=CB, pkce="S256")\n'
        '    return client.authorization_url(AUTH)',
        'from requests_oauthlib import OAuth2Session\n'
        'def login(challenge):\n'
        '    client = OAuth2Session(CID, redirect_uri=CB)\n'
        '    return client.authorization_url(AUTH, code_challenge=challenge, code_challenge_method="S256")',
        'from authlib.integrations.requests_client import OAuth2Session\n'
        'def login(verifier):\n'
        '    client = OAuth2Session(CID, SECRET, code_challenge_method="S256")\n'
        '    return client.create_authorization_url(AUTH, code_verifier=verifier)',
        # OAuth 1 and implicit-flow registrations are other rules' business.
        'from authlib.integrations.flask_client import OAuth\noauth = OAuth()\n'
        'oauth.register("twitter", request_token_url=RT, authorize_url=AU, access_token_url=AT)',
        # Configuration, not a request.
        'CONFIG = {"client_id": CID, "authorize_url": AUTH, "redirect_uri": CB}',
    ]
    INVALID = [
        Invalid(
            'from urllib.parse import urlencode\n'
            'def login(state):\n'
            '    return AUTH + "?" + urlencode({"response_type": "code", "client_id": CID, "state": state})',
        ),
        Invalid('def login(state):\n    return f"{AUTH}?response_type=code&client_id={CID}&state={state}"'),
        Invalid(
            'from urllib.parse import urlencode\n'
            'def login(state, verifier):\n'
            '    return AUTH + "?" + urlencode({"response_type": "code", "client_id": CID, "state": state,\n'
            '                                   "code_challenge": verifier, "code_challenge_method": "plain"})',
        ),
        Invalid(
            'from authlib.integrations.flask_client import OAuth\noauth = OAuth()\n'
            'oauth.register(\n'
            '    "corp",\n'
            '    server_metadata_url=CORP_META,\n'
            '    client_kwargs={\n'
            '        "scope": "openid email",\n'
            '    },\n'
            ')',
            fixed='from authlib.integrations.flask_client import OAuth\noauth = OAuth()\n'
            'oauth.register(\n'
            '    "corp",\n'
            '    server_metadata_url=CORP_META,\n'
            '    client_kwargs={\n'
            '        "scope": "openid email",\n'
            '        "code_challenge_method": "S256",\n'
            '    },\n'
            ')',
        ),
        Invalid(
            'from authlib.integrations.starlette_client import OAuth\noauth = OAuth()\n'
            'oauth.register("gitlab", authorize_url=GL_AUTH, access_token_url=GL_TOKEN)',
            fixed='from authlib.integrations.starlette_client import OAuth\noauth = OAuth()\n'
            'oauth.register("gitlab", authorize_url=GL_AUTH, access_token_url=GL_TOKEN, '
            'client_kwargs={"code_challenge_method": "S256"})',
        ),
        Invalid(
            'from requests_oauthlib import OAuth2Session\n'
            'def login():\n'
            '    client = OAuth2Session(CID, redirect_uri=CB, scope=["openid"])\n'
            '    url, state = client.authorization_url(AUTH)\n'
            '    return url',
        ),
        Invalid(
            'from requests_oauthlib import OAuth2Session\n'
            'client = OAuth2Session(CID, redirect_uri=CB, pkce="plain")',
            fixed='from requests_oauthlib import OAuth2Session\n'
            'client = OAuth2Session(CID, redirect_uri=CB, pkce="S256")',
        ),
        Invalid(
            'from authlib.integrations.httpx_client import AsyncOAuth2Client\n'
            'async def login():\n'
            '    client = AsyncOAuth2Client(CID, redirect_uri=CB)\n'
            '    url, state = client.create_authorization_url(AUTH)\n'
            '    return url',
        ),
        Invalid(
            'from oauthlib.oauth2 import WebApplicationClient\nclient = WebApplicationClient(CID)\n'
            'def login(state):\n    return client.prepare_request_uri(AUTH, redirect_uri=CB, state=state)',
        ),
    ]

    def _confidence(self) -> Confidence | None:
        """Medium when the client has a secret: PKCE is then a recommendation of RFC 9700, a requirement of OAuth 2.1."""
        return Confidence.MEDIUM if _CLIENT_SECRET.search(self.ctx.source.text) else None

    # --- hand-built requests -----------------------------------------------------------
    def visit_Dict(self, node: cst.Dict) -> None:
        ctx = self.ctx
        for element in node.elements:
            if isinstance(element, cst.DictElement) and ctx.string(element.key) == "code_challenge_method" \
                    and (ctx.string(element.value) or "").lower() == "plain":
                stack = ctx.stack
                in_kwargs = len(stack) >= 2 and isinstance(stack[-2], cst.Arg) and stack[-2].keyword is not None \
                    and stack[-2].keyword.value == "client_kwargs"
                self._report_plain(element.value, library=in_kwargs)
                return
        super().visit_Dict(node)

    def _check_url_request(self, request: AuthRequest) -> None:
        node = request.node
        if re.search(r"(?:^|[?&])code_challenge_method=plain(?:$|&)", "".join(
                p for p in (url_pieces(self.ctx, node) or []) if isinstance(p, str)), re.I):
            self._report_plain(node, library=False)
            return
        self._check_request(request)

    def _check_request(self, request: AuthRequest) -> None:
        ctx = self.ctx
        confidence = self._confidence() if request.explicit else Confidence.MEDIUM
        built = f"built{in_function(ctx) or ' here'}"
        if not request.has(ctx, "code_challenge"):
            self.report(request.node, f"the authorization request {built} sends no `code_challenge` (PKCE): an "
                        "authorization code that leaks or is injected can be redeemed without the verifier; send "
                        "`code_challenge=BASE64URL(SHA256(verifier))` with `code_challenge_method=S256` and the "
                        "verifier with the token request", confidence=confidence)
        elif not request.has(ctx, "code_challenge_method"):
            self.report(request.node, f"the authorization request {built} sends a `code_challenge` without "
                        "`code_challenge_method`, which means `plain`: the verifier itself travels in the front "
                        "channel; send `code_challenge_method=S256` with a SHA-256 challenge", confidence=confidence)

    def _report_plain(self, node: cst.BaseExpression, library: bool) -> None:
        fix = None
        if library and isinstance(node, cst.SimpleString):
            fix = self.ctx.replace(node, f"{node.prefix}{node.quote}S256{node.quote}", "use S256")
        self.report(node, "PKCE with `code_challenge_method` \"plain\" sends the verifier itself in the "
                    "authorization request, where it leaks with the code; use S256", fix=fix)

    # --- libraries -----------------------------------------------------------------------
    def _check_call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func) or ""
        tail = call_tail(node)
        for keyword in ("code_challenge_method", "pkce"):
            value = ctx.argument(node, keyword)
            if value is not None and (ctx.string(value) or "").lower() == "plain":
                library = keyword == "pkce" or name.startswith("authlib.") and tail in (
                    "OAuth2Session", "OAuth2Client", "AsyncOAuth2Client")
                self._report_plain(value, library=library)
                return
        if tail == "authorization_url" and name.startswith("requests_oauthlib."):
            self._requests_oauthlib(node)
        elif tail == "create_authorization_url" and name.startswith("authlib.") and \
                any(s in name for s in _AUTHLIB_SESSIONS):
            self._authlib_session(node)
        elif tail == "prepare_request_uri" and oauth_library_call(ctx, node):
            if ctx.keyword(node, "code_challenge") is None and not ctx.has_star_kwargs(node):
                self.report(node, f"{markup.code(ctx.code(node.func))} builds an authorization-code request without "
                            "`code_challenge` (PKCE): a leaked or injected code can be redeemed without the "
                            "verifier; pass `code_challenge=` (S256) and send the verifier with the token request",
                            confidence=self._confidence())
        elif tail == "register" and isinstance(node.func, cst.Attribute) and self._authlib_registry(node):
            self._authlib_register(node)

    def _requests_oauthlib(self, node: cst.Call) -> None:
        ctx = self.ctx
        response_type = ctx.string(ctx.argument(node, "response_type"))
        if response_type is not None and "code" not in response_types(response_type):
            return  # the implicit flow: AR401
        if ctx.keyword(node, "code_challenge") is not None or ctx.has_star_kwargs(node):
            return
        ctor = _constructor(ctx, node.func.value)  # type: ignore[attr-defined]
        if ctor is None or ctx.has_star_kwargs(ctor) or ctx.keyword(ctor, "pkce") is not None:
            return
        self.report(node, f"{markup.code(ctx.code(node.func))} starts an authorization-code login on a session made without "
                    "`pkce=\"S256\"` and passes no `code_challenge`: a leaked or injected code can be redeemed "
                    "without the verifier; create the session with `pkce=\"S256\"` (requests-oauthlib 1.4+) and "
                    "reuse it for `fetch_token`, or pass `code_challenge`/`code_challenge_method=\"S256\"`",
                    confidence=self._confidence())

    def _authlib_session(self, node: cst.Call) -> None:
        ctx = self.ctx
        if ctx.keyword(node, "code_challenge") is not None or ctx.has_star_kwargs(node):
            return
        ctor = _constructor(ctx, node.func.value)  # type: ignore[attr-defined]
        if ctor is None or ctx.has_star_kwargs(ctor):
            return
        method = ctx.keyword(ctor, "code_challenge_method")
        if method is not None and ctx.keyword(node, "code_verifier") is not None:
            return
        problem = "passes no `code_verifier`, so authlib sends no challenge" if method is not None else \
            "uses a client made without `code_challenge_method=\"S256\"`"
        self.report(node, f"{markup.code(ctx.code(node.func))} starts an authorization-code login that {problem} (no PKCE): a "
                    "leaked or injected code can be redeemed without the verifier; create the client with "
                    "`code_challenge_method=\"S256\"` and pass `code_verifier=` here and to `fetch_token`",
                    confidence=self._confidence())

    def _authlib_registry(self, call: cst.Call) -> bool:
        ctx = self.ctx
        receiver = call.func.value  # type: ignore[attr-defined]
        qual = ctx.qualname(receiver) or ""
        if qual.startswith("authlib."):
            return True
        if qual and ctx.project is not None:
            found = ctx.project.binding(qual)
            if found is not None and isinstance(found[1], cst.Call):
                return (found[0].qualname(found[1].func) or "").startswith("authlib.")
        if any(q.startswith("authlib.") for q in ctx.index.imports.values()):
            return True
        return any(ctx.keyword(call, k) is not None for k in ("client_kwargs", "server_metadata_url", "access_token_url"))

    def _authlib_register(self, node: cst.Call) -> None:
        ctx = self.ctx
        if ctx.has_star_kwargs(node) or ctx.keyword(node, "request_token_url") is not None:
            return  # settings we cannot see, or OAuth 1
        if ctx.keyword(node, "authorize_url") is None and ctx.keyword(node, "server_metadata_url") is None:
            return  # endpoints from the app's config: its client kwargs may be there too
        params = ctx.literal(ctx.argument(node, "authorize_params"))
        if isinstance(params, dict) and isinstance(params.get("response_type"), str) and \
                "code" not in response_types(params["response_type"]):
            return  # the implicit flow: AR401
        kwargs_node = ctx.argument(node, "client_kwargs")
        fix = None
        if kwargs_node is None:
            fix = ctx.replace(node, add_keyword(node, "client_kwargs", '{"code_challenge_method": "S256"}'),
                              "use S256 PKCE")
        else:
            inline = kwargs_node
            if isinstance(kwargs_node, cst.Name):
                kwargs_node = ctx.value_of(kwargs_node)
            if not isinstance(kwargs_node, cst.Dict) or \
                    any(not isinstance(e, cst.DictElement) for e in kwargs_node.elements):
                return
            if any(ctx.string(e.key) == "code_challenge_method" for e in kwargs_node.elements):
                return
            if inline is kwargs_node:
                fix = ctx.replace(kwargs_node, _add_dict_entry(kwargs_node, "code_challenge_method", "S256"),
                                  "use S256 PKCE")
        label = ctx.string(ctx.argument(node, "name", 0))
        client = "the " + markup.code(f'"{label}"') + " client" if label else "this client"
        self.report(node, f"{client} is registered with authlib without `code_challenge_method` in `client_kwargs`, "
                    "so its authorization-code logins use no PKCE: a leaked or injected code can be redeemed "
                    "without the verifier; add `\"code_challenge_method\": \"S256\"` (authlib then handles the "
                    "verifier)", fix=fix, confidence=self._confidence())
