"""AR208 weak-token-randomness: Security token generated with weak randomness."""

from __future__ import annotations

import copy
import re

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Fix, Severity
from ...rule import Invalid, Rule
from ...words import split_words
from .._common import is_parser_module, replace_nodes, target_name
from ._shared import (
    head_is,
    last_word,
    module_alias,
    resolved_subscript_key,
    scope_nodes,
    short_code,
    visible_imports,
    with_parents,
)


def _has_bigram(words: list[str], bigrams: frozenset[tuple[str, str]]) -> bool:
    return any(pair in bigrams for pair in zip(words, words[1:], strict=False))


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
    ("otp", "code"), ("totp", "code"), ("2fa", "code"), ("tfa", "code"), ("twofa", "code"), ("security", "code"),
    ("access", "code"), ("pass", "code"), ("signin", "code"), ("magic", "code"), ("pin", "code"),
    ("authorization", "code"), ("device", "code"), ("pairing", "code"), ("validation", "code"),
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


def _classify_generated(name: str | None, anywhere: bool = False) -> str | None:
    """``"strong"`` (token, otp, session_id...), ``"weak"`` (code, key, state...) or None.

    A variable, key or keyword counts by its head noun (``reset_token`` yes, ``token_form`` no);
    a function name by any word (``make_token_for``).
    """
    if not name:
        return None
    return _classify_words(split_words(name), anywhere)


def _classify_words(words: list[str], anywhere: bool = False) -> str | None:
    if not words or words[0] in _BOOL_PREFIX or _GEN_NOT_ANY & set(words):
        return None
    bigram_at_end = len(words) >= 2 and (words[-2], words[-1]) in _GEN_BIGRAMS
    if last_word(words) in _GEN_NOT_LAST and not bigram_at_end:
        return None
    if anywhere:
        if _GEN_STRONG & set(words) or _has_bigram(words, _GEN_BIGRAMS):
            return "strong"
        found = set(words)
        codes = [_code_reading(words[:i]) for i, w in enumerate(words) if w == "code"]
        if codes and not any(codes):
            found.discard("code")  # only ``country_code``-like codes
        if "strong" in codes:
            return "strong"
        return "weak" if _GEN_WEAK & found else None
    if head_is(words, _GEN_STRONG, _GEN_BIGRAMS):
        return "strong"
    if head_is(words, frozenset({"code"}), frozenset()):
        return _code_reading(words[: len(words) - 1 - words[::-1].index("code")])
    return "weak" if head_is(words, _GEN_WEAK, frozenset()) else None


# ``code`` is a secret when qualified by what it unlocks or how it travels (``sms_code``, ``otp_code``),
# a code to check when unqualified or qualified by a neutral word (``code``, ``new_code``, "your code"),
# and no secret when qualified by anything else: ``country_code``, ``status_code``, ``region_code``.
_CODE_SECRET_QUALIFIERS = frozenset({
    "auth", "authorization", "reset", "verification", "verify", "confirm", "confirmation", "activation",
    "activate", "invite", "invitation", "login", "signin", "signup", "registration", "enrollment", "sms",
    "email", "mail", "text", "mfa", "2fa", "tfa", "twofa", "otp", "totp", "hotp",
    "recovery", "backup", "unlock", "access", "security", "secret", "pass", "magic", "pairing", "device",
    "validation", "challenge", "approval", "pin", "secure", "session", "transfer", "admin", "unsubscribe",
})
_CODE_NEUTRAL_QUALIFIERS = frozenset({
    "new", "random", "rand", "gen", "generated", "generate", "make", "create", "fresh", "temp", "tmp",
    "temporary", "your", "the", "a", "this", "my", "digit", "digits",
    "expected", "stored", "saved", "current", "cached", "sent", "send", "issue", "issued", "get", "next",
    "use", "enter", "type",
})


def _code_reading(before: list[str]) -> str | None:
    """How a ``code`` preceded by the words ``before`` reads: "strong", "weak", or None (no secret)."""
    while before and before[-1].isdigit():
        before = before[:-1]
    if not before:
        return "weak"
    previous = before[-1]
    if previous == "time" and len(before) >= 2 and before[-2] == "one":
        return "strong"
    if previous in _CODE_SECRET_QUALIFIERS or previous in _GEN_STRONG:
        return "strong"
    return "weak" if previous in _CODE_NEUTRAL_QUALIFIERS else None


