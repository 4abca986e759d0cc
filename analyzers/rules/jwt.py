"""AR2xx (JWT): how tokens are decoded, verified, signed and how long they live."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import libcst as cst

from ..context import UNKNOWN, FileContext
from .. import markup
from ..findings import Confidence, Fix, Severity
from ..rule import Invalid, Rule
from ..walk import children
from ._common import add_dict_element, add_keyword, is_secret_name, remove_keyword, target_name

# Decode functions of the JWT libraries, by qualified name.
PYJWT_DECODE = frozenset({
    "jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jwt.api_jwt.decode_complete",
    "jwt.PyJWT().decode", "jwt.api_jwt.PyJWT().decode", "jwt.PyJWT().decode_complete",
})
JOSE_DECODE = frozenset({"jose.jwt.decode"})
AUTHLIB_DECODE = frozenset({"authlib.jose.jwt.decode"})
DECODE_FUNCTIONS = PYJWT_DECODE | JOSE_DECODE | AUTHLIB_DECODE
ENCODE_FUNCTIONS = frozenset({"jwt.encode", "jwt.api_jwt.encode", "jwt.PyJWT().encode", "jose.jwt.encode"})
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

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
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
    from ._common import add_keyword

    return add_keyword(call, "algorithms", choice)




# --- shared by AR202-AR207 ----------------------------------------------------------

PYJWT_ENCODE = frozenset({"jwt.encode", "jwt.api_jwt.encode", "jwt.PyJWT().encode", "jwt.api_jwt.PyJWT().encode"})
JOSE_ENCODE = frozenset({"jose.jwt.encode"})
# authlib signs with encode(header, payload, key): the algorithm lives in the header.
AUTHLIB_ENCODE = frozenset({
    "authlib.jose.jwt.encode", "authlib.jose.JsonWebToken().encode", "authlib.jose.rfc7519.JsonWebToken().encode",
})
ALL_ENCODE = ENCODE_FUNCTIONS | AUTHLIB_ENCODE
# Decodes whose keywords follow PyJWT/python-jose: algorithms, options, audience, issuer.
CLAIMS_DECODE = PYJWT_DECODE | JOSE_DECODE
AUTHLIB_DECODE_ALL = AUTHLIB_DECODE | frozenset({
    "authlib.jose.JsonWebToken().decode", "authlib.jose.rfc7519.JsonWebToken().decode",
})
UNVERIFIED_CLAIMS = frozenset({"jose.jwt.get_unverified_claims", "jose.jws.get_unverified_claims"})
TIMEDELTA = frozenset({"datetime.timedelta"})
_STRING = (cst.SimpleString, cst.ConcatenatedString)


def _is_none_alg(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == "none"


def _scope_nodes(root: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """Nodes under ``root`` with their ancestors (root first, parent last), not entering nested defs.

    The ancestor list is reused between steps: read it before advancing.
    """
    path: list[cst.CSTNode] = [root]
    stack = [(child, 1) for child in reversed(children(root))]
    while stack:
        node, depth = stack.pop()
        del path[depth:]
        yield node, path
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            continue  # another scope
        path.append(node)
        stack.extend((child, depth + 1) for child in reversed(children(node)))


def _scope_of(ctx: FileContext) -> cst.CSTNode:
    func = ctx.enclosing_function()
    return func if func is not None else ctx.module


def _binding_scope(ctx: FileContext, name: str) -> cst.CSTNode | None:
    """The innermost scope (function on the stack, else module) that binds ``name``."""
    for node in reversed(ctx.stack):
        if isinstance(node, cst.FunctionDef) and (id(node), name) in ctx.index.bindings:
            return node
    return ctx.module if (id(ctx.module), name) in ctx.index.bindings else None


def _subscript_key(node: cst.Subscript) -> object:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        value = node.slice[0].slice.value
        if isinstance(value, _STRING):
            return value.evaluated_value
    return UNKNOWN


def _local_for(ctx: FileContext, qualified: str) -> str | None:
    """The local name an import binds to ``qualified`` (``timedelta`` for ``datetime.timedelta``)."""
    for local, full in ctx.index.imports.items():
        if full == qualified:
            return local
    return None


def _datetime_expr(ctx: FileContext, **delta: int) -> tuple[str, str, str]:
    """Source of ``now(UTC) + timedelta(**delta)``, ``timedelta(**delta)``, and the import to add ('' if none)."""
    amount = ", ".join(f"{k}={v}" for k, v in delta.items())
    module = _local_for(ctx, "datetime")
    names = {n: _local_for(ctx, f"datetime.{n}") for n in ("datetime", "timedelta", "timezone")}
    if module and not all(names.values()):
        now = f"{module}.datetime.now({module}.timezone.utc)"
        return f"{now} + {module}.timedelta({amount})", f"{module}.timedelta({amount})", ""
    missing = [n for n, local in names.items() if local is None]
    dt, td, tz = (names[n] or n for n in ("datetime", "timedelta", "timezone"))
    hint = f"from datetime import {', '.join(missing)}" if missing else ""
    return f"{dt}.now({tz}.utc) + {td}({amount})", f"{td}({amount})", hint


def _timedelta_only(ctx: FileContext, **delta: int) -> tuple[str, str]:
    amount = ", ".join(f"{k}={v}" for k, v in delta.items())
    local = _local_for(ctx, "datetime.timedelta")
    if local:
        return f"{local}({amount})", ""
    module = _local_for(ctx, "datetime")
    if module:
        return f"{module}.timedelta({amount})", ""
    return f"timedelta({amount})", "from datetime import timedelta"


def _with_hint(message: str, hint: str) -> str:
    return f"{message} (add {markup.code(hint)})" if hint else message


def _remove_element(container: cst.CSTNode, target: cst.CSTNode) -> cst.CSTNode:
    """A list/tuple/set/dict literal without the element ``target`` (an element or its value)."""
    elements = list(container.elements)  # type: ignore[attr-defined]
    index = next(i for i, e in enumerate(elements) if e is target or getattr(e, "value", None) is target)
    removed = elements.pop(index)
    if elements and index == len(elements):
        elements[-1] = elements[-1].with_changes(comma=removed.comma)
    return container.with_changes(elements=elements)


def _dict_entries(ctx: FileContext, node: cst.CSTNode | None) -> dict[str, tuple[cst.CSTNode, cst.BaseExpression]] | None:
    """String key -> (element, value) of a dict literal or ``dict(k=v)`` call; None when not fully known."""
    if isinstance(node, cst.Dict):
        result: dict[str, tuple[cst.CSTNode, cst.BaseExpression]] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = ctx.literal(element.key)
            if not isinstance(key, str):
                return None
            result[key] = (element, element.value)
        return result
    if isinstance(node, cst.Call) and ctx.qualname(node.func) == "builtins.dict":
        result = {}
        for arg in node.args:
            if arg.star:
                return None
            if arg.keyword is None:
                inner = _dict_entries(ctx, arg.value)
                if inner is None:
                    return None
                result.update(inner)
            else:
                result[arg.keyword.value] = (arg, arg.value)
        return result
    return None


_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"})


def _is_log_call(ctx: FileContext, call: cst.Call) -> bool:
    name = ctx.qualname(call.func) or ""
    if name == "builtins.print" or name.startswith("logging.") or name.startswith("structlog."):
        return True
    func = call.func
    return (isinstance(func, cst.Attribute) and func.attr.value in _LOG_METHODS
            and "log" in ctx.code(func.value).lower())


# --- AR202 ---------------------------------------------------------------------------

AUTHLIB_ALGORITHM_LISTS = frozenset({
    "authlib.jose.JsonWebToken", "authlib.jose.rfc7519.JsonWebToken", "authlib.jose.JsonWebSignature",
    "authlib.jose.rfc7515.JsonWebSignature", "jwt.PyJWS", "jwt.api_jws.PyJWS",
})
# Settings that choose the algorithm for a whole app (Flask-JWT-Extended; simplejwt's key is "ALGORITHM").
ALGORITHM_SETTINGS = frozenset({"JWT_ALGORITHM", "JWT_DECODE_ALGORITHMS"})


def _none_strings(ctx: FileContext, node: cst.CSTNode | None) -> list[tuple[cst.CSTNode, cst.CSTNode | None]]:
    """The ``"none"`` string literals written in ``node``, with the list holding each (if any)."""
    if isinstance(node, _STRING):
        return [(node, None)] if _is_none_alg(ctx.string(node)) else []
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return [(e.value, node) for e in node.elements
                if isinstance(e, cst.Element) and isinstance(e.value, _STRING) and _is_none_alg(ctx.string(e.value))]
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
            entries = _dict_entries(ctx, header) or {}
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
        key = self.ctx.string(node.key) if isinstance(node.key, _STRING) else None
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
                fix = ctx.replace(container, _remove_element(container, string), 'remove "none"')
            elif setting and container is None:
                fix = ctx.replace(string, '"HS256"', "use HS256 (the library default)")
            self.report(string, message, fix=fix)


# --- AR203 ---------------------------------------------------------------------------

# Claims read from an unverified token that decide nothing about identity: picking a key, checking expiry.
_BENIGN_CLAIMS = frozenset({"kid", "alg", "typ", "exp", "iat", "nbf", "iss", "jku", "x5u", "cty"})
_CHECKS = {
    "verify_signature": "signature verification",
    "verify_exp": "expiry (`exp`) verification",
    "verify_aud": "audience (`aud`) verification",
    "verify_iss": "issuer (`iss`) verification",
}
_AUTH_FUNCTION = re.compile(
    r"(?i)current_user|get_user|user_from|identity|authenticat|authoriz|login|logged_in|require|permission|"
    r"protected|token_required|verify|validate|check|principal|whoami|me$|jwt_required|auth")
_VERIFY_HELPER = re.compile(r"(?i)verify|validate")


def _options_entries(rule: Rule, call: cst.Call) -> tuple[cst.CSTNode | None, dict[str, tuple[cst.CSTNode, Any]]]:
    """The options mapping written in the call (None if via a name) and its literal entries."""
    ctx = rule.ctx
    options = ctx.argument(call, "options")
    inline = options if isinstance(options, (cst.Dict, cst.Call)) else None
    if isinstance(options, cst.Name):
        options = ctx.value_of(options)
    entries = _dict_entries(ctx, options) or {}
    return inline, {key: (element, ctx.literal(value)) for key, (element, value) in entries.items()}


def _signature_off(rule: Rule, call: cst.Call) -> bool:
    """``options={"verify_signature": False}`` or PyJWT 1's ``verify=False``."""
    ctx = rule.ctx
    _, entries = _options_entries(rule, call)
    if "verify_signature" in entries and entries["verify_signature"][1] is False:
        return True
    verify = ctx.argument(call, "verify")
    if verify is None and ctx.qualname(call.func) in PYJWT_DECODE:
        third = ctx.positional(call, 2)
        verify = third.value if third is not None else None
    return verify is not None and ctx.literal(verify) is False


