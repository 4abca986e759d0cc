"""Endpoints kept alive for the 2.x mobile apps until they are retired (Q3)."""

from flask import Blueprint, jsonify, request
from flask_jwt_extended import create_access_token, create_refresh_token

from ..models import User

legacy_bp = Blueprint("legacy", __name__)


@legacy_bp.post("/token")
def issue_token():  # expect: AR107
    """Form-encoded login used by the old mobile clients."""
    user = User.query.filter_by(email=request.form.get("username", "").strip().lower()).first()
    if user is None or not user.is_active or not user.check_password(request.form.get("password", "")):
        return jsonify(error="invalid_grant", error_description="Invalid credentials"), 400
    return jsonify(
        access_token=create_access_token(identity=user),
        refresh_token=create_refresh_token(identity=user),
        token_type="Bearer",
        expires_in=900,
    )
