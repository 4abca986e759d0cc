"""AR203 jwt-verification-disabled: JWT verification disabled."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...findings import Confidence, Fix, Severity
from ...rule import Invalid, Rule
from .._common import remove_keyword
from ._shared import (
    AUTHLIB_DECODE,
    CLAIMS_DECODE,
    dict_entries,
    is_log_call,
    options_entries,
    remove_element,
    scope_nodes,
    signature_off,
    written_subscript_key,
)

AUTHLIB_DECODE_ALL = AUTHLIB_DECODE | frozenset({
    "authlib.jose.JsonWebToken().decode", "authlib.jose.rfc7519.JsonWebToken().decode",
})
UNVERIFIED_CLAIMS = frozenset({"jose.jwt.get_unverified_claims", "jose.jws.get_unverified_claims"})

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
            if signature_off(self, node):
                self._unverified(node, f"{markup.code(ctx.code(node.func))} runs with signature verification off")
            else:
                self._disabled_checks(node)
        elif name in UNVERIFIED_CLAIMS:
            self._unverified(node, f"{markup.code(ctx.code(node.func))} reads the claims without checking the signature")

    def _disabled_checks(self, node: cst.Call) -> None:
        ctx = self.ctx
        inline, entries = options_entries(self, node)
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
                element = dict_entries(ctx, new_options)[key][0]  # type: ignore[index]
                new_options = remove_element(new_options, element) if isinstance(new_options, cst.Dict) \
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
        inline, entries = options_entries(self, node)
        if not isinstance(inline, cst.Dict) or ctx.keyword(node, "algorithms") is None or "verify_signature" not in entries:
            return None
        remaining = remove_element(inline, entries["verify_signature"][0])
        new_call = remove_keyword(node, "options") if not remaining.elements else node.with_changes(  # type: ignore[attr-defined]
            args=[a.with_changes(value=remaining) if a.value is inline else a for a in node.args])
        return ctx.replace(node, new_call, "verify the signature")

    def _verifies_elsewhere(self, scope: cst.CSTNode, node: cst.Call) -> bool:
        ctx = self.ctx
        for other, _ in scope_nodes(scope):
            if other is node or not isinstance(other, cst.Call):
                continue
            name = ctx.qualname(other.func) or ""
            if name in AUTHLIB_DECODE_ALL or (name in CLAIMS_DECODE and not signature_off(self, other)):
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
            key = written_subscript_key(parent)
            if key in _BENIGN_CLAIMS:
                return None
            node, i = parent, i - 1
            parent = stack[i]
        if self._benign_get(node, stack[i], stack[i - 1] if i else None):
            return None
        for ancestor in reversed(stack[: i + 1]):
            if isinstance(ancestor, cst.Call) and is_log_call(self.ctx, ancestor):
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
        for name_node, path in scope_nodes(scope):
            if not isinstance(name_node, cst.Name) or name_node.value not in names:
                continue
            parent = path[-1]
            if isinstance(parent, (cst.AssignTarget, cst.Param)) or (
                    isinstance(parent, cst.Attribute) and parent.attr is name_node):
                continue
            if any(isinstance(a, cst.Call) and is_log_call(self.ctx, a) for a in path):
                continue
            if isinstance(parent, cst.Subscript) and parent.value is name_node and written_subscript_key(parent) in _BENIGN_CLAIMS:
                continue
            if self._benign_get(name_node, parent, path[-2] if len(path) > 1 else None):
                continue
            if any(isinstance(a, cst.Return) for a in path):
                return "returned"
            return "used to decide access"
        return None
