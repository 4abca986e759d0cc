"""A Flask app that keeps who is logged in in cookies named after nothing in particular, next to its
preference, consent and CSRF cookies (sample for AR301)."""

import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from flask import Flask, make_response, redirect, request, session
from flask_jwt_extended import create_access_token
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer

from .auth import check_password
from .models import User

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
limiter = Limiter(get_remote_address, app=app)
signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="login")
JWT_KEY = os.environ["JWT_KEY"]
ONE_WEEK = 7 * 24 * 3600


@app.post("/login")
@limiter.limit("5 per minute")
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not check_password(user, request.form["password"]):
        return redirect("/login?failed=1")
    resp = make_response(redirect("/"))
    resp.set_cookie("userid", str(user.id), max_age=ONE_WEEK, secure=False, samesite="Lax")  # expect: AR301[medium]
    expires = datetime.now(UTC) + timedelta(hours=1)
    value = jwt.encode({"sub": str(user.id), "exp": expires}, JWT_KEY, algorithm="HS256")
    resp.set_cookie("c", value, max_age=3600, httponly=True, samesite="Strict")  # expect: AR301[high]
    resp.set_cookie(  # expect: AR301[high]
        "api",
        create_access_token(identity=user.id),
        max_age=900,
        secure=True,
        samesite="Strict",
    )
    resp.set_cookie("u", signer.dumps({"id": user.id}), max_age=ONE_WEEK, secure=True)  # expect: AR301[medium]
    resp.set_cookie("device", secrets.token_urlsafe(32), max_age=ONE_WEEK, httponly=True)  # expect: AR301[medium]
    return resp


@app.post("/sso/callback")
def sso_callback():
    resp = make_response(redirect("/"))
    resp.set_cookie("cookie", session["sso_token"], max_age=3600, samesite="Lax", secure=True)  # expect: AR301[medium]
    return resp


# Preference, consent, analytics and CSRF cookies: nothing to steal, or meant to be read by the page.


@app.post("/preferences")
def preferences():
    resp = make_response(redirect("/settings"))
    resp.set_cookie("theme", request.form["theme"], max_age=ONE_WEEK)
    resp.set_cookie("lang", request.form["lang"], max_age=ONE_WEEK)
    resp.set_cookie("cookie_consent", signer.dumps("all"), max_age=ONE_WEEK)
    resp.set_cookie("visitor_id", str(uuid.uuid4()), max_age=ONE_WEEK)
    resp.set_cookie("csrf", generate_csrf(), max_age=3600, secure=True, samesite="Strict")
    return resp


@app.post("/logout")
def logout():
    resp = make_response(redirect("/"))
    resp.set_cookie("userid", "", expires=0)
    return resp
