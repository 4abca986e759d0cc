"""Application factory: middleware, routers and the public endpoints."""

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from slowapi import _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from .config import settings
from .deps import SessionDep, get_current_admin
from .limiter import limiter
from .models import Item
from .routers import admin_reports, auth, bulk, items, projects, reports, users, webhooks
from .routers.admin import admin_router
from .schemas import ItemPublic

logger = logging.getLogger("tasks")

app = FastAPI(title=settings.project_name, debug=settings.debug, docs_url=None, redoc_url=None)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    allow_headers=["Authorization", "Content-Type"],
)

app.include_router(auth.router)
app.include_router(users.router)
app.include_router(items.router)
app.include_router(bulk.router)
app.include_router(projects.router)
app.include_router(reports.router)
app.include_router(webhooks.router)
app.include_router(admin_reports.router)
app.include_router(admin_router, dependencies=[Depends(get_current_admin)])


@app.exception_handler(SQLAlchemyError)
async def database_error_handler(request: Request, exc: SQLAlchemyError) -> JSONResponse:
    logger.exception("database error on %s %s", request.method, request.url.path)
    return JSONResponse(status_code=500, content={"detail": "Internal server error"})


@app.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


@app.get("/docs", include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{settings.project_name} - API docs")


@app.get("/catalog", response_model=list[ItemPublic], tags=["public"])
def public_catalog(session: SessionDep, limit: int = 50) -> list[Item]:
    stmt = select(Item).where(Item.is_public.is_(True)).order_by(Item.is_featured.desc(), Item.id.desc())
    return list(session.scalars(stmt.limit(min(limit, 100))))
