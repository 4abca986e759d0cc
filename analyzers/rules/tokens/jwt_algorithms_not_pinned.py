"""AR201 jwt-algorithms-not-pinned: JWT decoded without pinned algorithms."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule
from .._common import add_keyword
from ._shared import AUTHLIB_DECODE, ENCODE_FUNCTIONS, JOSE_DECODE, PYJWT_DECODE

DECODE_FUNCTIONS = PYJWT_DECODE | JOSE_DECODE | AUTHLIB_DECODE

UNVERIFIED_HEADER = frozenset({"jwt.get_unverified_header", "jose.jwt.get_unverified_header"})
_ALGORITHM_CONSTANT = re.compile(r"ALG(ORITHM)?S?$", re.IGNORECASE)


def _from_unverified_header(rule: Rule, node: cst.CSTNode, depth: int = 0) -> bool:
    """Whether ``node`` (or a name bound to it) reads the token's own header."""
    ctx = rule.ctx
    if depth > 3:
        return False
    if isinstance(node, cst.Call) and ctx.qualname(node.func) in UNVERIFIED_HEADER:
        return True
    if isinstance(node, cst.Name):
        bound = ctx.value_of(node)
        return bound is not None and _from_unverified_header(rule, bound, depth + 1)
    return any(
        _from_unverified_header(rule, child, depth)
        for child in ctx.descendants(node)
        if isinstance(child, (cst.Call, cst.Name))
    )


class JwtAlgorithmsNotPinned(Rule):
    """What it does: flags JWT ``decode`` calls (PyJWT, python-jose, authlib) that do not
    pass an explicit ``algorithms`` list, or that take the list from the token's own header.

    Why is this bad: the token chooses how it is verified. An attacker can switch an RS256
    token to HS256 and sign it with the public key (algorithm confusion), or pick ``none``.
    PyJWT 2 refuses to decode without ``algorithms``; python-jose and authlib accept any.

    Example:
        claims = jwt.decode(token, PUBLIC_KEY)

    Use instead:
        claims = jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"])
    """

    id = "AR201"
    name = "jwt-algorithms-not-pinned"
    title = "JWT decoded without pinned algorithms"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 347
    prefilter = re.compile(r"\bjwt\b|\bjose\b")

    VALID = [
        'import jwt\nclaims = jwt.decode(token, key, algorithms=["HS256"])',
        'from jose import jwt\nclaims = jwt.decode(token, key, algorithms=["RS256"], audience="api")',
        # A different decode: base64, not a JWT.
        'import base64\nraw = base64.b64decode(data)',
        # A project's own object that happens to be called jwt.
        'class Codec:\n    def decode(self, t):\n        return t\njwt = Codec()\nclaims = jwt.decode(token)',
        # Verification is off: that is AR203's finding, not this one.
        'import jwt\nheader = jwt.decode(token, options={"verify_signature": False})',
        # Algorithms from configuration, not from the token.
        'import jwt\nfrom app.settings import JWT_ALGORITHMS\nclaims = jwt.decode(token, key, algorithms=JWT_ALGORITHMS)',
    ]
    INVALID = [
        Invalid(
            'import jwt\nclaims = jwt.decode(token, key)',
            fixed='import jwt\nclaims = jwt.decode(token, key, algorithms=["HS256"])',
        ),
        Invalid(
            'from jwt import decode as d\npayload = d(token, SECRET)',
            fixed='from jwt import decode as d\npayload = d(token, SECRET, algorithms=["HS256"])',
        ),
        # The project encodes with RS256: the fix pins that.
        Invalid(
            "from jose import jwt\n"
            "def issue(user):\n"
            '    return jwt.encode({"sub": user.id}, PRIVATE_KEY, algorithm="RS256")\n'
            "def verify(token):\n"
            "    return jwt.decode(\n"
            "        token,\n"
            "        PUBLIC_KEY,\n"
            "    )\n",
            fixed="from jose import jwt\n"
            "def issue(user):\n"
            '    return jwt.encode({"sub": user.id}, PRIVATE_KEY, algorithm="RS256")\n'
            "def verify(token):\n"
            "    return jwt.decode(\n"
            "        token,\n"
            "        PUBLIC_KEY,\n"
            '        algorithms=["RS256"],\n'
            "    )\n",
        ),
        # A module constant names the algorithm: the fix uses it.
        Invalid(
            'import jwt\nJWT_ALGORITHM = "HS512"\nclaims = jwt.decode(token, key)',
            fixed='import jwt\nJWT_ALGORITHM = "HS512"\nclaims = jwt.decode(token, key, algorithms=[JWT_ALGORITHM])',
        ),
        # The token picks its own algorithm.
        Invalid(
            "import jwt\n"
            "def verify(token):\n"
            "    alg = jwt.get_unverified_header(token)['alg']\n"
            "    return jwt.decode(token, KEY, algorithms=[alg])\n",
        ),
        Invalid('import authlib.jose\nclaims = authlib.jose.jwt.decode(token, key)'),
    ]

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._unpinned: list[cst.Call] = []
        self._encode_algorithms: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.qualname(node.func)
        if name in ENCODE_FUNCTIONS:
            algorithm = self.ctx.string(self.ctx.argument(node, "algorithm", 2))
            if algorithm and algorithm.lower() != "none":
                self._encode_algorithms.append(algorithm)
            return
        if name not in DECODE_FUNCTIONS:
            return
        if self.ctx.has_star_kwargs(node) or _verification_off(self, node):
            return
        index = None if name in AUTHLIB_DECODE else 2
        algorithms = self.ctx.argument(node, "algorithms", index)
        if algorithms is None:
            if name in AUTHLIB_DECODE:
                self.report(node, "authlib's module-level `jwt.decode` accepts every algorithm; "
                            "decode with `JsonWebToken([\"RS256\"])` (the algorithms you issue) instead")
            else:
                self._unpinned.append(node)
        elif _from_unverified_header(self, algorithms):
            self.report(algorithms, "the accepted algorithms come from the token's own header "
                        "(`get_unverified_header`), so the token decides how it is verified; pin a fixed list")

    def finish(self) -> None:
        choice = self._algorithm_for_fix()
        for node in self._unpinned:
            fix = self.ctx.replace(node, _add_algorithms(node, choice), f"pin algorithms={choice}")
            self.report(node, f"{markup.code(self.ctx.code(node.func))} is called without `algorithms=`, so the token's "
                        f"header chooses the verification algorithm; pass {markup.code(f'algorithms={choice}')}", fix=fix)

    def _algorithm_for_fix(self) -> str:
        for (scope_id, name), values in self.ctx.index.bindings.items():
            if scope_id == id(self.ctx.module) and _ALGORITHM_CONSTANT.search(name) and len(values) == 1:
                value = self.ctx.literal(values[0])
                if isinstance(value, str) and value.lower() != "none":
                    return f"[{name}]"
                if isinstance(value, list) and value and all(isinstance(v, str) and v.lower() != "none" for v in value):
                    return name
        if self._encode_algorithms:
            return f'["{self._encode_algorithms[0]}"]'
        return '["HS256"]'


def _verification_off(rule: Rule, call: cst.Call) -> bool:
    ctx = rule.ctx
    options = ctx.literal(ctx.argument(call, "options"))
    if isinstance(options, dict) and options.get("verify_signature") is False:
        return True
    verify = ctx.argument(call, "verify")
    return verify is not None and ctx.literal(verify) is False


def _add_algorithms(call: cst.Call, choice: str) -> cst.Call:
    return add_keyword(call, "algorithms", choice)
