"""A Flask app with server-side sessions in Redis (Flask-Session) and a small token store (sample for AR306)."""

import os
import secrets

from flask import Flask, current_app, make_response, redirect, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_session import Session
from redis import Redis
from werkzeug.security import check_password_hash

from .models import User

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["APP_SECRET_KEY"]
app.config["SESSION_TYPE"] = "redis"
app.config["SESSION_REDIS"] = Redis.from_url(os.environ["REDIS_URL"])
Session(app)
limiter = Limiter(get_remote_address, app=app)
kiosk_sessions = Redis.from_url(os.environ["REDIS_URL"], db=2)


@app.post("/login")
@limiter.limit("5 per minute")
def login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not check_password_hash(user.password_hash, request.form["password"]):
        return redirect("/login?failed=1")
    session["user_id"] = user.id  # expect: AR306
    return redirect("/")


@app.post("/sso/login")
@limiter.limit("5 per minute")
def sso_login():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is None or not user.check_password(request.form["password"]):
        return redirect("/login?failed=1")
    session.clear()
    session["user_id"] = user.id  # expect: AR306[medium]
    return redirect("/")


@app.post("/admin/login")
@limiter.limit("5 per minute")
def admin_login():
    user = User.query.filter_by(email=request.form["email"], is_admin=True).first()
    if user is None or not user.check_password(request.form["password"]):
        return redirect("/admin/login?failed=1")
    current_app.session_interface.regenerate(session)
    session["user_id"] = user.id
    return redirect("/admin")


@app.post("/kiosk/login")
@limiter.limit("5 per minute")
def kiosk_login():
    sid = request.cookies.get("kiosk_sid")
    user = User.query.filter_by(badge=request.form["badge"]).first()
    if user is None or not user.check_password(request.form["password"]):
        return redirect("/kiosk?failed=1")
    kiosk_sessions.set(f"kiosk:{sid}", user.id, ex=3600)  # expect: AR306
    return redirect("/kiosk")


@app.post("/kiosk/v2/login")
@limiter.limit("5 per minute")
def kiosk_login_v2():
    user = User.query.filter_by(badge=request.form["badge"]).first()
    if user is None or not user.check_password(request.form["password"]):
        return redirect("/kiosk?failed=1")
    kiosk_sessions.delete(f"kiosk:{request.cookies.get('kiosk_sid')}")
    sid = secrets.token_urlsafe(32)
    kiosk_sessions.set(f"kiosk:{sid}", user.id, ex=3600)
    response = make_response(redirect("/kiosk"))
    response.set_cookie("kiosk_sid", sid, max_age=3600, httponly=True, secure=True, samesite="Lax")
    return response


@app.post("/cart")
def add_to_cart():
    session.setdefault("cart", []).append(request.form["sku"])
    session["last_item"] = request.form["sku"]
    return redirect("/cart")
