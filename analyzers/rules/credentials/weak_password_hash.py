"""AR501 weak-password-hash: passwords hashed with a fast digest or a weak scheme, or encrypted or encoded reversibly."""

from __future__ import annotations

import re

import libcst as cst

from ... import markup
from ...context import FileContext
from ...findings import Confidence, Fix, Severity
from ...rule import Invalid, Rule, Valid
from .._common import target_name
from ._shared import (
    COMPARE_DIGEST,
    FRAMEWORK_API,
    NOT_PASSWORD_PARTS,
    WERKZEUG_HASH,
    arg_node,
    import_note,
    in_test_context,
    last_name,
    password_name,
    password_parts,
    password_source,
    project_framework,
    replace_arg,
)

# --- vocabulary: what names hold a password ------------------------------------------

# Names that mean "a user's own password" (not an SMTP/DB/service credential we must decrypt later).
_USER_PASSWORD_PREFIXES = frozenset({
    "", "new", "raw", "plain", "plaintext", "clear", "cleartext", "user", "account", "input", "candidate", "given",
    "submitted", "old", "initial", "current", "confirm", "confirmed", "login", "signup", "register",
})
# Protocols that require a fast digest of the password: breach checks (HIBP k-anonymity), HTTP Digest,
# WS-Security PasswordDigest, challenge/response schemes.
_PROTOCOL_DIGEST = re.compile(r"(?i)pwned|hibp|breach|k.?anonymity|compromised|realm|nonce|\bha1\b|cram|challenge|ntlm|wsse|scram")


def _password_slot(name: str | None) -> bool:
    """Where a password or its hash is kept: ``password``, ``password_hash``, ``hashed_password``."""
    if not name:
        return False
    found, rest = password_parts(name)
    return found and not rest & NOT_PASSWORD_PARTS


def _user_password_name(name: str | None) -> bool:
    """A user's own password (``new_password``), not a service credential (``smtp_password``)."""
    if not password_name(name):
        return False
    _, rest = password_parts(name or "")
    return rest <= _USER_PASSWORD_PREFIXES


def _strip_transparent(node: cst.BaseExpression) -> cst.BaseExpression:
    """``password.encode("utf-8")`` -> ``password``."""
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in ("encode", "strip"):
        node = node.func.value
    return node


def _algorithm(ctx: FileContext, hasher: cst.Call) -> str:
    """The digest a hasher constructor computes: ``hashes.Hash(hashes.MD5())`` -> MD5, ``SHA256.new()`` -> SHA256."""
    name = ctx.qualname(hasher.func) or ""
    if name == "hashlib.new":
        return ctx.string(ctx.argument(hasher, "name", 0)) or "hash"
    if name.endswith("hashes.Hash"):
        algorithm = ctx.argument(hasher, "algorithm", 0)
        inner = ctx.qualname(algorithm.func) if isinstance(algorithm, cst.Call) else None
        return inner.rsplit(".", 1)[-1] if inner else "hash"
    if name.startswith("hmac.") or name.endswith(".HMAC"):
        return "HMAC"
    parts = name.split(".")
    return parts[-2] if name.endswith(".new") and len(parts) > 1 else parts[-1]


# --- context: framework, test code, settings classes ---------------------------------------


def _walk_up(ctx: FileContext) -> tuple[cst.CSTNode, cst.CSTNode | None, int]:
    """The current call widened over ``.hexdigest()``/``.digest()``/``.finalize()`` and the ``.hex()``/``.decode()``
    that print the digest, its parent, and the parent's stack index."""
    stack = ctx.stack
    i = len(stack) - 1
    node = stack[i]
    while i >= 2 and isinstance(stack[i - 1], cst.Attribute) and stack[i - 1].value is node \
            and stack[i - 1].attr.value in _DIGEST_OUTPUT and isinstance(stack[i - 2], cst.Call):
        node, i = stack[i - 2], i - 2
    return node, (stack[i - 1] if i >= 1 else None), i - 1


_DIGEST_OUTPUT = frozenset({"hexdigest", "digest", "finalize", "hex", "decode"})


def _setter_value(ctx: FileContext) -> str | None:
    """The value parameter of the enclosing password property setter (``@password.setter def password(self, value)``,
    ``@validates("password")``): what it receives is the password being set, whatever its name."""
    func = ctx.enclosing_function()
    if func is None:
        return None
    params = [p.name.value for p in func.params.params]
    for decorator in func.decorators:
        d = decorator.decorator
        if isinstance(d, cst.Attribute) and d.attr.value == "setter" and password_name(last_name(d.value)) \
                and len(params) >= 2:
            return params[1]
        if isinstance(d, cst.Call) and ctx.qualname(d.func) == "sqlalchemy.orm.validates" and len(params) >= 3 \
                and any(password_name(ctx.string(a.value)) for a in d.args if a.keyword is None):
            return params[2]
    return None


