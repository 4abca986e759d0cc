"""An aiohttp shop with cookie sessions (sample for AR303): its own CSRF middleware is written, then left out
of one application's middlewares. The look-alikes: the application that installs it, and an API without
sessions (nothing for a forged form post to ride on)."""

import secrets

from aiohttp import web
from aiohttp_session import get_session, session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage


@web.middleware
async def csrf_middleware(request, handler):
    if request.method == "POST":
        session = await get_session(request)
        form = await request.post()
        if not secrets.compare_digest(session.get("csrf", ""), form.get("csrf", "")):
            raise web.HTTPForbidden()
    return await handler(request)


@web.middleware
async def error_middleware(request, handler):
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return web.Response(status=404, text="not here")


def shop(key):
    return web.Application(
        middlewares=[  # expect: AR303
            session_middleware(EncryptedCookieStorage(key, httponly=True, secure=True, samesite="Lax")),
            error_middleware,
        ]
    )


def admin(key):
    return web.Application(
        middlewares=[
            session_middleware(EncryptedCookieStorage(key, httponly=True, secure=True, samesite="Strict")),
            csrf_middleware,
            error_middleware,
        ]
    )


def api():
    return web.Application(middlewares=[error_middleware])
