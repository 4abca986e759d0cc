"""A Flask API still written against PyJWT 1.x, with a partner integration on authlib and webhooks
signed with python-jose (sample for AR203)."""

import json
import os

import jwt
from authlib.jose import JsonWebToken
from flask import Blueprint, g, jsonify, request
from jose import jws
from jwt import decode as jwt_decode

from .models import Partner, User

bp = Blueprint("legacy", __name__)

SECRET = os.environ["JWT_SECRET"]
WEBHOOK_KEY = os.environ["WEBHOOK_PUBLIC_KEY"]
PARTNER_KEY = os.environ["PARTNER_PUBLIC_KEY"]
TENANT_KEYS = json.loads(os.environ["TENANT_PUBLIC_KEYS"])
PEEK = {"verify_signature": False}

partner_jwt = JsonWebToken(["RS256"])


def _bearer() -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ")


@bp.get("/me")
def me():
    claims = jwt.decode(_bearer(), SECRET, algorithms=["HS256"], verify=False)  # expect: AR203
    return jsonify(user_id=claims["user_id"])


@bp.get("/profile")
def profile():
    claims = jwt_decode(  # expect: AR203
        _bearer(),
        SECRET,
        False,
        algorithms=["HS256"],
    )
    g.user_id = claims["sub"]
    return jsonify(ok=True)


def load_user_from_token(token: str):
    options = {"verify_exp": True}
    options["verify_signature"] = False
    payload = jwt.decode(token, SECRET, algorithms=["HS256"], options=options)  # expect: AR203
    return User.query.get(payload["sub"])


def authenticate(token: str):
    kwargs = dict(verify=False)
    payload = jwt.decode(token, SECRET, algorithms=["HS256"], **kwargs)  # expect: AR203
    return User.query.get(payload["sub"])


@bp.post("/webhooks/orders")
def order_webhook():
    body = jws.verify(request.get_data(as_text=True), WEBHOOK_KEY, ["RS256"], verify=False)  # expect: AR203
    sender = json.loads(body)["sender"]
    return jsonify(accepted=sender)


def current_partner(token: str):
    claims = partner_jwt.decode(token, PARTNER_KEY)  # expect: AR203[medium]
    return Partner.query.get(claims["partner_id"])


# Look-alikes: verified decodes, a pre-read that picks the key, validated authlib claims.


def current_tenant_user(token: str):
    unverified = jwt.decode(token, options=PEEK, algorithms=["RS256"])
    key = TENANT_KEYS[unverified["iss"]]
    claims = jwt.decode(token, key, algorithms=["RS256"], audience="api")
    return User.query.get(claims["sub"])


def strict_user(token: str):
    return User.query.get(jwt.decode(token, SECRET, verify=True, algorithms=["HS256"])["sub"])


def current_partner_checked(token: str):
    claims = partner_jwt.decode(token, PARTNER_KEY)
    claims.validate()
    return Partner.query.get(claims["partner_id"])
