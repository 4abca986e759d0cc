"""Registration, sign-in and sign-out; ``g.user`` for every request; the ``login_required`` decorator."""

import functools
from datetime import timedelta
from urllib.parse import urlsplit

from quart import Blueprint, flash, g, redirect, render_template, request, session, url_for
from quart_rate_limiter import rate_limit
from sqlalchemy import select
from werkzeug.exceptions import Unauthorized
from werkzeug.security import check_password_hash, generate_password_hash

from .models import User

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_required(view):
    """Anonymous visitors get ``Unauthorized``; the app's error handler sends them to the sign-in page."""

    @functools.wraps(view)
    async def wrapped_view(**kwargs):
        if g.user is None:
            raise Unauthorized()
        return await view(**kwargs)

    return wrapped_view


@bp.before_app_request
async def load_logged_in_user() -> None:
    user_id = session.get("user_id")
    g.user = await g.db.get(User, user_id) if user_id is not None else None


def _safe_next(target: str | None) -> str:
    """Only paths on this site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and not urlsplit(target).netloc:
        return target
    return url_for("reader.index")


@bp.route("/register", methods=["GET", "POST"])
@rate_limit(5, timedelta(hours=1))
async def register():
    if request.method == "POST":
        form = await request.form
        username = form.get("username", "").strip()
        password = form.get("password", "")
        if not username or len(password) < 12:
            await flash("A username and a password of at least 12 characters are required.")
            return await render_template("auth/register.html"), 400
        if await g.db.scalar(select(User.id).where(User.username == username)) is not None:
            await flash("That username is taken.")
            return await render_template("auth/register.html"), 400
        g.db.add(User(username=username, password_hash=generate_password_hash(password)))
        await g.db.commit()
        return redirect(url_for("auth.login"))
    return await render_template("auth/register.html")


@bp.route("/login", methods=["GET", "POST"])
@rate_limit(10, timedelta(minutes=5))
async def login():
    if request.method == "POST":
        form = await request.form
        user = await g.db.scalar(select(User).where(User.username == form.get("username", "").strip()))
        if user is None or not check_password_hash(user.password_hash, form.get("password", "")):
            await flash("Incorrect username or password.")
            return await render_template("auth/login.html"), 401
        session.clear()
        session["user_id"] = user.id
        session.permanent = True
        return redirect(_safe_next(request.args.get("next")))
    return await render_template("auth/login.html")


@bp.post("/logout")
async def logout():
    session.clear()
    return redirect(url_for("reader.index"))
