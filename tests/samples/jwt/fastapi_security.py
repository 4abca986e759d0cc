"""FastAPI security helpers in the style of the official template (sample for AR203-AR207)."""

from datetime import datetime, timedelta, timezone
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt
from pydantic_settings import BaseSettings
from sqlalchemy.orm import Session

from .db import get_db
from .models import User


class Settings(BaseSettings):
    SECRET_KEY: str
    ALGORITHM: str = "HS256"
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8  # expect: AR205
    REFRESH_TOKEN_EXPIRE_DAYS: int = 7
    EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48


settings = Settings()
ISSUER = "https://api.example.com"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/login/access-token")


def create_access_token(subject: str, expires_delta: timedelta | None = None) -> str:
    if expires_delta:
        expire = datetime.now(timezone.utc) + expires_delta
    else:
        expire = datetime.now(timezone.utc) + timedelta(minutes=settings.ACCESS_TOKEN_EXPIRE_MINUTES)
    to_encode = {"exp": expire, "sub": subject, "iss": ISSUER}
    return jwt.encode(to_encode, settings.SECRET_KEY, algorithm=settings.ALGORITHM)


def create_refresh_token(subject: str, expires_delta: timedelta = timedelta(days=30)) -> str:  # expect: AR205
    expire = datetime.now(timezone.utc) + expires_delta
    return jwt.encode({"exp": expire, "sub": subject, "iss": ISSUER}, settings.SECRET_KEY, algorithm="HS256")


def create_email_token(email: str) -> str:
    expire = datetime.now(timezone.utc) + timedelta(hours=settings.EMAIL_RESET_TOKEN_EXPIRE_HOURS)
    return jwt.encode({"exp": expire, "sub": email}, settings.SECRET_KEY, algorithm="HS256")


def create_ws_ticket(user_id: int) -> str:
    return jwt.encode({"sub": str(user_id), "scope": "ws"}, "ws-ticket-key", algorithm="HS256")  # expect: AR204, AR207


def get_current_user(token: Annotated[str, Depends(oauth2_scheme)], db: Session = Depends(get_db)) -> User:
    try:
        payload = jwt.decode(token, settings.SECRET_KEY, algorithms=[settings.ALGORITHM], issuer=ISSUER)
    except JWTError:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Could not validate credentials")
    user = db.get(User, int(payload["sub"]))
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return user


def get_current_user_from_refresh(token: str, db: Session) -> User:
    payload = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])  # expect: AR206
    return db.get(User, int(payload["sub"]))


def user_from_websocket_ticket(ticket: str, db: Session) -> User | None:
    claims = jwt.get_unverified_claims(ticket)  # expect: AR203
    return db.get(User, int(claims["sub"]))


def tenant_user(token: str, db: Session) -> User | None:
    # The unverified issuer only picks the tenant's key; the token is verified right after.
    unverified = jwt.get_unverified_claims(token)
    key = _tenant_key(unverified["iss"])
    claims = jwt.decode(token, key, algorithms=["RS256"], issuer=unverified["iss"])
    return db.get(User, int(claims["sub"]))


def _tenant_key(issuer: str) -> str:
    raise NotImplementedError(issuer)
