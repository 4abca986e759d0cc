"""Notebook: a small server-rendered notes app. Application factory."""

from flask import Flask

from .config import Config
from .extensions import csrf, db, limiter, login_manager, oauth


def create_app(config_object: type = Config) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config_object)

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    oauth.init_app(app)
    oauth.register(
        "google",
        server_metadata_url="https://accounts.google.com/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )

    from .views.account import account_bp
    from .views.admin import admin_bp
    from .views.auth import auth_bp
    from .views.main import main_bp
    from .views.notes import notes_bp
    from .views.sso import sso_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(sso_bp, url_prefix="/sso")
    app.register_blueprint(notes_bp, url_prefix="/notes")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    return app
