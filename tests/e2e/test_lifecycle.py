"""End to end: a worker killed mid-job, and registering the App through the manifest flow."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from devkit.emulator import webhooks
from devkit.emulator.faults import hold
from devkit.emulator.run import RunningEmulator
from devkit.emulator.state import World
from devkit.harness import BASE_FILES, DEFECTS, running_bot, settings_for, wait_until

REPO = "acme/webapp"
ROOT = Path(__file__).resolve().parents[2]


def test_worker_killed_after_github_accepted_the_review_posts_it_once(world: World, gh: RunningEmulator, tmp_path: Path) -> None:
    inst = world.install("acme")
    world.create_repo(REPO, BASE_FILES, installation=inst)
    settings = settings_for(world, gh, tmp_path, lease_seconds=2.0)
    # Hold the request that follows the review: GitHub has the review, the bot has not recorded it.
    stall = hold("pulls/list-comments-for-review")
    gh.emulator.faults.add(stall)
    env = {**os.environ, "APP_ID": str(world.app.id), "PRIVATE_KEY": world.app.private_key_pem,
           "WEBHOOK_SECRET": world.app.webhook_secret, "GITHUB_API_URL": gh.url,
           "DATABASE_PATH": str(settings.database_path), "JOB_LEASE_SECONDS": "2",
           "CREDENTIALS_PATH": str(tmp_path / "none.json"), "PYTHONPATH": str(ROOT)}
    with running_bot(settings, worker=False) as bot:
        worker = subprocess.Popen([sys.executable, "-m", "auth_review.bot.cli", "worker"], cwd=tmp_path, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
            assert gh.deliver(bot.webhook_url, "pull_request",
                              webhooks.pull_request_event(world, "opened", pr, inst)).status_code == 202
            assert stall.arrived.wait(timeout=60), "the worker never reached the held request"
            worker.kill()  # SIGKILL: no cleanup, the lease is left behind
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
            stall.release.set()
        assert len(world.reviews_for(REPO, pr.number)) == 1
        assert bot.jobs()[0][0] == "leased"
        # A new worker takes the job over when the dead one's lease lapses.
        from auth_review.bot.github import RetryPolicy
        from auth_review.bot.worker import Worker

        successor = Worker(bot.state, str(settings.database_path), retry=RetryPolicy(base_delay=0.05))
        wait_until(successor.run_once, timeout=30, what="the lapsed lease")
        assert bot.jobs()[0][0] == "done" and bot.jobs()[0][2] == 2
    assert len(world.reviews_for(REPO, pr.number)) == 1  # exactly once
    [check] = world.check_runs_for(REPO, pr.head_sha)  # the first attempt's check run, completed
    assert check.status == "completed" and check.conclusion == "failure"


def test_manifest_registration_then_reviews_without_restart(world: World, gh: RunningEmulator, tmp_path: Path) -> None:
    settings = settings_for(world, gh, tmp_path, registered=False)
    with running_bot(settings) as bot:
        assert httpx.post(bot.webhook_url, content=b"{}").status_code == 503
        page = httpx.get(f"{bot.url}/").text
        action = html.unescape(re.search(r'<form action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        assert action.startswith(f"{world.web_url}/settings/apps/new?state=")
        state = action.split("state=", 1)[1]
        manifest = json.loads(html.unescape(re.search(r'name="manifest" value="([^"]+)"', page).group(1)))  # type: ignore[union-attr]
        assert manifest["hook_attributes"]["url"] == bot.webhook_url
        assert manifest["redirect_url"] == f"{bot.url}/setup"
        assert manifest["default_permissions"] == {"pull_requests": "write", "checks": "write",
                                                   "contents": "read", "metadata": "read"}
        code = world.register_manifest_code(manifest)  # what GitHub does when the owner confirms
        forged = httpx.get(f"{bot.url}/setup", params={"code": code, "state": "forged"})
        assert forged.status_code == 403
        done = httpx.get(f"{bot.url}/setup", params={"code": code, "state": state})
        assert done.status_code == 303 and done.headers["location"].endswith("/installations/new")
        saved = settings.credentials_path
        assert saved.stat().st_mode & 0o777 == 0o600
        assert json.loads(saved.read_text())["app_id"] == world.app.id
        assert httpx.get(f"{bot.url}/setup", params={"code": code, "state": state}).status_code == 409
        # The new App is installed and its first webhook is reviewed by the same running server.
        inst = world.install("acme")
        world.create_repo(REPO, BASE_FILES, installation=inst)
        pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
        assert gh.deliver(bot.webhook_url, "pull_request",
                          webhooks.pull_request_event(world, "opened", pr, inst)).status_code == 202
        bot.wait_idle()
    assert len(world.reviews_for(REPO, pr.number)) == 1
