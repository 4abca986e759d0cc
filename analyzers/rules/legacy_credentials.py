"""AR5xx (credentials): how passwords are hashed, stored and compared, and where secrets come from."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import libcst as cst

from ..context import UNKNOWN, FileContext
from .. import markup
from ..findings import Confidence, Fix, Severity
from ..rule import Invalid, Rule, Valid
from ._common import is_secret_name, set_keyword, target_name

# --- vocabulary: what names hold a password ------------------------------------------

_PASSWORD_WORDS = frozenset({"password", "passwd", "passwort", "passphrase", "pwd", "pw", "passcode", "pass"})
# Word parts that turn a password name into a hash slot (``password_hash``).
_HASH_PARTS = frozenset({"hash", "hashed", "hashes", "digest", "encrypted", "enc", "crypt", "crypted", "salted", "hmac"})
# Word parts that make a password-looking name mean something else (a field, a length, a reset token...).
_NOT_PASSWORD_PARTS = frozenset({
    "salt", "token", "tokens", "reset", "field", "fields", "name", "names", "label", "hint", "help", "placeholder",
    "url", "uri", "length", "len", "min", "max", "policy", "regex", "re", "pattern", "rule", "rules", "strength",
    "score", "expiry", "expires", "expired", "expire", "age", "changed", "updated", "at", "date", "time", "count",
    "attempts", "tries", "required", "enabled", "is", "has", "form", "widget", "type", "error", "errors", "message",
    "msg", "validator", "validators", "header", "id", "column", "col", "mode", "prompt", "env", "var", "file", "path",
    "manager", "hasher", "hashers", "context", "ctx", "check", "verify", "valid", "validate", "validation", "match",
    "matches", "history", "otp", "code", "link", "key", "grant", "flow", "method", "less", "protected", "set",
    "change", "forgot", "view", "template", "page", "schema", "serializer", "input_type", "strategy", "backend",
})
# Objects whose ``.password`` is the stored credential of an account.
_USERISH = re.compile(
    r"^(?:.*_)?(?:user|users|account|accounts|member|members|customer|customers|admin|admins|profile|person|"
    r"player|employee|staff|student|owner|u|usr|acct|instance|obj|row|record|entry|existing|found|current)$",
    re.IGNORECASE,
)
_USER_CLASS = re.compile(
    r"^(?:[A-Z]\w*)?(?:User|Account|Member|Customer|Admin|Profile|Person|Employee|Staff|Student|Player)"
    r"(?:Model|DB|Db|Record|Entity|Table|Orm|Document)?$"
)
_STORED_NAMES = re.compile(
    r"^(?:stored|saved|expected|correct|real|actual|existing|db|database|known|valid|right)_(?:password|passwd|pwd|pw)$",
    re.IGNORECASE,
)
_USER_DICT = re.compile(r"^(?:.*_)?(?:users|accounts|passwords|passwds|credentials|user_db|users_db|logins)$", re.I)
# Names that mean "a user's own password" (not an SMTP/DB/service credential we must decrypt later).
_USER_PASSWORD_PREFIXES = frozenset({
    "", "new", "raw", "plain", "plaintext", "clear", "cleartext", "user", "account", "input", "candidate", "given",
    "submitted", "old", "initial", "current", "confirm", "confirmed", "login", "signup", "register",
})
# Protocols that require a fast digest of the password: breach checks (HIBP k-anonymity), HTTP Digest,
# WS-Security PasswordDigest, challenge/response schemes.
_PROTOCOL_DIGEST = re.compile(r"(?i)pwned|hibp|breach|k.?anonymity|compromised|realm|nonce|\bha1\b|cram|challenge|ntlm|wsse|scram")
_TEST_PART = frozenset({"test", "tests", "testing", "unittest", "pytest", "conftest", "fixture", "fixtures", "ci"})
_DEV_PART = frozenset({"dev", "development", "local", "debug", "demo", "example", "sample", "template"})


def _parts(name: str) -> list[str]:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return [re.sub(r"\d+$", "", p) for p in re.split(r"[^a-z0-9]+", snake) if p]


def _password_parts(name: str) -> tuple[bool, set[str]]:
    """Whether ``name`` names a password, and its other word parts (``passwordhash`` -> hash)."""
    parts = _parts(name)
    found, rest = False, set()
    for i, part in enumerate(parts):
        if part == "pass":
            if i == len(parts) - 1 or parts[i + 1] == "phrase":
                found = True
                continue
            rest.add(part)
            continue
        if part in _PASSWORD_WORDS:
            found = True
            continue
        for word in ("password", "passwd"):
            if word in part:
                found = True
                head, _, tail = part.partition(word)
                rest.update(p for p in (head, tail) if p)
                break
        else:
            if part != "phrase":
                rest.add(part)
    return found, rest


def _password_name(name: str | None) -> bool:
    """``password``, ``new_password``, ``pwd``, ``passphrase``: yes. ``password_hash``, ``password_field``: no."""
    if not name:
        return False
    found, rest = _password_parts(name)
    return found and not rest & (_NOT_PASSWORD_PARTS | _HASH_PARTS)


def _password_slot(name: str | None) -> bool:
    """Where a password or its hash is kept: ``password``, ``password_hash``, ``hashed_password``."""
    if not name:
        return False
    found, rest = _password_parts(name)
    return found and not rest & _NOT_PASSWORD_PARTS


def _user_password_name(name: str | None) -> bool:
    """A user's own password (``new_password``), not a service credential (``smtp_password``)."""
    if not _password_name(name):
        return False
    _, rest = _password_parts(name or "")
    return rest <= _USER_PASSWORD_PREFIXES


def _last_name(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Call):
        return _last_name(node.func)
    return None


def _subscript_key(ctx: FileContext, node: cst.Subscript) -> object:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return ctx.literal(node.slice[0].slice.value)
    return UNKNOWN


def _bindings(ctx: FileContext, name: str) -> list[cst.BaseExpression | None] | None:
    """The values bound to ``name`` in the innermost scope (function, then module) that binds it."""
    for node in reversed(ctx.stack):
        if isinstance(node, cst.FunctionDef):
            values = ctx.index.bindings.get((id(node), name))
            if values is not None:
                return values
    return ctx.index.bindings.get((id(ctx.module), name))


def _is_userish_base(node: cst.CSTNode, ctx: FileContext) -> bool:
    name = _last_name(node)
    if name == "self":
        cls = ctx.enclosing(cst.ClassDef)
        return isinstance(cls, cst.ClassDef) and bool(_USER_CLASS.search(cls.name.value))
    return bool(name and _USERISH.match(name))


def _password_source(ctx: FileContext, node: cst.CSTNode | None, depth: int = 0) -> cst.BaseExpression | None:
    """The expression inside ``node`` that carries a password (``salt + password.encode()`` -> ``password``).

    Names bound once to such an expression are followed; the node returned may then
    be the name itself. ``user.password`` (a stored value) does not count.
    """
    if node is None or depth > 3:
        return None
    if isinstance(node, cst.Name):
        if _password_name(node.value):
            return node
        values = _bindings(ctx, node.value)
        if values and len(values) == 1 and values[0] is not None:
            return node if _password_source(ctx, values[0], depth + 1) is not None else None
        return None
    if isinstance(node, cst.Attribute):
        if _password_name(node.attr.value):
            return None if _is_userish_base(node.value, ctx) else node
        if node.attr.value in ("data", "value") and _password_source(ctx, node.value, depth) is not None:
            return node
        return None
    if isinstance(node, cst.Subscript):
        key = _subscript_key(ctx, node)
        if isinstance(key, str) and _password_name(key) and not _is_userish_base(node.value, ctx):
            return node
        return None
    if isinstance(node, cst.Call):
        return _password_in_call(ctx, node, depth)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        return _password_source(ctx, node.left, depth) or _password_source(ctx, node.right, depth)
    if isinstance(node, cst.FormattedString):
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                found = _password_source(ctx, part.expression, depth)
                if found is not None:
                    return found
        return None
    if isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            found = _password_source(ctx, element.value, depth)
            if found is not None:
                return found
    return None


def _password_in_call(ctx: FileContext, node: cst.Call, depth: int) -> cst.BaseExpression | None:
    func = node.func
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        if method in ("get", "pop", "getlist", "get_one") and node.args:
            key = ctx.literal(node.args[0].value)
            if isinstance(key, str) and _password_name(key) and not _is_userish_base(func.value, ctx):
                return node
            return None
        if method in ("encode", "strip", "rstrip", "lstrip", "decode"):
            return _password_source(ctx, func.value, depth)
        if method in ("format", "join"):
            for arg in node.args:
                found = _password_source(ctx, arg.value, depth)
                if found is not None:
                    return found
            return _password_source(ctx, func.value, depth) if method == "format" else None
    if ctx.qualname(func) in ("builtins.str", "builtins.bytes", "builtins.bytearray") and node.args:
        return _password_source(ctx, node.args[0].value, depth)
    return None


def _strip_transparent(node: cst.BaseExpression) -> cst.BaseExpression:
    """``password.encode("utf-8")`` -> ``password``."""
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in ("encode", "strip"):
        node = node.func.value
    return node


