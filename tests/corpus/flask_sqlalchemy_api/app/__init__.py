"""Ledgerly API: projects, invoices and comments for freelancers. Application factory."""

from flask import Flask, jsonify

from .config import Config
from .errors import register_error_handlers
from .extensions import db, jwt, limiter, migrate


def healthz():
    return jsonify(status="ok")


def create_app(config_object: type = Config) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config_object)

    db.init_app(app)
    migrate.init_app(app, db)
    jwt.init_app(app)
    limiter.init_app(app)

    from . import auth  # noqa: F401  (registers the JWT loaders)
    from .api.admin import admin_bp
    from .api.auth_routes import auth_bp
    from .api.comments import comments_bp
    from .api.invoices import invoices_bp
    from .api.legacy import legacy_bp
    from .api.projects import projects_bp
    from .api.public import public_bp

    # Every credential-handling endpoint under /auth shares one budget per client IP.
    limiter.limit("10 per minute")(auth_bp)

    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(legacy_bp, url_prefix="/v1/mobile")
    app.register_blueprint(projects_bp, url_prefix="/projects")
    app.register_blueprint(invoices_bp, url_prefix="/invoices")
    app.register_blueprint(comments_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(public_bp)

    app.add_url_rule("/healthz", view_func=healthz, methods=["GET"])
    register_error_handlers(app)
    return app
