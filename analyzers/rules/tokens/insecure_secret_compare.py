"""AR210 insecure-secret-compare: Secret compared with a timing-unsafe operator."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import UNKNOWN
from ...findings import Confidence, Severity
from ...frameworks import verifies_a_signature
from ...rule import Invalid, Rule
from ...walk import walk
from ...words import split_words
from .._common import is_parser_module, target_name
from ._shared import (
    head_is,
    last_word,
    module_alias,
    resolved_subscript_key,
    short_code,
    visible_imports,
)

_CMP_SECRET = frozenset({
    "token", "secret", "signature", "sig", "hmac", "apikey", "authorization", "csrf", "xsrf", "csrftoken",
    "otp", "totp", "bearer", "webhooksecret",
})
_CMP_BIGRAMS = frozenset({
    ("api", "key"), ("secret", "key"), ("access", "key"), ("signing", "key"), ("auth", "key"), ("hmac", "key"),
    ("shared", "key"), ("auth", "header"), ("private", "key"),
})
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass", "pin", "passcode"})
_CMP_NOT_LAST = frozenset({
    "type", "kind", "version", "name", "names", "id", "ids", "len", "length", "count", "url", "uri", "prefix",
    "scheme", "alg", "algorithm", "algorithms", "method", "format", "status", "expires", "expiry", "exp",
    "expiration", "scope", "scopes", "hash", "hashed", "created", "at", "user", "owner", "hint", "field", "path",
    "file", "label", "endpoint", "timeout", "ttl", "age", "valid", "enabled", "required", "present", "source",
    "provider", "backend", "class", "mode", "location", "header", "issuer", "audience", "use", "index", "size",
    "sent", "state", "error", "used", "revoked", "expired", "key", "fingerprint", "number", "sha", "md", "last",
})
_CMP_BOOL_PREFIX = frozenset({"is", "has", "should", "use", "enable", "verify", "check", "require", "needs", "allow"})
_SIGN_VERBS = frozenset({"sign", "hmac", "signature", "sig"})
# ``request.<mapping>.get("X-...")``: the mappings whose ``.get`` may return None.
_REQUEST_MAPPINGS = frozenset({
    "headers", "args", "form", "values", "cookies", "COOKIES", "GET", "POST", "META", "query_params", "query",
})
_HMAC_RESULTS = frozenset({
    "hmac.new().hexdigest", "hmac.new().digest", "hmac.HMAC().hexdigest", "hmac.HMAC().digest", "hmac.digest",
    "hmac.new().copy().hexdigest",
})
# Calls whose arguments are ORM expressions turned into SQL, not Python comparisons.
_QUERY_BUILDERS = frozenset({"filter", "where", "having", "join", "outerjoin", "and_", "or_", "not_", "case",
                             "exclude", "Q"})
_PASS_THROUGH_METHODS = frozenset({"encode", "decode", "strip", "lower", "upper", "rstrip", "lstrip", "removeprefix", "hex"})
_NOT_SECRET_CALLS = frozenset({
    "builtins.len", "builtins.type", "builtins.id", "builtins.isinstance", "builtins.bool", "builtins.int",
    "builtins.float", "builtins.hash", "builtins.callable",
})
_GETTERS = frozenset({"get", "getlist", "pop", "getenv", "get_header"})
# A cursor that pages through another service's results (``next_token``, ``page_token``): no secret.
_PAGING_WORDS = frozenset({"next", "page", "cursor", "continuation", "pagination", "paging", "sync", "prev", "previous"})
_SIGNED_SESSIONS = frozenset({"flask.session", "quart.session"})


def _secret_kind(words: list[str]) -> str | None:
    """``"secret"``, ``"password"`` (left to AR503) or None, by the head noun of a name."""
    if not words or words[0] in _CMP_BOOL_PREFIX:
        return None
    bigram_at_end = len(words) >= 2 and (words[-2], words[-1]) in _CMP_BIGRAMS
    if last_word(words) in _CMP_NOT_LAST and not bigram_at_end:
        return None
    if head_is(words, _CMP_SECRET, _CMP_BIGRAMS) or head_is(words, _CMP_SECRET | {"digest"}, _CMP_BIGRAMS) and _CMP_SECRET & set(words):
        return "secret"  # ``hmac_digest``, ``signature_digest`` too
    if _PASSWORD_WORDS & set(words):
        return "password"
    return None


class InsecureSecretCompare(Rule):
    """What it does: flags tokens, API keys, signatures, HMACs and other secrets compared with
    ``==`` or ``!=`` (``if request.headers["X-Signature"] == expected``,
    ``if token != settings.API_TOKEN``, ``hmac.new(...).hexdigest() == sig``).
    Password comparisons are AR503's.

    Why is this bad: ``==`` on strings stops at the first differing character, so the time a
    request takes tells an attacker how many leading characters of their guess are right.
    Over many requests a signature or API key can be recovered one character at a time.

    Example:
        if request.headers.get("X-Hub-Signature-256") != expected_signature:
            abort(403)

    Use instead:
        if not hmac.compare_digest(request.headers.get("X-Hub-Signature-256", ""), expected_signature):
            abort(403)
    """

    id = "AR210"
    name = "insecure-secret-compare"
    title = "Secret compared with a timing-unsafe operator"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = 208
    in_tests = False
    prefilter = re.compile(r"(?i)token|secret|sig\b|signature|hmac|api[-_ ]?key|authorization|csrf|xsrf|otp|bearer")

    VALID = [
        "import hmac\nif not hmac.compare_digest(token, settings.API_TOKEN):\n    abort(403)",
        # Literals, None, booleans, lengths, types.
        "if token is None or token == '':\n    abort(401)\nif len(token) != 40:\n    abort(400)",
        "if token_type == 'Bearer' and token.kind == TokenKind.ACCESS:\n    pass",
        "if claims['signature_version'] != 2:\n    pass\nif api_key_id == key.id:\n    pass",
        "if isinstance(token, str) and type(secret) == bytes:\n    pass",
        # Passwords belong to AR503.
        "if user.password == form.password.data:\n    login(user)",
        # A file checksum is not a secret.
        "import hashlib\nif hashlib.sha256(data).hexdigest() != expected_checksum:\n    raise ValueError",
        # Chained comparison: no safe rewrite.
        "if a == token == b:\n    pass",
        # Equality of objects that carry tokens.
        "class Session:\n    def __eq__(self, other):\n        return self.token == other.token",
        # ORM expressions: the database compares, and compare_digest on a column raises TypeError.
        "from sqlalchemy import select\ndef by_token(session, token):\n"
        "    return session.scalars(select(ApiKey).where(ApiKey.key_hash == digest(token))).first()\n",
        "def by_token(token):\n    return Invite.query.filter(Invite.secret_token == token).first()\n",
        "assert response.json()['token'] == token",
        "if is_token_valid == True:\n    pass",
    ]
    INVALID = [
        Invalid(
            "import hmac\nif request.headers['X-Signature'] == expected_sig:\n    ok()\n",
            fixed="import hmac\nif hmac.compare_digest(request.headers['X-Signature'], expected_sig):\n    ok()\n",
        ),
        Invalid(
            "from django.conf import settings\ndef check(token):\n    if token != settings.API_TOKEN:\n        raise PermissionDenied\n",
            fixed="from django.conf import settings\ndef check(token):\n    if not hmac.compare_digest(token, settings.API_TOKEN):\n        raise PermissionDenied\n",
        ),
        # HMAC computed inline; a ``.get`` that may be None gets a default.
        Invalid(
            "import hmac, hashlib\n"
            "def verify(request, body):\n"
            "    sent = request.headers.get('X-Hub-Signature-256')\n"
            "    return hmac.new(KEY, body, hashlib.sha256).hexdigest() == request.headers.get('X-Hub-Signature-256')\n",
            fixed="import hmac, hashlib\n"
            "def verify(request, body):\n"
            "    sent = request.headers.get('X-Hub-Signature-256')\n"
            "    return hmac.compare_digest(hmac.new(KEY, body, hashlib.sha256).hexdigest(), request.headers.get('X-Hub-Signature-256', ''))\n",
        ),
        # A helper variable bound to an HMAC; ``secrets.compare_digest`` when only secrets is imported.
        Invalid(
            "import hmac as h, hashlib\nimport secrets\n"
            "def valid(payload, provided):\n"
            "    expected = h.new(KEY, payload, hashlib.sha256).hexdigest()\n"
            "    return expected == provided\n",
            fixed="import hmac as h, hashlib\nimport secrets\n"
            "def valid(payload, provided):\n"
            "    expected = h.new(KEY, payload, hashlib.sha256).hexdigest()\n"
            "    return h.compare_digest(expected, provided)\n",
        ),
        Invalid(
            "import secrets\nok = (request.META.get('HTTP_X_API_KEY') != os.environ['API_KEY']) and strict\n",
            fixed="import secrets\nok = (not secrets.compare_digest(request.META.get('HTTP_X_API_KEY', ''), os.environ['API_KEY'])) and strict\n",
        ),
        Invalid(
            "from hmac import compare_digest\n"
            "if request.headers.get('Authorization') == f'Bearer {API_TOKEN}':\n    pass\n",
            fixed="from hmac import compare_digest\n"
            "if compare_digest(request.headers.get('Authorization', ''), f'Bearer {API_TOKEN}'):\n    pass\n",
        ),
        # Multi-line comparison.
        Invalid(
            "import hmac\nif (\n    user.api_key\n    == supplied\n):\n    pass\n",
            fixed="import hmac\nif (\n    hmac.compare_digest(user.api_key, supplied)\n):\n    pass\n",
        ),
    ]

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        if not isinstance(target.operator, (cst.Equal, cst.NotEqual)):
            return
        if self.ctx.enclosing(cst.Assert) is not None or self._in_dunder():
            return
        left, right = node.left, target.comparator
        if self._trivial(left) or self._trivial(right) or self._sql_expression(left, right):
            return
        self._nlp = is_parser_module(self.ctx)
        kinds = [self._operand(left, 0), self._operand(right, 0)]
        if "password" in kinds or "secret" not in kinds:
            return
        if self._vouched(left, 0) and not _reads_request(right) or self._vouched(right, 0) and not _reads_request(left):
            return  # the client chose neither side (a CSRF header against the session's token is still timed)
        secret = left if kinds[0] == "secret" else right
        function, note = self._compare_digest_name()
        new_call = cst.Call(
            func=cst.parse_expression(function),
            args=[cst.Arg(self._defaulted(left), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                  cst.Arg(self._defaulted(right))],
        )
        new: cst.BaseExpression = new_call
        if isinstance(target.operator, cst.NotEqual):
            new = cst.UnaryOperation(operator=cst.Not(), expression=new_call)
        operator = "==" if isinstance(target.operator, cst.Equal) else "!="
        # One-time codes are often ints, which ``compare_digest`` rejects: no blind rewrite for them.
        numeric = {"otp", "totp", "hotp"} & set(split_words(self.ctx.code(left) + " " + self.ctx.code(right)))
        fix = None if numeric else self.ctx.replace(node, new, "compare in constant time")
        self.report(node, f"{markup.code(short_code(self.ctx.code(secret)))} is compared with {markup.code(operator)}, which takes longer the "
                    f"more leading characters match, so the secret can be guessed piece by piece; use "
                    f"{markup.code(f'{function}(...)')}{note}", fix=fix)

    def _sql_expression(self, left: cst.BaseExpression, right: cst.BaseExpression) -> bool:
        """``User.token == token`` in ``.where()``/``.filter()``: an ORM builds SQL from it and the database
        compares; ``compare_digest`` there raises ``TypeError`` (a column is no string)."""
        for side in (left, right):
            if isinstance(side, cst.Attribute) and isinstance(side.value, cst.Name) and side.value.value[:1].isupper() \
                    and not side.attr.value.isupper():
                return True  # a mapped class's column: `ApiKey.key_hash`
        for node in reversed(self.ctx.stack[:-1]):
            if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return False
            if isinstance(node, cst.Call) and (target_name(node.func) or "") in _QUERY_BUILDERS:
                return True
        return False

    def _vouched(self, node: cst.BaseExpression, depth: int) -> bool:
        """A value the client cannot choose: read out of a payload whose signature was just verified
        (``token = signer.unsign(link)``, ``data = serializer.loads(code)``) or out of a signed session."""
        ctx = self.ctx
        if depth > 4:
            return False
        if isinstance(node, cst.Name):
            if ctx.qualname(node) in _SIGNED_SESSIONS:
                return True
            bound = ctx.value_of(node)
            return bound is not None and self._vouched(bound, depth + 1)
        if isinstance(node, cst.Subscript):
            return self._vouched(node.value, depth + 1)
        if isinstance(node, cst.Attribute):
            if node.attr.value == "session" and (ctx.dotted_name(node.value) or "").endswith("request"):
                return True  # Django's and Starlette's sessions live server-side or in a signed cookie
            return self._vouched(node.value, depth + 1)
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _GETTERS | _PASS_THROUGH_METHODS:
                return self._vouched(func.value, depth + 1)
            return verifies_a_signature(ctx, node)
        return False

    def _in_dunder(self) -> bool:
        function = self.ctx.enclosing_function()
        return function is not None and function.name.value in ("__eq__", "__ne__", "__hash__", "__lt__", "__contains__")

    def _trivial(self, node: cst.BaseExpression) -> bool:
        """Literals, None, booleans, numbers, ``len(...)``, ``type(...)``, enum members."""
        if self.ctx.literal(node) is not UNKNOWN:
            return True
        if isinstance(node, cst.Call) and self.ctx.qualname(node.func) in _NOT_SECRET_CALLS:
            return True
        if isinstance(node, cst.Attribute) and node.attr.value.isupper() and _secret_kind(split_words(node.attr.value)) is None:
            return True  # signal.SIGINT, HTTPStatus.OK
        if isinstance(node, cst.Name) and (node.value.isupper() and node.value in self.ctx.index.imports
                                           and _secret_kind(split_words(node.value)) is None):
            return True  # an imported constant
        if isinstance(node, cst.Name) and self._annotated_scalar(node.value):
            return True
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            base, attr = node.value.value, node.attr.value
            if base[:1].isupper() and not base.isupper() and attr.isupper() and _secret_kind(split_words(attr)) is None:
                return True  # TokenKind.ACCESS
            if base in ("self", "cls"):
                return self._class_literal(attr)
        return False

    def _annotated_scalar(self, name: str) -> bool:
        """A parameter annotated ``int``/``float``/``bool`` (``def handle_exit(self, sig: int, ...)``)."""
        function = self.ctx.enclosing_function()
        if function is None:
            return False
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.name.value == name and param.annotation is not None:
                annotation = self.ctx.dotted_name(param.annotation.annotation) or ""
                return annotation in ("int", "float", "bool", "signal.Signals", "Signals")
        return False

    def _class_literal(self, attr: str) -> bool:
        """``self.reset_url_token`` where the class body says ``reset_url_token = "set-password"``."""
        cls = self.ctx.enclosing(cst.ClassDef)
        if not isinstance(cls, cst.ClassDef):
            return False
        for statement in cls.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if (isinstance(small, cst.Assign) and len(small.targets) == 1
                            and isinstance(small.targets[0].target, cst.Name) and small.targets[0].target.value == attr):
                        return self.ctx.literal(small.value) is not UNKNOWN
        return False

    def _operand(self, node: cst.BaseExpression, depth: int) -> str | None:
        """Whether an operand holds a secret (``"secret"``), a password (``"password"``), or neither."""
        ctx = self.ctx
        if depth > 3:
            return None
        if isinstance(node, cst.Name):
            kind = self._kind(node.value)
            if kind is None:
                bound = ctx.value_of(node)
                if bound is not None and ctx.literal(bound) is UNKNOWN:
                    return self._operand(bound, depth + 1)
            return kind
        if isinstance(node, cst.Attribute):
            return self._kind(node.attr.value)
        if isinstance(node, cst.Subscript):
            return self._key_kind(resolved_subscript_key(ctx, node))
        if isinstance(node, (cst.FormattedString, cst.BinaryOperation, cst.ConcatenatedString)):
            kinds = {self._operand(n, depth + 1) for n in _string_parts(node)}
            return "secret" if "secret" in kinds else ("password" if "password" in kinds else None)
        if isinstance(node, cst.Call):
            return self._call_kind(node, depth)
        return None

    def _call_kind(self, call: cst.Call, depth: int) -> str | None:
        ctx = self.ctx
        name = ctx.qualname(call.func) or ""
        if name.removesuffix("()") in _HMAC_RESULTS or name.startswith("hmac.new().") or name == "hmac.digest":
            return "secret"
        if any(isinstance(n, cst.Call) and (ctx.qualname(n.func) or "").startswith("hmac.") for n in ctx.descendants(call)):
            return "secret"
        if name in ("builtins.str", "builtins.bytes") and call.args:
            return self._operand(call.args[0].value, depth + 1)
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in _PASS_THROUGH_METHODS:
                return self._operand(call.func.value, depth + 1)
            if method in _GETTERS and call.args:
                return self._key_kind(ctx.string(call.args[0].value))
        if name in ("os.getenv", "os.environ.get") and call.args:
            return self._key_kind(ctx.string(call.args[0].value))
        dotted = ctx.dotted_name(call.func) or ""
        words = split_words(dotted.rpartition(".")[2])
        if words and (words[0] in _SIGN_VERBS or "signature" in words) and last_word(words) not in _CMP_NOT_LAST:
            return "secret"  # compute_signature(...), sign(payload)
        return None

    def _key_kind(self, key: str | None) -> str | None:
        return self._kind(key) if key else None

    def _kind(self, name: str) -> str | None:
        words = split_words(name)
        if self._nlp and words and words[-1] in ("token", "tokens"):
            return None  # a parser's token
        if _PAGING_WORDS & set(words):
            return None  # next_token, page_token: a cursor
        return _secret_kind(words)

    def _defaulted(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """``request.headers.get("X")`` -> ``request.headers.get("X", "")``: compare_digest rejects None."""
        if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get"
                and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star):
            receiver = self.ctx.dotted_name(node.func.value) or ""
            if receiver.rpartition(".")[2] in _REQUEST_MAPPINGS:
                first = node.args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                return node.with_changes(args=[first, cst.Arg(cst.SimpleString(_quote_like(node.args[0].value)))])
        return node

    def _compare_digest_name(self) -> tuple[str, str]:
        imports = visible_imports(self.ctx)
        for module in ("hmac", "secrets"):
            for local, qualified in imports.items():
                if qualified == f"{module}.compare_digest":
                    return local, ""
            alias = module_alias(self.ctx, module)
            if alias:
                return f"{alias}.compare_digest", ""
        return "hmac.compare_digest", " (add `import hmac`)"


def _reads_request(node: cst.BaseExpression) -> bool:
    """``request.headers[...]``, ``req.args.get(...)``: the operand is read from the request."""
    return any(isinstance(n, cst.Name) and n.value in ("request", "req") or
               isinstance(n, cst.Attribute) and n.attr.value in _REQUEST_MAPPINGS for n in (node, *walk(node)))


def _string_parts(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The expressions an f-string, ``+`` or implicit concatenation is built from."""
    if isinstance(node, cst.FormattedString):
        return [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return [*_string_parts(node.left), *_string_parts(node.right)]
    if isinstance(node, cst.ConcatenatedString):
        return [*_string_parts(node.left), *_string_parts(node.right)]
    return [node]


def _quote_like(node: cst.BaseExpression) -> str:
    return "''" if isinstance(node, cst.SimpleString) and node.value.startswith("'") else '""'