def _raw_password(ctx: FileContext, node: cst.CSTNode | None, depth: int = 0) -> bool:
    """A password exactly as the user typed it: no hashing on the way."""
    if node is None or depth > 3:
        return False
    if isinstance(node, cst.Name):
        if not _password_name(node.value):
            return False
        values = _bindings(ctx, node.value)
        # Every binding is a parameter or another raw read: ``password = form.password.data``.
        return values is not None and all(v is None or _raw_password(ctx, v, depth + 1) for v in values)
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("strip", "rstrip", "lstrip"):
            return _raw_password(ctx, func.value, depth)
        if ctx.qualname(func) == "builtins.str" and len(node.args) == 1:
            return _raw_password(ctx, node.args[0].value, depth)
        return _password_in_call(ctx, node, depth) is node
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        return _password_source(ctx, node, depth) is node
    return False


def _stored_password(ctx: FileContext, node: cst.CSTNode) -> bool:
    """The password kept for an account: ``user.password``, ``row["password"]``, ``users[name]``."""
    if isinstance(node, cst.Attribute):
        return node.attr.value in ("password", "passwd", "pwd", "pass_word") and _is_userish_base(node.value, ctx)
    if isinstance(node, cst.Subscript):
        key = _subscript_key(ctx, node)
        if isinstance(key, str):
            return key in ("password", "passwd", "pwd") and _is_userish_base(node.value, ctx)
        return bool(_USER_DICT.match(_last_name(node.value) or ""))
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
        if node.args and not isinstance(ctx.literal(node.args[0].value), str):
            return bool(_USER_DICT.match(_last_name(node.func.value) or ""))
        return False
    if isinstance(node, cst.Name):
        return bool(_STORED_NAMES.match(node.value))
    return False


# --- context: framework, test code, settings classes ---------------------------------------


def _framework(ctx: FileContext) -> str | None:
    """The password hashing the project's framework offers: "werkzeug", "django" or None."""
    modules = {value.split(".")[0] for value in ctx.index.imports.values()}
    if modules & {"flask", "werkzeug", "flask_login", "flask_sqlalchemy", "flask_wtf"}:
        return "werkzeug"
    if "django" in modules or "rest_framework" in modules:
        return "django"
    return None


_FRAMEWORK_API = {
    "werkzeug": ("generate_password_hash", "check_password_hash", "werkzeug.security"),
    "django": ("make_password", "check_password", "django.contrib.auth.hashers"),
}


def _import_note(ctx: FileContext, module: str, name: str) -> str:
    if ctx.index.imports.get(name) == f"{module}.{name}":
        return ""
    return f" (add {markup.code(f'from {module} import {name}')})"


def _name_is_test(name: str) -> bool:
    parts = set(_parts(name))
    return bool(parts & _TEST_PART) or name.startswith("Test")


def _in_test_context(ctx: FileContext) -> bool:
    """Test-only configuration inside application code: ``settings/test.py``, ``class TestingConfig``."""
    path = PurePosixPath(ctx.path)
    if any(_name_is_test(part) for part in (*path.parent.parts, path.stem)):
        return True
    for node in ctx.stack[:-1]:
        if isinstance(node, (cst.ClassDef, cst.FunctionDef)) and _name_is_test(node.name.value):
            return True
        if isinstance(node, cst.If) and re.search(r"(?i)\btest(ing)?\b|TESTING|\.testing", ctx.code(node.test)):
            return True
    return False


def _in_dev_context(ctx: FileContext) -> bool:
    path = PurePosixPath(ctx.path)
    if set(_parts(path.stem)) & _DEV_PART:
        return True
    return any(isinstance(n, (cst.ClassDef, cst.FunctionDef)) and set(_parts(n.name.value)) & _DEV_PART
               for n in ctx.stack[:-1])


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


def _walk_up(ctx: FileContext) -> tuple[cst.CSTNode, cst.CSTNode | None, int]:
    """The current call widened over ``.hexdigest()``/``.digest()``, its parent, and the parent's stack index."""
    stack = ctx.stack
    i = len(stack) - 1
    node = stack[i]
    while i >= 2 and isinstance(stack[i - 1], cst.Attribute) and stack[i - 1].value is node \
            and stack[i - 1].attr.value in ("hexdigest", "digest") and isinstance(stack[i - 2], cst.Call):
        node, i = stack[i - 2], i - 2
    return node, (stack[i - 1] if i >= 1 else None), i - 1


