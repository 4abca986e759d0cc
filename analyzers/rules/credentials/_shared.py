"""What several AR5xx (credentials) rules share: the names that hold a password, where the code runs
(framework, test and development code, settings classes), fix helpers, the APIs and the vocabulary of secrets.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from .._common import is_secret_name

# --- vocabulary: what names hold a password ------------------------------------------

# A throttle rate ("5/hour", "30 per min"): the value of keys and settings named after tokens and passwords.
THROTTLE_RATE = re.compile(r"^\d+\s*(?:/|per\s+)\s*\d*\s*(?:s|sec|second|m|min|minute|h|hr|hour|d|day)s?$",
                           re.IGNORECASE)
_PASSWORD_WORDS = frozenset({"password", "passwd", "passwort", "passphrase", "pwd", "pw", "passcode", "pass"})
# Word parts that turn a password name into a hash slot (``password_hash``).
_HASH_PARTS = frozenset({"hash", "hashed", "hashes", "digest", "encrypted", "enc", "crypt", "crypted", "salted", "hmac"})
# Word parts that make a password-looking name mean something else (a field, a length, a reset token...).
NOT_PASSWORD_PARTS = frozenset({
    "salt", "token", "tokens", "reset", "field", "fields", "name", "names", "label", "hint", "help", "placeholder",
    "url", "uri", "length", "len", "min", "max", "policy", "regex", "re", "pattern", "rule", "rules", "strength",
    "score", "expiry", "expires", "expired", "expire", "age", "changed", "updated", "at", "date", "time", "count",
    "attempts", "tries", "required", "enabled", "is", "has", "form", "widget", "type", "error", "errors", "message",
    "msg", "validator", "validators", "header", "id", "column", "col", "mode", "prompt", "env", "var", "file", "path",
    "manager", "hasher", "hashers", "context", "ctx", "check", "verify", "valid", "validate", "validation", "match",
    "matches", "history", "otp", "code", "link", "key", "grant", "flow", "method", "less", "protected", "set",
    "change", "forgot", "view", "template", "page", "schema", "serializer", "input_type", "strategy", "backend",
})
# Objects whose ``.password`` is the stored credential of an account.
USERISH = re.compile(
    r"^(?:.*_)?(?:user|users|account|accounts|member|members|customer|customers|admin|admins|profile|person|"
    r"player|employee|staff|student|owner|u|usr|acct|instance|obj|row|record|entry|existing|found|current)$",
    re.IGNORECASE,
)
USER_CLASS = re.compile(
    r"^(?:[A-Z]\w*)?(?:User|Account|Member|Customer|Admin|Profile|Person|Employee|Staff|Student|Player)"
    r"(?:Model|DB|Db|Record|Entity|Table|Orm|Document)?$"
)
_TEST_PART = frozenset({"test", "tests", "testing", "unittest", "pytest", "conftest", "fixture", "fixtures", "ci"})


def name_parts(name: str) -> list[str]:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return [re.sub(r"\d+$", "", p) for p in re.split(r"[^a-z0-9]+", snake) if p]


def password_parts(name: str) -> tuple[bool, set[str]]:
    """Whether ``name`` names a password, and its other word parts (``passwordhash`` -> hash)."""
    parts = name_parts(name)
    found, rest = False, set()
    for i, part in enumerate(parts):
        if part == "pass":
            if i == len(parts) - 1 or parts[i + 1] == "phrase":
                found = True
                continue
            rest.add(part)
            continue
        if part in _PASSWORD_WORDS:
            found = True
            continue
        for word in ("password", "passwd"):
            if word in part:
                found = True
                head, _, tail = part.partition(word)
                rest.update(p for p in (head, tail) if p)
                break
        else:
            if part != "phrase":
                rest.add(part)
    return found, rest


def password_name(name: str | None) -> bool:
    """``password``, ``new_password``, ``pwd``, ``passphrase``: yes. ``password_hash``, ``password_field``: no."""
    if not name:
        return False
    found, rest = password_parts(name)
    return found and not rest & (NOT_PASSWORD_PARTS | _HASH_PARTS)


def last_name(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Call):
        return last_name(node.func)
    return None


def subscript_literal_key(ctx: FileContext, node: cst.Subscript) -> object:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.literal(node.slice[0].slice.value)
    return UNKNOWN


def bindings(ctx: FileContext, name: str) -> list[cst.BaseExpression | None] | None:
    """The values bound to ``name`` in the innermost scope (function, then module) that binds it."""
    for node in reversed(ctx.stack):
        if isinstance(node, cst.FunctionDef):
            values = ctx.index.bindings.get((id(node), name))
            if values is not None:
                return values
    return ctx.index.bindings.get((id(ctx.module), name))


def is_userish_base(node: cst.CSTNode, ctx: FileContext) -> bool:
    name = last_name(node)
    if name == "self":
        cls = ctx.enclosing(cst.ClassDef)
        return isinstance(cls, cst.ClassDef) and bool(USER_CLASS.search(cls.name.value))
    return bool(name and USERISH.match(name))


def password_source(ctx: FileContext, node: cst.CSTNode | None, depth: int = 0) -> cst.BaseExpression | None:
    """The expression inside ``node`` that carries a password (``salt + password.encode()`` -> ``password``).

    Names bound once to such an expression are followed; the node returned may then
    be the name itself. ``user.password`` (a stored value) does not count.
    """
    if node is None or depth > 3:
        return None
    if isinstance(node, cst.Name):
        if password_name(node.value):
            return node
        values = bindings(ctx, node.value)
        if values and len(values) == 1 and values[0] is not None:
            return node if password_source(ctx, values[0], depth + 1) is not None else None
        return None
    if isinstance(node, cst.Attribute):
        if password_name(node.attr.value):
            return None if is_userish_base(node.value, ctx) else node
        if node.attr.value in ("data", "value") and password_source(ctx, node.value, depth) is not None:
            return node
        return None
    if isinstance(node, cst.Subscript):
        key = subscript_literal_key(ctx, node)
        if isinstance(key, str) and password_name(key) and not is_userish_base(node.value, ctx):
            return node
        return None
    if isinstance(node, cst.Call):
        return password_in_call(ctx, node, depth)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        return password_source(ctx, node.left, depth) or password_source(ctx, node.right, depth)
    if isinstance(node, cst.FormattedString):
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                found = password_source(ctx, part.expression, depth)
                if found is not None:
                    return found
        return None
    if isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            found = password_source(ctx, element.value, depth)
            if found is not None:
                return found
    return None


def password_in_call(ctx: FileContext, node: cst.Call, depth: int) -> cst.BaseExpression | None:
    func = node.func
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        if method in ("get", "pop", "getlist", "get_one") and node.args:
            key = ctx.literal(node.args[0].value)
            if isinstance(key, str) and password_name(key) and not is_userish_base(func.value, ctx):
                return node
            return None
        if method in ("encode", "strip", "rstrip", "lstrip", "decode"):
            return password_source(ctx, func.value, depth)
        if method in ("format", "join"):
            for arg in node.args:
                found = password_source(ctx, arg.value, depth)
                if found is not None:
                    return found
            return password_source(ctx, func.value, depth) if method == "format" else None
    if ctx.qualname(func) in ("builtins.str", "builtins.bytes", "builtins.bytearray") and node.args:
        return password_source(ctx, node.args[0].value, depth)
    return None


# --- context: framework, test code, settings classes ---------------------------------------


def project_framework(ctx: FileContext) -> str | None:
    """The password hashing the project's framework offers: "werkzeug", "django" or None."""
    modules = {value.split(".")[0] for value in ctx.index.imports.values()}
    if modules & {"flask", "werkzeug", "flask_login", "flask_sqlalchemy", "flask_wtf"}:
        return "werkzeug"
    if "django" in modules or "rest_framework" in modules:
        return "django"
    return None


