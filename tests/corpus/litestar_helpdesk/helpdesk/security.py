"""JWT authentication (Litestar's ``JWTAuth`` middleware), the guards, and the token endpoint."""

import os
from datetime import timedelta
from typing import Any

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from litestar import Request, Response, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.security.jwt import JWTAuth, Token
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .db import session_maker
from .models import User

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("placeholder-for-unknown-accounts")
token_rate_limit = RateLimitConfig(rate_limit=("minute", 5), store="token_rate_limit")


async def retrieve_user_handler(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    async with session_maker() as db_session:
        return await db_session.get(User, int(token.sub))


jwt_auth = JWTAuth[User](
    retrieve_user_handler=retrieve_user_handler,
    token_secret=os.environ["HELPDESK_JWT_SECRET"],
    algorithm="HS256",
    default_token_expiration=timedelta(minutes=30),
    exclude=["/auth/token", "/schema", "/health", "/widget"],
)


def requires_active_user(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not connection.user or not connection.user.is_active:
        raise NotAuthorizedException("Your account is disabled")


def requires_agent(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    requires_active_user(connection, _)
    if connection.user.role not in ("agent", "lead"):
        raise PermissionDeniedException("Agents only")


class Credentials(msgspec.Struct):
    email: str
    password: str


@post("/auth/token", middleware=[token_rate_limit.middleware])
async def issue_token(data: Credentials, request: Request, db_session: AsyncSession) -> Response[Any]:
    user = await db_session.scalar(select(User).where(User.email == data.email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, data.password)
    except VerificationError:
        user = None
    if user is None or not user.is_active:
        raise NotAuthorizedException("Invalid e-mail or password")
    return jwt_auth.login(identifier=str(user.id), token_extras={"role": user.role})
