"""A FastAPI service with cookie sessions and a Starlette admin sub-app (sample for AR301, AR304, AR305)."""

import os

import uvicorn
from fastapi import Depends, FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from .security import authenticate, current_user, new_session_id

ALLOWED_ORIGINS = [o for o in os.environ.get("API_ORIGINS", "").split(",") if o]
ANY = ["*"]

app = FastAPI(title="orders", debug=True)  # expect: AR305
app.add_middleware(  # expect: AR304
    CORSMiddleware,
    allow_origins=ANY,
    allow_credentials=True,
    allow_methods=["*"],
)

admin = Starlette(
    debug=os.environ.get("ADMIN_DEBUG") == "1",
    middleware=[
        Middleware(StarletteCORS, allow_origins=ALLOWED_ORIGINS, allow_credentials=True),
        Middleware(StarletteCORS, allow_origins=["*"], allow_credentials=False),
    ],
)
public = Starlette(middleware=[Middleware(StarletteCORS, allow_origin_regex=r"https://.*", allow_credentials=True)])  # expect: AR304


@app.post("/login")
async def login(form: dict, response: Response):  # expect: AR107
    user = await authenticate(form["email"], form["password"])
    response.set_cookie(key="session_id", value=new_session_id(user), max_age=3600, httponly=True)  # expect: AR301
    return {"ok": True}


@app.post("/token")
async def token(form: dict):  # listed in /login's AR107: the app limits nothing, one cause
    user = await authenticate(form["email"], form["password"])
    resp = JSONResponse({"ok": True})
    resp.set_cookie("refresh_token", user.refresh_token, max_age=7 * 24 * 3600, httponly=True, secure=True)
    resp.set_cookie("ui_lang", form.get("lang", "en"))
    return resp


@app.get("/me")
async def me(user=Depends(current_user)):
    return {"id": user.id}


if __name__ == "__main__":
    uvicorn.run("api:app", host="0.0.0.0", port=8000, reload=False)
