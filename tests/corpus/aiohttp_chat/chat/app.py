"""Application factory: ``gunicorn chat.app:create_app --worker-class aiohttp.GunicornWebWorker``."""

import base64
import logging
import os

import aiohttp_session
from aiohttp import web
from aiohttp_security import SessionIdentityPolicy
from aiohttp_security import setup as setup_security
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from . import account, rooms
from .auth import MongoAuthorizationPolicy
from .db import DB, connect

logger = logging.getLogger("chat")


@web.middleware
async def error_pages(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": "Internal server error"}, status=500)


async def create_app() -> web.Application:
    app = web.Application(middlewares=[error_pages], client_max_size=64 * 1024)
    db = connect(os.environ["CHAT_MONGODB_URL"])
    app[DB] = db
    storage = EncryptedCookieStorage(
        base64.urlsafe_b64decode(os.environ["CHAT_SESSION_KEY"]),
        cookie_name="chat_session",
        max_age=12 * 60 * 60,
        secure=True,
        httponly=True,
        samesite="Lax",
    )
    aiohttp_session.setup(app, storage)
    setup_security(app, SessionIdentityPolicy(), MongoAuthorizationPolicy(db))
    app.add_routes(account.routes)
    app.add_routes(rooms.routes)
    return app
