"""Token refresh endpoints of a Flask-JWT-Extended API and its mobile gateway (sample for AR209)."""

import os
from datetime import datetime, timedelta, timezone

import jwt
from flask import Blueprint, jsonify, request
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
)

from .models import RefreshSession, TokenBlocklist, db

auth = Blueprint("auth", __name__)
MOBILE_KEY = os.environ["MOBILE_JWT_KEY"]


@auth.post("/refresh")
@jwt_required(refresh=True)
def refresh():
    """Rotates: the presented refresh token is blocklisted and a new pair is issued."""
    identity = get_jwt_identity()
    db.session.add(TokenBlocklist(jti=get_jwt()["jti"], created_at=datetime.now(timezone.utc)))
    db.session.commit()
    return jsonify(
        access_token=create_access_token(identity=identity),
        refresh_token=create_refresh_token(identity=identity),
    )


@auth.post("/token/refresh")
@jwt_required(refresh=True)
def refresh_access_only():  # expect: AR209
    return jsonify(access_token=create_access_token(identity=get_jwt_identity()))


@auth.post("/refresh/pair")
@jwt_required(refresh=True)
def refresh_pair():  # expect: AR209
    identity = get_jwt_identity()
    return jsonify(
        access_token=create_access_token(identity=identity),
        refresh_token=create_refresh_token(identity=identity),
    )


@auth.post("/mobile/refresh")
def mobile_refresh():  # expect: AR209
    refresh_token = (request.get_json(silent=True) or {}).get("refresh_token", "")
    try:
        claims = jwt.decode(refresh_token, MOBILE_KEY, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.InvalidTokenError:
        return jsonify(error="invalid_grant"), 401
    expires = datetime.now(timezone.utc) + timedelta(minutes=15)
    access = jwt.encode({"sub": claims["sub"], "exp": expires}, MOBILE_KEY, algorithm="HS256")
    return jsonify(access_token=access, refresh_token=refresh_token)


@auth.post("/sessions/refresh")
def session_refresh():
    presented = (request.get_json(silent=True) or {}).get("refresh_token", "")
    stored = RefreshSession.query.filter_by(token_hash=RefreshSession.digest(presented)).first()
    if stored is None or stored.revoked_at is not None:
        return jsonify(error="invalid_grant"), 401
    stored.revoked_at = datetime.now(timezone.utc)
    replacement = RefreshSession.issue(stored.user_id)
    db.session.commit()
    return jsonify(
        access_token=create_access_token(identity=stored.user_id),
        refresh_token=replacement.token,
    )


@auth.post("/login/refresh-page")
@jwt_required()
def touch_profile():
    profile = db.session.get(RefreshSession, get_jwt()["jti"])
    db.session.refresh(profile)
    return jsonify(ok=True)
