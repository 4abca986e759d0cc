"""A small Flask shop: login, cart, a partner API and a payment webhook (sample for AR301-AR305)."""

import hashlib
import hmac
import os
from datetime import timedelta

from flask import Flask, jsonify, make_response, redirect, request, session
from flask_cors import CORS, cross_origin
from flask_wtf.csrf import CSRFProtect

from .auth import check_password, issue_token, load_user

app = Flask(__name__)
app.config.from_object("shop.config.ProductionConfig")
app.config["SECRET_KEY"] = os.environ["SHOP_SECRET_KEY"]
app.config.update(
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SECURE=False,  # expect: AR302
    PERMANENT_SESSION_LIFETIME=timedelta(days=365),  # expect: AR302
)
app.config["WTF_CSRF_ENABLED"] = False  # expect: AR303
if app.testing:
    app.config["SESSION_COOKIE_SECURE"] = False

csrf = CSRFProtect(app)
CORS(app, resources={r"/public/*": {"origins": "*"}})
CORS(app, supports_credentials=True)  # expect: AR304

THEME_COOKIE = "theme"
AUTH_COOKIE_NAME = "shop_auth"


@app.post("/login")
def login():  # expect: AR107
    user = load_user(request.form["email"])
    if user is None or not check_password(user, request.form["password"]):
        return redirect("/login?failed=1")
    session["user_id"] = user.id
    resp = make_response(redirect("/"))
    resp.set_cookie("remember_token", issue_token(user), max_age=30 * 24 * 3600)  # expect: AR301
    resp.set_cookie(  # expect: AR301
        AUTH_COOKIE_NAME,
        issue_token(user),
        max_age=3600,
        secure=True,
        samesite="Lax",
    )
    resp.set_cookie(THEME_COOKIE, request.form.get("theme", "light"))
    return resp


@app.post("/logout")
def logout():
    session.clear()
    resp = make_response(redirect("/"))
    resp.set_cookie("remember_token", "", expires=0)
    return resp


@app.get("/api/token")
def api_token():
    resp = jsonify(ok=True)
    resp.set_cookie("access_token", issue_token(None), max_age=900, httponly=True, secure=True, samesite="Strict")
    return resp


@app.route("/cart/add", methods=["POST"])
@csrf.exempt  # expect: AR303
def add_to_cart():
    session.setdefault("cart", []).append(request.form["sku"])
    return redirect("/cart")


@app.route("/status")
@csrf.exempt
def status():
    return jsonify(ok=True)


@app.post("/webhooks/payments")
@csrf.exempt
def payment_webhook():
    expected = hmac.new(os.environ["PAY_WEBHOOK_KEY"].encode(), request.data, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Pay-Signature", "")):
        return "bad signature", 400
    return "", 204


@app.get("/partner/me")
@cross_origin(origins="*", supports_credentials=True)  # expect: AR304
def partner_me():
    return jsonify(user=session.get("user_id"))


@app.after_request
def partner_cors(resp):
    origin = request.headers.get("Origin")
    if origin in os.environ.get("PARTNER_ORIGINS", "").split(","):
        resp.headers["Access-Control-Allow-Origin"] = origin
        resp.headers["Access-Control-Allow-Credentials"] = "true"
    return resp


def widget_cors(resp):
    resp.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]  # expect: AR304
    resp.headers["Access-Control-Allow-Credentials"] = "true"
    return resp


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, debug=True)  # expect: AR305
