"""A Flask + Flask-JWT-Extended JSON API: what handlers take from the request and give back (AR104-AR106)."""

from flask import Blueprint, abort, jsonify, request
from flask_jwt_extended import get_jwt_identity, jwt_required
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
api = Blueprint("api", __name__, url_prefix="/api")

EDITABLE_PROFILE_FIELDS = ("display_name", "bio", "timezone")


class SerializerMixin:
    def to_dict(self):
        return {column.name: getattr(self, column.name) for column in self.__table__.columns}


class User(SerializerMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True)
    display_name = db.Column(db.String(80))
    bio = db.Column(db.Text)
    timezone = db.Column(db.String(40))
    password_hash = db.Column(db.String(255))
    api_key = db.Column(db.String(64))
    role = db.Column(db.String(20), default="member")

    def to_public_dict(self):
        return {"id": self.id, "display_name": self.display_name, "bio": self.bio}


class Project(SerializerMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    name = db.Column(db.String(120))
    archived = db.Column(db.Boolean, default=False)


class Comment(SerializerMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.Integer, db.ForeignKey("project.id"))
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    body = db.Column(db.Text)


@api.get("/projects")
@jwt_required()
def list_projects():
    projects = Project.query.filter_by(owner_id=get_jwt_identity(), archived=False).all()
    return jsonify([p.to_dict() for p in projects])


@api.get("/projects/dashboard")
@jwt_required()
def dashboard():
    owner = request.args.get("user_id", type=int)  # expect: AR104
    projects = Project.query.filter_by(owner_id=owner).all()
    return jsonify(count=len(projects))


@api.post("/projects")
@jwt_required()
def create_project():
    data = request.get_json() or {}
    project = Project(**data)  # expect: AR105
    project.owner_id = get_jwt_identity()
    db.session.add(project)
    db.session.commit()
    return jsonify(project.to_dict()), 201


@api.post("/projects/<int:project_id>/comments")
@jwt_required()
def add_comment(project_id):
    project = Project.query.filter_by(id=project_id, owner_id=get_jwt_identity()).first_or_404()
    payload = request.get_json() or {}
    comment = Comment(
        project_id=project.id,
        author_id=payload.get("author_id"),  # expect: AR104
        body=payload["body"],
    )
    db.session.add(comment)
    db.session.commit()
    return jsonify(comment.to_dict()), 201


@api.post("/projects/<int:project_id>/notes")
@jwt_required()
def add_note(project_id):
    project = Project.query.filter_by(id=project_id, owner_id=get_jwt_identity()).first_or_404()
    comment = Comment(project_id=project.id, author_id=get_jwt_identity(), body=request.json["body"])
    db.session.add(comment)
    db.session.commit()
    return jsonify(comment.to_dict()), 201


@api.get("/projects/shared")
@jwt_required()
def shared_with():
    user_id = request.args.get("user_id", type=int)
    if user_id != get_jwt_identity():
        abort(403)
    return jsonify([p.to_dict() for p in Project.query.filter_by(owner_id=user_id)])


@api.patch("/me")
@jwt_required()
def update_me():
    user = User.query.get_or_404(get_jwt_identity())
    for key, value in (request.get_json() or {}).items():  # expect: AR105
        setattr(user, key, value)
    db.session.commit()
    return jsonify(user.to_public_dict())


@api.patch("/me/profile")
@jwt_required()
def update_profile():
    user = User.query.get_or_404(get_jwt_identity())
    data = request.get_json() or {}
    for field in EDITABLE_PROFILE_FIELDS:
        if field in data:
            setattr(user, field, data[field])
    db.session.commit()
    return jsonify(user.to_public_dict())


@api.get("/me")
@jwt_required()
def me():
    user = User.query.get_or_404(get_jwt_identity())
    return jsonify(user.to_dict())  # expect: AR106


@api.get("/users/<int:user_id>")
@jwt_required()
def public_profile(user_id):
    return jsonify(User.query.get_or_404(user_id).to_public_dict())
