"""Outgoing e-mail (queued through the provider's HTTP API)."""

import logging

import httpx

from .config import settings

logger = logging.getLogger(__name__)
MAIL_API = "https://api.mailprovider.example.com/v1/messages"
APP_URL = "https://app.tasks.example.com"


def _send(to: str, template: str, variables: dict[str, str]) -> None:
    response = httpx.post(
        MAIL_API,
        json={"to": to, "template": template, "variables": variables},
        headers={"X-Environment": settings.environment},
        timeout=10,
    )
    if response.status_code >= 400:
        logger.warning("mail provider rejected template %s (status %s)", template, response.status_code)


def send_welcome_email(to: str) -> None:
    _send(to, "welcome", {})


def send_account_exists_email(to: str) -> None:
    _send(to, "signup-account-exists", {"reset_url": f"{APP_URL}/forgot-password"})


def send_password_reset_email(to: str, token: str) -> None:
    _send(to, "password-reset", {"reset_url": f"{APP_URL}/reset-password?token={token}"})
