"""A Flask app that keeps state in signed cookies, some of it pickled (sample for AR308)."""

import base64
import json
import os
import pickle
import zlib

from flask import Flask, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from .cache import redis_client

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["APP_SECRET_KEY"]
SECRET_KEY = app.config["SECRET_KEY"]


class LegacySessionInterface(SecureCookieSessionInterface):
    """Sessions written by the old app stored datetimes and sets; pickle read them all."""

    salt = "legacy-session"
    serializer = pickle  # expect: AR308


class JSONSessionInterface(SecureCookieSessionInterface):
    salt = "session"
    serializer = json


if os.environ.get("LEGACY_SESSIONS") == "1":
    app.session_interface = LegacySessionInterface()
else:
    app.session_interface = JSONSessionInterface()

# Remember-me tokens: pickled, so a forged one runs code once the key leaks.
remember_signer = URLSafeTimedSerializer(SECRET_KEY, salt="remember-me", serializer=pickle)  # expect: AR308
# Unsubscribe links: the default JSON serializer.
unsubscribe_signer = URLSafeSerializer(SECRET_KEY, salt="unsubscribe")


@app.get("/me")
def me():
    token = request.cookies.get("remember")
    if not token:
        return jsonify(user=None)
    try:
        data = remember_signer.loads(token, max_age=30 * 24 * 3600)
    except BadSignature:
        return jsonify(user=None)
    return jsonify(user=data.get("user_id"))


@app.get("/unsubscribe/<token>")
def unsubscribe(token):
    try:
        email = unsubscribe_signer.loads(token)
    except BadSignature:
        return jsonify(ok=False), 400
    return jsonify(ok=True, email=email)


@app.get("/cart")
def cart():
    raw = request.cookies.get("cart")
    if not raw:
        return jsonify(items=[])
    items = pickle.loads(zlib.decompress(base64.urlsafe_b64decode(raw)))  # expect: AR308
    return jsonify(items=items)


@app.post("/widgets/restore")
def restore_widgets():
    state = request.headers.get("X-Widget-State", "")
    layout = pickle.loads(bytes.fromhex(state))  # expect: AR308
    return jsonify(layout=layout)


@app.get("/reports/<int:report_id>")
def report(report_id):
    # The server pickled this itself; the client only picks which report.
    cached = redis_client.get(f"report:{report_id}")
    if cached is None:
        return jsonify(error="not ready"), 404
    return jsonify(pickle.loads(cached))


def warm_cache(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)
