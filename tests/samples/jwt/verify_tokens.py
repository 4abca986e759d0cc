"""An API's token helpers (sample for AR201)."""

import os
from datetime import datetime, timedelta, timezone

import jwt
from jwt import decode as jwt_decode

SECRET = os.environ["JWT_SECRET"]


def issue_access_token(user_id: int) -> str:
    now = datetime.now(timezone.utc)
    return jwt.encode({"sub": str(user_id), "exp": now + timedelta(minutes=15)}, SECRET, algorithm="HS256")


def current_user_id(authorization: str) -> int:
    token = authorization.removeprefix("Bearer ")
    claims = jwt_decode(token, SECRET)  # expect: AR201
    return int(claims["sub"])


def current_user_id_strict(authorization: str) -> int:
    token = authorization.removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    return int(claims["sub"])


def current_user_from_header(token: str) -> int:
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token,
        SECRET,
        algorithms=[header["alg"]],  # expect: AR201
    )
    return int(claims["sub"])
