"""Settings from the environment (and a ``.env`` file), with Probot's names.

``APP_ID``, ``PRIVATE_KEY`` or ``PRIVATE_KEY_PATH``, ``WEBHOOK_SECRET``,
``GITHUB_API_URL``, ``DATABASE_PATH``, ``PORT``, ``HOST``, ``LOG_LEVEL``; ``ADMIN_TOKEN`` (for
``GET /stats``), ``OPERATOR_CONFIG`` (the operator's rule tuning, see ``tuning.py``) and
``BODY_TIMEOUT_SECONDS`` (how long a client may take to send a request body); ``GITHUB_TIMEOUT``,
``HEALTH_MAX_QUEUE_AGE`` and ``HEALTH_WORKER_TIMEOUT`` (seconds).
A bad value stops start-up with one line naming the setting; secret values
are never printed (their fields are excluded from ``repr``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from dotenv import dotenv_values

from auth_review.analyzers.isolate import Limits

from .tuning import Tuning, TuningError
from .tuning import load as load_tuning

DEFAULT_API_URL = "https://api.github.com"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Credentials:
    """What identifies the App to GitHub: from the environment or the manifest flow."""

    app_id: int
    private_key: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    slug: str | None = None
    html_url: str | None = None


@dataclass(frozen=True)
class Settings:
    credentials: Credentials | None
    github_api_url: str = DEFAULT_API_URL
    github_url: str = "https://github.com"
    database_path: Path = Path("auth-review.db")
    credentials_path: Path = Path("auth-review.credentials.json")
    host: str = "0.0.0.0"  # nosec B104 - a web server behind the platform's router listens on all interfaces
    port: int = 3000
    log_level: str = "info"
    max_body_bytes: int = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
    body_timeout: float = 10.0  # seconds to receive a whole request body (GitHub gives up after 10)
    public_url: str | None = None
    admin_token: str | None = field(default=None, repr=False)
    job_max_attempts: int = 5
    lease_seconds: float = 120.0
    github_timeout: float = 30.0  # seconds for one GitHub request
    queue_max_age: float = 600.0  # /healthz: a due job waiting longer means the worker is stuck or overwhelmed
    worker_timeout: float = 60.0  # /healthz: a worker silent for longer is not running
    tuning: Tuning = field(default_factory=Tuning)
    file_timeout: float = 60.0  # seconds of analysis per file before its process is killed
    file_memory_mb: int = 2048  # memory one file's analysis may add to its process

    @property
    def registered(self) -> bool:
        return self.credentials is not None

    @property
    def file_limits(self) -> Limits:
        return Limits(seconds=self.file_timeout, memory_mb=self.file_memory_mb)


def _int(name: str, raw: str, minimum: int = 0, maximum: int | None = None) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise SettingsError(f"{name} must be {bound}, got {value}")
    return value


def _private_key(env: Mapping[str, str]) -> str | None:
    inline, path = env.get("PRIVATE_KEY"), env.get("PRIVATE_KEY_PATH")
    if inline and path:
        raise SettingsError("set PRIVATE_KEY or PRIVATE_KEY_PATH, not both")
    if path:
        try:
            key = Path(path).read_text("utf-8")
        except OSError as exc:
            raise SettingsError(f"PRIVATE_KEY_PATH: cannot read {path}: {exc.strerror or exc}") from None
        name = "PRIVATE_KEY_PATH"
    elif inline:
        # Platforms often store a PEM on one line with literal \n.
        key = inline.replace("\\n", "\n")
        name = "PRIVATE_KEY"
    else:
        return None
    _check_pem(name, key)
    return key


def _check_pem(name: str, key: str) -> None:
    try:
        load_pem_private_key(key.encode(), password=None)
    except (ValueError, TypeError):
        raise SettingsError(f"{name} is not a PEM-encoded private key (expected '-----BEGIN RSA PRIVATE KEY-----')") from None


def load_credentials_file(path: Path) -> Credentials | None:
    """Credentials saved by the manifest flow, if that file exists."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        creds = Credentials(
            app_id=int(data["app_id"]),
            private_key=str(data["private_key"]),
            webhook_secret=str(data["webhook_secret"]),
            slug=data.get("slug"),
            html_url=data.get("html_url"),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SettingsError(f"{path}: not a valid credentials file ({type(exc).__name__})") from None
    _check_pem(str(path), creds.private_key)
    return creds


