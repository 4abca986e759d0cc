"""AR401 oauth-implicit-grant: OAuth authorization requests that use the implicit flow."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...findings import Confidence, Fix, Severity
from ...rule import Invalid, Rule
from ._shared import (
    inside_concatenation,
    is_docstring,
    static_text,
    string_kwarg_or_key,
)

_IMPLICIT_IN_URL = re.compile(
    r"(?:^|[?&#])response_type=(?P<value>(?:(?:code|id_token|token)(?:\+|%20| ))*token(?:(?:\+|%20| )(?:code|id_token))*)(?=$|[&#])"
)
_MOBILE_CLIENT = re.compile(r"^(?:requests_)?oauthlib\.(?:oauth2\.)?(?:rfc6749\.)?(?:clients\.)?(?:mobile_application\.)?MobileApplicationClient$")


def _has_whitespace_outside(text: str, match: re.Match[str]) -> bool:
    return bool(re.search(r"\s", text[: match.start("value")] + text[match.end("value") :]))


def _is_implicit(response_type: str) -> bool:
    """``token``, ``id_token token``, ``code token``: the authorization response carries an access token."""
    return "token" in re.split(r"[\s+]+", response_type.strip())


def _requote(node: cst.BaseExpression, value: str) -> str | None:
    """``value`` as a string literal in the quote style of ``node`` (None if ``node`` is not a plain string)."""
    if isinstance(node, cst.SimpleString) and "\\" not in value:
        quote = node.quote
        if quote not in value:
            return f"{node.prefix}{quote}{value}{quote}"
    return None


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
        for value_node, value in string_kwarg_or_key(self, "response_type"):
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
        if inside_concatenation(self) or is_docstring(self):
            return
        text = static_text(node)
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
