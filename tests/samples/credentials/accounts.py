"""User accounts for a Flask shop: registration, login and password changes (samples for AR501-AR505)."""

import hashlib
import hmac
import os
import secrets

from flask import Flask, current_app, request
from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import check_password_hash, generate_password_hash

app = Flask(__name__)
app.config["SECRET_KEY"] = "9c1f0e7d2b4a6e8f0a1c3e5f7b9d1f3a"  # expect: AR504
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:///shop.db")
app.config["MAIL_PASSWORD"] = os.getenv("MAIL_PASSWORD", "mailpass")  # expect: AR505
app.config["SESSION_COOKIE_NAME"] = "shop_session"
app.config["BCRYPT_LOG_ROUNDS"] = 8  # expect: AR502
db = SQLAlchemy(app)

PASSWORD_MIN_LENGTH = 10
PASSWORD_FIELD = "password"
ADMIN_TOKEN_HEADER = "X-Admin-Token"


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True)
    password = db.Column(db.String(255))
    salt = db.Column(db.String(32))
    api_token_hash = db.Column(db.String(64))


def register(form):
    if len(form.password.data) < PASSWORD_MIN_LENGTH:
        raise ValueError("password too short")
    if form.password.data != form.confirm_password.data:
        raise ValueError("passwords differ")
    user = User(email=form.email.data)
    user.salt = secrets.token_hex(16)
    user.password = hashlib.sha256((user.salt + form.password.data).encode()).hexdigest()  # expect: AR501
    db.session.add(user)
    return user


def register_from_api():
    payload = request.get_json()
    user = User(email=payload["email"], password=payload["password"])  # expect: AR503
    db.session.add(user)
    return user


def register_safely(form):
    user = User(email=form.email.data, password=generate_password_hash(form.password.data))
    db.session.add(user)
    return user


def login(email, password):
    user = User.query.filter_by(email=email).first()
    if user is None:
        return None
    if user.password == password:  # expect: AR503
        return user
    return None


def login_legacy(email, password):
    user = User.query.filter_by(email=email).first()
    digest = hashlib.md5(password.encode()).hexdigest()  # expect: AR501
    if user and hmac.compare_digest(user.password, digest):
        return user
    return None


def login_safely(email, password):
    user = User.query.filter_by(email=email).first()
    if user and check_password_hash(user.password, password):
        return user
    return None


def change_password(user, form):
    if form.new_password.data != form.repeat_password.data:
        raise ValueError("passwords differ")
    user.password = form.new_password.data  # expect: AR503
    db.session.commit()


def issue_api_token(user):
    raw_token = secrets.token_urlsafe(32)
    # Storing the SHA-256 of a random token for lookup is fine.
    user.api_token_hash = hashlib.sha256(raw_token.encode()).hexdigest()
    return raw_token


def avatar_url(user):
    return "https://www.gravatar.com/avatar/" + hashlib.md5(user.email.lower().encode()).hexdigest()


def mfa_secret():
    return current_app.config.get("MFA_SECRET", "mfa-dev-secret")  # expect: AR505


def pwned(password):
    """Checks the Have I Been Pwned range API (a SHA-1 prefix of the password leaves the process)."""
    digest = hashlib.sha1(password.encode()).hexdigest().upper()
    return digest[:5]
