"""Sign-in with a signed ``uid`` cookie, an account lockout after repeated failures, and ``login_required``."""

import functools
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from bottle import abort, post, request, response
from sqlalchemy import select

from .config import COOKIE_MAX_AGE, COOKIE_SECRET, LOCKOUT_MINUTES, MAX_FAILED_LOGINS
from .models import Session, User

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("no-such-account")


def current_user_id() -> int | None:
    uid = request.get_cookie("uid", secret=COOKIE_SECRET)  # expect: AR308
    return int(uid) if uid else None


def login_required(callback):
    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        if current_user_id() is None:
            abort(401, "Please sign in")
        return callback(*args, **kwargs)

    return wrapper


def _locked_out(user: User | None, now: datetime) -> bool:
    return user is not None and user.locked_until is not None and user.locked_until > now


@post("/login")
def login():
    email = request.forms.getunicode("email", "").strip().lower()
    password = request.forms.getunicode("password", "")
    now = datetime.now(UTC)
    with Session() as db:
        user = db.scalar(select(User).where(User.email == email))
        if _locked_out(user, now):
            abort(429, "Too many failed sign-ins; try again later")
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except VerificationError:
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILED_LOGINS:
                    user.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
                    user.failed_logins = 0
                db.commit()
            abort(401, "Wrong e-mail or password")
        if user is None:
            abort(401, "Wrong e-mail or password")
        user.failed_logins = 0
        db.commit()
        response.set_cookie("uid", str(user.id), secret=COOKIE_SECRET, max_age=COOKIE_MAX_AGE, path="/",
                            httponly=True, secure=True, samesite="strict")
    return {"ok": True}


@post("/logout")
def logout():
    response.delete_cookie("uid", path="/")
    return {"ok": True}
