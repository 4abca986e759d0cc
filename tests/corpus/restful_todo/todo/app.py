"""Application factory and the route table: the ``Api`` and its routes are declared here, the
resources live in ``resources.py``."""

import os
from datetime import timedelta

from flask import Flask
from flask_restful import Api

from . import auth  # noqa: F401  (registers the JWT loaders)
from .extensions import db, jwt, limiter
from .resources import (
    Leaderboard,
    TodoItemCollection,
    TodoItemResource,
    TodoListCollection,
    TodoListResource,
    TokenResource,
)

api = Api(prefix="/api/v1")
api.add_resource(TokenResource, "/auth/token")
api.add_resource(TodoListCollection, "/lists")
api.add_resource(TodoListResource, "/lists/<int:list_id>")
api.add_resource(TodoItemCollection, "/lists/<int:list_id>/items")
api.add_resource(TodoItemResource, "/items/<int:item_id>")
api.add_resource(Leaderboard, "/leaderboard")


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]
    app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(minutes=30)
    app.config["RATELIMIT_STORAGE_URI"] = os.environ.get("REDIS_URL", "memory://")
    db.init_app(app)
    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    return app