def _classify_text(before: str, after: str = "") -> str | None:
    """Which secret a message names where a value goes, by the head noun of the clause around it:
    ``"Your login code is "`` strong, ``"Your code: "`` weak, ``" is your verification code"`` strong,
    ``"Error code "``, ``"retrying token refresh in "``, ``"You rolled "`` none."""
    words = split_words(re.split(r"[.!?\n]", before)[-1])
    while words and words[-1] in _FILLERS:
        words.pop()
    reading = _head_reading(words[-6:])
    following = split_words(re.split(r"[.!?,;\n]", after)[0])
    if reading is None and following and following[0] in ("is", "are", "was"):
        reading = _head_reading(following[:6])
    return reading


_FILLERS = frozenset({"is", "are", "was", "will", "be", "now", "here", "s"})


def _head_reading(words: list[str]) -> str | None:
    if not words or _GEN_NOT_ANY & set(words):
        return None
    if words[-1] in _GEN_STRONG or (len(words) >= 2 and (words[-2], words[-1]) in _GEN_BIGRAMS):
        return "strong"
    return _code_reading(words[:-1]) if words[-1] == "code" else None


_PLACEHOLDER = re.compile(r"%[-#0 +]*[0-9.]*[sdrixX]|\{[^{}]*\}")


def _around_placeholder(template: str) -> tuple[str, str] | None:
    """The text before and after the one placeholder of a ``%``/``format`` template."""
    found = list(_PLACEHOLDER.finditer(template))
    if len(found) != 1:
        return None
    return template[: found[0].start()], template[found[0].end() :]


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
    "builtins.format", "builtins.float", "builtins.chr", "builtins.map",
})
_STRINGIFY_BUILTINS = frozenset({"builtins.str", "builtins.hex", "builtins.repr", "builtins.format", "builtins.oct"})
_CONVERT_METHODS = frozenset({
    "join", "format", "encode", "decode", "zfill", "rjust", "ljust", "upper", "lower", "to_bytes", "hex",
    "hexdigest", "digest", "strftime", "isoformat", "timestamp", "replace", "strip",
})
_STRINGIFY_METHODS = frozenset({"join", "format", "hex", "hexdigest", "zfill", "strftime", "isoformat", "rjust", "ljust"})
_PICKS = frozenset({"choice", "choices", "sample", "shuffle", "permutation"})

# A code the user types back has at least six random digits (a million guesses, with a rate limit on top).
_MIN_DIGITS = 6

_STOP_KEYWORDS = frozenset({"k", "weights", "cum_weights", "size"})


class _Flow:
    """How a weak value reaches a name: through what, into what."""

    def __init__(self) -> None:
        self.stringified = False
        self.hashed = False
        self.joined = False
        self.hash_call: cst.Call | None = None  # ``hashlib.x(...).hexdigest()`` on the way
        self.sink_name: str | None = None
        self.sink_kind = ""  # "name", "key", "keyword", "function", "compared", "message"
        self.strength: str | None = None
        self.top: cst.CSTNode | None = None
        self.follow_uses = False  # follow a neutrally named variable to where it goes (``random``/``numpy`` values)
        self.through: str | None = None  # the neutrally named variable followed
        self.message: cst.CSTNode | None = None  # a text naming a code the value is written into
        self.message_text = ""
        self.message_strength: str | None = None


