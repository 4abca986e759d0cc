"""Authentication glue for Flask-JWT-Extended, plus the project's own guards and access helpers."""

from functools import wraps

from flask import abort
from flask_jwt_extended import current_user, get_jwt, get_jwt_identity, jwt_required

from .extensions import db, jwt
from .models import Project, TokenBlocklist, User


@jwt.user_identity_loader
def user_identity_lookup(user):
    return str(user.id) if isinstance(user, User) else str(user)


@jwt.user_lookup_loader
def user_lookup_callback(_jwt_header, jwt_data):
    return db.session.get(User, int(jwt_data["sub"]))


@jwt.token_in_blocklist_loader
def check_if_token_revoked(_jwt_header, jwt_payload) -> bool:
    jti = jwt_payload["jti"]
    return db.session.query(TokenBlocklist.id).filter_by(jti=jti).scalar() is not None


@jwt.additional_claims_loader
def add_role_claim(identity):
    user = identity if isinstance(identity, User) else db.session.get(User, int(identity))
    return {"role": user.role if user else "member"}


def current_user_id() -> int:
    """The authenticated user's id (the token subject)."""
    return int(get_jwt_identity())


def revoke_current_token() -> None:
    claims = get_jwt()
    db.session.add(TokenBlocklist(jti=claims["jti"], token_type=claims["type"], user_id=current_user_id()))


def admin_required(fn):
    """Valid access token AND the admin role."""

    @wraps(fn)
    @jwt_required()
    def wrapper(*args, **kwargs):
        if get_jwt().get("role") != "admin" or not current_user.is_admin:
            abort(403)
        return fn(*args, **kwargs)

    return wrapper


def get_owned_project_or_404(project_id: int) -> Project:
    """Load a project the caller owns; anyone else gets a 404 so ids cannot be probed."""
    project = db.session.get(Project, project_id)
    if project is None or project.owner_id != current_user_id():
        abort(404)
    return project
