"""Account links and the installer of a small Flask app: an e-mail change confirmed through a signed,
expiring link and a first-run setup that sets the administrator's password once cannot be brute-forced,
and an administrator creating accounts is signed in (AR107 look-alikes). The six-digit code of the
second login step is guessable in a million tries, and nothing limits them (AR107; medium in a lone file,
where the app-wide limits cannot be seen)."""

import functools

import pyotp
from flask import Flask, abort, redirect, render_template, request, session
from flask_login import current_user, login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .auth import authenticate
from .models import Config, User, db

app = Flask(__name__)
links = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="email-change")


def admin_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _check_token(username, token, email):
    user = authenticate(username=username, token=token)
    if user is None:
        abort(400)
    user.email = email
    db.session.commit()


@app.route("/account/email/<signed_payload>")
def change_email_verify(signed_payload):
    try:
        payload = links.loads(signed_payload, max_age=900)
    except BadSignature:
        return render_template("bad_link.html"), 400
    _check_token(payload["u"], payload["t"], payload["e"])
    return redirect("/account")


@app.route("/setup", methods=["GET", "POST"])
def setup():
    if Config.is_setup():
        return redirect("/")
    if request.method == "POST":
        admin = User(name=request.form["name"], email=request.form["email"], is_admin=True)
        admin.set_password(request.form["password"])
        db.session.add(admin)
        Config.mark_setup()
        db.session.commit()
        login_user(admin)
        return redirect("/")
    return render_template("setup.html")


@app.post("/admin/users")
@admin_required
def create_user():
    user = User(name=request.form["name"], email=request.form["email"])
    user.set_password(request.form["password"])
    db.session.add(user)
    db.session.commit()
    return redirect("/admin/users")


@app.post("/login/code")
def second_factor():  # expect: AR107[medium]
    user = db.session.get(User, session["pending_user"])
    if not pyotp.TOTP(user.totp_secret).verify(request.form["code"]):
        abort(401)
    login_user(user)
    return redirect("/")
