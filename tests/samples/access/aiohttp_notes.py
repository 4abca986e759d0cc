"""An aiohttp service with aiohttp-security checks in the handlers (sample for AR101, AR102, AR103)."""

from aiohttp import web
from aiohttp_security import authorized_userid, check_authorized, check_permission
from sqlalchemy import delete

from .db import db

routes = web.RouteTableDef()


@routes.get("/notes")
async def list_notes(request: web.Request) -> web.Response:
    user_id = await check_authorized(request)
    rows = await db.fetch("SELECT id, title FROM notes WHERE owner_id = $1", user_id)
    return web.json_response([dict(r) for r in rows])


@routes.get("/notes/{note_id}")
async def get_note(request: web.Request) -> web.Response:
    await check_authorized(request)
    note = await db.notes.find_one({"_id": request.match_info["note_id"]})  # expect: AR102
    if note is None:
        raise web.HTTPNotFound()
    return web.json_response({"title": note["title"]})


@routes.delete("/notes/{note_id}")
async def delete_note(request: web.Request) -> web.Response:  # expect: AR101
    await db.notes.delete_one({"_id": request.match_info["note_id"]})
    return web.Response(status=204)


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    await db.command("ping")
    return web.json_response({"ok": True})


@routes.get("/admin/users")
async def admin_users(request: web.Request) -> web.Response:
    await check_permission(request, "admin")
    return web.json_response([u["email"] async for u in db.users.find({})])


@routes.post("/admin/purge")
async def admin_purge(request: web.Request) -> web.Response:  # expect: AR103
    await check_authorized(request)
    await db.notes.delete_many({"archived": True})
    return web.Response(status=204)


@routes.post("/maintenance/purge-sessions")
async def purge_sessions(request: web.Request) -> web.Response:  # expect: AR103
    await check_authorized(request)
    async with engine.begin() as session:
        await session.execute(delete(Session).where(Session.expires_at < now()))
    return web.Response(status=204)
