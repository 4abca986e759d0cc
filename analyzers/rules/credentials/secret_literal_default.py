"""AR505 secret-literal-default: secrets read from the environment with a literal fallback."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...findings import Confidence, Fix, Severity
from ...rule import Invalid, Rule, Valid
from .._common import target_name
from ._shared import (
    DSN,
    ENV_CALLS,
    TEMPLATE_VALUE,
    THROTTLE_RATE,
    arg_node,
    class_field,
    dsn_password,
    env_expr,
    in_test_context,
    is_env_var_name,
    known_token,
    replace_arg,
    secret_name,
    settings_class,
    string_node,
)

# --- secrets: vocabulary (the part AR504 shares is in _shared.py) ----------------------


def _usable_default(text: str) -> bool:
    """Whether an environment fallback could serve as the secret (not a flag, a number, a path or a URL)."""
    stripped = text.strip()
    if not stripped or TEMPLATE_VALUE.match(stripped) or is_env_var_name(stripped):
        return False
    if stripped.lower() in ("true", "false", "yes", "no", "on", "off", "none", "null") or re.fullmatch(r"\d+(\.\d+)?", stripped):
        return False
    if re.match(r"(?i)^[a-z][a-z0-9+.-]*://", stripped) and not DSN.match(stripped):
        return False
    if THROTTLE_RATE.match(stripped):
        return False  # "5/min": a throttle rate for the token endpoint, not a token
    return not re.match(r"^(?:/|\./|\.\./|~/)|\.(?:pem|key|crt|json|txt|env|p12|pfx|jks)$", stripped)


def _quote_of(node: cst.CSTNode) -> str:
    return "'" if isinstance(node, cst.SimpleString) and node.quote.startswith("'") else '"'


# ======================================================================================
# AR505 secret-literal-default
# ======================================================================================

_ENVIRON_METHODS = frozenset({"str", "bytes", "unicode", "int", "json", "url", "db", "db_url", "cache", "cache_url",
                              "email", "email_url", "search_url", "list", "dict", "path"})


class SecretLiteralDefault(Rule):
    """What it does: flags secrets read from the environment with a literal fallback:
    ``os.getenv("SECRET_KEY", "dev")``, ``os.environ.get("JWT_SECRET", "x")``,
    ``os.environ.setdefault("API_KEY", "...")``, ``os.getenv("SECRET_KEY") or "dev"``, python-decouple
    ``config("SECRET_KEY", default="...")``, django-environ ``env("SECRET_KEY", default=...)`` /
    ``env.str(...)`` / ``environ.Env(SECRET_KEY=(str, "..."))``, Starlette ``Config``, Flask
    ``app.config.get("SECRET_KEY", "...")`` and pydantic-settings fields with secret names and literal
    defaults (``secret_key: str = "dev"`` in a ``BaseSettings`` subclass). Also a database URL default
    that carries a password. A default of ``None`` or ``""`` is not a secret.

    Why is this bad: when the variable is missing (a new deployment, a renamed key, a typo) the
    application starts anyway, signing sessions and tokens with a value published in the code.
    Nothing fails, so nobody notices.

    Example:
        SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret")

    Use instead:
        SECRET_KEY = os.environ["SECRET_KEY"]  # fails at start-up when unset
    """

    id = "AR505"
    name = "secret-literal-default"
    title = "Secret falls back to a literal default"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 1188
    in_tests = False
    prefilter = re.compile(r"getenv|environ|decouple|config\(|config\.get\(|Config\(|AutoConfig|BaseSettings|\benv\b|Env\(")

    VALID = [
        'import os\nSECRET_KEY = os.environ["SECRET_KEY"]',
        'import os\nSECRET_KEY = os.getenv("SECRET_KEY")',
        'import os\nSECRET_KEY = os.getenv("SECRET_KEY", None)',
        'import os\nSECRET_KEY = os.environ.get("SECRET_KEY", "")',
        'import os\nDEBUG = os.getenv("DEBUG", "false")',
        'import os\nTOKEN_TTL = int(os.getenv("TOKEN_TTL", "3600"))',
        'import os\nJWT_ALGORITHM = os.getenv("JWT_ALGORITHM", "HS256")',
        'import os\nTOKEN_EXPIRE_MINUTES = int(os.getenv("ACCESS_TOKEN_EXPIRE_MINUTES", "30"))',
        'import os\nDATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///app.db")',
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")',
        'from pydantic import BaseModel\nclass Login(BaseModel):\n    password: str = "x"',
        'from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    secret_key: str\n    app_name: str = "api"',
        Valid('import os\nSECRET = os.getenv("SECRET", "test")', path="tests/conftest.py"),
        'import os\nCREDENTIALS = os.getenv("GOOGLE_APPLICATION_CREDENTIALS", "/etc/app/credentials.json")',
        'import os\nAPI_KEY_HEADER = os.getenv("API_KEY_HEADER", "X-API-Key")',
        'import os\nTOKEN_AUDIENCE = os.getenv("TOKEN_AUDIENCE", "orders-api")',
    ]
    INVALID = [
        Invalid('import os\nSECRET_KEY = os.getenv("SECRET_KEY", "dev")',
                fixed='import os\nSECRET_KEY = os.environ["SECRET_KEY"]'),
        Invalid('from os import environ\nJWT_SECRET = environ.get("JWT_SECRET", "change-me")',
                fixed='from os import environ\nJWT_SECRET = environ["JWT_SECRET"]'),
        Invalid('from os import getenv as ge\nKEY = ge(\n    "API_KEY",\n    "abc123",\n)',
                fixed='from os import getenv as ge\nKEY = os.environ["API_KEY"]'),
        Invalid('import os\nSECRET_KEY = os.getenv("SECRET_KEY") or "dev"',
                fixed='import os\nSECRET_KEY = os.environ["SECRET_KEY"]'),
        Invalid('import os\nos.environ.setdefault("SECRET_KEY", "django-insecure-abc")',
                fixed="import os\n"),
        Invalid('from decouple import config\nSECRET_KEY = config("SECRET_KEY", default="dev")',
                fixed='from decouple import config\nSECRET_KEY = config("SECRET_KEY")'),
        Invalid('import environ\nenv = environ.Env()\nSECRET_KEY = env.str("SECRET_KEY", "dev")',
                fixed='import environ\nenv = environ.Env()\nSECRET_KEY = env.str("SECRET_KEY")'),
        Invalid('import environ\nenv = environ.Env(DEBUG=(bool, False), SECRET_KEY=(str, "dev"))',
                fixed='import environ\nenv = environ.Env(DEBUG=(bool, False), SECRET_KEY=str)'),
        Invalid('from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    jwt_secret: str = "secret"\n',
                fixed='from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    jwt_secret: str\n'),
        Invalid('import os\nDATABASE_URL = os.getenv("DATABASE_URL", "postgresql://app:hunter2@db.prod/app")',
                fixed='import os\nDATABASE_URL = os.environ["DATABASE_URL"]'),
        Invalid('from flask import current_app\nkey = current_app.config.get("JWT_SECRET", "dev-key")'),
        # The variable's name is not secret-looking, the setting it feeds is.
        Invalid('import os\nSECRET_KEY = os.getenv("FLASK_SK", "dev")', fixed='import os\nSECRET_KEY = os.environ["FLASK_SK"]'),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func) or ""
        spec = ENV_CALLS.get(name)
        if spec is None and name.startswith(("environ.Env().", "environs.Env().")) \
                and name.rsplit(".", 1)[-1] in _ENVIRON_METHODS:
            spec = (1, "default", "drop")
        if name == "environ.Env":
            self._env_schema(node)
            return
        if spec is None or in_test_context(ctx):
            return
        position, keyword, how = spec
        default_arg = (ctx.keyword(node, keyword) if keyword else None) or \
            (ctx.positional(node, position) if position is not None else None)
        key = ctx.string(ctx.argument(node, "key", 0)) or ctx.string(ctx.argument(node, "option", 0)) \
            or ctx.string(ctx.argument(node, "var", 0))
        if default_arg is None:
            return
        problem = self._secret_default(key, default_arg.value)
        if problem is None:
            return
        fix = self._fix(node, how, key, default_arg)
        note = env_expr(ctx, key or "")[1] if fix is not None and how == "os" else ""
        self.report(default_arg.value, f"{markup.code(key or ctx.code(node.args[0].value))} falls back to {problem} when the "
                    f"variable is unset, so a missing setting runs with a published secret; {self._advice(how, key)}"
                    f"{note}", fix=fix)

    def _secret_default(self, key: str | None, value: cst.BaseExpression) -> str | None:
        """What is wrong with ``value`` as a default for ``key``, or None when nothing is."""
        ctx = self.ctx
        if not string_node(value):
            return None
        text = ctx.string(value)
        if text is None:
            raw = ctx.literal(value)
            text = raw.decode("latin-1") if isinstance(raw, bytes) else None
        if not text or not text.strip():
            return None
        if dsn_password(text):
            return "a connection string with an inline password"
        if known_token(text):
            return f"{known_token(text)[0]}"  # type: ignore[index]
        if not (secret_name(key) or secret_name(self._assigned_name())) or not _usable_default(text):
            return None
        return f"the literal {markup.code(text if len(text) <= 24 else text[:20] + '…')}"

    def _assigned_name(self) -> str | None:
        for ancestor in reversed(self.ctx.stack[:-1]):
            if isinstance(ancestor, cst.Assign):
                return target_name(ancestor.targets[0].target)
            if isinstance(ancestor, cst.AnnAssign):
                return target_name(ancestor.target)
            if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return None
        return None

    @staticmethod
    def _advice(how: str, key: str | None) -> str:
        if how in ("os", "setdefault"):
            return "read " + markup.code('os.environ["' + (key or "NAME") + '"]') + " so start-up fails instead"
        if how == "drop":
            return "drop the default so the library raises when it is unset"
        return "configure it from the environment with no literal fallback"

    def _fix(self, node: cst.Call, how: str, key: str | None, default_arg: cst.Arg) -> Fix | None:
        ctx = self.ctx
        if how == "drop":
            return ctx.replace(node, replace_arg(node, default_arg, None), "no default: fail when unset")
        if key is None:
            return None
        expr, _ = env_expr(ctx, key, _quote_of(node.args[0].value))
        if how == "os":
            return ctx.replace(node, expr, "fail when unset")
        if how == "setdefault":
            parent = ctx.stack[-2]
            if isinstance(parent, cst.Expr):
                line = ctx.stack[-3]
                if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
                    pos = ctx.position(line)
                    return ctx.replace_lines(pos.start.line, pos.end.line, "", "do not set a default")
                return None
            return ctx.replace(node, expr, "fail when unset")
        return None

    def _env_schema(self, node: cst.Call) -> None:
        """``environ.Env(SECRET_KEY=(str, "dev"))``: django-environ's schema carries defaults."""
        ctx = self.ctx
        if in_test_context(ctx):
            return
        for arg in node.args:
            value = arg.value
            if arg.keyword is None or not isinstance(value, cst.Tuple) or len(value.elements) != 2:
                continue
            default = value.elements[1].value
            problem = self._secret_default(arg.keyword.value, default)
            if problem is None:
                continue
            cast = value.elements[0].value
            # An Arg's text carries its comma while its range does not: write keyword=cast by hand.
            fix = ctx.replace(arg, f"{arg.keyword.value}={ctx.code(cast)}", "no default: fail when unset")
            self.report(default, f"{markup.code(arg.keyword.value)} falls back to {problem} in the `environ.Env` schema; "
                        "drop the default so django-environ raises when it is unset", fix=fix)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        ctx = self.ctx
        if not isinstance(node.operator, cst.Or) or not isinstance(node.left, cst.Call) or in_test_context(ctx):
            return
        name = ctx.qualname(node.left.func) or ""
        spec = ENV_CALLS.get(name)
        if spec is None or spec[2] != "os" or len(node.left.args) != 1:
            return
        key = ctx.string(node.left.args[0].value)
        problem = self._secret_default(key, node.right)
        if problem is None or key is None:
            return
        expr, note = env_expr(ctx, key, _quote_of(node.left.args[0].value))
        fix = ctx.replace(node, expr, "fail when unset")
        self.report(node.right, f"{markup.code(key)} falls back to {problem} when the variable is unset or empty; "
                    "read " + markup.code('os.environ["' + key + '"]') + f" so start-up fails instead{note}", fix=fix)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        ctx = self.ctx
        cls = class_field(ctx)
        if node.value is None or cls is None or not settings_class(ctx, cls) or in_test_context(ctx):
            return
        field = target_name(node.target)
        value = node.value
        fix_node: cst.CSTNode = node.with_changes(value=None, equal=cst.MaybeSentinel.DEFAULT)
        if isinstance(value, cst.Call) and (ctx.qualname(value.func) or "").endswith("Field"):
            arg = arg_node(ctx, value, "default", 0)
            if arg is None:
                return
            value = arg.value
            fix_node = node.with_changes(value=replace_arg(node.value, arg, None)) if arg.keyword else None  # type: ignore[arg-type]
        problem = self._secret_default(field, value)
        if problem is None:
            return
        fix = ctx.replace(node, fix_node, "required field: fail when unset") if fix_node is not None else None
        self.report(value, f"settings field {markup.code(field)} defaults to {problem}, so the app starts with it when the "
                    "environment does not set it; declare the field without a default", fix=fix)
