"""Bearer tokens for the handheld scanners: aiohttp-security's JWT identity policy, users in Postgres."""

import os
from datetime import UTC, datetime, timedelta

import jwt
from aiohttp import web
from aiohttp_security import check_authorized
from aiohttp_security.abc import AbstractAuthorizationPolicy
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .models import DB_SESSION, User

TOKEN_SECRET = os.environ["INVENTORY_TOKEN_SECRET"]
TOKEN_ALGORITHM = "HS256"
TOKEN_TTL = timedelta(minutes=30)

_hasher = PasswordHasher()


class UserPolicy(AbstractAuthorizationPolicy):
    """The JWT's ``login`` claim is the user id; a deactivated user is nobody."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def _user(self, identity: str) -> User | None:
        if not identity.isdigit():
            return None
        async with self.sessions() as session:
            return await session.scalar(select(User).where(User.id == int(identity), User.active.is_(True)))

    async def authorized_userid(self, identity: str) -> str | None:
        user = await self._user(identity)
        return str(user.id) if user else None

    async def permits(self, identity: str | None, permission: str, context: object = None) -> bool:
        user = await self._user(identity) if identity else None
        return user is not None and permission in user.permissions.split()


async def require_user(request: web.Request) -> User:
    """The caller's user row; 401 for requests without a valid token."""
    user_id = await check_authorized(request)
    async with request.app[DB_SESSION]() as session:
        return await session.get(User, int(user_id))


def issue_token(user: User) -> str:
    now = datetime.now(UTC)
    return jwt.encode({"login": str(user.id), "iat": now, "exp": now + TOKEN_TTL}, TOKEN_SECRET,
                      algorithm=TOKEN_ALGORITHM)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except VerifyMismatchError:
        return False


class LoginThrottle:
    """Sliding window of token requests per client address (one process per container)."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, list[datetime]] = {}

    def allow(self, key: str) -> bool:
        now = datetime.now(UTC)
        recent = [t for t in self._hits.get(key, []) if now - t < self.window]
        recent.append(now)
        self._hits[key] = recent
        return len(recent) <= self.limit


login_throttle = LoginThrottle(limit=10, window=timedelta(minutes=5))
