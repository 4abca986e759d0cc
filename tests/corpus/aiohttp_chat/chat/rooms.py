"""Rooms, their messages, the live socket and moderation."""

from datetime import UTC, datetime

from aiohttp import WSMsgType, web
from aiohttp_security import check_permission

from .auth import current_user_id
from .db import DB, object_id, serialize_message, serialize_room

routes = web.RouteTableDef()

MESSAGE_MAX_LENGTH = 4000
HISTORY_PAGE = 50


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: object) -> str:
    text = str(value or "").strip()
    if not text or len(text) > MESSAGE_MAX_LENGTH:
        raise web.HTTPBadRequest(text=f"Messages are 1 to {MESSAGE_MAX_LENGTH} characters")
    return text


@routes.get("/rooms")
async def list_rooms(request: web.Request) -> web.Response:
    user_id = await current_user_id(request)
    cursor = request.app[DB].rooms.find({"members": user_id}).sort("name", 1)
    return web.json_response([serialize_room(room) async for room in cursor])


@routes.post("/rooms")
async def create_room(request: web.Request) -> web.Response:
    user_id = await current_user_id(request)
    body = await request.json()
    room = {
        "name": str(body.get("name", "")).strip()[:80] or "untitled",
        "topic": str(body.get("topic", ""))[:200],
        "owner_id": user_id,
        "members": [user_id],
        "created_at": _now(),
    }
    result = await request.app[DB].rooms.insert_one(room)
    room["_id"] = result.inserted_id
    return web.json_response(serialize_room(room), status=201)


@routes.view("/rooms/{room_id}")
class RoomView(web.View):
    async def get(self) -> web.Response:
        user_id = await current_user_id(self.request)
        room = await self.request.app[DB].rooms.find_one(
            {"_id": object_id(self.request.match_info["room_id"]), "members": user_id})
        if room is None:
            raise web.HTTPNotFound()
        return web.json_response(serialize_room(room))

    async def patch(self) -> web.Response:
        user_id = await current_user_id(self.request)
        body = await self.request.json()
        changes = {key: str(body[key])[:200] for key in ("name", "topic") if key in body}
        room = await self.request.app[DB].rooms.find_one_and_update(
            {"_id": object_id(self.request.match_info["room_id"]), "owner_id": user_id},
            {"$set": changes},
            return_document=True,
        )
        if room is None:
            raise web.HTTPNotFound()
        return web.json_response(serialize_room(room))

    async def delete(self) -> web.Response:
        user_id = await current_user_id(self.request)
        db = self.request.app[DB]
        room = await db.rooms.find_one_and_delete(
            {"_id": object_id(self.request.match_info["room_id"]), "owner_id": user_id})
        if room is None:
            raise web.HTTPNotFound()
        await db.messages.delete_many({"room_id": room["_id"]})
        return web.Response(status=204)


@routes.post("/rooms/{room_id}/members")
async def invite_member(request: web.Request) -> web.Response:
    user_id = await current_user_id(request)
    db = request.app[DB]
    body = await request.json()
    invitee = await db.users.find_one({"email": str(body.get("email", "")).strip().lower()}, projection={"_id": 1})
    if invitee is None:
        raise web.HTTPNotFound(text="No user with that e-mail address")
    room = await db.rooms.find_one_and_update(
        {"_id": object_id(request.match_info["room_id"]), "owner_id": user_id},
        {"$addToSet": {"members": str(invitee["_id"])}},
    )
    if room is None:
        raise web.HTTPNotFound()
    return web.json_response({"invited": str(invitee["_id"])}, status=201)


@routes.get("/rooms/{room_id}/messages")
async def room_history(request: web.Request) -> web.Response:
    user_id = await current_user_id(request)
    db = request.app[DB]
    room = await db.rooms.find_one({"_id": object_id(request.match_info["room_id"]), "members": user_id},
                                   projection={"_id": 1})
    if room is None:
        raise web.HTTPNotFound()
    cursor = db.messages.find({"room_id": room["_id"], "hidden": {"$ne": True}}).sort("sent_at", -1).limit(HISTORY_PAGE)
    return web.json_response([serialize_message(message) async for message in cursor])


