"""Application settings, read from the environment (and a local .env in development)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="TASKS_", extra="ignore")

    project_name: str = "Tasks API"
    environment: str = "production"
    debug: bool = False

    database_url: str
    async_database_url: str

    # Signing key for access and refresh tokens; required, no default.
    jwt_secret: str = Field(min_length=32)
    jwt_algorithm: str = "HS256"
    access_token_expire_minutes: int = 15
    refresh_token_expire_days: int = 7
    password_reset_expire_minutes: int = 30

    billing_webhook_secret: str
    cors_origins: list[str] = ["https://app.tasks.example.com"]

    login_rate_limit: str = "5/minute"
    signup_rate_limit: str = "3/hour"


@lru_cache
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
