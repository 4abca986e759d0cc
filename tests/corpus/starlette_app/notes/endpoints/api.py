"""Account and workspace JSON API: token login, share links, members, exports, imports."""

import csv
import io
import logging
from datetime import datetime, timezone

from starlette.authentication import requires
from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .. import settings
from ..auth import issue_api_token, verify_password
from ..db import db, serialize_note
from ..importers import parse_markdown_archive
from ..limiter import limiter

logger = logging.getLogger(__name__)


@limiter.limit("10/minute")
async def api_login(request: Request) -> Response:
    body = await request.json()
    email = str(body.get("email", "")).strip().lower()
    password = str(body.get("password", ""))
    user = await db.users.find_one({"email": email, "disabled": {"$ne": True}})
    if user is None or not verify_password(user["password_hash"], password):
        return JSONResponse({"error": "Invalid email or password"}, status_code=401)
    token = issue_api_token(str(user["_id"]))
    return JSONResponse({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": settings.API_TOKEN_TTL_MINUTES * 60,
    })


async def redeem_share(request: Request) -> Response:
    body = await request.json()
    share = await db.shares.find_one({"token": body["token"], "expires_at": {"$gt": datetime.now(timezone.utc)}})  # expect: AR602
    if share is None:
        return JSONResponse({"error": "This link is invalid or has expired"}, status_code=404)
    note = await db.notes.find_one({"_id": share["note_id"]}, projection={"title": 1, "body": 1, "updated_at": 1})
    if note is None:
        return JSONResponse({"error": "This link is invalid or has expired"}, status_code=404)
    return JSONResponse(serialize_note(note))


class MembersEndpoint(HTTPEndpoint):
    async def get(self, request: Request) -> Response:  # expect: AR101
        cursor = db.users.find({"disabled": {"$ne": True}}, projection={"email": 1, "display_name": 1})
        return JSONResponse([
            {"id": str(user["_id"]), "email": user["email"], "name": user.get("display_name")}
            async for user in cursor
        ])

    @requires("admin")
    async def post(self, request: Request) -> Response:
        body = await request.json()
        email = str(body.get("email", "")).strip().lower()
        await db.invitations.insert_one({"email": email, "invited_by": request.user.id, "at": datetime.now(timezone.utc)})
        return JSONResponse({"invited": email}, status_code=201)


class UsageExport(HTTPEndpoint):  # expect: AR101
    """CSV of every note's metadata for the analytics warehouse."""

    async def get(self, request: Request) -> Response:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["note_id", "owner_id", "title", "tags", "updated_at"])
        async for note in db.notes.find({}, projection={"owner_id": 1, "title": 1, "tags": 1, "updated_at": 1}):
            writer.writerow([note["_id"], note["owner_id"], note["title"], "|".join(note.get("tags", [])), note.get("updated_at")])
        buffer.seek(0)
        return StreamingResponse(iter([buffer.getvalue()]), media_type="text/csv")

    async def post(self, request: Request) -> Response:
        await db.jobs.insert_one({"kind": "usage-export", "requested_at": datetime.now(timezone.utc)})
        return JSONResponse({"status": "queued"}, status_code=202)


@requires("authenticated")
async def import_notes(request: Request) -> Response:
    form = await request.form()
    upload = form.get("archive")
    if upload is None or isinstance(upload, str):
        return JSONResponse({"error": "Attach a .zip archive as 'archive'"}, status_code=400)
    try:
        notes = parse_markdown_archive(await upload.read())
        for note in notes:
            note["owner_id"] = request.user.id
        if notes:
            await db.notes.insert_many(notes)
    except Exception as exc:
        return JSONResponse({"error": "Import failed", "detail": str(exc)}, status_code=400)  # expect: AR603
    return JSONResponse({"imported": len(notes)}, status_code=201)
