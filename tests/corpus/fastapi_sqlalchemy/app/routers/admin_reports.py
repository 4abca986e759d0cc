"""Maintenance jobs for the ops team."""

from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Depends, status
from sqlalchemy import delete

from ..deps import SessionDep, get_current_user
from ..models import User

router = APIRouter(prefix="/admin/maintenance", tags=["admin"], dependencies=[Depends(get_current_user)])


@router.post("/purge-inactive", status_code=status.HTTP_202_ACCEPTED)
def purge_inactive_users(session: SessionDep, older_than_days: int = 365) -> dict:  # expect: AR103
    cutoff = datetime.now(timezone.utc) - timedelta(days=older_than_days)
    result = session.execute(delete(User).where(User.is_active.is_(False), User.created_at < cutoff))
    session.commit()
    return {"deleted": result.rowcount}
