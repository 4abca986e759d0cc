"""Notes JSON API, mounted at /api/notes."""

import secrets
from datetime import datetime, timedelta, timezone

from starlette.authentication import requires
from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import settings
from ..auth import require_user
from ..db import NOTE_FIELDS, db, object_id, serialize_note

MAX_TAGS = 20


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def _owned_note(request: Request) -> dict:
    note = await db.notes.find_one(
        {"_id": object_id(request.path_params["note_id"]), "owner_id": request.user.id},
        projection=NOTE_FIELDS,
    )
    if note is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return note


@requires("authenticated")
async def list_notes(request: Request) -> Response:
    query: dict = {"owner_id": request.user.id}
    tag = request.query_params.get("tag")
    if tag:
        query["tags"] = tag
    cursor = db.notes.find(query, projection=NOTE_FIELDS).sort("updated_at", -1).limit(100)
    return JSONResponse([serialize_note(note) async for note in cursor])


@requires("authenticated")
async def create_note(request: Request) -> Response:
    body = await request.json()
    title = str(body.get("title", "")).strip()
    if not title:
        return JSONResponse({"error": "title is required"}, status_code=400)
    note = {
        "title": title[:200],
        "body": str(body.get("body", "")),
        "tags": [str(tag) for tag in body.get("tags", [])][:MAX_TAGS],
        "owner_id": request.user.id,
        "created_at": _now(),
        "updated_at": _now(),
    }
    result = await db.notes.insert_one(note)
    note["_id"] = result.inserted_id
    return JSONResponse(serialize_note(note), status_code=201)


@requires("authenticated")
async def search_notes(request: Request) -> Response:
    text = request.query_params.get("q", "")[:200]
    cursor = db.notes.find(
        {"owner_id": request.user.id, "$text": {"$search": text}},
        projection={**NOTE_FIELDS, "score": {"$meta": "textScore"}},
    ).sort([("score", {"$meta": "textScore"})]).limit(50)
    return JSONResponse([serialize_note(note) async for note in cursor])


@requires("authenticated")
async def filter_notes(request: Request) -> Response:
    """Filters built by the sidebar, e.g. {"tags": "work", "pinned": true}."""
    criteria = await request.json()
    cursor = db.notes.find({"owner_id": request.user.id, **criteria}, projection=NOTE_FIELDS).limit(100)  # expect: AR602
    return JSONResponse([serialize_note(note) async for note in cursor])


class NoteDetail(HTTPEndpoint):
    @requires("authenticated")
    async def get(self, request: Request) -> Response:
        return JSONResponse(serialize_note(await _owned_note(request)))

    @requires("authenticated")
    async def put(self, request: Request) -> Response:
        note = await _owned_note(request)
        body = await request.json()
        changes: dict = {"updated_at": _now()}
        if "title" in body:
            changes["title"] = str(body["title"])[:200]
        if "body" in body:
            changes["body"] = str(body["body"])
        if "tags" in body:
            changes["tags"] = [str(tag) for tag in body["tags"]][:MAX_TAGS]
        await db.notes.update_one({"_id": note["_id"]}, {"$set": changes})
        return JSONResponse(serialize_note({**note, **changes}))

    @requires("authenticated")
    async def delete(self, request: Request) -> Response:
        note = await _owned_note(request)
        await db.notes.delete_one({"_id": note["_id"]})
        await db.shares.delete_many({"note_id": note["_id"]})
        return Response(status_code=204)


@requires("authenticated")
async def note_attachments(request: Request) -> Response:
    note = await db.notes.find_one({"_id": object_id(request.path_params["note_id"])}, projection={"attachments": 1})  # expect: AR102
    if note is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return JSONResponse([
        {"name": attachment["name"], "size": attachment["size"], "url": attachment["url"]}
        for attachment in note.get("attachments", [])
    ])


@requires("authenticated")
async def share_note(request: Request) -> Response:
    note = await _owned_note(request)
    token = secrets.token_urlsafe(32)
    await db.shares.insert_one({
        "token": token,
        "note_id": note["_id"],
        "created_by": request.user.id,
        "expires_at": _now() + timedelta(days=7),
    })
    return JSONResponse({"url": f"{settings.PUBLIC_URL}/s/{token}"}, status_code=201)


async def add_comment(request: Request) -> Response:
    user = require_user(request)
    note = await db.notes.find_one(
        {
            "_id": object_id(request.path_params["note_id"]),
            "$or": [{"owner_id": user.id}, {"collaborators": user.id}],
        },
        projection={"_id": 1},
    )
    if note is None:
        raise HTTPException(status_code=404, detail="Note not found")
    body = await request.json()
    author_id = str(body["author_id"])  # expect: AR104
    comment = {"note_id": note["_id"], "author_id": author_id, "text": str(body["text"])[:2000], "at": _now()}
    await db.comments.insert_one(comment)
    return JSONResponse({"id": str(comment["_id"])}, status_code=201)
