"""Admin console API. Mounted in main.py with the get_current_admin dependency."""

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from ..deps import AdminUser, SessionDep
from ..models import User
from ..schemas import UserAdminView

admin_router = APIRouter(prefix="/admin", tags=["admin"])


@admin_router.get("/users", response_model=list[UserAdminView])
def list_users(session: SessionDep, offset: int = 0, limit: int = Query(default=100, le=500)) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id).offset(offset).limit(limit)))


@admin_router.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: int, admin: AdminUser, session: SessionDep) -> None:
    if user_id == admin.id:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="You cannot delete your own account")
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    session.delete(user)
    session.commit()
