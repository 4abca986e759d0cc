"""Flask and Django JWT settings (sample for AR202, AR205, AR207)."""

import os
from datetime import timedelta

from flask import Flask
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token

JWT_EXPIRY = timedelta(minutes=30)
LEGACY_KEY = "k9"


class BaseConfig:
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY")
    JWT_ACCESS_TOKEN_EXPIRES = JWT_EXPIRY
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=30)  # expect: AR205
    JWT_ALGORITHM = "HS256"


class LegacyConfig(BaseConfig):
    JWT_ACCESS_TOKEN_EXPIRES = False  # expect: AR205
    JWT_DECODE_ALGORITHMS = ["HS256", "none"]  # expect: AR202


def create_app(config: type = BaseConfig) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config)
    app.config.update(
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(hours=6),  # expect: AR205
        JWT_TOKEN_LOCATION=["headers"],
    )
    if os.environ.get("LEGACY_CLIENTS"):
        app.config["JWT_SECRET_KEY"] = LEGACY_KEY  # expect: AR207
    JWTManager(app)
    return app


def tokens_for(user_id: int, remember: bool) -> dict[str, str]:
    access = create_access_token(identity=str(user_id))
    if remember:
        refresh = create_refresh_token(identity=str(user_id), expires_delta=timedelta(days=90))  # expect: AR205
    else:
        refresh = create_refresh_token(identity=str(user_id))
    return {"access_token": access, "refresh_token": refresh}


def api_key_token(client_id: str) -> str:
    return create_access_token(identity=client_id, expires_delta=timedelta(minutes=20))


SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=60),  # expect: AR205
    "ALGORITHM": "HS256",
    "SIGNING_KEY": os.environ.get("DJANGO_JWT_KEY"),
}