def _mentions(node: cst.CSTNode | None, name: str) -> cst.Name | None:
    """The first use of the local ``name`` inside ``node`` (attributes' own names aside)."""
    if node is None:
        return None
    nodes = [node, *FileContext.descendants(node)]
    attrs = {id(n.attr) for n in nodes if isinstance(n, cst.Attribute)}
    attrs |= {id(n.keyword) for n in nodes if isinstance(n, cst.Arg) and n.keyword is not None}
    return next((n for n in nodes if isinstance(n, cst.Name) and n.value == name and id(n) not in attrs), None)


# ======================================================================================
# AR501 weak-password-hash
# ======================================================================================

_FAST_HASHES = frozenset({
    "md4", "md5", "sha", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224", "sha512_256", "sha3_224",
    "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s", "shake_128", "shake_256", "ripemd160", "sm3",
})
_HASHLIB = frozenset(f"hashlib.{name}" for name in _FAST_HASHES)
_PYCRYPTO_HASH = re.compile(r"^(?:Crypto|Cryptodome)\.Hash\.(?:MD[245]|SHA\w*|BLAKE2[bs]|RIPEMD\w*|keccak)\.new$")
_UPDATE_OF_HASHER = re.compile(
    r"^(?:hashlib\.\w+\(\)|hashlib\.new\(\)|hmac\.new\(\)|hmac\.HMAC\(\)|cryptography\.hazmat\.primitives\.hashes\.Hash\(\)|"
    r"cryptography\.hazmat\.primitives\.hmac\.HMAC\(\)|(?:Crypto|Cryptodome)\.Hash\.\w+\.new\(\))\.update$"
)
# The digest of a hasher object built elsewhere (``h = hashes.Hash(hashes.MD5())`` ... ``h.finalize()``).
_OUTPUT_OF_HASHER = re.compile(
    r"^(?:hashlib\.\w+\(\)|hashlib\.new\(\)|cryptography\.hazmat\.primitives\.hashes\.Hash\(\)|"
    r"(?:Crypto|Cryptodome)\.Hash\.\w+\.new\(\))\.(?:hexdigest|digest|finalize)$"
)
# Slow password hashers: a fast digest fed into one is a pre-hash (bcrypt's 72-byte limit), not the stored hash.
_SLOW_HASHERS = frozenset({
    "bcrypt.hashpw", "bcrypt.kdf", "hashlib.pbkdf2_hmac", "hashlib.scrypt", "argon2.PasswordHasher().hash",
    "argon2.hash_password", "argon2.hash_password_raw", "argon2.low_level.hash_secret",
    "argon2.low_level.hash_secret_raw", "django.contrib.auth.hashers.make_password", "passlib.context.CryptContext().hash",
    "passlib.context.CryptContext().encrypt", "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC().derive",
    "cryptography.hazmat.primitives.kdf.scrypt.Scrypt().derive", "nacl.pwhash.str", "nacl.pwhash.argon2id.str",
    *WERKZEUG_HASH,
})
_SLOW_PASSLIB = re.compile(r"^passlib\.hash\.(?:bcrypt|bcrypt_sha256|argon2|scrypt|pbkdf2_sha256|pbkdf2_sha512|"
                           r"sha256_crypt|sha512_crypt)\.(?:hash|encrypt)$")
