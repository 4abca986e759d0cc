"""The GraphQL context (database session and the caller, from a bearer token) and the permission classes."""

from typing import Any

import jwt
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import BaseContext
from strawberry.permission import BasePermission
from strawberry.types import Info

from .db import JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, get_db
from .models import User


class Context(BaseContext):
    def __init__(self, db: AsyncSession, user: User | None) -> None:
        super().__init__()
        self.db = db
        self.user = user


async def _bearer_user(request: Request, db: AsyncSession) -> User | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], audience=JWT_AUDIENCE, issuer=JWT_ISSUER)
    except jwt.InvalidTokenError:
        return None
    user = await db.get(User, int(claims["sub"]))
    return user if user is not None and user.is_active else None


async def get_context(request: Request, db: AsyncSession = Depends(get_db)) -> Context:
    return Context(db=db, user=await _bearer_user(request, db))


class IsAuthenticated(BasePermission):
    message = "Sign in to use the task board"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.user is not None


class IsStaff(BasePermission):
    message = "Staff only"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        user = info.context.user
        return user is not None and user.is_staff
