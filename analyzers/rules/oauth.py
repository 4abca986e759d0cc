"""AR4xx (OAuth 2.0 / OIDC): which flows a client uses and how it talks to the authorization server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ..findings import Confidence, Fix, Severity
from ..rule import Invalid, Rule, Valid
from ._common import is_env_read, target_name

# --- shared helpers ---------------------------------------------------------------


def _snake(name: str) -> str:
    """``tokenUrl`` -> ``token_url``, lower-cased."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _is_docstring(rule: Rule) -> bool:
    """Whether the string being visited is a bare expression statement (docstring, comment-like)."""
    stack = rule.ctx.stack
    return len(stack) >= 2 and isinstance(stack[-2], cst.Expr)


def _inside_concatenation(rule: Rule) -> bool:
    stack = rule.ctx.stack
    return len(stack) >= 2 and isinstance(stack[-2], (cst.ConcatenatedString, cst.FormattedString))


def _static_text(node: cst.BaseExpression) -> str | None:
    """The literal text of a string, f-string or implicit concatenation (fields as ``{}``)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            parts.append(part.value if isinstance(part, cst.FormattedStringText) else "{}")
        return "".join(parts)
    if isinstance(node, cst.ConcatenatedString):
        left, right = _static_text(node.left), _static_text(node.right)
        return None if left is None or right is None else left + right
    return None


def _string_kwarg_or_key(rule: Rule, name: str) -> Iterator[tuple[cst.BaseExpression, str]]:
    """Values given to ``name`` as a keyword argument, dict key or subscript assignment at this node."""
    ctx = rule.ctx
    node = ctx.stack[-1]
    if isinstance(node, cst.Call):
        arg = ctx.keyword(node, name)
        if arg is not None:
            value = ctx.string(arg.value)
            if value is not None:
                yield arg.value, value
    elif isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement) and ctx.string(element.key) == name:
                value = ctx.string(element.value)
                if value is not None:
                    yield element.value, value
    elif isinstance(node, cst.Assign):
        for target in node.targets:
            if isinstance(target.target, cst.Subscript) and target_name(target.target) == name:
                value = ctx.string(node.value)
                if value is not None:
                    yield node.value, value




def _requote(node: cst.BaseExpression, value: str) -> str | None:
    """``value`` as a string literal in the quote style of ``node`` (None if ``node`` is not a plain string)."""
    if isinstance(node, cst.SimpleString) and "\\" not in value:
        quote = node.quote
        if quote not in value:
            return f"{node.prefix}{quote}{value}{quote}"
    return None


# --- AR401 ------------------------------------------------------------------------

_IMPLICIT_IN_URL = re.compile(
    r"(?:^|[?&#])response_type=(?P<value>(?:(?:code|id_token|token)(?:\+|%20| ))*token(?:(?:\+|%20| )(?:code|id_token))*)(?=$|[&#])"
)
_MOBILE_CLIENT = re.compile(r"^(?:requests_)?oauthlib\.(?:oauth2\.)?(?:rfc6749\.)?(?:clients\.)?(?:mobile_application\.)?MobileApplicationClient$")


def _has_whitespace_outside(text: str, match: re.Match[str]) -> bool:
    return bool(re.search(r"\s", text[: match.start("value")] + text[match.end("value") :]))


def _is_implicit(response_type: str) -> bool:
    """``token``, ``id_token token``, ``code token``: the authorization response carries an access token."""
    return "token" in re.split(r"[\s+]+", response_type.strip())


class OAuthImplicitGrant(Rule):
    """What it does: flags OAuth authorization requests that use the implicit flow: a
    ``response_type`` of ``token`` (or ``id_token token``) in parameters, keyword arguments,
    authlib ``authorize_params``, authorization URLs, and oauthlib's ``MobileApplicationClient``.

    Why is this bad: the access token comes back in the URL fragment of the redirect, where
    browser history, referrers, logs and injected scripts can read it, and it cannot be bound
    to the client. OAuth 2.0 Security BCP (RFC 9700) says clients must not use the implicit grant.

    Example:
        url, state = oauth.authorization_url(AUTHORIZE_URL, response_type="token")

    Use instead:
        url, state = oauth.authorization_url(AUTHORIZE_URL, code_challenge=challenge,
                                             code_challenge_method="S256")  # response_type=code
    """

    id = "AR401"
    name = "oauth-implicit-grant"
    title = "OAuth implicit grant (response_type=token)"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 522
    prefilter = re.compile(r"response_type|MobileApplicationClient")
    in_tests = False

    VALID = [
        'from requests_oauthlib import OAuth2Session\n'
        'oauth = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI)\n'
        'url, state = oauth.authorization_url(AUTH_URL, response_type="code")',
        # token_type is about the issued token, not the flow.
        'resp = {"access_token": tok, "token_type": "bearer"}',
        'params = {"response_type": "code", "client_id": CLIENT_ID, "state": state}',
        # OIDC hybrid without an access token in the front channel.
        'params = {"response_type": "code id_token"}',
        'AUTH = "https://idp.example.org/authorize?response_type=code&client_id=abc"',
        # A message about the flow, not a request.
        'raise ValueError("response_type=token is not supported")',
        # Source code held in a string (a template, a doc example) is not a request.
        "SNIPPET = 'return f\"{IDP}/authorize?client_id={cid}&response_type=token\"'",
        # Server side: checking what a client asked for.
        'if request.response_type == "token":\n    reject()',
        'from oauthlib.oauth2 import WebApplicationClient\nclient = WebApplicationClient(CLIENT_ID)',
    ]
    INVALID = [
        # An implicitly joined URL over two lines inside a function: the fix keeps the indentation.
        Invalid(
            "IDP = 'https://idp.example.com'\n"
            "def login_url(client_id):\n"
            "    return (f'{IDP}/authorize?client_id={client_id}'\n"
            "            '&response_type=token&scope=openid')\n",
            fixed="IDP = 'https://idp.example.com'\n"
            "def login_url(client_id):\n"
            "    return (f'{IDP}/authorize?client_id={client_id}'\n"
            "            '&response_type=code&scope=openid')\n",
        ),
        Invalid(
            'from requests_oauthlib import OAuth2Session\n'
            'oauth = OAuth2Session(CLIENT_ID)\n'
            'url, state = oauth.authorization_url(AUTH_URL, response_type="token")',
            fixed='from requests_oauthlib import OAuth2Session\n'
            'oauth = OAuth2Session(CLIENT_ID)\n'
            'url, state = oauth.authorization_url(AUTH_URL, response_type="code")',
        ),
        Invalid(
            'from authlib.integrations.flask_client import OAuth\n'
            'oauth = OAuth(app)\n'
            'oauth.register(\n'
            '    "idp",\n'
            '    client_id=CLIENT_ID,\n'
            "    authorize_params={'response_type': 'id_token token'},\n"
            ')',
            fixed='from authlib.integrations.flask_client import OAuth\n'
            'oauth = OAuth(app)\n'
            'oauth.register(\n'
            '    "idp",\n'
            '    client_id=CLIENT_ID,\n'
            "    authorize_params={'response_type': 'code'},\n"
            ')',
        ),
        Invalid(
            'from urllib.parse import urlencode\n'
            'RESPONSE_TYPE = "token"\n'
            'query = urlencode({"client_id": CLIENT_ID, "response_type": RESPONSE_TYPE})',
        ),
        Invalid(
            'def login_url(client_id):\n'
            '    return f"{IDP}/authorize?client_id={client_id}&response_type=token&redirect_uri={CB}"',
            fixed='def login_url(client_id):\n'
            '    return f"{IDP}/authorize?client_id={client_id}&response_type=code&redirect_uri={CB}"',
        ),
        Invalid(
            'AUTH = ("https://idp.example.org/authorize?"\n'
            '        "response_type=token&client_id=abc")',
            fixed='AUTH = ("https://idp.example.org/authorize?"\n'
            '        "response_type=code&client_id=abc")',
        ),
        Invalid('from oauthlib.oauth2 import MobileApplicationClient as M\nclient = M(client_id=CLIENT_ID)'),
        Invalid('params = {}\nparams["response_type"] = "token"', fixed='params = {}\nparams["response_type"] = "code"'),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func) or ""
        if _MOBILE_CLIENT.match(name):
            self.report(node, f"`{self.ctx.code(node.func)}` is oauthlib's implicit-grant client: the access token "
                        "is returned in the redirect URL fragment; use `WebApplicationClient` (authorization "
                        "code) with PKCE")
            return
        self._check_parameters()

    def visit_Dict(self, node: cst.Dict) -> None:
        self._check_parameters()

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check_parameters()

    def _check_parameters(self) -> None:
        for value_node, value in _string_kwarg_or_key(self, "response_type"):
            if not _is_implicit(value):
                continue
            new = _requote(value_node, "code")
            fix = self.ctx.replace(value_node, new, 'use response_type "code"') if new else None
            self.report(value_node, f'`response_type` is "{value}" (implicit flow): the access token comes back '
                        "in the redirect URL; use the authorization code flow with PKCE (response_type \"code\")",
                        fix=fix)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._check_url(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._check_url(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._check_url(node)

    def _check_url(self, node: cst.BaseExpression) -> None:
        if _inside_concatenation(self) or _is_docstring(self):
            return
        text = _static_text(node)
        match = _IMPLICIT_IN_URL.search(text or "")
        if match is None or _has_whitespace_outside(text or "", match):
            return  # a URL or query string has no whitespace; this is prose or source code in a string
        fix = self._url_fix(node, match.group("value"))
        self.report(node, f"this authorization URL asks for `response_type={match.group('value')}` (implicit flow): "
                    "the access token comes back in the redirect URL; use response_type=code with PKCE", fix=fix)

    def _url_fix(self, node: cst.BaseExpression, value: str) -> Fix | None:
        source = self.ctx.source_of(node)
        pattern = re.compile(r"(?<=response_type=)" + re.escape(value) + r"(?=$|[&#\"'])")
        if len(pattern.findall(source)) != 1:
            return None
        return self.ctx.replace(node, pattern.sub("code", source), "use response_type=code")


# --- AR402 ------------------------------------------------------------------------

_PASSWORD_IN_BODY = re.compile(r"(?:^|[?&])grant_type=password(?=$|&)")
_LEGACY_CLIENT = re.compile(r"^(?:requests_)?oauthlib\.(?:oauth2\.)?(?:rfc6749\.)?(?:clients\.)?(?:legacy_application\.)?LegacyApplicationClient$")
_KEYCLOAK_TOKEN = re.compile(r"^keycloak\.(?:keycloak_openid\.)?KeycloakOpenID\(\)\.a?token$")
_OAUTH_LIBRARIES = ("requests_oauthlib", "authlib", "oauthlib", "httpx_oauth")


class OAuthPasswordGrant(Rule):
    """What it does: flags OAuth clients that use the resource owner password credentials grant
    (ROPC): ``grant_type=password`` in token request data, oauthlib's ``LegacyApplicationClient``,
    ``fetch_token(..., username=..., password=...)`` (requests-oauthlib, authlib), and
    python-keycloak's ``token(username, password)``.

    Why is this bad: the application handles the user's password itself, so it can leak or log it,
    and the authorization server cannot apply MFA, consent or phishing protection. OAuth 2.0
    Security BCP (RFC 9700) says the password grant must not be used.

    Example:
        token = requests.post(TOKEN_URL, data={"grant_type": "password",
                                               "username": user, "password": pw}).json()

    Use instead:
        # send the user to the authorization endpoint, then exchange the code with PKCE
        token = oauth.fetch_token(TOKEN_URL, code=code, code_verifier=verifier)
    """

    id = "AR402"
    name = "oauth-password-grant"
    title = "OAuth password grant (ROPC) in client code"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 522
    prefilter = re.compile(r"grant_type|LegacyApplicationClient|fetch_token|KeycloakOpenID")
    in_tests = False

    VALID = [
        'import requests\n'
        'tok = requests.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": code}).json()',
        'import requests\n'
        'tok = requests.post(TOKEN_URL, data={"grant_type": "client_credentials"}, auth=(CID, SECRET))',
        # Server side: deciding which grant a request asks for.
        'if form.grant_type == "password":\n    user = authenticate(form.username, form.password)',
        'from requests_oauthlib import OAuth2Session\n'
        'oauth = OAuth2Session(CLIENT_ID, redirect_uri=CB)\n'
        'token = oauth.fetch_token(TOKEN_URL, code=code, client_secret=SECRET)',
        # A login form posting a password to the app itself is not OAuth.
        'import requests\nrequests.post(LOGIN_URL, data={"username": u, "password": p})',
        'from keycloak import KeycloakOpenID\n'
        'kc = KeycloakOpenID(server_url=URL, client_id="app", realm_name="r")\n'
        'tok = kc.token(grant_type="authorization_code", code=code, redirect_uri=CB)',
    ]
    INVALID = [
        Invalid(
            'import requests\n'
            'def login(user, pw):\n'
            '    return requests.post(\n'
            '        TOKEN_URL,\n'
            '        data={"grant_type": "password", "username": user, "password": pw},\n'
            '    ).json()',
        ),
        Invalid('from oauthlib.oauth2 import LegacyApplicationClient\nclient = LegacyApplicationClient(client_id=CID)'),
        Invalid(
            'from requests_oauthlib import OAuth2Session\n'
            'def login(session: OAuth2Session, user, pw):\n'
            '    return session.fetch_token(token_url=TOKEN_URL, username=user, password=pw)',
        ),
        Invalid(
            'from authlib.integrations.requests_client import OAuth2Session as S\n'
            'client = S(CID, SECRET)\n'
            'token = client.fetch_token(URL, grant_type="password", username=u, password=p)',
        ),
        Invalid('import httpx\nhttpx.post(URL, content="grant_type=password&username=%s&password=%s" % (u, p))'),
        Invalid(
            'from keycloak import KeycloakOpenID\n'
            'kc = KeycloakOpenID(server_url=URL, client_id="app", realm_name="r")\n'
            'tok = kc.token(username, password)',
        ),
        Invalid('body = {}\nbody["grant_type"] = "password"'),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func) or ""
        if _LEGACY_CLIENT.match(name):
            self.report(node, f"`{ctx.code(node.func)}` is oauthlib's password-grant (ROPC) client: the app "
                        "collects the user's password; use the authorization code flow with PKCE")
            return
        if _KEYCLOAK_TOKEN.match(name) and self._keycloak_password(node):
            self.report(node, f"`{ctx.code(node.func)}(username, password)` uses the password grant (ROPC): the app "
                        "collects the user's password; use `auth_url()` and the authorization code flow with PKCE")
            return
        if self._fetch_token_with_password(node, name):
            self.report(node, f"`{ctx.code(node.func)}` is given `username=` and `password=`, which makes it a "
                        "password-grant (ROPC) token request; use the authorization code flow with PKCE")
            return
        self._check_parameters()

    def visit_Dict(self, node: cst.Dict) -> None:
        self._check_parameters()

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check_parameters()

    def _check_parameters(self) -> None:
        for value_node, value in _string_kwarg_or_key(self, "grant_type"):
            if value == "password":
                self.report(value_node, '`grant_type` is "password" (ROPC): the app collects the user\'s password '
                            "and sends it to the token endpoint; use the authorization code flow with PKCE")

    def _keycloak_password(self, call: cst.Call) -> bool:
        grant = self.ctx.argument(call, "grant_type", 2)
        if grant is not None:
            value = self.ctx.literal(grant)
            if value != "password" and value != ["password"]:
                return False
        username = self.ctx.argument(call, "username", 0)
        password = self.ctx.argument(call, "password", 1)
        return username is not None and password is not None and self.ctx.string(username) != ""

    def _fetch_token_with_password(self, call: cst.Call, name: str) -> bool:
        if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "fetch_token"):
            return False
        if self.ctx.keyword(call, "username") is None or self.ctx.keyword(call, "password") is None:
            return False
        grant = self.ctx.string(self.ctx.argument(call, "grant_type"))
        if grant is not None and grant != "password":
            return False
        # An unresolvable receiver counts when the file uses an OAuth client library.
        return name.startswith(_OAUTH_LIBRARIES) or any(
            q.startswith(_OAUTH_LIBRARIES) for q in self.ctx.index.imports.values()
        )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._check_body(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._check_body(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._check_body(node)

    def _check_body(self, node: cst.BaseExpression) -> None:
        if _inside_concatenation(self) or _is_docstring(self):
            return
        if _PASSWORD_IN_BODY.search(_static_text(node) or ""):
            self.report(node, "this token request body says `grant_type=password` (ROPC): the app collects the "
                        "user's password; use the authorization code flow with PKCE")


# --- AR406 ------------------------------------------------------------------------

_INSECURE_ENV = "OAUTHLIB_INSECURE_TRANSPORT"
# Names of settings, keywords and keys that hold an OAuth/OIDC endpoint or redirect URI.
_ENDPOINT_NAME = re.compile(
    r"(?:^|_)(?:(?:token|authori[sz]e|authori[sz]ation|userinfo|user_info|jwks|introspection|introspect|"
    r"revocation|revoke|refresh|end_session|server_metadata|oidc_metadata|oidc_discovery|openid_config(?:uration)?|"
    r"well_known)_(?:url|uri|endpoint)s?|redirect_uris?|oidc_(?:url|issuer))$"
)
_HTTP_URL = re.compile(r"^http://(?P<host>\[[^\]]*\]|[^/:?#\s]*)(?P<port>:[^/?#]*)?")
_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|[\w.-]+\.localhost)$", re.IGNORECASE)
# Documentation placeholders (RFC 2606): not a deployment.
_PLACEHOLDER = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid)$", re.IGNORECASE)
_PRIVATE = re.compile(r"^(?:10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|"
                      r"[\w-]+|[\w.-]+\.(?:local|internal|lan|svc|cluster\.local))$", re.IGNORECASE)
_DEBUG_NAME = re.compile(r"(?:^|_)(?:debug|development|dev|local|testing)$", re.IGNORECASE)
_DEV_STRINGS = frozenset({"development", "dev", "local", "debug", "testing"})
_URL_METHODS = frozenset({"authorization_url", "create_authorization_url", "fetch_token", "refresh_token",
                          "fetch_access_token"})


def _is_endpoint_name(name: str | None) -> bool:
    return bool(name) and bool(_ENDPOINT_NAME.search(_snake(name)))  # type: ignore[arg-type]


def _is_debug_test(ctx: object, test: cst.BaseExpression) -> bool:
    """``app.debug``, ``settings.DEBUG``, ``app.config["DEBUG"]``, ``ENV == "development"``, ``__name__ == "__main__"``."""
    if isinstance(test, cst.BooleanOperation):
        return _is_debug_test(ctx, test.left) or _is_debug_test(ctx, test.right)
    if isinstance(test, (cst.Name, cst.Attribute, cst.Subscript)):
        name = target_name(test)
        return bool(name) and bool(_DEBUG_NAME.search(_snake(name)))  # type: ignore[arg-type]
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "is_development":
        return True
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        operands = [test.left, target.comparator]
        strings = {s.evaluated_value.lower() for s in operands if isinstance(s, cst.SimpleString)
                   and isinstance(s.evaluated_value, str)}
        if isinstance(target.operator, cst.Equal):
            if "__main__" in strings:
                return True
            return bool(strings & _DEV_STRINGS)
        if isinstance(target.operator, cst.In) and isinstance(target.comparator, (cst.Tuple, cst.List, cst.Set)):
            values = {e.value.evaluated_value.lower() for e in target.comparator.elements
                      if isinstance(e.value, cst.SimpleString) and isinstance(e.value.evaluated_value, str)}
            return bool(values) and values <= _DEV_STRINGS
    return False


class OAuthInsecureTransport(Rule):
    """What it does: flags ``OAUTHLIB_INSECURE_TRANSPORT`` being switched on, and OAuth/OIDC
    endpoints (token, authorize, userinfo, JWKS, metadata) or redirect URIs configured with
    ``http://`` for a host other than localhost, in keyword arguments, settings and dicts.

    Why is this bad: authorization codes, access and refresh tokens, client secrets and signing
    keys then travel in clear text, where anyone on the network path can read or replace them.
    ``OAUTHLIB_INSECURE_TRANSPORT`` makes oauthlib accept such URLs; it is meant for local
    development only, and once set it applies to the whole process.

    Example:
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        oauth.register("idp", access_token_url="http://idp.corp.com/oauth/token")

    Use instead:
        oauth.register("idp", access_token_url="https://idp.corp.com/oauth/token")
    """

    id = "AR406"
    name = "oauth-insecure-transport"
    title = "OAuth over insecure transport"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 319
    prefilter = re.compile(r"OAUTHLIB_INSECURE_TRANSPORT|http://")
    in_tests = False

    VALID = [
        'import os\nos.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"',
        'import os\nos.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)',
        'import os\nif os.environ.get("OAUTHLIB_INSECURE_TRANSPORT"):\n    raise RuntimeError("insecure transport")',
        'REDIRECT_URI = "http://localhost:5000/callback"',
        'oauth.register("idp", access_token_url="http://127.0.0.1:8080/token", authorize_url="https://idp.io/auth")',
        'flow = Flow.from_client_config(cfg, scopes=S, redirect_uri="http://[::1]:8000/cb")',
        # Not an OAuth endpoint.
        'HOMEPAGE_URL = "http://example.org"\nDOCS = {"help_url": "http://docs.corp.com"}',
        # Cloud instance metadata and service discovery are not OAuth endpoints.
        'METADATA_URL = "http://169.254.169.254/latest/meta-data/"\nDISCOVERY_URL = "http://eureka.corp.com/eureka"',
        'TOKEN_URL = "https://idp.corp.com/oauth/token"',
        # A documentation placeholder.
        'REDIRECT_URI = "http://app.example.com/callback"',
    ]
    INVALID = [
        Invalid(
            'import os\nos.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"\napp = make_app()',
            fixed='import os\napp = make_app()',
        ),
        Invalid(
            'from os import environ\nenviron.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "true")\nx = 1',
            fixed='from os import environ\nx = 1',
        ),
        Invalid(
            'import os\ndef main():\n    os.environ.update(OAUTHLIB_INSECURE_TRANSPORT="1")\n',
            fixed='import os\ndef main():\n    pass\n',
        ),
        # Guarded by a debug flag: still reported, with low confidence.
        Invalid(
            'import os\nif app.debug:\n    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"\n    x = 1\n',
            fixed='import os\nif app.debug:\n    x = 1\n',
        ),
        Invalid(
            'from authlib.integrations.flask_client import OAuth\n'
            'oauth.register(\n'
            '    "corp",\n'
            '    access_token_url="http://sso.corp.com/oauth/token",\n'
            '    authorize_url="https://sso.corp.com/oauth/authorize",\n'
            ')',
            fixed='from authlib.integrations.flask_client import OAuth\n'
            'oauth.register(\n'
            '    "corp",\n'
            '    access_token_url="https://sso.corp.com/oauth/token",\n'
            '    authorize_url="https://sso.corp.com/oauth/authorize",\n'
            ')',
        ),
        Invalid('REDIRECT_URI = "http://myapp.io/auth/callback"', fixed='REDIRECT_URI = "https://myapp.io/auth/callback"'),
        Invalid('OIDC = {"token_endpoint": "http://idp.io/token"}', fixed='OIDC = {"token_endpoint": "https://idp.io/token"}'),
        Invalid(
            'from fastapi.security import OAuth2AuthorizationCodeBearer\n'
            'scheme = OAuth2AuthorizationCodeBearer(authorizationUrl="https://idp.io/a", tokenUrl="http://idp.io/t")',
            fixed='from fastapi.security import OAuth2AuthorizationCodeBearer\n'
            'scheme = OAuth2AuthorizationCodeBearer(authorizationUrl="https://idp.io/a", tokenUrl="https://idp.io/t")',
        ),
        # An explicit port: https on the same port would be a guess, so no fix.
        Invalid('TOKEN_URL = "http://sso.corp.com:8080/token"'),
        Invalid('def cb(host):\n    return OAuth2Session(CID, redirect_uri=f"http://{host}/callback")'),
        Invalid(
            'token = oauth.fetch_token("http://idp.io/oauth/token", code=code)',
            fixed='token = oauth.fetch_token("https://idp.io/oauth/token", code=code)',
        ),
        Invalid(
            'import os\nREDIRECT_URI = os.getenv("REDIRECT_URI", "http://myapp.io/cb")',
            fixed='import os\nREDIRECT_URI = os.getenv("REDIRECT_URI", "https://myapp.io/cb")',
        ),
    ]

    # --- OAUTHLIB_INSECURE_TRANSPORT ---------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            sub = target.target
            if (isinstance(sub, cst.Subscript) and target_name(sub) == _INSECURE_ENV
                    and self.ctx.qualname(sub.value) == "os.environ" and self._enables(node.value)):
                self._report_env(node, node.value)
                return
        name = next((target_name(t.target) for t in node.targets if _is_endpoint_name(target_name(t.target))), None)
        if name:
            self._check_url_value(node.value, name)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        name = target_name(node.target)
        if node.value is not None and _is_endpoint_name(name):
            self._check_url_value(node.value, name or "")

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        func = ctx.qualname(node.func) or ""
        if func in ("os.environ.setdefault", "os.putenv", "os.environ.__setitem__"):
            if ctx.string(ctx.argument(node, "key", 0)) == _INSECURE_ENV and self._enables(ctx.argument(node, "value", 1)):
                self._report_env(node, ctx.argument(node, "value", 1))
            return
        if func == "os.environ.update":
            value = self._update_value(node)
            if value is not None:
                only = len(node.args) == 1  # other variables set in the same call must survive the fix
                first = node.args[0].value
                if isinstance(first, cst.Dict) and len(first.elements) != 1:
                    only = False
                self._report_env(node, value, deletable=only)
            return
        for arg in node.args:
            if arg.keyword is not None and _is_endpoint_name(arg.keyword.value):
                self._check_url_value(arg.value, arg.keyword.value)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _URL_METHODS:
            first = ctx.positional(node, 0)
            if first is not None:
                self._check_url_value(first.value, f"{node.func.attr.value}()")

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = self.ctx.string(element.key)
                if _is_endpoint_name(key):
                    self._check_url_value(element.value, key or "")

    def _enables(self, value: cst.BaseExpression | None) -> bool:
        # oauthlib tests the variable for truth: any non-empty string (even "0") turns it on.
        return value is not None and self.ctx.string(value) != ""

    def _update_value(self, call: cst.Call) -> cst.BaseExpression | None:
        arg = self.ctx.keyword(call, _INSECURE_ENV)
        if arg is not None:
            return arg.value if self._enables(arg.value) else None
        first = self.ctx.positional(call, 0)
        if first is not None and isinstance(first.value, cst.Dict):
            for element in first.value.elements:
                if isinstance(element, cst.DictElement) and self.ctx.string(element.key) == _INSECURE_ENV:
                    return element.value if self._enables(element.value) else None
        return None

    def _report_env(self, node: cst.CSTNode, value: cst.BaseExpression | None, deletable: bool = True) -> None:
        shown = self.ctx.code(value) if value is not None else "on"
        guarded = self._dev_guard()
        confidence = Confidence.LOW if guarded else None
        where = " (inside a development-only branch, but the setting is process-wide)" if guarded else ""
        self.report(node, f"`{_INSECURE_ENV}` is set to {shown}{where}: oauthlib then accepts http:// token and "
                    "redirect URLs, so codes and tokens can travel in clear text; remove it and use https",
                    fix=self._delete_statement() if deletable else None, confidence=confidence)

    def _dev_guard(self) -> bool:
        """Whether the current node sits in the body (not the else) of an ``if <debug flag>:``."""
        stack = self.ctx.stack
        for i in range(len(stack) - 2, -1, -1):
            node = stack[i]
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                return False
            if isinstance(node, cst.If) and stack[i + 1] is node.body and _is_debug_test(self.ctx, node.test):
                return True
        return False

    def _delete_statement(self) -> Fix | None:
        """Delete the statement line; a block left empty keeps a ``pass``."""
        stack = self.ctx.stack
        line = next((n for n in reversed(stack) if isinstance(n, cst.SimpleStatementLine)), None)
        if line is None or len(line.body) != 1:
            return None
        block = stack[next(i for i, n in enumerate(stack) if n is line) - 1]
        pos = self.ctx.position(line)
        if isinstance(block, cst.IndentedBlock) and len(block.body) == 1:
            indent = self.ctx.indentation(pos.start.line)
            return self.ctx.replace_lines(pos.start.line, pos.end.line, f"{indent}pass", "remove the setting")
        return self.ctx.replace_lines(pos.start.line, pos.end.line, "", f"remove {_INSECURE_ENV}")

    # --- http:// endpoints ------------------------------------------------------
    def _check_url_value(self, value: cst.BaseExpression, name: str) -> None:
        ctx = self.ctx
        confidence: Confidence | None = None
        if is_env_read(ctx, value) and isinstance(value, cst.Call):
            value = ctx.argument(value, "default", 1)  # type: ignore[assignment]
            confidence = Confidence.MEDIUM
            if value is None:
                return
        if isinstance(value, (cst.List, cst.Tuple)):
            for element in value.elements:
                self._check_url_value(element.value, name)
            return
        string = self._leading_string(value)
        followed = False
        if string is None:
            string, followed = self._leading_string(self._base_constant(value)), True
            if string is None:
                return
        text = _static_text(string) or ""
        match = _HTTP_URL.match(text)
        if match is None:
            return
        host = re.sub(r"%(?:\([^)]*\))?s", "{}", match.group("host"))
        if not host and string is not value:
            host = "{}"  # "http://" + host + ...
        if not host or _LOOPBACK.match(host.replace("{}", "x")) or _PLACEHOLDER.search(host.replace("{}", "x")):
            return
        if "{}" in host:
            confidence = Confidence.MEDIUM  # the host is computed: we cannot tell it is not localhost
        elif _PRIVATE.match(host):
            confidence = Confidence.LOW
        fix = None
        if followed:
            string = value  # the http:// literal is a shared base URL: report this use, fix it there
        elif not match.group("port") and "{}" not in host:
            source = ctx.source_of(string)
            fix = ctx.replace(string, source.replace("http://", "https://", 1), "use https")
        self.report(string, f"`{name}` uses http:// ({text[: match.end()] or 'http://'}...): codes, tokens or secrets "
                    "sent there travel in clear text; use https", fix=fix, confidence=confidence)

    def _base_constant(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The value of the name a URL starts with (``BASE`` in ``BASE + "/token"`` or ``f"{BASE}/token"``)."""
        while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            node = node.left
        if isinstance(node, cst.FormattedString) and node.parts and isinstance(node.parts[0], cst.FormattedStringExpression):
            node = node.parts[0].expression
        if isinstance(node, cst.Name):
            bound = self.ctx.value_of(node)
            if bound is not None and _HTTP_URL.match(self.ctx.string(bound) or ""):
                return bound
        return None

    def _leading_string(self, node: cst.BaseExpression | None) -> cst.BaseExpression | None:
        """The string literal a URL starts with: the value itself, the left of ``+``/``%``, a ``.format`` receiver."""
        if node is None:
            return None
        if isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            return node
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
            return self._leading_string(node.left)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            return self._leading_string(node.func.value)
        return None


__all__ = ["OAuthImplicitGrant", "OAuthInsecureTransport", "OAuthPasswordGrant", "Valid"]
