"""The support team's queue: every route of this blueprint is for agents only."""

from datetime import UTC, datetime

from quart import Blueprint, abort, jsonify, request

from .auth import require_agent
from .db import database, object_id, ticket_json

bp = Blueprint("agents", __name__, url_prefix="/agent")


@bp.before_request
async def agents_only() -> None:
    await require_agent()


@bp.get("/queue")
async def queue():
    cursor = database().tickets.find({"status": "open"}).sort([("priority", -1), ("opened_at", 1)]).limit(200)
    return jsonify([ticket_json(ticket) async for ticket in cursor])


@bp.post("/tickets/<ticket_id>/notes")
async def internal_note(ticket_id: str):
    agent = await require_agent()
    db = database()
    ticket = await db.tickets.find_one({"_id": object_id(ticket_id)}, projection={"_id": 1})
    if ticket is None:
        abort(404)
    body = await request.get_json()
    await db.messages.insert_one({"ticket_id": ticket["_id"], "author_id": agent["_id"], "internal": True,
                                  "text": str(body.get("text", ""))[:10000], "at": datetime.now(UTC)})
    return jsonify(ok=True), 201


@bp.post("/tickets/<ticket_id>/assign")
async def assign(ticket_id: str):
    agent = await require_agent()
    result = await database().tickets.update_one({"_id": object_id(ticket_id)},
                                                 {"$set": {"assignee_id": agent["_id"]}})
    if result.matched_count == 0:
        abort(404)
    return jsonify(assigned=True)
