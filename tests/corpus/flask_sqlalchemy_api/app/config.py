"""Settings, read from the environment (12-factor). Nothing secret lives in this file."""

import os
from datetime import timedelta


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    JWT_SECRET_KEY = os.environ["JWT_SECRET_KEY"]
    JWT_ALGORITHM = "HS256"
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=7)

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True

    STRIPE_WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]
    FRONTEND_ORIGIN = os.environ.get("FRONTEND_ORIGIN", "https://app.ledgerly.io")
    ALLOWED_RETURN_HOSTS = frozenset(
        host.strip() for host in os.environ.get("ALLOWED_RETURN_HOSTS", "app.ledgerly.io").split(",")
    )
