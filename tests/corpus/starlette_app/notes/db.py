"""MongoDB access through motor."""

from bson import ObjectId
from bson.errors import InvalidId
from motor.motor_asyncio import AsyncIOMotorClient
from starlette.exceptions import HTTPException

from . import settings

client = AsyncIOMotorClient(str(settings.MONGODB_URL), tz_aware=True)
db = client.get_default_database()

NOTE_FIELDS = {"title": 1, "body": 1, "tags": 1, "owner_id": 1, "updated_at": 1}


def object_id(value: str) -> ObjectId:
    """Path parameters that are not valid ids answer 404 like unknown ones."""
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        raise HTTPException(status_code=404, detail="Not found") from None


def serialize_note(note: dict) -> dict:
    return {
        "id": str(note["_id"]),
        "title": note["title"],
        "body": note.get("body", ""),
        "tags": note.get("tags", []),
        "updated_at": note["updated_at"].isoformat() if note.get("updated_at") else None,
    }
