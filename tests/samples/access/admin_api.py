"""Admin blueprint: one route lost its role check (sample for AR103)."""

from functools import wraps

from flask import Blueprint, abort, jsonify
from flask_jwt_extended import get_jwt, jwt_required
from sqlalchemy import delete

from .models import Project, User, db

admin_bp = Blueprint("admin", __name__, url_prefix="/api/admin")


def admin_required(fn):
    @wraps(fn)
    @jwt_required()
    def wrapper(*args, **kwargs):
        if get_jwt().get("role") != "admin":
            abort(403)
        return fn(*args, **kwargs)
    return wrapper


@admin_bp.get("/users")
@admin_required
def list_users():
    return jsonify([u.to_public_dict() for u in User.query.order_by(User.id).all()])


@admin_bp.delete("/projects/archived")
@jwt_required()
def purge_archived_projects():  # expect: AR103
    result = db.session.execute(delete(Project).where(Project.archived.is_(True)))
    db.session.commit()
    return jsonify(deleted=result.rowcount)
