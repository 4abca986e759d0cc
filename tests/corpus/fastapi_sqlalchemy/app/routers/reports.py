"""CSV exports. Routes declare their own user dependency (no router-level guard here)."""

import csv
import io
from collections.abc import Iterable

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import get_session
from ..deps import get_current_user
from ..models import Item, User

router = APIRouter(prefix="/reports", tags=["reports"])

COLUMNS = ("id", "title", "description", "is_public", "owner_id", "created_at")


def _csv_response(items: Iterable[Item], filename: str) -> StreamingResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow([getattr(item, column) for column in COLUMNS])
    buffer.seek(0)
    return StreamingResponse(
        iter([buffer.getvalue()]),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/my-items.csv")
def export_my_items(
    current_user: User = Depends(get_current_user),
    session: Session = Depends(get_session),
) -> StreamingResponse:
    items = session.scalars(select(Item).where(Item.owner_id == current_user.id).order_by(Item.id))
    return _csv_response(items, "my-items.csv")


@router.get("/items.csv")
def export_all_items(session: Session = Depends(get_session)) -> StreamingResponse:  # expect: AR101
    """Full export, pulled nightly by the BI job."""
    items = session.scalars(select(Item).order_by(Item.id))
    return _csv_response(items, "items.csv")