_WEAK_PASSLIB = frozenset({
    "des_crypt", "bsdi_crypt", "bigcrypt", "crypt16", "md5_crypt", "apr_md5_crypt", "sun_md5_crypt", "sha1_crypt",
    "hex_md4", "hex_md5", "hex_sha1", "hex_sha256", "hex_sha512", "ldap_md5", "ldap_sha1", "ldap_salted_md5",
    "ldap_salted_sha1", "ldap_salted_sha256", "ldap_salted_sha512", "ldap_plaintext", "ldap_hex_md5", "ldap_hex_sha1",
    "ldap_des_crypt", "ldap_bsdi_crypt", "ldap_md5_crypt", "ldap_sha1_crypt", "plaintext", "lmhash", "nthash",
    "bsd_nthash", "mysql323", "mysql41", "postgres_md5", "oracle10", "oracle11", "msdcc", "msdcc2", "cisco_pix",
    "cisco_asa", "cisco_type7", "htdigest", "roundup_plaintext", "atlassian_pbkdf2_sha1", "django_salted_md5",
    "django_salted_sha1", "django_des_crypt", "django_disabled", "fshp",
})
_DJANGO_WEAK_HASHER_NAMES = frozenset({"md5", "unsalted_md5", "sha1", "unsalted_sha1", "crypt"})
_DJANGO_WEAK_HASHERS = frozenset({
    f"django.contrib.auth.hashers.{name}" for name in (
        "MD5PasswordHasher", "UnsaltedMD5PasswordHasher", "SHA1PasswordHasher", "UnsaltedSHA1PasswordHasher",
        "CryptPasswordHasher")
})
_REVERSIBLE = re.compile(
    r"^(?:cryptography\.fernet\.(?:Multi)?Fernet\(\)\.encrypt(?:_at_time)?|(?:Crypto|Cryptodome)\.Cipher\.\w+\.new\(\)\.encrypt(?:_and_digest)?|"
    r"cryptography\.hazmat\.primitives\.ciphers\.aead\.\w+\(\)\.encrypt)$"
)
_ENCODINGS = frozenset({"base64.b64encode", "base64.urlsafe_b64encode", "base64.b32encode", "base64.b16encode",
                        "base64.encodebytes", "base64.standard_b64encode", "base64.a85encode", "base64.b85encode",
                        "binascii.hexlify", "binascii.b2a_base64", "codecs.encode"})
_HASHING_FUNCTION = re.compile(r"(?i)(?:hash|encrypt|encode|set|store|save|make|create|register|sign_?up|change|reset)_?\w*pass|pass\w*_?(?:hash|encrypt|encode)|^hash$|^make_hash$")


