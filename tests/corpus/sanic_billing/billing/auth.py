"""sanic-jwt hooks: who may sign in, what the token carries, and the account it acts for."""

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sanic.request import Request
from sanic_jwt import exceptions
from sqlalchemy import select

from .models import User

_hasher = PasswordHasher()
# Compared against when the e-mail is unknown, so both failures cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


async def authenticate(request: Request, *args, **kwargs) -> User:
    body = request.json or {}
    email = str(body.get("email", "")).strip().lower()
    password = str(body.get("password", ""))
    async with request.app.ctx.sessions() as session:
        user = await session.scalar(select(User).where(User.email == email, User.active.is_(True)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except VerifyMismatchError:
        user = None
    if user is None:
        raise exceptions.AuthenticationFailed("Invalid email or password")
    return user


async def retrieve_user(request: Request, payload: dict, *args, **kwargs) -> User | None:
    if not payload:
        return None
    async with request.app.ctx.sessions() as session:
        return await session.get(User, payload["user_id"])


async def extend_payload(payload: dict, user: User, *args, **kwargs) -> dict:
    payload["account_id"] = user.account_id
    return payload


async def scopes_for(user: User, *args, **kwargs) -> list[str]:
    return ["billing", "billing:admin"] if user.is_billing_admin else ["billing"]


async def current_account_id(request: Request) -> int:
    """The billing account the token was issued for (``@protected()`` has verified it)."""
    payload = await request.app.ctx.auth.extract_payload(request)
    return int(payload["account_id"])
