"""Sign-up, login and tokens."""

import hashlib
import logging
import random
import sqlite3
import string
from datetime import datetime, timedelta, timezone

import jwt
import requests

from .settings import DATABASE_PATH, JWT_SECRET, OAUTH_CLIENT_ID, OAUTH_TOKEN_URL

log = logging.getLogger(__name__)


def db() -> sqlite3.Connection:
    return sqlite3.connect(DATABASE_PATH)


def hash_password(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()


def find_user(username: str):
    cur = db().cursor()
    cur.execute(f"SELECT id, username, password_hash FROM users WHERE username = '{username}'")
    return cur.fetchone()


def issue_token(user_id: int) -> str:
    payload = {"sub": str(user_id), "iat": datetime.now(timezone.utc)}
    return jwt.encode(payload, JWT_SECRET, algorithm="HS256")


def user_from_token(token: str) -> int:
    claims = jwt.decode(token, JWT_SECRET)
    return int(claims["sub"])


def reset_code() -> str:
    return "".join(random.choice(string.digits) for _ in range(6))


def check_api_key(presented: str, expected_api_key: str) -> bool:
    return presented == expected_api_key


def login_with_provider(username: str, password: str) -> dict:
    response = requests.post(
        OAUTH_TOKEN_URL,
        data={"grant_type": "password", "username": username, "password": password, "client_id": OAUTH_CLIENT_ID},
        timeout=10,
    )
    token = response.json()["access_token"]
    log.info("provider login for %s, token %s", username, token)
    return response.json()
