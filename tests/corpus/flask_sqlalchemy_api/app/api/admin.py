"""Back-office endpoints for Ledgerly staff."""

from flask import Blueprint, abort, jsonify, request
from flask_jwt_extended import jwt_required
from sqlalchemy import delete

from ..auth import admin_required
from ..extensions import db
from ..models import Project, User

admin_bp = Blueprint("admin", __name__)

ROLES = ("member", "admin")


@admin_bp.get("/users/<int:user_id>")
@admin_required
def get_user(user_id: int):
    user = User.query.get_or_404(user_id)
    return jsonify(user.to_dict())  # expect: AR106


@admin_bp.put("/users/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    role = (request.get_json() or {}).get("role")
    if role not in ROLES:
        abort(400, description=f"role must be one of {', '.join(ROLES)}")
    user = db.get_or_404(User, user_id)
    user.role = role
    db.session.commit()
    return jsonify(user.to_public_dict())


@admin_bp.delete("/projects/archived")
@jwt_required()
def purge_archived_projects():  # expect: AR103
    result = db.session.execute(delete(Project).where(Project.archived.is_(True)))
    db.session.commit()
    return jsonify(deleted=result.rowcount)
