"""Sign in with GitHub or GitLab (authorization code flow with PKCE)."""

import base64
import hashlib
import logging
import secrets
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from .. import settings
from ..auth import safe_next_url
from ..db import db

logger = logging.getLogger(__name__)

GITHUB_AUTHORIZE_URL = "https://github.com/login/oauth/authorize"
GITHUB_TOKEN_URL = "https://github.com/login/oauth/access_token"
GITHUB_USER_URL = "https://api.github.com/user"
GITLAB_AUTHORIZE_URL = "https://gitlab.com/oauth/authorize"
GITLAB_TOKEN_URL = "https://gitlab.com/oauth/token"
GITLAB_USER_URL = "https://gitlab.com/api/v4/user"


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def _sign_in(request: Request, provider: str, login: str, email: str | None) -> Response:
    user = await db.users.find_one_and_update(
        {f"{provider}_login": login},
        {"$setOnInsert": {"email": email, "display_name": login}},
        upsert=True,
        return_document=True,
    )
    next_url = request.session.pop("post_login_next", "/dashboard")
    request.session.clear()
    request.session["user_id"] = str(user["_id"])
    return RedirectResponse(next_url, status_code=303)


async def github_login(request: Request) -> Response:
    state = secrets.token_urlsafe(32)
    verifier, challenge = _pkce_pair()
    request.session["github_oauth"] = {"state": state, "verifier": verifier}
    request.session["post_login_next"] = safe_next_url(request.query_params.get("next"))
    params = {
        "client_id": settings.GITHUB_CLIENT_ID,
        "redirect_uri": str(request.url_for("github_callback")),
        "scope": "read:user user:email",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return RedirectResponse(f"{GITHUB_AUTHORIZE_URL}?{urlencode(params)}", status_code=302)


async def github_callback(request: Request) -> Response:
    pending = request.session.pop("github_oauth", None)
    returned_state = request.query_params.get("state", "")
    if pending is None or not secrets.compare_digest(returned_state, pending["state"]):
        return PlainTextResponse("This sign-in attempt expired. Please try again.", status_code=400)
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            token_response = await client.post(
                GITHUB_TOKEN_URL,
                data={
                    "client_id": settings.GITHUB_CLIENT_ID,
                    "client_secret": str(settings.GITHUB_CLIENT_SECRET),
                    "code": request.query_params.get("code", ""),
                    "redirect_uri": str(request.url_for("github_callback")),
                    "code_verifier": pending["verifier"],
                },
                headers={"Accept": "application/json"},
            )
            token_response.raise_for_status()
            access_token = token_response.json()["access_token"]
            profile_response = await client.get(GITHUB_USER_URL, headers={"Authorization": f"Bearer {access_token}"})
            profile_response.raise_for_status()
            profile = profile_response.json()
    except (httpx.HTTPError, KeyError):
        logger.exception("GitHub sign-in failed")
        return PlainTextResponse("GitHub sign-in failed. Please try again.", status_code=502)
    return await _sign_in(request, "github", profile["login"], profile.get("email"))


async def gitlab_login(request: Request) -> Response:
    state = secrets.token_urlsafe(32)
    verifier, challenge = _pkce_pair()
    request.session["gitlab_oauth"] = {"state": state, "verifier": verifier}
    request.session["post_login_next"] = safe_next_url(request.query_params.get("next"))
    params = {
        "client_id": settings.GITLAB_CLIENT_ID,
        "redirect_uri": str(request.url_for("gitlab_callback")),
        "response_type": "code",
        "scope": "read_user",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return RedirectResponse(f"{GITLAB_AUTHORIZE_URL}?{urlencode(params)}", status_code=302)


async def gitlab_callback(request: Request) -> Response:  # expect: AR403
    pending = request.session.pop("gitlab_oauth", {})
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            token_response = await client.post(
                GITLAB_TOKEN_URL,
                data={
                    "client_id": settings.GITLAB_CLIENT_ID,
                    "client_secret": str(settings.GITLAB_CLIENT_SECRET),
                    "code": request.query_params["code"],
                    "grant_type": "authorization_code",
                    "redirect_uri": str(request.url_for("gitlab_callback")),
                    "code_verifier": pending.get("verifier", ""),
                },
            )
            token_response.raise_for_status()
            access_token = token_response.json()["access_token"]
            profile_response = await client.get(GITLAB_USER_URL, headers={"Authorization": f"Bearer {access_token}"})
            profile_response.raise_for_status()
            profile = profile_response.json()
    except httpx.HTTPError as exc:
        return JSONResponse({"error": repr(exc)}, status_code=502)  # expect: AR603
    return await _sign_in(request, "gitlab", profile["username"], profile.get("email"))
