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
    PYJWT_DECODE,
    dict_entries,
    is_log_call,
    remove_element,
    scope_nodes,
    written_subscript_key,
)

AUTHLIB_DECODE_ALL = AUTHLIB_DECODE | frozenset({
    "authlib.jose.JsonWebToken().decode", "authlib.jose.rfc7519.JsonWebToken().decode",
})
UNVERIFIED_CLAIMS = frozenset({
    "jose.jwt.get_unverified_claims", "jose.jws.get_unverified_claims",
    "python_jwt.process_jwt",  # python-jwt: claims read before (and without) ``verify_jwt``
})
# PyJWT's JWS layer: ``decode(jwt, key, verify=True, ...)`` in 1.x, ``options=`` in both.
PYJWS_DECODE = frozenset({
    "jwt.api_jws.decode", "jwt.api_jws.decode_complete", "jwt.PyJWS().decode", "jwt.PyJWS().decode_complete",
    "jwt.api_jws.PyJWS().decode", "jwt.api_jws.PyJWS().decode_complete",
})
JOSE_JWS_VERIFY = frozenset({"jose.jws.verify"})  # verify(token, key, algorithms, verify=True)
# Where a positional ``verify`` flag sits: PyJWT 1.x ``decode(jwt, key='', verify=True, algorithms=None, options=None)``.
_VERIFY_POSITION = {**dict.fromkeys(PYJWT_DECODE | PYJWS_DECODE, 2), **dict.fromkeys(JOSE_JWS_VERIFY, 3)}
SIGNATURE_CHECKED = CLAIMS_DECODE | PYJWS_DECODE | JOSE_JWS_VERIFY

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
    ``False``, PyJWT 1's ``verify=False`` (keyword or third positional), python-jose's
    ``jws.verify(..., verify=False)``, PyJWT's JWS ``decode``, ``PyJWT(options=...)``; the options
    written in place, bound to a name and filled in later, spread from another dict or passed through
    ``**kwargs``) and unverified claims (``get_unverified_claims``, python-jwt's ``process_jwt``, or a
    decode with the signature check off) that go on to identify the user: returned, stored in
    ``g.user``/``request.user``, used to look a user up or compared. Also flags authlib claims read
    without ``claims.validate()``, which alone checks ``exp``/``nbf``/``iss``/``aud``. Peeking at
    ``kid``/``exp`` or logging, and pre-reading in a function that then verifies, is not flagged.

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
    prefilter = re.compile(r"verify|unverified_claims|\bdecode\b|process_jwt")

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
        # PyJWT 1.x, verifying.
        'import jwt\ndef current_user(token):\n    return jwt.decode(token, KEY, True, algorithms=["HS256"])["sub"]\n',
        # Options in a variable, used for a pre-read of the issuer before the verified decode.
        "import jwt\n"
        "def get_current_user(token):\n"
        '    peek = {"verify_signature": False}\n'
        "    issuer = jwt.decode(token, options=peek)['iss']\n"
        '    return jwt.decode(token, KEYS[issuer], algorithms=["RS256"])["sub"]\n',
        # authlib: the claims are validated before use.
        "from authlib.jose import jwt\n"
        "def current_user(token):\n"
        "    claims = jwt.decode(token, PUBLIC_KEY)\n"
        "    claims.validate()\n"
        '    return claims["sub"]\n',
        # authlib: handed on whole (the caller validates).
        "from authlib.jose import jwt\ndef parse(token):\n    claims = jwt.decode(token, PUBLIC_KEY)\n    return claims\n",
        # python-jwt: processed, then verified.
        "import python_jwt\n"
        "def current_user(token):\n"
        "    header, claims = python_jwt.process_jwt(token)\n"
        '    python_jwt.verify_jwt(token, KEY, ["RS256"])\n'
        '    return claims["sub"]\n',
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
        # The switch arrives through **kwargs, a dict filled in later, or a spread dict.
        Invalid("import jwt\ndef current_user(token):\n    kwargs = dict(verify=False)\n"
                "    claims = jwt.decode(token, KEY, **kwargs)\n    return claims['sub']\n"),
        Invalid("import jwt\ndef current_user(token):\n    opts = {}\n    opts['verify_signature'] = False\n"
                "    claims = jwt.decode(token, KEY, algorithms=['HS256'], options=opts)\n    return claims['sub']\n"),
        Invalid("import jwt\ndef current_user(token):\n"
                "    return jwt.decode(token, KEY, algorithms=['HS256'], options={**DEFAULTS, 'verify_signature': False})\n"),
        # An alias, multi-line.
        Invalid(
            "from jwt import decode as d\ndef current_user(token):\n    claims = d(\n        token,\n        KEY,\n"
            "        verify=False,\n    )\n    return claims['sub']\n",
            fixed="from jwt import decode as d\ndef current_user(token):\n    claims = d(\n        token,\n        KEY,\n"
            "    )\n    return claims['sub']\n",
        ),
        # python-jose's JWS layer, PyJWT's JWS layer (1.x positional flag).
        Invalid(
            "from jose import jws\ndef current_user(token):\n    return json.loads(jws.verify(token, KEY, ['HS256'], verify=False))\n",
            fixed="from jose import jws\ndef current_user(token):\n    return json.loads(jws.verify(token, KEY, ['HS256']))\n",
        ),
        Invalid("import jwt\ndef current_user(token):\n    return jwt.api_jws.decode(token, KEY, False)\n"),
        # python-jwt: claims used without verify_jwt.
        Invalid("import python_jwt as pjwt\ndef current_user(token):\n    header, claims = pjwt.process_jwt(token)\n"
                "    return User.get(claims['sub'])\n"),
        # authlib checks exp/nbf/iss/aud only in claims.validate().
        Invalid(
            "from authlib.jose import jwt\ndef current_user(token):\n    claims = jwt.decode(token, PUBLIC_KEY)\n"
            "    return User.get(claims['sub'])\n",
            fixed="from authlib.jose import jwt\ndef current_user(token):\n    claims = jwt.decode(token, PUBLIC_KEY)\n"
            "    claims.validate()\n    return User.get(claims['sub'])\n",
            confidence=Confidence.MEDIUM,
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name in SIGNATURE_CHECKED or name in ("jwt.PyJWT", "jwt.api_jwt.PyJWT"):
            if self._signature_off(node):
                self._unverified(node, f"{markup.code(ctx.code(node.func))} runs with signature verification off")
            elif name not in PYJWS_DECODE and name not in JOSE_JWS_VERIFY:
                self._disabled_checks(node)
        elif name in UNVERIFIED_CLAIMS:
            self._unverified(node, f"{markup.code(ctx.code(node.func))} reads the claims without checking the signature")
        elif name in AUTHLIB_DECODE_ALL:
            self._claims_unvalidated(node)

    # --- what the call turns off ------------------------------------------------------
    def _signature_off(self, call: cst.Call) -> bool:
        """``options={"verify_signature": False}`` however the options are built, or PyJWT 1's / jose's
        ``verify=False`` (keyword, through ``**kwargs``, or positional)."""
        ctx = self.ctx
        _, entries = self._options(call)
        if "verify_signature" in entries and entries["verify_signature"][1] is False:
            return True
        verify = ctx.argument(call, "verify")
        if verify is None:
            verify = self._star_entries(call).get("verify")
        if verify is None:
            position = _VERIFY_POSITION.get(ctx.qualname(call.func) or "")
            arg = ctx.positional(call, position) if position is not None else None
            verify = arg.value if arg is not None else None
        return verify is not None and ctx.literal(verify) is False

    def _options(self, call: cst.Call) -> tuple[cst.CSTNode | None, dict[str, tuple[cst.CSTNode | None, object]]]:
        """(the options mapping written in the call when it can be edited, its entries: key -> (element, value)).

        The options may be written in place, bound to a name (``opts = {...}``, then ``opts["k"] = v``),
        spread from another dict (``{**BASE, "verify_signature": False}``) or passed through ``**kwargs``.
        """
        ctx = self.ctx
        options = ctx.argument(call, "options")
        if options is None:
            options = self._star_entries(call).get("options")
        inline = options if isinstance(options, (cst.Dict, cst.Call)) and dict_entries(ctx, options) is not None \
            and ctx.argument(call, "options") is options else None
        entries = self._mapping(options, 0)
        return inline, {key: (element, ctx.literal(value)) for key, (element, value) in entries.items()}

    def _star_entries(self, call: cst.Call) -> dict[str, cst.BaseExpression]:
        """Keywords a call receives through ``**mapping`` when the mapping is known."""
        found: dict[str, cst.BaseExpression] = {}
        for arg in call.args:
            if arg.star == "**":
                found.update({key: value for key, (_, value) in self._mapping(arg.value, 0).items()})
        return found

    def _mapping(self, node: cst.CSTNode | None, depth: int) -> dict[str, tuple[cst.CSTNode | None, cst.BaseExpression]]:
        """The known string keys of a dict expression: a literal (spreads included), ``dict(...)``, or a name
        bound once to one, with the keys its scope writes afterwards (``opts["verify_signature"] = False``)."""
        ctx = self.ctx
        if node is None or depth > 3:
            return {}
        if isinstance(node, cst.Dict):
            result: dict[str, tuple[cst.CSTNode | None, cst.BaseExpression]] = {}
            for element in node.elements:
                if isinstance(element, cst.StarredDictElement):
                    result.update(self._mapping(element.value, depth + 1))
                elif isinstance(element, cst.DictElement):
                    key = ctx.literal(element.key)
                    if isinstance(key, str):
                        result[key] = (element, element.value)
            return result
        if isinstance(node, cst.Call):
            entries = dict_entries(ctx, node)
            return {key: (element, value) for key, (element, value) in (entries or {}).items()}
        if isinstance(node, cst.Name):
            bound = ctx.value_of(node)
            if not isinstance(bound, (cst.Dict, cst.Call)):
                return {}
            result = self._mapping(bound, depth + 1)
            result.update(self._written_keys(node.value))
            return result
        return {}

    def _written_keys(self, name: str) -> dict[str, tuple[cst.CSTNode | None, cst.BaseExpression]]:
        """``name["k"] = v`` and ``name.update(k=v)`` in the scope that binds ``name``."""
        ctx = self.ctx
        function = ctx.enclosing_function()
        scope: cst.CSTNode = function if function is not None and (id(function), name) in ctx.index.bindings else ctx.module
        found: dict[str, tuple[cst.CSTNode | None, cst.BaseExpression]] = {}
        for node, _ in scope_nodes(scope):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    sub = target.target
                    if isinstance(sub, cst.Subscript) and isinstance(sub.value, cst.Name) and sub.value.value == name:
                        key = written_subscript_key(sub)
                        if isinstance(key, str):
                            found[key] = (None, node.value)
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "update" \
                    and isinstance(node.func.value, cst.Name) and node.func.value.value == name:
                for arg in node.args:
                    if arg.keyword is not None:
                        found[arg.keyword.value] = (None, arg.value)
                    elif not arg.star:
                        found.update(self._mapping(arg.value, 1))
        return found

    def _claims_unvalidated(self, node: cst.Call) -> None:
        """authlib's ``jwt.decode`` checks the signature only; ``exp``, ``nbf``, ``iss`` and ``aud`` are checked
        by ``claims.validate()``. Flags claims read for identity in a scope that never validates them."""
        ctx = self.ctx
        stack = ctx.stack
        parent = stack[-2] if len(stack) > 1 else None
        if not (isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1
                and isinstance(parent.targets[0].target, cst.Name)):
            return
        name = parent.targets[0].target.value
        function = ctx.enclosing_function()
        read: str | None = None
        for other, path in scope_nodes(function if function is not None else ctx.module):
            if not (isinstance(other, cst.Name) and other.value == name) or not path:
                continue
            up, grand = path[-1], (path[-2] if len(path) > 1 else None)
            if (isinstance(up, cst.AssignTarget) and up.target is other) or (isinstance(up, cst.Attribute) and up.attr is other):
                continue
            if isinstance(up, cst.Attribute) and up.value is other:
                if up.attr.value.startswith("validate"):
                    return  # claims.validate()
                if up.attr.value == "get" and isinstance(grand, cst.Call) and grand.args:
                    key = ctx.literal(grand.args[0].value)
                    if isinstance(key, str) and key not in _BENIGN_CLAIMS and not any(
                            isinstance(a, cst.Call) and is_log_call(ctx, a) for a in path):
                        read = read or key
                continue
            if isinstance(up, cst.Subscript) and up.value is other:
                key = written_subscript_key(up)
                if isinstance(key, str) and key not in _BENIGN_CLAIMS and not any(
                        isinstance(a, cst.Call) and is_log_call(ctx, a) for a in path):
                    read = read or key
                continue
            return  # handed on whole (returned, passed, compared): it may be validated there
        if read is None:
            return
        line = stack[-3] if len(stack) > 2 else None
        fix = None
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            pos = ctx.position(line)
            original = "\n".join(ctx.lines[pos.start.line - 1 : pos.end.line])
            fix = ctx.replace_lines(pos.start.line, pos.end.line,
                                    f"{original}\n{ctx.indentation(pos.start.line)}{name}.validate()", "validate the claims")
        self.report(node, f"authlib's {markup.code(ctx.code(node.func))} checks only the signature; `exp`, `nbf`, `iss` and "
                    f"`aud` are checked by {markup.code(f'{name}.validate()')}, which this code never calls before reading "
                    f"{markup.code(f'{name}[{read!r}]')}: expired tokens are accepted; call {markup.code(f'{name}.validate()')}",
                    fix=fix, severity=Severity.HIGH, confidence=Confidence.MEDIUM)

    def _disabled_checks(self, node: cst.Call) -> None:
        ctx = self.ctx
        inline, entries = self._options(node)
        off = [key for key in ("verify_exp", "verify_aud", "verify_iss") if key in entries and entries[key][1] is False]
        if not off:
            return
        what = ", ".join(_CHECKS[key] for key in off)
        fix = None
        # Removing the switch is safe for exp always, for aud/iss only when the expected value is passed.
        needs = {"verify_aud": "audience", "verify_iss": "issuer"}
        if inline is not None and all(entries[key][0] is not None for key in off) \
                and all(key not in needs or ctx.keyword(node, needs[key]) for key in off):
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
        name = ctx.qualname(node.func)
        if name not in SIGNATURE_CHECKED or ctx.argument(node, "key", 1) is None:
            return None
        if ctx.keyword(node, "verify") is not None:
            return ctx.replace(node, remove_keyword(node, "verify"), "verify the signature")
        inline, entries = self._options(node)
        if not isinstance(inline, cst.Dict) or ctx.keyword(node, "algorithms") is None or "verify_signature" not in entries \
                or entries["verify_signature"][0] is None:
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
            if name in AUTHLIB_DECODE_ALL or (name in SIGNATURE_CHECKED and not self._signature_off(other)):
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
        names: set[str] = set()
        for target in assign.targets:
            node = target.target
            if isinstance(node, (cst.Tuple, cst.List)) and all(isinstance(e.value, cst.Name) for e in node.elements):
                names |= {e.value.value for e in node.elements if isinstance(e.value, cst.Name)}  # header, claims = ...
            elif isinstance(node, cst.Name):
                names.add(node.value)
            else:
                return f"stored in {markup.code(self.ctx.code(node))}"
        for name_node, path in scope_nodes(scope):
            if not isinstance(name_node, cst.Name) or name_node.value not in names:
                continue
            parent = path[-1]
            if isinstance(parent, (cst.AssignTarget, cst.Param)) or (
                    isinstance(parent, cst.Attribute) and parent.attr is name_node) or (
                    isinstance(parent, cst.Element) and any(isinstance(a, cst.AssignTarget) for a in path)):
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
