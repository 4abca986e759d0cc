"""Application factory: ``hypercorn "helpdesk:create_app()"``."""

import os

from quart import Quart
from quart_auth import QuartAuth
from quart_rate_limiter import RateLimiter

from . import agents, auth, tickets
from .db import connect


def create_app() -> Quart:
    app = Quart(__name__)
    app.config.update(
        SECRET_KEY=os.environ["HELPDESK_SECRET_KEY"],
        QUART_AUTH_COOKIE_NAME="helpdesk_auth",
        QUART_AUTH_COOKIE_SECURE=True,
        QUART_AUTH_COOKIE_SAMESITE="Strict",
        QUART_AUTH_DURATION=8 * 60 * 60,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    QuartAuth(app)
    RateLimiter(app)
    app.db = connect(os.environ["HELPDESK_MONGODB_URL"])
    app.register_blueprint(auth.bp)
    app.register_blueprint(tickets.bp)
    app.register_blueprint(agents.bp)
    return app
