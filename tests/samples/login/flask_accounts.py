"""Sign-in, sign-up, second factor and password reset of a Flask site (sample for AR107/AR108)."""

import os

import pyotp
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from .models import User, db
from .mail import send_password_reset_email

accounts = Blueprint("accounts", __name__)
limiter = Limiter(key_func=get_remote_address)
reset_links = URLSafeTimedSerializer(os.environ["SECRET_KEY"], salt="reset")


@accounts.get("/login")
def login_page():
    return render_template("login.html")


@accounts.post("/login")
@limiter.limit("5 per minute")
def login():
    email = request.form.get("email", "").strip().lower()
    user = User.query.filter_by(email=email).first()
    if user is None:
        flash("We could not find an account with that e-mail address.")
        return render_template("login.html"), 404  # expect: AR108
    if not check_password_hash(user.password_hash, request.form.get("password", "")):
        flash("That password is not right.")
        return render_template("login.html"), 401
    login_user(user)
    return redirect(url_for("notes.index"))


@accounts.post("/login/mobile")
def mobile_login():  # expect: AR107
    data = request.get_json(silent=True) or {}
    user = User.query.filter_by(email=str(data.get("email", "")).lower()).first()
    if user is None or not check_password_hash(user.password_hash, str(data.get("password", ""))):
        return {"error": "Invalid e-mail or password"}, 401
    login_user(user)
    return {"ok": True}


@accounts.post("/login/verify")
def verify_code():  # expect: AR107
    user = db.session.get(User, session.get("pending_user_id"))
    if user is None or not pyotp.TOTP(user.totp_secret).verify(request.form.get("code", "")):
        return render_template("verify.html", error="That code did not work."), 401
    session.pop("pending_user_id")
    login_user(user)
    return redirect(url_for("notes.index"))


@accounts.post("/signup")
def signup():  # expect: AR107
    user = User(email=request.form["email"].strip().lower())
    user.password_hash = generate_password_hash(request.form["password"])
    db.session.add(user)
    db.session.commit()
    login_user(user)
    return redirect(url_for("notes.index"))


@accounts.post("/password/forgot")
def forgot_password():  # expect: AR107
    user = User.query.filter_by(email=request.form.get("email", "").strip().lower()).first()
    if user is None:
        return render_template("forgot.html", error="No account uses that address."), 404  # expect: AR108
    send_password_reset_email(user, reset_links.dumps(user.id))
    flash("Check your inbox.")
    return redirect(url_for("accounts.login_page"))


@accounts.post("/password/forgot-quietly")
@limiter.limit("3 per hour")
def forgot_password_quietly():
    user = User.query.filter_by(email=request.form.get("email", "").strip().lower()).first()
    if user is not None:
        send_password_reset_email(user, reset_links.dumps(user.id))
    flash("If that address has an account, a reset link is on its way.")
    return redirect(url_for("accounts.login_page"))


@accounts.post("/password/reset/<token>")
@limiter.limit("10 per hour")
def reset_password(token):
    try:
        user_id = reset_links.loads(token, max_age=3600)
    except BadSignature:
        return render_template("reset.html", error="This link has expired."), 400
    user = db.get_or_404(User, user_id)
    user.password_hash = generate_password_hash(request.form["password"])
    db.session.commit()
    return redirect(url_for("accounts.login_page"))


@accounts.post("/account/password")
@login_required
def change_password():
    if not check_password_hash(current_user.password_hash, request.form.get("current", "")):
        return render_template("account.html", error="Your current password is not right."), 400
    current_user.password_hash = generate_password_hash(request.form["new"])
    db.session.commit()
    return redirect(url_for("notes.index"))
