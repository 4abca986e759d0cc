"""Run the emulator as a real HTTP server on a free 127.0.0.1 port (uvicorn in a thread)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from . import webhooks
from .server import Emulator, token_for_tests
from .state import Installation, World

STARTUP_TIMEOUT = 10.0


@dataclass
class RunningEmulator:
    world: World
    emulator: Emulator
    url: str  # base URL, no trailing slash; use as the bot's GITHUB_API_URL

    @property
    def requests(self) -> list[Any]:
        return self.emulator.requests

    @property
    def validation_errors(self) -> list[Any]:
        return self.emulator.validation_errors

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if token:
            headers["Authorization"] = f"token {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=10.0)

    def token(self, installation: Installation, lifetime: timedelta | None = None) -> str:
        return token_for_tests(self.world, installation.id, lifetime)

    def deliver(self, url: str, event: str, payload: dict[str, Any] | bytes, delivery_id: str | None = None,
                secret: str | None = None) -> httpx.Response:
        """Send a signed webhook to the bot at `url` with the App's webhook secret."""
        return webhooks.deliver(url, event, payload, secret or self.world.app.webhook_secret, delivery_id,
                                app_id=self.world.app.id)


def _free_socket() -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto says
    # TCP, and without it every keep-alive response stalls ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _wait_ready(server: uvicorn.Server, thread: threading.Thread, url: str) -> None:
    """Poll until uvicorn reports started and the readiness endpoint answers."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("emulator server thread exited during start-up")
        if server.started:
            try:
                httpx.get(f"{url}/_emulator/ready", timeout=1.0)
                return  # any HTTP answer means the server is accepting requests
            except httpx.TransportError:
                pass
        time.sleep(0.005)  # polling interval, not a synchronisation delay
    raise RuntimeError(f"emulator did not become ready within {STARTUP_TIMEOUT} s")


@contextmanager
def serve(app: Any, name: str = "asgi") -> Iterator[str]:
    """Serve any ASGI app on a free 127.0.0.1 port; yields its base URL (used for test receivers too)."""
    sock = _free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"{name}-{url}", daemon=True)
    thread.start()
    try:
        _wait_ready(server, thread, url)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def run_emulator(world: World, strict: bool = True) -> Iterator[RunningEmulator]:
    emulator = Emulator(world, strict=strict)
    with serve(emulator.app, "github-emulator") as url:
        world.api_url = url
        yield RunningEmulator(world, emulator, url)


@pytest.fixture
def github(tmp_path: Path) -> Iterator[RunningEmulator]:
    """A running emulator with an empty world (the App exists; add installations and repos)."""
    with run_emulator(World(tmp_path)) as running:
        yield running
