"""AR204 jwt-missing-expiry: JWT issued without expiry."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule
from .._common import add_dict_element, add_keyword
from ._shared import (
    ALL_ENCODE,
    encode_payload,
    is_refresh,
    local_for,
    payload_claims,
    scope_nodes,
    with_hint,
)


def _datetime_expr(ctx: FileContext, **delta: int) -> tuple[str, str, str]:
    """Source of ``now(UTC) + timedelta(**delta)``, ``timedelta(**delta)``, and the import to add ('' if none)."""
    amount = ", ".join(f"{k}={v}" for k, v in delta.items())
    module = local_for(ctx, "datetime")
    names = {n: local_for(ctx, f"datetime.{n}") for n in ("datetime", "timedelta", "timezone")}
    if module and not all(names.values()):
        now = f"{module}.datetime.now({module}.timezone.utc)"
        return f"{now} + {module}.timedelta({amount})", f"{module}.timedelta({amount})", ""
    missing = [n for n, local in names.items() if local is None]
    dt, td, tz = (names[n] or n for n in ("datetime", "timedelta", "timezone"))
    hint = f"from datetime import {', '.join(missing)}" if missing else ""
    return f"{dt}.now({tz}.utc) + {td}({amount})", f"{td}({amount})", hint


_OTHER_EXPIRY = re.compile(r"(?i)^exp")


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
        for call, _ in scope_nodes(scope):
            if not isinstance(call, cst.Call):
                continue
            name = ctx.qualname(call.func)
            if name not in ALL_ENCODE or ctx.has_star_kwargs(call):
                continue
            payload = encode_payload(ctx, call, name)
            found = payload_claims(ctx, payload)
            if found is None or any(_OTHER_EXPIRY.match(key) for key in found[1]):
                continue
            literal, claims = found
            holder = payload.value if isinstance(payload, cst.Name) else None
            func = scope.name.value if isinstance(scope, cst.FunctionDef) else None
            self._pending.setdefault(id(literal), (ctx.code(call.func), is_refresh(ctx, claims, holder, func) and "refresh"
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
        self.report(node, with_hint(f"the {kind or 'token'} payload passed to {markup.code(func)} ({listed}) has no `exp` claim, "
                                    "so the token never expires; add `\"exp\"`", hint), fix=fix)
