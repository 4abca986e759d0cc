"""AR2xx (tokens): how secrets are generated (AR208), refresh tokens rotated (AR209) and secrets compared (AR210)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ..context import UNKNOWN, FileContext
from .. import markup
from ..findings import Confidence, Fix, Severity
from ..routes import definition
from ..rule import Invalid, Rule
from ..walk import children, walk
from ._common import head_noun_in, is_parser_module, replace_nodes, split_words, target_name

# --- names ---------------------------------------------------------------------


_words = split_words


def _has_bigram(words: list[str], bigrams: frozenset[tuple[str, str]]) -> bool:
    return any(pair in bigrams for pair in zip(words, words[1:]))


def _last_word(words: list[str]) -> str:
    """The last non-numeric word (``signature_256`` -> ``signature``)."""
    for word in reversed(words):
        if not word.isdigit():
            return word
    return ""


def _visible_imports(ctx: FileContext) -> dict[str, str]:
    """Local name -> qualified name of the imports visible here: the module's top level
    (and its top-level ``if``/``try`` blocks) and the enclosing functions' own bodies.
    ``ctx.index.imports`` also holds imports local to other functions, which a fix cannot use."""
    found: dict[str, str] = {}
    blocks: list[cst.CSTNode] = [ctx.module, *(n for n in ctx.stack if isinstance(n, cst.FunctionDef))]
    for block in blocks:
        body = block.body if isinstance(block, cst.Module) else block.body.body  # type: ignore[union-attr]
        statements = list(body)
        for statement in list(statements):
            if isinstance(statement, (cst.If, cst.Try)):
                statements.extend(statement.body.body)
        for statement in statements:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    for node in ctx.descendants(statement):
                        if isinstance(node, cst.ImportAlias):
                            local = node.evaluated_alias or node.evaluated_name.split(".")[0]
                            if local in ctx.index.imports:
                                found[local] = ctx.index.imports[local]
    return found


def _module_alias(ctx: FileContext, module: str) -> str | None:
    """The local name under which ``module`` is imported where the fix goes, if it is."""
    for local, qualified in _visible_imports(ctx).items():
        if qualified == module:
            return local
    return None


def _with_parents(root: cst.CSTNode, parents: tuple[cst.CSTNode, ...] = ()) -> Iterator[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]:
    """Every node below ``root`` with its ancestors (``root`` first, parent last)."""
    here = (*parents, root)
    for child in children(root):
        yield child, here
        yield from _with_parents(child, here)


# --- AR208 vocabulary -------------------------------------------------------------

# Words that make a name a secret by themselves.
_GEN_STRONG = frozenset({
    "token", "tokens", "otp", "totp", "hotp", "nonce", "secret", "csrf", "xsrf", "sessionid", "sessid",
    "sid", "salt", "password", "passwd", "pwd", "passphrase", "verifier", "apikey", "passcode", "pin", "jti",
})
_GEN_BIGRAMS = frozenset({
    ("api", "key"), ("secret", "key"), ("access", "key"), ("session", "key"), ("session", "id"),
    ("signing", "key"), ("private", "key"), ("auth", "code"), ("reset", "code"), ("verification", "code"),
    ("verify", "code"), ("confirm", "code"), ("confirmation", "code"), ("activation", "code"),
    ("activation", "key"), ("invite", "code"), ("invitation", "code"), ("login", "code"), ("sms", "code"),
    ("email", "code"), ("mfa", "code"), ("recovery", "code"), ("backup", "code"), ("unlock", "code"),
    ("one", "time"), ("reset", "key"), ("auth", "key"), ("hmac", "key"), ("encryption", "key"),
})
# Words that make a name a secret only when the value is token-shaped (joined, hashed, wide range).
_GEN_WEAK = frozenset({
    "code", "key", "state", "session", "reset", "verification", "confirmation", "activation", "invite",
    "auth", "challenge", "ticket",
})
# A name ending in one of these holds a property of a secret, not the secret.
_GEN_NOT_LAST = frozenset({
    "type", "kind", "len", "length", "size", "count", "ttl", "timeout", "expiry", "expires", "exp",
    "expiration", "at", "time", "timestamp", "ts", "date", "created", "updated", "start", "started", "end",
    "index", "idx", "delay", "jitter", "backoff", "interval", "retry", "retries", "attempts", "tries", "sleep",
    "wait", "seed", "name", "names", "field", "header", "url", "uri", "path", "file", "prefix", "suffix",
    "hint", "format", "pattern", "regex", "label", "version", "min", "max", "rounds", "iterations", "cost",
    "bits", "id", "ids", "position", "pos", "offset", "order", "weight", "score", "color", "colour", "rate",
    "ratio", "probability", "chance", "percent", "mode", "enabled", "required", "valid", "sent", "age",
    "lifetime", "duration", "alphabet", "chars", "charset", "digits", "strategy",
})
_GEN_NOT_ANY = frozenset({
    "fake", "dummy", "mock", "sample", "example", "test", "demo", "placeholder", "status", "exit", "error",
    "country", "lang", "language", "zip", "postal", "currency", "http", "color", "colour", "product", "sku",
})
_BOOL_PREFIX = frozenset({"is", "has", "should", "use", "enable", "needs", "allow", "require"})
# Names whose short (< 16 byte) secrets are fine: human-entered codes, salts, cipher nonces/IVs.
_SHORT_OK = frozenset({"otp", "totp", "hotp", "pin", "code", "passcode", "salt", "iv"})


# Suffixes that name a form of the value, not a different thing: ``token_value``, ``secret_bytes``.
_VALUE_WORDS = frozenset({"value", "str", "string", "hex", "bytes", "b64", "raw", "bin", "encoded", "plain", "plaintext", "b"})


def _head_is(words: list[str], singles: frozenset[str], bigrams: frozenset[tuple[str, str]]) -> bool:
    return head_noun_in(words, singles, bigrams, _VALUE_WORDS)


def _classify_generated(name: str | None, anywhere: bool = False) -> str | None:
    """``"strong"`` (token, otp, session_id...), ``"weak"`` (code, key, state...) or None.

    A variable, key or keyword counts by its head noun (``reset_token`` yes, ``token_form`` no);
    a function name by any word (``make_token_for``).
    """
    if not name:
        return None
    words = _words(name)
    if not words or words[0] in _BOOL_PREFIX or _GEN_NOT_ANY & set(words):
        return None
    bigram_at_end = len(words) >= 2 and (words[-2], words[-1]) in _GEN_BIGRAMS
    if _last_word(words) in _GEN_NOT_LAST and not bigram_at_end:
        return None
    if anywhere:
        if _GEN_STRONG & set(words) or _has_bigram(words, _GEN_BIGRAMS):
            return "strong"
        return "weak" if _GEN_WEAK & set(words) else None
    if _head_is(words, _GEN_STRONG, _GEN_BIGRAMS):
        return "strong"
    return "weak" if _head_is(words, _GEN_WEAK, frozenset()) else None


# Weak sources, by qualified name.
_RANDOM_FUNCS = frozenset({
    "random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "shuffle", "uniform",
    "randbytes", "triangular", "gauss",
})
_NUMPY_FUNCS = frozenset({
    "rand", "randint", "random", "random_sample", "choice", "bytes", "integers", "permutation", "randn",
})
_TIME_FUNCS = frozenset({
    "time.time", "time.time_ns", "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "datetime.date.today", "django.utils.timezone.now", "arrow.now", "arrow.utcnow", "pendulum.now",
})
_TIME_STRINGS = frozenset({"time.strftime", "time.ctime", "time.asctime"})
_UUID_FUNCS = frozenset({"uuid.uuid1", "uuid.uuid3", "uuid.uuid5"})
_SIZED_FUNCS = {  # qualified name -> (keyword, position) of the byte count
    "secrets.token_hex": ("nbytes", 0), "secrets.token_urlsafe": ("nbytes", 0),
    "secrets.token_bytes": ("nbytes", 0), "os.urandom": ("size", 0),
}
_BYTES_ONLY = frozenset({"secrets.token_bytes", "os.urandom"})
_STRONG_SOURCES = frozenset({
    "secrets.token_hex", "secrets.token_urlsafe", "secrets.token_bytes", "secrets.choice", "secrets.randbelow",
    "secrets.randbits", "os.urandom", "uuid.uuid4", "django.utils.crypto.get_random_string",
    "Crypto.Random.get_random_bytes", "nacl.utils.random",
})
_HASH_SIZES = {
    "md5": 16, "sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64, "blake2b": 64,
    "blake2s": 32, "sha3_256": 32, "sha3_512": 64,
}
# Calls a weak value flows through unchanged in strength (conversions, encodings, hashes).
_CONVERT_BUILTINS = frozenset({
    "builtins.str", "builtins.int", "builtins.hex", "builtins.oct", "builtins.bin", "builtins.repr",
    "builtins.abs", "builtins.bytes", "builtins.bytearray", "builtins.list", "builtins.tuple",
    "builtins.format", "builtins.float", "builtins.chr",
})
_STRINGIFY_BUILTINS = frozenset({"builtins.str", "builtins.hex", "builtins.repr", "builtins.format", "builtins.oct"})
_CONVERT_METHODS = frozenset({
    "join", "format", "encode", "decode", "zfill", "rjust", "ljust", "upper", "lower", "to_bytes", "hex",
    "hexdigest", "digest", "strftime", "isoformat", "timestamp", "replace", "strip",
})
_STRINGIFY_METHODS = frozenset({"join", "format", "hex", "hexdigest", "zfill", "strftime", "isoformat", "rjust", "ljust"})
_PICKS = frozenset({"choice", "choices", "sample", "shuffle", "permutation"})

_STOP_KEYWORDS = frozenset({"k", "weights", "cum_weights", "size"})


class _Flow:
    """How a weak value reaches a name: through what, into what."""

    def __init__(self) -> None:
        self.stringified = False
        self.hashed = False
        self.joined = False
        self.hash_call: cst.Call | None = None  # ``hashlib.x(...).hexdigest()`` on the way
        self.sink_name: str | None = None
        self.sink_kind = ""  # "name", "key", "keyword", "function"
        self.strength: str | None = None
        self.top: cst.CSTNode | None = None


class WeakTokenRandomness(Rule):
    """What it does: flags tokens, one-time codes, reset codes, session ids, nonces, API keys,
    salts and generated passwords made with the ``random`` module (or a ``random.Random``
    instance, or ``numpy.random``), from the clock (``time.time()``, ``datetime.now()``
    hashed or turned into text), from ``uuid1``/``uuid3``/``uuid5``, or from fewer than 16
    random bytes. Whether a value is a secret is read from the name it is stored in, the
    dict key or keyword it is passed as, or the function that returns it.

    Why is this bad: ``random`` is a Mersenne Twister: 624 outputs reveal its state and every
    later "token". Timestamps and ``uuid1`` (time + MAC address) can be guessed to within a
    few thousand tries, and hashing them does not add entropy. A token needs at least 128
    unpredictable bits to resist online and offline guessing.

    Example:
        reset_token = "".join(random.choice(string.ascii_letters) for _ in range(32))
        otp = random.randint(100000, 999999)

    Use instead:
        reset_token = "".join(secrets.choice(string.ascii_letters) for _ in range(32))
        otp = secrets.SystemRandom().randint(100000, 999999)
        api_key = secrets.token_urlsafe(32)
    """

    id = "AR208"
    name = "weak-token-randomness"
    title = "Security token generated with weak randomness"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 330
    bandit_equivalents = frozenset({"B311"})
    in_tests = False
    prefilter = (
        re.compile(r"\brandom\b|\buuid[135]\b|urandom|token_(?:hex|bytes|urlsafe)|time\(\)|\.now\(|utcnow\(|"
                   r"\.today\(|strftime\(|\barrow\.|pendulum\."),
        # ...used for something secret.
        re.compile(r"token|otp|nonce|secret|csrf|xsrf|sid|salt|passw|pin\b|jti|api_?key|apikey|session|reset|"
                   r"verif|activat|confirm|invite|state|magic|one_?time|captcha|voucher|coupon|license|private",
                   re.IGNORECASE),
    )

    VALID = [
        # Jitter, sampling and shuffling are not secrets.
        "import random, time\ndef backoff(attempt):\n    time.sleep(random.uniform(0, 2 ** attempt))",
        "import random\ndef pick_playlist(songs):\n    random.shuffle(songs)\n    return random.sample(songs, 10)",
        "import random\nif random.random() < 0.1:\n    sample_request()",
        # Secure sources.
        "import secrets, string\ntoken = ''.join(secrets.choice(string.ascii_letters) for _ in range(32))",
        "import uuid\nsession_id = str(uuid.uuid4())",
        "import secrets\notp = f'{secrets.randbelow(10**6):06d}'",
        "import random\nrng = random.SystemRandom()\nreset_code = rng.randint(100000, 999999)",
        # Enough bytes; a cipher nonce and a salt are legitimately short.
        "import secrets\napi_key = secrets.token_urlsafe(32)",
        "import os\nnonce = os.urandom(12)\nsalt = os.urandom(8)",
        # Timestamps stored next to tokens, API-client nonces (monotonic by design).
        "import time\ntoken_created_at = str(time.time())\nnonce = str(int(time.time() * 1000))",
        "import time, jwt\ntoken = jwt.encode({'sub': uid, 'iat': time.time()}, KEY, algorithm='HS256')",
        # Weak words need a token-shaped value; here "code" is a choice among values.
        "import random\ncountry_code = random.choice(['US', 'DE'])\nkey = random.choice(KEYS)",
        # Picking an existing key from a pool is not generating one.
        "import random\napi_key = random.choice(settings.API_KEYS)\npassword = random.choice(TEST_PASSWORDS)",
        # A tokenizer's tokens.
        "import random\nfrom transformers import AutoTokenizer\ntoken = random.choice(vocab)\nmasked = [t for t in tokens]",
        # Randomness mixed with a strong source.
        "import random, secrets\ntoken = secrets.token_hex(16) + str(random.randint(0, 9))",
        # A different library's ``choice``.
        "from numpy.random import default_rng\nfrom myapp.random import choice\ntoken = choice(TOKENS)",
    ]
    INVALID = [
        Invalid(
            "import random\nimport string\n\ndef make_reset_token():\n"
            "    return ''.join(random.choice(string.ascii_letters) for _ in range(32))\n",
            fixed="import random\nimport string\n\ndef make_reset_token():\n"
            "    return ''.join(secrets.choice(string.ascii_letters) for _ in range(32))\n",
        ),
        Invalid(
            "import random, secrets\notp = random.randint(100000, 999999)\n",
            fixed="import random, secrets\notp = secrets.SystemRandom().randint(100000, 999999)\n",
        ),
        # An alias, a keyword sink.
        Invalid(
            "from random import choices as pick\nimport secrets as s\n"
            "Token.objects.create(user=user, key=''.join(pick(ALPHABET, k=40)))\n",
            fixed="from random import choices as pick\nimport secrets as s\n"
            "Token.objects.create(user=user, key=''.join(s.SystemRandom().choices(ALPHABET, k=40)))\n",
        ),
        # A seeded instance, into a dict key.
        Invalid(
            "import random\nrng = random.Random(42)\npayload = {'nonce': rng.getrandbits(64)}\n",
            fixed="import random\nrng = random.Random(42)\npayload = {'nonce': secrets.randbits(64)}\n",
        ),
        # A hashed timestamp: replaced by a random value of the same shape.
        Invalid(
            "import hashlib, time\n\ndef new_session_id(user):\n"
            "    sid = hashlib.sha256(f'{user.id}{time.time()}'.encode()).hexdigest()\n    return sid\n",
            fixed="import hashlib, time\n\ndef new_session_id(user):\n"
            "    sid = secrets.token_hex(32)\n    return sid\n",
        ),
        Invalid(
            "import uuid\nrequest.session['csrf_token'] = uuid.uuid1().hex\n",
            fixed="import uuid\nrequest.session['csrf_token'] = uuid.uuid4().hex\n",
        ),
        Invalid(
            "import secrets\napi_key = secrets.token_hex(\n    8,\n)\n",
            fixed="import secrets\napi_key = secrets.token_hex(\n    32,\n)\n",
        ),
        # Digit-by-digit OTP, helper variable returned by a security-named function.
        Invalid(
            "import random\n\ndef generate_otp():\n    digits = ''.join(str(random.randint(0, 9)) for _ in range(6))\n    return digits\n",
            fixed="import random\n\ndef generate_otp():\n    digits = ''.join(str(secrets.SystemRandom().randint(0, 9)) for _ in range(6))\n    return digits\n",
        ),
        # numpy: reported, no mechanical fix.
        Invalid("import numpy as np\npassword = ''.join(np.random.choice(list(CHARS), 12))\n"),
        # Stringified clock value as a token: no mechanical fix.
        Invalid("from datetime import datetime\ninvite_token = datetime.now().strftime('%Y%m%d%H%M%S%f')\n"),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._done: set[int] = set()

    # --- sources ------------------------------------------------------------------
    def _source(self, call: cst.Call) -> tuple[str, str] | None:
        """(kind, qualified name) of a weak source call: random, numpy, time, timestr, uuid, short."""
        name = self.ctx.qualname(call.func)
        if not name:
            return None
        head, _, last = name.rpartition(".")
        if head in ("random", "random.Random()", "random.Random") and last in _RANDOM_FUNCS:
            return ("random", name)
        if head.startswith("numpy.random") and last in _NUMPY_FUNCS and "SystemRandom" not in head:
            return ("numpy", name)
        if name in _TIME_FUNCS:
            return ("time", name)
        if name in _TIME_STRINGS:
            return ("timestr", name)
        if name in _UUID_FUNCS:
            return ("uuid", name)
        if name in _SIZED_FUNCS:
            size = self._size(call, name)
            if isinstance(size, int) and not isinstance(size, bool) and 0 < size < 16:
                return ("short", name)
        return None

    def _size(self, call: cst.Call, name: str) -> object:
        keyword, index = _SIZED_FUNCS[name]
        return self.ctx.literal(self.ctx.argument(call, keyword, index))

    def _is_strong(self, call: cst.Call) -> bool:
        name = self.ctx.qualname(call.func) or ""
        if "SystemRandom" in name:
            return True
        if name in _SIZED_FUNCS:
            size = self._size(call, name)
            return not (isinstance(size, int) and size < 16)
        return name in _STRONG_SOURCES

    # --- flow -----------------------------------------------------------------------
    def _follow(self) -> _Flow | None:
        """Walk up from the current call to the name its value is stored under, or None."""
        flow = _Flow()
        stack = self.ctx.stack
        loose_call = False  # a ``default=`` keyword: the next call stores, not transforms
        for i in range(len(stack) - 2, -1, -1):
            parent, child = stack[i], stack[i + 1]
            if isinstance(parent, cst.Call):
                if child is parent.func:
                    self._method_flags(parent, flow)
                    continue
                if loose_call:
                    loose_call = False
                    continue
                if not self._converts(parent, flow):
                    return None
            elif isinstance(parent, cst.Arg):
                if parent.keyword is None:
                    continue
                keyword = parent.keyword.value
                if keyword in ("default", "default_factory"):
                    loose_call = True
                    continue
                if keyword in _STOP_KEYWORDS:
                    return None
                return self._sink(flow, keyword, "keyword", child)
            elif isinstance(parent, cst.DictElement):
                key = self.ctx.string(parent.key) if child is parent.value else None
                return self._sink(flow, key, "key", child) if key else None
            elif isinstance(parent, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                return self._assigned(flow, parent, child)
            elif isinstance(parent, cst.NamedExpr):
                return self._sink(flow, target_name(parent.target), "name", child)
            elif isinstance(parent, (cst.Return, cst.Yield)):
                function = self.ctx.enclosing_function()
                return self._sink(flow, function.name.value if function else None, "function", child)
            elif not self._passes(parent, child, flow):
                return None
        return None

    def _passes(self, parent: cst.CSTNode, child: cst.CSTNode, flow: _Flow) -> bool:
        """Whether a value keeps its (lack of) strength from ``child`` to ``parent``."""
        if isinstance(parent, (cst.FormattedStringExpression, cst.FormattedString)):
            flow.stringified = True
            return True
        if isinstance(parent, cst.BinaryOperation):
            if isinstance(parent.operator, cst.Modulo) and child is parent.right:
                flow.stringified = True
            return True
        if isinstance(parent, (cst.IfExp,)):
            return child is not parent.test
        if isinstance(parent, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return child is parent.elt
        if isinstance(parent, cst.DictComp):
            return child is parent.value
        return isinstance(parent, (
            cst.Attribute, cst.Subscript, cst.SubscriptElement, cst.Index, cst.Slice, cst.UnaryOperation,
            cst.Element, cst.StarredElement, cst.List, cst.Tuple, cst.Set, cst.Await, cst.Lambda,
            cst.ConcatenatedString,
        ))

    @staticmethod
    def _method_flags(call: cst.Call, flow: _Flow) -> None:
        """``<weak>.strftime(...)``, ``<weak>.hex()``: a method called on the weak value itself."""
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in _STRINGIFY_METHODS:
            flow.stringified = True

    def _converts(self, call: cst.Call, flow: _Flow) -> bool:
        """Whether ``call`` only converts, encodes or hashes its argument (so a weak input stays weak)."""
        name = self.ctx.qualname(call.func) or ""
        if name.startswith("hashlib.") or name.startswith("base64.") or name in ("binascii.hexlify", "binascii.b2a_hex"):
            flow.hashed = flow.hashed or name.startswith("hashlib.")
            return True
        if name in _CONVERT_BUILTINS:
            flow.stringified = flow.stringified or name in _STRINGIFY_BUILTINS
            return True
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in _CONVERT_METHODS:
            method = call.func.attr.value
            flow.stringified = flow.stringified or method in _STRINGIFY_METHODS
            flow.joined = flow.joined or method == "join"
            return True
        return False

    def _assigned(self, flow: _Flow, statement: cst.CSTNode, child: cst.CSTNode) -> _Flow | None:
        if isinstance(statement, cst.Assign):
            targets = [t.target for t in statement.targets]
        else:
            targets = [statement.target]  # type: ignore[attr-defined]
        names = [n for n in (target_name(t) for t in targets) if n]
        for name in names:
            if _classify_generated(name):
                return self._sink(flow, name, "name", child)
        # A helper variable the enclosing security-named function returns.
        function = self.ctx.enclosing_function()
        if function is not None and len(names) == 1 and isinstance(targets[0], cst.Name) and _classify_generated(function.name.value, True):
            if any(isinstance(n, cst.Return) and isinstance(n.value, cst.Name) and n.value.value == names[0]
                   for n in self.ctx.descendants(function)):
                return self._sink(flow, function.name.value, "function", child)
        return None

    def _sink(self, flow: _Flow, name: str | None, kind: str, top: cst.CSTNode) -> _Flow | None:
        flow.sink_name, flow.sink_kind, flow.top = name, kind, top
        flow.strength = _classify_generated(name, anywhere=kind == "function")
        return flow if flow.strength else None

    # --- decision -------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        source = self._source(node)
        if source is None:
            return
        kind, qualified = source
        flow = self._follow()
        if flow is None or flow.top is None or id(flow.top) in self._done:
            return
        strength = flow.strength
        words = set(_words(flow.sink_name or ""))
        if words & {"token", "tokens"} and is_parser_module(self.ctx):
            return  # a lexer's or tokenizer's tokens
        method = qualified.rpartition(".")[2]
        if method in _PICKS and not flow.joined and not self._alphabet(node):
            return  # picking one of existing values (a key from a pool), not generating one
        shaped = flow.joined or flow.hashed or flow.stringified or kind in ("uuid", "short") or self._wide_range(node, qualified)
        if strength == "weak" and not shaped:
            return
        if kind == "time" and not (flow.stringified or flow.hashed):
            return
        if kind in ("time", "timestr") and "nonce" in words:
            return  # API-client nonces are increasing timestamps by design
        if kind == "short" and (strength != "strong" or words & _SHORT_OK
                                or ("nonce" in words and qualified in _BYTES_ONLY)):
            return
        if any(isinstance(n, cst.Call) and n is not node and self._is_strong(n) for n in self.ctx.descendants(flow.top)):
            return
        if isinstance(flow.top, cst.Call) and self._is_strong(flow.top):
            return
        self._done.add(id(flow.top))
        fix, note = self._fix(flow)
        self.report(node, self._message(kind, qualified, flow, note), fix=fix,
                    severity=Severity.MEDIUM if kind == "short" else None,
                    confidence=Confidence.HIGH if kind in ("random", "uuid") and strength == "strong" else Confidence.MEDIUM)

    def _alphabet(self, call: cst.Call) -> bool:
        """Whether a ``choice``/``choices``/``sample`` population is a character set."""
        population = self.ctx.argument(call, "population", 0) or self.ctx.argument(call, "seq", 0) or self.ctx.argument(call, "a", 0)
        return population is not None and self._chars(population, 0)

    def _chars(self, node: cst.BaseExpression, depth: int) -> bool:
        if depth > 3:
            return False
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            return True
        if isinstance(node, cst.Attribute):
            return (self.ctx.qualname(node) or "").startswith("string.")
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._chars(node.left, depth + 1) or self._chars(node.right, depth + 1)
        if isinstance(node, cst.Call) and self.ctx.qualname(node.func) in ("builtins.list", "builtins.tuple") and node.args:
            return self._chars(node.args[0].value, depth + 1)
        if isinstance(node, cst.Name):
            bound = self.ctx.value_of(node)
            return bound is not None and self._chars(bound, depth + 1)
        return False

    def _wide_range(self, call: cst.Call, qualified: str) -> bool:
        """``randint(100000, 999999)``-like: a code, not a pick among a few values."""
        if qualified.rpartition(".")[2] == "getrandbits":
            return True
        if qualified.rpartition(".")[2] not in ("randint", "randrange", "integers"):
            return False
        bounds = [_int_value(self.ctx, a.value) for a in call.args if a.keyword is None]
        if len(bounds) == 1:
            bounds = [0, bounds[0]]
        return len(bounds) >= 2 and None not in bounds and bounds[1] - bounds[0] >= 1000  # type: ignore[operator]

    def _message(self, kind: str, qualified: str, flow: _Flow, note: str) -> str:
        where = {
            "name": markup.code(flow.sink_name), "key": f"the {markup.code(flow.sink_name)} entry",
            "keyword": markup.code(f'{flow.sink_name}='), "function": f"the value returned by {markup.code(f'{flow.sink_name}()')}",
        }[flow.sink_kind]
        call = qualified.rpartition(".")[2]
        why = {
            "random": f"{markup.code(f'random.{call}')}, a predictable Mersenne Twister PRNG; "
                      "use the `secrets` module (`secrets.choice`, `secrets.SystemRandom()`, `secrets.token_urlsafe(32)`)",
            "numpy": f"{markup.code(f'numpy.random.{call}')}, a predictable PRNG; use `secrets.token_urlsafe(32)` or `secrets.choice`",
            "time": f"the clock ({markup.code(qualified)}), which an attacker can guess; use `secrets.token_urlsafe(32)`",
            "timestr": f"the clock ({markup.code(qualified)}), which an attacker can guess; use `secrets.token_urlsafe(32)`",
            "uuid": f"{markup.code(f'uuid.{call}')}, which is derived from the time and host (or a name), not randomness; use `uuid.uuid4()` or `secrets.token_urlsafe(32)`",
            "short": f"{markup.code(qualified)} with fewer than 16 random bytes; use at least 16 ({markup.code(f'{call}(32)')})",
        }[kind]
        return f"{where} is generated with {why}{note}"

    # --- fixes ----------------------------------------------------------------------
    def _fix(self, flow: _Flow) -> tuple[Fix | None, str]:
        """Replace every weak source in the stored value; no fix if one of them has no mechanical one."""
        if flow.top is None:
            return None, ""
        secrets_name = _module_alias(self.ctx, "secrets")
        module = secrets_name or "secrets"
        mapping: dict[int, cst.CSTNode] = {}
        replaced_hashes: set[int] = set()
        needs = {"secrets": False, "uuid4": ""}
        for node, parents in [(flow.top, ()), *_with_parents(flow.top, ())]:
            if not isinstance(node, cst.Call):
                continue
            source = self._source(node)
            if source is None:
                continue
            if any(id(p) in replaced_hashes for p in parents):
                continue
            hash_call = self._hash_around(parents)
            if hash_call is not None:
                new = self._hash_replacement(hash_call, module)
                if new is None:
                    return None, ""
                mapping[id(hash_call)] = new
                replaced_hashes.add(id(hash_call))
                needs["secrets"] = True
                continue
            new_call = self._call_replacement(node, source, module, needs)
            if new_call is None:
                return None, ""
            mapping[id(node)] = new_call
        if not mapping:
            return None, ""
        new_top = mapping.get(id(flow.top)) or replace_nodes(flow.top, mapping)
        fix = self.ctx.replace(flow.top, new_top, "use a cryptographically secure source")  # type: ignore[arg-type]
        note = ""
        if needs["secrets"] and secrets_name is None:
            note = "; add `import secrets`"
        elif needs["uuid4"]:
            note = f"; add {markup.code(needs['uuid4'])}"
        return fix, note

    def _hash_is(self, call: cst.Call) -> bool:
        return (isinstance(call.func, cst.Attribute) and call.func.attr.value in ("hexdigest", "digest")
                and isinstance(call.func.value, cst.Call) and self._hash_size(call.func.value) is not None)

    def _hash_around(self, parents: tuple[cst.CSTNode, ...]) -> cst.Call | None:
        for parent in reversed(parents):
            if isinstance(parent, cst.Call) and self._hash_is(parent):
                return parent
        return None

    def _hash_size(self, call: cst.Call) -> int | None:
        name = self.ctx.qualname(call.func) or ""
        if name == "hashlib.new":
            algorithm = self.ctx.string(self.ctx.argument(call, "name", 0))
            return _HASH_SIZES.get((algorithm or "").lower().replace("-", "_"))
        return _HASH_SIZES.get(name.removeprefix("hashlib.")) if name.startswith("hashlib.") else None

    def _hash_replacement(self, call: cst.Call, module: str) -> cst.BaseExpression | None:
        """``hashlib.sha256(<weak>).hexdigest()`` -> ``secrets.token_hex(32)``: same length, real entropy."""
        if not (isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Call)):
            return None
        size = self._hash_size(call.func.value)
        if size is None:
            return None
        function = "token_hex" if call.func.attr.value == "hexdigest" else "token_bytes"
        return cst.parse_expression(f"{module}.{function}({size})")

    def _call_replacement(self, call: cst.Call, source: tuple[str, str], module: str,
                          needs: dict[str, object]) -> cst.Call | None:
        kind, qualified = source
        method = qualified.rpartition(".")[2]
        if kind == "random":
            needs["secrets"] = True
            positional = [a for a in call.args if a.keyword is None and not a.star]
            if method == "choice":
                func = f"{module}.choice"
            elif method == "getrandbits":
                func = f"{module}.randbits"
            elif method == "randrange" and len(positional) == 1 and len(call.args) == 1:
                func = f"{module}.randbelow"
            else:
                func = f"{module}.SystemRandom().{method}"
            return call.with_changes(func=cst.parse_expression(func))
        if kind == "uuid" and method == "uuid1":
            uuid_module = _module_alias(self.ctx, "uuid")
            uuid4 = next((k for k, v in _visible_imports(self.ctx).items() if v == "uuid.uuid4"), None)
            if uuid_module:
                func = f"{uuid_module}.uuid4"
            elif uuid4:
                func = uuid4
            else:
                func = "uuid4"
                needs["uuid4"] = "from uuid import uuid4"
            return call.with_changes(func=cst.parse_expression(func), args=[])
        if kind == "short":
            keyword, index = _SIZED_FUNCS[qualified]
            arg = self.ctx.keyword(call, keyword) or self.ctx.positional(call, index)
            if arg is None:
                return None
            args = [a.with_changes(value=cst.Integer("32")) if a is arg else a for a in call.args]
            return call.with_changes(args=args)
        return None


def _int_value(ctx: FileContext, node: cst.BaseExpression) -> int | None:
    """An int literal, allowing ``10**6`` and ``10**6 - 1``."""
    if isinstance(node, cst.BinaryOperation):
        left, right = _int_value(ctx, node.left), _int_value(ctx, node.right)
        if left is None or right is None:
            return None
        if isinstance(node.operator, cst.Power) and 0 <= right <= 64:
            return int(left**right)
        if isinstance(node.operator, cst.Subtract):
            return left - right
        if isinstance(node.operator, cst.Add):
            return left + right
        if isinstance(node.operator, cst.Multiply):
            return left * right
        return None
    value = ctx.literal(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- AR210 vocabulary -------------------------------------------------------------

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
_PASS_THROUGH_METHODS = frozenset({"encode", "decode", "strip", "lower", "upper", "rstrip", "lstrip", "removeprefix", "hex"})
_NOT_SECRET_CALLS = frozenset({
    "builtins.len", "builtins.type", "builtins.id", "builtins.isinstance", "builtins.bool", "builtins.int",
    "builtins.float", "builtins.hash", "builtins.callable",
})
_GETTERS = frozenset({"get", "getlist", "pop", "getenv", "get_header"})


def _secret_kind(words: list[str]) -> str | None:
    """``"secret"``, ``"password"`` (left to AR503) or None, by the head noun of a name."""
    if not words or words[0] in _CMP_BOOL_PREFIX:
        return None
    bigram_at_end = len(words) >= 2 and (words[-2], words[-1]) in _CMP_BIGRAMS
    if _last_word(words) in _CMP_NOT_LAST and not bigram_at_end:
        return None
    if _head_is(words, _CMP_SECRET, _CMP_BIGRAMS) or _head_is(words, _CMP_SECRET | {"digest"}, _CMP_BIGRAMS) and _CMP_SECRET & set(words):
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
        if self._trivial(left) or self._trivial(right):
            return
        self._nlp = is_parser_module(self.ctx)
        kinds = [self._operand(left, 0), self._operand(right, 0)]
        if "password" in kinds or "secret" not in kinds:
            return
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
        numeric = {"otp", "totp", "hotp"} & set(_words(self.ctx.code(left) + " " + self.ctx.code(right)))
        fix = None if numeric else self.ctx.replace(node, new, "compare in constant time")
        self.report(node, f"{markup.code(_short(self.ctx.code(secret)))} is compared with {markup.code(operator)}, which takes longer the "
                    f"more leading characters match, so the secret can be guessed piece by piece; use "
                    f"{markup.code(f'{function}(...)')}{note}", fix=fix)

    def _in_dunder(self) -> bool:
        function = self.ctx.enclosing_function()
        return function is not None and function.name.value in ("__eq__", "__ne__", "__hash__", "__lt__", "__contains__")

    def _trivial(self, node: cst.BaseExpression) -> bool:
        """Literals, None, booleans, numbers, ``len(...)``, ``type(...)``, enum members."""
        if self.ctx.literal(node) is not UNKNOWN:
            return True
        if isinstance(node, cst.Call) and self.ctx.qualname(node.func) in _NOT_SECRET_CALLS:
            return True
        if isinstance(node, cst.Attribute) and node.attr.value.isupper() and _secret_kind(_words(node.attr.value)) is None:
            return True  # signal.SIGINT, HTTPStatus.OK
        if isinstance(node, cst.Name) and (node.value.isupper() and node.value in self.ctx.index.imports
                                           and _secret_kind(_words(node.value)) is None):
            return True  # an imported constant
        if isinstance(node, cst.Name) and self._annotated_scalar(node.value):
            return True
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            base, attr = node.value.value, node.attr.value
            if base[:1].isupper() and not base.isupper() and attr.isupper() and _secret_kind(_words(attr)) is None:
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
            return self._key_kind(_subscript_key(ctx, node))
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
        words = _words(dotted.rpartition(".")[2])
        if words and (words[0] in _SIGN_VERBS or "signature" in words) and _last_word(words) not in _CMP_NOT_LAST:
            return "secret"  # compute_signature(...), sign(payload)
        return None

    def _key_kind(self, key: str | None) -> str | None:
        return self._kind(key) if key else None

    def _kind(self, name: str) -> str | None:
        words = _words(name)
        if self._nlp and words and words[-1] in ("token", "tokens"):
            return None  # a parser's token
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
        imports = _visible_imports(self.ctx)
        for module in ("hmac", "secrets"):
            for local, qualified in imports.items():
                if qualified == f"{module}.compare_digest":
                    return local, ""
            alias = _module_alias(self.ctx, module)
            if alias:
                return f"{alias}.compare_digest", ""
        return "hmac.compare_digest", " (add `import hmac`)"


def _subscript_key(ctx: FileContext, node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.string(node.slice[0].slice.value)
    return None


def _string_parts(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The expressions an f-string, ``+`` or implicit concatenation is built from."""
    if isinstance(node, cst.FormattedString):
        return [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return [*_string_parts(node.left), *_string_parts(node.right)]
    if isinstance(node, cst.ConcatenatedString):
        return [*_string_parts(node.left), *_string_parts(node.right)]  # type: ignore[arg-type]
    return [node]


def _quote_like(node: cst.BaseExpression) -> str:
    return "''" if isinstance(node, cst.SimpleString) and node.value.startswith("'") else '""'


def _short(code: str, limit: int = 60) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 1] + "…"




