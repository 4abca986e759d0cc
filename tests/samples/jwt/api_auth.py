"""Token issuing and checking for a small Flask API (sample for AR202-AR207)."""

import logging
import os
import time
from datetime import datetime, timedelta, timezone
from functools import wraps

import jwt
from flask import Blueprint, abort, g, jsonify, request

from .models import User

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

SIGNING_KEY = os.environ["JWT_SIGNING_KEY"]
JWT_AUDIENCE = "orders-api"
ALGORITHMS = ["HS256"]


def issue_access_token(user: User) -> str:
    now = datetime.now(timezone.utc)
    payload = {
        "sub": str(user.id),
        "aud": JWT_AUDIENCE,
        "iat": now,
        "exp": now + timedelta(hours=12),  # expect: AR205
    }
    return jwt.encode(payload, SIGNING_KEY, algorithm="HS256")


def issue_refresh_token(user: User) -> str:
    payload = {"sub": str(user.id), "type": "refresh", "aud": JWT_AUDIENCE}  # expect: AR204
    payload["jti"] = os.urandom(16).hex()
    return jwt.encode(payload, SIGNING_KEY, algorithm="HS256")


def issue_service_token(service: str) -> str:
    claims = {"sub": service, "aud": JWT_AUDIENCE}
    claims.update(exp=int(time.time()) + 300)
    return jwt.encode(claims, SIGNING_KEY, algorithm="HS256")


def issue_download_link(file_id: int) -> str:
    # A download link may live a day: not an access token.
    expires = datetime.now(timezone.utc) + timedelta(days=1)
    return jwt.encode({"file": file_id, "exp": expires}, SIGNING_KEY, algorithm="HS256")


def issue_debug_token(user_id: int) -> str:
    return jwt.encode({"sub": str(user_id), "exp": time.time() + 600}, "dev-only", algorithm="HS256")  # expect: AR207


def _claims(token: str) -> dict:
    return jwt.decode(token, SIGNING_KEY, algorithms=ALGORITHMS, audience=JWT_AUDIENCE)


def _claims_legacy(token: str) -> dict:
    return jwt.decode(token, SIGNING_KEY, algorithms=["HS256", "none"])  # expect: AR202, AR206


def _claims_lenient(token: str) -> dict:
    return jwt.decode(  # expect: AR203
        token,
        SIGNING_KEY,
        algorithms=ALGORITHMS,
        audience=JWT_AUDIENCE,
        options={"verify_exp": False},
    )


def get_current_user() -> User:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})  # expect: AR203
    return User.query.get_or_404(int(claims["sub"]))


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            g.user = User.query.get(int(_claims(token)["sub"]))
        except jwt.InvalidTokenError:
            unverified = jwt.decode(token, options={"verify_signature": False})
            log.info("rejected token for subject %s", unverified.get("sub"))
            abort(401)
        return view(*args, **kwargs)

    return wrapper


def token_seconds_left(token: str) -> float:
    # The client side checks its own token's expiry: no trust decision.
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    return exp - time.time()


@bp.get("/me")
@login_required
def me():
    return jsonify(id=g.user.id, email=g.user.email)
