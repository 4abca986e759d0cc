"""Entry point: ``python -m aiohttp.web -H 0.0.0.0 -P 8080 inventory.main:init_app``."""

import logging
import os

from aiohttp import web
from aiohttp_security import JWTIdentityPolicy
from aiohttp_security import setup as setup_security

from .models import DB_SESSION, make_sessionmaker
from .routes import setup_routes
from .security import TOKEN_ALGORITHM, TOKEN_SECRET, UserPolicy

logging.basicConfig(level=logging.INFO)


def init_app(argv: list[str] | None = None) -> web.Application:
    app = web.Application(client_max_size=256 * 1024)
    sessions = make_sessionmaker(os.environ["INVENTORY_DATABASE_URL"])
    app[DB_SESSION] = sessions
    setup_security(app, JWTIdentityPolicy(TOKEN_SECRET, algorithm=TOKEN_ALGORITHM, key="login"), UserPolicy(sessions))
    setup_routes(app)
    return app
