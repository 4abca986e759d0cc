"""Sessions (Beaker), sign-in and sign-out, and the ``login_required`` decorator the wiki's routes use."""

import functools
import time
from collections import defaultdict, deque

import bcrypt
from bottle import Bottle, HTTPError, abort, redirect, request

from .models import User

auth_app = Bottle()

# Verified when the e-mail is unknown, so both failures cost the same.
_DUMMY_HASH = bcrypt.hashpw(b"unknown-account", bcrypt.gensalt())
_attempts: dict[str, deque[float]] = defaultdict(deque)


def _session():
    return request.environ["beaker.session"]


def current_user_id() -> int:
    """The signed-in user's id, from the session (behind ``login_required``)."""
    return _session()["user_id"]


def login_required(callback):
    """Answer 401 unless the Beaker session holds a signed-in user."""

    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        if _session().get("user_id") is None:
            abort(401, "Sign in to use the wiki")
        return callback(*args, **kwargs)

    return wrapper


def rate_limited(max_calls: int, per_seconds: int):
    """At most ``max_calls`` per client address in any ``per_seconds`` window, else 429."""

    def decorator(callback):
        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            window = _attempts[request.remote_addr]
            now = time.monotonic()
            while window and window[0] < now - per_seconds:
                window.popleft()
            if len(window) >= max_calls:
                raise HTTPError(429, "Too many attempts, try again in a minute")
            window.append(now)
            return callback(*args, **kwargs)

        return wrapper

    return decorator


@auth_app.post("/login")
@rate_limited(max_calls=5, per_seconds=60)
def login(db):
    email = request.forms.getunicode("email", "").strip().lower()
    password = request.forms.getunicode("password", "").encode()
    user = db.query(User).filter_by(email=email, is_active=True).one_or_none()
    if not bcrypt.checkpw(password, user.password_hash.encode() if user else _DUMMY_HASH) or user is None:
        abort(401, "Wrong e-mail or password")
    session = _session()
    session.invalidate()
    session["user_id"] = user.id
    session.save()
    redirect("/pages")


@auth_app.post("/logout")
def logout():
    _session().delete()
    redirect("/login")
