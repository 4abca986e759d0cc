"""Application factory: ``hypercorn "blog:create_app()"``."""

import os

from quart import Quart, g, redirect, request, url_for
from quart_rate_limiter import RateLimiter
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from werkzeug.exceptions import Unauthorized


def create_app() -> Quart:
    app = Quart(__name__)
    app.config.update(
        SECRET_KEY=os.environ["BLOG_SECRET_KEY"],
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=14 * 24 * 60 * 60,
    )
    sessions = async_sessionmaker(create_async_engine(os.environ["BLOG_DATABASE_URL"]), expire_on_commit=False)
    RateLimiter(app)

    @app.before_request
    async def open_db() -> None:
        g.db = sessions()

    @app.teardown_appcontext
    async def close_db(exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            await db.close()

    @app.errorhandler(Unauthorized)
    async def sign_in_first(error: Unauthorized):
        return redirect(url_for("auth.login", next=request.path))

    from . import auth, editor, reader

    app.register_blueprint(auth.bp)
    app.register_blueprint(reader.bp)
    app.register_blueprint(editor.bp)
    return app
