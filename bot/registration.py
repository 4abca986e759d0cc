"""Registering the App through GitHub's manifest flow, as Probot does.

With no credentials, ``GET /`` shows a page whose button posts ``app.yml`` to
GitHub; GitHub redirects back to ``/setup?code=...&state=...``, the code is
exchanged (``POST /app-manifests/{code}/conversions``), and the credentials
are saved to a file only the owner can read and used at once.
"""

from __future__ import annotations

import hmac
import html
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import yaml
from githubkit import GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException, RequestFailed

from .github import USER_AGENT, RetryPolicy
from .settings import Credentials

MANIFEST_PATH = Path(__file__).resolve().parents[1] / "app.yml"
STATE_TTL = 600.0


class RegistrationError(RuntimeError):
    pass


class PendingStates:
    """One-time ``state`` values handed to GitHub, so a callback cannot be forged."""

    def __init__(self) -> None:
        self._states: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        state = secrets.token_urlsafe(32)
        with self._lock:
            cutoff = time.monotonic() - STATE_TTL
            self._states = {s: t for s, t in self._states.items() if t > cutoff}
            self._states[state] = time.monotonic()
        return state

    def consume(self, presented: str) -> bool:
        with self._lock:
            for state, issued in list(self._states.items()):
                if hmac.compare_digest(state.encode(), presented.encode()):
                    del self._states[state]
                    return time.monotonic() - issued <= STATE_TTL
        return False


def manifest(base_url: str) -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST_PATH.read_text("utf-8"))
    data.setdefault("hook_attributes", {})["url"] = f"{base_url}/api/github/webhooks"
    data["redirect_url"] = f"{base_url}/setup"
    return data


def registration_page(github_url: str, base_url: str, state: str) -> str:
    action = f"{github_url}/settings/apps/new?state={state}"
    payload = html.escape(json.dumps(manifest(base_url)), quote=True)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Register auth-review</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;line-height:1.5}}
button{{font-size:1rem;padding:.6rem 1.2rem}}</style></head>
<body><h1>auth-review is not registered yet</h1>
<p>Create the GitHub App from <code>app.yml</code>. GitHub will ask you to confirm the name and then
send you back here; the credentials are stored on this server and it starts reviewing at once.</p>
<form action="{html.escape(action, quote=True)}" method="post">
<input type="hidden" name="manifest" value="{payload}">
<button type="submit">Register the GitHub App</button></form>
<p>Webhook URL: <code>{html.escape(base_url)}/api/github/webhooks</code></p></body></html>"""


def installed_page(creds: Credentials) -> str:
    link = f'<a href="{html.escape(creds.html_url)}/installations/new">Install it on your repositories</a>' if creds.html_url else ""
    name = html.escape(creds.slug or f"App {creds.app_id}")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>auth-review</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto">
<h1>auth-review is running</h1><p>Registered as <strong>{name}</strong>. {link}</p></body></html>"""


def convert(api_url: str, code: str) -> Credentials:
    """Exchange the manifest code for the App's credentials."""
    if not code or len(code) > 200 or not code.replace("-", "").replace("_", "").isalnum():
        raise RegistrationError("the code GitHub sent back is malformed")
    # The conversion is the one call made without credentials: the code itself authorises it.
    gh = GitHub(base_url=api_url, user_agent=USER_AGENT, timeout=30.0, auto_retry=RetryPolicy(), http_cache=False,
                cache_strategy=MemCacheStrategy())
    try:
        data = gh.rest.apps.create_from_manifest(code).json()
    except RequestFailed as exc:
        raise RegistrationError(f"GitHub refused the registration code (HTTP {exc.response.status_code})") from None
    except GitHubException as exc:
        raise RegistrationError(f"cannot reach GitHub to finish registration: {type(exc).__name__}") from None
    try:
        return Credentials(
            app_id=int(data["id"]),
            private_key=str(data["pem"]),
            webhook_secret=str(data["webhook_secret"]),
            slug=data.get("slug"),
            html_url=data.get("html_url"),
        )
    except (KeyError, TypeError, ValueError):
        raise RegistrationError("GitHub's answer lacks the App's id, key or webhook secret") from None