class JwtVerificationDisabled(Rule):
    """What it does: flags JWT decodes that turn verification off (PyJWT and python-jose
    ``options={"verify_signature": False}``, ``verify_exp``/``verify_aud``/``verify_iss`` set to
    ``False``, PyJWT 1's ``verify=False``, ``PyJWT(options=...)``) and unverified claims
    (``get_unverified_claims``, or a decode with the signature check off) that go on to identify
    the user: returned, stored in ``g.user``/``request.user``, used to look a user up or compared.
    Peeking at ``kid``/``exp`` or logging, and pre-reading in a function that then verifies, is not flagged.

    Why is this bad: with the signature unchecked anyone can write a token for any user; with
    ``exp``/``aud``/``iss`` unchecked, expired tokens and tokens minted for another service pass.

    Example:
        claims = jwt.decode(token, options={"verify_signature": False})
        return User.query.get(claims["sub"])

    Use instead:
        claims = jwt.decode(token, KEY, algorithms=["HS256"])
        return User.query.get(claims["sub"])
    """

    id = "AR203"
    name = "jwt-verification-disabled"
    title = "JWT verification disabled"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 347
    in_tests = False  # tests routinely peek at the tokens they receive
    prefilter = re.compile(r"verify|unverified_claims|\bdecode\b")

    VALID = [
        'import jwt\nclaims = jwt.decode(token, KEY, algorithms=["HS256"], options={"require": ["exp"]})',
        # Reading the header / kid first, then verifying with the right key.
        "import jwt\n"
        "def current_user(token):\n"
        '    kid = jwt.decode(token, options={"verify_signature": False})["kid"]\n'
        '    claims = jwt.decode(token, KEYS[kid], algorithms=["RS256"])\n'
        "    return claims['sub']\n",
        # Unverified claims only logged.
        "import logging\nimport jwt\nlog = logging.getLogger(__name__)\n"
        "def on_error(token):\n"
        '    claims = jwt.decode(token, options={"verify_signature": False})\n'
        '    log.warning("rejected token for %s", claims.get("sub"))\n',
        # A client checking when its own token expires.
        "from jose import jwt\n"
        "def expires_at(token):\n"
        '    return jwt.get_unverified_claims(token)["exp"]\n',
        # Multi-tenant: the issuer picks the key, then the token is verified.
        "from jose import jwt\n"
        "def get_current_user(token):\n"
        "    claims = jwt.get_unverified_claims(token)\n"
        '    key = key_for(claims["iss"])\n'
        '    return jwt.decode(token, key, algorithms=["RS256"], audience="api")\n',
        # Another library's verify=False (requests).
        'import requests\nr = requests.get(url, verify=False)',
        'import jwt\nclaims = jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_exp": True})',
        # Decoded unverified but never used.
        'import jwt\ndef probe(token):\n    jwt.decode(token, options={"verify_signature": False})\n    return True\n',
    ]
    INVALID = [
        Invalid(
            "import jwt\n"
            "def get_current_user(token):\n"
            '    claims = jwt.decode(token, options={"verify_signature": False})\n'
            '    return User.query.get(claims["sub"])\n',
        ),
        Invalid(
            "from flask import g\nfrom jose import jwt\n"
            "def load_user(token):\n"
            "    g.user = jwt.get_unverified_claims(token)\n",
        ),
        # A key and algorithms are there: dropping the option verifies.
        Invalid(
            "import jwt\n"
            "def user_id(token):\n"
            '    claims = jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_signature": False})\n'
            '    return claims["user_id"]\n',
            fixed="import jwt\n"
            "def user_id(token):\n"
            '    claims = jwt.decode(token, KEY, algorithms=["HS256"])\n'
            '    return claims["user_id"]\n',
        ),
        Invalid(
            "from jwt import decode\n"
            "claims = decode(\n"
            "    token,\n"
            "    KEY,\n"
            '    algorithms=["HS256"],\n'
            '    options={"verify_exp": False, "require": ["sub"]},\n'
            ")\n",
            fixed="from jwt import decode\n"
            "claims = decode(\n"
            "    token,\n"
            "    KEY,\n"
            '    algorithms=["HS256"],\n'
            '    options={"require": ["sub"]},\n'
            ")\n",
        ),
        Invalid('import jwt\nclaims = jwt.decode(token, KEY, algorithms=["HS256"], options=dict(verify_aud=False))'),
        # PyJWT 1.x.
        Invalid(
            "import jwt\ndef whoami(token):\n    return jwt.decode(token, KEY, verify=False)['sub']\n",
            fixed="import jwt\ndef whoami(token):\n    return jwt.decode(token, KEY)['sub']\n",
        ),
        Invalid('import jwt\ndef identity(token):\n    return jwt.decode(token, None, False)\n'),
        Invalid(
            'from jose import jwt\nOPTS = {"verify_iss": False}\n'
            'claims = jwt.decode(token, KEY, algorithms=["RS256"], options=OPTS)\n'
        ),
        Invalid('import jwt\ncodec = jwt.PyJWT(options={"verify_exp": False})', fixed='import jwt\ncodec = jwt.PyJWT()'),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name in CLAIMS_DECODE or name in ("jwt.PyJWT", "jwt.api_jwt.PyJWT"):
            if _signature_off(self, node):
                self._unverified(node, f"{markup.code(ctx.code(node.func))} runs with signature verification off")
            else:
                self._disabled_checks(node)
        elif name in UNVERIFIED_CLAIMS:
            self._unverified(node, f"{markup.code(ctx.code(node.func))} reads the claims without checking the signature")

    def _disabled_checks(self, node: cst.Call) -> None:
        ctx = self.ctx
        inline, entries = _options_entries(self, node)
        off = [key for key in ("verify_exp", "verify_aud", "verify_iss") if key in entries and entries[key][1] is False]
        if not off:
            return
        what = ", ".join(_CHECKS[key] for key in off)
        fix = None
        # Removing the switch is safe for exp always, for aud/iss only when the expected value is passed.
        needs = {"verify_aud": "audience", "verify_iss": "issuer"}
        if inline is not None and all(key not in needs or ctx.keyword(node, needs[key]) for key in off):
            new_options: cst.CSTNode = inline
            for key in off:
                element = _dict_entries(ctx, new_options)[key][0]  # type: ignore[index]
                new_options = _remove_element(new_options, element) if isinstance(new_options, cst.Dict) \
                    else new_options.with_changes(args=[a for a in new_options.args if a is not element])  # type: ignore[attr-defined]
            empty = not getattr(new_options, "elements", getattr(new_options, "args", None))
            new_call = remove_keyword(node, "options") if empty else node.with_changes(
                args=[a.with_changes(value=new_options) if a.value is inline else a for a in node.args])
            fix = ctx.replace(node, new_call, "turn the check back on")
        effects = {"verify_exp": "expired tokens", "verify_aud": "tokens minted for another audience",
                   "verify_iss": "tokens from another issuer"}
        accepted = " and ".join(effects[key] for key in off)
        todo = "remove the option" + ("" if fix else "".join(
            f" and pass {markup.code(f'{needs[key]}=')}" for key in off if key in needs and not ctx.keyword(node, needs[key])))
        self.report(node, f"{markup.code(ctx.code(node.func))} turns off {what} ({', '.join(markup.code(k + '=False') for k in off)}): "
                    f"{accepted} are accepted; {todo}",
                    fix=fix, severity=Severity.HIGH if "verify_exp" in off else Severity.MEDIUM)

    def _unverified(self, node: cst.Call, how: str) -> None:
        ctx = self.ctx
        func = ctx.enclosing_function()
        scope: cst.CSTNode = func if func is not None else ctx.module
        if self._verifies_elsewhere(scope, node):
            return  # a pre-read (kid, iss, tenant) before the real verification
        use = self._auth_use(scope)
        if use is None:
            return
        strong = (func is not None and _AUTH_FUNCTION.search(func.name.value)) or use.startswith("stored")
        fix = self._fix(node)
        self.report(node, f"{how}, and the unverified claims are {use}: anyone can "
                    "forge a token for any user; decode with the key and `algorithms=` instead",
                    fix=fix, severity=Severity.CRITICAL,
                    confidence=Confidence.HIGH if strong else Confidence.MEDIUM)

    def _fix(self, node: cst.Call) -> Fix | None:
        ctx = self.ctx
        if ctx.qualname(node.func) not in CLAIMS_DECODE or ctx.argument(node, "key", 1) is None:
            return None
        if ctx.keyword(node, "verify") is not None:
            return ctx.replace(node, remove_keyword(node, "verify"), "verify the signature")
        inline, entries = _options_entries(self, node)
        if not isinstance(inline, cst.Dict) or ctx.keyword(node, "algorithms") is None or "verify_signature" not in entries:
            return None
        remaining = _remove_element(inline, entries["verify_signature"][0])
        new_call = remove_keyword(node, "options") if not remaining.elements else node.with_changes(  # type: ignore[attr-defined]
            args=[a.with_changes(value=remaining) if a.value is inline else a for a in node.args])
        return ctx.replace(node, new_call, "verify the signature")

    def _verifies_elsewhere(self, scope: cst.CSTNode, node: cst.Call) -> bool:
        ctx = self.ctx
        for other, _ in _scope_nodes(scope):
            if other is node or not isinstance(other, cst.Call):
                continue
            name = ctx.qualname(other.func) or ""
            if name in AUTHLIB_DECODE_ALL or (name in CLAIMS_DECODE and not _signature_off(self, other)):
                return True
            last = ctx.code(other.func).rsplit(".", 1)[-1]
            if name not in UNVERIFIED_CLAIMS and _VERIFY_HELPER.search(last):
                return True
        return False

    def _auth_use(self, scope: cst.CSTNode) -> str | None:
        """How the current call's result is used for identity, or None when only peeked at/logged/unused."""
        stack = self.ctx.stack
        node, i = stack[-1], len(stack) - 2
        parent = stack[i]
        if isinstance(parent, cst.Subscript) and parent.value is node:
            key = _subscript_key(parent)
            if key in _BENIGN_CLAIMS:
                return None
            node, i = parent, i - 1
            parent = stack[i]
        if self._benign_get(node, stack[i], stack[i - 1] if i else None):
            return None
        for ancestor in reversed(stack[: i + 1]):
            if isinstance(ancestor, cst.Call) and _is_log_call(self.ctx, ancestor):
                return None
            if isinstance(ancestor, cst.Return):
                return "returned"
            if isinstance(ancestor, cst.Assign):
                return self._assigned(ancestor, scope)
            if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                break
        return None if isinstance(parent, cst.Expr) else "used to decide access"

    def _benign_get(self, node: cst.CSTNode, parent: cst.CSTNode, grand: cst.CSTNode | None) -> bool:
        """``claims.get("kid")`` and alike."""
        if isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value == "get" \
                and isinstance(grand, cst.Call) and grand.args:
            return self.ctx.literal(grand.args[0].value) in _BENIGN_CLAIMS
        return False

    def _assigned(self, assign: cst.Assign, scope: cst.CSTNode) -> str | None:
        for target in assign.targets:
            if not isinstance(target.target, cst.Name):
                return f"stored in {markup.code(self.ctx.code(target.target))}"
        names = {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
        for name_node, path in _scope_nodes(scope):
            if not isinstance(name_node, cst.Name) or name_node.value not in names:
                continue
            parent = path[-1]
            if isinstance(parent, (cst.AssignTarget, cst.Param)) or (
                    isinstance(parent, cst.Attribute) and parent.attr is name_node):
                continue
            if any(isinstance(a, cst.Call) and _is_log_call(self.ctx, a) for a in path):
                continue
            if isinstance(parent, cst.Subscript) and parent.value is name_node and _subscript_key(parent) in _BENIGN_CLAIMS:
                continue
            if self._benign_get(name_node, parent, path[-2] if len(path) > 1 else None):
                continue
            if any(isinstance(a, cst.Return) for a in path):
                return "returned"
            return "used to decide access"
        return None


# --- AR204 ---------------------------------------------------------------------------

_SAFE_PAYLOAD_READERS = frozenset({"json.dumps", "builtins.print", "builtins.len", "builtins.str", "builtins.repr",
                                   "builtins.dict", "builtins.sorted", "builtins.list", "copy.copy", "copy.deepcopy"})
_READ_METHODS = frozenset({"get", "copy", "items", "keys", "values", "__getitem__", "__contains__"})
_OTHER_EXPIRY = re.compile(r"(?i)^exp")


def _encode_payload(ctx: FileContext, call: cst.Call, name: str) -> cst.BaseExpression | None:
    if name in AUTHLIB_ENCODE:
        return ctx.argument(call, "payload", 1)
    arg = ctx.keyword(call, "payload") or ctx.keyword(call, "claims") or ctx.positional(call, 0)
    return arg.value if arg is not None else None


def _payload_claims(ctx: FileContext, payload: cst.BaseExpression | None,
                    scopes: list[cst.CSTNode] | None = None) -> tuple[cst.CSTNode, dict[str, cst.BaseExpression]] | None:
    """(the dict literal or ``dict()`` call written in code, claim -> value) when every claim is known.

    A payload bound to a name counts later ``payload["k"] = v`` / ``payload.update(k=v)`` /
    ``setdefault`` in the same scope; anything it is handed to (that might add claims) makes it unknown.
    ``scopes`` (innermost first) replaces the traversal stack when resolving names ahead of the walk.
    """
    entries = _dict_entries(ctx, payload)
    if entries is not None:
        return payload, {key: value for key, (_, value) in entries.items()}  # type: ignore[return-value]
    if not isinstance(payload, cst.Name):
        return None
    if scopes is None:
        scope, bound = _binding_scope(ctx, payload.value), ctx.value_of(payload)
    else:
        scope, bound = _bound_in(ctx, payload.value, scopes)
    entries = _dict_entries(ctx, bound)
    if scope is None or bound is None or entries is None:
        return None
    claims = {key: value for key, (_, value) in entries.items()}
    for node, path in _scope_nodes(scope):
        if not (isinstance(node, cst.Name) and node.value == payload.value) or isinstance(path[-1], cst.AssignTarget):
            continue
        if not _record_mutation(ctx, node, path, claims):
            return None
    return bound, claims


def _bound_in(ctx: FileContext, name: str, scopes: list[cst.CSTNode]) -> tuple[cst.CSTNode | None, cst.BaseExpression | None]:
    """The scope binding ``name`` and its one value, searching ``scopes`` (innermost first)."""
    for scope in scopes:
        values = ctx.index.bindings.get((id(scope), name))
        if values is not None:
            return scope, values[0] if len(values) == 1 else None
    return None, None


def _calls_with_scopes(module: cst.Module) -> Iterator[tuple[cst.Call, list[cst.CSTNode]]]:
    """Every call in the module with its scopes, innermost function first, module last."""
    pending: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(module, [module])]
    while pending:
        root, scopes = pending.pop()
        for node, _ in _scope_nodes(root):
            if isinstance(node, cst.Call):
                yield node, scopes
            elif isinstance(node, cst.FunctionDef):
                pending.append((node, [node, *scopes]))


def _record_mutation(ctx: FileContext, node: cst.Name, path: list[cst.CSTNode],
                     claims: dict[str, cst.BaseExpression]) -> bool:
    """Adds the claims this use of the payload name sets; False when the use may add unknown claims."""
    parent = path[-1]
    grand = path[-2] if len(path) > 1 else None
    if isinstance(parent, cst.Subscript) and parent.value is node:
        if isinstance(grand, cst.AssignTarget):
            key = _subscript_key(parent)
            if not isinstance(key, str):
                return False
            assign = path[-3]
            claims[key] = assign.value  # type: ignore[attr-defined]
        return True
    if isinstance(parent, cst.Attribute) and parent.value is node:
        call = grand
        if not (isinstance(call, cst.Call) and call.func is parent):
            return True
        method = parent.attr.value
        if method in _READ_METHODS or method == "pop":
            return True
        if method == "setdefault" and call.args and isinstance(ctx.literal(call.args[0].value), str):
            claims[ctx.literal(call.args[0].value)] = call.args[1].value if len(call.args) > 1 else call.args[0].value
            return True
        if method == "update":
            for arg in call.args:
                if arg.star:
                    return False
                if arg.keyword is not None:
                    claims[arg.keyword.value] = arg.value
                    continue
                entries = _dict_entries(ctx, arg.value)
                if entries is None:
                    return False
                claims.update({k: v for k, (_, v) in entries.items()})
            return True
        return False
    if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call):
        name = ctx.qualname(grand.func)
        return name in ALL_ENCODE or name in _SAFE_PAYLOAD_READERS or _is_log_call(ctx, grand)
    return True


