"""An aiohttp app with sessions in Redis and aiohttp-security (sample for AR306)."""

import bcrypt
from aiohttp import web
from aiohttp_security import SessionIdentityPolicy, remember
from aiohttp_security import setup as setup_security
from aiohttp_session import get_session, new_session
from aiohttp_session import setup as setup_session
from aiohttp_session.redis_storage import RedisStorage
from redis import asyncio as aioredis

from .auth import DBAuthorizationPolicy, find_user
from .limits import login_throttle

routes = web.RouteTableDef()


@routes.post("/login")
@login_throttle
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    user = await find_user(request.app["db"], form["email"])
    if user is None or not bcrypt.checkpw(form["password"].encode(), user.password_hash):
        raise web.HTTPUnauthorized(text="Invalid email or password")
    session = await get_session(request)
    session["user_id"] = user.id  # expect: AR306
    raise web.HTTPFound("/")


@routes.post("/api/login")
@login_throttle
async def api_login(request: web.Request) -> web.Response:
    body = await request.json()
    user = await find_user(request.app["db"], body["email"])
    if user is None or not bcrypt.checkpw(body["password"].encode(), user.password_hash):
        raise web.HTTPUnauthorized(text="Invalid email or password")
    session = await new_session(request)
    session["user_id"] = user.id
    return web.json_response({"ok": True})


@routes.post("/admin/login")
@login_throttle
async def admin_login(request: web.Request) -> web.Response:
    form = await request.post()
    user = await find_user(request.app["db"], form["email"])
    if user is None or not user.is_admin or not bcrypt.checkpw(form["password"].encode(), user.password_hash):
        raise web.HTTPUnauthorized(text="Invalid email or password")
    response = web.HTTPFound("/admin")
    await remember(request, response, str(user.id))  # expect: AR306
    raise response


@routes.post("/staff/login")
@login_throttle
async def staff_login(request: web.Request) -> web.Response:
    form = await request.post()
    user = await find_user(request.app["db"], form["email"])
    if user is None or not user.is_staff or not bcrypt.checkpw(form["password"].encode(), user.password_hash):
        raise web.HTTPUnauthorized(text="Invalid email or password")
    await new_session(request)
    response = web.HTTPFound("/staff")
    await remember(request, response, str(user.id))
    raise response


@routes.post("/theme")
async def set_theme(request: web.Request) -> web.Response:
    form = await request.post()
    session = await get_session(request)
    session["theme"] = form.get("theme", "light")
    raise web.HTTPFound("/")


async def make_app() -> web.Application:
    app = web.Application()
    redis = aioredis.from_url("redis://localhost")
    setup_session(app, RedisStorage(redis, httponly=True, secure=True, samesite="Lax"))
    setup_security(app, SessionIdentityPolicy(), DBAuthorizationPolicy(app))
    app.add_routes(routes)
    return app
