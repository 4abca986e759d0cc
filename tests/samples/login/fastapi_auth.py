"""Token login, JSON login and sign-up of a FastAPI service with slowapi (sample for AR107/AR108)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from passlib.context import CryptContext
from slowapi import Limiter
from slowapi.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import get_session
from .models import User
from .schemas import LoginBody, SignupBody
from .tokens import issue_token

router = APIRouter(prefix="/auth", tags=["auth"])
limiter = Limiter(key_func=get_remote_address)
pwd_context = CryptContext(schemes=["argon2"], deprecated="auto")
SessionDep = Annotated[Session, Depends(get_session)]


def authenticate_user(session: Session, email: str, password: str) -> User:
    user = session.scalars(select(User).where(User.email == email.lower())).first()
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")  # expect: AR108
    if not pwd_context.verify(password, user.hashed_password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect password")
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.lower())).first()


@router.post("/token")
@limiter.limit("5/minute")
def login_for_access_token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
                           session: SessionDep) -> dict:
    user = find_user(session, form.username)
    if user is None or not pwd_context.verify(form.password, user.hashed_password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect email or password")
    return {"access_token": issue_token(user.id), "token_type": "bearer"}


@router.post("/login")
def login(body: LoginBody, session: SessionDep) -> dict:  # expect: AR107
    user = authenticate_user(session, body.email, body.password)
    return {"access_token": issue_token(user.id), "token_type": "bearer"}


@router.post("/signup", status_code=status.HTTP_201_CREATED)
def signup(body: SignupBody, session: SessionDep) -> dict:  # expect: AR107
    user = User(email=body.email.lower(), hashed_password=pwd_context.hash(body.password))
    session.add(user)
    session.commit()
    return {"id": user.id}


@router.get("/me/sessions")
def health() -> dict:
    return {"status": "ok"}
