"""Audit trail kept in MongoDB (one document per security-relevant event)."""

from datetime import datetime, timezone

from flask import current_app, g, request
from pymongo import MongoClient
from pymongo.collection import Collection


def audit_log() -> Collection:
    if "audit_client" not in g:
        g.audit_client = MongoClient(current_app.config["AUDIT_MONGO_URI"], serverSelectionTimeoutMS=2000)
    return g.audit_client["notebook"]["audit_log"]


def record(event: str, user_id: int | None, **details) -> None:
    audit_log().insert_one(
        {
            "event": event,
            "user_id": str(user_id) if user_id is not None else None,
            "ip": request.remote_addr,
            "request_id": request.headers.get("X-Request-Id"),
            "at": datetime.now(timezone.utc),
            "details": details,
        }
    )
