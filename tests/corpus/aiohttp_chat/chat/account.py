"""Sign-in, sign-out, the caller's profile and the health check."""

from datetime import UTC, datetime

from aiohttp import web
from aiohttp_security import forget, remember

from .auth import current_user_id, too_many_login_attempts, verify_password
from .db import DB, object_id

routes = web.RouteTableDef()


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    await request.app[DB].command("ping")
    return web.json_response({"status": "ok"})


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    db = request.app[DB]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    if await too_many_login_attempts(db, request.remote, email):
        raise web.HTTPTooManyRequests(text="Too many attempts, try again later")
    user = await db.users.find_one({"email": email, "disabled": {"$ne": True}})
    if user is None or not verify_password(user["password_hash"], password):
        await db.failed_logins.insert_one({"remote": request.remote, "email": email,
                                           "at": datetime.now(UTC)})
        raise web.HTTPUnauthorized(text="Invalid email or password")
    response = web.json_response({"id": str(user["_id"]), "name": user["display_name"]})
    await remember(request, response, str(user["_id"]))
    return response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    await current_user_id(request)
    response = web.json_response({"signed_out": True})
    await forget(request, response)
    return response


@routes.get("/me")
async def me(request: web.Request) -> web.Response:
    user_id = await current_user_id(request)
    user = await request.app[DB].users.find_one({"_id": object_id(user_id)},
                                                projection={"email": 1, "display_name": 1})
    return web.json_response({"id": user_id, "email": user["email"], "name": user["display_name"]})
