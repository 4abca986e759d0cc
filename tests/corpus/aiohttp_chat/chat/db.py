"""MongoDB through motor, and the helpers every handler uses."""

from aiohttp import web
from bson import ObjectId
from bson.errors import InvalidId
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase

DB = web.AppKey("db", AsyncIOMotorDatabase)


def connect(url: str) -> AsyncIOMotorDatabase:
    return AsyncIOMotorClient(url, tz_aware=True).get_default_database()


def object_id(value: str) -> ObjectId:
    """Ids in the URL that are not ObjectIds answer 404 like unknown ones."""
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        raise web.HTTPNotFound() from None


def serialize_room(room: dict) -> dict:
    return {
        "id": str(room["_id"]),
        "name": room["name"],
        "topic": room.get("topic", ""),
        "members": len(room.get("members", [])),
    }


def serialize_message(message: dict) -> dict:
    return {
        "id": str(message["_id"]),
        "room_id": str(message["room_id"]),
        "author_id": message["author_id"],
        "text": message["text"],
        "sent_at": message["sent_at"].isoformat(),
    }