def save_credentials_file(path: Path, creds: Credentials) -> None:
    """Write credentials readable by the owner only (0600), atomically."""
    data = {"app_id": creds.app_id, "private_key": creds.private_key, "webhook_secret": creds.webhook_secret,
            "slug": creds.slug, "html_url": creds.html_url}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_settings(environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
    """Settings from ``.env`` (if present) overlaid by the real environment."""
    env: dict[str, str] = {}
    if dotenv is not None and dotenv.is_file():
        env.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    env.update(os.environ if environ is None else environ)
    env = {k: v for k, v in env.items() if v != ""}

    api_url = env.get("GITHUB_API_URL", DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise SettingsError(f"GITHUB_API_URL must be an http(s) URL, got {api_url!r}")
    level = env.get("LOG_LEVEL", "info").lower()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    settings = Settings(
        credentials=None,
        github_api_url=api_url,
        github_url=env.get("GITHUB_URL", _web_url(api_url)).rstrip("/"),
        database_path=Path(env.get("DATABASE_PATH", "auth-review.db")),
        credentials_path=Path(env.get("CREDENTIALS_PATH", "auth-review.credentials.json")),
        host=env.get("HOST", "0.0.0.0"),  # nosec B104 - see Settings.host
        port=_int("PORT", env.get("PORT", "3000"), 0, 65535),
        log_level=level,
        public_url=env.get("PUBLIC_URL"),
        admin_token=env.get("ADMIN_TOKEN"),
        lease_seconds=float(_int("JOB_LEASE_SECONDS", env.get("JOB_LEASE_SECONDS", "120"), 1, 86400)),
        body_timeout=float(_int("BODY_TIMEOUT_SECONDS", env.get("BODY_TIMEOUT_SECONDS", "10"), 1, 600)),
        github_timeout=float(_int("GITHUB_TIMEOUT", env.get("GITHUB_TIMEOUT", "30"), 1, 600)),
        queue_max_age=float(_int("HEALTH_MAX_QUEUE_AGE", env.get("HEALTH_MAX_QUEUE_AGE", "600"), 1)),
        worker_timeout=float(_int("HEALTH_WORKER_TIMEOUT", env.get("HEALTH_WORKER_TIMEOUT", "60"), 30)),
        tuning=_tuning(env.get("OPERATOR_CONFIG")),
        file_timeout=float(_int("FILE_TIMEOUT_SECONDS", env.get("FILE_TIMEOUT_SECONDS", "60"), 1, 3600)),
        file_memory_mb=_int("FILE_MEMORY_MB", env.get("FILE_MEMORY_MB", "2048"), 64),
    )
    return replace(settings, credentials=_credentials(env, settings.credentials_path))


def _tuning(path: str | None) -> Tuning:
    if path is None:
        return Tuning()
    try:
        return load_tuning(Path(path))
    except TuningError as exc:
        raise SettingsError(f"OPERATOR_CONFIG: {exc}") from None


def _credentials(env: Mapping[str, str], saved: Path) -> Credentials | None:
    present = [n for n in ("APP_ID", "WEBHOOK_SECRET") if n in env]
    key = _private_key(env)
    if key is not None:
        present.append("PRIVATE_KEY")
    if not present:
        return load_credentials_file(saved)
    missing = [n for n in ("APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET") if n not in present]
    if missing:
        name = "PRIVATE_KEY (or PRIVATE_KEY_PATH)" if missing[0] == "PRIVATE_KEY" else missing[0]
        raise SettingsError(f"{name} is not set (APP_ID, PRIVATE_KEY and WEBHOOK_SECRET go together)")
    return Credentials(app_id=_int("APP_ID", env["APP_ID"], 1), private_key=key or "", webhook_secret=env["WEBHOOK_SECRET"])


def _web_url(api_url: str) -> str:
    """github.com for api.github.com; GitHub Enterprise serves the API under /api/v3."""
    if api_url == DEFAULT_API_URL:
        return "https://github.com"
    return api_url.removesuffix("/api/v3")