def _replace_arg(call: cst.Call, old: cst.Arg, new: cst.Arg | None) -> cst.Call:
    """``call`` with the argument ``old`` replaced by ``new`` (or dropped, commas kept tidy)."""
    args = list(call.args)
    index = next(i for i, a in enumerate(args) if a is old)
    if new is not None:
        args[index] = new
        return call.with_changes(args=args)
    del args[index]
    if args and index == len(args):
        args[-1] = args[-1].with_changes(comma=old.comma if isinstance(old.comma, cst.Comma)
                                         and isinstance(old.comma.whitespace_after, cst.ParenthesizedWhitespace)
                                         else cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


def _arg_node(ctx: FileContext, call: cst.Call, name: str, index: int | None) -> cst.Arg | None:
    arg = ctx.keyword(call, name)
    if arg is None and index is not None:
        arg = ctx.positional(call, index)
    return arg


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
_WERKZEUG_HASH = frozenset({"werkzeug.security.generate_password_hash", "werkzeug.generate_password_hash"})
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
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name is None:
            return
        if name in _HASHLIB or _PYCRYPTO_HASH.match(name):
            self._fast_hash(node, name.split(".")[-2 if name.endswith(".new") else -1],
                            [ctx.argument(node, "data", 0) or ctx.argument(node, "string")])
        elif name == "hashlib.new":
            algorithm = ctx.string(ctx.argument(node, "name", 0))
            if algorithm and algorithm.lower().replace("-", "") in _FAST_HASHES:
                self._fast_hash(node, algorithm, [ctx.argument(node, "data", 1) or ctx.argument(node, "string")])
        elif name in ("hmac.new", "hmac.digest", "hmac.HMAC"):
            self._fast_hash(node, "HMAC", [ctx.argument(node, "key", 0), ctx.argument(node, "msg", 1)])
        elif _UPDATE_OF_HASHER.match(name):
            self._fast_hash(node, name.split("(")[0].rsplit(".", 1)[-1], [ctx.argument(node, "data", 0)],
                            fixable=False)
        elif name.startswith("passlib.hash."):
            scheme = name.split(".")[2]
            if scheme in _WEAK_PASSLIB and name.rsplit(".", 1)[-1] in ("hash", "encrypt"):
                self.report(node, f"passlib's {markup.code(scheme)} is a fast or broken password scheme; hash new passwords "
                            f"with `argon2`, `bcrypt` or `scrypt` (keep {markup.code(scheme)} only to verify old hashes)")
        elif name == "passlib.context.CryptContext":
            self._crypt_context(node)
        elif name in _WERKZEUG_HASH:
            self._werkzeug_method(node)
        elif name == "django.contrib.auth.hashers.make_password":
            self._django_hasher(node)
        elif _REVERSIBLE.match(name) or name in _ENCODINGS:
            self._reversible(node, name)

    # --- fast digests ----------------------------------------------------------------
    def _fast_hash(self, node: cst.Call, algorithm: str, data: list[cst.BaseExpression | None],
                   fixable: bool = True) -> None:
        ctx = self.ctx
        self._note = ""
        found = next((f for f in (_password_source(ctx, d) for d in data) if f is not None), None)
        outer, parent, index = _walk_up(ctx)
        # A hash object (not its digest) replaced by a string would break the ``.hexdigest()`` that follows.
        fixable = fixable and (outer is not node or ctx.qualname(node.func) == "hmac.digest")
        kind, dest = self._destination(outer, parent, index)
        if found is None and not (kind == "store" and _password_slot(dest)):
            return
        if found is not None and dest and kind == "store" and not _password_slot(dest) and \
                re.search(r"(?i)key|token|fingerprint|etag|cache", dest):
            return  # a key derived from a password is AR502's topic only through a KDF; a fingerprint is not storage
        if self._pwned_check():
            return
        what = markup.code(ctx.code(found)) if found is not None else f"the value stored in {markup.code(dest)}"
        fix = self._fix(outer, parent, index, kind, dest, found) if fixable else None
        hasher = algorithm.upper() if algorithm != "HMAC" else "HMAC"
        self.report(node, f"{what} is hashed with {hasher}, a fast digest: leaked hashes are cracked at GPU "
                    f"speed even when salted; use a password hasher (argon2id, scrypt, bcrypt){self._note}", fix=fix)

    _note = ""

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
                and ctx.qualname(ctx.stack[index - 1].func) in _COMPARE_DIGEST:
            return "compare", None
        return None, None

    def _fix(self, outer: cst.CSTNode, parent: cst.CSTNode | None, index: int, kind: str | None,
             dest: str | None, found: cst.BaseExpression | None) -> Fix | None:
        ctx = self.ctx
        self._note = ""
        if found is None or kind is None:
            return None
        password = ctx.code(_strip_transparent(found))
        framework = _framework(ctx)
        if kind == "store" and _password_slot(dest) or kind == "return" and dest and _HASHING_FUNCTION.search(dest):
            if framework:
                make, _, module = _FRAMEWORK_API[framework]
                self._note = _import_note(ctx, module, make)
                return ctx.replace(outer, f"{make}({password})", f"hash with {markup.code(make)}")
            self._note = "" if ctx.index.imports.get("PasswordHasher") == "argon2.PasswordHasher" else \
                " (add `from argon2 import PasswordHasher`, package argon2-cffi)"
            return ctx.replace(outer, f"PasswordHasher().hash({password})", "hash with argon2id")
        if kind != "compare" or framework is None:
            return None
        _, check, module = _FRAMEWORK_API[framework]
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
        self._note = _import_note(ctx, module, check)
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
        arg = _arg_node(ctx, node, "method", 1)
        method = ctx.string(arg.value) if arg is not None else None
        if not method or method.split(":")[0] in ("pbkdf2", "scrypt"):
            return
        fix = ctx.replace(node, _replace_arg(node, arg, None), "use Werkzeug's default (scrypt/PBKDF2)")
        self.report(arg.value, markup.code('generate_password_hash(..., method="' + method + '")') + " stores a "
                    f"{'plain-text' if method == 'plain' else 'single fast-digest'} password; drop `method` "
                    "to get Werkzeug's salted scrypt/PBKDF2", fix=fix)

    def _django_hasher(self, node: cst.Call) -> None:
        ctx = self.ctx
        arg = _arg_node(ctx, node, "hasher", 2)
        hasher = ctx.string(arg.value) if arg is not None else None
        if hasher not in _DJANGO_WEAK_HASHER_NAMES:
            return
        fix = ctx.replace(node, _replace_arg(node, arg, None), "use the configured default hasher")
        self.report(arg.value, markup.code('make_password(..., hasher="' + hasher + '")') + f" hashes with {markup.code(hasher.split('_')[-1].upper())}, "
                    "a fast digest; drop `hasher` to use the default (PBKDF2/argon2)", fix=fix)

    def _reversible(self, node: cst.Call, name: str) -> None:
        ctx = self.ctx
        if name == "codecs.encode" and ctx.string(ctx.argument(node, "encoding", 1)) not in (
                "rot13", "rot_13", "base64", "base_64", "hex", "hex_codec", "base64_codec"):
            return
        data = ctx.argument(node, "data", 0)
        found = _password_source(ctx, data)
        if found is None or _strip_transparent(data) is not found:
            return  # only the password itself: ``b64encode(f"{user}:{password}")`` is HTTP Basic, not storage
        if not _user_password_name(_last_name(found) if not isinstance(found, cst.Subscript) else
                                   ctx.string(found.slice[0].slice.value)):  # type: ignore[attr-defined]
            if not (isinstance(found, cst.Call) or _last_name(found) == "data"):
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
        if not isinstance(value, (cst.List, cst.Tuple)) or not value.elements or _in_test_context(ctx):
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
        if name is None or _in_test_context(ctx):
            for arg in node.args:  # ``app.config.update(BCRYPT_LOG_ROUNDS=4)`` on an unknown object
                if name is None and arg.keyword is not None and arg.keyword.value == "BCRYPT_LOG_ROUNDS" \
                        and not _in_test_context(ctx):
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
        elif name in _WERKZEUG_HASH:
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
            new_call = _replace_arg(node, arg, arg.with_changes(value=cst.parse_expression(_format_number(new_n, n_node, ctx))))
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
        if name == "BCRYPT_LOG_ROUNDS" and not _in_test_context(self.ctx):
            self._minimum(value, BCRYPT_MIN_ROUNDS, "`BCRYPT_LOG_ROUNDS` (Flask-Bcrypt cost)")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bcrypt_config(target_name(target.target), node.value)
        cls = self.ctx.enclosing(cst.ClassDef)
        if isinstance(cls, cst.ClassDef) and self.ctx.stack[-3] is cls.body and len(node.targets) == 1 \
                and isinstance(node.targets[0].target, cst.Name) and not _in_test_context(self.ctx):
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


# ======================================================================================
# AR503 plaintext-password
# ======================================================================================

_COMPARE_DIGEST = frozenset({"hmac.compare_digest", "secrets.compare_digest"})
_SQL_WRITE = re.compile(
    r"(?is)\binsert\s+into\s+[`\"\[]?(?P<table>\w+)[`\"\]]?\s*\((?P<cols>[^)]*)\)|\bupdate\s+[`\"\[]?(?P<utable>\w+)[`\"\]]?\s+set\s+(?P<sets>.*?)(?:\bwhere\b|$)"
)
_PLAIN_COLUMN = re.compile(r"(?i)(?:^|[\s,`\"\[])(password|passwd|pwd|pass)[`\"\]]?\s*(?:,|=|$)")
_LOOKUPS = frozenset({"filter_by", "filter", "get", "find_one", "find", "get_or_none", "first_or_404", "one_or_none"})
_SQL_WHERE_PASSWORD = re.compile(r"(?is)\bselect\b.*\bfrom\s+[`\"\[]?(?P<table>\w+).*\bwhere\b.*\b(?:password|passwd|pwd)[`\"\]]?\s*=")
_MONGO_WRITES = frozenset({"insert_one", "insert_many", "update_one", "update_many", "replace_one", "find_one_and_update"})
_DJANGO_WRITES = frozenset({"create", "update", "update_or_create", "get_or_create"})


class PlaintextPassword(Rule):
    """What it does: flags passwords stored as typed (``user.password = form.password.data``,
    ``User(password=request.json["password"])``, Django ``User.objects.create(password=...)``,
    an SQL ``INSERT``/``UPDATE`` or a Mongo write of a raw password into a ``password`` column) and
    passwords compared as plain text (``if user.password == password``,
    ``users.get(name) == password``, ``hmac.compare_digest(row["password"], password)``).
    A model whose ``password`` property setter hashes (in the same file) is understood.

    Why is this bad: a database dump, a backup or one SQL injection hands out every user's password,
    and users reuse passwords on other sites. Comparing in plain text means they are stored that way.

    Example:
        if user.password == request.form["password"]:
            login_user(user)

    Use instead:
        if check_password_hash(user.password, request.form["password"]):  # Django: user.check_password(...)
            login_user(user)
    """

    id = "AR503"
    in_tests = False
    name = "plaintext-password"
    title = "Password stored or compared in plain text"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 256
    prefilter = re.compile(r"(?i)passw|pwd|pw\b|_pass\b|passphrase|passcode")

    VALID = [
        'from werkzeug.security import generate_password_hash\nuser.password_hash = generate_password_hash(form.password.data)',
        "def change(request, form):\n    request.user.set_password(form.cleaned_data['password'])",
        "from django.contrib.auth.hashers import check_password\nok = check_password(password, user.password)",
        # Two user inputs: form validation, not a stored password.
        'if new_password != confirm_password:\n    raise ValueError("passwords differ")',
        "if len(user.password) < 8:\n    pass",
        "if user.password is None or user.password == '':\n    pass",
        # The stored value was hashed first.
        "def register(form):\n    password = bcrypt.hashpw(form.password.data.encode(), bcrypt.gensalt())\n"
        "    return User(email=form.email.data, password=password)",
        # A client keeping the credential it must send to another service.
        "class SmtpClient:\n    def __init__(self, host, password):\n        self.password = password",
        "conn = connect(host=h, user=u, password=password)",
        # The model hashes in its property setter.
        "class User(db.Model):\n    @property\n    def password(self):\n        raise AttributeError\n"
        "    @password.setter\n    def password(self, value):\n        self.password_hash = generate_password_hash(value)\n"
        "def register(form):\n    user = User()\n    user.password = form.password.data",
        "user.password = None",
    ]
    INVALID = [
        Invalid("from flask import request\n"
                "def login(user):\n    if user.password == request.form['password']:\n        return True",
                fixed="from flask import request\n"
                "def login(user):\n    if check_password_hash(user.password, request.form['password']):\n        return True"),
        Invalid("from django.shortcuts import redirect\n"
                "def login(request, user, password):\n    if user.password != password:\n        return redirect('/login')",
                fixed="from django.shortcuts import redirect\n"
                "def login(request, user, password):\n    if not user.check_password(password):\n        return redirect('/login')"),
        # No framework to verify with: reported without a fix.
        Invalid("USERS = {'alice': 'wonderland'}\ndef verify(username, password):\n    return USERS.get(username) == password"),
        Invalid("import hmac\ndef verify(row, password):\n    return hmac.compare_digest(row['password'], password)"),
        Invalid("from flask import request\n"
                "def register():\n    user = User(email=request.form['email'], password=request.form['password'])\n    return user",
                fixed="from flask import request\n"
                "def register():\n    user = User(email=request.form['email'], password=generate_password_hash(request.form['password']))\n    return user"),
        Invalid("from django.contrib.auth.models import User\n"
                "def signup(form):\n    User.objects.create(username=form.cleaned_data['username'], password=form.cleaned_data['password'])",
                fixed="from django.contrib.auth.models import User\n"
                "def signup(form):\n    User.objects.create(username=form.cleaned_data['username'], password=make_password(form.cleaned_data['password']))"),
        Invalid("from django.db import models\n"
                "def reset(user, new_password):\n    user.password = new_password\n    user.save()",
                fixed="from django.db import models\n"
                "def reset(user, new_password):\n    user.set_password(new_password)\n    user.save()"),
        Invalid("def register(form):\n    user = User()\n    user.password = form.password.data\n    return user"),
        Invalid("def add(cur, username, password):\n"
                "    cur.execute('INSERT INTO users (username, password) VALUES (%s, %s)', (username, password))"),
        Invalid("def add(db, email, pwd):\n    db.users.insert_one({'email': email, 'password': pwd})"),
        Invalid("def login(username, password):\n"
                "    return User.query.filter_by(username=username, password=password).first()"),
        Invalid("def login(cur, name, password):\n"
                "    cur.execute('SELECT id FROM users WHERE name = %s AND password = %s', (name, password))"),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._setter: bool | None = None

    def _hashing_setter(self) -> bool:
        """Whether this file's model hashes on ``user.password = ...`` (property setter or ``@validates``)."""
        if self._setter is None:
            self._setter = False
            for node in self.ctx.descendants(self.ctx.module):
                if isinstance(node, cst.FunctionDef) and node.name.value in ("password", "passwd", "pwd"):
                    if any(isinstance(d.decorator, cst.Attribute) and d.decorator.attr.value in ("setter", "expression")
                           or "validates" in self.ctx.code(d.decorator) for d in node.decorators):
                        self._setter = True
                        break
                if isinstance(node, cst.FunctionDef) and node.name.value in ("__setattr__",):
                    self._setter = True
                    break
                if isinstance(node, cst.Decorator) and re.match(r".*validates\(\s*['\"](password|passwd|pwd)['\"]",
                                                                self.ctx.code(node.decorator)):
                    self._setter = True
                    break
        return self._setter

    # --- comparisons ----------------------------------------------------------------------
    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        if not isinstance(target.operator, (cst.Equal, cst.NotEqual)):
            return
        self._compare(node, node.left, target.comparator, negate=isinstance(target.operator, cst.NotEqual))

    def _compare(self, node: cst.CSTNode, left: cst.BaseExpression, right: cst.BaseExpression, negate: bool) -> None:
        ctx = self.ctx
        for stored, given in ((left, right), (right, left)):
            if _stored_password(ctx, stored) and _raw_password(ctx, given) and not _stored_password(ctx, given):
                break
        else:
            return
        in_query = isinstance(self.ctx.stack[-2], cst.Arg) or isinstance(stored, cst.Attribute) \
            and _last_name(stored.value)[:1].isupper()
        fix = None if in_query else self._verify_fix(node, stored, given, negate)
        self.report(node, f"{markup.code(ctx.code(stored))} is compared with the password {markup.code(ctx.code(given))} as plain text, so "
                    f"passwords are stored unhashed; store a password hash and verify it{self._note}", fix=fix)

    _note = ""

    def _verify_fix(self, node: cst.CSTNode, stored: cst.BaseExpression, given: cst.BaseExpression,
                    negate: bool) -> Fix | None:
        ctx = self.ctx
        framework = _framework(ctx)
        self._note = ""
        if framework is None:
            return None
        prefix = "not " if negate else ""
        if framework == "django" and isinstance(stored, cst.Attribute) and stored.attr.value == "password":
            text = f"{prefix}{ctx.code(stored.value)}.check_password({ctx.code(given)})"
            return ctx.replace(node, text, "verify with Django's check_password")
        _, check, module = _FRAMEWORK_API[framework]
        self._note = f" with {markup.code(check)}" + _import_note(ctx, module, check)
        args = (stored, given) if framework == "werkzeug" else (given, stored)
        return ctx.replace(node, f"{prefix}{check}({ctx.code(args[0])}, {ctx.code(args[1])})", f"verify with {markup.code(check)}")

    # --- storage ---------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        if not isinstance(target, (cst.Attribute, cst.Subscript)):
            return
        name = target_name(target)
        if name not in ("password", "passwd", "pwd", "plain_password") or not _is_userish_base(target.value, self.ctx):
            return
        if not _raw_password(self.ctx, node.value) or self._hashing_setter():
            return
        ctx = self.ctx
        framework = _framework(ctx)
        fix = None
        if framework == "django" and isinstance(target, cst.Attribute):
            fix = ctx.replace(node, f"{ctx.code(target.value)}.set_password({ctx.code(node.value)})", "hash with set_password")
        elif framework == "werkzeug":
            fix = ctx.replace(node.value, f"generate_password_hash({ctx.code(node.value)})", "hash before storing")
        note = _import_note(ctx, "werkzeug.security", "generate_password_hash") if framework == "werkzeug" else ""
        self.report(node, f"the password {markup.code(ctx.code(node.value))} is stored in {markup.code(ctx.code(target))} as plain text; "
                    f"store a password hash{note}", fix=fix,
                    confidence=Confidence.HIGH if framework == "django" else Confidence.MEDIUM)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func)
        if name in _COMPARE_DIGEST and len(node.args) == 2:
            self._compare(node, node.args[0].value, node.args[1].value, negate=False)
            return
        func_code = ctx.code(node.func)
        last = func_code.rsplit(".", 1)[-1]
        root = func_code.split(".", 1)[0]
        if _USER_CLASS.match(last) or ".objects." in func_code and last in _DJANGO_WRITES and _USER_CLASS.match(root):
            self._keyword_store(node, func_code)
        elif last in ("execute", "executemany") and node.args:
            self._sql(node)
        elif last in _LOOKUPS and isinstance(node.func, cst.Attribute):
            self._lookup(node, func_code)
        elif last in _MONGO_WRITES and isinstance(node.func, cst.Attribute) and self._user_collection(node.func.value):
            self._mongo(node)

    def _keyword_store(self, node: cst.Call, func_code: str) -> None:
        ctx = self.ctx
        arg = ctx.keyword(node, "password") or ctx.keyword(node, "passwd")
        if arg is None or not _raw_password(ctx, arg.value) or self._hashing_setter():
            return
        framework = _framework(ctx)
        fix = None
        note = ""
        if framework:
            make, _, module = _FRAMEWORK_API[framework]
            note = _import_note(ctx, module, make)
            fix = ctx.replace(arg.value, f"{make}({ctx.code(arg.value)})", f"hash with {markup.code(make)}")
        django_create = ".objects." in func_code
        self.report(arg, f"{markup.code(f'{func_code}(...)')} stores the password {markup.code(ctx.code(arg.value))} as plain text; "
                    + ("use `create_user()`/`set_password()` or " if django_create else "")
                    + f"store a password hash{note}", fix=fix,
                    confidence=Confidence.HIGH if django_create else Confidence.MEDIUM)

    def _lookup(self, node: cst.Call, func_code: str) -> None:
        """``User.query.filter_by(password=pw)``, ``users.find_one({"password": pw})``: matched in plain text."""
        ctx = self.ctx
        if not re.search(r"(?i)user|account|member|customer|admin|login|credential", func_code):
            return
        candidates: list[cst.BaseExpression] = []
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ("password", "passwd", "pwd"):
                candidates.append(arg.value)
            elif arg.keyword is None and isinstance(arg.value, cst.Dict):
                candidates.extend(e.value for e in arg.value.elements if isinstance(e, cst.DictElement)
                                  and ctx.string(e.key) in ("password", "passwd", "pwd"))
        raw = next((c for c in candidates if _raw_password(ctx, c)), None)
        if raw is not None:
            self.report(node, f"the account is looked up by the plain-text password {markup.code(ctx.code(raw))} in "
                        f"{markup.code(f'{func_code}(...)')}, so passwords are stored unhashed; look the user up by name and "
                        "verify a password hash")

    def _user_collection(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Subscript):
            name = self.ctx.string(node.slice[0].slice.value) if isinstance(node.slice[0].slice, cst.Index) else None
        else:
            name = _last_name(node)
        return bool(name and _USERISH.match(name) and name not in ("obj", "instance", "current", "found", "entry"))

    def _mongo(self, node: cst.Call) -> None:
        ctx = self.ctx
        for arg in node.args:
            for element in ctx.descendants(arg.value) if not isinstance(arg.value, cst.Dict) else [arg.value, *ctx.descendants(arg.value)]:
                if not isinstance(element, cst.DictElement):
                    continue
                key = ctx.string(element.key)
                if key in ("password", "passwd", "pwd") and _raw_password(ctx, element.value):
                    self.report(element, f"the password {markup.code(ctx.code(element.value))} is written to the {markup.code(key)} field "
                                "as plain text; store a password hash", confidence=Confidence.MEDIUM)
                    return

    def _sql(self, node: cst.Call) -> None:
        ctx = self.ctx
        sql = ctx.string(node.args[0].value)
        if not sql:
            return
        match = _SQL_WRITE.search(sql)
        select = _SQL_WHERE_PASSWORD.search(sql) if not match else None
        if select is not None:
            table, columns = select.group("table"), "password"
        elif match is not None:
            table = match.group("table") or match.group("utable")
            columns = match.group("cols") or match.group("sets") or ""
        else:
            return
        if not _USERISH.match(table) or not _PLAIN_COLUMN.search(columns):
            return
        params = node.args[1].value if len(node.args) > 1 else None
        items: list[cst.BaseExpression] = []
        if isinstance(params, (cst.Tuple, cst.List)):
            items = [e.value for e in params.elements]
        elif isinstance(params, cst.Dict):
            items = [e.value for e in params.elements if isinstance(e, cst.DictElement)]
        raw = next((i for i in items if _raw_password(ctx, i)), None)
        if raw is None:
            return
        if select is not None:
            self.report(node, f"{markup.code(table)} is queried with the plain-text password {markup.code(ctx.code(raw))}, so passwords are "
                        "stored unhashed; select the user by name and verify a password hash")
            return
        self.report(node, f"the password {markup.code(ctx.code(raw))} is written to {markup.code(table)} as plain text; hash it before "
                    "the INSERT/UPDATE and store the hash")


# ======================================================================================
# AR504 hardcoded-secret / AR505 secret-literal-default (shared vocabulary)
# ======================================================================================

# Name parts (beyond _common's) that describe a secret's configuration, not the secret.
_NOT_SECRET_EXTRA = re.compile(
    r"(?:^|_)(?:backend|provider|source|store|storage|mode|method|enabled|disabled|required|version|scheme|dir|"
    r"directory|location|region|kind|class|module|engine|strategy|minutes|seconds|hours|days|delta|rounds|"
    r"iterations|cost|bits|bytes|salt_?length|help|message|msg|error|prompt|title|description|desc|text|"
    r"label|template|widget|input|form|view|route|page|reset_url|issuer|audience|location|usage|use|"
    r"user|username|login|email|host|port|db|database|table|in|out|changed|at|sent|visible|mask|char|chars)$",
    re.IGNORECASE,
)
_TEMPLATE_VALUE = re.compile(
    r"^(?:<[^<>]*>|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|%\([^)]*\)s|\{[A-Za-z_]*\}|%s|(.)\1*)$", re.DOTALL,
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:change[-_ .]?me|change[-_ .]?this|replace[-_ .]?me|your[-_ .].*|my[-_ .](?:secret|key|token|password).*|"
    r".*[-_ .]here|todo|tbd|fixme|placeholder|dummy|redacted|example|sample|secret|password|insecure|not[-_ ]?set)"
    r"(?:[-_ .]?(?:key|token|secret))?$"
)
_BORING_VALUES = frozenset({
    "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "undefined", "required", "optional", "hidden",
    "text", "string", "str", "bearer", "basic", "jwt", "hs256", "rs256", "oauth", "oauth2", "header", "query",
    "cookie", "session", "default", "auto", "env", "file",
})
# Words that make up field and header names ("X-Api-Key", "refresh_token"), not secret values.
_FIELD_WORDS = frozenset({
    "x", "api", "access", "refresh", "auth", "client", "csrf", "xsrf", "id", "user", "new", "old", "confirm", "current",
    "jwt", "session", "key", "secret", "token", "password", "passwd", "pwd", "pass", "passphrase", "credentials",
    "credential", "bearer", "hmac", "apikey", "oauth", "confirmation", "repeat", "again", "authorization", "header",
})
_DSN = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@(?P<host>[^/\s:?]*)")
_TOKEN_FORMATS = (
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id", "AWS_ACCESS_KEY_ID"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{60,}"), "a GitHub token", "GITHUB_TOKEN"),
    (re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"), "a Slack token", "SLACK_TOKEN"),
    (re.compile(r"\b[sr]k_live_[0-9a-zA-Z]{16,}"), "a Stripe live secret key", "STRIPE_SECRET_KEY"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "a Google API key", "GOOGLE_API_KEY"),
    (re.compile(r"\bSG\.[\w-]{22}\.[\w-]{43}\b"), "a SendGrid API key", "SENDGRID_API_KEY"),
    (re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}"), "an OpenAI/Anthropic API key", "API_KEY"),
    (re.compile(r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+"), "a Slack webhook URL", "SLACK_WEBHOOK_URL"),
    (re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"), "a private key", "PRIVATE_KEY"),
)
_EXAMPLE_TOKEN = re.compile(r"EXAMPLE|example|XXXX|xxxx|0000000000|1234567890")
_LOCAL_HOST = re.compile(r"^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|db|database|postgres|mysql|redis|rabbitmq|mongo|mongodb|\[::1\])$")
_DB_CONNECT = frozenset({
    "psycopg2.connect", "psycopg.connect", "psycopg.AsyncConnection.connect", "pymysql.connect", "MySQLdb.connect",
    "mysql.connector.connect", "asyncpg.connect", "asyncpg.create_pool", "aiomysql.connect", "aiomysql.create_pool",
    "pymssql.connect", "cx_Oracle.connect", "oracledb.connect", "redis.Redis", "redis.StrictRedis",
    "pymongo.MongoClient", "sqlalchemy.engine.URL.create", "sqlalchemy.engine.url.URL.create", "sqlalchemy.URL.create",
})


def _secret_name(name: str | None) -> bool:
    name = name.rsplit(".", 1)[-1] if name else name  # "database.password", "module.generate_private_key"
    if not name or re.match(r"(?i)(?:generate|get|create|load|read|make|build|validate|verify|check|set|fetch|parse|"
                            r"decode|encode|is|has|rotate|refresh|revoke)_", name):
        return False
    name = name.replace("-", "_")
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return is_secret_name(name) and not _NOT_SECRET_EXTRA.search(snake)


def _is_env_var_name(value: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", value)) and "_" in value or bool(re.fullmatch(r"[A-Z]{3,}", value)) \
        and is_secret_name(value)


_RATE = re.compile(r"^\d+\s*/\s*\d*\s*(?:s|sec|second|m|min|minute|h|hr|hour|d|day)s?$", re.IGNORECASE)


def _plausible_secret(value: str, target: str | None, mapping: bool = False) -> bool:
    """Whether a literal could be a working secret (not empty, a template marker, an env var or field name, prose)."""
    stripped = value.strip()
    if not stripped or _TEMPLATE_VALUE.match(stripped):
        return False
    if _RATE.match(stripped):  # a throttle rate keyed by an endpoint name: {"password_reset": "5/hour"}
        return False
    if _is_env_var_name(stripped) or target and _normal(stripped) == _normal(target):
        return False
    if stripped.lower() in _BORING_VALUES or re.fullmatch(r"\d+(\.\d+)?", stripped) or len(stripped) < 3:
        return False
    if re.fullmatch(r"_*[A-Za-z]+(?:[_-][A-Za-z]+)*", stripped):
        words = set(_parts(stripped))
        if stripped.startswith("_") or words & _SLUG_VERBS and not _PLACEHOLDER.match(stripped):
            return False  # an internal key or a URL slug: "_auth_user_id", "set-password"
        if mapping and is_secret_name(stripped.replace("-", "_")) or target and _KEY_CONSTANT.search(target) \
                and not _REAL_KEY.search(target) and stripped.lower() == stripped:
            return False  # a field, claim or header name: "password", "X-Api-Key", TOKEN_KEY = "access_token"
    if "***" in stripped or re.search(r"(?i)x{4,}|\.{3,}", stripped):
        return False  # a mask: ":****"
    if re.search(r"\\[wdsSbWD]|\(\?[:=!<]|\[\^|\][+*?]", stripped):
        return False  # a regular expression
    if re.search(r"\s", stripped) and not _known_token(stripped):
        return False  # prose: "Enter your password", "Invalid token"
    if re.match(r"(?i)^(?:https?|file)://", stripped) and not _DSN.match(stripped):
        return False
    if re.match(r"^(?:/|\./|\.\./|~/)|\.(?:pem|key|crt|json|txt|env|p12|pfx|jks)$", stripped):
        return False  # a path to the secret, not the secret
    return True


def _normal(name: str) -> str:
    """``X-Auth-Token`` and ``AUTH_TOKEN`` compare equal."""
    text = name.lower().replace("-", "_")
    return re.sub(r"^(?:x_|http_)", "", text)


_SLUG_VERBS = frozenset({"set", "reset", "change", "forgot", "update", "verify", "confirm", "get", "create", "new",
                         "generate", "validate", "check", "login", "logout", "sign", "signin", "signup", "show",
                         "hide", "toggle", "enter", "input", "invalid", "missing", "required", "wrong", "expired"})
_KEY_CONSTANT = re.compile(r"(?i)_(?:key|attr|attribute|kwarg|arg|cookie|claim|slot)$")
_REAL_KEY = re.compile(r"(?i)(?:secret|api|signing|private|access|hmac|jwt|encryption|master|app|client|"
                       r"license|webhook|fernet|crypto)_?key$")


def _usable_default(text: str) -> bool:
    """Whether an environment fallback could serve as the secret (not a flag, a number, a path or a URL)."""
    stripped = text.strip()
    if not stripped or _TEMPLATE_VALUE.match(stripped) or _is_env_var_name(stripped):
        return False
    if stripped.lower() in ("true", "false", "yes", "no", "on", "off", "none", "null") or re.fullmatch(r"\d+(\.\d+)?", stripped):
        return False
    if re.match(r"(?i)^[a-z][a-z0-9+.-]*://", stripped) and not _DSN.match(stripped):
        return False
    return not re.match(r"^(?:/|\./|\.\./|~/)|\.(?:pem|key|crt|json|txt|env|p12|pfx|jks)$", stripped)


def _known_token(value: str) -> tuple[str, str] | None:
    for pattern, what, env in _TOKEN_FORMATS:
        if pattern.search(value) and not _EXAMPLE_TOKEN.search(value):
            return what, env
    return None


def _is_whole_token(value: str) -> bool:
    """The literal is the token itself, so reading it from the environment replaces it exactly."""
    return any(pattern.fullmatch(value.strip()) for pattern, _, _ in _TOKEN_FORMATS)


def _dsn_password(value: str) -> str | None:
    match = _DSN.match(value.strip())
    if not match:
        return None
    password = match.group("password")
    if _TEMPLATE_VALUE.match(password) or re.match(r"^[{<$%]", password) or password in ("***", "xxx", "****"):
        return None
    return password


def _env_expr(ctx: FileContext, name: str, quote: str = '"') -> tuple[str, str]:
    """Source text reading ``name`` from the environment, and the import note when one is needed."""
    for local, qualified in ctx.index.imports.items():
        if qualified == "os" and local == "os":
            return f"os.environ[{quote}{name}{quote}]", ""
    for local, qualified in ctx.index.imports.items():
        if qualified == "os.environ":
            return f"{local}[{quote}{name}{quote}]", ""
    return f"os.environ[{quote}{name}{quote}]", " (add `import os`)"


def _env_name(name: str) -> str:
    """``secret_key`` -> ``SECRET_KEY``; ``X-Api-Key`` -> ``API_KEY``."""
    env = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper().replace("-", "_").strip("_")
    return env.removeprefix("X_") if env.startswith("X_") and len(env) > 2 else env


def _settings_class(ctx: FileContext, cls: cst.ClassDef, depth: int = 0) -> bool:
    """A pydantic-settings ``BaseSettings`` subclass (directly or through a class of this file)."""
    for base in cls.bases:
        name = ctx.qualname(base.value) or ""
        if name in ("pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings",
                    "pydantic_settings.main.BaseSettings"):
            return True
        local = ctx.index.classes.get(_last_name(base.value) or "")
        if local is not None and local is not cls and depth < 3 and _settings_class(ctx, local, depth + 1):
            return True
    return False


def _class_field(ctx: FileContext) -> cst.ClassDef | None:
    """The class whose body directly holds the current statement, if any."""
    stack = ctx.stack
    for i in range(len(stack) - 1, 0, -1):
        if isinstance(stack[i], (cst.FunctionDef, cst.Lambda)):
            return None
        if isinstance(stack[i], cst.ClassDef):
            return stack[i]  # type: ignore[return-value]
    return None


def _quote_of(node: cst.CSTNode) -> str:
    return "'" if isinstance(node, cst.SimpleString) and node.quote.startswith("'") else '"'


def _string_node(node: cst.CSTNode | None) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString))


# ======================================================================================
# AR504 hardcoded-secret
# ======================================================================================


class HardcodedSecret(Rule):
    """What it does: flags secrets written into the code: string literals assigned to secret-named
    names, attributes and config keys (``SECRET_KEY = "..."``, ``app.config["JWT_SECRET_KEY"] = "..."``,
    ``app.secret_key = "..."``, Django ``DATABASES`` ``"PASSWORD"``), secret-named keyword arguments
    and parameter defaults (``client_secret="..."``, ``psycopg2.connect(password="...")``,
    ``boto3.client(aws_secret_access_key="...")``), ``auth=("user", "password")``, comparisons with a
    literal password, DSNs with an inline password (``postgresql://app:s3cret@db/app``) and well-known
    token formats anywhere (AWS ``AKIA...``, GitHub ``ghp_...``, Slack ``xox...``, Stripe
    ``sk_live_...``, private keys). Not flagged: empty strings, template markers (``"<your-key>"``,
    ``"${SECRET}"``, ``"xxx"``), environment variable names, field names, prose, test code and
    test configuration classes, and defaults of environment reads (AR505). ``"changeme"``-style
    values are flagged (medium confidence): they are working values that get deployed, and the
    first thing an attacker tries.

    Why is this bad: everyone with read access to the repository, its forks, CI logs or a leaked
    wheel has the secret; it cannot be rotated without a release, and the same value usually runs
    in every environment. A known Flask/Django ``SECRET_KEY`` lets anyone forge sessions.

    Example:
        app.config["SECRET_KEY"] = "8f42a73054b1749f8f58848be5e6502c"

    Use instead:
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    """

    id = "AR504"
    name = "hardcoded-secret"
    title = "Secret hard-coded in source"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 798
    in_tests = False
    bandit_equivalents = frozenset({"B105", "B106", "B107"})
    prefilter = re.compile(
        # A secret-like name given a string literal (assignment, keyword, dict value, default, comparison)...
        r"(?i)(?:secret|passw|pwd|passphrase|token|api_?key|apikey|access_?key|private|credential|bearer|jwt|hmac|"
        r"session_?key|signing|auth)[\w\]\"']*\s*(?::\s*[^=\n]{1,60})?[=:]=?\s*[rbuf]{0,2}[\"']"
        r"|auth\s*=\s*\(\s*[\"']"
        # ...a known token format anywhere, or a connection string with a password.
        r"|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|sk_live|rk_live|AIza|SG\.|sk-|-----BEGIN"
        r"|://[^/\s:@'\"]+:[^@\s'\"]+@"
    )

    VALID = [
        # DRF throttle rates keyed by endpoint names are not passwords.
        'REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"password_reset": "5/hour", "token_refresh": "30/min"}}',
        'import os\nSECRET_KEY = os.environ["SECRET_KEY"]',
        'SECRET_KEY = ""',
        'API_KEY = "<your-api-key>"',
        'JWT_SECRET = "${JWT_SECRET}"',
        'AWS_SECRET_ACCESS_KEY = "xxxxxxxx"',
        'SECRET_KEY_ENV = "SECRET_KEY"',
        'password_field = "password"',
        'API_KEY_HEADER = "X-API-Key"',
        'PASSWORD_RESET_TIMEOUT = "3600"',
        'TOKEN_URL = "https://auth.example.com/oauth/token"',
        'errors = {"password": "Enter a password"}',
        'labels = {"password": "Password"}',
        'token_type = "bearer"',
        # The default of an environment read is AR505's finding.
        'import os\nSECRET_KEY = os.getenv("SECRET_KEY", "dev")',
        # Test code and test configuration.
        Valid('SECRET_KEY = "test-secret"\ndef test_login(client):\n    client.post("/login", data={"password": "hunter2"})',
              path="tests/test_auth.py"),
        'class TestingConfig:\n    SECRET_KEY = "not-a-secret"',
        "PRIVATE_KEY_PATH = 'keys/private.pem'",
        'DATABASE_URL = "postgresql://{user}:{password}@{host}/app"',
        'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"',
        'access_token = "access_token"',
        'AUTH_TOKEN = "X-Auth-Token"',
        'TOKEN_KEY = "access_token"',
        'REFRESH_TOKEN_COOKIE = "refresh_token"',
        'SESSION_KEY = "_auth_user_id"',
        'token = r"[-!#$%&*+.^_|~0-9a-zA-Z]+"',
        'password = ":****"',
        'reset_url_token = "set-password"',
        'KEY_SIZES = {"generate_private_key": "DSA"}',
        "if password == '':\n    pass",
    ]
    INVALID = [
        Invalid('import os\nSECRET_KEY = "8f42a73054b1749f8f58848be5e6502c"',
                fixed='import os\nSECRET_KEY = os.environ["SECRET_KEY"]'),
        Invalid('app.config["JWT_SECRET_KEY"] = "super-secret"',
                fixed='app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]'),
        Invalid('import os\napp.secret_key = b"\\x8a\\x01dev"',
                fixed='import os\napp.secret_key = os.environ["SECRET_KEY"].encode()'),
        Invalid(
            "import os\nimport psycopg2\nconn = psycopg2.connect(\n    host=\"db\",\n    user=\"app\",\n    password=\"hunter22\",\n)",
            fixed="import os\nimport psycopg2\nconn = psycopg2.connect(\n    host=\"db\",\n    user=\"app\",\n    password=os.environ[\"DB_PASSWORD\"],\n)",
        ),
        Invalid('import boto3\ns3 = boto3.client("s3", aws_secret_access_key="wJalrXUtnFEMIK7MDENGbPxRfiCY")',
                fixed='import boto3\ns3 = boto3.client("s3", aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])'),
        Invalid('import os\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": "s3cr3t!"}}',
                fixed='import os\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": os.environ["DB_PASSWORD"]}}'),
        Invalid('import os\nSQLALCHEMY_DATABASE_URI = "postgresql://app:Tr0ub4dor@db.internal/app"',
                fixed='import os\nSQLALCHEMY_DATABASE_URI = os.environ["SQLALCHEMY_DATABASE_URI"]'),
        # A made-up token in the shape GitHub issues, planted for this example.
        Invalid('from github import Github\ngh = Github("ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5b")',  # auth-review: ignore[AR504]
                fixed='from github import Github\ngh = Github(os.environ["GITHUB_TOKEN"])'),
        Invalid('def connect(host, password="hunter22"):\n    pass'),
        Invalid("import os\ndef check(password):\n    return password == 'letmein'",
                fixed="import os\ndef check(password):\n    return password == os.environ['PASSWORD']"),
        Invalid('import os\nimport requests\nr = requests.get(url, auth=("admin", "s3cret-pw"))',
                fixed='import os\nimport requests\nr = requests.get(url, auth=("admin", os.environ["PASSWORD"]))'),
        Invalid('SECRET_KEY = "change-me"', fixed='SECRET_KEY = os.environ["SECRET_KEY"]'),
        Invalid('JWT_SECRET = "secret"', fixed='JWT_SECRET = os.environ["JWT_SECRET"]'),
        Invalid('class Settings:\n    api_key: str = "a1b2c3d4e5f6"', fixed='class Settings:\n    api_key: str = os.environ["API_KEY"]'),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._done: set[int] = set()

    # --- named destinations -------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._named(target_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        cls = _class_field(self.ctx)
        if cls is not None and _settings_class(self.ctx, cls):
            return  # a settings default: AR505
        self._named(target_name(node.target), node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is None:
            return
        call = self.ctx.stack[-2] if len(self.ctx.stack) > 1 else None
        if isinstance(call, cst.Call):
            callee = self.ctx.qualname(call.func)
            if callee in _ENV_CALLS or (callee or "").startswith(("environ.Env", "environs.Env")):
                return  # env reads and django-environ schemas: AR505
            if node.keyword.value == "auth" and isinstance(node.value, cst.Tuple) and len(node.value.elements) == 2:
                self._named("password", node.value.elements[1].value)
                return
        name = node.keyword.value
        if name in ("password", "passwd", "pwd") and isinstance(call, cst.Call) \
                and self.ctx.qualname(call.func) in _DB_CONNECT:
            name = "DB_" + name.upper().replace("PASSWD", "PASSWORD").replace("PWD", "PASSWORD")
        self._named(name, node.value, mapping=True)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = self.ctx.string(node.key)
        if key is None:
            return
        if key.lower() == "authorization":
            value = self.ctx.string(node.value) if _string_node(node.value) else None
            if value and re.match(r"(?i)^(bearer|basic|token)\s+\S{8,}$", value):
                self._named("AUTHORIZATION", node.value, force=True)
            return
        if key == "PASSWORD" and any(isinstance(n, cst.Assign) and _assign_name(n) == "DATABASES" for n in self.ctx.stack):
            key = "DB_PASSWORD"
        self._named(key, node.value, mapping=True)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None and _string_node(node.default):
            self._named(node.name.value, node.default, fixable=False)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.NotEqual)):
            return
        left, right = node.left, node.comparisons[0].comparator
        for named, literal in ((left, right), (right, left)):
            if _string_node(literal) and not _string_node(named):
                name = _compared_name(self.ctx, named)
                if name and _password_name(name):
                    self._named(name, literal)
                return

    def _named(self, name: str | None, value: cst.BaseExpression | None, *, fixable: bool = True,
               force: bool = False, mapping: bool = False) -> None:
        ctx = self.ctx
        if not _string_node(value) or id(value) in self._done or not (force or _secret_name(name)):
            return
        if isinstance(value, cst.SimpleString) and "r" in value.prefix.lower():
            return  # raw strings hold patterns and paths
        if value is None or name is None:
            return
        text = ctx.string(value) if isinstance(value, cst.SimpleString) or isinstance(value, cst.ConcatenatedString) else None
        if text is None:
            raw = ctx.literal(value)
            text = raw.decode("latin-1") if isinstance(raw, bytes) else None
        if text is None or (not force and not _plausible_secret(text, name, mapping)) or self._excluded():
            return
        self._done.add(id(value))
        confidence = Confidence.HIGH
        placeholder = bool(_PLACEHOLDER.match(text.strip()))
        if placeholder:
            if _example_file(ctx.path):
                return
            confidence = Confidence.MEDIUM
        if _in_dev_context(ctx):
            confidence = Confidence.LOW
        env = _env_name(name)
        token = _known_token(text)
        kind = f" ({token[0]})" if token else ""
        self._report_literal(value, env, f"{markup.code(name)} is set to a literal"
                             + (" placeholder" if placeholder else "") + f" secret{kind}", fixable, confidence)

    def _report_literal(self, value: cst.BaseExpression, env: str, what: str, fixable: bool,
                        confidence: Confidence) -> None:
        ctx = self.ctx
        fix, note = None, ""
        if fixable:
            is_bytes = isinstance(value, cst.SimpleString) and "b" in value.prefix.lower()
            quote = "'" if isinstance(value, cst.SimpleString) and value.quote.startswith("'") else '"'
            expr, note = _env_expr(ctx, env, quote)
            fix = ctx.replace(value, expr + (".encode()" if is_bytes else ""), f"read {env} from the environment")
        self.report(value, f"{what}: anyone with the code has it and it cannot be rotated without a release; "
                    f"read it from the environment ({markup.code(env)}){note}", fix=fix, confidence=confidence)

    def _excluded(self) -> bool:
        ctx = self.ctx
        return _in_test_context(ctx)

    # --- literal formats anywhere -----------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        ctx = self.ctx
        if id(node) in self._done:
            return
        parent = ctx.stack[-2] if len(ctx.stack) > 1 else None
        if isinstance(parent, cst.Expr) or self._env_default(node):
            return
        value = ctx.string(node)
        if not value:
            return
        token = _known_token(value)
        password = None if token else _dsn_password(value)
        if token is None and password is None or self._excluded():
            return
        self._done.add(id(node))
        name = self._context_name()
        if token is not None:
            what, env = token
            # A token inside a larger string (a URL, a script) is still a leak, but has no one-line fix.
            self._report_literal(node, _env_name(name) if name and _secret_name(name) else env,
                                 f"{what} is written in the code", _is_whole_token(value), Confidence.HIGH)
            return
        host = _DSN.match(value.strip()).group("host")  # type: ignore[union-attr]
        env = _env_name(name) if name and re.search(r"(?i)url|uri|dsn|database|broker|backend|redis|mongo", name) \
            else "DATABASE_URL"
        self._report_literal(node, env, f"the connection string carries the password {markup.code(f'{password[:2]}…')} inline",
                             True, Confidence.MEDIUM if _LOCAL_HOST.match(host) else Confidence.HIGH)

    def _context_name(self) -> str | None:
        stack = self.ctx.stack
        parent = stack[-2] if len(stack) > 1 else None
        if isinstance(parent, cst.Assign):
            return target_name(parent.targets[0].target)
        if isinstance(parent, cst.AnnAssign):
            return target_name(parent.target)
        if isinstance(parent, cst.Arg) and parent.keyword is not None:
            return parent.keyword.value
        if isinstance(parent, cst.DictElement):
            return self.ctx.string(parent.key)
        return None

    def _env_default(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is the default of an environment read or a settings field (AR505's finding)."""
        stack = self.ctx.stack
        if isinstance(stack[-2], cst.AnnAssign) or isinstance(stack[-2], cst.Arg) and isinstance(stack[-4], cst.AnnAssign):
            cls = _class_field(self.ctx)
            if cls is not None and _settings_class(self.ctx, cls):
                return True
        for ancestor in reversed(stack[:-1][-3:]):
            if isinstance(ancestor, cst.Call):
                name = self.ctx.qualname(ancestor.func) or ""
                return name in _ENV_CALLS or name.startswith(("environ.Env", "environs.Env"))
        return False


def _assign_name(node: cst.Assign) -> str | None:
    return target_name(node.targets[0].target) if len(node.targets) == 1 else None


def _compared_name(ctx: FileContext, node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.Name, cst.Attribute)):
        return _last_name(node)
    if isinstance(node, cst.Subscript):
        key = _subscript_key(ctx, node)
        return key if isinstance(key, str) else None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and node.args:
        return ctx.string(node.args[0].value)
    return None


def _example_file(path: str) -> bool:
    """``settings.example.py``, ``config_sample.py``: templates whose values are meant to be replaced."""
    parts = re.split(r"[._-]", PurePosixPath(path).stem.lower())
    return len(parts) > 1 and bool(set(parts) & {"example", "sample", "template", "dist", "tmpl"})


# ======================================================================================
# AR505 secret-literal-default
# ======================================================================================

# Environment readers: qualified name -> (position of the default or None, keyword of the default or None, "os"?).
_ENV_CALLS: dict[str, tuple[int | None, str | None, str]] = {
    "os.getenv": (1, "default", "os"),
    "os.getenvb": (1, "default", "os"),
    "os.environ.get": (1, None, "os"),
    "os.environ.setdefault": (1, None, "setdefault"),
    "decouple.config": (1, "default", "drop"),
    "decouple.AutoConfig()": (1, "default", "drop"),
    "decouple.Config()": (1, "default", "drop"),
    "starlette.config.Config()": (2, "default", "drop"),
    "environ.Env()": (2, "default", "drop"),
    "environs.Env()": (1, "default", "drop"),
    "flask.Flask().config.get": (1, None, "config"),
    "flask.current_app.config.get": (1, None, "config"),
}
_ENVIRON_METHODS = frozenset({"str", "bytes", "unicode", "int", "json", "url", "db", "db_url", "cache", "cache_url",
                              "email", "email_url", "search_url", "list", "dict", "path"})


class SecretLiteralDefault(Rule):
    """What it does: flags secrets read from the environment with a literal fallback:
    ``os.getenv("SECRET_KEY", "dev")``, ``os.environ.get("JWT_SECRET", "x")``,
    ``os.environ.setdefault("API_KEY", "...")``, ``os.getenv("SECRET_KEY") or "dev"``, python-decouple
    ``config("SECRET_KEY", default="...")``, django-environ ``env("SECRET_KEY", default=...)`` /
    ``env.str(...)`` / ``environ.Env(SECRET_KEY=(str, "..."))``, Starlette ``Config``, Flask
    ``app.config.get("SECRET_KEY", "...")`` and pydantic-settings fields with secret names and literal
    defaults (``secret_key: str = "dev"`` in a ``BaseSettings`` subclass). Also a database URL default
    that carries a password. A default of ``None`` or ``""`` is not a secret.

    Why is this bad: when the variable is missing (a new deployment, a renamed key, a typo) the
    application starts anyway, signing sessions and tokens with a value published in the code.
    Nothing fails, so nobody notices.

    Example:
        SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret")

    Use instead:
        SECRET_KEY = os.environ["SECRET_KEY"]  # fails at start-up when unset
    """

    id = "AR505"
    name = "secret-literal-default"
    title = "Secret falls back to a literal default"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = 1188
    in_tests = False
    prefilter = re.compile(r"getenv|environ|decouple|config\(|config\.get\(|Config\(|AutoConfig|BaseSettings|\benv\b|Env\(")

    VALID = [
        'import os\nSECRET_KEY = os.environ["SECRET_KEY"]',
        'import os\nSECRET_KEY = os.getenv("SECRET_KEY")',
        'import os\nSECRET_KEY = os.getenv("SECRET_KEY", None)',
        'import os\nSECRET_KEY = os.environ.get("SECRET_KEY", "")',
        'import os\nDEBUG = os.getenv("DEBUG", "false")',
        'import os\nTOKEN_TTL = int(os.getenv("TOKEN_TTL", "3600"))',
        'import os\nJWT_ALGORITHM = os.getenv("JWT_ALGORITHM", "HS256")',
        'import os\nTOKEN_EXPIRE_MINUTES = int(os.getenv("ACCESS_TOKEN_EXPIRE_MINUTES", "30"))',
        'import os\nDATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///app.db")',
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")',
        'from pydantic import BaseModel\nclass Login(BaseModel):\n    password: str = "x"',
        'from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    secret_key: str\n    app_name: str = "api"',
        Valid('import os\nSECRET = os.getenv("SECRET", "test")', path="tests/conftest.py"),
        'import os\nCREDENTIALS = os.getenv("GOOGLE_APPLICATION_CREDENTIALS", "/etc/app/credentials.json")',
        'import os\nAPI_KEY_HEADER = os.getenv("API_KEY_HEADER", "X-API-Key")',
        'import os\nTOKEN_AUDIENCE = os.getenv("TOKEN_AUDIENCE", "orders-api")',
    ]
    INVALID = [
        Invalid('import os\nSECRET_KEY = os.getenv("SECRET_KEY", "dev")',
                fixed='import os\nSECRET_KEY = os.environ["SECRET_KEY"]'),
        Invalid('from os import environ\nJWT_SECRET = environ.get("JWT_SECRET", "change-me")',
                fixed='from os import environ\nJWT_SECRET = environ["JWT_SECRET"]'),
        Invalid('from os import getenv as ge\nKEY = ge(\n    "API_KEY",\n    "abc123",\n)',
                fixed='from os import getenv as ge\nKEY = os.environ["API_KEY"]'),
        Invalid('import os\nSECRET_KEY = os.getenv("SECRET_KEY") or "dev"',
                fixed='import os\nSECRET_KEY = os.environ["SECRET_KEY"]'),
        Invalid('import os\nos.environ.setdefault("SECRET_KEY", "django-insecure-abc")',
                fixed="import os\n"),
        Invalid('from decouple import config\nSECRET_KEY = config("SECRET_KEY", default="dev")',
                fixed='from decouple import config\nSECRET_KEY = config("SECRET_KEY")'),
        Invalid('import environ\nenv = environ.Env()\nSECRET_KEY = env.str("SECRET_KEY", "dev")',
                fixed='import environ\nenv = environ.Env()\nSECRET_KEY = env.str("SECRET_KEY")'),
        Invalid('import environ\nenv = environ.Env(DEBUG=(bool, False), SECRET_KEY=(str, "dev"))',
                fixed='import environ\nenv = environ.Env(DEBUG=(bool, False), SECRET_KEY=str)'),
        Invalid('from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    jwt_secret: str = "secret"\n',
                fixed='from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    jwt_secret: str\n'),
        Invalid('import os\nDATABASE_URL = os.getenv("DATABASE_URL", "postgresql://app:hunter2@db.prod/app")',
                fixed='import os\nDATABASE_URL = os.environ["DATABASE_URL"]'),
        Invalid('from flask import current_app\nkey = current_app.config.get("JWT_SECRET", "dev-key")'),
        # The variable's name is not secret-looking, the setting it feeds is.
        Invalid('import os\nSECRET_KEY = os.getenv("FLASK_SK", "dev")', fixed='import os\nSECRET_KEY = os.environ["FLASK_SK"]'),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = ctx.qualname(node.func) or ""
        spec = _ENV_CALLS.get(name)
        if spec is None and name.startswith(("environ.Env().", "environs.Env().")) \
                and name.rsplit(".", 1)[-1] in _ENVIRON_METHODS:
            spec = (1, "default", "drop")
        if name == "environ.Env":
            self._env_schema(node)
            return
        if spec is None or _in_test_context(ctx):
            return
        position, keyword, how = spec
        default_arg = (ctx.keyword(node, keyword) if keyword else None) or \
            (ctx.positional(node, position) if position is not None else None)
        key = ctx.string(ctx.argument(node, "key", 0)) or ctx.string(ctx.argument(node, "option", 0)) \
            or ctx.string(ctx.argument(node, "var", 0))
        if default_arg is None:
            return
        problem = self._secret_default(key, default_arg.value)
        if problem is None:
            return
        fix = self._fix(node, how, key, default_arg)
        note = _env_expr(ctx, key or "")[1] if fix is not None and how == "os" else ""
        self.report(default_arg.value, f"{markup.code(key or ctx.code(node.args[0].value))} falls back to {problem} when the "
                    f"variable is unset, so a missing setting runs with a published secret; {self._advice(how, key)}"
                    f"{note}", fix=fix)

    def _secret_default(self, key: str | None, value: cst.BaseExpression) -> str | None:
        """What is wrong with ``value`` as a default for ``key``, or None when nothing is."""
        ctx = self.ctx
        if not _string_node(value):
            return None
        text = ctx.string(value)
        if text is None:
            raw = ctx.literal(value)
            text = raw.decode("latin-1") if isinstance(raw, bytes) else None
        if not text or not text.strip():
            return None
        if _dsn_password(text):
            return "a connection string with an inline password"
        if _known_token(text):
            return f"{_known_token(text)[0]}"  # type: ignore[index]
        if not (_secret_name(key) or _secret_name(self._assigned_name())) or not _usable_default(text):
            return None
        return f"the literal {markup.code(text if len(text) <= 24 else text[:20] + '…')}"

    def _assigned_name(self) -> str | None:
        for ancestor in reversed(self.ctx.stack[:-1]):
            if isinstance(ancestor, cst.Assign):
                return target_name(ancestor.targets[0].target)
            if isinstance(ancestor, cst.AnnAssign):
                return target_name(ancestor.target)
            if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return None
        return None

    @staticmethod
    def _advice(how: str, key: str | None) -> str:
        if how in ("os", "setdefault"):
            return "read " + markup.code('os.environ["' + (key or "NAME") + '"]') + " so start-up fails instead"
        if how == "drop":
            return "drop the default so the library raises when it is unset"
        return "configure it from the environment with no literal fallback"

    def _fix(self, node: cst.Call, how: str, key: str | None, default_arg: cst.Arg) -> Fix | None:
        ctx = self.ctx
        if how == "drop":
            return ctx.replace(node, _replace_arg(node, default_arg, None), "no default: fail when unset")
        if key is None:
            return None
        expr, _ = _env_expr(ctx, key, _quote_of(node.args[0].value))
        if how == "os":
            return ctx.replace(node, expr, "fail when unset")
        if how == "setdefault":
            parent = ctx.stack[-2]
            if isinstance(parent, cst.Expr):
                line = ctx.stack[-3]
                if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
                    pos = ctx.position(line)
                    return ctx.replace_lines(pos.start.line, pos.end.line, "", "do not set a default")
                return None
            return ctx.replace(node, expr, "fail when unset")
        return None

    def _env_schema(self, node: cst.Call) -> None:
        """``environ.Env(SECRET_KEY=(str, "dev"))``: django-environ's schema carries defaults."""
        ctx = self.ctx
        if _in_test_context(ctx):
            return
        for arg in node.args:
            value = arg.value
            if arg.keyword is None or not isinstance(value, cst.Tuple) or len(value.elements) != 2:
                continue
            default = value.elements[1].value
            problem = self._secret_default(arg.keyword.value, default)
            if problem is None:
                continue
            cast = value.elements[0].value
            # An Arg's text carries its comma while its range does not: write keyword=cast by hand.
            fix = ctx.replace(arg, f"{arg.keyword.value}={ctx.code(cast)}", "no default: fail when unset")
            self.report(default, f"{markup.code(arg.keyword.value)} falls back to {problem} in the `environ.Env` schema; "
                        "drop the default so django-environ raises when it is unset", fix=fix)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        ctx = self.ctx
        if not isinstance(node.operator, cst.Or) or not isinstance(node.left, cst.Call) or _in_test_context(ctx):
            return
        name = ctx.qualname(node.left.func) or ""
        spec = _ENV_CALLS.get(name)
        if spec is None or spec[2] != "os" or len(node.left.args) != 1:
            return
        key = ctx.string(node.left.args[0].value)
        problem = self._secret_default(key, node.right)
        if problem is None or key is None:
            return
        expr, note = _env_expr(ctx, key, _quote_of(node.left.args[0].value))
        fix = ctx.replace(node, expr, "fail when unset")
        self.report(node.right, f"{markup.code(key)} falls back to {problem} when the variable is unset or empty; "
                    "read " + markup.code('os.environ["' + key + '"]') + f" so start-up fails instead{note}", fix=fix)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        ctx = self.ctx
        cls = _class_field(ctx)
        if node.value is None or cls is None or not _settings_class(ctx, cls) or _in_test_context(ctx):
            return
        field = target_name(node.target)
        value = node.value
        fix_node: cst.CSTNode = node.with_changes(value=None, equal=cst.MaybeSentinel.DEFAULT)
        if isinstance(value, cst.Call) and (ctx.qualname(value.func) or "").endswith("Field"):
            arg = _arg_node(ctx, value, "default", 0)
            if arg is None:
                return
            value = arg.value
            fix_node = node.with_changes(value=_replace_arg(node.value, arg, None)) if arg.keyword else None  # type: ignore[arg-type]
        problem = self._secret_default(field, value)
        if problem is None:
            return
        fix = ctx.replace(node, fix_node, "required field: fail when unset") if fix_node is not None else None
        self.report(value, f"settings field {markup.code(field)} defaults to {problem}, so the app starts with it when the "
                    "environment does not set it; declare the field without a default", fix=fix)