# --- AR209 ------------------------------------------------------------------------------------

_MINT_VERBS = frozenset({"create", "generate", "issue", "encode", "make", "new", "mint", "sign", "build", "grant"})
_REVOKE_WORDS = frozenset({"revoke", "revoked", "revoking", "revocation", "blocklist", "blocklisted", "blacklist",
                           "blacklisted", "denylist", "denylisted", "invalidate", "invalidated", "rotate", "rotated",
                           "consume", "consumed"})
_REVOKE_FIELDS = frozenset({"revoked", "revoked_at", "is_revoked", "used", "used_at", "is_used", "replaced_by",
                            "replaced_by_id", "consumed", "consumed_at", "invalidated", "invalidated_at",
                            "blacklisted", "blacklisted_at", "rotated_at", "revoked_on"})
_DEACTIVATE_FIELDS = frozenset({"is_active", "active", "valid", "is_valid", "enabled"})
_DELETE_TAILS = frozenset({"delete", "adelete", "delete_one", "delete_many", "remove", "srem", "hdel", "unlink",
                           "discard", "destroy", "expire_token"})
_QUERY_PREFIXES = frozenset({"is", "has", "check", "was", "in", "get", "verify", "validate", "ensure", "assert",
                             "lookup", "find", "fetch"})
_DECODERS = frozenset({"decode", "verify", "validate", "parse", "load", "loads", "unsign", "check", "introspect",
                       "read", "authenticate"})
