"""End to end: signed webhooks in, reviews and check runs out, against the emulated GitHub."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from devkit.emulator import webhooks
from devkit.emulator.faults import primary_rate_limit, secondary_rate_limit, server_error
from devkit.emulator.run import RunningEmulator
from devkit.emulator.state import World
from devkit.harness import BASE_FILES, DEFECTS, NEW_DEFECT, RunningBot, running_bot, settings_for

REPO = "acme/webapp"


@pytest.fixture()
def installation(world: World):  # type: ignore[no-untyped-def]
    inst = world.install("acme")
    world.create_repo(REPO, BASE_FILES, installation=inst)
    return inst


@pytest.fixture()
def bot(world: World, gh: RunningEmulator, tmp_path: Path, installation) -> RunningBot:  # type: ignore[no-untyped-def,misc]
    with running_bot(settings_for(world, gh, tmp_path)) as running:
        yield running


def open_and_deliver(world: World, gh: RunningEmulator, bot: RunningBot, installation, files=None, **kwargs):  # type: ignore[no-untyped-def]
    pr = world.open_pull(REPO, files or {"app/auth.py": DEFECTS}, **kwargs)
    response = gh.deliver(bot.webhook_url, "pull_request", webhooks.pull_request_event(world, "opened", pr, installation))
    assert response.status_code == 202, response.text
    bot.wait_idle()
    return pr


def inline_comments(world: World, pr) -> list:  # type: ignore[no-untyped-def]
    return [c for c in world.comments_for(REPO, pr.number) if c.in_reply_to_id is None]


def test_first_review_has_suggestions_on_diff_lines_and_a_check_run(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_and_deliver(world, gh, bot, installation)
    [review] = world.reviews_for(REPO, pr.number)
    assert review.state == "COMMENTED" and review.commit_id == pr.head_sha
    comments = inline_comments(world, pr)
    by_rule = {re.search(r"\*\*(\w+) ·", c.body).group(1): c for c in comments}  # type: ignore[union-attr]
    assert set(by_rule) >= {"AR201", "AR501", "AR601"}
    assert by_rule["AR201"].line == 11
    assert '```suggestion\n    claims = jwt.decode(token, SECRET, algorithms=["HS256"])\n```' in by_rule["AR201"].body
    assert all("<!-- auth-review:fingerprint=" in c.body for c in comments)
    # Bandit's md5 and SQL findings fold into the AR findings: one comment per defect.
    assert not any(re.search(r"\*\*B(324|608) ·", c.body) for c in comments)
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert check.name == "auth-review" and check.status == "completed" and check.conclusion == "failure"
    assert {a["title"].split()[0] for a in check.annotations} >= {"AR201", "AR501", "AR601"}
    assert bot.jobs() == [("done", f"reviewed: {len(comments)} new comment(s), check failure", 1)]


def test_synchronize_adds_and_removes_findings_without_repeating_comments(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_and_deliver(world, gh, bot, installation)
    first = {c.body.split("\n")[0] for c in inline_comments(world, pr)}
    fixed = DEFECTS.replace("jwt.decode(token, SECRET)", 'jwt.decode(token, SECRET, algorithms=["HS256"])')
    fixed += NEW_DEFECT
    before = pr.head_sha
    world.push(pr, {"app/auth.py": fixed})
    response = gh.deliver(bot.webhook_url, "pull_request",
                          webhooks.pull_request_event(world, "synchronize", pr, installation, before=before))
    assert response.status_code == 202
    bot.wait_idle()
    # Reviews with a body are auth-review's; a thread reply comes wrapped in a review of its own, as on GitHub.
    reviews = [r for r in world.reviews_for(REPO, pr.number) if r.body]
    assert len(reviews) == 2 and reviews[1].commit_id == pr.head_sha
    second = [c for c in inline_comments(world, pr) if c.review_id == reviews[1].id]
    assert [c.body.split("\n")[0].split(" ·")[0] for c in second] == ["**AR204"]
    headlines = [c.body.split("\n")[0] for c in inline_comments(world, pr)]
    assert len(headlines) == len(set(headlines)) == len(first) + 1  # nothing commented twice
    # The AR201 fix is the suggested line: the bot says so once in that thread.
    replies = [c.body for c in world.comments_for(REPO, pr.number) if c.in_reply_to_id is not None]
    assert len(replies) == 1 and replies[0].startswith(f"Suggestion applied in {pr.head_sha[:7]}, thank you.")
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert not any(a["title"].startswith("AR201") for a in check.annotations)  # fixed, gone from the check


def test_redelivery_is_recognised_and_reviewed_once(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
    payload = webhooks.pull_request_event(world, "opened", pr, installation)
    first = gh.deliver(bot.webhook_url, "pull_request", payload, delivery_id="5f7e-redelivered")
    again = gh.deliver(bot.webhook_url, "pull_request", payload, delivery_id="5f7e-redelivered")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["status"] == "duplicate"
    bot.wait_idle()
    assert len(world.reviews_for(REPO, pr.number)) == 1 and len(bot.jobs()) == 1


def test_bad_or_missing_signature_is_refused(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = world.open_pull(REPO, {"app/auth.py": DEFECTS})
    body = webhooks.serialize(webhooks.pull_request_event(world, "opened", pr, installation))
    wrong = webhooks.delivery_headers("pull_request", body, "not-the-secret")
    assert httpx.post(bot.webhook_url, content=body, headers=wrong).status_code == 401
    unsigned = {k: v for k, v in wrong.items() if k.lower() != "x-hub-signature-256"}
    assert httpx.post(bot.webhook_url, content=body, headers=unsigned).status_code == 401
    assert bot.jobs() == [] and world.reviews_for(REPO, pr.number) == []


def test_malformed_payloads_and_headers_are_refused(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    secret = world.app.webhook_secret
    body = b'{"action": "opened", "pull_request": '
    response = httpx.post(bot.webhook_url, content=body, headers=webhooks.delivery_headers("pull_request", body, secret))
    assert response.status_code == 400 and "JSON" in response.json()["error"]
    body = b"[1, 2, 3]"
    response = httpx.post(bot.webhook_url, content=body, headers=webhooks.delivery_headers("pull_request", body, secret))
    assert response.status_code == 400
    body = b'{"zen": "ok"}'
    headers = webhooks.delivery_headers("ping", body, secret)
    headers = {k: v for k, v in headers.items() if k.lower() != "x-github-event"}
    assert httpx.post(bot.webhook_url, content=body, headers=headers).status_code == 400
    # The worker survives a well-signed pull_request event that lacks the pull request.
    body = json.dumps({"action": "opened", "repository": {"full_name": REPO}}).encode()
    response = httpx.post(bot.webhook_url, content=body, headers=webhooks.delivery_headers("pull_request", body, secret))
    assert response.status_code == 202 and bot.jobs() == []
    assert httpx.get(f"{bot.url}/healthz").json()["status"] == "ok"


def test_oversized_payload_is_refused(world, gh, tmp_path, installation) -> None:  # type: ignore[no-untyped-def]
    with running_bot(settings_for(world, gh, tmp_path, max_body_bytes=1024), worker=False) as small:
        body = json.dumps({"zen": "x" * 5000}).encode()
        headers = webhooks.delivery_headers("ping", body, world.app.webhook_secret)
        assert httpx.post(small.webhook_url, content=body, headers=headers).status_code == 413


def test_rate_limits_are_waited_out(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    gh.emulator.faults.add(primary_rate_limit("pulls/list-files", reset_in=1),
                           secondary_rate_limit("pulls/create-review", retry_after=1))
    pr = open_and_deliver(world, gh, bot, installation)
    assert len(world.reviews_for(REPO, pr.number)) == 1
    assert [c.status for c in gh.emulator.calls("pulls/create-review")] == [403, 200]
    files = [c.status for c in gh.emulator.calls("pulls/list-files")]
    assert files[0] == 403 and files[-1] == 200
    assert bot.jobs()[0][0] == "done"


def test_failing_github_is_retried_and_the_review_posted_once(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    gh.emulator.faults.add(server_error("pulls/create-review", 502, times=2), server_error("pulls/get", 503, times=1))
    pr = open_and_deliver(world, gh, bot, installation)
    assert [c.status for c in gh.emulator.calls("pulls/create-review")] == [502, 502, 200]
    assert len(world.reviews_for(REPO, pr.number)) == 1


def test_a_job_github_refuses_is_dead_lettered_and_the_worker_goes_on(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    stranger = world.install("umbrella")
    world.create_repo("umbrella/secret", BASE_FILES)  # the App is not installed on it
    lost = world.open_pull("umbrella/secret", {"app/auth.py": DEFECTS})
    payload = webhooks.pull_request_event(world, "opened", lost, stranger)
    assert gh.deliver(bot.webhook_url, "pull_request", payload).status_code == 202
    pr = open_and_deliver(world, gh, bot, installation)
    states = [state for state, _, _ in bot.jobs()]
    assert states == ["dead", "done"]
    assert len(world.reviews_for(REPO, pr.number)) == 1


def test_more_findings_than_the_cap_go_to_the_summary(world, gh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inst = world.install("acme")
    world.create_repo(REPO, {**BASE_FILES, ".github/auth-review.yml": "max-comments: 3\n"}, installation=inst)
    many = "import jwt\n\n" + "".join(f"def check{i}(t, k):\n    return jwt.decode(t, k)\n\n" for i in range(8))
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        pr = open_and_deliver(world, gh, bot, inst, files={"app/many.py": many})
    [review] = world.reviews_for(REPO, pr.number)
    assert len(inline_comments(world, pr)) == 3
    assert "3 are commented inline" in review.body and review.body.count("| AR201 |") == 5
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert len(check.annotations) == 8


def test_a_pull_request_cannot_switch_rules_off_for_itself(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_and_deliver(world, gh, bot, installation,
                          files={"app/auth.py": DEFECTS, ".github/auth-review.yml": "ignore: [AR, B]\n"})
    assert len(inline_comments(world, pr)) >= 3


def test_drafts_are_skipped_and_reviewed_when_ready(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_and_deliver(world, gh, bot, installation, draft=True)
    assert world.reviews_for(REPO, pr.number) == [] and bot.jobs()[0][1] == "draft skipped"
    pr.draft = False
    payload = webhooks.pull_request_event(world, "ready_for_review", pr, installation)
    payload.pop("installation", None)  # as GitHub sends it: the bot must find the installation itself
    assert gh.deliver(bot.webhook_url, "pull_request", payload).status_code == 202
    bot.wait_idle()
    assert len(world.reviews_for(REPO, pr.number)) == 1


def test_pull_requests_from_forks_are_reviewed(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_and_deliver(world, gh, bot, installation, fork_owner="mallory")
    assert pr.head_repo == "mallory/webapp"
    assert len(inline_comments(world, pr)) >= 3


def test_clean_pull_request_gets_a_green_check_and_no_review(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_and_deliver(world, gh, bot, installation, files={"app/util.py": "def add(a, b):\n    return a + b\n"})
    assert world.reviews_for(REPO, pr.number) == []
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert check.conclusion == "success"


def test_ping_is_accepted_without_work(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    payload = webhooks.load("ping.with-app_id")
    payload["hook"]["app_id"] = world.app.id
    response = gh.deliver(bot.webhook_url, "ping", payload)
    assert response.status_code == 202 and response.json()["jobs"] == 0 and bot.jobs() == []


def test_rerequested_check_run_runs_again_without_repeating_comments(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    pr = open_and_deliver(world, gh, bot, installation)
    comments = len(inline_comments(world, pr))
    [first] = world.check_runs_for(REPO, pr.head_sha)
    payload = webhooks.check_run_rerequested(world, pr, installation, first.id)
    assert gh.deliver(bot.webhook_url, "check_run", payload).status_code == 202
    bot.wait_idle()
    runs = world.check_runs_for(REPO, pr.head_sha)
    assert len(runs) == 2 and all(r.status == "completed" for r in runs)
    assert runs[1].conclusion == "failure" and len(runs[1].annotations) == len(first.annotations)
    assert len(world.reviews_for(REPO, pr.number)) == 1 and len(inline_comments(world, pr)) == comments


def test_renamed_file_keeps_its_old_findings_quiet(world, gh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inst = world.install("acme")
    world.create_repo(REPO, {**BASE_FILES, "app/legacy.py": DEFECTS}, installation=inst)
    added = DEFECTS + NEW_DEFECT
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        pr = open_and_deliver(world, gh, bot, inst, files={"app/auth.py": added}, renames={"app/legacy.py": "app/auth.py"})
    rules = [re.search(r"\*\*(\w+) ·", c.body).group(1) for c in inline_comments(world, pr)]  # type: ignore[union-attr]
    assert rules == ["AR204"]  # the defects that came along with the rename were there before


def test_large_pull_request_is_read_from_tarballs(world, gh, bot, installation) -> None:  # type: ignore[no-untyped-def]
    files = {f"app/mod_{i:02d}.py": f"import jwt\n\n\ndef check_{i}(t, k):\n    return jwt.decode(t, k)\n" for i in range(45)}
    pr = open_and_deliver(world, gh, bot, installation, files=files)
    assert len(gh.emulator.calls("repos/download-tarball-archive")) == 2  # head and base, one request each
    assert gh.emulator.calls("git/get-blob") == []
    [review] = world.reviews_for(REPO, pr.number)
    assert len(inline_comments(world, pr)) == 30 and "15 are listed below" in review.body.replace("other\n", "other ")


def test_request_changes_and_annotations_in_batches_of_fifty(world, gh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inst = world.install("acme")
    config = "request-changes-on: high\nmax-comments: 5\n"
    world.create_repo(REPO, {**BASE_FILES, ".github/auth-review.yml": config}, installation=inst)
    many = "import jwt\n\n" + "".join(f"def check{i}(t, k):\n    return jwt.decode(t, k)\n\n" for i in range(60))
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        pr = open_and_deliver(world, gh, bot, inst, files={"app/many.py": many})
    [review] = world.reviews_for(REPO, pr.number)
    assert review.state == "CHANGES_REQUESTED"
    [check] = world.check_runs_for(REPO, pr.head_sha)
    assert len(check.annotations) == 60
    updates = [u for u in check.updates[1:] if u.get("output", {}).get("annotations")]
    assert [len(u["output"]["annotations"]) for u in updates] == [50, 10]


CONTEXT_FILES = {
    "config/settings.py": 'ROOT_URLCONF = "config.urls"\nINSTALLED_APPS = ["django.contrib.auth", "shop"]\n',
    "config/urls.py": 'from django.urls import include, path\n\nurlpatterns = [path("shop/", include("shop.urls"))]\n',
    "shop/models.py": (
        "from django.conf import settings\nfrom django.db import models\n\n\n"
        "class Order(models.Model):\n"
        "    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)\n"
        "    total = models.IntegerField()\n"
    ),
    "shop/urls.py": (
        "from django.urls import path\n\nfrom . import views\n\n"
        'urlpatterns = [path("orders/", views.my_orders), path("orders/<int:pk>/", views.order)]\n'
    ),
    "shop/views.py": (
        "from django.contrib.auth.decorators import login_required\nfrom django.http import JsonResponse\n\n"
        "from .models import Order\n\n\n"
        "@login_required\ndef my_orders(request):\n"
        '    return JsonResponse({"orders": list(Order.objects.filter(customer=request.user).values())})\n\n\n'
        "@login_required\ndef order(request, pk):\n"
        '    return JsonResponse({"total": Order.objects.get(pk=pk, customer=request.user).total})\n'
    ),
}


def test_a_changed_view_is_judged_with_the_unchanged_project_around_it(world, gh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The pull request touches only views.py; that Order rows belong to users is in models.py and the
    route comes from urls.py, both unchanged: the review reads them from the commits' tarballs."""
    inst = world.install("acme")
    world.create_repo(REPO, {**BASE_FILES, **CONTEXT_FILES}, installation=inst)
    views = CONTEXT_FILES["shop/views.py"] + (
        "\n\ndef order_lookup(request):\n"
        '    return JsonResponse({"orders": list(Order.objects.filter(email=request.GET["email"]).values())})\n'
    )
    urls = CONTEXT_FILES["shop/urls.py"].replace("]\n", ', path("lookup/", views.order_lookup)]\n')
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        pr = open_and_deliver(world, gh, bot, inst, files={"shop/views.py": views, "shop/urls.py": urls})
    [comment] = [c for c in inline_comments(world, pr) if "**AR101 ·" in c.body]
    assert comment.path == "shop/views.py" and comment.line == 17
    assert "GET|" in comment.body and "/shop/lookup/" in comment.body and "@login_required" in comment.body
    assert len(gh.emulator.calls("repos/download-tarball-archive")) == 2


