"""Authentication backend (session cookie for the web app, bearer JWT for the API) and helpers."""

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from bson import ObjectId
from bson.errors import InvalidId
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request

from . import settings
from .db import db

_hasher = PasswordHasher()


class NotesUser(BaseUser):
    def __init__(self, doc: dict) -> None:
        self.id = str(doc["_id"])
        self.email = doc["email"]
        self.name = doc.get("display_name") or doc["email"]
        self.is_admin = bool(doc.get("is_admin"))

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def identity(self) -> str:
        return self.id


class SessionOrTokenBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        authorization = conn.headers.get("Authorization")
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise AuthenticationError("Unsupported authorization scheme")
            try:
                claims = decode_api_token(token)
            except jwt.InvalidTokenError:
                raise AuthenticationError("Invalid or expired token") from None
            user_id = claims["sub"]
        else:
            user_id = conn.session.get("user_id")
            if not user_id:
                return None
        try:
            doc = await db.users.find_one({"_id": ObjectId(user_id), "disabled": {"$ne": True}})
        except InvalidId:
            return None
        if doc is None:
            return None
        scopes = ["authenticated", "admin"] if doc.get("is_admin") else ["authenticated"]
        return AuthCredentials(scopes), NotesUser(doc)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except VerifyMismatchError:
        return False


def issue_api_token(user_id: str) -> str:
    now = datetime.now(timezone.utc)
    claims = {
        "sub": user_id,
        "iss": settings.API_TOKEN_ISSUER,
        "aud": settings.API_TOKEN_AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=settings.API_TOKEN_TTL_MINUTES),
    }
    return jwt.encode(claims, str(settings.API_TOKEN_SECRET), algorithm="HS256")


def decode_api_token(token: str) -> dict:
    return jwt.decode(
        token,
        str(settings.API_TOKEN_SECRET),
        algorithms=["HS256"],
        audience=settings.API_TOKEN_AUDIENCE,
        issuer=settings.API_TOKEN_ISSUER,
    )


def require_user(request: Request) -> NotesUser:
    if not request.user.is_authenticated:
        raise HTTPException(status_code=401, detail="Sign in required")
    return request.user


def safe_next_url(target: object, default: str = "/dashboard") -> str:
    """Only same-site paths or https URLs on our own hosts."""
    if not isinstance(target, str) or not target:
        return default
    parts = urlsplit(target)
    if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    if parts.scheme == "https" and parts.hostname in settings.ALLOWED_REDIRECT_HOSTS:
        return target
    return default
