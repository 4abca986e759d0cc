"""Sign-in through quart-auth's cookie, and the helpers handlers use to get the caller."""

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from quart import Blueprint, jsonify, request
from quart_auth import AuthUser, Unauthorized, current_user, login_required, login_user, logout_user
from quart_rate_limiter import rate_limit
from werkzeug.exceptions import Forbidden

from .db import database, object_id

bp = Blueprint("auth", __name__, url_prefix="/auth")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


async def require_customer() -> dict:
    """The signed-in user's document; ``Unauthorized`` (401) for anonymous callers."""
    if not await current_user.is_authenticated:
        raise Unauthorized()
    user = await database().users.find_one({"_id": object_id(current_user.auth_id), "active": True},
                                           projection={"password_hash": 0})
    if user is None:
        logout_user()
        raise Unauthorized()
    return user


async def require_agent() -> dict:
    user = await require_customer()
    if user.get("role") != "agent":
        raise Forbidden()
    return user


@bp.post("/login")
@rate_limit(10, timedelta(minutes=5))
async def login():
    body = await request.get_json()
    email = str(body.get("email", "")).strip().lower()
    user = await database().users.find_one({"email": email, "active": True})
    try:
        _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, str(body.get("password", "")))
    except VerifyMismatchError:
        user = None
    if user is None:
        return jsonify(error="Invalid email or password"), 401
    login_user(AuthUser(str(user["_id"])))
    return jsonify(id=str(user["_id"]), name=user["name"], role=user["role"])


@bp.post("/logout")
@login_required
async def logout():
    logout_user()
    return jsonify(signed_out=True)