CONNEXION_FILES = {
    "svc/__init__.py": "",
    "svc/app.py": 'import connexion\n\napp = connexion.FlaskApp(__name__, specification_dir="openapi/")\n'
                  'app.add_api("spec.yaml")\n',
    "svc/openapi/spec.yaml": (
        "openapi: 3.0.0\ninfo: {title: Pets, version: '1'}\nsecurity:\n  - jwt: []\npaths:\n"
        "  /pets:\n    get:\n      operationId: svc.api.list_pets\n"
        "  /pets/{pet_id}:\n    get:\n      operationId: svc.api.get_pet\n"
        "    delete:\n      operationId: svc.api.delete_pet\n      security: []\n"
    ),
    "svc/api.py": (
        "from .models import Pet, db\n\n\ndef get_pet(pet_id, user):\n"
        "    return Pet.query.filter_by(id=pet_id, owner=user).first_or_404().to_dict()\n\n\n"
        "def list_pets(user):\n    return [p.to_dict() for p in Pet.query.filter_by(owner=user)]\n"
    ),
}


def test_an_openapi_document_in_the_tarball_routes_the_changed_module(world, gh, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """connexion: the handler module never names a framework; the unchanged OpenAPI document does, from the
    commit's tarball, and its `security: []` leaves the new delete operation open."""
    inst = world.install("acme")
    world.create_repo(REPO, {**BASE_FILES, **CONNEXION_FILES}, installation=inst)
    api = CONNEXION_FILES["svc/api.py"] + (
        "\n\ndef delete_pet(pet_id):\n    db.session.delete(Pet.query.get_or_404(pet_id))\n    db.session.commit()\n"
    )
    with running_bot(settings_for(world, gh, tmp_path)) as bot:
        pr = open_and_deliver(world, gh, bot, inst, files={"svc/api.py": api})
    [comment] = [c for c in inline_comments(world, pr) if "**AR101 ·" in c.body]
    assert comment.path == "svc/api.py" and comment.line == 12
    assert "DELETE /pets/{pet_id}" in comment.body and "security: jwt" in comment.body
