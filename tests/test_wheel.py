"""The installed package works outside the repository.

A wheel built from this checkout's files is installed in a fresh virtual environment
(dependencies come from the package index, through pip's cache), then ``auth-review scan``
and ``auth-review serve`` run from a folder outside the repository, also with a foreign
top-level ``bot`` package first on the path. Nothing here imports the checkout.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
VULNERABLE = "import jwt\n\n\ndef current_user(token, key):\n    return jwt.decode(token, key)\n"
STEP_TIMEOUT = 300  # seconds; a cold pip cache downloads the dependencies once


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path  # the fresh environment's scripts folder
    home: Path  # a working folder outside the repository


def checkout_files() -> list[str]:
    """The files a clone would have (tracked, plus new ones not ignored): no .venv, build/ or egg-info."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                         check=True, capture_output=True).stdout.decode()
    return sorted(name for name in set(out.split("\0")) if name and (REPO / name).is_file())


def copy_checkout(target: Path) -> None:
    """Build from a copy: a build in the work tree would leave build/ and egg-info behind, and read stale ones."""
    for name in checkout_files():
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes((REPO / name).read_bytes())


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=STEP_TIMEOUT, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{args[:4]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def outside_env(**extra: str) -> dict[str, str]:
    """A minimal environment: none of this checkout's paths, none of the operator's App settings."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, **extra}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    src, dist, venv = root / "src", root / "dist", root / "venv"
    copy_checkout(src)
    pip_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # Build isolation fetches the build backend the project declares (setuptools>=77), as any user's pip does.
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(src)], env=pip_env)
    [wheel] = dist.glob("auth_review-*.whl")
    # No pip inside the new environment (saves seconds): this pip installs into it. --no-compile: the
    # commands still run, their bytecode is written on first import.
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-compile", str(wheel)],
        env=pip_env, cwd=root)
    home = root / "elsewhere"
    home.mkdir()
    return Installed(wheel, venv / "bin", home)


def test_wheel_holds_the_packages_app_yml_and_license_only(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        top_level = archive.read(f"{info}/top_level.txt").decode().split()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert top_level == ["auth_review"]
    assert "auth-review = auth_review.bot.cli:main" in entry_points
    assert {n.split("/")[0] for n in names} == {"auth_review", info}
    ours = {n for n in names if n.startswith("auth_review/")}
    sources = {f"auth_review/{n}" for n in checkout_files() if n.startswith(("bot/", "analyzers/")) and n.endswith(".py")}
    assert {n for n in ours if n.endswith(".py")} == sources  # every module, every subpackage, nothing else
    assert ours - sources == {"auth_review/app.yml"}  # the only package data: no stale entries
    assert f"{info}/licenses/LICENSE" in names
    assert not [n for n in names if n.split("/")[1:2] and n.split("/")[1] in ("tests", "examples", "bench", "docs")]


def scan(installed: Installed, **env: str) -> subprocess.CompletedProcess[str]:
    project = installed.home / "project"
    project.mkdir(exist_ok=True)
    (project / "auth.py").write_text(VULNERABLE)
    return subprocess.run([str(installed.bin / "auth-review"), "scan", "project", "--format", "json"],
                          cwd=installed.home, env=outside_env(**env), capture_output=True, text=True, timeout=120)


def test_installed_command_scans_outside_the_repository(installed: Installed) -> None:
    result = scan(installed)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "AR201" in {f["rule_id"] for f in json.loads(result.stdout)["findings"]}


def test_a_foreign_top_level_bot_package_cannot_shadow_ours(installed: Installed) -> None:
    shadow = installed.home / "shadow"
    for name in ("bot", "analyzers"):  # what another distribution might install at the top level
        (shadow / name).mkdir(parents=True, exist_ok=True)
        (shadow / name / "__init__.py").write_text(f"raise ImportError('the foreign {name} package was imported')\n")
        (shadow / name / "cli.py").write_text("def main():\n    raise SystemExit('the foreign cli ran')\n")
    result = scan(installed, PYTHONPATH=str(shadow))
    assert result.returncode == 1 and "foreign" not in result.stderr, result.stderr[-3000:]
    assert "AR201" in {f["rule_id"] for f in json.loads(result.stdout)["findings"]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_installed_server_serves_the_registration_page_and_health(installed: Installed) -> None:
    folder = installed.home / "serve"
    folder.mkdir()
    port = free_port()
    env = outside_env(HOST="127.0.0.1", PORT=str(port), DATABASE_PATH=str(folder / "bot.db"),
                      CREDENTIALS_PATH=str(folder / "credentials.json"), PUBLIC_URL="https://review.example.com")
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([str(installed.bin / "auth-review"), "serve"], cwd=folder, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        home = _first_answer(f"http://127.0.0.1:{port}/", server, timeout=60)
        assert home.status_code == 200, home.text[:1000]
        # The manifest from app.yml, as package data, with this server's public URL filled in.
        assert "Register the GitHub App" in home.text and "pull_request_review_thread" in home.text
        assert "https://review.example.com/api/github/webhooks" in home.text
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()
    assert "Traceback" not in (folder / "server.log").read_text()


def _first_answer(url: str, server: subprocess.Popen[bytes], timeout: float) -> httpx.Response:
    """Poll until the server answers (a deadline, not a sleep that hopes)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if server.poll() is not None:
                raise AssertionError(f"auth-review serve exited with {server.returncode}") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"auth-review serve did not answer within {timeout} s") from None
            time.sleep(0.05)  # polling interval
