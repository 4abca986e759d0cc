"""Settings from the environment. Nothing secret is written here."""

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: os.environ["DATABASE_URL"])
    redis_url: str = field(default_factory=lambda: os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    session_max_age: int = 60 * 60 * 12
    allowed_origins: tuple[str, ...] = ("https://projects.example.com",)


settings = Settings()
