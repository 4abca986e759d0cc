"""AR701 secret-in-log: secrets written to logs or standard output."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule
from ...words import split_words
from .._common import head_noun_in, is_parser_module, replace_nodes

REDACTED = '"[redacted]"'

LOG_METHODS = frozenset({
    "debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg",
    "success", "trace",
})
# Logger receivers by qualified name prefix (stdlib, structlog, loguru).
_LOGGER_PREFIXES = ("logging.", "structlog.", "loguru.logger")
# A receiver named like a logger: ``log``, ``logger``, ``_log``, ``LOG``, ``audit_logger``, ``get_logger()``.
_LOGGER_NAME = re.compile(r"(?:^|_)(?:get_)?(?:task_)?(?:log|logger)$")
_STDOUT_SINKS = frozenset({
    "builtins.print", "sys.stdout.write", "sys.stderr.write", "pprint.pprint", "pprint.pp", "click.echo",
    "click.secho", "typer.echo", "rich.print",
})
# Keyword arguments that steer the call rather than carry data.
_CONTROL_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel", "sep", "end", "file", "flush", "level", "err", "fg", "bg"})

# --- what is a secret ----------------------------------------------------------------

_SECRET_WORDS = frozenset({
    "token", "tokens", "password", "passwd", "pwd", "passphrase", "secret", "secrets", "apikey", "authorization",
    "cookie", "cookies", "sessionid", "jwt", "bearer", "otp", "csrftoken", "privatekey",
    "passcode",
})
_SECRET_BIGRAMS = frozenset({
    ("api", "key"), ("secret", "key"), ("private", "key"), ("session", "key"), ("session", "id"),
    ("access", "key"), ("signing", "key"), ("auth", "code"), ("authorization", "code"), ("reset", "code"),
    ("verification", "code"), ("otp", "code"), ("set", "cookie"), ("auth", "header"), ("hmac", "key"),
    ("encryption", "key"), ("master", "key"),
})
_NOT_LAST = frozenset({
    "type", "types", "kind", "id", "ids", "url", "uri", "len", "length", "count", "expires", "expiry", "exp",
    "expiration", "at", "ttl", "age", "hash", "hashed", "digest", "prefix", "suffix", "hint", "field", "fields",
    "name", "names", "scope", "scopes", "version", "status", "valid", "required", "error", "errors", "policy",
    "strength", "reset", "changed", "updated", "created", "sent", "fingerprint", "mask", "masked", "redacted",
    "last4", "preview", "truncated", "refreshed", "revoked", "expired", "attempts", "tries", "issuer", "audience",
    "alg", "algorithm", "source", "provider", "format", "file", "path", "endpoint", "label", "timeout",
    "lifetime", "duration", "size", "backend", "class", "mode", "present", "exists", "missing", "invalid", "used",
    "usage", "limit", "rotation", "strategy", "location", "storage", "store", "cache", "manager", "service",
    "client", "generator", "serializer", "model", "table", "column", "index", "method", "methods", "domain",
    "max", "min", "last", "sha", "md", "header_name", "param", "parameter", "env", "var", "setting", "question", "rule", "rules",
})
_VALUE_WORDS = frozenset({
    "value", "str", "string", "hex", "bytes", "b64", "raw", "bin", "encoded", "plain", "plaintext", "b", "header",
    "headers", "data",
})
_BOOL_PREFIX = frozenset({"is", "has", "should", "use", "needs", "num", "n", "no", "invalid", "valid", "missing", "new_"})
# Calls whose result hides the value: a length, a hash, a mask.
_SANITIZER_WORDS = frozenset({
    "mask", "redact", "redacted", "hash", "digest", "fingerprint", "len", "count", "censor", "obfuscate",
    "sanitize", "sanitise", "scrub", "truncate", "anonymize", "anonymise", "hide", "masked", "bool", "isinstance",
    "type", "sha256", "md5", "sha1", "hexdigest", "preview", "last4", "shorten",
})
_SANITIZER_CALLS = frozenset({"builtins.len", "builtins.bool", "builtins.hash", "builtins.type", "builtins.id", "builtins.isinstance"})
# Calls that hand their argument on unchanged (as text or as a mapping).
_WRAPPERS = frozenset({
    "builtins.str", "builtins.repr", "builtins.dict", "builtins.list", "builtins.tuple", "builtins.format",
    "builtins.bytes", "json.dumps", "pprint.pformat", "builtins.vars",
})
_WRAPPER_METHODS = frozenset({
    "encode", "decode", "strip", "lstrip", "rstrip", "items", "values", "copy", "removeprefix", "replace", "lower",
    "upper", "split", "to_dict", "dict", "model_dump", "json",
})
_GETTERS = frozenset({"get", "getlist", "pop", "getenv", "get_header", "getheader"})
# First words of functions that return a secret (``create_access_token``), not a fact about one.
_PRODUCER_VERBS = frozenset({
    "create", "generate", "make", "new", "issue", "get", "fetch", "read", "load", "encode", "build", "mint",
    "sign", "refresh", "obtain", "rotate", "gen", "request",
})
_JWT_ENCODE = frozenset({"jwt.encode", "jose.jwt.encode", "authlib.jose.jwt.encode", "jwt.PyJWT().encode"})
# Whole-request mappings that hold Authorization and Cookie.
_REQUEST_MAPPINGS = frozenset({"headers", "cookies", "COOKIES", "META", "environ"})
_REQUEST_NAMES = frozenset({"request", "req", "http_request", "self.request", "flask.request", "r", "environ"})
_VALUE_ATTRS = frozenset({"key", "value", "raw", "plaintext", "token", "secret", "data", "string"})


_words = split_words


def is_secret_word_name(name: str | None) -> bool:
    """``access_token``, ``Authorization``, ``SESSION_ID``, ``X-Api-Key``: yes. ``token_type``, ``token_url``: no."""
    words = _words(name or "")
    if not words or words[0] in _BOOL_PREFIX:
        return False
    last = next((w for w in reversed(words) if not w.isdigit()), "")
    bigram_at_end = len(words) >= 2 and (words[-2], words[-1]) in _SECRET_BIGRAMS
    if last in _NOT_LAST and not bigram_at_end:
        return False
    # The head noun decides (``reset_token`` yes, ``password_form`` no), less value-form suffixes.
    return head_noun_in(words, _SECRET_WORDS, _SECRET_BIGRAMS, _VALUE_WORDS)


class _Leak:
    """A piece of a log call that carries a secret, and what it is."""

    def __init__(self, node: cst.CSTNode, what: str, replaceable: bool = True) -> None:
        self.node = node
        self.what = what
        self.replaceable = replaceable


class SecretInLog(Rule):
    """What it does: flags tokens, passwords, API keys, session ids, ``Authorization`` and
    ``Cookie`` headers, and whole request header or cookie mappings passed to a logger
    (``logging``, ``getLogger()`` loggers, Flask's ``app.logger``, structlog, loguru, or any
    ``log``/``logger`` object) or printed to standard output, including inside f-strings,
    ``%`` arguments, ``.format`` arguments and ``extra={...}``.

    Why is this bad: logs are copied to log services, backups, support tickets and dashboards
    that many more people can read than the credential store, and they are kept for months.
    A logged bearer token or session cookie lets anyone who reads the log act as the user.

    Example:
        logger.info("refreshing session for %s with %s", user.id, request.headers["Authorization"])

    Use instead:
        logger.info("refreshing session for %s with %s", user.id, "[redacted]")
    """

    id = "AR701"
    name = "secret-in-log"
    title = "Secret written to a log"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = 532
    in_tests = False
    prefilter = (
        re.compile(r"log|print|stdout|stderr|echo", re.IGNORECASE),
        # ...and something worth hiding from the log.
        re.compile(r"token|secret|passw|pwd|authorization|cookie|headers|api_?key|credential|session|environ|"
                   r"META|bearer|jwt|private|otp", re.IGNORECASE),
    )

    VALID = [
        # The fact of a token, its length, a prefix, a hash, a user id.
        "import logging\nlog = logging.getLogger(__name__)\nlog.info('token refreshed for %s', user.id)",
        "import logging\nlogging.info('token length %d, type %s', len(token), token_type)",
        "import logging, hashlib\nlogging.debug('token %s', hashlib.sha256(token.encode()).hexdigest()[:8])",
        "import logging\nlogging.info('reset link sent to %s via %s', user.email, password_reset_url)",
        "import logging\nlogging.info('headers: %s', request.headers.get('User-Agent'))",
        "logger.info('token expires at %s', token.expires_at)",
        "print(f'has token: {token is not None}')",
        "import math\nmath.log(token_count)",
        # A CLI command showing the operator the key it just created.
        "import click\n@click.command()\ndef create_key():\n    api_key = make_key()\n    click.echo(f'API key: {api_key}')",
        "logger.info('password changed', extra={'user_id': user.id})",
        "print(mask_token(token))",
        # A script's top-level output.
        "token = fetch_token()\nprint(token)",
    ]
    INVALID = [
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "logger.info('auth header %s', request.headers['Authorization'])\n",
            fixed="import logging\nlogger = logging.getLogger(__name__)\n"
            "logger.info('auth header %s', \"[redacted]\")\n",
        ),
        Invalid(
            "def login(self, username, password):\n    self.log.debug(f'login {username} / {password}')\n",
            fixed="def login(self, username, password):\n    self.log.debug(f'login {username} / [redacted]')\n",
        ),
        Invalid(
            "from flask import current_app, request\ncurrent_app.logger.warning('bad request: %s', dict(request.headers))\n",
            fixed="from flask import current_app, request\ncurrent_app.logger.warning('bad request: %s', \"[redacted]\")\n",
        ),
        Invalid(
            "import structlog\nlog = structlog.get_logger()\nlog.info('token issued', user=user.id, access_token=tok)\n",
            fixed="import structlog\nlog = structlog.get_logger()\nlog.info('token issued', user=user.id, access_token=\"[redacted]\")\n",
        ),
        Invalid(
            "from loguru import logger\nlogger.info('api key {}', settings.API_KEY)\n",
            fixed="from loguru import logger\nlogger.info('api key {}', \"[redacted]\")\n",
        ),
        Invalid(
            "import logging\nlogging.error(\n    'login failed',\n    extra={'user': name, 'password': pw},\n)\n",
            fixed="import logging\nlogging.error(\n    'login failed',\n    extra={'user': name, 'password': \"[redacted]\"},\n)\n",
        ),
        # A helper variable bound to the Authorization header; ``%`` formatting.
        Invalid(
            "import sys\ndef call(request):\n    auth = request.headers.get('Authorization')\n"
            "    sys.stdout.write('calling with %s\\n' % auth)\n",
            fixed="import sys\ndef call(request):\n    auth = request.headers.get('Authorization')\n"
            "    sys.stdout.write('calling with %s\\n' % \"[redacted]\")\n",
        ),
        # Outgoing request headers built with a bearer token.
        Invalid(
            "def fetch(log, key):\n    headers = {'Authorization': f'Bearer {key}'}\n    log.debug('GET with %s', headers)\n",
            fixed="def fetch(log, key):\n    headers = {'Authorization': f'Bearer {key}'}\n    log.debug('GET with %s', \"[redacted]\")\n",
        ),
        # ``%d`` would break with a string: reported without a fix.
        Invalid("import logging\nlogging.info('otp %06d', otp)\n"),
        Invalid("def show(request):\n    print('session', request.cookies)\n",
                fixed="def show(request):\n    print('session', \"[redacted]\")\n"),
        Invalid("logger.info('new token: {}'.format(create_access_token(user)))\n",
                fixed="logger.info('new token: {}'.format(\"[redacted]\"))\n"),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        # Text processing code, where a "token" is a word, not a credential.
        self._nlp = is_parser_module(ctx)

    def _is_secret_name(self, name: str | None) -> bool:
        if self._nlp and _words(name or "")[-1:] in (["token"], ["tokens"]):
            return False  # a parser's tokens
        return is_secret_word_name(name)

    # --- sinks ----------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        kind = self._sink_kind(node)
        if kind is None:
            return
        if kind == "stdout" and self._in_cli():
            return
        leaks = self._call_leaks(node, kind)
        if not leaks:
            return
        what = ", ".join(dict.fromkeys(leak.what for leak in leaks))
        sink = "printed to standard output" if kind == "stdout" else "written to the log"
        fix = None
        if all(leak.replaceable for leak in leaks) and self._format_allows(node, kind, leaks):
            mapping: dict[int, cst.CSTNode] = {}
            for leak in leaks:
                if isinstance(leak.node, cst.FormattedStringExpression):
                    mapping[id(leak.node)] = cst.FormattedStringText("[redacted]")
                else:
                    mapping[id(leak.node)] = cst.parse_expression(REDACTED)
            fix = self.ctx.replace(node, replace_nodes(node, mapping), "log a redacted placeholder")
        self.report(node, f"{what} {'is' if len(leaks) == 1 else 'are'} {sink} by "
                    f"{markup.code(_short(self.ctx.code(node.func)))}; anyone who can read the logs can use "
                    f"{'it' if len(leaks) == 1 else 'them'}. Log a redacted placeholder instead", fix=fix)

    def _sink_kind(self, call: cst.Call) -> str | None:
        """``"log"``, ``"loguru"``, ``"structlog"``, ``"stdout"`` or None."""
        name = self.ctx.qualname(call.func)
        if name in _STDOUT_SINKS:
            return "stdout"
        if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in LOG_METHODS:
            return None
        if name:
            receiver = name.rpartition(".")[0]
            if receiver.startswith("loguru.logger"):
                return "loguru"
            if receiver.startswith("structlog."):
                return "structlog"
            if receiver.startswith("logging"):
                return "log"
            last = receiver.rpartition(".")[2].removesuffix("()")
            if _LOGGER_NAME.search(_snake(last)):
                return "log"
            return None
        dotted = self.ctx.dotted_name(call.func.value)
        if dotted is None and isinstance(call.func.value, cst.Call):
            dotted = self.ctx.dotted_name(call.func.value.func)  # get_logger().info(...)
        if dotted and _LOGGER_NAME.search(_snake(dotted.rpartition(".")[2])):
            return "log"
        return None

    def _in_cli(self) -> bool:
        """Printing inside a CLI command (click/typer, Django ``handle``, ``main``) or a script's top-level
        code is talking to the operator."""
        if self.ctx.enclosing_function() is None:
            return True
        for node in self.ctx.stack:
            if isinstance(node, cst.If) and "__name__" in self.ctx.code(node.test):
                return True
            if isinstance(node, cst.FunctionDef):
                if node.name.value in ("main", "cli", "handle"):
                    return True
                for decorator in node.decorators:
                    target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
                    dotted = self.ctx.dotted_name(target) or ""
                    qualified = self.ctx.qualname(target) or ""
                    if "command" in dotted or qualified.startswith(("click.", "typer.")):
                        return True
        return False

    # --- arguments ------------------------------------------------------------------
    def _call_leaks(self, call: cst.Call, kind: str) -> list[_Leak]:
        leaks: list[_Leak] = []
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is None:
                leaks.extend(self._leaks(arg.value, 0))
                continue
            keyword = arg.keyword.value
            if keyword in _CONTROL_KEYWORDS:
                continue
            if keyword == "extra" and kind != "structlog":
                found = self._leaks(arg.value, 0)
                for leak in found:
                    leak.replaceable = leak.replaceable and leak.node is not arg.value
                leaks.extend(found)
            elif self._is_secret_name(keyword) and self._may_hold_secret(arg.value):
                leaks.append(_Leak(arg.value, markup.code(keyword)))
            else:
                leaks.extend(self._leaks(arg.value, 0))
        return leaks

    def _leaks(self, node: cst.BaseExpression, depth: int) -> list[_Leak]:
        """The pieces of ``node`` that carry a secret into the message."""
        if depth > 4:
            return []
        if isinstance(node, cst.FormattedString):
            return [_Leak(part, leak.what) for part in node.parts if isinstance(part, cst.FormattedStringExpression)
                    for leak in self._leaks(part.expression, depth + 1)[:1]]
        if isinstance(node, cst.ConcatenatedString):
            return self._leaks(node.left, depth + 1) + self._leaks(node.right, depth + 1)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                return self._leaks(node.left, depth + 1) + self._leaks(node.right, depth + 1)
            if isinstance(node.operator, cst.Modulo):
                return self._leaks(node.right, depth + 1)
            return []
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            return [leak for element in node.elements for leak in self._leaks(element.value, depth + 1)]
        if isinstance(node, cst.Dict):
            return self._dict_leaks(node, depth)
        if isinstance(node, cst.IfExp):
            return self._leaks(node.body, depth + 1) + self._leaks(node.orelse, depth + 1)
        if isinstance(node, (cst.DictComp, cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            # ``{k: v for k, v in request.headers.items()}``; a filter (``if k not in SENSITIVE``) may redact.
            if node.for_in.ifs or node.for_in.inner_for_in is not None:
                return []
            what = self._secret(node.for_in.iter, depth + 1)
            return [_Leak(node, what)] if what else []
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            inner = [leak for arg in node.args if not arg.star
                     for leak in self._keyword_or_value(arg, depth)]
            return inner
        what = self._secret(node, depth)
        return [_Leak(node, what)] if what else []

    def _keyword_or_value(self, arg: cst.Arg, depth: int) -> list[_Leak]:
        if arg.keyword is not None and self._is_secret_name(arg.keyword.value) and self._may_hold_secret(arg.value):
            return [_Leak(arg.value, markup.code(arg.keyword.value))]
        return self._leaks(arg.value, depth + 1)

    def _dict_leaks(self, node: cst.Dict, depth: int) -> list[_Leak]:
        leaks: list[_Leak] = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = self.ctx.string(element.key)
            if key and self._is_secret_name(key) and self._may_hold_secret(element.value):
                leaks.append(_Leak(element.value, self._secret(element.value, depth + 1) or markup.code(key)))
            else:
                leaks.extend(self._leaks(element.value, depth + 1))
        return leaks

    def _may_hold_secret(self, node: cst.BaseExpression) -> bool:
        """Not a literal, not a sanitised form (``len(x)``, ``mask(x)``, ``x[:4]``, ``x is None``)."""
        if _known(self.ctx.literal(node)) or isinstance(node, (cst.Comparison, cst.BooleanOperation)):
            return False
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            return False
        if isinstance(node, cst.Subscript) and any(isinstance(s.slice, cst.Slice) for s in node.slice):
            return False
        return not (isinstance(node, cst.Call) and self._sanitizes(node))

    def _sanitizes(self, call: cst.Call) -> bool:
        name = self.ctx.qualname(call.func) or ""
        if name in _SANITIZER_CALLS or name.startswith("hashlib.") or name.startswith("hmac."):
            return True
        dotted = self.ctx.dotted_name(call.func) or ""
        return bool(_SANITIZER_WORDS & set(_words(dotted.rpartition(".")[2])))

    # --- one value --------------------------------------------------------------------
    def _secret(self, node: cst.BaseExpression, depth: int) -> str | None:
        """What secret ``node`` holds (for the message), or None."""
        ctx = self.ctx
        if not self._may_hold_secret(node):
            return None
        if isinstance(node, cst.Name):
            return self._name_secret(node, depth)
        if isinstance(node, cst.Attribute):
            return self._attribute_secret(node, depth)
        if isinstance(node, cst.Subscript):
            key = _subscript_string_key(ctx, node)
            if key and self._is_secret_name(key):
                return markup.code(_short(ctx.code(node)))
            return None
        if isinstance(node, cst.Call):
            return self._call_secret(node, depth)
        if isinstance(node, cst.Await):
            return self._secret(node.expression, depth + 1)
        return None

    def _name_secret(self, node: cst.Name, depth: int) -> str | None:
        if node.value in self.ctx.index.imports:
            return None  # the ``jwt`` module, not a JWT
        bound = self.ctx.value_of(node)
        if self._is_secret_name(node.value):
            if bound is not None and not self._may_hold_secret(bound):
                return None
            return markup.code(node.value)
        if bound is not None and depth < 3:
            inner = self._bound_secret(bound, depth + 1)
            if inner:
                return f"{markup.code(node.value)} (holding {inner})"
        return None

    def _bound_secret(self, bound: cst.BaseExpression, depth: int) -> str | None:
        if isinstance(bound, cst.Dict):
            leaks = self._dict_leaks(bound, depth)
            return leaks[0].what if leaks else None
        if isinstance(bound, (cst.FormattedString, cst.BinaryOperation)):
            leaks = self._leaks(bound, depth)
            return leaks[0].what if leaks else None
        return self._secret(bound, depth)

    def _attribute_secret(self, node: cst.Attribute, depth: int) -> str | None:
        ctx = self.ctx
        attr = node.attr.value
        code = markup.code(_short(ctx.code(node)))
        if attr in _REQUEST_MAPPINGS:
            base = ctx.dotted_name(node.value) or ""
            qualified = ctx.qualname(node.value) or ""
            if base in _REQUEST_NAMES or base.rpartition(".")[2] in ("request", "req") or qualified in (
                    "flask.request", "os") or qualified.endswith(".request"):
                return f"all of {code}"
            return None
        if self._is_secret_name(attr):
            return code
        if attr in _VALUE_ATTRS and self._secret(node.value, depth + 1):
            return code  # token.key (DRF), api_key.value
        return None

    def _call_secret(self, call: cst.Call, depth: int) -> str | None:
        ctx = self.ctx
        name = ctx.qualname(call.func) or ""
        code = markup.code(_short(ctx.code(call)))
        if name in _WRAPPERS:
            return next((w for a in call.args if not a.star for w in [self._secret(a.value, depth + 1)] if w), None)
        if name in _JWT_ENCODE:
            return f"a freshly encoded JWT ({code})"
        if name in ("os.getenv", "os.environ.get") and call.args:
            key = ctx.string(call.args[0].value)
            return code if key and self._is_secret_name(key) else None
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method == "get_secret_value":
                return code
            if method in _GETTERS and call.args:
                key = ctx.string(call.args[0].value)
                return code if key and self._is_secret_name(key) else None
            if method in _WRAPPER_METHODS:
                return self._secret(call.func.value, depth + 1)
        function = (ctx.dotted_name(call.func) or "").rpartition(".")[2]
        words = _words(function)
        if words and words[0] in _PRODUCER_VERBS and self._is_secret_name("_".join(words[1:])):
            return code
        return None

    # --- fix safety -------------------------------------------------------------------
    def _format_allows(self, call: cst.Call, kind: str, leaks: list[_Leak]) -> bool:
        """A ``%d``/``%f`` placeholder fed a string would break the log call: no fix then."""
        if kind in ("loguru", "structlog", "stdout"):
            formats = [n for n in _modulo_formats(call)]
        else:
            index = 1 if isinstance(call.func, cst.Attribute) and call.func.attr.value == "log" else 0
            positional = [a for a in call.args if a.keyword is None and not a.star]
            formats = [(positional[index].value, positional[index + 1:])] if len(positional) > index else []
            formats += _modulo_formats(call)
        leak_ids = {id(leak.node) for leak in leaks}
        for template, values in formats:
            text = self.ctx.string(template)
            if text is None:
                continue
            conversions = _CONVERSION.findall(text)
            if not conversions:
                continue
            if all(named for named, _ in conversions):  # "%(token)s" with a dict: by name
                if any(c not in "sra" for _, c in conversions):
                    return False
                continue
            for i, value in enumerate(values):
                node = value.value if isinstance(value, (cst.Arg, cst.Element)) else value
                if any(id(n) in leak_ids for n in [node, *self.ctx.descendants(node)]):
                    if i >= len(conversions) or conversions[i][0] or conversions[i][1] not in "sra":
                        return False
        return True


_CONVERSION = re.compile(r"%(\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa])")


def _modulo_formats(call: cst.Call) -> list[tuple[cst.BaseExpression, list[cst.CSTNode]]]:
    """``"..." % (a, b)`` expressions among the arguments: (template, values)."""
    found: list[tuple[cst.BaseExpression, list[cst.CSTNode]]] = []
    for arg in call.args:
        value = arg.value
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Modulo):
            right = value.right
            values = list(right.elements) if isinstance(right, cst.Tuple) else [right]
            found.append((value.left, values))  # type: ignore[arg-type]
    return found


def _known(value: object) -> bool:
    """A literal value with no unknown part (``ctx.literal`` keeps UNKNOWN inside containers)."""
    if value is UNKNOWN:
        return False
    if isinstance(value, dict):
        return all(_known(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_known(v) for v in value)
    return True


def _subscript_string_key(ctx: FileContext, node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.string(node.slice[0].slice.value)
    return None


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _short(code: str, limit: int = 60) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 1] + "…"


__all__ = ["SecretInLog", "is_secret_word_name"]
