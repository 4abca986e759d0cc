"""Settings for Notebook, all taken from the environment."""

import os
from datetime import timedelta


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    AUDIT_MONGO_URI = os.environ["AUDIT_MONGO_URI"]

    # Read by authlib's registry for the "google" client.
    GOOGLE_CLIENT_ID = os.environ["GOOGLE_CLIENT_ID"]
    GOOGLE_CLIENT_SECRET = os.environ["GOOGLE_CLIENT_SECRET"]

    # Hand-rolled OAuth clients (see notebook/views/sso.py).
    GITLAB_CLIENT_ID = os.environ["GITLAB_CLIENT_ID"]
    GITLAB_CLIENT_SECRET = os.environ["GITLAB_CLIENT_SECRET"]
    SLACK_CLIENT_ID = os.environ["SLACK_CLIENT_ID"]
    SLACK_CLIENT_SECRET = os.environ["SLACK_CLIENT_SECRET"]
    OKTA_DOMAIN = os.environ.get("OKTA_DOMAIN", "notebook.okta.com")
    OKTA_CLIENT_ID = os.environ["OKTA_CLIENT_ID"]
    OKTA_CLIENT_SECRET = os.environ["OKTA_CLIENT_SECRET"]
