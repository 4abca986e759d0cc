"""AR206 jwt-audience-issuer-unchecked: JWT audience/issuer not checked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule
from .._common import add_keyword
from ._shared import (
    ALL_ENCODE,
    CLAIMS_DECODE,
    STRING_NODES,
    encode_payload,
    options_entries,
    payload_claims,
    scope_nodes,
    signature_off,
)


def _calls_with_scopes(module: cst.Module) -> Iterator[tuple[cst.Call, list[cst.CSTNode]]]:
    """Every call in the module with its scopes, innermost function first, module last."""
    pending: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(module, [module])]
    while pending:
        root, scopes = pending.pop()
        for node, _ in scope_nodes(root):
            if isinstance(node, cst.Call):
                yield node, scopes
            elif isinstance(node, cst.FunctionDef):
                pending.append((node, [node, *scopes]))


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
        found = payload_claims(self.ctx, encode_payload(self.ctx, call, name), scopes)
        if found is None:
            return
        for claim, keyword in (("aud", "audience"), ("iss", "issuer")):
            if claim not in found[1]:
                continue
            value = found[1][claim]
            constant = isinstance(value, STRING_NODES) or (
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
        if ctx.has_star_kwargs(call) or signature_off(self, call):
            return False
        if ctx.keyword(call, "audience") or ctx.keyword(call, "issuer") or ctx.positional(call, 4) is not None:
            return False
        _, entries = options_entries(self, call)
        return not any(entries.get(k, (None, True))[1] is False for k in ("verify_aud", "verify_iss"))
