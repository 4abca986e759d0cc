"""Sign-in, sign-up, token refresh and password reset."""

from datetime import datetime, timedelta, timezone
from typing import Annotated

import jwt
import pyotp
from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..config import settings
from ..deps import CurrentUser, SessionDep
from ..emails import send_account_exists_email, send_password_reset_email, send_welcome_email
from ..limiter import limiter
from ..models import PasswordResetToken, RefreshToken, User
from ..schemas import (
    LoginRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    SignupRequest,
    Token,
    TwoFactorRequest,
)
from ..security import (
    DUMMY_HASH,
    create_access_token,
    create_challenge_token,
    create_refresh_token,
    decode_token,
    hash_password,
    new_reset_token,
    reset_token_digest,
    verify_password,
)

router = APIRouter(prefix="/auth", tags=["auth"])

DEFAULT_SCOPES = ["items:read", "items:write", "projects:read"]
GRANTABLE_SCOPES = {"items:read", "items:write", "projects:read", "projects:write"}
MOBILE_SCOPES = ["items:read", "items:write"]


def _issue_tokens(session: Session, user: User, scopes: list[str]) -> tuple[Token, str]:
    refresh_token, jti, expires_at = create_refresh_token(user.id)
    session.add(RefreshToken(jti=jti, user_id=user.id, expires_at=expires_at))
    return Token(access_token=create_access_token(user.id, scopes), refresh_token=refresh_token), jti


def _revoke_all_refresh_tokens(session: Session, user_id: int) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


@router.post("/token", response_model=Token)
@limiter.limit(settings.login_rate_limit)
def login_for_access_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
) -> Token:
    user = session.scalars(select(User).where(User.email == form.username.lower())).first()
    if user is None:
        verify_password(form.password, DUMMY_HASH)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect email or password")
    if not verify_password(form.password, user.hashed_password) or not user.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect email or password")
    scopes = [scope for scope in form.scopes if scope in GRANTABLE_SCOPES] or DEFAULT_SCOPES
    tokens, _ = _issue_tokens(session, user, scopes)
    session.commit()
    return tokens


@router.post("/login", response_model=Token)
def login(payload: LoginRequest, session: SessionDep):  # expect: AR107
    """JSON login used by the web app and mobile v2; supports TOTP second factor."""
    user = session.scalars(select(User).where(User.email == payload.email.lower())).first()
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No account is registered with this email")  # expect: AR108
    if not verify_password(payload.password, user.hashed_password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect password")
    if not user.is_active:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Account disabled")
    if user.totp_secret:
        return JSONResponse(status_code=202, content={"challenge_token": create_challenge_token(user.id)})
    tokens, _ = _issue_tokens(session, user, DEFAULT_SCOPES)
    session.commit()
    return tokens


@router.post("/2fa/verify", response_model=Token)
def verify_second_factor(payload: TwoFactorRequest, session: SessionDep) -> Token:  # expect: AR107
    try:
        claims = decode_token(payload.challenge_token, expected_type="2fa")
    except jwt.InvalidTokenError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Challenge expired, sign in again") from None
    user = session.get(User, int(claims["sub"]))
    if user is None or not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify(payload.code, valid_window=1):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid code")
    tokens, _ = _issue_tokens(session, user, DEFAULT_SCOPES)
    session.commit()
    return tokens


@router.post("/refresh", response_model=Token)
@limiter.limit("30/minute")
def refresh_tokens(request: Request, payload: RefreshRequest, session: SessionDep) -> Token:
    invalid = HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid refresh token")
    try:
        claims = decode_token(payload.refresh_token, expected_type="refresh")
    except jwt.InvalidTokenError:
        raise invalid from None
    stored = session.get(RefreshToken, claims["jti"])
    if stored is None or stored.user_id != int(claims["sub"]):
        raise invalid
    if stored.revoked_at is not None:
        # A rotated token came back: treat the whole family as stolen.
        _revoke_all_refresh_tokens(session, stored.user_id)
        session.commit()
        raise invalid
    user = session.get(User, stored.user_id)
    if user is None or not user.is_active:
        raise invalid
    tokens, new_jti = _issue_tokens(session, user, DEFAULT_SCOPES)
    stored.revoked_at = datetime.now(timezone.utc)
    stored.replaced_by = new_jti
    session.commit()
    return tokens


@router.post("/mobile/refresh", response_model=Token)
@limiter.limit("30/minute")
def refresh_mobile(request: Request, payload: RefreshRequest, session: SessionDep) -> Token:  # expect: AR209
    # Mobile v2 keeps the refresh token from its first login in the keychain and never replaces it.
    try:
        claims = decode_token(payload.refresh_token, expected_type="refresh")
    except jwt.InvalidTokenError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid refresh token") from None
    stored = session.get(RefreshToken, claims["jti"])
    if stored is None or stored.revoked_at is not None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid refresh token")
    user = session.get(User, stored.user_id)
    if user is None or not user.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid refresh token")
    access_token = create_access_token(user.id, MOBILE_SCOPES)
    return Token(access_token=access_token, refresh_token=payload.refresh_token)


@router.post("/signup", status_code=status.HTTP_202_ACCEPTED)
@limiter.limit(settings.signup_rate_limit)
def signup(request: Request, payload: SignupRequest, session: SessionDep, background: BackgroundTasks) -> dict:
    email = payload.email.lower()
    existing = session.scalars(select(User.id).where(User.email == email)).first()
    if existing is None:
        user = User(email=email, full_name=payload.full_name, hashed_password=hash_password(payload.password))
        session.add(user)
        session.commit()
        background.add_task(send_welcome_email, email)
    else:
        background.add_task(send_account_exists_email, email)
    return {"detail": "Check your inbox to finish signing up."}


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
@limiter.limit("3/hour")
def request_password_reset(
    request: Request,
    payload: PasswordResetRequest,
    session: SessionDep,
    background: BackgroundTasks,
) -> dict:
    user = session.scalars(
        select(User).where(User.email == payload.email.lower(), User.is_active.is_(True))
    ).first()
    if user is not None:
        token, digest = new_reset_token()
        expires_at = datetime.now(timezone.utc) + timedelta(minutes=settings.password_reset_expire_minutes)
        session.add(PasswordResetToken(token_hash=digest, user_id=user.id, expires_at=expires_at))
        session.commit()
        background.add_task(send_password_reset_email, user.email, token)
    return {"detail": "If that address has an account, a reset link is on its way."}


@router.post("/password-reset/confirm")
@limiter.limit("10/hour")
def confirm_password_reset(request: Request, payload: PasswordResetConfirm, session: SessionDep) -> dict:
    record = session.get(PasswordResetToken, reset_token_digest(payload.token))
    if record is None or record.used or record.expires_at < datetime.now(timezone.utc):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "This reset link is invalid or has expired")
    user = session.get(User, record.user_id)
    user.hashed_password = hash_password(payload.new_password)
    record.used = True
    _revoke_all_refresh_tokens(session, user.id)
    session.commit()
    return {"detail": "Password updated. Sign in with your new password."}


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(current_user: CurrentUser, session: SessionDep) -> None:
    _revoke_all_refresh_tokens(session, current_user.id)
    session.commit()
