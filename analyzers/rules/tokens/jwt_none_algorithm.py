"""AR202 jwt-none-algorithm: JWT 'none' algorithm accepted or used."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule
from .._common import target_name
from ._shared import (
    AUTHLIB_ENCODE,
    CLAIMS_DECODE,
    ENCODE_FUNCTIONS,
    STRING_NODES,
    dict_entries,
    remove_element,
)

PYJWT_ENCODE = frozenset({"jwt.encode", "jwt.api_jwt.encode", "jwt.PyJWT().encode", "jwt.api_jwt.PyJWT().encode"})


def _is_none_alg(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == "none"


AUTHLIB_ALGORITHM_LISTS = frozenset({
    "authlib.jose.JsonWebToken", "authlib.jose.rfc7519.JsonWebToken", "authlib.jose.JsonWebSignature",
    "authlib.jose.rfc7515.JsonWebSignature", "jwt.PyJWS", "jwt.api_jws.PyJWS",
})
# Settings that choose the algorithm for a whole app (Flask-JWT-Extended; simplejwt's key is "ALGORITHM").
ALGORITHM_SETTINGS = frozenset({"JWT_ALGORITHM", "JWT_DECODE_ALGORITHMS"})


def _none_strings(ctx: FileContext, node: cst.CSTNode | None) -> list[tuple[cst.CSTNode, cst.CSTNode | None]]:
    """The ``"none"`` string literals written in ``node``, with the list holding each (if any)."""
    if isinstance(node, STRING_NODES):
        return [(node, None)] if _is_none_alg(ctx.string(node)) else []
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return [(e.value, node) for e in node.elements
                if isinstance(e, cst.Element) and isinstance(e.value, STRING_NODES) and _is_none_alg(ctx.string(e.value))]
    return []


class JwtNoneAlgorithm(Rule):
    """What it does: flags JWTs signed with the ``none`` algorithm and decoders that accept
    ``none`` (PyJWT, python-jose, authlib ``JsonWebToken``, Flask-JWT-Extended ``JWT_ALGORITHM`` /
    ``JWT_DECODE_ALGORITHMS``, simplejwt ``SIMPLE_JWT["ALGORITHM"]``), in any casing.
    PyJWT's ``algorithm=None`` also means ``none``.

    Why is this bad: a ``none`` token carries no signature. Anyone can write one with any
    claims (``"sub": "admin"``), and a decoder that accepts ``none`` takes it as genuine.

    Example:
        claims = jwt.decode(token, KEY, algorithms=["HS256", "none"])

    Use instead:
        claims = jwt.decode(token, KEY, algorithms=["HS256"])
    """

    id = "AR202"
    name = "jwt-none-algorithm"
    title = "JWT 'none' algorithm accepted or used"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    cwe = 347
    prefilter = re.compile(r"""(?i)['"]none['"]|\balgorithm\s*=\s*None\b""")

    VALID = [
        'import jwt\nclaims = jwt.decode(token, KEY, algorithms=["HS256"])',
        'import jwt\ntoken = jwt.encode(payload, KEY, algorithm="HS256")',
        # "none" as a value of something else.
        'import jwt\nSTATUS = "none"\ntoken = jwt.encode({"sub": uid, "mfa": "none"}, KEY, algorithm="HS256")',
        # Another library's encode with algorithm=None.
        'import mylib\nblob = mylib.encode(data, algorithm=None)',
        # A test that checks "none" tokens are rejected reads the string only.
        'import jwt\nimport pytest\ndef test_rejects_none(token):\n'
        '    with pytest.raises(jwt.InvalidAlgorithmError):\n'
        '        jwt.decode(token, KEY, algorithms=["HS256"])\n'
        '    assert jwt.get_unverified_header(token)["alg"] == "none"\n',
        'app.config["JWT_ALGORITHM"] = "HS512"',
    ]
    INVALID = [
        Invalid(
            'import jwt\nclaims = jwt.decode(token, KEY, algorithms=["HS256", "none"])',
            fixed='import jwt\nclaims = jwt.decode(token, KEY, algorithms=["HS256"])',
        ),
        Invalid('from jwt import encode as sign\ntoken = sign(payload, None, algorithm="None")'),
        Invalid('import jwt\ntoken = jwt.encode(payload, KEY, algorithm=None)'),
        Invalid(
            "from jose import jwt\n"
            "claims = jwt.decode(\n"
            "    token,\n"
            "    KEY,\n"
            "    algorithms=[\n"
            '        "NONE",\n'
            '        "RS256",\n'
            "    ],\n"
            ")\n",
            fixed="from jose import jwt\n"
            "claims = jwt.decode(\n"
            "    token,\n"
            "    KEY,\n"
            "    algorithms=[\n"
            '        "RS256",\n'
            "    ],\n"
            ")\n",
        ),
        # The accepted list comes from a constant.
        Invalid('import jwt\nALGS = ("HS256", "none")\ndef verify(t):\n    return jwt.decode(t, KEY, algorithms=ALGS)\n'),
        Invalid('from authlib.jose import JsonWebToken\njwt = JsonWebToken(["none"])'),
        Invalid('from authlib.jose import jwt\ns = jwt.encode({"alg": "none"}, payload, None)'),
        Invalid(
            'app.config["JWT_ALGORITHM"] = "none"',
            fixed='app.config["JWT_ALGORITHM"] = "HS256"',
        ),
        Invalid(
            'SIMPLE_JWT = {\n    "ALGORITHM": "none",\n}\n',
            fixed='SIMPLE_JWT = {\n    "ALGORITHM": "HS256",\n}\n',
        ),
        Invalid(
            'JWT_DECODE_ALGORITHMS = ["HS256", "none"]',
            fixed='JWT_DECODE_ALGORITHMS = ["HS256"]',
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name in ENCODE_FUNCTIONS:
            algorithm = ctx.argument(node, "algorithm", 2)
            if name in PYJWT_ENCODE and isinstance(algorithm, cst.Name) and ctx.literal(algorithm) is None:
                self.report(algorithm, f"{markup.code(f'{ctx.code(node.func)}(..., algorithm=None)')} signs with the `none` "
                            "algorithm: the token has no signature; pass the algorithm you verify with (e.g. \"HS256\")")
                return
            self._check(algorithm, f"{markup.code(ctx.code(node.func))} signs with `none`: the token carries no signature "
                        "and anyone can forge one; sign with HS256/RS256", signing=True)
        elif name in AUTHLIB_ENCODE:
            header = ctx.argument(node, "header", 0)
            entries = dict_entries(ctx, header) or {}
            if "alg" in entries:
                self._check(entries["alg"][1], f"{markup.code(ctx.code(node.func))} signs with `none` (header `alg`): the token "
                            "carries no signature; sign with HS256/RS256", signing=True)
        elif name in CLAIMS_DECODE:
            self._check(ctx.argument(node, "algorithms", 2),
                        f"{markup.code(ctx.code(node.func))} accepts `none`: an unsigned, forged token passes verification; "
                        "remove it from `algorithms`")
        elif name in AUTHLIB_ALGORITHM_LISTS:
            self._check(ctx.argument(node, "algorithms", 0),
                        f"{markup.code(ctx.code(node.func))} is built to accept `none`: unsigned tokens pass; remove it")
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ALGORITHM_SETTINGS:
                self._setting(arg.keyword.value, arg.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = target_name(target.target)
            if name in ALGORITHM_SETTINGS:
                self._setting(name, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        name = target_name(node.target)
        if name in ALGORITHM_SETTINGS and node.value is not None:
            self._setting(name, node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = self.ctx.string(node.key) if isinstance(node.key, STRING_NODES) else None
        if key in ALGORITHM_SETTINGS or (key == "ALGORITHM" and self._in_simple_jwt()):
            self._setting(key, node.value)

    def _in_simple_jwt(self) -> bool:
        assign = self.ctx.enclosing(cst.Assign)
        return isinstance(assign, cst.Assign) and any(target_name(t.target) == "SIMPLE_JWT" for t in assign.targets)

    def _setting(self, setting: str, value: cst.BaseExpression) -> None:
        self._check(value, f"{markup.code(setting)} allows the `none` algorithm: unsigned tokens are issued or accepted; "
                    "use HS256/RS256", setting=True)

    def _check(self, node: cst.CSTNode | None, message: str, signing: bool = False, setting: bool = False) -> None:
        ctx = self.ctx
        if isinstance(node, cst.Name):
            bound = ctx.value_of(node)
            # A setting constant is reported where it is defined (visit_Assign); a plain constant here.
            if node.value not in ALGORITHM_SETTINGS and bound is not None and _none_strings(ctx, bound):
                self.report(node, f"{markup.code(node.value)} contains \"none\": {message}")
            return
        for string, container in _none_strings(ctx, node):
            fix = None
            if container is not None and len(container.elements) > 1:  # type: ignore[attr-defined]
                fix = ctx.replace(container, remove_element(container, string), 'remove "none"')
            elif setting and container is None:
                fix = ctx.replace(string, '"HS256"', "use HS256 (the library default)")
            self.report(string, message, fix=fix)
