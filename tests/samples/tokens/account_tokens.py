"""Account helpers of a small Flask API: reset links, one-time codes, API keys, webhooks (sample for AR208/AR210)."""

import hashlib
import hmac
import os
import random
import string
import time
import uuid
from datetime import datetime, timedelta, timezone
from random import randint

from flask import Blueprint, abort, current_app, jsonify, request, session

bp = Blueprint("account", __name__)

ALPHABET = string.ascii_letters + string.digits
WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"].encode()
API_TOKEN = os.environ["API_TOKEN"]
RETRY_JITTER = (0.1, 0.9)


def new_reset_token() -> str:
    return "".join(random.choice(ALPHABET) for _ in range(40))  # expect: AR208


def new_reset_token_secure() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def issue_login_code(user) -> None:
    code = randint(100000, 999999)  # expect: AR208
    user.login_code = str(code)
    user.login_code_sent_at = datetime.now(timezone.utc)
    user.login_code_expires = time.time() + 300


def create_api_key(user) -> str:
    api_key = hashlib.sha256(
        f"{user.id}:{time.time()}".encode()  # expect: AR208
    ).hexdigest()
    user.api_key = api_key
    return api_key


def start_session(user) -> dict:
    session["sid"] = str(uuid.uuid1())  # expect: AR208
    session["request_id"] = str(uuid.uuid1())
    return {"user": user.id, "started": time.time()}


def pick_api_key_for_upstream() -> str:
    # Spreads calls over a pool of existing keys: selection, not generation.
    return random.choice(current_app.config["UPSTREAM_API_KEYS"])


def retry_delay(attempt: int) -> float:
    return min(30.0, 2**attempt) + random.uniform(*RETRY_JITTER)


def shuffled_feed(items: list) -> list:
    random.shuffle(items)
    return items


def api_token_for_device(device) -> dict:
    return {
        "device": device.id,
        "token": os.urandom(8).hex(),  # expect: AR208
        "nonce": os.urandom(12),
    }


@bp.post("/webhooks/payments")
def payments_webhook():
    body = request.get_data()
    expected = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    if request.headers.get("X-Signature-256") != expected:  # expect: AR210
        abort(401)
    return jsonify(ok=True)


@bp.post("/webhooks/builds")
def builds_webhook():
    body = request.get_data()
    expected = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers.get("X-Signature-256", ""), expected):
        abort(401)
    return jsonify(ok=True)


@bp.get("/internal/metrics")
def metrics():
    token = request.headers.get("X-Api-Token")
    if token is None or token == "":
        abort(401)
    if token != API_TOKEN:  # expect: AR210
        abort(403)
    return jsonify(ok=True)


@bp.post("/auth/check")
def check_token_type():
    claims = request.get_json()
    if claims.get("token_type") != "Bearer" or len(claims.get("access_token", "")) != 43:
        abort(400)
    if claims["signature_version"] == 2 and claims["token_use"] == "access":
        return jsonify(ok=True)
    return jsonify(ok=False)


@bp.post("/auth/reset/confirm")
def confirm_reset():
    user = load_user(request.form["email"])
    if user is None or user.reset_expires < datetime.now(timezone.utc) - timedelta(hours=1):
        abort(400)
    if request.form["reset_token"] == user.reset_token:  # expect: AR210
        user.set_password(request.form["new_password"])
    return jsonify(ok=True)


def load_user(email):
    return None
