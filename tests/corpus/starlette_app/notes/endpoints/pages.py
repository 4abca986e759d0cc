"""Server-rendered pages: home, sign-in/out, dashboard, account settings."""

from bson import ObjectId
from starlette.authentication import requires
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from ..auth import safe_next_url, verify_password
from ..db import db, serialize_note
from ..limiter import limiter

templates = Jinja2Templates(directory="templates")


async def homepage(request: Request) -> Response:
    return templates.TemplateResponse(request, "home.html")


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@limiter.limit("5/minute")
async def login(request: Request) -> Response:
    if request.method == "GET":
        return templates.TemplateResponse(request, "login.html", {"next": request.query_params.get("next", "")})
    form = await request.form()
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    user = await db.users.find_one({"email": email, "disabled": {"$ne": True}})
    if user is None or not verify_password(user["password_hash"], password):
        context = {"error": "Invalid email or password", "next": form.get("next", "")}
        return templates.TemplateResponse(request, "login.html", context, status_code=400)
    request.session.clear()
    request.session["user_id"] = str(user["_id"])
    return RedirectResponse(safe_next_url(form.get("next")), status_code=303)


async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse(request.query_params.get("next", "/"), status_code=303)  # expect: AR405


@requires("authenticated", redirect="login")
async def dashboard(request: Request) -> Response:
    cursor = db.notes.find({"owner_id": request.user.id}).sort("updated_at", -1).limit(20)
    notes = [serialize_note(note) async for note in cursor]
    return templates.TemplateResponse(request, "dashboard.html", {"notes": notes})


async def account_settings(request: Request) -> Response:
    if not request.user.is_authenticated:
        login_url = request.url_for("login").include_query_params(next=request.url.path)
        return RedirectResponse(login_url, status_code=303)
    profile = await db.users.find_one(
        {"_id": ObjectId(request.user.id)},
        projection={"email": 1, "display_name": 1, "github_login": 1, "gitlab_login": 1},
    )
    return templates.TemplateResponse(request, "settings.html", {"profile": profile})
