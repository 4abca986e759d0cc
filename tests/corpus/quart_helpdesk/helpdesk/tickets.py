"""Customers' tickets."""

from datetime import UTC, datetime

from quart import Blueprint, abort, jsonify, request

from .auth import require_customer
from .db import database, object_id, ticket_json

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

PRIORITIES = ("low", "normal", "high")


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/")
async def my_tickets():
    user = await require_customer()
    cursor = database().tickets.find({"customer_id": user["_id"]}).sort("opened_at", -1).limit(100)
    return jsonify([ticket_json(ticket) async for ticket in cursor])


@bp.post("/")
async def open_ticket():
    user = await require_customer()
    body = await request.get_json()
    priority = str(body.get("priority", "normal"))
    ticket = {
        "customer_id": user["_id"],
        "subject": str(body.get("subject", "")).strip()[:200] or "(no subject)",
        "priority": priority if priority in PRIORITIES else "normal",
        "status": "open",
        "opened_at": _now(),
    }
    result = await database().tickets.insert_one(ticket)
    ticket["_id"] = result.inserted_id
    await database().messages.insert_one({"ticket_id": ticket["_id"], "author_id": user["_id"],
                                          "text": str(body.get("text", ""))[:10000], "at": _now()})
    return jsonify(ticket_json(ticket)), 201


@bp.get("/<ticket_id>")
async def show_ticket(ticket_id: str):
    user = await require_customer()
    db = database()
    ticket = await db.tickets.find_one({"_id": object_id(ticket_id), "customer_id": user["_id"]})
    if ticket is None:
        abort(404)
    cursor = db.messages.find({"ticket_id": ticket["_id"], "internal": {"$ne": True}}).sort("at", 1)
    messages = [{"text": m["text"], "at": m["at"].isoformat(), "mine": m["author_id"] == user["_id"]}
                async for m in cursor]
    return jsonify({**ticket_json(ticket), "messages": messages})


@bp.post("/<ticket_id>/messages")
async def reply(ticket_id: str):
    user = await require_customer()
    db = database()
    ticket = await db.tickets.find_one_and_update(
        {"_id": object_id(ticket_id), "customer_id": user["_id"]},
        {"$set": {"status": "open", "updated_at": _now()}},
    )
    if ticket is None:
        abort(404)
    body = await request.get_json()
    await db.messages.insert_one({"ticket_id": ticket["_id"], "author_id": user["_id"],
                                  "text": str(body.get("text", ""))[:10000], "at": _now()})
    return jsonify(ok=True), 201


@bp.post("/<ticket_id>/close")
async def close_ticket(ticket_id: str):
    await require_customer()
    ticket = await database().tickets.find_one_and_update(  # expect: AR102
        {"_id": object_id(ticket_id)},
        {"$set": {"status": "closed", "closed_at": _now()}},
    )
    if ticket is None:
        abort(404)
    return jsonify(ticket_json(ticket))


@bp.post("/<ticket_id>/rating")
async def rate_ticket(ticket_id: str):  # expect: AR101
    """The satisfaction e-mail's buttons post here: {"score": 1..5}."""
    body = await request.get_json()
    score = int(body.get("score", 0))
    if not 1 <= score <= 5:
        abort(400)
    result = await database().tickets.update_one({"_id": object_id(ticket_id), "status": "closed"},
                                                 {"$set": {"rating": score}})
    if result.matched_count == 0:
        abort(404)
    return jsonify(thanks=True)
