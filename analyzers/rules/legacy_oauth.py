"""AR4xx (OAuth 2.0 / OIDC): which flows a client uses and how it talks to the authorization server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from ..context import FileContext
from .. import markup
from ..findings import Confidence, Fix, Severity
from ..flow import names_read
from ..rule import Invalid, Rule, Valid
from ..walk import walk
from ._common import add_dict_element, add_keyword, handler_flow, is_env_read, own_nodes, split_words, target_name

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
            self.report(node, f"{markup.code(self.ctx.code(node.func))} is oauthlib's implicit-grant client: the access token "
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
            self.report(value_node, "`response_type` is " + markup.code(f'"{value}"') + " (implicit flow): the access token comes back "
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
        self.report(node, f"this authorization URL asks for {markup.code('response_type=' + match.group('value'))} (implicit flow): "
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
            self.report(node, f"{markup.code(ctx.code(node.func))} is oauthlib's password-grant (ROPC) client: the app "
                        "collects the user's password; use the authorization code flow with PKCE")
            return
        if _KEYCLOAK_TOKEN.match(name) and self._keycloak_password(node):
            self.report(node, f"{markup.code(f'{ctx.code(node.func)}(username, password)')} uses the password grant (ROPC): the app "
                        "collects the user's password; use `auth_url()` and the authorization code flow with PKCE")
            return
        if self._fetch_token_with_password(node, name):
            self.report(node, f"{markup.code(ctx.code(node.func))} is given `username=` and `password=`, which makes it a "
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
        shown = markup.code(self.ctx.code(value)) if value is not None else "on"
        guarded = self._dev_guard()
        confidence = Confidence.LOW if guarded else None
        where = " (inside a development-only branch, but the setting is process-wide)" if guarded else ""
        self.report(node, f"{markup.code(_INSECURE_ENV)} is set to {shown}{where}: oauthlib then accepts http:// token and "
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
        self.report(string, f"{markup.code(name)} uses http:// ({markup.code((text[: match.end()] or 'http://') + '...')}): codes, tokens or secrets "
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


# --- handler helpers (AR403, AR405) ---------------------------------------------------


def _local_values(function: cst.FunctionDef) -> dict[str, list[cst.BaseExpression]]:
    """Every value assigned to each local name in ``function`` (loop targets get the iterable)."""
    values: dict[str, list[cst.BaseExpression]] = {}

    def bind(target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            values.setdefault(target.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value.value if isinstance(element.value, cst.StarredElement) else element.value
                bind(inner, value)

    for node in own_nodes(function):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                bind(target.target, node.value)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)) and node.value is not None:
            bind(node.target, node.value)
        elif isinstance(node, (cst.For, cst.CompFor)):
            bind(node.target, node.iter)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            bind(node.asname.name, node.item)
    return values


def _quote_normal(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("'", '"'))


# --- AR405 ------------------------------------------------------------------------

_REDIRECTS = frozenset({
    "flask.redirect", "flask.helpers.redirect", "werkzeug.utils.redirect", "werkzeug.redirect", "quart.redirect",
    "quart.helpers.redirect", "sanic.response.redirect", "sanic.redirect",
    "django.shortcuts.redirect", "django.http.HttpResponseRedirect", "django.http.HttpResponsePermanentRedirect",
    "django.http.response.HttpResponseRedirect", "django.http.response.HttpResponsePermanentRedirect",
    "starlette.responses.RedirectResponse", "fastapi.responses.RedirectResponse", "fastapi.RedirectResponse",
    "litestar.response.Redirect", "litestar.Redirect",
    *(f"aiohttp.{module}.{name}" for module in ("web", "web_exceptions") for name in (
        "HTTPFound", "HTTPSeeOther", "HTTPMovedPermanently", "HTTPTemporaryRedirect", "HTTPPermanentRedirect")),
})
_REDIRECT_KEYWORDS = ("location", "to", "redirect_to", "url", "path")
# Words of a helper's name that say it vets a URL (``is_safe_url``, ``url_has_allowed_host_and_scheme``).
_SAFE_WORDS = frozenset({"safe", "allowed", "allow", "allowlist", "allowlisted", "whitelist", "whitelisted", "trusted",
                         "permitted", "valid", "validate", "validated", "sanitize", "sanitise", "sanitized", "internal",
                         "relative", "local", "same"})
_CHECK_WORDS = frozenset({"check", "verify", "ensure", "is", "assert", "require", "match", "matches"})
_URL_WORDS = frozenset({"url", "uri", "next", "redirect", "host", "hostname", "domain", "origin", "target", "location",
                        "return", "netloc", "dest", "destination"})
_URL_PARTS = re.compile(r"\b(?:netloc|hostname|host|scheme|origin|domain|port)\b")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_ORIGIN_FIXED = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\\s]+[/?#\\]")


def _fixes_origin(prefix: str) -> bool:
    """Whether a URL that starts with ``prefix`` can only point at one origin (``/notes/``, ``https://a.io/``)."""
    if not prefix:
        return False
    if prefix.startswith(("/", "\\")):
        return len(prefix) > 1 and prefix[1] not in "/\\"
    if _SCHEME.match(prefix):
        return bool(_ORIGIN_FIXED.match(prefix))
    return not prefix[0].isspace()  # a relative path (``profile/``, ``?tab=``) stays on this origin


def _url_pieces(ctx: FileContext, expr: cst.BaseExpression) -> list[str | cst.BaseExpression] | None:
    """A URL built from strings, as literal text and interpolated expressions in order; None if not built."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return [value] if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left, right = _url_pieces(ctx, expr.left), _url_pieces(ctx, expr.right)
        return None if left is None or right is None else left + right
    if isinstance(expr, cst.FormattedString):
        return [p.value if isinstance(p, cst.FormattedStringText) else p.expression for p in expr.parts]  # type: ignore[misc]
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left = _url_pieces(ctx, expr.left) or [expr.left]
        right = _url_pieces(ctx, expr.right) or [expr.right]
        return left + right
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        template = ctx.string(expr.left)
        if template is None:
            return None
        values = [e.value for e in expr.right.elements] if isinstance(expr.right, cst.Tuple) else [expr.right]
        pieces: list[str | cst.BaseExpression] = []
        for index, text in enumerate(re.split(r"%[-#0 +]*\d*(?:\.\d+)?[sdrif]", template)):
            if index:
                if index - 1 >= len(values):
                    return None
                pieces.append(values[index - 1])  # type: ignore[arg-type]
            pieces.append(text)
        return pieces
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
        template = ctx.string(expr.func.value)
        if template is None:
            return None
        positional = [a.value for a in expr.args if a.keyword is None and not a.star]
        pieces = []
        auto = 0
        for match in re.finditer(r"\{([^{}]*)\}|([^{}]+|\{\{|\}\})", template):
            if match.group(2) is not None:
                pieces.append(match.group(2).replace("{{", "{").replace("}}", "}"))
                continue
            field_name = re.split(r"[.\[!:]", match.group(1), maxsplit=1)[0]
            if field_name == "":
                field_name, auto = str(auto), auto + 1
            if field_name.isdigit():
                if int(field_name) >= len(positional):
                    return None
                pieces.append(positional[int(field_name)])
            else:
                value = ctx.argument(expr, field_name)
                if value is None:
                    return None
                pieces.append(value)
        return pieces
    return None


class OpenRedirect(Rule):
    """What it does: flags redirects (``redirect()``, ``RedirectResponse``, ``HttpResponseRedirect``, aiohttp's
    ``HTTPFound``, a ``Location`` header) to a URL the request supplies (``next``, ``return_to``,
    ``redirect_uri``, a query parameter), when nothing in the handler checks it first: no
    ``url_has_allowed_host_and_scheme``/``is_safe_url``-style helper, no ``urlparse(url).netloc`` test,
    no comparison with an allow-list. URLs whose scheme and host (or leading ``/path``) are fixed by
    the code are not reported.

    Why is this bad: a link to a trusted site that bounces the victim to an attacker's page
    (``https://shop.example/logout?next=https://evil.example``) makes phishing pages credible and can
    leak OAuth codes and tokens carried in the URL. A check that the URL only starts with ``/`` is not
    enough: ``//evil.example`` is a full URL to browsers.

    Example:
        @bp.get("/logout")
        def logout():
            logout_user()
            return redirect(request.args.get("next", "/"))

    Use instead:
        @bp.get("/logout")
        def logout():
            logout_user()
            target = request.args.get("next", "/")
            if urlparse(target).netloc or not target.startswith("/") or target.startswith("//"):
                target = "/"
            return redirect(target)
    """

    id = "AR405"
    name = "open-redirect"
    title = "Redirect to a request-supplied URL"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 601
    prefilter = re.compile(r"[Rr]edirect|Location|HTTPFound|HTTPSeeOther|HTTPMovedPermanently|HTTPTemporaryRedirect|"
                           r"HTTPPermanentRedirect")
    in_tests = False

    VALID = [
        # The target is our own route.
        "from flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n"
        "@app.get('/login')\ndef login():\n    return redirect(url_for('auth.two_factor', next=request.args.get('next')))\n",
        # Checked by a helper that says so.
        "from flask import Flask, redirect, request, url_for\nfrom .security import is_safe_redirect_url\n"
        "app = Flask(__name__)\n@app.post('/login')\ndef login():\n    next_url = request.args.get('next')\n"
        "    if not is_safe_redirect_url(next_url):\n        next_url = url_for('index')\n    return redirect(next_url)\n",
        # Django's own check.
        "from django.shortcuts import redirect\nfrom django.utils.http import url_has_allowed_host_and_scheme\n"
        "def done(request):\n    nxt = request.GET.get('next', '/')\n"
        "    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):\n        nxt = '/'\n"
        "    return redirect(nxt)\n",
        # Host checked through urlparse.
        "from urllib.parse import urlparse\nfrom flask import Flask, redirect, request\napp = Flask(__name__)\n"
        "@app.get('/back')\ndef back():\n    target = request.args.get('return_to', '/')\n    parsed = urlparse(target)\n"
        "    if parsed.scheme != 'https' or parsed.hostname not in ALLOWED_HOSTS:\n        target = '/'\n"
        "    return redirect(target)\n",
        "from urllib.parse import urlsplit\nfrom flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n"
        "@app.post('/login')\ndef login():\n    next_page = request.args.get('next')\n"
        "    if not next_page or urlsplit(next_page).netloc:\n        next_page = url_for('index')\n"
        "    return redirect(next_page)\n",
        # Relative paths only.
        "from flask import Flask, redirect, request\napp = Flask(__name__)\n@app.get('/back')\ndef back():\n"
        "    target = request.args.get('next', '/')\n"
        "    if not target.startswith('/') or target.startswith('//'):\n        target = '/'\n    return redirect(target)\n",
        # An exact allow-list.
        "from starlette.responses import RedirectResponse\nRETURN = {'/a', '/b'}\n"
        "async def back(request):\n    target = request.query_params.get('to')\n"
        "    return RedirectResponse(target if target in RETURN else '/')\n",
        # The path is ours; the client only picks a segment or a query value.
        "from flask import Flask, redirect, request\napp = Flask(__name__)\n@app.get('/go')\ndef go():\n"
        "    return redirect(f\"/notes/{request.args['id']}?tab={request.args.get('tab')}\")\n",
        "from django.shortcuts import redirect\ndef go(request):\n"
        "    return redirect('https://docs.example.org/' + request.GET['page'])\n",
        "from fastapi.responses import RedirectResponse\nfrom app.config import settings\n"
        "def go(token: str):\n    return RedirectResponse(f'{settings.FRONTEND_URL}/reset?token={token}')\n",
        # Not client data: the session, the request's own URL, a server-side value.
        "from starlette.responses import RedirectResponse\nasync def done(request):\n"
        "    return RedirectResponse(request.session.pop('next', '/'))\n",
        "from flask import redirect, request\ndef again():\n    return redirect(request.url)\n",
        # The referring page: not an attacker-chosen parameter.
        "from django.shortcuts import redirect\ndef back(request):\n"
        "    return redirect(request.META.get('HTTP_REFERER', '/'))\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Flask, redirect, request\napp = Flask(__name__)\n"
            "@app.get('/logout')\ndef logout():\n    return redirect(request.args.get('next', '/'))\n",
        ),
        Invalid(
            "from django.shortcuts import redirect\ndef logout_view(request):\n"
            "    return redirect(request.GET.get('next') or '/')\n",
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.responses import RedirectResponse\napp = FastAPI()\n"
            "@app.get('/callback')\ndef callback(redirect_uri: str):\n    return RedirectResponse(url=redirect_uri)\n",
        ),
        Invalid(
            "from flask import Flask, redirect, request\napp = Flask(__name__)\n@app.get('/billing/return')\n"
            "def billing_return():\n    return_to = request.args.get('return_to', '/invoices')\n"
            "    return redirect(return_to)\n",
        ),
        # A check that the URL starts with "/" lets "//evil.example" through: reported, with low confidence.
        Invalid(
            "from flask import Flask, redirect, request\napp = Flask(__name__)\n@app.get('/back')\ndef back():\n"
            "    target = request.args.get('next', '/')\n    if not target.startswith('/'):\n        target = '/'\n"
            "    return redirect(target)\n",
        ),
        # The host is the client's.
        "from django.http import HttpResponseRedirect\ndef go(request):\n"
        "    return HttpResponseRedirect('https://' + request.GET['host'] + '/welcome')\n",
        # A Location header.
        "from django.http import HttpResponse\ndef go(request):\n    response = HttpResponse(status=302)\n"
        "    response['Location'] = request.GET['to']\n    return response\n",
        "from starlette.responses import Response\nasync def go(request):\n"
        "    return Response(status_code=303, headers={'Location': request.query_params['to']})\n",
        "from flask import Flask, request\napp = Flask(__name__)\n@app.get('/out')\ndef out():\n"
        "    return '', 302, {'Location': request.args['url']}\n",
        # A form field the page round-trips.
        "from flask import Flask, redirect, request, url_for\napp = Flask(__name__)\n@app.post('/2fa')\ndef two_factor():\n"
        "    form = TwoFactorForm(next=request.args.get('next', ''))\n    if form.validate_on_submit():\n"
        "        return redirect(form.next.data or url_for('index'))\n",
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        sinks = list(self._sinks(node))
        if not sinks:
            return
        flow, label, endpoint = handler_flow(self.ctx, node)
        values = _local_values(node)
        for anchor, target, what in sinks:
            danger = self._dangerous(flow, values, target, 0, frozenset())
            if danger is None:
                continue
            source = flow.client_source_markdown(danger) or markup.code(self.ctx.code(danger))
            if not endpoint and source.startswith("path parameter"):
                continue  # a helper's own parameters: its callers decide what they hold
            strength = self._checked(node, flow, values, target, danger)
            if strength == "strong":
                continue
            advice = ("check it with `url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})`"
                      if self._django() else
                      "accept only relative paths (`/...`, not `//...`) or hosts on an allow-list "
                      "(`urlparse(url).netloc in ALLOWED_HOSTS`)")
            if strength == "weak":
                self.report(anchor, f"{markup.code(label)} {what} {source} after checking only that it starts with \"/\": "
                            f"\"//evil.example\" passes that test and leaves the site; {advice}",
                            confidence=Confidence.LOW)
            else:
                self.report(anchor, f"{markup.code(label)} {what} {source}, which the client chooses, with no allow-list check: "
                            f"a link to this site can bounce users to any other (phishing, leaked codes); {advice}")

    def _django(self) -> bool:
        return any(q.startswith("django.") for q in self.ctx.index.imports.values())

    # --- sinks ------------------------------------------------------------------------
    def _sinks(self, function: cst.FunctionDef) -> Iterator[tuple[cst.CSTNode, cst.BaseExpression, str]]:
        ctx = self.ctx
        for node in own_nodes(function):
            if isinstance(node, cst.Call):
                name = ctx.qualname(node.func) or ""
                if name in _REDIRECTS:
                    target = next((ctx.argument(node, k) for k in _REDIRECT_KEYWORDS if ctx.keyword(node, k)), None)
                    if target is None:
                        first = ctx.positional(node, 0)
                        target = first.value if first is not None and not first.star else None
                    if target is not None:
                        yield node, target, "redirects to"
                    continue
                headers = ctx.argument(node, "headers")
                tail = node.func.attr.value if isinstance(node.func, cst.Attribute) else \
                    node.func.value if isinstance(node.func, cst.Name) else ""
                if isinstance(headers, cst.Dict) and "response" in tail.lower():
                    for element in headers.elements:
                        if isinstance(element, cst.DictElement) and (ctx.string(element.key) or "").lower() == "location":
                            yield node, element.value, "sends a `Location` header with"
            elif isinstance(node, cst.Assign):
                for target in node.targets:
                    if isinstance(target.target, cst.Subscript) and (target_name(target.target) or "").lower() == "location":
                        yield node, node.value, "sends a `Location` header with"
            elif isinstance(node, cst.Return) and isinstance(node.value, cst.Tuple):
                for element in node.value.elements:  # Flask: ``return "", 302, {"Location": url}``
                    if isinstance(element.value, cst.Dict):
                        for item in element.value.elements:
                            if isinstance(item, cst.DictElement) and (ctx.string(item.key) or "").lower() == "location":
                                yield node, item.value, "sends a `Location` header with"

    # --- is the target the client's? ----------------------------------------------------
    def _dangerous(self, flow, values: dict[str, list[cst.BaseExpression]], expr: cst.BaseExpression,  # type: ignore[no-untyped-def]
                   depth: int, seen: frozenset[str]) -> cst.BaseExpression | None:
        """The client-supplied part of ``expr`` that decides where the redirect goes, or None."""
        if depth > 8:
            return None
        while isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Name):
            if not flow.is_client(expr) or self._referer(flow, expr):
                return None
            bound = values.get(expr.value)
            if not bound or expr.value in seen:
                return expr  # a parameter, or a loop over itself
            for value in bound:
                if self._dangerous(flow, values, value, depth + 1, seen | {expr.value}) is not None:
                    return expr
            return None
        if isinstance(expr, cst.BooleanOperation):
            return self._dangerous(flow, values, expr.left, depth + 1, seen) or \
                self._dangerous(flow, values, expr.right, depth + 1, seen)
        if isinstance(expr, cst.IfExp):
            return self._dangerous(flow, values, expr.body, depth + 1, seen) or \
                self._dangerous(flow, values, expr.orelse, depth + 1, seen)
        pieces = _url_pieces(self.ctx, expr)
        if pieces is not None:
            prefix = ""
            for piece in pieces:
                text = piece if isinstance(piece, str) else self.ctx.string(piece)
                if text is not None:  # a literal, or a constant (``BASE_URL + path``)
                    prefix += text
                    continue
                if _fixes_origin(prefix):
                    return None
                return self._dangerous(flow, values, piece, depth + 1, seen)  # decides the origin: ours or theirs
            return None
        if flow.is_client(expr) and not self._referer(flow, expr):
            return expr
        return None

    @staticmethod
    def _referer(flow, expr: cst.BaseExpression) -> bool:  # type: ignore[no-untyped-def]
        return "refer" in (flow.client_source(expr) or "").lower()

    # --- was it checked? -----------------------------------------------------------------
    def _checked(self, function: cst.FunctionDef, flow, values: dict[str, list[cst.BaseExpression]],  # type: ignore[no-untyped-def]
                 target: cst.BaseExpression, danger: cst.BaseExpression) -> str | None:
        """"strong" when the handler vets the URL, "weak" when it only tests for a leading "/", else None."""
        related = {n.value for n in names_read(target) if flow.is_client(n)}
        atoms = set()
        if not isinstance(danger, cst.Name):
            atoms.add(_quote_normal(self.ctx.code(danger)))
        for _ in range(6):  # names the target came from, and names derived from those (``urlparse(url)``)
            grown = set(related)
            for name, bound in values.items():
                for value in bound:
                    read = names_read(value)
                    if name in related:
                        grown |= {n.value for n in read if flow.is_client(n)}
                        if not isinstance(value, cst.Name) and flow.is_client(value):
                            atoms.add(_quote_normal(self.ctx.code(value)))
                    elif any(n.value in related for n in read):
                        grown.add(name)
            if grown == related:
                break
            related = grown
        atoms = {a for a in atoms if len(a) > 3}

        def mentions(node: cst.CSTNode) -> bool:
            if any(n.value in related for n in names_read(node)):
                return True
            if atoms:
                code = _quote_normal(self.ctx.code(node))
                return any(a in code for a in atoms)
            return False

        found: str | None = None
        for node in own_nodes(function):
            if isinstance(node, cst.Call):
                func = node.func
                tail = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
                receiver = func.value if isinstance(func, cst.Attribute) else None
                involved = any(mentions(a.value) for a in node.args) or (receiver is not None and mentions(receiver))
                if not involved:
                    continue
                if tail in ("startswith", "endswith"):
                    literals = [self.ctx.literal(a.value) for a in node.args]
                    flat = [x for v in literals for x in (v if isinstance(v, (list, tuple)) else [v])]
                    if tail == "startswith" and flat and all(v == "/" for v in flat):
                        found = found or "weak"
                        continue
                    return "strong"
                words = set(split_words(tail))
                if words & _SAFE_WORDS or (words & _CHECK_WORDS and words & _URL_WORDS) or tail in ("match", "fullmatch"):
                    return "strong"
            elif isinstance(node, cst.Comparison):
                if self._comparison_checks(node, mentions):
                    return "strong"
            elif isinstance(node, cst.Attribute) and node.attr.value in ("netloc", "hostname", "host", "scheme") \
                    and mentions(node.value):
                return "strong"  # ``if urlsplit(target).netloc: abort(400)``
        return found

    def _comparison_checks(self, node: cst.Comparison, mentions) -> bool:  # type: ignore[no-untyped-def]
        operands = [node.left, *(c.comparator for c in node.comparisons)]
        for index, target in enumerate(node.comparisons):
            left, right = operands[index], operands[index + 1]
            operator = target.operator
            if isinstance(operator, (cst.In, cst.NotIn)):
                if mentions(left) or mentions(right):
                    return True
            elif isinstance(operator, (cst.Equal, cst.NotEqual)):
                for mine, other in ((left, right), (right, left)):
                    if not mentions(mine):
                        continue
                    if _URL_PARTS.search(self.ctx.code(mine)):
                        return True  # parsed.netloc == "", urlsplit(url).hostname != HOST
                    value = self.ctx.literal(other)
                    if isinstance(value, str) and value not in ("", "/"):
                        return True  # target == "/dashboard"
                    if isinstance(other, (cst.Name, cst.Attribute)) and value is not None and \
                            not (isinstance(other, cst.Name) and other.value == "None"):
                        return True  # target == settings.HOME_URL
        return False


# --- authorization requests (AR403, AR404) --------------------------------------------

# Parameters of a token request, never of an authorization request.
_TOKEN_REQUEST_KEYS = frozenset({"grant_type", "code", "client_secret", "refresh_token", "code_verifier", "username",
                                 "password", "assertion", "device_code", "token", "subject_token"})
_URL_BUILDERS = frozenset({"urlencode", "add_params_to_uri", "url_concat", "include_query_params",
                           "replace_query_params", "add_query_params", "set_query_params", "add_url_params"})
_OAUTH_CLIENT_LIBRARIES = ("requests_oauthlib", "authlib", "oauthlib", "google_auth_oauthlib", "httpx_oauth")
_RESPONSE_TYPE_IN_URL = re.compile(r"(?:^|[?&#])response_type=(?P<value>[^&#\s]*)")
_CLIENT_SECRET = re.compile(r"client_secret|CLIENT_SECRET|clientSecret")


def _response_types(value: str) -> list[str]:
    return [v for v in re.split(r"\+|%20|\s+", value) if v]


@dataclass
class _AuthRequest:
    """An authorization request built by hand: a parameter dict or a URL string."""

    node: cst.BaseExpression
    params: dict[str, cst.BaseExpression | None]  # parameter -> value node (None: written in a URL)
    explicit: bool  # ``response_type`` says ``code`` (else: implied by client_id + redirect_uri in a URL)
    open_ended: bool = False  # parameters may be added where we cannot see them

    def has(self, ctx: FileContext, name: str) -> bool:
        return self.open_ended or name in self.params or _scope_has_text(ctx, f"{name}=")


def _scope_of(ctx: FileContext) -> cst.CSTNode:
    return ctx.enclosing_function() or ctx.module


def _scope_has_text(ctx: FileContext, text: str) -> bool:
    """Whether a string literal of the current function (or module) holds ``text`` (``"&state="``)."""
    scope = _scope_of(ctx)
    key = f"oauth.strings.{id(scope)}"
    strings = ctx.cache.get(key)
    if strings is None:
        parts = []
        for node in walk(scope):
            if isinstance(node, cst.SimpleString):
                value = node.evaluated_value
                parts.append(value if isinstance(value, str) else "")
            elif isinstance(node, cst.FormattedStringText):
                parts.append(node.value)
        strings = ctx.cache[key] = "\n".join(parts)
    return text in strings


def _dict_request(ctx: FileContext, node: cst.Dict) -> _AuthRequest | None:
    """The dict being visited, if it holds the parameters of an authorization-code request."""
    params: dict[str, cst.BaseExpression | None] = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            return None  # ``**base``: parameters we cannot see
        key = ctx.string(element.key)
        if key is None:
            return None
        params[key] = element.value
    if "client_id" not in params or params.keys() & _TOKEN_REQUEST_KEYS:
        return None
    if any(k.endswith(("_url", "_uri", "_endpoint")) and k != "redirect_uri" for k in params):
        return None  # client configuration (authorize_url, token_url...), not request parameters
    response_type = params.get("response_type")
    explicit = response_type is not None
    if explicit:
        value = ctx.string(response_type)
        if value is None or "code" not in _response_types(value):
            return None
    elif "redirect_uri" not in params or not _in_url_context(ctx, node):
        return None
    added, open_ended = _added_parameters(ctx, node)
    for key in added:
        params.setdefault(key, None)
    return _AuthRequest(node, params, explicit, open_ended)


def _binding_name(ctx: FileContext) -> str | None:
    """The local the node being visited is assigned to (``params = {...}``), if any."""
    stack = ctx.stack
    if len(stack) >= 2:
        parent = stack[-2]
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
            return parent.targets[0].target.value
        if isinstance(parent, cst.AnnAssign) and isinstance(parent.target, cst.Name):
            return parent.target.value
    return None


def _in_url_context(ctx: FileContext, node: cst.Dict) -> bool:
    """``urlencode({...})``, ``requests.get(url, params={...})``, or a local later used so."""
    stack = ctx.stack
    if len(stack) >= 3 and isinstance(stack[-2], cst.Arg) and isinstance(stack[-3], cst.Call):
        return _url_use(stack[-3], stack[-2])
    name = _binding_name(ctx)
    if name is None:
        return False
    for use in walk(_scope_of(ctx)):
        if isinstance(use, cst.Call):
            for arg in use.args:
                if isinstance(arg.value, cst.Name) and arg.value.value == name and _url_use(use, arg):
                    return True
    return False


def _url_use(call: cst.Call, arg: cst.Arg) -> bool:
    tail = call.func.attr.value if isinstance(call.func, cst.Attribute) else \
        call.func.value if isinstance(call.func, cst.Name) else ""
    return tail in _URL_BUILDERS or (arg.keyword is not None and arg.keyword.value in ("params", "query"))


def _added_parameters(ctx: FileContext, node: cst.Dict) -> tuple[set[str], bool]:
    """Keys added later to the local the dict is bound to, and whether some additions are unknown."""
    name = _binding_name(ctx)
    if name is None:
        return set(), False
    added: set[str] = set()
    open_ended = False

    def is_it(expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Name) and expr.value == name

    for use in walk(_scope_of(ctx)):
        if isinstance(use, cst.Assign):
            for target in use.targets:
                if isinstance(target.target, cst.Subscript) and is_it(target.target.value):
                    key = target_name(target.target)
                    added.add(key) if key else None
                    open_ended = open_ended or key is None
        elif isinstance(use, cst.AugAssign) and is_it(use.target):
            open_ended = True
        elif isinstance(use, cst.Call) and isinstance(use.func, cst.Attribute) and is_it(use.func.value) and \
                use.func.attr.value in ("update", "setdefault", "__setitem__"):
            for arg in use.args:
                if arg.keyword is not None:
                    added.add(arg.keyword.value)
                elif isinstance(arg.value, cst.Dict) and all(isinstance(e, cst.DictElement) for e in arg.value.elements):
                    added |= {ctx.string(e.key) or "" for e in arg.value.elements}  # type: ignore[union-attr]
                elif ctx.string(arg.value) is not None and use.func.attr.value != "update":
                    added.add(ctx.string(arg.value) or "")
                    break
                else:
                    open_ended = True
        elif isinstance(use, cst.Dict) and use is not node and any(
                isinstance(e, cst.StarredDictElement) and is_it(e.value) for e in use.elements):
            added |= {ctx.string(e.key) or "" for e in use.elements if isinstance(e, cst.DictElement)}
        elif isinstance(use, cst.Call) and isinstance(use.func, cst.Name) and use.func.value == "dict" and \
                any(is_it(a.value) for a in use.args):
            added |= {a.keyword.value for a in use.args if a.keyword is not None}
    return added, open_ended


def _is_top_string(ctx: FileContext) -> bool:
    """The node being visited is a whole string expression, not a piece of a larger one."""
    stack = ctx.stack
    if len(stack) < 2:
        return True
    parent, node = stack[-2], stack[-1]
    if isinstance(parent, (cst.ConcatenatedString, cst.FormattedString)):
        return False
    if isinstance(parent, cst.BinaryOperation):
        if isinstance(parent.operator, cst.Add) or (isinstance(parent.operator, cst.Modulo) and parent.left is node):
            return False
    if isinstance(parent, cst.Attribute) and parent.attr.value == "format" and parent.value is node:
        return False
    return not isinstance(parent, cst.Expr)  # a docstring or a bare string statement


def _url_request(ctx: FileContext, node: cst.BaseExpression) -> _AuthRequest | None:
    """The URL being visited, if it is an authorization-code request written out (``...?response_type=code&...``)."""
    if not _is_top_string(ctx):
        return None
    pieces = _url_pieces(ctx, node)
    if pieces is None:
        return None
    text = "".join(p if isinstance(p, str) else "{}" for p in pieces)
    match = _RESPONSE_TYPE_IN_URL.search(text)
    if match is None or "code" not in _response_types(match.group("value")) or "client_id=" not in text:
        return None
    if re.search(r"\s", text) or re.search(r"[?&]\{\}", text):
        return None  # prose, or parameters added from a variable we cannot read
    params = {m.group(1): None for m in re.finditer(r"(?:^|[?&#])([\w.\-]+)=", text)}
    return _AuthRequest(node, params, explicit=True)


def _oauth_library_call(ctx: FileContext, call: cst.Call) -> str:
    """The import-resolved name of an OAuth client library call, or ``?.<method>`` when the file uses such a
    library and the receiver cannot be resolved; "" otherwise."""
    name = ctx.qualname(call.func) or ""
    if name.startswith(_OAUTH_CLIENT_LIBRARIES):
        return name
    if isinstance(call.func, cst.Attribute) and any(q.startswith(_OAUTH_CLIENT_LIBRARIES)
                                                    for q in ctx.index.imports.values()):
        return f"?.{call.func.attr.value}"
    return ""


def _constant_value(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """A string written in the code (directly or through a module constant): the same for every login."""
    if isinstance(node, cst.Name) and ctx.value_of(node) is None:
        return False
    value = ctx.literal(node)
    return isinstance(value, str)


def _in_function(ctx: FileContext) -> str:
    """Where the node being visited stands, for messages: `` in `login()` `` in a function, "" at module level."""
    where = ctx.enclosing_function()
    return f" in {markup.code(f'{where.name.value}()')}" if where is not None else ""


class _AuthorizationRequestRule(Rule):
    """What AR403 and AR404 share (no ``id``: not a rule itself): authorization requests built by hand, as
    a parameter dict or a URL (a string, ``+``/``%`` or ``.format``), are handed to ``_check_request``;
    other calls to ``_check_call``."""

    def _check_request(self, request: _AuthRequest) -> None:
        raise NotImplementedError

    def _check_call(self, node: cst.Call) -> None:
        raise NotImplementedError

    def visit_Dict(self, node: cst.Dict) -> None:
        request = _dict_request(self.ctx, node)
        if request is not None:
            self._check_request(request)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._check_url(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._check_url(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._check_url(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.Add, cst.Modulo)):
            self._check_url(node)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            self._check_url(node)
            return
        self._check_call(node)

    def _check_url(self, node: cst.BaseExpression) -> None:
        request = _url_request(self.ctx, node)
        if request is not None:
            self._check_url_request(request)

    def _check_url_request(self, request: _AuthRequest) -> None:
        self._check_request(request)


# --- AR403 ------------------------------------------------------------------------

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


class OAuthMissingState(_AuthorizationRequestRule):
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

    # --- authorization requests (found by _AuthorizationRequestRule) -----------------
    def _check_request(self, request: _AuthRequest) -> None:
        state = request.params.get("state")
        confidence = None if request.explicit else Confidence.MEDIUM
        if state is not None and (_constant_value(self.ctx, state) or self.ctx.literal(state) is None):
            self.report(state, f"the authorization request's `state` is {markup.code(self.ctx.code(state))}, the same for every "
                        "login: it cannot tie the callback to this user's session (login CSRF); send a random "
                        "per-login value kept in the session and compare it in the callback", confidence=confidence)
            return
        if request.has(self.ctx, "state"):
            return
        self.report(request.node, f"the authorization request built{_in_function(self.ctx)} sends no `state`: the "
                    "callback cannot tell a login this user started from one an attacker started (login CSRF); "
                    "generate `secrets.token_urlsafe(32)`, keep it in the session, send it as `state` and compare it "
                    "in the callback", confidence=confidence)

    # --- libraries -------------------------------------------------------------------
    def _check_call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = _oauth_library_call(ctx, node)
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
        tails = {_call_tail(c) for c in calls}
        if "authorize_access_token" in tails:
            return  # authlib checks the state it stored
        candidates = [(n, n.value) for n in own if isinstance(n, cst.Subscript) and _subscript_string(ctx, n) == "code"]
        candidates += [(n, n.func.value) for n in calls if isinstance(n.func, cst.Attribute)
                       and n.func.attr.value in ("get", "getone", "get_one", "getfirst") and n.args
                       and ctx.string(n.args[0].value) == "code"]
        params = [p.name for p in (*node.params.params, *node.params.kwonly_params) if p.name.value == "code"]
        by_response = [c for c in calls if _call_tail(c) in ("fetch_token", "fetch_access_token")
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
        values = _local_values(function)
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
            tail = _call_tail(call)
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
        parses_response = any(ctx.keyword(c, "authorization_response") is not None or _call_tail(c).startswith(
            ("parse_request_uri_response", "parse_authorization", "validate_authorization")) for c in calls)
        for node in own:
            if isinstance(node, cst.Comparison) and _mentions_state(node):
                return True
            if parses_response and isinstance(node, cst.Assign) and any(
                    isinstance(t.target, cst.Attribute) and t.target.attr.value in ("state", "_state")
                    for t in node.targets):
                return True  # ``oauth._state = session[key]`` before ``fetch_token(authorization_response=...)``
        for call in calls:
            tail = _call_tail(call)
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


def _call_tail(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


def _subscript_string(ctx: FileContext, node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.string(node.slice[0].slice.value)
    return None



# --- AR404 ------------------------------------------------------------------------

_AUTHLIB_SESSIONS = ("OAuth2Session()", "OAuth2Client()", "AsyncOAuth2Client()")


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


class OAuthMissingPkce(_AuthorizationRequestRule):
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

    def _check_url_request(self, request: _AuthRequest) -> None:
        node = request.node
        if re.search(r"(?:^|[?&])code_challenge_method=plain(?:$|&)", "".join(
                p for p in (_url_pieces(self.ctx, node) or []) if isinstance(p, str)), re.I):
            self._report_plain(node, library=False)
            return
        self._check_request(request)

    def _check_request(self, request: _AuthRequest) -> None:
        ctx = self.ctx
        confidence = self._confidence() if request.explicit else Confidence.MEDIUM
        built = f"built{_in_function(ctx) or ' here'}"
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
        tail = _call_tail(node)
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
        elif tail == "prepare_request_uri" and _oauth_library_call(ctx, node):
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
        if response_type is not None and "code" not in _response_types(response_type):
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
                "code" not in _response_types(params["response_type"]):
            return  # the implicit flow: AR401
        kwargs_node = ctx.argument(node, "client_kwargs")
        fix = None
        if kwargs_node is None:
            fix = ctx.replace(node, add_keyword(node, "client_kwargs", '{"code_challenge_method": "S256"}'),
                              "use S256 PKCE")
        else:
            inline = kwargs_node
            if isinstance(kwargs_node, cst.Name):
                kwargs_node = ctx.value_of(kwargs_node)  # type: ignore[assignment]
            if not isinstance(kwargs_node, cst.Dict) or \
                    any(not isinstance(e, cst.DictElement) for e in kwargs_node.elements):
                return
            if any(ctx.string(e.key) == "code_challenge_method" for e in kwargs_node.elements):  # type: ignore[union-attr]
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


__all__ = ["OAuthImplicitGrant", "OAuthInsecureTransport", "OAuthMissingPkce", "OAuthMissingState", "OAuthPasswordGrant",
           "OpenRedirect", "Valid"]
