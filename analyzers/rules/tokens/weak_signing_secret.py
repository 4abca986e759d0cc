"""AR207 weak-signing-secret: Weak or hard-coded signing secret."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule
from .._common import is_secret_name, target_name
from ._shared import (
    AUTHLIB_ENCODE,
    CLAIMS_DECODE,
    ENCODE_FUNCTIONS,
    STRING_NODES,
    local_for,
    with_hint,
)

HMAC_FUNCTIONS = frozenset({"hmac.new", "hmac.digest", "hmac.HMAC"})
ITSDANGEROUS = frozenset(
    f"itsdangerous.{name}" for name in (
        "URLSafeTimedSerializer", "URLSafeSerializer", "Serializer", "TimedSerializer", "Signer", "TimestampSigner",
        "JSONWebSignatureSerializer", "TimedJSONWebSignatureSerializer", "url_safe.URLSafeTimedSerializer",
        "url_safe.URLSafeSerializer", "serializer.Serializer", "timed.TimedSerializer", "signer.Signer",
        "timed.TimestampSigner",
    )
)
DJANGO_SIGNING = frozenset({"django.core.signing.Signer", "django.core.signing.TimestampSigner",
                            "django.core.signing.dumps", "django.core.signing.loads"})
# Settings holding an HMAC signing key (Flask-JWT-Extended, Flask, simplejwt).
KEY_SETTINGS = frozenset({"JWT_SECRET_KEY", "SECRET_KEY", "SIGNING_KEY"})
_MIN_KEY_BYTES = 32


def _literal_key(ctx: FileContext, node: cst.CSTNode | None) -> str | bytes | None:
    """The value of a key written as a literal: ``"k"``, ``b"k"``, ``"k".encode()``, ``bytes("k", "utf-8")``."""
    if isinstance(node, STRING_NODES) and ctx.is_literal_string(node):
        value = node.evaluated_value
        return value if isinstance(value, (str, bytes)) else None
    if isinstance(node, cst.Call) and (
            (isinstance(node.func, cst.Attribute) and node.func.attr.value == "encode" and isinstance(node.func.value, STRING_NODES))
            or (ctx.qualname(node.func) == "builtins.bytes" and node.args)):
        inner = node.func.value if isinstance(node.func, cst.Attribute) else node.args[0].value
        return _literal_key(ctx, inner)
    return None


def _is_hs(algorithm: object) -> bool:
    return isinstance(algorithm, str) and algorithm.upper().startswith("HS")


class WeakSigningSecret(Rule):
    """What it does: flags HMAC signing keys written in the code at the signing call: PyJWT /
    python-jose ``encode``/``decode`` with an HS algorithm (or PyJWT's default), authlib
    ``jwt.encode`` with an HS header, ``hmac.new``/``hmac.digest``, itsdangerous serializers and
    signers, Django ``signing``, and ``JWT_SECRET_KEY``/``SECRET_KEY``/``SIGNING_KEY`` settings fed
    from a plainly named constant. A literal inline in the call, or a constant whose name does not
    say "secret" (``KEY = "abc"``), is reported here; secret-named constants and ``os.getenv``
    defaults are AR504/AR505's.

    Why is this bad: anyone who can read the code (repository, image, package) can sign tokens
    for any user. Short keys (under 32 bytes) can also be brute-forced offline from one token.

    Example:
        token = jwt.encode(payload, "change-me", algorithm="HS256")

    Use instead:
        token = jwt.encode(payload, os.environ["JWT_SECRET"], algorithm="HS256")
    """

    id = "AR207"
    name = "weak-signing-secret"
    title = "Weak or hard-coded signing secret"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 798
    in_tests = False
    bandit_equivalents = frozenset({"B105", "B106"})
    prefilter = re.compile(r"\bjwt\b|\bjose\b|hmac|itsdangerous|signing|SECRET_KEY|SIGNING_KEY")

    VALID = [
        'import os\nimport jwt\ntoken = jwt.encode(payload, os.environ["JWT_SECRET"], algorithm="HS256")',
        'import jwt\nfrom django.conf import settings\ntoken = jwt.encode(payload, settings.SECRET_KEY)',
        'import jwt\ndef sign(payload, key):\n    return jwt.encode(payload, key, algorithm="HS256")\n',
        # RS256: the key is a private key, not an HMAC secret.
        'import jwt\ntoken = jwt.encode(payload, PRIVATE_PEM, algorithm="RS256")',
        # A secret-named constant is AR504's finding, not this one.
        'import jwt\nJWT_SECRET = "dev"\ntoken = jwt.encode(payload, JWT_SECRET, algorithm="HS256")',
        'import hmac, hashlib, os\nmac = hmac.new(os.environb[b"HOOK_KEY"], body, hashlib.sha256)',
        'from flask import current_app\nfrom itsdangerous import URLSafeTimedSerializer\n'
        's = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="reset")',
        # Another library's encode with a string argument.
        'import codecs\ndata = codecs.encode(text, "rot13")',
    ]
    INVALID = [
        Invalid(
            'import os\nimport jwt\ntoken = jwt.encode(payload, "secret", algorithm="HS256")',
            fixed='import os\nimport jwt\ntoken = jwt.encode(payload, os.environ["JWT_SECRET"], algorithm="HS256")',
        ),
        Invalid(
            'from jose import jwt\nclaims = jwt.decode(token, key="my-dev-key", algorithms=["HS256"])',
            fixed='from jose import jwt\nclaims = jwt.decode(token, key=os.environ["JWT_SECRET"], algorithms=["HS256"])',
        ),
        Invalid(
            'import hmac\nimport hashlib\nsig = hmac.new(b"webhook", body, hashlib.sha256).hexdigest()',
            fixed='import hmac\nimport hashlib\nsig = hmac.new(os.environ["HMAC_KEY"].encode(), body, hashlib.sha256).hexdigest()',
        ),
        Invalid(
            'import os\nfrom itsdangerous import URLSafeTimedSerializer as S\ns = S(\n    "not-so-secret",\n    salt="email",\n)\n',
            fixed='import os\nfrom itsdangerous import URLSafeTimedSerializer as S\ns = S(\n    os.environ["SECRET_KEY"],\n    salt="email",\n)\n',
        ),
        Invalid(
            'import os\nfrom itsdangerous import URLSafeTimedSerializer\nserializer = URLSafeTimedSerializer("k3y".encode())',
            fixed='import os\nfrom itsdangerous import URLSafeTimedSerializer\n'
            'serializer = URLSafeTimedSerializer(os.environ["SECRET_KEY"].encode())',
        ),
        # A plainly named constant, reported at the call.
        Invalid('import jwt\nKEY = "abc123"\ndef issue(p):\n    return jwt.encode(p, KEY)\n'),
        Invalid('from authlib.jose import jwt\ns = jwt.encode({"alg": "HS256"}, payload, "k")',
                fixed='from authlib.jose import jwt\ns = jwt.encode({"alg": "HS256"}, payload, os.environ["JWT_SECRET"])'),
        Invalid('MY_VALUE = "abc"\napp.config["JWT_SECRET_KEY"] = MY_VALUE'),
        Invalid('from django.core import signing\nvalue = signing.dumps(obj, key="abc")',
                fixed='from django.core import signing\nvalue = signing.dumps(obj, key=os.environ["SECRET_KEY"])'),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func) or ""
        key: cst.BaseExpression | None = None
        env = "SECRET_KEY"
        if name in ENCODE_FUNCTIONS:
            algorithm = ctx.argument(node, "algorithm", 2)
            if algorithm is not None and not _is_hs(ctx.literal(algorithm)):
                return
            key, env = ctx.argument(node, "key", 1), "JWT_SECRET"
        elif name in CLAIMS_DECODE:
            algorithms = ctx.literal(ctx.argument(node, "algorithms", 2))
            if isinstance(algorithms, str):
                algorithms = [algorithms]
            if not (isinstance(algorithms, (list, tuple)) and algorithms and all(_is_hs(a) for a in algorithms)):
                return
            key, env = ctx.argument(node, "key", 1), "JWT_SECRET"
        elif name in AUTHLIB_ENCODE:
            header = ctx.literal(ctx.argument(node, "header", 0))
            if not (isinstance(header, dict) and _is_hs(header.get("alg"))):
                return
            key, env = ctx.argument(node, "key", 2), "JWT_SECRET"
        elif name in HMAC_FUNCTIONS:
            key, env = ctx.argument(node, "key", 0), "HMAC_KEY"
        elif name in ITSDANGEROUS:
            key = ctx.argument(node, "secret_key", 0)
        elif name in DJANGO_SIGNING:
            key = ctx.argument(node, "key")
        if key is not None:
            self._check(key, markup.code(ctx.code(node.func)), env, bytes_needed=name in HMAC_FUNCTIONS)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            setting = target_name(target.target)
            if setting in KEY_SETTINGS and isinstance(node.value, cst.Name):
                self._check(node.value, f"the {markup.code(setting)} setting", "SECRET_KEY", named_only=True)

    def _check(self, key: cst.BaseExpression, where: str, env: str, bytes_needed: bool = False,
               named_only: bool = False) -> None:
        ctx = self.ctx
        value = None if named_only else _literal_key(ctx, key)
        if value is not None:
            size = len(value.encode() if isinstance(value, str) else value)
            weak = f", and only {size} bytes long" if size < _MIN_KEY_BYTES else ""
            fix_text, hint = self._env_read(env, bytes_needed or self._encoded(key))
            self.report(key, with_hint(f"{where} signs with a key written in the code{weak}: anyone who reads "
                                       f"the source can forge tokens; read it from the environment "
                                       f"({markup.code(fix_text)}), with no default", hint),
                        fix=ctx.replace(key, fix_text, "read the key from the environment"))
            return
        if isinstance(key, cst.Name) and not is_secret_name(key.value):
            bound = ctx.value_of(key)
            value = _literal_key(ctx, bound) if bound is not None else None
            if value is None:
                return
            size = len(value.encode() if isinstance(value, str) else value)
            weak = f" ({size} bytes)" if size < _MIN_KEY_BYTES else ""
            self.report(key, f"{where} signs with {markup.code(key.value)}, a literal in the code{weak}: anyone who reads the "
                        f"source can forge tokens; set {markup.code(key.value)} from the environment, with no default")

    def _encoded(self, key: cst.BaseExpression) -> bool:
        return isinstance(key, cst.Call) or (isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, bytes))

    def _env_read(self, env: str, as_bytes: bool) -> tuple[str, str]:
        ctx = self.ctx
        os_local, environ_local = local_for(ctx, "os"), local_for(ctx, "os.environ")
        if os_local:
            text, hint = f'{os_local}.environ["{env}"]', ""
        elif environ_local:
            text, hint = f'{environ_local}["{env}"]', ""
        else:
            text, hint = f'os.environ["{env}"]', "import os"
        return (f"{text}.encode()" if as_bytes else text), hint
