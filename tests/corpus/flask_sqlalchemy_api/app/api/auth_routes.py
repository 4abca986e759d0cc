"""Sign-up, login, token refresh, logout, the caller's own profile, and password reset."""

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    current_user,
    get_jwt_identity,
    jwt_required,
)
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from ..auth import revoke_current_token
from ..extensions import db, limiter
from ..mail import send_password_reset
from ..models import User

auth_bp = Blueprint("auth", __name__)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


@auth_bp.post("/register")
def register():
    data = request.get_json() or {}
    email = (data.get("email") or "").strip().lower()
    password = data.get("password") or ""
    if "@" not in email or len(password) < 12:
        return jsonify(msg="A valid email and a password of at least 12 characters are required"), 400
    user = User(email=email, name=(data.get("name") or email.split("@")[0])[:120])
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return jsonify(msg="Registration failed"), 400
    return jsonify(user=user.to_public_dict()), 201


@auth_bp.post("/login")
@limiter.limit("5 per minute")
def login():
    data = request.get_json() or {}
    user = User.query.filter_by(email=(data.get("email") or "").strip().lower()).first()
    if user is None:
        return jsonify(msg="No account is registered with this email"), 404  # expect: AR108
    if not user.check_password(data.get("password") or ""):
        return jsonify(msg="Incorrect password"), 401
    if not user.is_active:
        return jsonify(msg="This account has been deactivated"), 403
    return jsonify(
        access_token=create_access_token(identity=user),
        refresh_token=create_refresh_token(identity=user),
    )


@auth_bp.post("/refresh")
@jwt_required(refresh=True)
def refresh():
    """Rotate: the presented refresh token is revoked and a new pair is issued."""
    identity = get_jwt_identity()
    revoke_current_token()
    db.session.commit()
    return jsonify(
        access_token=create_access_token(identity=identity),
        refresh_token=create_refresh_token(identity=identity),
    )


@auth_bp.post("/token/refresh")
@jwt_required(refresh=True)
def refresh_access_token():  # expect: AR209
    """Kept for the 2.x mobile builds, which only understand ``access_token`` in the response."""
    identity = get_jwt_identity()
    return jsonify(access_token=create_access_token(identity=identity))


@auth_bp.delete("/logout")
@jwt_required(verify_type=False)
def logout():
    revoke_current_token()
    db.session.commit()
    return jsonify(msg="Signed out")


@auth_bp.get("/me")
@jwt_required()
def me():
    return jsonify(current_user.to_public_dict())


@auth_bp.patch("/me")
@jwt_required()
def update_me():
    data = request.get_json() or {}
    for key, value in data.items():  # expect: AR105
        setattr(current_user, key, value)
    db.session.commit()
    return jsonify(current_user.to_public_dict())


@auth_bp.post("/password/forgot")
def forgot_password():
    email = ((request.get_json() or {}).get("email") or "").strip().lower()
    user = User.query.filter_by(email=email, is_active=True).first()
    if user is not None:
        token = _reset_serializer().dumps(user.email)
        send_password_reset(user.email, url_for("auth.reset_password", token=token, _external=True))
    return jsonify(msg="If that address has an account, a reset link is on its way."), 202


@auth_bp.post("/password/reset/<token>")
def reset_password(token: str):
    try:
        email = _reset_serializer().loads(token, max_age=3600)
    except Exception:
        return jsonify(msg="This reset link is invalid or has expired"), 400
    password = (request.get_json() or {}).get("password") or ""
    if len(password) < 12:
        return jsonify(msg="Passwords need at least 12 characters"), 400
    user = User.query.filter_by(email=email).first_or_404()
    user.set_password(password)
    db.session.commit()
    return jsonify(msg="Password updated")
