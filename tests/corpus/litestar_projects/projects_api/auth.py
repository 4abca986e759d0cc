"""Sign-in and sign-out. The session is server-side (Redis); its cookie only carries the session id."""

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from litestar import Request, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.rate_limit import RateLimitConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .guards import requires_login
from .models import User

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so both failures take as long.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
# Stricter than the app-wide limit (app.py), counted in its own store.
login_rate_limit = RateLimitConfig(rate_limit=("minute", 5), store="login_rate_limit")


class Credentials(msgspec.Struct):
    email: str
    password: str


class Me(msgspec.Struct):
    id: int
    name: str
    email: str
    role: str


@post("/auth/login", middleware=[login_rate_limit.middleware])
async def login(data: Credentials, request: Request, db_session: AsyncSession) -> Me:
    user = await db_session.scalar(select(User).where(User.email == data.email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, data.password)
    except VerificationError:
        user = None
    if user is None:
        raise NotAuthorizedException("Invalid e-mail or password")
    request.clear_session()
    request.set_session({"user_id": user.id, "role": user.role})
    return Me(id=user.id, name=user.name, email=user.email, role=user.role)


@post("/auth/logout", guards=[requires_login], status_code=204)
async def logout(request: Request) -> None:
    request.clear_session()


@get("/auth/me", guards=[requires_login])
async def me(request: Request, db_session: AsyncSession) -> Me:
    user = await db_session.get_one(User, request.session["user_id"])
    return Me(id=user.id, name=user.name, email=user.email, role=user.role)