class WeakTokenRandomness(Rule):
    """What it does: flags tokens, one-time codes, reset codes, session ids, nonces, API keys,
    salts and generated passwords made with the ``random`` module (or a ``random.Random``
    instance, or ``numpy.random``), from the clock (``time.time()``, ``datetime.now()``
    hashed or turned into text), from ``uuid1``/``uuid3``/``uuid5``, from fewer than 16
    random bytes, or codes of fewer than six digits even from ``secrets`` (``secrets.randbelow(10000)``,
    four ``secrets.randbelow(10)`` joined). Whether a value is a secret is read from the name it is stored in, the
    dict key or keyword it is passed as, or the function that returns it; a random value kept in a
    neutrally named variable counts when it is then stored under a secret's name
    (``user.otp_code = n``), sent in a message that names a code (``f"Your login code is {n}"``) or
    compared with one (``request.form["otp"] == str(n)``). ``code`` is judged by what qualifies it:
    ``sms_code``/``reset_code`` are secrets, a bare ``code`` is when code-shaped (six digits, joined,
    or checked against user input), ``country_code``/``status_code``/``error_code`` are not.

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
        re.compile(r"\brandom\b|\buuid[135]\b|urandom|token_(?:hex|bytes|urlsafe)|randbelow|secrets\.choice|time\(\)|\.now\(|utcnow\(|"
                   r"\.today\(|strftime\(|\barrow\.|pendulum\."),
        # ...used for something secret.
        re.compile(r"token|otp|nonce|secret|csrf|xsrf|sid|salt|passw|pin\b|jti|api_?key|apikey|session|reset|"
                   r"verif|activat|confirm|invite|state|magic|one_?time|captcha|voucher|coupon|license|private|"
                   r"code|mfa|2fa|login",
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
        "import secrets, string\nsms_code = ''.join(secrets.choice(string.digits) for _ in range(6))\n"
        "retry_after_ms = secrets.randbelow(1000)",
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
        # Codes that classify rather than authenticate: decided by the head noun's qualifier.
        "import random\ncountry_code = random.choice(COUNTRY_CODES)\nstatus_code = random.choice([200, 404, 500])\n"
        "error_code = random.randint(1000, 9999)\nregion_code = random.randint(10000, 99999)\ncolor_code = random.randint(0, 0xFFFFFF)",
        # A random number in a message that names no code; a dice roll compared with a constant.
        "import random\ndef roll(update):\n    n = random.randint(1, 100000)\n    update.message.reply_text(f'You rolled {n}')\n"
        "    code = random.randint(1, 6)\n    if code == 6:\n        win()\n",
        # A random index picks an existing token.
        "import random\ndef pick(tokens):\n    i = random.randint(0, len(tokens) - 1)\n    token = tokens[i]\n    return token\n",
    ]
    INVALID = [
        # A strong source, too few digits: ten thousand guesses.
        Invalid("import secrets\nreset_pin = ''.join(str(secrets.randbelow(10)) for _ in range(4))\n"),
        Invalid("import secrets\ndef start(user):\n    user.verification_code = secrets.randbelow(10000)\n"),
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
        # A bare ``code`` with a code-sized range.
        Invalid(
            "import random\ncode = random.randint(100000, 999999)\n",
            fixed="import random\ncode = secrets.SystemRandom().randint(100000, 999999)\n",
            confidence=Confidence.MEDIUM,
        ),
        Invalid(
            "import random\nfrom string import digits\npin = ''.join(random.choice(digits) for _ in range(4))\n",
            fixed="import random\nfrom string import digits\npin = ''.join(secrets.choice(digits) for _ in range(4))\n",
        ),
        # A neutrally named value sent in a message that names a code.
        Invalid(
            "import random\ndef send_login_code(sms, phone):\n    n = random.randint(100000, 999999)\n"
            "    sms.send(phone, f'{n} is your verification code')\n",
            fixed="import random\ndef send_login_code(sms, phone):\n    n = secrets.SystemRandom().randint(100000, 999999)\n"
            "    sms.send(phone, f'{n} is your verification code')\n",
        ),
        # ...stored on the user under a secret's name.
        Invalid(
            "import random\ndef start_mfa(user):\n    c = random.randint(100000, 999999)\n    user.mfa_code = c\n",
            fixed="import random\ndef start_mfa(user):\n    c = secrets.SystemRandom().randint(100000, 999999)\n    user.mfa_code = c\n",
        ),
        # ...checked against the code the user types.
        Invalid(
            "import random\ndef challenge(request, session):\n    n = random.randint(100, 999)\n    session['n'] = n\n"
            "    return request.form['otp'] == str(n)\n",
            fixed="import random\ndef challenge(request, session):\n    n = secrets.SystemRandom().randint(100, 999)\n"
            "    session['n'] = n\n    return request.form['otp'] == str(n)\n",
        ),
        # numpy's randint excludes its upper bound.
        Invalid(
            "import numpy as np\notp = np.random.randint(100000, 1000000)\n",
            fixed="import numpy as np\notp = secrets.randbelow(900000) + 100000\n",
        ),
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
        digits = self._digits(call, name)
        if digits is not None and digits < _MIN_DIGITS:
            return ("digits", name)
        return None

    def _digits(self, call: cst.Call, name: str) -> int | None:
        """How many decimal digits a code drawn from a strong source has: ``secrets.randbelow(10_000)`` is 4,
        ``"".join(str(secrets.randbelow(10)) for _ in range(4))`` and ``secrets.choice(string.digits)`` picked
        four times are 4. None when it is not a number of digits we can count."""
        if name in ("secrets.randbelow", "random.SystemRandom().randbelow", "secrets.SystemRandom().randbelow"):
            bound = self.ctx.literal(self.ctx.argument(call, "exclusive_upper_bound", 0))
            if not isinstance(bound, int) or isinstance(bound, bool) or bound < 10:
                return None
            per_pick = len(str(bound - 1))
        elif name == "secrets.choice" and call.args and \
                self.ctx.qualname(call.args[0].value) == "string.digits":
            per_pick = 1
        else:
            return None
        comprehension = next((n for n in reversed(self.ctx.stack)
                              if isinstance(n, (cst.GeneratorExp, cst.ListComp)) and n is not call), None)
        if comprehension is None:
            return per_pick
        loop = comprehension.for_in.iter
        count = self.ctx.literal(loop.args[0].value) if isinstance(loop, cst.Call) and \
            self.ctx.qualname(loop.func) == "builtins.range" and len(loop.args) == 1 else None
        return per_pick * count if isinstance(count, int) and not isinstance(count, bool) else None

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
        digits = self._digits(call, name)
        if digits is not None and digits < _MIN_DIGITS:
            return False  # a strong source, too few digits of it
        return name in _STRONG_SOURCES

    # --- flow -----------------------------------------------------------------------
    def _follow(self, kind: str) -> _Flow | None:
        """Walk up from the current call to the name its value is stored under, or None."""
        flow = _Flow()
        flow.follow_uses = kind in ("random", "numpy")
        return self._walk(list(self.ctx.stack), flow)

    def _walk(self, stack: list[cst.CSTNode], flow: _Flow) -> _Flow | None:
        """Walk up ``stack`` (ancestors, the value last) to where the value is stored; a message that names
        a code (``f"Your login code is {n}"``) is where it goes when nothing else is."""
        found = self._walk_up(stack, flow)
        if found is None and flow.message is not None and flow.follow_uses:
            flow.sink_name, flow.sink_kind, flow.top = flow.message_text, "message", flow.message
            flow.strength = flow.message_strength
            return flow
        return found

    def _walk_up(self, stack: list[cst.CSTNode], flow: _Flow) -> _Flow | None:
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
                    return self._compared_in_call(parent, child, flow) if flow.follow_uses else None
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
            elif isinstance(parent, cst.Comparison) and flow.follow_uses:
                return self._compared(parent, child, flow)
            elif isinstance(parent, cst.ComparisonTarget):
                continue
            elif not self._passes(parent, child, flow):
                return None
        return None

    def _passes(self, parent: cst.CSTNode, child: cst.CSTNode, flow: _Flow) -> bool:
        """Whether a value keeps its (lack of) strength from ``child`` to ``parent``."""
        if isinstance(parent, (cst.FormattedStringExpression, cst.FormattedString)):
            flow.stringified = True
            if isinstance(parent, cst.FormattedString) and child in parent.parts:
                at = parent.parts.index(child)
                before = parent.parts[at - 1] if at > 0 else None
                after = parent.parts[at + 1] if at + 1 < len(parent.parts) else None
                self._note_message(flow, parent,
                                   before.value if isinstance(before, cst.FormattedStringText) else "",
                                   after.value if isinstance(after, cst.FormattedStringText) else "")
            return True
        if isinstance(parent, cst.BinaryOperation):
            if isinstance(parent.operator, cst.Modulo) and child is parent.right:
                flow.stringified = True
                around = _around_placeholder(self.ctx.string(parent.left) or "")
                if around is not None:
                    self._note_message(flow, parent, *around)
            return True
        if isinstance(parent, (cst.IfExp,)):
            return child is not parent.test
        if isinstance(parent, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return child is parent.elt
        if isinstance(parent, cst.DictComp):
            return child is parent.value
        if isinstance(parent, cst.Subscript) and child is not parent.value:
            # Used as an index: generating only when it picks characters (``ALPHABET[randint(0, 61)]``).
            return self._chars(parent.value, 0)
        return isinstance(parent, (
            cst.Attribute, cst.Subscript, cst.SubscriptElement, cst.Index, cst.Slice, cst.UnaryOperation,
            cst.Element, cst.StarredElement, cst.List, cst.Tuple, cst.Set, cst.Await, cst.Lambda,
            cst.ConcatenatedString,
        ))

    def _note_message(self, flow: _Flow, node: cst.CSTNode, before: str, after: str = "") -> None:
        """A text the value is written into; remembered when it names a code or token."""
        if flow.message is not None:
            return
        strength = _classify_text(before, after)
        if strength:
            flow.message, flow.message_strength = node, strength
            flow.message_text = " ".join((before.strip() + " … " + after.strip()).split())

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
            if method == "format":
                around = _around_placeholder(self.ctx.string(call.func.value) or "")
                if around is not None and len(call.args) == 1:
                    self._note_message(flow, call, *around)
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
        if flow.follow_uses and not flow.through and len(targets) == 1 and isinstance(targets[0], cst.Name) \
                and isinstance(statement, (cst.Assign, cst.AnnAssign)):
            return self._through_variable(flow, targets[0].value, child)
        return None

    def _through_variable(self, flow: _Flow, variable: str, value: cst.CSTNode) -> _Flow | None:
        """A neutrally named variable (``n = random.randint(...)``) that the scope stores under a secret's
        name (``user.otp_code = n``), sends in a message naming a code, or compares with a secret."""
        function = self.ctx.enclosing_function()
        scope: cst.CSTNode = function if function is not None else self.ctx.module
        for node, path in scope_nodes(scope):
            if not (isinstance(node, cst.Name) and node.value == variable) or not path:
                continue
            parent = path[-1]
            if isinstance(parent, (cst.AssignTarget, cst.Param)) or (isinstance(parent, cst.Attribute) and parent.attr is node) \
                    or (isinstance(parent, cst.Arg) and parent.keyword is node) or isinstance(parent, cst.AugAssign):
                continue
            through = copy.copy(flow)
            through.through = variable
            found = self._walk([*path, node], through)
            if found is not None and found.strength:
                found.top = value
                return found
        return None

    def _compared(self, comparison: cst.Comparison, child: cst.CSTNode, flow: _Flow) -> _Flow | None:
        """``request.form["otp"] == n``: the value is the secret it is checked against."""
        if any(isinstance(t.operator, (cst.Is, cst.IsNot)) for t in comparison.comparisons):
            return None
        others = [t.comparator for t in comparison.comparisons] if child is comparison.left else [comparison.left]
        return self._compared_with(others, child, flow)

    def _compared_in_call(self, call: cst.Call, child: cst.CSTNode, flow: _Flow) -> _Flow | None:
        """``hmac.compare_digest(n, submitted_code)``."""
        if (self.ctx.qualname(call.func) or "") not in ("hmac.compare_digest", "secrets.compare_digest"):
            return None
        return self._compared_with([a.value for a in call.args if a is not child], child, flow)

    def _compared_with(self, others: list[cst.BaseExpression], child: cst.CSTNode, flow: _Flow) -> _Flow | None:
        for other in others:
            name = self._operand_name(other)
            if name and _classify_generated(name):
                return self._sink(flow, name, "compared", child)
        return None

    def _operand_name(self, node: cst.BaseExpression) -> str | None:
        """What a compared value is called: ``otp``, ``user.otp_code``, ``request.form["code"]``, ``form.get("pin")``."""
        for _ in range(4):
            if isinstance(node, cst.Call) and self.ctx.qualname(node.func) in _CONVERT_BUILTINS and node.args:
                node = node.args[0].value
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in ("strip", "lower", "upper"):
                node = node.func.value
            else:
                break
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in ("get", "getlist") and node.args:
            return self.ctx.string(node.args[0].value)
        if isinstance(node, cst.Subscript):
            return resolved_subscript_key(self.ctx, node)
        return target_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None

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
        flow = self._follow(kind)
        if flow is None or flow.top is None or id(flow.top) in self._done:
            return
        strength = flow.strength
        words = set(split_words(flow.sink_name or ""))
        if words & {"token", "tokens"} and is_parser_module(self.ctx):
            return  # a lexer's or tokenizer's tokens
        method = qualified.rpartition(".")[2]
        if method in _PICKS and not flow.joined and not self._alphabet(node):
            return  # picking one of existing values (a key from a pool), not generating one
        shaped = flow.joined or flow.hashed or flow.stringified or kind in ("uuid", "short", "digits") \
            or self._wide_range(node, qualified)
        if strength == "weak" and not shaped and flow.follow_uses and "code" in words and flow.sink_kind == "name":
            shaped = self._checked_later(flow.sink_name or "")  # a code the user has to type back
        if strength == "weak" and not shaped:
            return
        if kind == "time" and not (flow.stringified or flow.hashed):
            return
        if kind in ("time", "timestr") and "nonce" in words:
            return  # API-client nonces are increasing timestamps by design
        if kind == "short" and (strength != "strong" or words & _SHORT_OK
                                or ("nonce" in words and qualified in _BYTES_ONLY)):
            return
        if kind == "digits" and strength != "strong":
            return
        if any(isinstance(n, cst.Call) and n is not node and self._is_strong(n) for n in self.ctx.descendants(flow.top)):
            return
        if isinstance(flow.top, cst.Call) and self._is_strong(flow.top):
            return
        self._done.add(id(flow.top))
        fix, note = self._fix(flow)
        self.report(node, self._message(kind, qualified, flow, note), fix=fix,
                    severity=Severity.MEDIUM if kind in ("short", "digits") else None,
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
        if isinstance(node, cst.Call) and self.ctx.qualname(node.func) == "builtins.range":
            return True  # digits: ``sample(range(10), 6)``
        if isinstance(node, cst.Name):
            bound = self.ctx.value_of(node)
            return bound is not None and self._chars(bound, depth + 1)
        return False

    def _wide_range(self, call: cst.Call, qualified: str) -> bool:
        """``randint(100000, 999999)``-like: a code, not a pick among a few values."""
        if qualified.rpartition(".")[2] == "getrandbits":
            return True
        method = qualified.rpartition(".")[2]
        if method == "choice":  # ``choice(range(100000, 1000000))``
            population = self.ctx.argument(call, "seq", 0)
            if isinstance(population, cst.Call) and self.ctx.qualname(population.func) == "builtins.range":
                call, method = population, "randrange"
        if method not in ("randint", "randrange", "integers"):
            return False
        bounds = [_int_value(self.ctx, a.value) for a in call.args if a.keyword is None][:2]
        if len(bounds) == 1:
            bounds = [0, bounds[0]]
        return len(bounds) >= 2 and None not in bounds and bounds[1] - bounds[0] >= 1000  # type: ignore[operator]

    def _checked_later(self, name: str) -> bool:
        """Whether the scope compares the variable ``name`` with something not written in the code."""
        function = self.ctx.enclosing_function()
        for node, path in scope_nodes(function if function is not None else self.ctx.module):
            if not (isinstance(node, cst.Name) and node.value == name) or len(path) < 2:
                continue
            at = len(path) - 1
            while at > 1 and isinstance(path[at], cst.Arg):
                call = path[at - 1]
                if not (isinstance(call, cst.Call) and (self.ctx.qualname(call.func) or "") in _CONVERT_BUILTINS):
                    break
                node, at = call, at - 2  # ``str(code)``
            parent, grand = path[at], path[at - 1]
            comparison = grand if isinstance(parent, cst.ComparisonTarget) else parent
            if isinstance(comparison, cst.Comparison) and not any(
                    isinstance(t.operator, (cst.Is, cst.IsNot)) for t in comparison.comparisons):
                others = [comparison.left, *(t.comparator for t in comparison.comparisons)]
                if any(o is not node and self.ctx.literal(o) is UNKNOWN for o in others):
                    return True
            if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and \
                    (self.ctx.qualname(grand.func) or "") in ("hmac.compare_digest", "secrets.compare_digest"):
                return True
        return False

    def _message(self, kind: str, qualified: str, flow: _Flow, note: str) -> str:
        where = {
            "name": markup.code(flow.sink_name), "key": f"the {markup.code(flow.sink_name)} entry",
            "keyword": markup.code(f'{flow.sink_name}='), "function": f"the value returned by {markup.code(f'{flow.sink_name}()')}",
            "compared": f"the value checked against {markup.code(flow.sink_name)}",
            "message": f"the code sent in {markup.code(short_code(flow.sink_name or '', 50))}",
        }[flow.sink_kind]
        if flow.through:
            where = f"{markup.code(flow.through)} ({where.replace('the value ', '').replace('the code ', '')})" \
                if flow.sink_kind in ("compared", "message") else f"{markup.code(flow.through)} (stored as {where})"
        call = qualified.rpartition(".")[2]
        why = {
            "random": f"{markup.code(f'random.{call}')}, a predictable Mersenne Twister PRNG; "
                      "use the `secrets` module (`secrets.choice`, `secrets.SystemRandom()`, `secrets.token_urlsafe(32)`)",
            "numpy": f"{markup.code(f'numpy.random.{call}')}, a predictable PRNG; use `secrets.token_urlsafe(32)` or `secrets.choice`",
            "time": f"the clock ({markup.code(qualified)}), which an attacker can guess; use `secrets.token_urlsafe(32)`",
            "timestr": f"the clock ({markup.code(qualified)}), which an attacker can guess; use `secrets.token_urlsafe(32)`",
            "uuid": f"{markup.code(f'uuid.{call}')}, which is derived from the time and host (or a name), not randomness; use `uuid.uuid4()` or `secrets.token_urlsafe(32)`",
            "short": f"{markup.code(qualified)} with fewer than 16 random bytes; use at least 16 ({markup.code(f'{call}(32)')})",
            "digits": f"{markup.code(qualified)} as a code of fewer than {_MIN_DIGITS} digits: a few thousand guesses find "
                      f"it; use at least {_MIN_DIGITS} digits and rate-limit the check (or a "
                      f"{markup.code('secrets.token_urlsafe(32)')} link)",
        }[kind]
        return f"{where} is generated with {why}{note}"

    # --- fixes ----------------------------------------------------------------------
    def _fix(self, flow: _Flow) -> tuple[Fix | None, str]:
        """Replace every weak source in the stored value; no fix if one of them has no mechanical one."""
        if flow.top is None:
            return None, ""
        secrets_name = module_alias(self.ctx, "secrets")
        module = secrets_name or "secrets"
        mapping: dict[int, cst.CSTNode] = {}
        replaced_hashes: set[int] = set()
        needs = {"secrets": False, "uuid4": ""}
        for node, parents in [(flow.top, ()), *with_parents(flow.top, ())]:
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
            new_call = self._call_replacement(node, source, module, needs, parents[-1] if parents else None)
            if new_call is None:
                return None, ""
            mapping[id(node)] = new_call
        if not mapping:
            return None, ""
        new_top = mapping.get(id(flow.top)) or replace_nodes(flow.top, mapping)
        fix = self.ctx.replace(flow.top, new_top, "use a cryptographically secure source")
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
                          needs: dict[str, object], parent: cst.CSTNode | None = None) -> cst.BaseExpression | None:
        kind, qualified = source
        method = qualified.rpartition(".")[2]
        if kind == "numpy":
            return self._numpy_replacement(call, method, module, needs, parent)
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
            uuid_module = module_alias(self.ctx, "uuid")
            uuid4 = next((k for k, v in visible_imports(self.ctx).items() if v == "uuid.uuid4"), None)
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

    def _numpy_replacement(self, call: cst.Call, method: str, module: str, needs: dict[str, object],
                           parent: cst.CSTNode | None) -> cst.BaseExpression | None:
        """``np.random.randint(low, high)`` (high excluded, one number) -> ``secrets.randbelow(high - low) + low``."""
        if method != "randint" or not 1 <= len(call.args) <= 2 or any(a.keyword is not None or a.star for a in call.args):
            return None
        low, high = (call.args[0].value, call.args[1].value) if len(call.args) == 2 else (cst.Integer("0"), call.args[0].value)
        low_value, high_value = _int_value(self.ctx, low), _int_value(self.ctx, high)
        if low_value is not None and high_value is not None:
            if high_value <= low_value:
                return None
            span, offset = str(high_value - low_value), (str(low_value) if low_value else "")
        else:
            low_code, high_code = self.ctx.code(low), self.ctx.code(high)
            span, offset = (f"{high_code} - ({low_code})" if low_value != 0 else high_code), (low_code if low_value != 0 else "")
        needs["secrets"] = True
        text = f"{module}.randbelow({span})" + (f" + {offset}" if offset else "")
        bare = parent is None or isinstance(parent, (cst.Arg, cst.Element, cst.DictElement, cst.FormattedStringExpression))
        return cst.parse_expression(text if bare or not offset else f"({text})")


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
