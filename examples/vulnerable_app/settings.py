"""Configuration for the notes service."""

import os

SECRET_KEY = "super-secret-dev-key"
JWT_SECRET = os.getenv("JWT_SECRET", "dev-jwt-secret")
DATABASE_PATH = os.environ.get("DATABASE_PATH", "notes.db")

SESSION_COOKIE_SECURE = False
SESSION_COOKIE_HTTPONLY = True
WTF_CSRF_ENABLED = False

OAUTH_CLIENT_ID = os.environ.get("OAUTH_CLIENT_ID", "")
OAUTH_TOKEN_URL = "http://sso.acme-notes.com/oauth/token"