FRAMEWORK_API = {
    "werkzeug": ("generate_password_hash", "check_password_hash", "werkzeug.security"),
    "django": ("make_password", "check_password", "django.contrib.auth.hashers"),
}


def import_note(ctx: FileContext, module: str, name: str) -> str:
    if ctx.index.imports.get(name) == f"{module}.{name}":
        return ""
    return f" (add {markup.code(f'from {module} import {name}')})"


def _name_is_test(name: str) -> bool:
    parts = set(name_parts(name))
    return bool(parts & _TEST_PART) or name.startswith("Test")


def in_test_context(ctx: FileContext) -> bool:
    """Test-only configuration inside application code: ``settings/test.py``, ``class TestingConfig``."""
    path = PurePosixPath(ctx.path)
    if any(_name_is_test(part) for part in (*path.parent.parts, path.stem)):
        return True
    for node in ctx.stack[:-1]:
        if isinstance(node, (cst.ClassDef, cst.FunctionDef)) and _name_is_test(node.name.value):
            return True
        if isinstance(node, cst.If) and re.search(r"(?i)\btest(ing)?\b|TESTING|\.testing", ctx.code(node.test)):
            return True
    return False


def replace_arg(call: cst.Call, old: cst.Arg, new: cst.Arg | None) -> cst.Call:
    """``call`` with the argument ``old`` replaced by ``new`` (or dropped, commas kept tidy)."""
    args = list(call.args)
    index = next(i for i, a in enumerate(args) if a is old)
    if new is not None:
        args[index] = new
        return call.with_changes(args=args)
    del args[index]
    if args and index == len(args):
        args[-1] = args[-1].with_changes(comma=old.comma if isinstance(old.comma, cst.Comma)
                                         and isinstance(old.comma.whitespace_after, cst.ParenthesizedWhitespace)
                                         else cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


def arg_node(ctx: FileContext, call: cst.Call, name: str, index: int | None) -> cst.Arg | None:
    arg = ctx.keyword(call, name)
    if arg is None and index is not None:
        arg = ctx.positional(call, index)
    return arg


# --- APIs that several rules recognise (AR501 with AR502 and AR503) ---------------------

WERKZEUG_HASH = frozenset({"werkzeug.security.generate_password_hash", "werkzeug.generate_password_hash"})

COMPARE_DIGEST = frozenset({"hmac.compare_digest", "secrets.compare_digest"})


# --- secrets: the vocabulary of AR504 hardcoded-secret and AR505 secret-literal-default ---

# Name parts (beyond _common's) that describe a secret's configuration, not the secret.
_NOT_SECRET_EXTRA = re.compile(
    r"(?:^|_)(?:backend|provider|source|store|storage|mode|method|enabled|disabled|required|version|scheme|dir|"
    r"directory|location|region|kind|class|module|engine|strategy|minutes|seconds|hours|days|delta|rounds|"
    r"iterations|cost|bits|bytes|salt_?length|help|message|msg|error|prompt|title|description|desc|text|"
    r"label|template|widget|input|form|view|route|page|reset_url|issuer|audience|location|usage|use|"
    r"user|username|login|email|host|port|db|database|table|in|out|changed|at|sent|visible|mask|char|chars|"
    r"charset|alphabet|status|state|prefix|suffix|type|field|keyword|length)$",
    re.IGNORECASE,
)
TEMPLATE_VALUE = re.compile(
    r"^(?:<[^<>]*>|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|%\([^)]*\)s|\{[A-Za-z_]*\}|%s|(.)\1*)$", re.DOTALL,
)
# Words that make up field and header names ("X-Api-Key", "refresh_token"), not secret values.
_FIELD_WORDS = frozenset({
    "x", "api", "access", "refresh", "auth", "client", "csrf", "xsrf", "id", "user", "new", "old", "confirm", "current",
    "jwt", "session", "key", "secret", "token", "password", "passwd", "pwd", "pass", "passphrase", "credentials",
    "credential", "bearer", "hmac", "apikey", "oauth", "confirmation", "repeat", "again", "authorization", "header",
})
DSN = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@(?P<host>[^/\s:?]*)")
TOKEN_FORMATS = (
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id", "AWS_ACCESS_KEY_ID"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{60,}"), "a GitHub token", "GITHUB_TOKEN"),
    (re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"), "a Slack token", "SLACK_TOKEN"),
    (re.compile(r"\b[sr]k_live_[0-9a-zA-Z]{16,}"), "a Stripe live secret key", "STRIPE_SECRET_KEY"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "a Google API key", "GOOGLE_API_KEY"),
    (re.compile(r"\bSG\.[\w-]{22}\.[\w-]{43}\b"), "a SendGrid API key", "SENDGRID_API_KEY"),
    (re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}"), "an OpenAI/Anthropic API key", "API_KEY"),
    (re.compile(r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+"), "a Slack webhook URL", "SLACK_WEBHOOK_URL"),
    (re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"), "a private key", "PRIVATE_KEY"),
)
_EXAMPLE_TOKEN = re.compile(r"EXAMPLE|example|XXXX|xxxx|0000000000|1234567890")


def secret_name(name: str | None) -> bool:
    name = name.rsplit(".", 1)[-1] if name else name  # "database.password", "module.generate_private_key"
    if not name or re.match(r"(?i)(?:generate|get|create|load|read|make|build|validate|verify|check|set|fetch|parse|"
                            r"decode|encode|is|has|rotate|refresh|revoke)_", name):
        return False
    name = name.replace("-", "_")
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return is_secret_name(name) and not _NOT_SECRET_EXTRA.search(snake)


def is_env_var_name(value: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", value)) and "_" in value or bool(re.fullmatch(r"[A-Z]{3,}", value)) \
        and is_secret_name(value)


def known_token(value: str) -> tuple[str, str] | None:
    for pattern, what, env in TOKEN_FORMATS:
        if pattern.search(value) and not _EXAMPLE_TOKEN.search(value):
            return what, env
    return None


def dsn_password(value: str) -> str | None:
    match = DSN.match(value.strip())
    if not match:
        return None
    password = match.group("password")
    if TEMPLATE_VALUE.match(password) or re.match(r"^[{<$%]", password) or password in ("***", "xxx", "****"):
        return None
    return password


def env_expr(ctx: FileContext, name: str, quote: str = '"') -> tuple[str, str]:
    """Source text reading ``name`` from the environment, and the import note when one is needed."""
    for local, qualified in ctx.index.imports.items():
        if qualified == "os" and local == "os":
            return f"os.environ[{quote}{name}{quote}]", ""
    for local, qualified in ctx.index.imports.items():
        if qualified == "os.environ":
            return f"{local}[{quote}{name}{quote}]", ""
    return f"os.environ[{quote}{name}{quote}]", " (add `import os`)"


def settings_class(ctx: FileContext, cls: cst.ClassDef, depth: int = 0) -> bool:
    """A pydantic-settings ``BaseSettings`` subclass (directly or through a class of this file)."""
    for base in cls.bases:
        name = ctx.qualname(base.value) or ""
        if name in ("pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings",
                    "pydantic_settings.main.BaseSettings"):
            return True
        local = ctx.index.classes.get(last_name(base.value) or "")
        if local is not None and local is not cls and depth < 3 and settings_class(ctx, local, depth + 1):
            return True
    return False


def class_field(ctx: FileContext) -> cst.ClassDef | None:
    """The class whose body directly holds the current statement, if any."""
    stack = ctx.stack
    for i in range(len(stack) - 1, 0, -1):
        if isinstance(stack[i], (cst.FunctionDef, cst.Lambda)):
            return None
        if isinstance(stack[i], cst.ClassDef):
            return stack[i]  # type: ignore[return-value]
    return None


def string_node(node: cst.CSTNode | None) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString))


# Environment readers: qualified name -> (position of the default or None, keyword of the default or None, "os"?).
ENV_CALLS: dict[str, tuple[int | None, str | None, str]] = {
    "os.getenv": (1, "default", "os"),
    "os.getenvb": (1, "default", "os"),
    "os.environ.get": (1, None, "os"),
    "os.environ.setdefault": (1, None, "setdefault"),
    "decouple.config": (1, "default", "drop"),
    "decouple.AutoConfig()": (1, "default", "drop"),
    "decouple.Config()": (1, "default", "drop"),
    "starlette.config.Config()": (2, "default", "drop"),
    "environ.Env()": (2, "default", "drop"),
    "environs.Env()": (1, "default", "drop"),
    "flask.Flask().config.get": (1, None, "config"),
    "flask.current_app.config.get": (1, None, "config"),
}
