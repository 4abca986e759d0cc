"""AR205 jwt-long-lifetime: JWT lifetime too long."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...project import ProjectFact
from ...rule import Invalid, Rule
from .._common import target_name
from ._shared import (
    STRING_NODES,
    dict_entries,
    is_refresh,
    local_for,
    scope_nodes,
    with_hint,
)

TIMEDELTA = frozenset({"datetime.timedelta"})


def _scope_of(ctx: FileContext) -> cst.CSTNode:
    func = ctx.enclosing_function()
    return func if func is not None else ctx.module


def _timedelta_only(ctx: FileContext, **delta: int) -> tuple[str, str]:
    amount = ", ".join(f"{k}={v}" for k, v in delta.items())
    local = local_for(ctx, "datetime.timedelta")
    if local:
        return f"{local}({amount})", ""
    module = local_for(ctx, "datetime")
    if module:
        return f"{module}.timedelta({amount})", ""
    return f"timedelta({amount})", "from datetime import timedelta"


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


_REFRESH = re.compile(rb"(?i)refresh[_ ]?token|refresh_expires|\"refresh\"")


def _has_refresh_tokens(ctx: FileContext) -> bool:
    """The app issues refresh tokens (in this file or anywhere in the project)."""
    if _REFRESH.search(ctx.source.data):
        return True
    return ctx.project is not None and _PROJECT_REFRESHES.get(ctx.project)


_PROJECT_REFRESHES = ProjectFact("tokens.project_has_refresh_tokens", lambda project: project.mentions(_REFRESH))


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
        # The app issues refresh tokens: shortening the access token is a safe click.
        Invalid(
            'from datetime import timedelta\napp.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(days=1)\n'
            'app.config["JWT_REFRESH_TOKEN_EXPIRES"] = timedelta(days=7)\n',
            fixed='from datetime import timedelta\napp.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(minutes=15)\n'
            'app.config["JWT_REFRESH_TOKEN_EXPIRES"] = timedelta(days=7)\n',
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
        # No refresh token in the app: shortening signs users out sooner, a product decision (advice, no fix).
        Invalid('ACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24 * 8'),
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
            '    return jwt.encode(payload, KEY, algorithm="HS256")\n'
            "def create_refresh_token(user):\n"
            '    return jwt.encode({"sub": str(user.id), "type": "refresh"}, KEY, algorithm="HS256")\n',
            fixed="import jwt\nfrom datetime import datetime, timedelta, timezone\n"
            "def create_access_token(user):\n"
            "    payload = {\n"
            '        "sub": str(user.id),\n'
            '        "exp": datetime.now(timezone.utc) + timedelta(minutes=15),\n'
            "    }\n"
            '    return jwt.encode(payload, KEY, algorithm="HS256")\n'
            "def create_refresh_token(user):\n"
            '    return jwt.encode({"sub": str(user.id), "type": "refresh"}, KEY, algorithm="HS256")\n',
        ),
        # exp through a variable, as seconds.
        Invalid(
            "import time\nimport jwt\n"
            "def issue(uid):\n"
            "    expires_at = int(time.time()) + 86400\n"
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
            '    return jwt.encode({"sub": uid, "exp": exp}, KEY)\n'
            "REFRESH_TOKEN_EXPIRE_DAYS = 7\n",
            fixed="from datetime import datetime, timedelta\nimport jwt\n"
            "ACCESS_TOKEN_EXPIRE_HOURS = 1\n"
            "def issue(uid):\n"
            '    exp = datetime.utcnow() + timedelta(hours=ACCESS_TOKEN_EXPIRE_HOURS)\n'
            '    return jwt.encode({"sub": uid, "exp": exp}, KEY)\n'
            "REFRESH_TOKEN_EXPIRE_DAYS = 7\n",
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
        key = self.ctx.string(node.key) if isinstance(node.key, STRING_NODES) else None
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
            self.report(value, with_hint(f"{what} is `False`: {kind} tokens never expire; "
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
        advice = ""
        if kind == "access" and not _has_refresh_tokens(ctx):
            # With no refresh token, a shorter access token signs users out sooner: a product decision, so
            # advice rather than a one-click change.
            fix_text = None
            advice = "; shorten it to 15 minutes and issue refresh tokens so users stay signed in"
        fix = ctx.replace(value, fix_text, "shorten the lifetime") if fix_text else None
        self.report(value, f"{what} lets {kind} tokens live {_describe(seconds)} (limit: "
                    f"{'7 days' if kind == 'refresh' else '60 minutes'}); a stolen token stays usable that long{advice}",
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
        for node, _ in scope_nodes(_scope_of(self.ctx)):
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
                claims = {k: v for k, (_, v) in (dict_entries(ctx, node) or {}).items()}
                if is_refresh(ctx, claims):
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