def _is_refresh(ctx: FileContext, claims: dict[str, cst.BaseExpression], *names: str | None) -> bool:
    for key in ("type", "token_type", "typ", "token_use", "kind"):
        if key in claims and "refresh" in str(ctx.string(claims[key]) or "").lower():
            return True
    return any(name and "refresh" in name.lower() for name in names)


class JwtMissingExpiry(Rule):
    """What it does: flags JWTs encoded (PyJWT, python-jose, authlib) from a payload that has
    no ``exp`` claim: a dict literal, ``dict(...)``, or a name bound to one in the same function
    (claims added later with ``payload["exp"] = ...``/``payload.update(exp=...)`` count).
    Payloads built elsewhere (parameters, helper results, ``**kwargs``) are not judged.

    Why is this bad: a token without ``exp`` is valid forever. Once leaked (logs, browser
    storage, a proxy) it keeps working after logout, password change or account removal.

    Example:
        token = jwt.encode({"sub": str(user.id)}, KEY, algorithm="HS256")

    Use instead:
        token = jwt.encode(
            {"sub": str(user.id), "exp": datetime.now(timezone.utc) + timedelta(minutes=15)},
            KEY, algorithm="HS256",
        )
    """

    id = "AR204"
    name = "jwt-missing-expiry"
    title = "JWT issued without expiry"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 613
    in_tests = False  # fixtures mint throwaway tokens
    prefilter = re.compile(r"\bjwt\b|\bjose\b")

    VALID = [
        'import jwt\nfrom datetime import datetime, timedelta, timezone\n'
        'token = jwt.encode({"sub": uid, "exp": datetime.now(timezone.utc) + timedelta(minutes=5)}, KEY, algorithm="HS256")',
        # exp added after the literal.
        "import jwt\nimport time\n"
        "def issue(uid):\n"
        '    payload = {"sub": uid}\n'
        '    payload["exp"] = int(time.time()) + 600\n'
        '    return jwt.encode(payload, KEY, algorithm="HS256")\n',
        "import jwt\n"
        "def issue(uid, ttl):\n"
        '    payload = dict(sub=uid)\n'
        '    payload.update(exp=ttl)\n'
        '    return jwt.encode(payload, KEY, algorithm="HS256")\n',
        # Unknown payloads: a parameter, a helper that may add claims.
        'import jwt\ndef sign(claims):\n    return jwt.encode(claims, KEY, algorithm="HS256")\n',
        "import jwt\n"
        "def issue(uid):\n"
        '    payload = {"sub": uid}\n'
        "    add_standard_claims(payload)\n"
        '    return jwt.encode(payload, KEY, algorithm="HS256")\n',
        'import jwt\ntoken = jwt.encode({**base, "sub": uid}, KEY, algorithm="HS256")',
        # Not a JWT library.
        'import json\nblob = json.encode({"sub": uid})',
        # authlib: the first argument is the header.
        'from authlib.jose import jwt\ns = jwt.encode({"alg": "HS256"}, {"sub": uid, "exp": deadline}, KEY)',
    ]
    INVALID = [
        Invalid(
            'import jwt\nfrom datetime import datetime, timedelta, timezone\n'
            'token = jwt.encode({"sub": uid}, KEY, algorithm="HS256")',
            fixed='import jwt\nfrom datetime import datetime, timedelta, timezone\n'
            'token = jwt.encode({"sub": uid, "exp": datetime.now(timezone.utc) + timedelta(minutes=15)}, KEY, algorithm="HS256")',
        ),
        # A payload variable, multi-line, with `import datetime`.
        Invalid(
            "import datetime\nfrom jose import jwt as jose_jwt\n"
            "def issue(user):\n"
            "    claims = {\n"
            '        "sub": str(user.id),\n'
            '        "role": user.role,\n'
            "    }\n"
            '    claims["iat"] = datetime.datetime.now(datetime.timezone.utc)\n'
            '    return jose_jwt.encode(claims, KEY, algorithm="HS256")\n',
            fixed="import datetime\nfrom jose import jwt as jose_jwt\n"
            "def issue(user):\n"
            "    claims = {\n"
            '        "sub": str(user.id),\n'
            '        "role": user.role,\n'
            '        "exp": datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=15),\n'
            "    }\n"
            '    claims["iat"] = datetime.datetime.now(datetime.timezone.utc)\n'
            '    return jose_jwt.encode(claims, KEY, algorithm="HS256")\n',
        ),
        # dict(...) with no datetime import: the message says which import to add.
        Invalid(
            "import jwt\ndef refresh_token(uid):\n    return jwt.encode(dict(sub=uid, type='refresh'), KEY)\n",
            fixed="import jwt\ndef refresh_token(uid):\n"
            "    return jwt.encode(dict(sub=uid, type='refresh', exp=datetime.now(timezone.utc) + timedelta(days=7)), KEY)\n",
        ),
        Invalid(
            'from authlib.jose import jwt\nfrom datetime import datetime, timedelta, timezone\n'
            's = jwt.encode({"alg": "HS256"}, {"sub": uid}, KEY)',
            fixed='from authlib.jose import jwt\nfrom datetime import datetime, timedelta, timezone\n'
            's = jwt.encode({"alg": "HS256"}, {"sub": uid, "exp": datetime.now(timezone.utc) + timedelta(minutes=15)}, KEY)',
        ),
        Invalid(
            'import jwt\nfrom datetime import datetime, timedelta, timezone\n'
            'token = jwt.PyJWT().encode(payload={"sub": uid}, key=KEY)',
            fixed='import jwt\nfrom datetime import datetime, timedelta, timezone\n'
            'token = jwt.PyJWT().encode(payload={"sub": uid, "exp": datetime.now(timezone.utc) + timedelta(minutes=15)}, key=KEY)',
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._pending: dict[int, tuple[str, str | None, dict[str, cst.BaseExpression]]] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self._prescan(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._prescan(node)

    def _prescan(self, scope: cst.CSTNode) -> None:
        """Find this scope's encodes now, so a finding lands on the payload literal with its own position."""
        ctx = self.ctx
        for call, _ in _scope_nodes(scope):
            if not isinstance(call, cst.Call):
                continue
            name = ctx.qualname(call.func)
            if name not in ALL_ENCODE or ctx.has_star_kwargs(call):
                continue
            payload = _encode_payload(ctx, call, name)
            found = _payload_claims(ctx, payload)
            if found is None or any(_OTHER_EXPIRY.match(key) for key in found[1]):
                continue
            literal, claims = found
            holder = payload.value if isinstance(payload, cst.Name) else None  # type: ignore[union-attr]
            func = scope.name.value if isinstance(scope, cst.FunctionDef) else None
            self._pending.setdefault(id(literal), (ctx.code(call.func), _is_refresh(ctx, claims, holder, func) and "refresh"
                                                   or None, claims))

    def visit_Dict(self, node: cst.Dict) -> None:
        self._maybe_report(node)

    def visit_Call(self, node: cst.Call) -> None:
        self._maybe_report(node)

    def _maybe_report(self, node: cst.Dict | cst.Call) -> None:
        pending = self._pending.pop(id(node), None)
        if pending is None:
            return
        func, kind, claims = pending
        delta = {"days": 7} if kind else {"minutes": 15}
        expression, _, hint = _datetime_expr(self.ctx, **delta)
        if isinstance(node, cst.Dict):
            new: cst.CSTNode = add_dict_element(node, '"exp"', expression)
        else:
            new = add_keyword(node, "exp", expression)
        fix = self.ctx.replace(node, new, f"add an `exp` claim ({'7 days' if kind else '15 minutes'})")
        listed = ", ".join(markup.code(key) for key in claims) or "no claims"
        self.report(node, _with_hint(f"the {kind or 'token'} payload passed to {markup.code(func)} ({listed}) has no `exp` claim, "
                                     "so the token never expires; add `\"exp\"`", hint), fix=fix)


# --- AR205 ---------------------------------------------------------------------------

_ACCESS_LIMIT = 3600
_REFRESH_LIMIT = 7 * 86400
_TD_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1,
               "milliseconds": 0.001, "microseconds": 0.000001}
_TD_POSITIONAL = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
# Lifetime settings by name: JWT_ACCESS_TOKEN_EXPIRES, ACCESS_TOKEN_LIFETIME, ACCESS_TOKEN_EXPIRE_MINUTES...
_LIFETIME_NAME = re.compile(
    r"(?i)^(?=.*(?:ACCESS|REFRESH|JWT|SLIDING))(?=.*(?:TOKEN|JWT))(?=.*(?:EXPIR|LIFETIME|TTL))[A-Z0-9_]*?"
    r"(?:_(?P<unit>SECONDS|SECS|MINUTES|MINS|HOURS|HRS|DAYS|WEEKS))?$")
# Tokens for something other than a session: reset links, e-mail confirmation... (not this rule's limits).
_OTHER_PURPOSE = re.compile(r"(?i)reset|verif|confirm|invit|activat|email|magic|password|otp|unsubscribe|"
                            r"download|share|signup|register|leeway|cookie|cache|upload|link|personal|api_?key")
# Flask-JWT-Extended settings where False means "never expires" and an int means seconds.
FJE_LIFETIMES = frozenset({"JWT_ACCESS_TOKEN_EXPIRES", "JWT_REFRESH_TOKEN_EXPIRES"})
FJE_CREATE = frozenset({"flask_jwt_extended.create_access_token", "flask_jwt_extended.create_refresh_token",
                        "flask_jwt_extended.utils.create_access_token", "flask_jwt_extended.utils.create_refresh_token"})
_LIFETIME_KWARG = re.compile(r"(?i)^(expires_delta|expires_in|expires|expiry|expiration|lifetime|ttl)$")
_EXP_NAME = re.compile(r"(?i)^_?(?:[a-z]+_)*(?:exp|expire|expires|expiry|expiration)(?:_at|_time|_date|_on|_ts|_timestamp)?$")
_UNITS = {"SECONDS": 1, "SECS": 1, "MINUTES": 60, "MINS": 60, "HOURS": 3600, "HRS": 3600, "DAYS": 86400, "WEEKS": 604800}
_TIME_NOW = frozenset({"time.time", "datetime.datetime.now", "datetime.datetime.utcnow", "calendar.timegm",
                       "time.mktime", "datetime.datetime.utcnow().timestamp", "datetime.datetime.now().timestamp"})


def _timedelta_seconds(ctx: FileContext, node: cst.CSTNode | None) -> float | None:
    if not (isinstance(node, cst.Call) and ctx.qualname(node.func) in TIMEDELTA):
        return None
    total, position = 0.0, 0
    for arg in node.args:
        if arg.star:
            return None
        if arg.keyword is None:
            if position >= len(_TD_POSITIONAL):
                return None
            unit, position = _TD_POSITIONAL[position], position + 1
        else:
            unit = arg.keyword.value
        value = ctx.literal(arg.value)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or unit not in _TD_SECONDS:
            return None
        total += value * _TD_SECONDS[unit]
    return total


def _lifetime_kind(*names: str | None) -> str | None:
    """"refresh", "access" or None (a token for something else) from the names around a lifetime."""
    text = " ".join(n for n in names if n)
    if re.search(r"(?i)refresh|remember", text):
        return "refresh"
    return None if _OTHER_PURPOSE.search(text) else "access"


def _describe(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit if count != 1 else unit[:-1]}"
    return f"{seconds:g} seconds"


def _uses_now(ctx: FileContext, node: cst.CSTNode) -> bool:
    """Whether an expression reads the clock (``time.time()``, ``datetime.now().timestamp()``, a ``now`` name)."""
    for child in (node, *ctx.descendants(node)):
        if isinstance(child, cst.Call) and (ctx.qualname(child.func) or "") in _TIME_NOW:
            return True
        if isinstance(child, cst.Attribute) and child.attr.value == "timestamp":
            return True
        if isinstance(child, cst.Name) and re.search(r"(?i)now|issued|iat", child.value):
            return True
    return False


class JwtLongLifetime(Rule):
    """What it does: flags access tokens that live longer than 60 minutes and refresh tokens
    that live longer than 7 days (or never expire): ``exp`` computed as ``now + timedelta(...)``
    or ``time.time() + seconds``, Flask-JWT-Extended ``JWT_ACCESS_TOKEN_EXPIRES`` /
    ``JWT_REFRESH_TOKEN_EXPIRES`` (including ``False``) and ``create_access_token(expires_delta=...)``,
    simplejwt ``ACCESS_TOKEN_LIFETIME``/``REFRESH_TOKEN_LIFETIME``, and settings such as
    ``ACCESS_TOKEN_EXPIRE_MINUTES``. Refresh is told from names (``refresh`` in the variable,
    key or function) or a ``"type": "refresh"`` claim; reset/e-mail/invite tokens are left alone.

    Why is this bad: a bearer token cannot be recalled. The longer it lives, the longer a
    stolen one works, and logout, password change or role removal do not stop it.

    Example:
        JWT_ACCESS_TOKEN_EXPIRES = timedelta(days=1)

    Use instead:
        JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    """

    id = "AR205"
    name = "jwt-long-lifetime"
    title = "JWT lifetime too long"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 613
    in_tests = False
    prefilter = re.compile(r"(?i)timedelta|expir|lifetime|ttl|\bexp\b")

    VALID = [
        'from datetime import timedelta\nJWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)\n'
        'JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=7)',
        'ACCESS_TOKEN_EXPIRE_MINUTES = 60',
        'from datetime import timedelta\nSIMPLE_JWT = {"ACCESS_TOKEN_LIFETIME": timedelta(minutes=5), '
        '"REFRESH_TOKEN_LIFETIME": timedelta(days=1)}',
        # Not a login token: a password-reset link, a cookie.
        'import jwt\nfrom datetime import datetime, timedelta\n'
        'def reset_link(user):\n'
        '    return jwt.encode({"sub": user.id, "exp": datetime.utcnow() + timedelta(days=2)}, KEY, algorithm="HS256")\n',
        'from datetime import datetime, timedelta\ndef remember(resp):\n'
        '    expires = datetime.utcnow() + timedelta(days=30)\n    resp.set_cookie("theme", "dark", expires=expires)\n',
        # A lifetime from the environment.
        'import os\nfrom datetime import timedelta\n'
        'JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=int(os.environ["ACCESS_TTL"]))',
        'import time\ndef refresh_claims(uid):\n    return {"sub": uid, "type": "refresh", "exp": time.time() + 86400}\n',
        # Other dict keys that happen to mention expiry.
        'from datetime import timedelta\nCACHE = {"TIMEOUT": timedelta(days=3)}',
    ]
    INVALID = [
        Invalid(
            'from datetime import timedelta\napp.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(days=1)',
            fixed='from datetime import timedelta\napp.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(minutes=15)',
        ),
        Invalid(
            'app.config["JWT_REFRESH_TOKEN_EXPIRES"] = False',
            fixed='app.config["JWT_REFRESH_TOKEN_EXPIRES"] = timedelta(days=7)',
        ),
        Invalid(
            'import datetime\nSIMPLE_JWT = {\n    "ACCESS_TOKEN_LIFETIME": datetime.timedelta(hours=12),\n'
            '    "REFRESH_TOKEN_LIFETIME": datetime.timedelta(days=90),\n}\n',
            fixed='import datetime\nSIMPLE_JWT = {\n    "ACCESS_TOKEN_LIFETIME": datetime.timedelta(minutes=15),\n'
            '    "REFRESH_TOKEN_LIFETIME": datetime.timedelta(days=90),\n}\n',
            count=2,
        ),
        Invalid('ACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24 * 8', fixed='ACCESS_TOKEN_EXPIRE_MINUTES = 15'),
        Invalid(
            'class Settings(BaseSettings):\n    refresh_token_expire_days: int = 30\n',
            fixed='class Settings(BaseSettings):\n    refresh_token_expire_days: int = 7\n',
        ),
        Invalid(
            "import jwt\nfrom datetime import datetime, timedelta, timezone\n"
            "def create_access_token(user):\n"
            "    payload = {\n"
            '        "sub": str(user.id),\n'
            '        "exp": datetime.now(timezone.utc) + timedelta(hours=24),\n'
            "    }\n"
            '    return jwt.encode(payload, KEY, algorithm="HS256")\n',
            fixed="import jwt\nfrom datetime import datetime, timedelta, timezone\n"
            "def create_access_token(user):\n"
            "    payload = {\n"
            '        "sub": str(user.id),\n'
            '        "exp": datetime.now(timezone.utc) + timedelta(minutes=15),\n'
            "    }\n"
            '    return jwt.encode(payload, KEY, algorithm="HS256")\n',
        ),
        # exp through a variable, as seconds.
        Invalid(
            "import time\nimport jwt\n"
            "def issue(uid):\n"
            "    expires_at = int(time.time()) + 86400\n"
            '    return jwt.encode({"sub": uid, "exp": expires_at}, KEY)\n',
            fixed="import time\nimport jwt\n"
            "def issue(uid):\n"
            "    expires_at = int(time.time()) + 900\n"
            '    return jwt.encode({"sub": uid, "exp": expires_at}, KEY)\n',
        ),
        Invalid(
            "from datetime import timedelta\nfrom flask_jwt_extended import create_access_token\n"
            "def login(user):\n    return create_access_token(identity=user.id, expires_delta=False)\n",
            fixed="from datetime import timedelta\nfrom flask_jwt_extended import create_access_token\n"
            "def login(user):\n    return create_access_token(identity=user.id, expires_delta=timedelta(minutes=15))\n",
        ),
        Invalid(
            "from datetime import datetime, timedelta\n"
            "def create_refresh_token(data: dict, expires_delta: timedelta = timedelta(days=30)):\n"
            '    return encode({**data, "exp": datetime.utcnow() + expires_delta})\n',
            fixed="from datetime import datetime, timedelta\n"
            "def create_refresh_token(data: dict, expires_delta: timedelta = timedelta(days=7)):\n"
            '    return encode({**data, "exp": datetime.utcnow() + expires_delta})\n',
        ),
        # A constant named for the job is flagged where it is set, not where it is used.
        Invalid(
            "from datetime import datetime, timedelta\nimport jwt\n"
            "ACCESS_TOKEN_EXPIRE_HOURS = 12\n"
            "def issue(uid):\n"
            '    exp = datetime.utcnow() + timedelta(hours=ACCESS_TOKEN_EXPIRE_HOURS)\n'
            '    return jwt.encode({"sub": uid, "exp": exp}, KEY)\n',
            fixed="from datetime import datetime, timedelta\nimport jwt\n"
            "ACCESS_TOKEN_EXPIRE_HOURS = 1\n"
            "def issue(uid):\n"
            '    exp = datetime.utcnow() + timedelta(hours=ACCESS_TOKEN_EXPIRE_HOURS)\n'
            '    return jwt.encode({"sub": uid, "exp": exp}, KEY)\n',
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._reported: set[int] = set()

    # --- settings: JWT_ACCESS_TOKEN_EXPIRES = ..., "ACCESS_TOKEN_LIFETIME": ..., expires_delta=... ---
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._setting(target_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._setting(target_name(node.target), node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = self.ctx.string(node.key) if isinstance(node.key, _STRING) else None
        if key == "exp":
            self._exp_value(node.value)
        else:
            self._setting(key, node.value)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        callee = ctx.qualname(node.func) or ctx.code(node.func)
        last = callee.rsplit(".", 1)[-1]
        for arg in node.args:
            if arg.keyword is None:
                continue
            if arg.keyword.value == "exp":
                self._exp_value(arg.value)
            elif _LIFETIME_KWARG.match(arg.keyword.value) and (callee in FJE_CREATE or re.search(r"(?i)token|jwt", last)):
                self._lifetime(arg.value, _lifetime_kind(last), f"{markup.code(arg.keyword.value)} of {markup.code(ctx.code(node.func))}",
                               never_ok=callee in FJE_CREATE)
            else:
                self._setting(arg.keyword.value, arg.value)

    def visit_Param(self, node: cst.Param) -> None:
        func = self.ctx.enclosing_function()
        if node.default is None or func is None or not _LIFETIME_KWARG.match(node.name.value):
            return
        if re.search(r"(?i)token|jwt", func.name.value):
            self._lifetime(node.default, _lifetime_kind(func.name.value),
                           f"the default {markup.code(node.name.value)} of {markup.code(func.name.value)}")

    def _setting(self, name: str | None, value: cst.BaseExpression) -> None:
        match = _LIFETIME_NAME.match(name or "")
        if not name or not match or _OTHER_PURPOSE.search(name):
            return
        unit = match.group("unit")
        self._lifetime(value, _lifetime_kind(name), markup.code(name), unit=unit.upper() if unit else None,
                       never_ok=name.upper() in FJE_LIFETIMES, int_seconds=name.upper() in FJE_LIFETIMES)

    def _lifetime(self, value: cst.BaseExpression, kind: str | None, what: str, unit: str | None = None,
                  never_ok: bool = False, int_seconds: bool = False) -> None:
        ctx = self.ctx
        if kind is None or id(value) in self._reported:
            return
        limit = _REFRESH_LIMIT if kind == "refresh" else _ACCESS_LIMIT
        if never_ok and ctx.literal(value) is False:
            text, hint = _timedelta_only(ctx, **({"days": 7} if kind == "refresh" else {"minutes": 15}))
            self._reported.add(id(value))
            self.report(value, _with_hint(f"{what} is `False`: {kind} tokens never expire; "
                                          f"set {markup.code(text)}", hint), fix=ctx.replace(value, text, "set a lifetime"),
                        severity=Severity.HIGH)
            return
        seconds = _timedelta_seconds(ctx, value)
        fix_text: str | None = None
        if seconds is not None:
            fix_text = f"{ctx.code(value.func)}({'days=7' if kind == 'refresh' else 'minutes=15'})"  # type: ignore[attr-defined]
        else:
            number = ctx.literal(value)
            size = _UNITS.get(unit or "", 1 if int_seconds else 0)
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not size:
                return
            seconds = number * size
            target = (_REFRESH_LIMIT if kind == "refresh" else 900) / size
            fix_text = str(int(target)) if target >= 1 and target == int(target) else (
                "1" if kind == "access" and size == 3600 else None)
        if seconds <= limit:
            return
        self._reported.add(id(value))
        fix = ctx.replace(value, fix_text, "shorten the lifetime") if fix_text else None
        self.report(value, f"{what} lets {kind} tokens live {_describe(seconds)} (limit: "
                    f"{'7 days' if kind == 'refresh' else '60 minutes'}); a stolen token stays usable that long",
                    fix=fix)

    # --- exp claims: "exp": now + timedelta(hours=24), exp = time.time() + 86400 ----------------
    def _exp_value(self, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Name):
            return  # judged where the name is assigned (visit_Assign below reads it)
        self._exp_expression(value, self._names())

    def leave_Assign(self, node: cst.Assign) -> None:
        names = [target_name(t.target) for t in node.targets]
        exp_target = any(isinstance(t.target, cst.Subscript) and target_name(t.target) == "exp" for t in node.targets)
        name_targets = [t.target.value for t in node.targets
                        if isinstance(t.target, cst.Name) and _EXP_NAME.match(t.target.value)]
        if exp_target or (name_targets and self._used_as_exp(name_targets)):
            self._exp_expression(node.value, self._names(*names))

    def _used_as_exp(self, names: list[str]) -> bool:
        """Whether one of ``names`` is put in an ``exp`` claim in this scope."""
        for node, _ in _scope_nodes(_scope_of(self.ctx)):
            value = None
            if isinstance(node, cst.DictElement) and self.ctx.string(node.key) == "exp":
                value = node.value
            elif isinstance(node, cst.Arg) and node.keyword is not None and node.keyword.value == "exp":
                value = node.value
            elif isinstance(node, cst.Assign) and any(target_name(t.target) == "exp" and isinstance(t.target, cst.Subscript)
                                                      for t in node.targets):
                value = node.value
            if isinstance(value, cst.Name) and value.value in names:
                return True
        return False

    def _names(self, *extra: str | None) -> list[str | None]:
        """Names that tell what the token is for: the function, assignment targets, a "type" claim."""
        ctx = self.ctx
        names: list[str | None] = list(extra)
        func = ctx.enclosing_function()
        if func is not None:
            names.append(func.name.value)
        for node in reversed(ctx.stack):
            if isinstance(node, cst.Assign):
                names.extend(target_name(t.target) for t in node.targets)
            if isinstance(node, cst.Dict):
                claims = {k: v for k, (_, v) in (_dict_entries(ctx, node) or {}).items()}
                if _is_refresh(ctx, claims):
                    names.append("refresh")
        return names

    def _exp_expression(self, value: cst.BaseExpression, names: list[str | None]) -> None:
        ctx = self.ctx
        kind = _lifetime_kind(*names)
        if kind is None:
            return
        for node in (value, *ctx.descendants(value)):
            if not (isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add)):
                continue
            for amount, other in ((node.right, node.left), (node.left, node.right)):
                if isinstance(amount, cst.Call) and ctx.qualname(amount.func) in TIMEDELTA:
                    if not self._named_setting(amount):
                        self._lifetime(amount, kind, "the `exp` claim")
                    return
                number = ctx.literal(amount)
                if isinstance(number, (int, float)) and not isinstance(number, bool) and _uses_now(ctx, other):
                    if not (isinstance(amount, cst.Name) and _LIFETIME_NAME.match(amount.value)):
                        self._lifetime(amount, kind, "the `exp` claim", int_seconds=True)
                    return

    def _named_setting(self, call: cst.Call) -> bool:
        """``timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)``: the setting is judged where it is defined."""
        return any(isinstance(arg.value, cst.Name) and _LIFETIME_NAME.match(arg.value.value) for arg in call.args)


# --- AR206 ---------------------------------------------------------------------------

_AUDIENCE_NAME = re.compile(r"(?i)(?:^|_)(?:AUDIENCE|AUD)$")
_ISSUER_NAME = re.compile(r"(?i)(?:^|_)(?:ISSUER|ISS)$")


class JwtAudienceIssuerUnchecked(Rule):
    """What it does: in a file that issues tokens with an ``aud`` or ``iss`` claim (or defines
    a ``JWT_AUDIENCE``/``JWT_ISSUER``-style constant), flags PyJWT/python-jose decodes that
    pass neither ``audience=`` nor ``issuer=``. (``verify_aud=False`` is reported by AR203.)

    Why is this bad: the project scopes its tokens to an audience or issuer, but this decode
    does not check it, so a token minted for another service (or by another issuer) sharing
    the key is accepted here.

    Example:
        token = jwt.encode({"sub": uid, "aud": "billing-api", "exp": exp}, KEY, algorithm="HS256")
        claims = jwt.decode(token, KEY, algorithms=["HS256"])

    Use instead:
        claims = jwt.decode(token, KEY, algorithms=["HS256"], audience="billing-api")
    """

    id = "AR206"
    name = "jwt-audience-issuer-unchecked"
    title = "JWT audience/issuer not checked"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = 345
    prefilter = re.compile(r"""(?i)['"](?:aud|iss)['"]|\b(?:aud|iss)\s*=|audience|issuer""")

    VALID = [
        # Nothing says this project uses aud/iss.
        'import jwt\nclaims = jwt.decode(token, KEY, algorithms=["HS256"])',
        'import jwt\nAUDIENCE = "api"\nclaims = jwt.decode(token, KEY, algorithms=["HS256"], audience=AUDIENCE)',
        'import jwt\nISSUER = "https://auth.example.com"\n'
        'claims = jwt.decode(token, KEY, algorithms=["RS256"], issuer=ISSUER)',
        # aud in a dict that is not a token payload.
        'import jwt\nLABELS = {"aud": "Australian dollar"}\nclaims = jwt.decode(token, KEY, algorithms=["HS256"])',
        # Verification off: AR203's business.
        'import jwt\nJWT_AUDIENCE = "api"\nclaims = jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_aud": False})',
        'import jwt\nJWT_AUDIENCE = "api"\ndef decode(token, **kw):\n    return jwt.decode(token, KEY, algorithms=["HS256"], **kw)\n',
    ]
    INVALID = [
        Invalid(
            "import jwt\n"
            "def issue(uid, exp):\n"
            '    return jwt.encode({"sub": uid, "aud": "billing-api", "exp": exp}, KEY, algorithm="HS256")\n'
            "def verify(token):\n"
            '    return jwt.decode(token, KEY, algorithms=["HS256"])\n',
            fixed="import jwt\n"
            "def issue(uid, exp):\n"
            '    return jwt.encode({"sub": uid, "aud": "billing-api", "exp": exp}, KEY, algorithm="HS256")\n'
            "def verify(token):\n"
            '    return jwt.decode(token, KEY, algorithms=["HS256"], audience="billing-api")\n',
        ),
        # The decode comes first; the issuer is set on a payload variable.
        Invalid(
            "from jose import jwt\n"
            "ISSUER = 'https://auth.example.com'\n"
            "def verify(token):\n"
            "    return jwt.decode(\n"
            "        token,\n"
            "        PUBLIC_KEY,\n"
            '        algorithms=["RS256"],\n'
            "    )\n"
            "def issue(uid):\n"
            '    claims = {"sub": uid}\n'
            '    claims["iss"] = ISSUER\n'
            '    return jwt.encode(claims, PRIVATE_KEY, algorithm="RS256")\n',
            fixed="from jose import jwt\n"
            "ISSUER = 'https://auth.example.com'\n"
            "def verify(token):\n"
            "    return jwt.decode(\n"
            "        token,\n"
            "        PUBLIC_KEY,\n"
            '        algorithms=["RS256"],\n'
            "        issuer=ISSUER,\n"
            "    )\n"
            "def issue(uid):\n"
            '    claims = {"sub": uid}\n'
            '    claims["iss"] = ISSUER\n'
            '    return jwt.encode(claims, PRIVATE_KEY, algorithm="RS256")\n',
        ),
        Invalid(
            'import os\nimport jwt\nJWT_AUDIENCE = os.environ["JWT_AUDIENCE"]\n'
            'from jwt import decode as d\nclaims = d(token, KEY, algorithms=["HS256"])',
            fixed='import os\nimport jwt\nJWT_AUDIENCE = os.environ["JWT_AUDIENCE"]\n'
            'from jwt import decode as d\nclaims = d(token, KEY, algorithms=["HS256"], audience=JWT_AUDIENCE)',
        ),
        # The audience is per-request: flagged, no mechanical fix.
        Invalid(
            "import jwt\n"
            "def issue(uid, client):\n"
            '    return jwt.encode({"sub": uid, "aud": client.id}, KEY)\n'
            "def verify(token):\n"
            '    return jwt.decode(token, KEY, algorithms=["HS256"])\n',
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._evidence: dict[str, str | None] = {}  # "audience"/"issuer" -> source for the fix (None: unknown)

    def visit_Module(self, node: cst.Module) -> None:
        """Gather the evidence first: the decode may come before the encode in the file."""
        ctx = self.ctx
        for (scope_id, name), values in ctx.index.bindings.items():
            if scope_id != id(node) or len(values) != 1 or values[0] is None:
                continue
            for keyword, pattern in (("audience", _AUDIENCE_NAME), ("issuer", _ISSUER_NAME)):
                if pattern.search(name):
                    self._evidence.setdefault(keyword, name)
        for call, scopes in _calls_with_scopes(node):
            name = ctx.qualname(call.func)
            if name in ALL_ENCODE:
                self._claims(call, name, scopes)

    def _claims(self, call: cst.Call, name: str, scopes: list[cst.CSTNode]) -> None:
        found = _payload_claims(self.ctx, _encode_payload(self.ctx, call, name), scopes)
        if found is None:
            return
        for claim, keyword in (("aud", "audience"), ("iss", "issuer")):
            if claim not in found[1]:
                continue
            value = found[1][claim]
            constant = isinstance(value, _STRING) or (
                isinstance(value, cst.Name) and (id(self.ctx.module), value.value) in self.ctx.index.bindings)
            if self._evidence.get(keyword) is None:
                self._evidence[keyword] = self.ctx.code(value) if constant else None

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        if not self._evidence or ctx.qualname(node.func) not in CLAIMS_DECODE or not self._judged(node):
            return
        keyword = "audience" if "audience" in self._evidence else "issuer"
        value = self._evidence[keyword]
        claim = "aud" if keyword == "audience" else "iss"
        fix = ctx.replace(node, add_keyword(node, keyword, value), f"check the {keyword}") if value else None
        shown = f" ({markup.code(value)})" if value else ""
        self.report(node, f"this module scopes its tokens with an {markup.code(claim)} claim{shown}, but {markup.code(ctx.code(node.func))} "
                    "checks neither `audience=` nor `issuer=`: tokens minted for another service with the same key "
                    f"are accepted; pass {markup.code(f'{keyword}=')}", fix=fix)

    def _judged(self, call: cst.Call) -> bool:
        ctx = self.ctx
        if ctx.has_star_kwargs(call) or _signature_off(self, call):
            return False
        if ctx.keyword(call, "audience") or ctx.keyword(call, "issuer") or ctx.positional(call, 4) is not None:
            return False
        _, entries = _options_entries(self, call)
        return not any(entries.get(k, (None, True))[1] is False for k in ("verify_aud", "verify_iss"))


# --- AR207 ---------------------------------------------------------------------------

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
    if isinstance(node, _STRING) and ctx.is_literal_string(node):
        value = node.evaluated_value
        return value if isinstance(value, (str, bytes)) else None
    if isinstance(node, cst.Call) and (
            (isinstance(node.func, cst.Attribute) and node.func.attr.value == "encode" and isinstance(node.func.value, _STRING))
            or (ctx.qualname(node.func) == "builtins.bytes" and node.args)):
        inner = node.func.value if isinstance(node.func, cst.Attribute) else node.args[0].value  # type: ignore[union-attr]
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
            self.report(key, _with_hint(f"{where} signs with a key written in the code{weak}: anyone who reads "
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
        os_local, environ_local = _local_for(ctx, "os"), _local_for(ctx, "os.environ")
        if os_local:
            text, hint = f'{os_local}.environ["{env}"]', ""
        elif environ_local:
            text, hint = f'{environ_local}["{env}"]', ""
        else:
            text, hint = f'os.environ["{env}"]', "import os"
        return (f"{text}.encode()" if as_bytes else text), hint
