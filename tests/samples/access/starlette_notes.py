"""A Starlette app whose function endpoints are listed in a Route table (sample for AR101, AR102, AR103)."""

from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from .db import db, object_id


@requires("authenticated")
async def list_notes(request: Request) -> Response:
    cursor = db.notes.find({"owner_id": request.user.id})
    return JSONResponse([note["title"] async for note in cursor])


@requires("authenticated")
async def note_detail(request: Request) -> Response:
    note = await db.notes.find_one({"_id": object_id(request.path_params["note_id"])})  # expect: AR102
    if note is None:
        raise HTTPException(status_code=404)
    return JSONResponse({"title": note["title"]})


@requires("authenticated")
async def own_note(request: Request) -> Response:
    note = await db.notes.find_one({"_id": object_id(request.path_params["note_id"]), "owner_id": request.user.id})
    if note is None:
        raise HTTPException(status_code=404)
    return JSONResponse({"title": note["title"]})


async def delete_note(request: Request) -> Response:  # expect: AR101
    await db.notes.delete_one({"_id": object_id(request.path_params["note_id"])})
    return Response(status_code=204)


async def health(request: Request) -> Response:
    await db.command("ping")
    return JSONResponse({"ok": True})


@requires(["authenticated", "admin"])
async def all_users(request: Request) -> Response:
    return JSONResponse([user["email"] async for user in db.users.find({})])


@requires("authenticated")
async def audit_log(request: Request) -> Response:  # expect: AR103
    return JSONResponse([entry["action"] async for entry in db.audit_log.find({})])


app = Starlette(routes=[
    Route("/health", health),
    Mount("/notes", routes=[
        Route("/", list_notes),
        Route("/{note_id}", note_detail),
        Route("/{note_id}/mine", own_note),
        Route("/{note_id}", delete_note, methods=["DELETE"]),
    ]),
    Mount("/admin", routes=[
        Route("/users", all_users),
        Route("/audit-log", audit_log),
    ]),
])
