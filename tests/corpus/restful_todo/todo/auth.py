"""Flask-JWT-Extended glue: tokens carry the user id; ``current_user`` is loaded from it."""

from .extensions import db, jwt
from .models import User


@jwt.user_identity_loader
def user_identity(user: User) -> str:
    return str(user.id)


@jwt.user_lookup_loader
def load_user(_jwt_header, jwt_data):
    return db.session.get(User, int(jwt_data["sub"]))
