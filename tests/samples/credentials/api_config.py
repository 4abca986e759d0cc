"""Settings and auth helpers of a FastAPI service (samples for AR501-AR505)."""

import hashlib
import os

from decouple import config
from fastapi import Depends, HTTPException
from passlib.context import CryptContext
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    app_name: str = "orders-api"
    database_url: str = "postgresql://orders:orders-pw@localhost:5432/orders"  # expect: AR505
    jwt_secret_key: SecretStr = Field(default="dev-only-jwt-key")  # expect: AR505
    jwt_algorithm: str = "HS256"
    access_token_expire_minutes: int = 15
    sentry_dsn: str | None = None
    github_client_secret: str


class LoginRequest(BaseModel):
    username: str
    password: str = Field(min_length=12)


settings = Settings()
pwd_context = CryptContext(schemes=["hex_sha256", "bcrypt"], deprecated="auto")  # expect: AR501
modern_context = CryptContext(schemes=["argon2", "bcrypt"], deprecated="auto")

REDIS_PASSWORD = config("REDIS_PASSWORD", default="redis-local-pw")  # expect: AR505
ADMIN_EMAIL = config("ADMIN_EMAIL", default="admin@example.com")
DEBUG = config("DEBUG", default=False, cast=bool)
OAUTH_CLIENT_SECRET = os.environ.get("OAUTH_CLIENT_SECRET")
WEBHOOK_SIGNING_KEY = "whsec_5b2e8f1c9a7d3e6b4f0a2c8e1d7b9f3a"  # expect: AR504

os.environ.setdefault("INTERNAL_API_KEY", "internal-key-123")  # expect: AR505


def fake_db():
    return {}


def authenticate(body: LoginRequest, db=Depends(fake_db)):
    users = db["users"]
    record = users.find_one({"username": body.username})
    if record is None or record["password"] != body.password:  # expect: AR503
        raise HTTPException(status_code=401)
    return record


def authenticate_hashed(body: LoginRequest, db=Depends(fake_db)):
    record = db["users"].find_one({"username": body.username})
    if record is None or not pwd_context.verify(body.password, record["password_hash"]):
        raise HTTPException(status_code=401)
    return record


def create_user(db, body: LoginRequest):
    db.users.insert_one({"username": body.username, "password": body.password})  # expect: AR503


def create_user_hashed(db, body: LoginRequest):
    db.users.insert_one({"username": body.username, "password_hash": modern_context.hash(body.password)})


def etag(payload: bytes) -> str:
    return hashlib.md5(payload).hexdigest()


def legacy_password_digest(body: LoginRequest) -> str:
    return hashlib.sha1(body.password.encode()).hexdigest()  # expect: AR501