class WeakPasswordHash(Rule):
    """What it does: flags passwords hashed with a fast digest (MD5, SHA-1, SHA-2, SHA-3, BLAKE2;
    ``hashlib.sha256(password)``, ``hashlib.new("md5", ...)``, salted forms such as
    ``sha256(salt + password)``, ``hmac.new(salt, password, ...)``, ``.update(password)``), with a
    weak passlib scheme (``md5_crypt``, ``hex_md5``, ``ldap_sha1``...), Werkzeug
    ``generate_password_hash(method="sha256")``, Django ``make_password(hasher="md5")`` or a weak
    first entry of ``PASSWORD_HASHERS``, and passwords "encrypted" reversibly (Fernet, AES, base64).
    A password is recognised by its name (``password``, ``new_pwd``, ``form.password.data``,
    ``request.form["password"]``) or by where the result goes (``user.password_hash = ...``).

    Why is this bad: fast digests are built to be computed billions of times a second; a leaked
    table of salted SHA-256 passwords falls to a GPU in hours. Encrypted or encoded passwords are
    recovered at once by anyone holding the key. Password hashes must be slow and salted
    (argon2id, scrypt, bcrypt, PBKDF2 with a high work factor).

    Example:
        user.password_hash = hashlib.sha256((salt + password).encode()).hexdigest()

    Use instead:
        user.password_hash = generate_password_hash(password)  # Werkzeug; make_password in Django
    """

    id = "AR501"
    in_tests = False
    name = "weak-password-hash"
    title = "Password hashed with a fast or reversible function"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 916
    bandit_equivalents = frozenset({"B303", "B324"})
    prefilter = re.compile(r"hashlib|hmac|passlib|Crypto|generate_password_hash|make_password|PASSWORD_HASHERS|"
                           r"fernet|Fernet|base64|binascii|codecs|cryptography")

    VALID = [
        # Hashing a file, an ETag, a cache key: not passwords.
        'import hashlib\ndef etag(body):\n    return hashlib.md5(body).hexdigest()',
        'import hashlib\nwith open(path, "rb") as fh:\n    digest = hashlib.sha256(fh.read()).hexdigest()',
        # A random API/reset token stored by its SHA-256 for lookup is fine.
        'import hashlib, secrets\nraw_token = secrets.token_urlsafe(32)\ntoken_hash = hashlib.sha256(raw_token.encode()).hexdigest()',
        'import hashlib\nuser.password_reset_token = hashlib.sha256(token.encode()).hexdigest()',
        # Slow, salted hashes.
        'from werkzeug.security import generate_password_hash\nuser.password_hash = generate_password_hash(password)',
        'import hashlib\nkey = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)',
        'from passlib.hash import argon2\nh = argon2.hash(password)',
        # HTTP Basic authentication header: encoding is the protocol, not storage.
        'import base64\nauth = base64.b64encode(f"{username}:{password}".encode()).decode()',
        # The Have I Been Pwned range API takes a SHA-1 prefix of the password.
        'import hashlib\ndef is_pwned(password):\n    digest = hashlib.sha1(password.encode()).hexdigest().upper()\n'
        '    return digest[5:] in fetch_range(digest[:5])',
        # A service credential encrypted so it can be used later (not a user password).
        'from cryptography.fernet import Fernet\ntoken = Fernet(key).encrypt(smtp_password.encode())',
        # Verifying old md5_crypt hashes (to migrate them) is fine; only new hashes are flagged.
        'from passlib.hash import md5_crypt\nok = md5_crypt.verify(password, stored)',
        # HTTP Digest authentication (RFC 7616) is defined over MD5 of the password.
        'import hashlib\ndef digest_response(user, realm, password, nonce, ha2):\n'
        '    ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()\n'
        '    return hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()',
        # Hashing the stored hash (a session fingerprint) is not hashing a password.
        'import hashlib\ndef session_version(user):\n    return hashlib.sha256(user.password.encode()).hexdigest()[:8]',
        # cryptography / pycryptodome digests of cache keys, file bodies and random tokens.
        'from cryptography.hazmat.primitives import hashes\ndef cache_key(*parts):\n    h = hashes.Hash(hashes.MD5())\n'
        '    h.update(":".join(parts).encode())\n    return h.finalize().hex()',
        'from Crypto.Hash import MD5\ndef etag(body):\n    return MD5.new(body).hexdigest()',
        'from cryptography.hazmat.primitives import hashes\ndef store_token(account, raw_token):\n'
        '    lookup = hashes.Hash(hashes.SHA256())\n    lookup.update(raw_token.encode())\n'
        '    account.api_token_hash = lookup.finalize().hex()',
        # A pre-hash fed to bcrypt (its 72-byte limit): the stored hash is bcrypt's.
        'import base64, hashlib, bcrypt\ndef hash_password(password):\n'
        '    prehash = base64.b64encode(hashlib.sha256(password.encode()).digest())\n'
        '    return bcrypt.hashpw(prehash, bcrypt.gensalt())',
        Valid('PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]', path="settings/test.py"),
        'PASSWORD_HASHERS = [\n    "django.contrib.auth.hashers.Argon2PasswordHasher",\n    "django.contrib.auth.hashers.MD5PasswordHasher",\n]',
    ]
    INVALID = [
        Invalid(
            "import hashlib\nfrom flask import request\n"
            "def register(user):\n"
            '    user.password_hash = hashlib.sha256(request.form["password"].encode()).hexdigest()\n',
            fixed="import hashlib\nfrom flask import request\n"
            "def register(user):\n"
            '    user.password_hash = generate_password_hash(request.form["password"])\n',
        ),
        # Salted, through an alias; the destination names the password.
        Invalid(
            "from hashlib import sha256 as h\nfrom django.db import models\n"
            "def set_pw(user, secret, salt):\n"
            "    user.password = h((salt + secret).encode()).hexdigest()\n",
        ),
        Invalid(
            "import hashlib\nfrom django.contrib.auth.hashers import make_password\n"
            "def save(account, raw_password):\n"
            "    account.hashed_password = hashlib.md5(raw_password.encode('utf-8')).hexdigest()\n",
            fixed="import hashlib\nfrom django.contrib.auth.hashers import make_password\n"
            "def save(account, raw_password):\n"
            "    account.hashed_password = make_password(raw_password)\n",
        ),
        # Verification with a fast hash: the fix verifies with the framework.
        Invalid(
            "import hashlib\nfrom werkzeug.security import check_password_hash\n"
            "def login(user, password):\n"
            "    if hashlib.md5(password.encode()).hexdigest() == user.password_hash:\n"
            "        return True\n",
            fixed="import hashlib\nfrom werkzeug.security import check_password_hash\n"
            "def login(user, password):\n"
            "    if check_password_hash(user.password_hash, password):\n"
            "        return True\n",
        ),
        # No framework: argon2-cffi.
        Invalid(
            "import hashlib\ndef hash_password(password, salt):\n"
            '    return hashlib.new("sha512", salt + password.encode()).hexdigest()\n',
            fixed="import hashlib\ndef hash_password(password, salt):\n"
            "    return PasswordHasher().hash(password)\n",
        ),
        Invalid("import hmac, hashlib\ndef digest(salt, pwd):\n    return hmac.new(salt, pwd.encode(), hashlib.sha256).digest()"),
        Invalid("import hashlib\ndef make(password):\n    h = hashlib.sha1()\n    h.update(password.encode())\n    return h.hexdigest()"),
        Invalid("from passlib.hash import md5_crypt\nstored = md5_crypt.hash(password)"),
        Invalid('from passlib.context import CryptContext\npwd_context = CryptContext(schemes=["hex_sha256", "bcrypt"])'),
        Invalid(
            'from werkzeug.security import generate_password_hash\nh = generate_password_hash(password, method="sha256")',
            fixed="from werkzeug.security import generate_password_hash\nh = generate_password_hash(password)",
        ),
        Invalid(
            'from django.contrib.auth.hashers import make_password\nencoded = make_password(pw, hasher="unsalted_md5")',
            fixed="from django.contrib.auth.hashers import make_password\nencoded = make_password(pw)",
        ),
        Invalid(
            'PASSWORD_HASHERS = [\n    "django.contrib.auth.hashers.SHA1PasswordHasher",\n]',
            fixed='PASSWORD_HASHERS = [\n    "django.contrib.auth.hashers.PBKDF2PasswordHasher",\n'
                  '    "django.contrib.auth.hashers.SHA1PasswordHasher",\n]',
        ),
        Invalid("from cryptography.fernet import Fernet\nf = Fernet(KEY)\ndef register(user, form):\n"
                "    user.password = f.encrypt(form.password.data.encode())"),
        Invalid("import base64\ndef signup(user, new_password):\n    user.password = base64.b64encode(new_password.encode())"),
        # cryptography's digest objects: fed with update(), printed by finalize().
        Invalid("from cryptography.hazmat.primitives import hashes\ndef register(user, password):\n"
                "    digest = hashes.Hash(hashes.MD5())\n    digest.update(password.encode())\n"
                "    user.password_hash = digest.finalize().hex()"),
        Invalid(
            "from Crypto.Hash import SHA256\ndef register(user, password):\n"
            "    user.password_hash = SHA256.new(password.encode()).hexdigest()",
            fixed="from Crypto.Hash import SHA256\ndef register(user, password):\n"
            "    user.password_hash = PasswordHasher().hash(password)",
        ),
        # A property setter's value is the password, whatever the parameter is called.
        Invalid("import hashlib\nclass User:\n    @property\n    def password(self):\n        raise AttributeError\n"
                "    @password.setter\n    def password(self, value):\n"
                "        self._digest = hashlib.sha256(value.encode()).hexdigest()"),
        # A hasher built elsewhere whose digest lands in the password column.
        Invalid("from Cryptodome.Hash import SHA1\ndef import_row(account, raw):\n    h = SHA1.new(raw.encode())\n"
                "    account.password = h.hexdigest()"),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._hashed: set[int] = set()  # ids of the hasher constructors already reported (directly or through update)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name is None:
            return
        if name in _HASHLIB or _PYCRYPTO_HASH.match(name):
            if self._fast_hash(node, name.split(".")[-2 if name.endswith(".new") else -1],
                               [ctx.argument(node, "data", 0) or ctx.argument(node, "string")]):
                self._hashed.add(id(node))
        elif name == "hashlib.new":
            algorithm = ctx.string(ctx.argument(node, "name", 0))
            if algorithm and algorithm.lower().replace("-", "") in _FAST_HASHES:
                if self._fast_hash(node, algorithm, [ctx.argument(node, "data", 1) or ctx.argument(node, "string")]):
                    self._hashed.add(id(node))
        elif name in ("hmac.new", "hmac.digest", "hmac.HMAC"):
            if self._fast_hash(node, "HMAC", [ctx.argument(node, "key", 0), ctx.argument(node, "msg", 1)]):
                self._hashed.add(id(node))
        elif _UPDATE_OF_HASHER.match(name) and isinstance(node.func, cst.Attribute):
            hasher = self._hasher(node.func.value)
            if self._fast_hash(node, _algorithm(ctx, hasher) if hasher is not None else name.split("(")[0].rsplit(".", 1)[-1],
                               [ctx.argument(node, "data", 0)], fixable=False) and hasher is not None:
                self._hashed.add(id(hasher))
        elif _OUTPUT_OF_HASHER.match(name) and isinstance(node.func, cst.Attribute):
            self._digest_output(node, node.func.value)
        elif name.startswith("passlib.hash."):
            scheme = name.split(".")[2]
            if scheme in _WEAK_PASSLIB and name.rsplit(".", 1)[-1] in ("hash", "encrypt"):
                self.report(node, f"passlib's {markup.code(scheme)} is a fast or broken password scheme; hash new passwords "
                            f"with `argon2`, `bcrypt` or `scrypt` (keep {markup.code(scheme)} only to verify old hashes)")
        elif name == "passlib.context.CryptContext":
            self._crypt_context(node)
        elif name in WERKZEUG_HASH:
            self._werkzeug_method(node)
        elif name == "django.contrib.auth.hashers.make_password":
            self._django_hasher(node)
        elif _REVERSIBLE.match(name) or name in _ENCODINGS:
            self._reversible(node, name)

    # --- fast digests ----------------------------------------------------------------
    def _hasher(self, receiver: cst.BaseExpression) -> cst.Call | None:
        """The call that built a hasher object: ``h`` after ``h = hashes.Hash(hashes.MD5())``."""
        if isinstance(receiver, cst.Call):
            return receiver
        bound = self.ctx.value_of(receiver)
        return bound if isinstance(bound, cst.Call) else None

    def _digest_output(self, node: cst.Call, receiver: cst.BaseExpression) -> None:
        """``user.password_hash = h.hexdigest()`` / ``.finalize()`` of a fast hasher fed elsewhere: what reaches a
        password slot is a fast digest even when the data fed to it has no telling name."""
        ctx = self.ctx
        hasher = self._hasher(receiver)
        if isinstance(receiver, cst.Call) or hasher is None or id(hasher) in self._hashed:
            return  # ``hashlib.md5(x).hexdigest()`` is judged at the constructor; a reported hasher once
        if ctx.qualname(hasher.func) == "hashlib.new":
            algorithm = ctx.string(ctx.argument(hasher, "name", 0))
            if not algorithm or algorithm.lower().replace("-", "") not in _FAST_HASHES:
                return
        outer, parent, index = _walk_up(ctx)
        kind, dest = self._destination(outer, parent, index)
        stored = kind == "store" and _password_slot(dest) and not re.search(r"(?i)key|token|fingerprint|etag|cache", dest or "")
        returned = kind == "return" and bool(dest) and bool(_HASHING_FUNCTION.search(dest or "")) \
            and password_parts(dest or "")[0]
        if not (stored or returned) or self._pwned_check() or self._prehash(kind, dest, index):
            return
        self._hashed.add(id(hasher))
        where = f"stored in {markup.code(dest)}" if stored else f"returned by {markup.code(dest)}"
        self.report(node, f"the value {where} is a {_algorithm(ctx, hasher).upper()} digest ({markup.code(ctx.code(hasher))}), "
                    "a fast hash: leaked hashes are cracked at GPU speed even when salted; use a password hasher "
                    "(argon2id, scrypt, bcrypt)")

    def _fast_hash(self, node: cst.Call, algorithm: str, data: list[cst.BaseExpression | None],
                   fixable: bool = True) -> bool:
        """Report ``node`` when it hashes a password; whether it did."""
        ctx = self.ctx
        self._note = ""
        found = next((f for f in (password_source(ctx, d) for d in data) if f is not None), None)
        if found is None:
            value = _setter_value(ctx)
            if value is not None:
                found = next((m for m in (_mentions(d, value) for d in data) if m is not None), None)
        outer, parent, index = _walk_up(ctx)
        # A hash object (not its digest) replaced by a string would break the ``.hexdigest()`` that follows.
        fixable = fixable and (outer is not node or ctx.qualname(node.func) == "hmac.digest")
        kind, dest = self._destination(outer, parent, index)
        if found is None and not (kind == "store" and _password_slot(dest)):
            return False
        if found is not None and dest and kind == "store" and not _password_slot(dest) and \
                re.search(r"(?i)key|token|fingerprint|etag|cache", dest):
            return False  # a key derived from a password is AR502's topic only through a KDF; a fingerprint is not storage
        if self._pwned_check() or self._prehash(kind, dest, index):
            return False
        what = markup.code(ctx.code(found)) if found is not None else f"the value stored in {markup.code(dest)}"
        fix = self._fix(outer, parent, index, kind, dest, found) if fixable else None
        hasher = algorithm.upper() if algorithm != "HMAC" else "HMAC"
        self.report(node, f"{what} is hashed with {hasher}, a fast digest: leaked hashes are cracked at GPU "
                    f"speed even when salted; use a password hasher (argon2id, scrypt, bcrypt){self._note}", fix=fix)
        return True

    _note = ""

    def _slow_hasher(self, name: str | None) -> bool:
        return bool(name) and (name in _SLOW_HASHERS or bool(_SLOW_PASSLIB.match(name or "")))

    def _prehash(self, kind: str | None, dest: str | None, index: int) -> bool:
        """Whether the digest is fed to a slow password hasher (``bcrypt.hashpw(b64encode(sha256(pw).digest()), salt)``,
        or through a local: ``prehash = ...`` then ``bcrypt.hashpw(prehash, salt)``): a pre-hash, which is fine."""
        ctx = self.ctx
        local = dest if kind == "store" else None
        for ancestor in reversed(ctx.stack[: max(index, 0) + 1]):
            if isinstance(ancestor, cst.Call) and self._slow_hasher(ctx.qualname(ancestor.func)):
                return True
            if isinstance(ancestor, cst.Assign) and len(ancestor.targets) == 1 \
                    and isinstance(ancestor.targets[0].target, cst.Name):
                local = ancestor.targets[0].target.value
            if isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                break
        func = ctx.enclosing_function()
        dest = local
        if not dest or func is None or not dest.isidentifier():
            return False
        return any(isinstance(node, cst.Call) and self._slow_hasher(ctx.qualname(node.func))
                   and any(_mentions(arg.value, dest) is not None for arg in node.args)
                   for node in ctx.descendants(func.body))

    def _pwned_check(self) -> bool:
        func = self.ctx.enclosing_function()
        return bool(func is not None and _PROTOCOL_DIGEST.search(func.name.value + self.ctx.code(func.body)))

    def _destination(self, outer: cst.CSTNode, parent: cst.CSTNode | None, index: int) -> tuple[str | None, str | None]:
        """Where the hash goes: ("store", name), ("return", function name), ("compare", None)."""
        ctx = self.ctx
        if isinstance(parent, cst.Assign) and parent.value is outer:
            return "store", target_name(parent.targets[0].target)
        if isinstance(parent, cst.AnnAssign) and parent.value is outer:
            return "store", target_name(parent.target)
        if isinstance(parent, cst.Arg) and parent.value is outer and parent.keyword is not None:
            return "store", parent.keyword.value
        if isinstance(parent, cst.DictElement) and parent.value is outer:
            key = ctx.literal(parent.key)
            return "store", key if isinstance(key, str) else None
        if isinstance(parent, cst.Return):
            func = ctx.enclosing_function()
            return "return", func.name.value if func is not None else None
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
            return "compare", None
        if isinstance(parent, cst.Arg) and index >= 1 and isinstance(ctx.stack[index - 1], cst.Call) \
                and ctx.qualname(ctx.stack[index - 1].func) in COMPARE_DIGEST:
            return "compare", None
        return None, None

    def _fix(self, outer: cst.CSTNode, parent: cst.CSTNode | None, index: int, kind: str | None,
             dest: str | None, found: cst.BaseExpression | None) -> Fix | None:
        ctx = self.ctx
        self._note = ""
        if found is None or kind is None:
            return None
        password = ctx.code(_strip_transparent(found))
        framework = project_framework(ctx)
        if kind == "store" and _password_slot(dest) or kind == "return" and dest and _HASHING_FUNCTION.search(dest):
            if framework:
                make, _, module = FRAMEWORK_API[framework]
                self._note = import_note(ctx, module, make)
                return ctx.replace(outer, f"{make}({password})", f"hash with {markup.code(make)}")
            self._note = "" if ctx.index.imports.get("PasswordHasher") == "argon2.PasswordHasher" else \
                " (add `from argon2 import PasswordHasher`, package argon2-cffi)"
            return ctx.replace(outer, f"PasswordHasher().hash({password})", "hash with argon2id")
        if kind != "compare" or framework is None:
            return None
        _, check, module = FRAMEWORK_API[framework]
        if isinstance(parent, cst.ComparisonTarget):
            parent = ctx.stack[index - 1]
        if isinstance(parent, cst.Comparison):
            if len(parent.comparisons) != 1 or not isinstance(parent.comparisons[0].operator, (cst.Equal, cst.NotEqual)):
                return None
            other = parent.comparisons[0].comparator if parent.left is outer else parent.left
            negate = "not " if isinstance(parent.comparisons[0].operator, cst.NotEqual) else ""
            target = parent
        else:
            call = ctx.stack[index - 1]
            if not isinstance(call, cst.Call):
                return None
            others = [a.value for a in call.args if a is not parent]
            if len(others) != 1:
                return None
            other, negate, target = others[0], "", call
        stored = ctx.code(other)
        text = f"{check}({stored}, {password})" if framework == "werkzeug" else f"{check}({password}, {stored})"
        self._note = import_note(ctx, module, check)
        return ctx.replace(target, negate + text, f"verify with {markup.code(check)}")

    # --- libraries with weak modes ------------------------------------------------------
    def _crypt_context(self, node: cst.Call) -> None:
        ctx = self.ctx
        schemes = ctx.argument(node, "schemes", 0)
        default = ctx.argument(node, "default")
        chosen: cst.CSTNode | None = default
        if chosen is None and isinstance(schemes, (cst.List, cst.Tuple)) and schemes.elements:
            chosen = schemes.elements[0].value
        scheme = ctx.string(chosen)
        if chosen is not None and scheme in _WEAK_PASSLIB:
            self.report(chosen, f"CryptContext hashes new passwords with {markup.code(scheme)}, a fast or broken scheme; "
                        'put `"argon2"` or `"bcrypt"` first and list the old scheme under `deprecated=`')

    def _werkzeug_method(self, node: cst.Call) -> None:
        ctx = self.ctx
        arg = arg_node(ctx, node, "method", 1)
        method = ctx.string(arg.value) if arg is not None else None
        if not method or method.split(":")[0] in ("pbkdf2", "scrypt"):
            return
        fix = ctx.replace(node, replace_arg(node, arg, None), "use Werkzeug's default (scrypt/PBKDF2)")
        self.report(arg.value, markup.code('generate_password_hash(..., method="' + method + '")') + " stores a "
                    f"{'plain-text' if method == 'plain' else 'single fast-digest'} password; drop `method` "
                    "to get Werkzeug's salted scrypt/PBKDF2", fix=fix)

    def _django_hasher(self, node: cst.Call) -> None:
        ctx = self.ctx
        arg = arg_node(ctx, node, "hasher", 2)
        hasher = ctx.string(arg.value) if arg is not None else None
        if hasher not in _DJANGO_WEAK_HASHER_NAMES:
            return
        fix = ctx.replace(node, replace_arg(node, arg, None), "use the configured default hasher")
        self.report(arg.value, markup.code('make_password(..., hasher="' + hasher + '")') + f" hashes with {markup.code(hasher.split('_')[-1].upper())}, "
                    "a fast digest; drop `hasher` to use the default (PBKDF2/argon2)", fix=fix)

    def _reversible(self, node: cst.Call, name: str) -> None:
        ctx = self.ctx
        if name == "codecs.encode" and ctx.string(ctx.argument(node, "encoding", 1)) not in (
                "rot13", "rot_13", "base64", "base_64", "hex", "hex_codec", "base64_codec"):
            return
        data = ctx.argument(node, "data", 0)
        found = password_source(ctx, data)
        if found is None or _strip_transparent(data) is not found:
            return  # only the password itself: ``b64encode(f"{user}:{password}")`` is HTTP Basic, not storage
        if not _user_password_name(last_name(found) if not isinstance(found, cst.Subscript) else
                                   ctx.string(found.slice[0].slice.value)):  # type: ignore[attr-defined]
            if not (isinstance(found, cst.Call) or last_name(found) == "data"):
                return
        outer, parent, index = _walk_up(ctx)
        kind, dest = self._destination(outer, parent, index)
        func = ctx.enclosing_function()
        stored = kind == "store" and _password_slot(dest) or kind == "return" and dest and _HASHING_FUNCTION.search(dest)
        in_signup = func is not None and re.search(r"(?i)regist|sign_?up|create_user|set_password|change_password|"
                                                   r"reset_password|hash_password", func.name.value)
        if not (stored or in_signup and name not in _ENCODINGS):
            return
        how = "encoded" if name in _ENCODINGS else "encrypted"
        self.report(node, f"{markup.code(ctx.code(found))} is {how} with {markup.code(name.split('(')[0].rsplit('.', 1)[-1])}, which is "
                    f"reversible: whoever reads the {'table' if how == 'encoded' else 'table and the key'} has every "
                    "password; store a one-way password hash (argon2id, scrypt, bcrypt) instead",
                    severity=Severity.CRITICAL if how == "encoded" else Severity.HIGH)

    # --- Django settings -----------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) \
                and node.targets[0].target.value == "PASSWORD_HASHERS":
            self._hashers(node.value)

    def _hashers(self, value: cst.BaseExpression) -> None:
        ctx = self.ctx
        if not isinstance(value, (cst.List, cst.Tuple)) or not value.elements or in_test_context(ctx):
            return
        first = value.elements[0].value
        hasher = ctx.string(first)
        if hasher not in _DJANGO_WEAK_HASHERS:
            return
        pos = ctx.position(first)
        line = ctx.lines[pos.start.line - 1]
        strong = '"django.contrib.auth.hashers.PBKDF2PasswordHasher",'
        own_line = not line[: pos.start.column].strip()
        text = strong + ("\n" + line[: pos.start.column] if own_line else " ") + ctx.code(first)
        fix = ctx.replace(first, text, "hash new passwords with PBKDF2, keep the old hasher to verify and upgrade")
        self.report(first, f"`PASSWORD_HASHERS` starts with {markup.code(hasher.rsplit('.', 1)[-1])}, so Django hashes every new "
                    "password with a fast digest; put `PBKDF2PasswordHasher` (or Argon2) first and keep the old one "
                    "after it so existing hashes are upgraded at login", fix=fix)