_SIMPLEJWT_REFRESH = ("rest_framework_simplejwt.tokens.RefreshToken", "rest_framework_simplejwt.tokens.SlidingToken")


@dataclass
class _RefreshEffects:
    presented: str | None = None  # how the handler receives a refresh token
    simplejwt_vars: set[str] = field(default_factory=set)  # locals holding a simplejwt RefreshToken(<presented>)
    mint_access: cst.CSTNode | None = None
    mint_refresh: cst.CSTNode | None = None
    revoke: cst.CSTNode | None = None
    stock_serializer: cst.CSTNode | None = None  # simplejwt's TokenRefreshSerializer: the settings decide

    def merge_minting(self, other: "_RefreshEffects", at: cst.CSTNode) -> None:
        self.mint_access = self.mint_access or (at if other.mint_access is not None else None)
        self.mint_refresh = self.mint_refresh or (at if other.mint_refresh is not None else None)
        self.revoke = self.revoke or (at if other.revoke is not None else None)


def _in_condition(parents: tuple[cst.CSTNode, ...], node: cst.CSTNode) -> bool:
    """Inside an ``if``/``while`` test or an ``assert``: a check, not an action."""
    chain = (*parents, node)
    for i, parent in enumerate(chain[:-1]):
        child = chain[i + 1]
        if isinstance(parent, (cst.If, cst.While)) and child is parent.test:
            return True
        if isinstance(parent, (cst.Assert, cst.Comparison, cst.UnaryOperation, cst.BooleanOperation)):
            return True
    return False


