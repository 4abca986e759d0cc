"""Password hashing and token minting."""

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from .config import settings

_hasher = PasswordHasher()

# Verified against when the e-mail is unknown, so both branches take the same time.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except VerifyMismatchError:
        return False


def _now() -> datetime:
    return datetime.now(timezone.utc)


def create_access_token(user_id: int, scopes: list[str]) -> str:
    claims = {
        "sub": str(user_id),
        "scopes": scopes,
        "type": "access",
        "iat": _now(),
        "exp": _now() + timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def create_refresh_token(user_id: int) -> tuple[str, str, datetime]:
    """Returns (token, jti, expiry); the caller stores the jti so the token can be revoked."""
    jti = secrets.token_urlsafe(32)
    expires_at = _now() + timedelta(days=settings.refresh_token_expire_days)
    claims = {"sub": str(user_id), "jti": jti, "type": "refresh", "exp": expires_at}
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm), jti, expires_at


def create_challenge_token(user_id: int) -> str:
    """Short-lived token that only lets the holder submit a second factor."""
    claims = {"sub": str(user_id), "type": "2fa", "exp": _now() + timedelta(minutes=5)}
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def decode_token(token: str, expected_type: str) -> dict:
    claims = jwt.decode(
        token,
        settings.jwt_secret,
        algorithms=[settings.jwt_algorithm],
        options={"require": ["exp", "sub", "type"]},
    )
    if claims["type"] != expected_type:
        raise jwt.InvalidTokenError("wrong token type")
    return claims


def new_reset_token() -> tuple[str, str]:
    """Returns (token for the e-mail link, digest to store)."""
    token = secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()


def reset_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
