"""Account models of a small service that hashes passwords with `cryptography`'s and pycryptodome's digest
objects instead of hashlib: fed through ``update()``, printed by ``finalize()``/``hexdigest()``, kept in a property
setter (AR501). Beside them, the same digests over files, ETags, cache keys and API tokens, which are fine."""

import base64
import secrets

import bcrypt
from Crypto.Hash import MD5, SHA256
from Cryptodome.Hash import SHA1 as LegacySHA1
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hashes import SHA512, Hash


class Account:
    def __init__(self, email: str) -> None:
        self.email = email
        self._password = ""
        self.password_hash = ""
        self.api_token_hash = ""

    @property
    def password(self) -> str:
        raise AttributeError("write-only")

    @password.setter
    def password(self, value: str) -> None:
        digest = hashes.Hash(hashes.SHA256())
        digest.update(value.encode())  # expect: AR501
        self._password = digest.finalize().hex()


def register(account: Account, new_password: str) -> None:
    hasher = Hash(SHA512())
    hasher.update(b"pepper")
    hasher.update(new_password.encode("utf-8"))  # expect: AR501
    account.password_hash = hasher.finalize().hex()


def register_legacy(account: Account, password: str) -> None:
    account.password_hash = MD5.new(password.encode()).hexdigest()  # expect: AR501


def import_account(account: Account, raw: str) -> None:
    # The digest object is built elsewhere from a value with no telling name; it lands in the password column.
    legacy = LegacySHA1.new(raw.encode())
    account.password_hash = legacy.hexdigest()  # expect: AR501


def check_login(account: Account, password: str) -> bool:
    candidate = SHA256.new()
    candidate.update(password.encode())  # expect: AR501
    return candidate.hexdigest() == account.password_hash


# --- look-alikes: fast digests of things that are not passwords -------------------------------


def file_etag(path: str) -> str:
    checksum = MD5.new()
    with open(path, "rb") as fh:
        checksum.update(fh.read())
    return checksum.hexdigest()


def cache_key(*parts: str) -> str:
    key = hashes.Hash(hashes.MD5())
    key.update(":".join(parts).encode())
    return key.finalize().hex()


def issue_api_token(account: Account) -> str:
    # A random token is stored by its SHA-256 for lookup: high entropy, so a fast digest is right.
    raw_token = secrets.token_urlsafe(32)
    lookup = hashes.Hash(hashes.SHA256())
    lookup.update(raw_token.encode())
    account.api_token_hash = lookup.finalize().hex()
    return raw_token


class BcryptAccount(Account):
    @property
    def password(self) -> str:
        raise AttributeError("write-only")

    @password.setter
    def password(self, value: str) -> None:
        # A SHA-256 pre-hash keeps long passwords inside bcrypt's 72 bytes; the stored hash is bcrypt's.
        prehash = base64.b64encode(SHA256.new(value.encode()).digest())
        self.password_hash = bcrypt.hashpw(prehash, bcrypt.gensalt()).decode()


def find_by_token(token: str) -> str:
    return SHA256.new(token.encode()).hexdigest()
