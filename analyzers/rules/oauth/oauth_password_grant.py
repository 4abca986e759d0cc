"""AR402 oauth-password-grant: OAuth clients that use the resource owner password credentials grant."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule
from ._shared import (
    inside_concatenation,
    is_docstring,
    static_text,
    string_kwarg_or_key,
)

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
        for value_node, value in string_kwarg_or_key(self, "grant_type"):
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
        if inside_concatenation(self) or is_docstring(self):
            return
        if _PASSWORD_IN_BODY.search(static_text(node) or ""):
            self.report(node, "this token request body says `grant_type=password` (ROPC): the app collects the "
                        "user's password; use the authorization code flow with PKCE")
