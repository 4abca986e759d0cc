"""AR406 oauth-insecure-transport: ``OAUTHLIB_INSECURE_TRANSPORT`` switched on, OAuth endpoints over http://."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...findings import Confidence, Fix, Severity
from ...project import ProjectFact
from ...rule import Invalid, Rule
from .._common import is_env_read, target_name
from ._shared import static_text

_INSECURE_ENV = "OAUTHLIB_INSECURE_TRANSPORT"
_OAUTHLIB_USERS = frozenset({"oauthlib", "requests_oauthlib", "flask_dance", "authlib", "social_core",
                             "social_django", "flask_oauthlib", "django_oauth_toolkit", "oauth2_provider"})
_OAUTHLIB_IMPORT = re.compile(rb"^\s*(?:from|import)\s+(?:" + b"|".join(n.encode() for n in sorted(_OAUTHLIB_USERS))
                              + rb")\b", re.MULTILINE)
_PROJECT_USES_OAUTHLIB = ProjectFact("oauth.project_uses_oauthlib", lambda project: project.mentions(_OAUTHLIB_IMPORT))
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


def _snake(name: str) -> str:
    """``tokenUrl`` -> ``token_url``, lower-cased."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


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
        confidence = Confidence.LOW if guarded else None if self._oauthlib_in_play() else Confidence.MEDIUM
        where = " (inside a development-only branch, but the setting is process-wide)" if guarded else ""
        self.report(node, f"{markup.code(_INSECURE_ENV)} is set to {shown}{where}: oauthlib then accepts http:// token and "
                    "redirect URLs, so codes and tokens can travel in clear text; remove it and use https",
                    fix=self._delete_statement() if deletable else None, confidence=confidence)

    def _oauthlib_in_play(self) -> bool:
        """The setting only matters to oauthlib: its clients (requests-oauthlib, Flask-Dance, Authlib's
        integrations, social-auth) imported here or anywhere in the project."""
        roots = {q.split(".")[0] for q in self.ctx.index.imports.values()}
        if roots & _OAUTHLIB_USERS:
            return True
        project = self.ctx.project
        return project is not None and _PROJECT_USES_OAUTHLIB.get(project)

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
        text = static_text(string) or ""
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
