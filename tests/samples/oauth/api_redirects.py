"""Redirect endpoints of the public API: e-mail link tracking, SSO hand-off and the SPA's sign-out
(sample for AR405 open-redirect, FastAPI)."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from .config import settings
from .tracking import record_click

router = APIRouter(prefix="/r")

SPA_ORIGIN = "https://app.example.com"


def is_trusted_return_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname in settings.TRUSTED_RETURN_HOSTS


@router.get("/click")
async def track_click(campaign: str, url: str):
    await record_click(campaign, url)
    return RedirectResponse(url)  # expect: AR405


@router.get("/handoff")
async def sso_handoff(
    redirect_uri: Annotated[str, Query(max_length=2048)],
    token: str,
):
    return RedirectResponse(  # expect: AR405
        url=f"{redirect_uri}#token={token}",
        status_code=303,
    )


@router.get("/signed-out")
async def signed_out(return_to: str = "/"):
    if not is_trusted_return_url(return_to):
        return_to = "/"
    return RedirectResponse(return_to, status_code=303)


@router.get("/open")
async def open_in_app(path: str = "/"):
    # Always on the SPA's origin: the client only picks the path.
    return RedirectResponse(f"{SPA_ORIGIN}/{path.lstrip('/')}")


@router.get("/login")
async def to_login(request: Request):
    return RedirectResponse(request.url_for("login").include_query_params(next=request.url.path))


@router.get("/docs/{page}")
async def docs_page(page: str):
    return RedirectResponse(f"{settings.DOCS_URL}/{page}")
