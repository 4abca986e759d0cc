"""Admin console API, mounted at /admin."""

from datetime import datetime, timezone

from starlette.authentication import requires
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..db import db, object_id


async def _audit(request: Request, action: str, target: str) -> None:
    await db.audit_log.insert_one(
        {"actor": request.user.id, "action": action, "target": target, "at": datetime.now(timezone.utc)}
    )


@requires("admin")
async def list_users(request: Request) -> Response:
    cursor = db.users.find({}, projection={"email": 1, "display_name": 1, "is_admin": 1, "disabled": 1})
    return JSONResponse([
        {
            "id": str(user["_id"]),
            "email": user["email"],
            "name": user.get("display_name"),
            "is_admin": bool(user.get("is_admin")),
            "disabled": bool(user.get("disabled")),
        }
        async for user in cursor
    ])


@requires(["authenticated", "admin"])
async def disable_user(request: Request) -> Response:
    user_id = object_id(request.path_params["user_id"])
    result = await db.users.update_one({"_id": user_id}, {"$set": {"disabled": True}})
    if result.matched_count == 0:
        raise HTTPException(status_code=404, detail="User not found")
    await _audit(request, "user.disable", str(user_id))
    return Response(status_code=204)


async def reset_second_factor(request: Request) -> Response:
    if not request.user.is_authenticated or "admin" not in request.auth.scopes:
        raise HTTPException(status_code=403, detail="Administrator access required")
    user_id = object_id(request.path_params["user_id"])
    result = await db.users.update_one({"_id": user_id}, {"$unset": {"totp_secret": ""}})
    if result.matched_count == 0:
        raise HTTPException(status_code=404, detail="User not found")
    await _audit(request, "user.reset_2fa", str(user_id))
    return Response(status_code=204)


@requires("authenticated")
async def audit_log(request: Request) -> Response:  # expect: AR103
    cursor = db.audit_log.find({}).sort("at", -1).limit(200)
    return JSONResponse([
        {"actor": entry["actor"], "action": entry["action"], "target": entry["target"], "at": entry["at"].isoformat()}
        async for entry in cursor
    ])
