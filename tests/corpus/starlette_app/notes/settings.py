"""Configuration from the environment (or a .env file next to the process)."""

from starlette.config import Config
from starlette.datastructures import CommaSeparatedStrings, Secret

config = Config(".env")

DEBUG = config("DEBUG", cast=bool, default=False)
PUBLIC_URL = config("PUBLIC_URL", default="https://notes.example.com")
SECRET_KEY = config("SECRET_KEY", cast=Secret)
MONGODB_URL = config("MONGODB_URL", cast=Secret)

API_TOKEN_SECRET = config("API_TOKEN_SECRET", cast=Secret)
API_TOKEN_ISSUER = "https://notes.example.com"
API_TOKEN_AUDIENCE = "notes-api"
API_TOKEN_TTL_MINUTES = 15

ALLOWED_REDIRECT_HOSTS = config(
    "ALLOWED_REDIRECT_HOSTS", cast=CommaSeparatedStrings, default="notes.example.com,help.notes.example.com"
)

GITHUB_CLIENT_ID = config("GITHUB_CLIENT_ID")
GITHUB_CLIENT_SECRET = config("GITHUB_CLIENT_SECRET", cast=Secret)
GITLAB_CLIENT_ID = config("GITLAB_CLIENT_ID")
GITLAB_CLIENT_SECRET = config("GITLAB_CLIENT_SECRET", cast=Secret)
