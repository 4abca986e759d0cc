"""Projects: every route here is meant to need a valid access token (per-route decorators)."""

from flask import Blueprint, jsonify, request
from flask_jwt_extended import get_jwt_identity, jwt_required
from slugify import slugify

from ..auth import current_user_id, get_owned_project_or_404
from ..extensions import db
from ..models import Project

projects_bp = Blueprint("projects", __name__)

EDITABLE_FIELDS = ("name", "description", "is_public", "hourly_rate")


@projects_bp.get("/")
@jwt_required()
def list_projects():
    projects = (
        Project.query.filter_by(owner_id=current_user_id(), archived=False)
        .order_by(Project.created_at.desc())
        .all()
    )
    return jsonify([p.to_dict() for p in projects])


@projects_bp.post("/")
@jwt_required()
def create_project():
    data = request.get_json() or {}
    project = Project(**data)  # expect: AR105
    project.owner_id = current_user_id()
    project.slug = project.slug or slugify(project.name)
    db.session.add(project)
    db.session.commit()
    return jsonify(project.to_dict()), 201


@projects_bp.get("/<int:project_id>")
@jwt_required()
def get_project(project_id: int):
    project = get_owned_project_or_404(project_id)
    return jsonify(project.to_dict())


@projects_bp.patch("/<int:project_id>")
@jwt_required()
def update_project(project_id: int):
    project = get_owned_project_or_404(project_id)
    data = request.get_json() or {}
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(project, field, data[field])
    db.session.commit()
    return jsonify(project.to_dict())


@projects_bp.post("/<int:project_id>/archive")
@jwt_required()
def archive_project(project_id: int):
    project = Project.query.get_or_404(project_id)  # expect: AR102
    project.archived = True
    db.session.commit()
    return jsonify(project.to_dict())


@projects_bp.delete("/<int:project_id>")
@jwt_required()
def delete_project(project_id: int):
    project = Project.query.filter_by(id=project_id, owner_id=get_jwt_identity()).first_or_404()
    db.session.delete(project)
    db.session.commit()
    return "", 204


@projects_bp.get("/search")
def search_projects():  # expect: AR101
    term = request.args.get("q", "").strip()
    query = Project.query.filter(Project.name.ilike(f"%{term}%")) if term else Project.query
    return jsonify([p.to_dict() for p in query.limit(25)])


@projects_bp.get("/dashboard")
@jwt_required()
def dashboard():
    user_id = request.args.get("user_id", type=int)  # expect: AR104
    projects = Project.query.filter_by(owner_id=user_id, archived=False).all()
    return jsonify(
        projects=[p.to_dict() for p in projects],
        open_invoices=sum(1 for p in projects for i in p.invoices if i.status in ("draft", "sent")),
    )