@routes.post("/rooms/{room_id}/messages")
async def post_message(request: web.Request) -> web.Response:
    user_id = await current_user_id(request)
    db = request.app[DB]
    room = await db.rooms.find_one({"_id": object_id(request.match_info["room_id"]), "members": user_id},
                                   projection={"_id": 1})
    if room is None:
        raise web.HTTPNotFound()
    body = await request.json()
    message = {"room_id": room["_id"], "author_id": user_id, "text": _text(body.get("text")), "sent_at": _now()}
    result = await db.messages.insert_one(message)
    message["_id"] = result.inserted_id
    return web.json_response(serialize_message(message), status=201)


@routes.get("/rooms/{room_id}/transcript")
async def room_transcript(request: web.Request) -> web.Response:  # expect: AR101
    """Plain-text transcript of a room, for the support team's ticket attachments."""
    db = request.app[DB]
    cursor = db.messages.find({"room_id": object_id(request.match_info["room_id"])}).sort("sent_at", 1)
    lines = [f"[{m['sent_at']:%Y-%m-%d %H:%M}] {m['author_id']}: {m['text']}" async for m in cursor]
    return web.Response(text="\n".join(lines), content_type="text/plain")


@routes.get("/rooms/{room_id}/live")
async def live(request: web.Request) -> web.WebSocketResponse:
    user_id = await current_user_id(request)
    db = request.app[DB]
    room = await db.rooms.find_one({"_id": object_id(request.match_info["room_id"]), "members": user_id},
                                   projection={"_id": 1})
    if room is None:
        raise web.HTTPNotFound()
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    async for frame in socket:
        if frame.type != WSMsgType.TEXT:
            continue
        message = {"room_id": room["_id"], "author_id": user_id, "text": _text(frame.data), "sent_at": _now()}
        await db.messages.insert_one(message)
        await socket.send_json(serialize_message(message))
    return socket


@routes.patch("/messages/{message_id}")
async def edit_message(request: web.Request) -> web.Response:
    user_id = await current_user_id(request)
    body = await request.json()
    message = await request.app[DB].messages.find_one_and_update(
        {"_id": object_id(request.match_info["message_id"]), "author_id": user_id},
        {"$set": {"text": _text(body.get("text")), "edited_at": _now()}},
        return_document=True,
    )
    if message is None:
        raise web.HTTPNotFound()
    return web.json_response(serialize_message(message))


@routes.delete("/messages/{message_id}")
async def delete_message(request: web.Request) -> web.Response:
    await current_user_id(request)
    db = request.app[DB]
    message = await db.messages.find_one({"_id": object_id(request.match_info["message_id"])})  # expect: AR102
    if message is None:
        raise web.HTTPNotFound()
    await db.messages.delete_one({"_id": message["_id"]})
    return web.Response(status=204)


@routes.post("/messages/{message_id}/report")
async def report_message(request: web.Request) -> web.Response:
    user_id = await current_user_id(request)
    db = request.app[DB]
    message = await db.messages.find_one({"_id": object_id(request.match_info["message_id"])},
                                         projection={"room_id": 1})
    if message is None:
        raise web.HTTPNotFound()
    room = await db.rooms.find_one({"_id": message["room_id"], "members": user_id}, projection={"_id": 1})
    if room is None:
        raise web.HTTPNotFound()
    body = await request.json()
    await db.reports.insert_one({"message_id": message["_id"], "reporter_id": user_id,
                                 "reason": str(body.get("reason", ""))[:500], "at": _now()})
    return web.json_response({"reported": True}, status=201)


@routes.get("/moderation/reports")
async def open_reports(request: web.Request) -> web.Response:
    await check_permission(request, "moderate")
    cursor = request.app[DB].reports.find({"resolved": {"$ne": True}}).sort("at", 1).limit(100)
    return web.json_response([
        {"id": str(r["_id"]), "message_id": str(r["message_id"]), "reason": r["reason"]} async for r in cursor
    ])


@routes.post("/moderation/messages/{message_id}/hide")
async def hide_message(request: web.Request) -> web.Response:
    await check_permission(request, "moderate")
    db = request.app[DB]
    result = await db.messages.update_one({"_id": object_id(request.match_info["message_id"])},
                                          {"$set": {"hidden": True}})
    if result.matched_count == 0:
        raise web.HTTPNotFound()
    await db.reports.update_many({"message_id": object_id(request.match_info["message_id"])},
                                 {"$set": {"resolved": True}})
    return web.Response(status=204)
