"""ASGI application: middleware stack and error handlers."""

import logging

from slowapi import _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from . import settings
from .auth import SessionOrTokenBackend
from .limiter import limiter
from .routes import routes

logger = logging.getLogger("notes")


def on_auth_error(conn: HTTPConnection, exc: Exception) -> Response:
    return JSONResponse({"error": "Invalid credentials"}, status_code=401)


async def http_exception(request: Request, exc: HTTPException) -> Response:
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "Internal server error"}, status_code=500)


middleware = [
    Middleware(
        SessionMiddleware,
        secret_key=str(settings.SECRET_KEY),
        session_cookie="notes_session",
        max_age=8 * 60 * 60,
        same_site="lax",
        https_only=True,
    ),
    Middleware(AuthenticationMiddleware, backend=SessionOrTokenBackend(), on_error=on_auth_error),
]

app = Starlette(
    debug=settings.DEBUG,
    routes=routes,
    middleware=middleware,
    exception_handlers={HTTPException: http_exception, 500: server_error},
)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
