"""Tokens: issued by ``POST /auth/token``, verified by connexion through ``x-bearerInfoFunc``."""

import os
import time

import jwt
from connexion.exceptions import OAuthProblem
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import Forbidden
from werkzeug.security import check_password_hash

from .models import Account

SECRET = os.environ["PETCLINIC_JWT_SECRET"]
ISSUER = "https://petclinic.example"
AUDIENCE = "petclinic-api"
TOKEN_TTL_SECONDS = 20 * 60
STAFF_ROLES = frozenset({"vet", "reception"})

limiter = Limiter(get_remote_address, storage_uri=os.environ.get("PETCLINIC_LIMITS_URL", "memory://"))


def decode_token(token: str) -> dict:
    """connexion calls this for every operation that requires ``jwt``; ``sub`` becomes the ``user`` argument."""
    try:
        return jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    except jwt.InvalidTokenError as exc:
        raise OAuthProblem("Invalid or expired token") from exc


def require_staff(token_info: dict) -> None:
    if token_info.get("role") not in STAFF_ROLES:
        raise Forbidden("Clinic staff only")


@limiter.limit("10/minute")
def login(body: dict) -> tuple[dict, int]:
    account = Account.query.filter_by(email=body["email"].strip().lower(), active=True).first()
    if account is None or not check_password_hash(account.password_hash, body["password"]):
        return {"title": "Invalid email or password"}, 401
    now = int(time.time())
    claims = {"sub": str(account.id), "role": account.role, "iss": ISSUER, "aud": AUDIENCE,
              "iat": now, "exp": now + TOKEN_TTL_SECONDS}
    return {"access_token": jwt.encode(claims, SECRET, algorithm="HS256"), "token_type": "Bearer",
            "expires_in": TOKEN_TTL_SECONDS}, 200
