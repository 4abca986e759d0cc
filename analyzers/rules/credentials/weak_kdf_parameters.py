"""AR502 weak-kdf-parameters: bcrypt, PBKDF2, scrypt and argon2 work factors below the OWASP minimums."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Rule, Valid
from .._common import set_keyword, target_name
from ._shared import WERKZEUG_HASH, in_test_context, replace_arg

# --- context: framework, test code, settings classes ---------------------------------------


def _number(ctx: FileContext, node: cst.CSTNode | None, depth: int = 0) -> int | None:
    """An integer written as a literal, ``2**17``, ``1 << 17``, ``600_000`` or a constant bound once to one."""
    if node is None or depth > 3:
        return None
    if isinstance(node, cst.BinaryOperation):
        left, right = _number(ctx, node.left, depth), _number(ctx, node.right, depth)
        if left is None or right is None:
            return None
        if isinstance(node.operator, cst.Power) and 0 <= right < 64:
            return int(left**right)
        if isinstance(node.operator, cst.LeftShift) and 0 <= right < 64:
            return left << right
        if isinstance(node.operator, cst.Multiply):
            return left * right
        if isinstance(node.operator, cst.Add):
            return left + right
        return None
    if isinstance(node, cst.Name):
        bound = ctx.value_of(node)
        return _number(ctx, bound, depth + 1) if bound is not None else None
    if isinstance(node, cst.Attribute):
        return None
    value = ctx.literal(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _format_number(value: int, like: cst.CSTNode, ctx: FileContext) -> str:
    """``value`` written in the style of the literal it replaces."""
    if isinstance(like, cst.BinaryOperation) and isinstance(like.operator, (cst.Power, cst.LeftShift)):
        exponent = value.bit_length() - 1
        if 1 << exponent == value:
            return f"2**{exponent}" if isinstance(like.operator, cst.Power) else f"1 << {exponent}"
    return f"{value:_}" if "_" in ctx.code(like) else str(value)


# ======================================================================================
# AR502 weak-kdf-parameters
# ======================================================================================

BCRYPT_MIN_ROUNDS = 12
PBKDF2_MIN = {"sha1": 1_300_000, "sha256": 600_000, "sha512": 210_000, "sha384": 600_000, "sha224": 600_000}
PBKDF2_UNKNOWN_HASH_MIN = 210_000  # the lowest OWASP figure, when the digest is not known
SCRYPT_MIN_COST = 2**17 * 8  # N * r * p, OWASP: N=2^17, r=8, p=1 or an equivalent trade
# OWASP argon2id minimums: memory (KiB) needed for a given time cost.
ARGON2_MIN_MEMORY = {1: 47_104, 2: 19_456, 3: 12_288, 4: 9_216, 5: 7_168}

_BCRYPT_CALLS = {  # qualified name -> (keyword, position) of the cost
    "bcrypt.gensalt": ("rounds", 0),
    "flask_bcrypt.Bcrypt().generate_password_hash": ("rounds", 1),
    "flask_bcrypt.generate_password_hash": ("rounds", 1),
}
_PBKDF2_CALLS = {  # qualified name -> (iterations keyword, position, digest keyword, digest position)
    "hashlib.pbkdf2_hmac": ("iterations", 3, "hash_name", 0),
    "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC": ("iterations", 3, "algorithm", 0),
    "django.utils.crypto.pbkdf2": ("iterations", 2, "digest", 4),
    "Crypto.Protocol.KDF.PBKDF2": ("count", 3, "hmac_hash_module", 5),
    "Cryptodome.Protocol.KDF.PBKDF2": ("count", 3, "hmac_hash_module", 5),
}
_PASSLIB_ROUNDS = {"bcrypt": BCRYPT_MIN_ROUNDS, "bcrypt_sha256": BCRYPT_MIN_ROUNDS, "pbkdf2_sha256": 600_000,
                   "pbkdf2_sha512": 210_000, "pbkdf2_sha1": 1_300_000, "django_pbkdf2_sha256": 600_000,
                   "django_pbkdf2_sha1": 1_300_000, "django_bcrypt": BCRYPT_MIN_ROUNDS,
                   "django_bcrypt_sha256": BCRYPT_MIN_ROUNDS, "scrypt": 17}
_DJANGO_HASHER_ATTRS = {
    "PBKDF2PasswordHasher": {"iterations": 600_000},
    "PBKDF2SHA1PasswordHasher": {"iterations": 1_300_000},
    "BCryptSHA256PasswordHasher": {"rounds": BCRYPT_MIN_ROUNDS},
    "BCryptPasswordHasher": {"rounds": BCRYPT_MIN_ROUNDS},
}


class WeakKdfParameters(Rule):
    """What it does: flags password hashing set below the OWASP minimums: bcrypt cost under 12
    (``bcrypt.gensalt(rounds=10)``, Flask-Bcrypt ``BCRYPT_LOG_ROUNDS``, passlib ``bcrypt.using(rounds=...)``),
    PBKDF2 under 600,000 iterations for SHA-256 (210,000 for SHA-512, 1,300,000 for SHA-1) in
    ``hashlib.pbkdf2_hmac``, cryptography ``PBKDF2HMAC``, Werkzeug ``method="pbkdf2:sha256:N"``,
    passlib and Django hasher subclasses; scrypt with ``N*r*p`` under ``2**17 * 8``; argon2 with less
    memory than OWASP asks for its time cost (19 MiB at t=2, 46 MiB at t=1). Test settings are skipped.

    Why is this bad: the work factor is all that slows down an attacker who has the hash table.
    A PBKDF2 with 1,000 iterations is cracked about 600 times faster than one with 600,000.

    Example:
        salt = bcrypt.gensalt(rounds=8)

    Use instead:
        salt = bcrypt.gensalt(rounds=12)
    """

    id = "AR502"
    in_tests = False
    name = "weak-kdf-parameters"
    title = "Password hashing work factor below the minimum"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 916
    prefilter = re.compile(r"bcrypt|pbkdf2|PBKDF2|scrypt|Scrypt|argon2|Argon2|BCRYPT_LOG_ROUNDS|generate_password_hash|"
                           r"PasswordHasher|CryptContext")

    VALID = [
        "import bcrypt\nsalt = bcrypt.gensalt()",
        "import bcrypt\nsalt = bcrypt.gensalt(rounds=14)",
        'import hashlib\nkey = hashlib.pbkdf2_hmac("sha256", pw, salt, 600_000)',
        'import hashlib\nkey = hashlib.pbkdf2_hmac("sha512", pw, salt, 210000)',
        "import hashlib\nkey = hashlib.scrypt(pw, salt=salt, n=2**17, r=8, p=1, maxmem=2**28)",
        "from argon2 import PasswordHasher\nph = PasswordHasher()",
        # OWASP accepts t=1 with 46 MiB; argon2-cffi's default memory is 64 MiB.
        "from argon2 import PasswordHasher\nph = PasswordHasher(time_cost=1)",
        'from werkzeug.security import generate_password_hash\nh = generate_password_hash(pw, method="pbkdf2:sha256")',
        # Another library's gensalt.
        "import mylib\nsalt = mylib.gensalt(4)",
        # Fast hashing for the test suite only.
        "class TestingConfig:\n    BCRYPT_LOG_ROUNDS = 4",
        Valid("from django.contrib.auth.hashers import PBKDF2PasswordHasher\n"
              "class Fast(PBKDF2PasswordHasher):\n    iterations = 1", path="settings/test.py"),
    ]
    INVALID = [
        Invalid("import bcrypt\nsalt = bcrypt.gensalt(10)", fixed="import bcrypt\nsalt = bcrypt.gensalt(12)"),
        Invalid("from bcrypt import gensalt as g\nsalt = g(rounds=4)", fixed="from bcrypt import gensalt as g\nsalt = g(rounds=12)"),
        Invalid(
            'import hashlib\nkey = hashlib.pbkdf2_hmac(\n    "sha256",\n    password.encode(),\n    salt,\n    100_000,\n)',
            fixed='import hashlib\nkey = hashlib.pbkdf2_hmac(\n    "sha256",\n    password.encode(),\n    salt,\n    600_000,\n)',
        ),
        Invalid('import hashlib\nk = hashlib.pbkdf2_hmac("sha1", pw, salt, iterations=1000000)',
                fixed='import hashlib\nk = hashlib.pbkdf2_hmac("sha1", pw, salt, iterations=1300000)'),
        # The count lives in a constant: reported at the call, no fix.
        Invalid('import hashlib\nITERATIONS = 10000\nk = hashlib.pbkdf2_hmac("sha256", pw, salt, ITERATIONS)'),
        Invalid(
            "from cryptography.hazmat.primitives import hashes\n"
            "from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC\n"
            "kdf = PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=salt, iterations=100000)",
            fixed="from cryptography.hazmat.primitives import hashes\n"
            "from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC\n"
            "kdf = PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=salt, iterations=210000)",
        ),
        Invalid(
            'from werkzeug.security import generate_password_hash\nh = generate_password_hash(pw, method="pbkdf2:sha256:1000")',
            fixed='from werkzeug.security import generate_password_hash\nh = generate_password_hash(pw, method="pbkdf2:sha256:600000")',
        ),
        Invalid(
            "import hashlib\nkey = hashlib.scrypt(pw, salt=salt, n=2**14, r=8, p=1)",
            fixed="import hashlib\nkey = hashlib.scrypt(pw, salt=salt, n=2**17, r=8, p=1, maxmem=2**28)",
        ),
        Invalid(
            "from argon2 import PasswordHasher\nph = PasswordHasher(time_cost=2, memory_cost=8192)",
            fixed="from argon2 import PasswordHasher\nph = PasswordHasher(time_cost=2, memory_cost=19456)",
        ),
        Invalid("from passlib.hash import bcrypt\nhasher = bcrypt.using(rounds=10)",
                fixed="from passlib.hash import bcrypt\nhasher = bcrypt.using(rounds=12)"),
        Invalid('from passlib.context import CryptContext\nctx = CryptContext(schemes=["pbkdf2_sha256"], pbkdf2_sha256__rounds=29000)',
                fixed='from passlib.context import CryptContext\nctx = CryptContext(schemes=["pbkdf2_sha256"], pbkdf2_sha256__rounds=600000)'),
        Invalid('app.config["BCRYPT_LOG_ROUNDS"] = 6', fixed='app.config["BCRYPT_LOG_ROUNDS"] = 12'),
        Invalid(
            "from django.contrib.auth.hashers import PBKDF2PasswordHasher\n"
            "class MyHasher(PBKDF2PasswordHasher):\n    iterations = 20000\n",
            fixed="from django.contrib.auth.hashers import PBKDF2PasswordHasher\n"
            "class MyHasher(PBKDF2PasswordHasher):\n    iterations = 600000\n",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name is None or in_test_context(ctx):
            for arg in node.args:  # ``app.config.update(BCRYPT_LOG_ROUNDS=4)`` on an unknown object
                if name is None and arg.keyword is not None and arg.keyword.value == "BCRYPT_LOG_ROUNDS" \
                        and not in_test_context(ctx):
                    self._minimum(arg.value, BCRYPT_MIN_ROUNDS, "`BCRYPT_LOG_ROUNDS` (Flask-Bcrypt cost)")
            return
        if name in _BCRYPT_CALLS:
            keyword, position = _BCRYPT_CALLS[name]
            self._minimum(ctx.argument(node, keyword, position), BCRYPT_MIN_ROUNDS, "the bcrypt cost")
        elif name in _PBKDF2_CALLS:
            keyword, position, digest_kw, digest_pos = _PBKDF2_CALLS[name]
            digest = self._digest(ctx.argument(node, digest_kw, digest_pos), name)
            minimum = PBKDF2_MIN.get(digest or "", PBKDF2_UNKNOWN_HASH_MIN)
            self._minimum(ctx.argument(node, keyword, position), minimum,
                          f"PBKDF2{'-' + digest.upper() if digest else ''} iterations")
        elif name in WERKZEUG_HASH:
            self._werkzeug(node)
        elif name in ("hashlib.scrypt", "cryptography.hazmat.primitives.kdf.scrypt.Scrypt"):
            self._scrypt(node, name == "hashlib.scrypt")
        elif name in ("argon2.PasswordHasher", "argon2.low_level.hash_secret", "argon2.low_level.hash_secret_raw",
                      "argon2.hash_password", "argon2.hash_password_raw"):
            positional = name != "argon2.PasswordHasher"
            self._argon2(node, ctx.argument(node, "time_cost", 2 if positional else 0),
                         ctx.argument(node, "memory_cost", 3 if positional else 1), 3 if not positional else None)
        elif name.startswith("passlib.hash.") and name.rsplit(".", 1)[-1] in ("using", "hash", "encrypt"):
            self._passlib(node, name.split(".")[2], "")
        elif name == "passlib.context.CryptContext" or name.endswith("CryptContext().copy") \
                or name.endswith("CryptContext().update"):
            for arg in node.args:
                if arg.keyword is not None and "__" in arg.keyword.value:
                    scheme, _, setting = arg.keyword.value.partition("__")
                    self._passlib_setting(scheme, setting, arg.value)

    def _digest(self, node: cst.CSTNode | None, function: str) -> str | None:
        if node is None:
            return "sha256" if function == "django.utils.crypto.pbkdf2" else \
                "sha1" if function.endswith("KDF.PBKDF2") else None
        text = self.ctx.string(node) or (self.ctx.qualname(node) or "").removesuffix("()").rsplit(".", 1)[-1]
        text = text.lower().replace("-", "").replace("_", "")
        return text if text in PBKDF2_MIN else None

    def _minimum(self, node: cst.CSTNode | None, minimum: int, what: str) -> None:
        value = _number(self.ctx, node)
        if node is None or value is None or value >= minimum or value <= 0:
            return
        fix = None
        if not isinstance(node, cst.Name):
            new = _format_number(minimum, node, self.ctx)
            fix = self.ctx.replace(node, new, f"raise to {minimum:,}")
        where = f" ({markup.code(self.ctx.code(node))})" if isinstance(node, cst.Name) else ""
        self.report(node, f"{what} is {value:,}{where}, below the minimum of {minimum:,}: each guess costs an "
                    f"attacker that much less; raise it to at least {minimum:,}", fix=fix)

    def _werkzeug(self, node: cst.Call) -> None:
        ctx = self.ctx
        method_node = ctx.argument(node, "method", 1)
        method = ctx.string(method_node)
        if not method or not isinstance(method_node, cst.SimpleString):
            return
        parts = method.split(":")
        quote = method_node.quote
        if parts[0] == "pbkdf2" and len(parts) == 3 and parts[2].isdigit():
            minimum = PBKDF2_MIN.get(parts[1].lower(), PBKDF2_UNKNOWN_HASH_MIN)
            if int(parts[2]) < minimum:
                fix = ctx.replace(method_node, f"{quote}pbkdf2:{parts[1]}:{minimum}{quote}", f"raise to {minimum:,}")
                self.report(method_node, "Werkzeug " + markup.code('method="' + method + '"') + f" runs PBKDF2 with {int(parts[2]):,} iterations, "
                            f"below the minimum of {minimum:,}; raise it (or drop the count for the default)", fix=fix)
        elif parts[0] == "scrypt" and len(parts) == 4 and all(p.isdigit() for p in parts[1:]):
            n, r, p = (int(x) for x in parts[1:])
            if n * r * p < SCRYPT_MIN_COST:
                new_n = _scrypt_n(r, p)
                fix = ctx.replace(method_node, f"{quote}scrypt:{new_n}:{r}:{p}{quote}", f"raise N to {new_n}")
                self.report(method_node, "Werkzeug " + markup.code('method="' + method + '"') + f" runs scrypt with N*r*p = {n * r * p:,}, below "
                            f"OWASP's {SCRYPT_MIN_COST:,} (N=2**17, r=8, p=1); raise N to {new_n}", fix=fix)

    def _scrypt(self, node: cst.Call, is_hashlib: bool) -> None:
        ctx = self.ctx
        n_node = ctx.argument(node, "n", None if is_hashlib else 2)
        r_node = ctx.argument(node, "r", None if is_hashlib else 3)
        p_node = ctx.argument(node, "p", None if is_hashlib else 4)
        n, r, p = (_number(ctx, x) for x in (n_node, r_node, p_node))
        if n is None or r is None or p is None or n * r * p >= SCRYPT_MIN_COST or n_node is None:
            return
        new_n = _scrypt_n(r, p)
        fix = None
        if not isinstance(n_node, cst.Name):
            arg = next(a for a in node.args if a.value is n_node)
            new_call = replace_arg(node, arg, arg.with_changes(value=cst.parse_expression(_format_number(new_n, n_node, ctx))))
            if is_hashlib:
                needed = 128 * r * (new_n + p + 2)
                maxmem = _number(ctx, ctx.argument(node, "maxmem"))
                if maxmem is None or 0 < maxmem < needed or maxmem == 0:
                    new_call = set_keyword(new_call, "maxmem", f"2**{needed.bit_length()}")
            fix = ctx.replace(node, new_call, f"raise N to {new_n}")
        self.report(n_node, f"scrypt runs with N={n}, r={r}, p={p} (N*r*p = {n * r * p:,}), below OWASP's minimum "
                    f"of N=2**17 with r=8, p=1; raise N to {new_n}", fix=fix)

    def _argon2(self, node: cst.Call, time_node: cst.BaseExpression | None, memory_node: cst.BaseExpression | None,
                default_time: int | None) -> None:
        ctx = self.ctx
        if memory_node is None:
            return  # argon2-cffi's default (64 MiB) satisfies every OWASP time cost
        time_cost = _number(ctx, time_node) if time_node is not None else default_time
        memory = _number(ctx, memory_node)
        if time_cost is None or memory is None:
            return
        needed = ARGON2_MIN_MEMORY.get(min(max(time_cost, 1), 5), 7_168)
        if memory >= needed:
            return
        fix = None if isinstance(memory_node, cst.Name) else ctx.replace(memory_node, str(needed), f"raise to {needed} KiB")
        self.report(memory_node, f"argon2 uses {memory:,} KiB of memory with time_cost={time_cost}; OWASP asks for at "
                    f"least {needed:,} KiB at that time cost (19 MiB at t=2, 46 MiB at t=1)", fix=fix)

    def _passlib(self, node: cst.Call, scheme: str, prefix: str) -> None:
        ctx = self.ctx
        for setting in ("rounds", "default_rounds"):
            value = ctx.argument(node, setting)
            if value is not None:
                self._passlib_setting(scheme, setting, value)
        if scheme == "argon2":
            memory = ctx.argument(node, "memory_cost")
            if memory is not None:
                self._argon2(node, ctx.argument(node, "time_cost"), memory, None)

    def _passlib_setting(self, scheme: str, setting: str, value: cst.BaseExpression) -> None:
        if setting in ("rounds", "default_rounds") and scheme in _PASSLIB_ROUNDS:
            what = "passlib scrypt rounds (log2 N)" if scheme == "scrypt" else f"passlib {markup.code(scheme)} rounds"
            self._minimum(value, _PASSLIB_ROUNDS[scheme], what)

    def _bcrypt_config(self, name: str | None, value: cst.BaseExpression) -> None:
        if name == "BCRYPT_LOG_ROUNDS" and not in_test_context(self.ctx):
            self._minimum(value, BCRYPT_MIN_ROUNDS, "`BCRYPT_LOG_ROUNDS` (Flask-Bcrypt cost)")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bcrypt_config(target_name(target.target), node.value)
        cls = self.ctx.enclosing(cst.ClassDef)
        if isinstance(cls, cst.ClassDef) and self.ctx.stack[-3] is cls.body and len(node.targets) == 1 \
                and isinstance(node.targets[0].target, cst.Name) and not in_test_context(self.ctx):
            self._django_hasher_attr(cls, node.targets[0].target.value, node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._bcrypt_config(self.ctx.string(node.key), node.value)

    def _django_hasher_attr(self, cls: cst.ClassDef, attr: str, value: cst.BaseExpression) -> None:
        for base in cls.bases:
            qualified = self.ctx.qualname(base.value) or ""
            if not qualified.startswith("django.contrib.auth.hashers."):
                continue
            minimums = _DJANGO_HASHER_ATTRS.get(qualified.rsplit(".", 1)[-1], {})
            if attr in minimums:
                self._minimum(value, minimums[attr], markup.code(f'{cls.name.value}.{attr}'))
            elif qualified.endswith("Argon2PasswordHasher") and attr == "memory_cost":
                time_cost = next((s.body[0].value for s in cls.body.body if isinstance(s, cst.SimpleStatementLine)
                                  and isinstance(s.body[0], cst.Assign) and isinstance(s.body[0].targets[0].target, cst.Name)
                                  and s.body[0].targets[0].target.value == "time_cost"), None)
                self._argon2(cst.Call(func=cst.Name("x")), time_cost, value, 2)
            elif qualified.endswith("ScryptPasswordHasher") and attr == "work_factor":
                self._minimum(value, 2**17, f"{markup.code(f'{cls.name.value}.work_factor')} (scrypt N)")


def _scrypt_n(r: int, p: int) -> int:
    n = 2
    while n * r * p < SCRYPT_MIN_COST:
        n *= 2
    return n
