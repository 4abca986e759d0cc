"""The GraphQL context (a database session and the signed-in user from the session cookie) and auth helpers."""

from functools import wraps

from graphql import GraphQLError

from .models import SessionLocal, User


def get_context_value(request, data):
    db = SessionLocal()
    user_id = request.session.get("user_id")
    user = db.get(User, user_id) if user_id is not None else None
    return {"request": request, "db": db, "user": user}


def login_required(resolver):
    @wraps(resolver)
    def wrapper(obj, info, **kwargs):
        if info.context["user"] is None:
            raise GraphQLError("Sign in to manage expense reports")
        return resolver(obj, info, **kwargs)

    return wrapper


def require_user(info):
    user = info.context["user"]
    if user is None:
        raise GraphQLError("Sign in to manage expense reports")
    return user
