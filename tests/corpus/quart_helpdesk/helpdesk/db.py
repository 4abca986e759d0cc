"""MongoDB through motor; ids and documents."""

from bson import ObjectId
from bson.errors import InvalidId
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase
from quart import abort, current_app


def connect(url: str) -> AsyncIOMotorDatabase:
    return AsyncIOMotorClient(url, tz_aware=True).get_default_database()


def database() -> AsyncIOMotorDatabase:
    return current_app.db


def object_id(value: str) -> ObjectId:
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        abort(404)


def ticket_json(ticket: dict) -> dict:
    return {
        "id": str(ticket["_id"]),
        "subject": ticket["subject"],
        "status": ticket["status"],
        "priority": ticket.get("priority", "normal"),
        "opened_at": ticket["opened_at"].isoformat(),
    }
