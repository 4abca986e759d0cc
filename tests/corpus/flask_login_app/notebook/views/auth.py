"""Password login (with optional TOTP), sign-up, logout and password reset."""

from urllib.parse import urlparse

import pyotp
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..audit import record
from ..extensions import db, limiter
from ..forms import LoginForm, ResetPasswordForm, ResetRequestForm, SignupForm, TwoFactorForm
from ..mail import send_reset_email
from ..models import User
from ..security import is_safe_redirect_url

auth_bp = Blueprint("auth", __name__)


def _reset_tokens() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="notebook-password-reset")


@auth_bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5/minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("notes.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = User.query.filter_by(email=form.email.data.strip().lower()).first()
        if user is None or not user.check_password(form.password.data):
            record("login.failed", None, email=form.email.data)
            flash("Invalid email or password.", "danger")
            return render_template("auth/login.html", form=form), 401
        if not user.is_active:
            flash("This account is suspended. Contact support@notebook.app.", "warning")
            return render_template("auth/login.html", form=form), 403
        next_url = request.args.get("next")
        if user.totp_secret:
            session["pending_2fa_user"] = user.id
            session["pending_2fa_remember"] = form.remember.data
            return redirect(url_for("auth.two_factor", next=next_url))
        login_user(user, remember=form.remember.data)
        record("login.succeeded", user.id)
        if not is_safe_redirect_url(next_url):
            next_url = url_for("notes.index")
        return redirect(next_url)
    return render_template("auth/login.html", form=form)


@auth_bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit("5/minute")
def two_factor():
    user_id = session.get("pending_2fa_user")
    if user_id is None:
        return redirect(url_for("auth.login"))
    form = TwoFactorForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = db.session.get(User, user_id)
        if user is None or not pyotp.TOTP(user.totp_secret).verify(form.code.data, valid_window=1):
            flash("That code did not work.", "danger")
            return render_template("auth/two_factor.html", form=form), 401
        session.pop("pending_2fa_user")
        login_user(user, remember=session.pop("pending_2fa_remember", False))
        record("login.succeeded", user.id, mfa=True)
        return redirect(form.next.data or url_for("notes.index"))  # expect: AR405
    return render_template("auth/two_factor.html", form=form)


@auth_bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    next_url = request.args.get("next", "")
    parsed = urlparse(next_url)
    if next_url and parsed.netloc == "" and parsed.scheme == "" and next_url.startswith("/"):
        return redirect(next_url)
    return redirect(url_for("main.index"))


@auth_bp.route("/signup", methods=["GET", "POST"])
def signup():  # expect: AR107
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if User.query.filter_by(email=email).first() is not None:
            flash("Could not create the account. If you already have one, sign in or reset your password.")
            return render_template("auth/signup.html", form=form), 400
        user = User(email=email, name=form.name.data.strip())
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        login_user(user)
        record("user.signed_up", user.id)
        return redirect(request.args.get("next") or url_for("notes.index"))  # expect: AR405
    return render_template("auth/signup.html", form=form)


@auth_bp.route("/reset", methods=["GET", "POST"])
def reset_request():  # expect: AR107
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = User.query.filter_by(email=form.email.data.strip().lower()).first()
        if user is None:
            return render_template("auth/reset_request.html", form=form, error="No account uses that email address.")  # expect: AR108
        token = _reset_tokens().dumps(user.id)
        send_reset_email(user, url_for("auth.reset_password", token=token, _external=True))
        flash("Check your inbox for a link to choose a new password.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@auth_bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10/hour")
def reset_password(token: str):
    try:
        user_id = _reset_tokens().loads(token, max_age=3600)
    except (SignatureExpired, BadSignature):
        flash("That reset link is invalid or has expired.", "warning")
        return redirect(url_for("auth.reset_request"))
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        db.session.commit()
        record("password.reset", user.id)
        flash("Password changed. You can sign in now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, token=token)
