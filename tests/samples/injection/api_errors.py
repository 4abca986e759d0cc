"""Exception handlers and import endpoints of the reporting API (sample for AR603 error-details-leaked, FastAPI)."""

import logging

import httpx
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from .deps import get_current_user
from .importer import ImportFormatError, import_rows

logger = logging.getLogger("reports")
app = FastAPI()
router = APIRouter(prefix="/reports", dependencies=[Depends(get_current_user)])


@app.exception_handler(RequestValidationError)
async def validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"errors": exc.errors()})


@app.exception_handler(OperationalError)
async def database_down(request: Request, exc: OperationalError) -> JSONResponse:
    logger.exception("database unavailable")
    return JSONResponse(status_code=503, content={"error": "unavailable", "detail": exc.args})  # expect: AR603


async def unhandled(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=500, content={"error": f"{type(exc).__name__}: {exc}"})  # expect: AR603


app.add_exception_handler(Exception, unhandled)


@router.post("/import")
async def import_report(file: UploadFile):
    content = await file.read()
    try:
        count = await import_rows(content)
    except (ImportFormatError, ValidationError) as exc:
        raise HTTPException(status_code=400, detail=str(exc))
    except Exception as exc:
        logger.exception("report import failed")
        raise HTTPException(status_code=500, detail=f"Import failed: {exc}")  # expect: AR603
    return {"imported": count}


@router.get("/exchange-rates")
async def exchange_rates():
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get("https://rates.example-provider.com/latest")
            response.raise_for_status()
    except httpx.HTTPError as exc:
        message = str(exc)
        logger.warning("rates provider failed: %s", message)
        return JSONResponse(status_code=502, content={"error": message})  # expect: AR603
    return response.json()


@router.get("/health")
async def health():
    try:
        await import_rows(b"")
    except Exception:
        logger.exception("health check failed")
        return JSONResponse(status_code=503, content={"status": "degraded"})
    return {"status": "ok"}


app.include_router(router)