class RefreshTokenNotRotated(Rule):
    """What it does: flags refresh endpoints (``@jwt_required(refresh=True)``, a handler that
    decodes or looks up a client's refresh token, simplejwt ``RefreshToken(request.data[...])``)
    that mint a new access token but leave the presented refresh token valid: they neither
    revoke it (blocklist its ``jti``, delete or mark the stored row, ``.blacklist()``) nor
    replace it. Django projects that route simplejwt's stock ``TokenRefreshView`` are flagged
    when their ``SIMPLE_JWT`` settings do not set both ``ROTATE_REFRESH_TOKENS`` and
    ``BLACKLIST_AFTER_ROTATION``.

    Why is this bad: a refresh token is a long-lived credential. If it is never rotated, one
    copy stolen from a device, a log or a proxy keeps minting access tokens until it expires,
    days later, and the server cannot tell the thief from the user. Rotation with revocation
    makes every refresh token single-use, so a replayed one is detected and the family revoked.

    Example:
        @auth_bp.post("/token/refresh")
        @jwt_required(refresh=True)
        def refresh():
            return jsonify(access_token=create_access_token(identity=get_jwt_identity()))

    Use instead:
        @auth_bp.post("/token/refresh")
        @jwt_required(refresh=True)
        def refresh():
            identity = get_jwt_identity()
            db.session.add(TokenBlocklist(jti=get_jwt()["jti"]))
            db.session.commit()
            return jsonify(access_token=create_access_token(identity=identity),
                           refresh_token=create_refresh_token(identity=identity))
    """

    id = "AR209"
    name = "refresh-token-not-rotated"
    title = "Refresh token stays valid after use"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = 613
    in_tests = False
    prefilter = (re.compile(r"(?i)refresh"), re.compile(r"(?i)token|jwt"))

    VALID = [
        # Rotates: the presented token's jti is blocklisted and a new pair is issued.
        "from flask import Blueprint, jsonify\n"
        "from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt, get_jwt_identity, jwt_required\n"
        "bp = Blueprint('auth', __name__)\n@bp.post('/refresh')\n@jwt_required(refresh=True)\ndef refresh():\n"
        "    identity = get_jwt_identity()\n    db.session.add(TokenBlocklist(jti=get_jwt()['jti']))\n    db.session.commit()\n"
        "    return jsonify(access_token=create_access_token(identity=identity),\n"
        "                   refresh_token=create_refresh_token(identity=identity))\n",
        # Opaque refresh tokens in the database: the old row is marked revoked.
        "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n@router.post('/refresh')\n"
        "def refresh(body: RefreshIn, session: SessionDep):\n"
        "    stored = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == digest(body.refresh_token))).first()\n"
        "    if stored is None or stored.revoked_at is not None:\n        raise HTTPException(401)\n"
        "    stored.revoked_at = now()\n    new_refresh = secrets.token_urlsafe(32)\n"
        "    session.add(RefreshToken(token_hash=digest(new_refresh), user_id=stored.user_id))\n    session.commit()\n"
        "    return {'access_token': create_access_token(stored.user_id), 'refresh_token': new_refresh}\n",
        # simplejwt: the presented token is blacklisted.
        "from rest_framework.views import APIView\nfrom rest_framework.response import Response\n"
        "from rest_framework_simplejwt.tokens import RefreshToken\n"
        "class Refresh(APIView):\n    def post(self, request):\n        old = RefreshToken(request.data['refresh'])\n"
        "        user = User.objects.get(id=old['user_id'])\n        old.blacklist()\n        new = RefreshToken.for_user(user)\n"
        "        return Response({'access': str(new.access_token), 'refresh': str(new)})\n",
        # A login issues tokens; it is not a refresh endpoint.
        "from flask import Flask, request, jsonify\nfrom flask_jwt_extended import create_access_token, create_refresh_token\n"
        "app = Flask(__name__)\n@app.post('/login')\ndef login():\n    user = check(request.json)\n"
        "    return jsonify(access_token=create_access_token(user.id), refresh_token=create_refresh_token(user.id))\n",
        # Logout with the refresh token revokes it and mints nothing.
        "from rest_framework.views import APIView\nfrom rest_framework_simplejwt.tokens import RefreshToken\n"
        "class Logout(APIView):\n    def post(self, request):\n        RefreshToken(request.data['refresh']).blacklist()\n"
        "        return Response(status=205)\n",
        # ORM refresh() is not a token.
        "from flask import Flask\nfrom flask_jwt_extended import jwt_required, create_access_token\napp = Flask(__name__)\n"
        "@app.post('/items/<int:i>')\n@jwt_required()\ndef touch(i):\n    item = db.session.get(Item, i)\n"
        "    db.session.refresh(item)\n    return {'ok': True}\n",
    ]
    INVALID = [
        Invalid(
            "from flask import Blueprint, jsonify\nfrom flask_jwt_extended import create_access_token, get_jwt_identity, jwt_required\n"
            "bp = Blueprint('auth', __name__)\n@bp.post('/token/refresh')\n@jwt_required(refresh=True)\ndef refresh():\n"
            "    return jsonify(access_token=create_access_token(identity=get_jwt_identity()))\n",
        ),
        # PyJWT, hand-rolled: the same refresh token is handed back.
        Invalid(
            "import jwt\nfrom fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/auth/refresh')\n"
            "def refresh(body: RefreshRequest):\n"
            "    claims = jwt.decode(body.refresh_token, SECRET, algorithms=['HS256'])\n"
            "    access = jwt.encode({'sub': claims['sub'], 'exp': soon()}, SECRET, algorithm='HS256')\n"
            "    return {'access_token': access, 'refresh_token': body.refresh_token}\n",
        ),
        # simplejwt, bypassing the serializer.
        Invalid(
            "from rest_framework.views import APIView\nfrom rest_framework.response import Response\n"
            "from rest_framework_simplejwt.tokens import RefreshToken\n"
            "class MobileRefresh(APIView):\n    def post(self, request):\n        refresh = RefreshToken(request.data['refresh'])\n"
            "        return Response({'access': str(refresh.access_token)})\n",
        ),
        # A new refresh token, but the presented one stays valid too.
        Invalid(
            "from flask import Flask, jsonify\n"
            "from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt_identity, jwt_required\n"
            "app = Flask(__name__)\n@app.post('/refresh')\n@jwt_required(refresh=True)\ndef refresh():\n"
            "    identity = get_jwt_identity()\n"
            "    return jsonify(access_token=create_access_token(identity=identity),\n"
            "                   refresh_token=create_refresh_token(identity=identity))\n",
        ),
        # A service function behind the route.
        Invalid(
            "import jwt\nfrom app.security import create_access_token\n"
            "def refresh_access_token(refresh_token: str) -> str:\n"
            "    claims = jwt.decode(refresh_token, KEY, algorithms=['HS256'])\n"
            "    if claims.get('type') != 'refresh':\n        raise InvalidToken()\n"
            "    return create_access_token(claims['sub'])\n",
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        from .login import endpoint_label
        from ..endpoints import endpoints

        ctx = self.ctx
        found = endpoints(ctx)
        handled: set[int] = set()
        self._covered: set[int] = set()  # helpers read as part of an endpoint
        for endpoint in found:
            function = endpoint.function
            if id(function) in handled:
                continue
            handled.add(id(function))
            effects = self._effects(function, endpoint, 0)
            self._judge(function, effects, markup.code(endpoint_label(ctx, endpoint)))
        for function in walk(node):
            if not isinstance(function, cst.FunctionDef) or id(function) in handled or id(function) in self._covered:
                continue
            if "refresh" not in _words(function.name.value):
                continue
            effects = self._effects(function, None, 0)
            self._judge(function, effects, markup.code(f'{function.name.value}()'), helper=True)
        self._stock_views()

    # --- what a function does -------------------------------------------------------------
    def _effects(self, function: cst.FunctionDef, endpoint: Any, depth: int) -> _RefreshEffects:
        ctx = self.ctx
        effects = _RefreshEffects()
        if depth == 0:
            for decorator in function.decorators:
                expr = decorator.decorator
                target = expr.func if isinstance(expr, cst.Call) else expr
                qual = ctx.qualname(target)
                tail = qual.rsplit(".", 1)[-1] if qual else _tail(target)  # through ``import ... as``
                if tail in ("jwt_refresh_token_required", "refresh_jwt_required", "jwt_refresh_required") or (
                        tail in ("jwt_required", "verify_jwt_in_request") and isinstance(expr, cst.Call)
                        and _literal_true(ctx, ctx.argument(expr, "refresh"))):
                    effects.presented = markup.code(f'@{ctx.code(expr)}')
            params = (*function.params.params, *function.params.kwonly_params)
            if endpoint is None and any("refresh" in _words(p.name.value) for p in params):
                effects.presented = effects.presented or "its refresh token parameter"
        for child, parents in _with_parents(function.body):
            if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(child, cst.Call):
                self._call_effects(child, parents, effects, depth)
            elif isinstance(child, (cst.Assign, cst.AugAssign)):
                self._assign_effects(child, effects)
            elif isinstance(child, cst.Del):
                effects.revoke = effects.revoke or child
            elif isinstance(child, cst.Attribute) and child.attr.value == "access_token" \
                    and isinstance(child.value, cst.Name) and child.value.value in effects.simplejwt_vars:
                effects.mint_access = effects.mint_access or child
        if depth == 0 and effects.presented is None and endpoint is not None:
            effects.presented = self._client_refresh(function, endpoint)
        return effects

    def _call_effects(self, call: cst.Call, parents: tuple[cst.CSTNode, ...], effects: _RefreshEffects,
                      depth: int) -> None:
        ctx = self.ctx
        func = call.func
        qual = ctx.qualname(func) or ""
        tail = qual.rsplit(".", 1)[-1].removesuffix("()") if qual else _tail(func)
        tail_words = _words(tail)
        callee_words = set(_words(ctx.code(func))) if isinstance(func, (cst.Name, cst.Attribute)) else set(tail_words)
        arg_words: set[str] = set()
        literals: set[str] = set()
        for arg in call.args:
            arg_words |= set(_words(ctx.code(arg.value)))
            if arg.keyword is not None:
                arg_words |= set(_words(arg.keyword.value))
            value = ctx.string(arg.value)
            if value is None and isinstance(arg.value, cst.FormattedString):  # f"revoked:{jti}"
                value = "".join(p.value for p in arg.value.parts if isinstance(p, cst.FormattedStringText))
            if value is not None:
                literals.add(value.lower())
        # -- the presented refresh token
        if tail in ("verify_jwt_in_request",) and _literal_true(ctx, ctx.argument(call, "refresh")) \
                or tail in ("jwt_refresh_token_required", "verify_refresh_token_in_request"):
            effects.presented = effects.presented or markup.code(ctx.code(call))
        if qual in _SIMPLEJWT_REFRESH and call.args and not qual.endswith("for_user"):
            effects.presented = effects.presented or markup.code(ctx.code(call))
            parent = parents[-1] if parents else None
            if isinstance(parent, cst.Assign):
                for target in parent.targets:
                    if isinstance(target.target, cst.Name):
                        effects.simplejwt_vars.add(target.target.value)
            elif isinstance(parent, cst.Attribute) and parent.attr.value == "access_token":
                effects.mint_access = effects.mint_access or parent
        if tail == "TokenRefreshSerializer" or qual.endswith("TokenRefreshSerializer"):
            effects.stock_serializer = effects.stock_serializer or call
        if set(tail_words) & _DECODERS and not set(tail_words) & _MINT_VERBS and (
                "refresh" in arg_words or "refresh" in literals):
            effects.presented = effects.presented or markup.code(_short(ctx.code(call)))
        # -- minting
        words = set(tail_words)
        tokenish = bool(words & {"token", "jwt", "tokens"})
        if qual.endswith(("AccessToken.for_user",)) or (
                words & _MINT_VERBS and tokenish and not words & {"refresh", "tokens", "pair", "reset", "csrf",
                                                                   "api", "invite", "verification"}):
            effects.mint_access = effects.mint_access or call  # create_access_token(...), issue_token(user)
        if qual.endswith(("RefreshToken.for_user", "SlidingToken.for_user")) or (
                "refresh" in words and words & _MINT_VERBS and tokenish and "access" not in words):
            effects.mint_refresh = effects.mint_refresh or call
        if qual in ("jwt.encode", "jose.jwt.encode", "authlib.jose.jwt.encode", "jwt.api_jwt.encode") or (
                tail == "encode" and "jwt" in callee_words):
            if "refresh" in arg_words or "refresh" in literals:
                effects.mint_refresh = effects.mint_refresh or call
            else:
                effects.mint_access = effects.mint_access or call
        if words & {"tokens", "pair"} and words & _MINT_VERBS:
            helper = definition(ctx, func) if depth < 2 else None
            if helper is None:
                effects.mint_access = effects.mint_access or call
                effects.mint_refresh = effects.mint_refresh or call
        # -- revoking the presented one
        asks = bool(tail_words) and (tail_words[0] in _QUERY_PREFIXES or "in" in tail_words)  # token_in_blocklist()
        if not _in_condition(parents, call) and not asks:
            if callee_words & _REVOKE_WORDS or tail in _DELETE_TAILS or any(
                    set(_words(text)) & _REVOKE_WORDS for text in literals) or any(
                    arg.keyword is not None and arg.keyword.value in _REVOKE_FIELDS for arg in call.args):
                effects.revoke = effects.revoke or call
        # -- helpers of this module or the project
        if depth < 2 and isinstance(func, (cst.Name, cst.Attribute)) and not qual.startswith(
                ("jwt.", "flask_jwt_extended.", "rest_framework_simplejwt.", "jose.", "authlib.")):
            helper = definition(ctx, func)
            if helper is not None and helper[0] is ctx:
                getattr(self, "_covered", set()).add(id(helper[1]))
                inner = self._effects(helper[1], None, depth + 1)
                effects.merge_minting(inner, call)
            elif helper is not None:
                inner = RefreshTokenNotRotated(helper[0])._effects(helper[1], None, depth + 1)
                effects.merge_minting(inner, call)

    def _assign_effects(self, node: cst.Assign | cst.AugAssign, effects: _RefreshEffects) -> None:
        ctx = self.ctx
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        for target in targets:
            name = target.attr.value if isinstance(target, cst.Attribute) else None
            if isinstance(target, cst.Subscript):
                key = _subscript_key(ctx, target)
                name = key if key else None
            if name is None:
                if isinstance(target, cst.Name) and "refresh" in _words(target.value) and isinstance(
                        node.value, cst.Call) and (ctx.qualname(node.value.func) or "").startswith(
                        ("secrets.token_", "uuid.uuid4", "os.urandom")):
                    effects.mint_refresh = effects.mint_refresh or node  # a new opaque refresh token
                continue
            if name.lower() in _REVOKE_FIELDS:
                effects.revoke = effects.revoke or node
            elif name.lower() in _DEACTIVATE_FIELDS and _literal_false(ctx, node.value):
                effects.revoke = effects.revoke or node

    def _client_refresh(self, function: cst.FunctionDef, endpoint: Any) -> str | None:
        """A refresh token the client sends: ``body.refresh_token``, ``request.json["refresh"]``, a cookie."""
        ctx = self.ctx
        candidates: list[cst.BaseExpression] = []
        for child in walk(function.body):
            if isinstance(child, cst.Subscript):
                key = _subscript_key(ctx, child)
                if key and "refresh" in _words(key):
                    candidates.append(child)
            elif isinstance(child, cst.Call) and _tail(child.func) in ("get", "get_cookie") and child.args:
                key = ctx.string(child.args[0].value)
                if key and "refresh" in _words(key):
                    candidates.append(child)
            elif isinstance(child, cst.Attribute) and "refresh" in _words(child.attr.value):
                candidates.append(child)
        if not candidates:
            return None
        from ..flow import HandlerFlow

        flow = HandlerFlow.build(ctx, function, endpoint.framework)
        for candidate in candidates:
            source = flow.client_source(candidate)
            if source is not None:
                return f"the client's {markup.code(source)}"
        return None

    # --- verdict ---------------------------------------------------------------------------
    def _judge(self, function: cst.FunctionDef, effects: _RefreshEffects, label: str, helper: bool = False) -> None:
        if effects.presented is None:
            return
        if effects.stock_serializer is not None and effects.mint_access is None:
            problem = self._settings_problem()
            if problem is not None:
                self.report(function.name, f"{label} refreshes through simplejwt's `TokenRefreshSerializer`, "
                            f"but {problem}: the presented refresh token stays valid after use")
            return
        if effects.mint_access is None or effects.revoke is not None:
            return
        if effects.mint_refresh is not None:
            message = (f"{label} takes a refresh token ({effects.presented}) and issues a new one, but never revokes "
                       f"the presented one: both stay valid, so a stolen refresh token keeps working until it "
                       f"expires; blocklist its `jti` (or delete/mark the stored token) when you rotate")
            confidence = Confidence.MEDIUM
        else:
            message = (f"{label} mints a new access token from a refresh token ({effects.presented}) but neither "
                       f"revokes it nor issues a new one: a stolen refresh token keeps minting access tokens until "
                       f"it expires; issue a new refresh token and revoke the presented one (blocklist its `jti`)")
            confidence = Confidence.HIGH if not helper else Confidence.MEDIUM
        self.report(function.name, message, confidence=confidence)

    # --- simplejwt's stock view ---------------------------------------------------------------
    def _settings_problem(self) -> str | None:
        """Why the project's SIMPLE_JWT settings leave refresh tokens valid after use (None: they do not, or unknown)."""
        from .login import django_settings

        problems = []
        for settings in django_settings(self.ctx):
            values = settings.values
            simple = values.get("SIMPLE_JWT", {})
            if not isinstance(simple, dict):
                return None  # built in code: cannot tell
            rotate, blacklist = simple.get("ROTATE_REFRESH_TOKENS"), simple.get("BLACKLIST_AFTER_ROTATION")
            apps = values.get("INSTALLED_APPS")
            installed = not isinstance(apps, (list, tuple)) or "rest_framework_simplejwt.token_blacklist" in apps
            if rotate is True and blacklist is True and installed:
                return None
            if UNKNOWN in (rotate, blacklist) or (rotate not in (True, False, None)):
                return None
            if rotate is not True:
                problems.append("`SIMPLE_JWT` does not set `ROTATE_REFRESH_TOKENS = True`")
            elif blacklist is not True:
                problems.append("`SIMPLE_JWT` rotates without `BLACKLIST_AFTER_ROTATION = True`")
            else:
                problems.append("`rest_framework_simplejwt.token_blacklist` is not in `INSTALLED_APPS`")
        return problems[0] if problems else None

    def _stock_views(self) -> None:
        ctx = self.ctx
        if "TokenRefreshView" not in ctx.source.text or ctx.project is None:
            return
        problem: str | None = None
        checked = False
        for child in walk(ctx.module):
            anchor = None
            if isinstance(child, cst.Call) and _tail(child.func) == "as_view" and isinstance(child.func, cst.Attribute) \
                    and ctx.qualname(child.func.value) == "rest_framework_simplejwt.views.TokenRefreshView":
                anchor, what = child, "simplejwt's `TokenRefreshView`"
            elif isinstance(child, cst.ClassDef) and any(
                    ctx.qualname(b.value) == "rest_framework_simplejwt.views.TokenRefreshView" for b in child.bases) \
                    and not any(isinstance(s, cst.FunctionDef) and s.name.value == "post" for s in child.body.body):
                anchor, what = child.name, f"{markup.code(child.name.value)} (simplejwt's `TokenRefreshView`)"
            if anchor is None:
                continue
            if not checked:
                problem, checked = self._settings_problem(), True
            if problem is None:
                return
            self.report(anchor, f"{what} mints access tokens from refresh tokens, but {problem}: the presented "
                        f"refresh token stays valid after use; set `ROTATE_REFRESH_TOKENS = True` and "
                        f"`BLACKLIST_AFTER_ROTATION = True` (with `token_blacklist` installed)")


def _tail(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


def _literal_true(ctx: FileContext, node: cst.BaseExpression | None) -> bool:
    return node is not None and ctx.literal(node) is True


def _literal_false(ctx: FileContext, node: cst.BaseExpression | None) -> bool:
    return node is not None and ctx.literal(node) is False


__all__ = ["InsecureSecretCompare", "RefreshTokenNotRotated", "WeakTokenRandomness"]
