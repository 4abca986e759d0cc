"""Settings, read from the environment (no defaults for secrets)."""

import os

DATABASE_URL = os.environ["CLINIC_DATABASE_URL"]
COOKIE_SECRET = os.environ["CLINIC_COOKIE_SECRET"]
# The clinic's single sign-on service signs the `clinic_user` cookie for this domain.
LOGIN_URL = "https://sso.clinic.example.com/login"
PORT = int(os.environ.get("CLINIC_PORT", "8888"))
