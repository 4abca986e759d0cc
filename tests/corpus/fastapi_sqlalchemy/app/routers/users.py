"""The signed-in user's own account."""

from fastapi import APIRouter, Depends

from ..deps import CurrentUser, SessionDep, get_current_user
from ..models import User
from ..schemas import UserInDB, UserPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], dependencies=[Depends(get_current_user)])


@router.get("/me", response_model=UserPublic)
def read_me(current_user: CurrentUser) -> User:
    return current_user


@router.get("/me/full", response_model=UserInDB)  # expect: AR106
def read_me_full(current_user: CurrentUser) -> User:
    """Settings page: shows whether two-factor authentication is set up."""
    return current_user


@router.patch("/me", response_model=UserPublic)
def update_me(payload: UserUpdate, current_user: CurrentUser, session: SessionDep) -> User:
    for field, value in payload.model_dump(exclude_unset=True).items():  # expect: AR105
        setattr(current_user, field, value)
    session.commit()
    session.refresh(current_user)
    return current_user
