"""Sessions (ids in a cookie, data in Redis), the guards, and the sign-in routes."""

import json as jsonlib
import secrets
from functools import wraps

import bcrypt
from sanic import Blueprint, Request
from sanic.response import json
from sqlalchemy import select

from .models import Member

SESSION_COOKIE = "desk_session"
SESSION_TTL = 8 * 60 * 60
MAX_FAILED_LOGINS = 5
# Compared against when the e-mail is unknown, so both failures take one bcrypt check.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt())

account = Blueprint("account")


async def load_member(request: Request) -> None:
    """``on_request`` hook: ``request.ctx.user`` is the signed-in member or None."""
    request.ctx.user = None
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return
    raw = await request.app.ctx.redis.get(f"session:{session_id}")
    if raw is None:
        return
    member_id = jsonlib.loads(raw)["member_id"]
    async with request.app.ctx.sessions() as session:
        request.ctx.user = await session.scalar(select(Member).where(Member.id == member_id, Member.active.is_(True)))


def login_required(handler):
    @wraps(handler)
    async def decorated(request: Request, *args, **kwargs):
        if request.ctx.user is None:
            return json({"error": "Sign in first"}, status=401)
        return await handler(request, *args, **kwargs)
    return decorated


def staff_required(handler):
    @wraps(handler)
    async def decorated(request: Request, *args, **kwargs):
        if request.ctx.user is None:
            return json({"error": "Sign in first"}, status=401)
        if request.ctx.user.role != "staff":
            return json({"error": "Staff only"}, status=403)
        return await handler(request, *args, **kwargs)
    return decorated


def current_user(request: Request) -> Member:
    """The signed-in member (``login_required`` made sure there is one)."""
    return request.ctx.user


@account.post("/login")
async def login(request: Request):
    body = request.json or {}
    email = str(body.get("email", "")).strip().lower()
    password = str(body.get("password", "")).encode()
    redis = request.app.ctx.redis
    attempts_key = f"failed-logins:{email}"
    if int(await redis.get(attempts_key) or 0) >= MAX_FAILED_LOGINS:
        return json({"error": "Too many attempts, try again in 15 minutes"}, status=429)
    async with request.app.ctx.sessions() as session:
        member = await session.scalar(select(Member).where(Member.email == email, Member.active.is_(True)))
    stored = member.password_hash.encode() if member else _DUMMY_HASH
    if not bcrypt.checkpw(password, stored) or member is None:
        await redis.incr(attempts_key)
        await redis.expire(attempts_key, 15 * 60)
        return json({"error": "Invalid email or password"}, status=401)
    await redis.delete(attempts_key)
    session_id = secrets.token_urlsafe(32)
    await redis.set(f"session:{session_id}", jsonlib.dumps({"member_id": member.id}), ex=SESSION_TTL)
    response = json({"id": member.id, "name": member.name})
    response.add_cookie(SESSION_COOKIE, session_id, httponly=True, secure=True, samesite="Strict",
                        max_age=SESSION_TTL)
    return response


@account.post("/logout")
@login_required
async def logout(request: Request):
    await request.app.ctx.redis.delete(f"session:{request.cookies.get(SESSION_COOKIE)}")
    response = json({"signed_out": True})
    response.delete_cookie(SESSION_COOKIE)
    return response


@account.get("/me")
@login_required
async def me(request: Request):
    member = current_user(request)
    return json({"id": member.id, "email": member.email, "name": member.name, "role": member.role})
