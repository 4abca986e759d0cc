"""Tests of the GitHub emulator itself, over real HTTP on a local port."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import subprocess
import tarfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devkit.emulator import webhooks
from devkit.emulator.faults import primary_rate_limit, secondary_rate_limit, server_error
from devkit.emulator.run import RunningEmulator, github, run_emulator, serve  # noqa: F401 (fixture)
from devkit.emulator.state import Installation, PullRequest, World

REPO = "acme/webapp"
APP_PY = "".join(f"line {i}\n" for i in range(1, 41))
BASE_FILES: dict[str, str | bytes | None] = {
    "app.py": APP_PY,
    "README.md": "# webapp\n",
    "docs/guide.md": "Read me.\n",
    "old_name.py": "def helper():\n    return 42\n\n\nVALUE = 'unchanged'\n",
    "gone.py": "print('bye')\n",
    "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary\x00",
}
# Two separate edits in app.py give two hunks (lines 3 and 35).
HEAD_FILES: dict[str, str | bytes | None] = {
    "app.py": APP_PY.replace("line 3\n", "line three\n").replace("line 35\n", "line 35\nextra = True\n"),
    "auth.py": "import jwt\n\n\ndef decode(token):\n    return jwt.decode(token, options={'verify_signature': False})\n",
    "gone.py": None,
    "logo.png": b"\x89PNG\r\n\x1a\n\x00\x01binary changed\x00",
}


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


@pytest.fixture
def scenario(world: World) -> tuple[Installation, PullRequest]:
    inst = world.install("acme")
    world.create_repo(REPO, BASE_FILES, installation=inst)
    pr = world.open_pull(REPO, HEAD_FILES, renames={"old_name.py": "new_name.py"}, title="Add auth")
    return inst, pr


@pytest.fixture
def gh(world: World) -> Iterator[RunningEmulator]:
    with run_emulator(world) as running:
        yield running


def assert_clean(gh: RunningEmulator) -> None:
    assert gh.validation_errors == [], "\n".join(map(str, gh.validation_errors))


def app_jwt(world: World, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iat": now - 60, "exp": now + 540, "iss": str(world.app.id), **overrides}
    return jwt.encode(claims, world.app.private_key_pem, algorithm="RS256")


def client_for(gh: RunningEmulator, inst: Installation) -> httpx.Client:
    return gh.client(gh.token(inst))


# --- signing ------------------------------------------------------------------------------------

def test_signature_matches_githubs_test_vector() -> None:
    assert webhooks.sign("It's a Secret to Everybody", b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")


# --- app auth and tokens ------------------------------------------------------------------------

def test_app_jwt_is_verified(gh: RunningEmulator, world: World) -> None:
    with gh.client() as c:
        ok = c.get("/app", headers={"Authorization": f"Bearer {app_jwt(world)}"})
        assert ok.status_code == 200 and ok.json()["id"] == world.app.id
        # GitHub accepts `iss` as an integer too (PyJWT only encodes strings, so sign the claims directly).
        now = int(time.time())
        int_iss = jwt.api_jws.PyJWS().encode(json.dumps({"iat": now - 60, "exp": now + 540, "iss": world.app.id}).encode(),
                                             world.app.private_key_pem, "RS256")
        assert c.get("/app", headers={"Authorization": f"Bearer {int_iss}"}).status_code == 200
        foreign = rsa.generate_private_key(65537, 2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        refused = {
            "wrong key": jwt.encode({"iat": now - 60, "exp": now + 500, "iss": str(world.app.id)}, foreign, "RS256"),
            "expired": app_jwt(world, iat=now - 700, exp=now - 100),
            "too long": app_jwt(world, exp=now + 3600),
            "future iat": app_jwt(world, iat=now + 300, exp=now + 590),
            "wrong issuer": app_jwt(world, iss="999"),
            "HS256": jwt.encode({"iat": now, "exp": now + 60, "iss": str(world.app.id)}, "a-shared-secret-that-is-long-enough-1234", "HS256"),
        }
        for reason, token in refused.items():
            r = c.get("/app", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401, reason
            assert "message" in r.json()
        assert c.get("/app").status_code == 401
    assert_clean(gh)


def test_installation_tokens_are_issued_scoped_and_expire(gh: RunningEmulator, world: World,
                                                          scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    other = world.install("other-org")
    world.create_repo("other-org/secret", {"a.txt": "x\n"}, installation=other)
    with gh.client() as c:
        bearer = {"Authorization": f"Bearer {app_jwt(world)}"}
        r = c.post(f"/app/installations/{inst.id}/access_tokens", headers=bearer)
        assert r.status_code == 201
        token, expires = r.json()["token"], r.json()["expires_at"]
        assert token.startswith("ghs_") and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", expires)
        assert c.post("/app/installations/999999/access_tokens", headers=bearer).status_code == 404
        # The token reaches its installation's repositories only (GitHub answers 404, not 403).
        for scheme in ("token", "Bearer"):
            assert c.get(f"/repos/{REPO}/pulls/{pr.number}", headers={"Authorization": f"{scheme} {token}"}).status_code == 200
        assert c.get("/repos/other-org/secret", headers={"Authorization": f"token {token}"}).status_code == 404
        # An installation token is not an App JWT.
        assert c.get("/app", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        # Down-scoped token: read-only pull requests cannot post a review.
        r = c.post(f"/app/installations/{inst.id}/access_tokens", headers=bearer,
                   json={"permissions": {"pull_requests": "read", "metadata": "read"}})
        assert r.status_code == 201
        readonly = {"Authorization": f"token {r.json()['token']}"}
        assert c.get(f"/repos/{REPO}/pulls/{pr.number}", headers=readonly).status_code == 200
        denied = c.post(f"/repos/{REPO}/pulls/{pr.number}/reviews", headers=readonly, json={"event": "COMMENT", "body": "x"})
        assert denied.status_code == 403 and denied.json()["message"] == "Resource not accessible by integration"
        # Asking for more than the installation has is refused.
        assert c.post(f"/app/installations/{inst.id}/access_tokens", headers=bearer,
                      json={"permissions": {"administration": "write"}}).status_code == 422
    # Expiry: a token issued with an already-elapsed lifetime is refused with 401.
    expired = gh.token(inst, lifetime=timedelta(seconds=-1))
    with gh.client(expired) as c:
        r = c.get(f"/repos/{REPO}")
        assert r.status_code == 401 and r.json()["message"] == "Bad credentials"
    assert_clean(gh)


def test_short_token_lifetime_is_reported(gh: RunningEmulator, world: World,
                                          scenario: tuple[Installation, PullRequest]) -> None:
    inst, _ = scenario
    world.token_lifetime = timedelta(minutes=2)
    with gh.client() as c:
        r = c.post(f"/app/installations/{inst.id}/access_tokens", headers={"Authorization": f"Bearer {app_jwt(world)}"})
    expires = datetime.strptime(r.json()["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert 60 < (expires - datetime.now(UTC)).total_seconds() <= 120
    assert_clean(gh)


# --- pull request data from git -----------------------------------------------------------------

def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, text=True).stdout.strip()


def test_pr_files_have_real_patches(gh: RunningEmulator, world: World, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        files = {f["filename"]: f for f in c.get(f"/repos/{REPO}/pulls/{pr.number}/files").json()}
        got_pr = c.get(f"/repos/{REPO}/pulls/{pr.number}").json()
    assert {f: files[f]["status"] for f in files} == {
        "app.py": "modified", "auth.py": "added", "gone.py": "removed", "logo.png": "modified",
        "new_name.py": "renamed"}
    assert files["new_name.py"]["previous_filename"] == "old_name.py"
    app = files["app.py"]
    assert app["patch"].startswith("@@ -1,6 +1,6 @@") and "-line 3\n+line three" in app["patch"]
    assert app["patch"].count("\n@@ ") == 1  # two hunks
    assert (app["additions"], app["deletions"], app["changes"]) == (2, 1, 3)
    assert files["auth.py"]["patch"].startswith("@@ -0,0 +1,5 @@")
    assert files["gone.py"]["patch"] == "@@ -1 +0,0 @@\n-print('bye')"
    assert "patch" not in files["logo.png"]  # binary, like GitHub
    repo_path = world.repos[REPO].path
    assert app["sha"] == _git(repo_path, "rev-parse", f"{pr.head_sha}:app.py")
    assert app["contents_url"].endswith(f"/repos/{REPO}/contents/app.py?ref={pr.head_sha}")
    assert got_pr["head"]["sha"] == pr.head_sha and got_pr["base"]["sha"] == pr.base_sha
    assert got_pr["changed_files"] == 5 and got_pr["commits"] == 1
    assert_clean(gh)


def test_large_diffs_have_no_patch(gh: RunningEmulator, world: World, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    world.push(pr, {"big.txt": "".join(f"row {i}\n" for i in range(20000))})
    world.max_patch_bytes = 50_000
    with client_for(gh, inst) as c:
        files = {f["filename"]: f for f in c.get(f"/repos/{REPO}/pulls/{pr.number}/files").json()}
    assert "patch" not in files["big.txt"] and files["big.txt"]["additions"] == 20000
    assert "patch" in files["app.py"]
    assert_clean(gh)


def test_pagination_link_headers(gh: RunningEmulator, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        first = c.get(f"/repos/{REPO}/pulls/{pr.number}/files", params={"per_page": 2})
        links = httpx.Response(200, headers={"link": first.headers["link"]}).links
        assert len(first.json()) == 2
        assert links["next"]["url"].endswith("per_page=2&page=2") and links["last"]["url"].endswith("page=3")
        names = [f["filename"] for f in first.json()]
        url: str | None = links["next"]["url"]
        while url:
            page = c.get(url)
            names += [f["filename"] for f in page.json()]
            url = page.links.get("next", {}).get("url")
        assert len(names) == len(set(names)) == 5
        last = c.get(f"/repos/{REPO}/pulls/{pr.number}/files", params={"per_page": 2, "page": 3})
        assert set(last.links) == {"prev", "first"} and len(last.json()) == 1
        assert "link" not in c.get(f"/repos/{REPO}/pulls/{pr.number}/files").headers
    assert_clean(gh)


def test_contents_blobs_trees_compare_commits_and_tarball(gh: RunningEmulator, world: World,
                                                          scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        content = c.get(f"/repos/{REPO}/contents/auth.py", params={"ref": pr.head_sha}).json()
        assert content["encoding"] == "base64" and base64.b64decode(content["content"]) == HEAD_FILES["auth.py"].encode()  # type: ignore[union-attr]
        raw = c.get(f"/repos/{REPO}/contents/auth.py", params={"ref": pr.head_sha},
                    headers={"Accept": "application/vnd.github.raw+json"})
        assert raw.content == HEAD_FILES["auth.py"].encode()  # type: ignore[union-attr]
        assert c.get(f"/repos/{REPO}/contents/auth.py", params={"ref": pr.base_sha}).status_code == 404
        listing = c.get(f"/repos/{REPO}/contents/docs", params={"ref": "main"}).json()
        assert [(e["type"], e["path"]) for e in listing] == [("file", "docs/guide.md")]
        blob = c.get(f"/repos/{REPO}/git/blobs/{content['sha']}").json()
        assert base64.b64decode(blob["content"]) == HEAD_FILES["auth.py"].encode()  # type: ignore[union-attr]
        tree = c.get(f"/repos/{REPO}/git/trees/{pr.head_sha}", params={"recursive": "1"}).json()
        assert {e["path"] for e in tree["tree"]} >= {"app.py", "auth.py", "new_name.py", "logo.png", "docs",
                                                    "docs/guide.md"}
        assert "gone.py" not in {e["path"] for e in tree["tree"]}
        compare = c.get(f"/repos/{REPO}/compare/main...{pr.head_ref}").json()
        assert compare["status"] == "ahead" and compare["ahead_by"] == 1 and compare["commits"][0]["sha"] == pr.head_sha
        assert len(compare["files"]) == 5
        commits = c.get(f"/repos/{REPO}/pulls/{pr.number}/commits").json()
        assert [x["sha"] for x in commits] == [pr.head_sha]
        redirect = c.get(f"/repos/{REPO}/tarball/{pr.head_sha}")
        assert redirect.status_code == 302
        archive = c.get(redirect.headers["location"])
        with tarfile.open(fileobj=io.BytesIO(archive.content), mode="r:gz") as tar:
            names = tar.getnames()
        top = f"acme-webapp-{pr.head_sha[:7]}"
        assert {n.split("/")[0] for n in names} == {top} and f"{top}/auth.py" in names
        assert gzip.decompress(archive.content)[:1]  # a real gzip stream
    assert_clean(gh)


# --- reviews ------------------------------------------------------------------------------------

def _review(c: httpx.Client, pr: PullRequest, comments: list[dict[str, Any]], **body: Any) -> httpx.Response:
    return c.post(f"/repos/{REPO}/pulls/{pr.number}/reviews",
                  json={"event": "COMMENT", "body": "auth-review found issues", "comments": comments, **body})


def test_create_review_accepts_lines_in_the_diff(gh: RunningEmulator, world: World,
                                                 scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    suggestion = "Verify the signature.\n```suggestion\n    return jwt.decode(token, KEY, algorithms=['RS256'])\n```"
    with client_for(gh, inst) as c:
        r = _review(c, pr, [
            {"path": "auth.py", "line": 5, "side": "RIGHT", "body": suggestion},
            {"path": "auth.py", "start_line": 4, "start_side": "RIGHT", "line": 5, "side": "RIGHT", "body": "range"},
            {"path": "gone.py", "line": 1, "side": "LEFT", "body": "removed line"},
            {"path": "app.py", "line": 36, "body": "second hunk, context line"},
        ], commit_id=pr.head_sha)
        assert r.status_code == 200, r.text
        review = r.json()
        assert review["state"] == "COMMENTED" and review["commit_id"] == pr.head_sha
        listed = c.get(f"/repos/{REPO}/pulls/{pr.number}/comments").json()
        for_review = c.get(f"/repos/{REPO}/pulls/{pr.number}/reviews/{review['id']}/comments").json()
    assert [x["id"] for x in listed] == [x["id"] for x in for_review]
    first = listed[0]
    assert first["path"] == "auth.py" and first["line"] == 5 and first["side"] == "RIGHT" and first["position"] == 5
    assert first["diff_hunk"].startswith("@@ -0,0 +1,5 @@") and first["diff_hunk"].endswith("verify_signature': False})")
    assert (listed[1]["start_line"], listed[1]["line"]) == (4, 5)
    assert listed[3]["position"] is not None and listed[3]["position"] > 7  # counted across the first hunk
    recorded = world.reviews_for(REPO, pr.number)
    assert len(recorded) == 1 and len(recorded[0].comment_ids) == 4
    assert world.review_comments[recorded[0].comment_ids[0]].body == suggestion
    assert_clean(gh)


@pytest.mark.parametrize("comment, reason", [
    ({"path": "app.py", "line": 20, "body": "x"}, "Line could not be resolved"),  # between the hunks
    ({"path": "README.md", "line": 1, "body": "x"}, "Path could not be resolved"),  # file not in the PR
    ({"path": "auth.py", "line": 2, "side": "LEFT", "body": "x"}, "Line could not be resolved"),  # added file
    ({"path": "auth.py", "start_line": 5, "line": 3, "body": "x"}, "precede"),
    ({"path": "app.py", "start_line": 3, "line": 36, "body": "x"}, "same hunk"),
    ({"path": "auth.py", "line": 1, "body": "x" * 65537}, "too long"),
])
def test_create_review_refuses_lines_outside_the_diff(gh: RunningEmulator, world: World,
                                                      scenario: tuple[Installation, PullRequest],
                                                      comment: dict[str, Any], reason: str) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        r = _review(c, pr, [{"path": "auth.py", "line": 1, "body": "fine"}, comment])
    assert r.status_code == 422
    assert r.json()["message"] == "Unprocessable Entity" and reason in r.json()["errors"][0]
    assert world.reviews_for(REPO, pr.number) == []  # nothing half-posted
    assert_clean(gh)


def test_review_body_limit_and_dismissal(gh: RunningEmulator, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        assert _review(c, pr, [], body="x" * 65537).status_code == 422
        r = _review(c, pr, [], event="REQUEST_CHANGES", body="fix the JWT check")
        assert r.json()["state"] == "CHANGES_REQUESTED"
        d = c.put(f"/repos/{REPO}/pulls/{pr.number}/reviews/{r.json()['id']}/dismissals", json={"message": "fixed"})
        assert d.status_code == 200 and d.json()["state"] == "DISMISSED"
        again = c.put(f"/repos/{REPO}/pulls/{pr.number}/reviews/{r.json()['id']}/dismissals", json={"message": "x"})
        assert again.status_code == 422
    assert_clean(gh)


def test_replies_reactions_edits_and_issue_comments(gh: RunningEmulator, world: World,
                                                    scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        review = _review(c, pr, [{"path": "auth.py", "line": 5, "body": "finding"}]).json()
        comment_id = world.reviews[review["id"]].comment_ids[0]
        reply = c.post(f"/repos/{REPO}/pulls/{pr.number}/comments/{comment_id}/replies", json={"body": "dismissed"})
        assert reply.status_code == 201 and reply.json()["in_reply_to_id"] == comment_id
        edited = c.patch(f"/repos/{REPO}/pulls/comments/{comment_id}", json={"body": "finding (fixed)"})
        assert edited.json()["body"] == "finding (fixed)"
        assert c.post(f"/repos/{REPO}/pulls/comments/{comment_id}/reactions", json={"content": "+1"}).status_code == 201
        assert c.post(f"/repos/{REPO}/pulls/comments/{comment_id}/reactions", json={"content": "+1"}).status_code == 200
        assert [x["content"] for x in c.get(f"/repos/{REPO}/pulls/comments/{comment_id}/reactions").json()] == ["+1"]
        ic = c.post(f"/repos/{REPO}/issues/{pr.number}/comments", json={"body": "summary"})
        assert ic.status_code == 201 and ic.json()["performed_via_github_app"]["id"] == world.app.id
        assert [x["body"] for x in c.get(f"/repos/{REPO}/issues/{pr.number}/comments").json()] == ["summary"]
        assert c.post(f"/repos/{REPO}/issues/999/comments", json={"body": "x"}).status_code == 404
    assert world.thread_for_comment(comment_id).comment_ids == [comment_id, reply.json()["id"]]  # type: ignore[union-attr]
    assert world.review_comments[comment_id].edits == ["finding"]
    assert_clean(gh)


def test_collaborator_permission(gh: RunningEmulator, world: World, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    world.set_permission(REPO, "maintainer", "maintain")
    world.account("drive-by")
    with client_for(gh, inst) as c:
        m = c.get(f"/repos/{REPO}/collaborators/maintainer/permission").json()
        assert (m["permission"], m["role_name"]) == ("write", "maintain")
        assert c.get(f"/repos/{REPO}/collaborators/drive-by/permission").json()["permission"] == "none"
        assert c.get(f"/repos/{REPO}/collaborators/nobody-at-all/permission").status_code == 404
    assert_clean(gh)


# --- check runs ---------------------------------------------------------------------------------

def test_check_run_create_update_and_list(gh: RunningEmulator, world: World,
                                          scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        created = c.post(f"/repos/{REPO}/check-runs", json={"name": "auth-review", "head_sha": pr.head_sha,
                                                            "status": "in_progress", "external_id": "job-1"})
        assert created.status_code == 201 and created.json()["status"] == "in_progress"
        run_id = created.json()["id"]
        annotation = {"path": "auth.py", "start_line": 5, "end_line": 5, "annotation_level": "failure",
                      "message": "JWT signature not verified", "title": "AR101"}
        done = c.patch(f"/repos/{REPO}/check-runs/{run_id}", json={
            "conclusion": "failure", "output": {"title": "1 finding", "summary": "1 auth defect",
                                                "annotations": [annotation]}})
        assert done.status_code == 200
        assert (done.json()["status"], done.json()["conclusion"]) == ("completed", "failure")
        assert done.json()["output"]["annotations_count"] == 1
        assert done.json()["pull_requests"][0]["number"] == pr.number
        listed = c.get(f"/repos/{REPO}/commits/{pr.head_sha}/check-runs", params={"check_name": "auth-review"}).json()
        assert listed["total_count"] == 1 and listed["check_runs"][0]["id"] == run_id
        bad_sha = c.post(f"/repos/{REPO}/check-runs", json={"name": "x", "head_sha": "0" * 40})
        assert bad_sha.status_code == 422
        too_many = c.patch(f"/repos/{REPO}/check-runs/{run_id}", json={
            "output": {"title": "t", "summary": "s", "annotations": [annotation] * 51}})
        assert too_many.status_code == 422
    # The spec itself caps annotations at 50 per request, so this is also a request-validation failure.
    assert [(e.kind, e.method) for e in gh.validation_errors] == [("request", "patch")]
    assert "output/annotations" in gh.validation_errors[0].messages[0]
    gh.validation_errors.clear()
    run = world.check_runs[run_id]
    assert [u.get("status") or u.get("conclusion") for u in run.updates] == ["in_progress", "failure"]
    assert run.annotations == [annotation]
    assert_clean(gh)


# --- faults and rate limits ---------------------------------------------------------------------

def test_scripted_server_errors_then_success(gh: RunningEmulator, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    gh.emulator.faults.add(server_error("pulls/list-files", status=502, times=2))
    with client_for(gh, inst) as c:
        statuses = [c.get(f"/repos/{REPO}/pulls/{pr.number}/files").status_code for _ in range(3)]
        assert c.get(f"/repos/{REPO}/pulls/{pr.number}").status_code == 200  # other routes unaffected
    assert statuses == [502, 502, 200]
    assert [r.status for r in gh.emulator.calls("pulls/list-files")] == [502, 502, 200]
    assert_clean(gh)


def test_primary_rate_limit_exhausts_the_installation(gh: RunningEmulator, world: World,
                                                      scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    gh.emulator.faults.add(primary_rate_limit("pulls/get", reset_in=30))
    with client_for(gh, inst) as c:
        r = c.get(f"/repos/{REPO}/pulls/{pr.number}")
        assert r.status_code == 403 and r.json()["message"].startswith("API rate limit exceeded")
        assert r.headers["x-ratelimit-remaining"] == "0"
        assert 0 < int(r.headers["x-ratelimit-reset"]) - time.time() <= 31
        # Like GitHub, the whole installation is limited until the reset time.
        assert c.get(f"/repos/{REPO}/pulls/{pr.number}/files").status_code == 403
        assert c.get("/rate_limit").json()["resources"]["core"]["remaining"] == 0
    other = world.install("other-org")
    world.create_repo("other-org/lib", {"x.py": "x = 1\n"}, installation=other)
    with client_for(gh, other) as c:
        ok = c.get("/repos/other-org/lib")
        assert ok.status_code == 200 and int(ok.headers["x-ratelimit-remaining"]) == world.rate_limit - 1
        assert ok.headers["x-ratelimit-resource"] == "core" and ok.headers["x-ratelimit-used"] == "1"
    assert_clean(gh)


def test_rate_limit_runs_out_by_use(gh: RunningEmulator, world: World, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    world.rate_limit = 3
    with client_for(gh, inst) as c:
        remaining = [c.get(f"/repos/{REPO}").headers["x-ratelimit-remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        assert c.get(f"/repos/{REPO}").status_code == 403
    assert_clean(gh)


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit(gh: RunningEmulator, scenario: tuple[Installation, PullRequest], status: int) -> None:
    inst, pr = scenario
    gh.emulator.faults.add(secondary_rate_limit("POST /repos/*/pulls/*/reviews", status=status, retry_after=1))
    with client_for(gh, inst) as c:
        first = _review(c, pr, [])
        assert first.status_code == status and first.headers["retry-after"] == "1"
        assert "secondary rate limit" in first.json()["message"]
        assert _review(c, pr, []).status_code == 200
    assert gh.emulator.faults.pending() == []
    assert_clean(gh)


# --- manifest flow ------------------------------------------------------------------------------

def test_manifest_conversion_is_one_time_and_yields_working_credentials(gh: RunningEmulator, world: World) -> None:
    code = world.register_manifest_code({"name": "auth-review-test", "default_permissions": {"checks": "write"}})
    with gh.client() as c:
        r = c.post(f"/app-manifests/{code}/conversions")
        assert r.status_code == 201
        app = r.json()
        assert app["slug"] == "auth-review-test" and app["pem"].startswith("-----BEGIN RSA PRIVATE KEY-----")
        assert app["webhook_secret"] and app["client_id"] and app["client_secret"]
        assert c.post(f"/app-manifests/{code}/conversions").status_code == 404
        now = int(time.time())
        token = jwt.encode({"iat": now - 60, "exp": now + 500, "iss": str(app["id"])}, app["pem"], "RS256")
        me = c.get("/app", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["slug"] == "auth-review-test"
    assert world.app.webhook_secret == app["webhook_secret"]
    assert_clean(gh)


# --- GraphQL ------------------------------------------------------------------------------------

THREADS = """query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 50) {
        nodes { id isResolved comments(first: 10) { nodes { databaseId author { login } } } }
        pageInfo { hasNextPage }
      }
    }
  }
}"""
RESOLVE = "mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { id isResolved } } }"


def test_graphql_review_threads_and_resolve(gh: RunningEmulator, world: World,
                                            scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        review = _review(c, pr, [{"path": "auth.py", "line": 5, "body": "finding"}]).json()
        comment_id = world.reviews[review["id"]].comment_ids[0]
        variables = {"owner": "acme", "name": "webapp", "number": pr.number}
        data = c.post("/graphql", json={"query": THREADS, "variables": variables}).json()["data"]
        threads = data["repository"]["pullRequest"]["reviewThreads"]
        assert threads["pageInfo"] == {"hasNextPage": False}
        node = threads["nodes"][0]
        assert node["isResolved"] is False
        assert node["comments"]["nodes"] == [{"databaseId": comment_id, "author": {"login": world.app.bot_login}}]
        resolved = c.post("/graphql", json={"query": RESOLVE, "variables": {"id": node["id"]}}).json()
        assert resolved == {"data": {"resolveReviewThread": {"thread": {"id": node["id"], "isResolved": True}}}}
        assert world.thread_for_comment(comment_id).resolved  # type: ignore[union-attr]
        unknown = c.post("/graphql", json={"query": "{ viewer { login } }"}).json()
        assert "data" not in unknown and "viewer" in unknown["errors"][0]["message"]
        broken = c.post("/graphql", json={"query": "query { repository(owner: "}).json()
        assert broken["errors"][0]["message"].startswith("Parse error")
        missing = c.post("/graphql", json={"query": RESOLVE, "variables": {"id": "PRRT_nope"}}).json()
        assert missing["errors"][0]["type"] == "NOT_FOUND"
    assert_clean(gh)


# --- validation ---------------------------------------------------------------------------------

def test_unknown_endpoints_and_invalid_requests_are_recorded(gh: RunningEmulator,
                                                             scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    with client_for(gh, inst) as c:
        assert c.get(f"/repos/{REPO}/issues").status_code == 404
        bad = c.post(f"/repos/{REPO}/pulls/{pr.number}/reviews", json={"event": "LGTM"})
        assert bad.status_code == 422
        assert c.get(f"/repos/{REPO}/pulls/{pr.number}/files", params={"per_page": "many"}).status_code == 422
    kinds = [(e.kind, e.path) for e in gh.validation_errors]
    assert kinds == [("unknown-endpoint", f"/repos/{REPO}/issues"),
                     ("request", f"/repos/{REPO}/pulls/{pr.number}/reviews"),
                     ("request", f"/repos/{REPO}/pulls/{pr.number}/files")]
    assert "LGTM" in str(gh.validation_errors[1])


def test_strict_mode_turns_an_invalid_emulator_response_into_500(gh: RunningEmulator, world: World,
                                                                 scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    from devkit.emulator import server

    original = server.HANDLERS["repos/get"]
    server.HANDLERS["repos/get"] = lambda emu, ctx: server.Reply(200, {"id": "not an integer"})
    try:
        with client_for(gh, inst) as c:
            r = c.get(f"/repos/{REPO}")
    finally:
        server.HANDLERS["repos/get"] = original
    assert r.status_code == 500 and "emulator bug" in r.json()["message"]
    assert gh.validation_errors and gh.validation_errors[0].kind == "response"


def test_recorded_requests_redact_credentials(gh: RunningEmulator, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    token = gh.token(inst)
    with gh.client(token) as c:
        c.get(f"/repos/{REPO}/pulls/{pr.number}", params={"per_page": 5})
    rec = gh.emulator.calls("pulls/get")[0]
    assert rec.headers["authorization"] == "token [redacted]" and token not in json.dumps(rec.headers)
    assert rec.query == [("per_page", "5")] and rec.status == 200
    assert rec.response_headers["X-RateLimit-Resource"] == "core"


# --- webhooks -----------------------------------------------------------------------------------

def test_webhook_delivery_is_signed_and_can_be_redelivered(world: World,
                                                           scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    received: list[tuple[dict[str, str], bytes]] = []

    async def receive(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=202)

    payload = webhooks.pull_request_event(world, "opened", pr, inst)
    original = webhooks.load("pull_request.opened")
    assert payload["pull_request"]["head"]["sha"] == pr.head_sha and payload["installation"]["id"] == inst.id
    assert payload["repository"]["full_name"] == REPO and payload["number"] == pr.number
    assert payload["pull_request"]["mergeable_state"] == original["pull_request"]["mergeable_state"]  # untouched
    with serve(Starlette(routes=[Route("/webhooks", receive, methods=["POST"])])) as url:
        first = webhooks.deliver(f"{url}/webhooks", "pull_request", payload, world.app.webhook_secret,
                                 app_id=world.app.id)
        again = webhooks.deliver(f"{url}/webhooks", "pull_request", payload, world.app.webhook_secret,
                                 delivery_id=first.request.headers["x-github-delivery"])
    assert first.status_code == again.status_code == 202
    (headers, body), (headers2, body2) = received
    assert headers["x-hub-signature-256"] == webhooks.sign(world.app.webhook_secret, body)
    assert headers["x-github-event"] == "pull_request" and headers["user-agent"].startswith("GitHub-Hookshot/")
    assert headers["content-type"] == "application/json" and headers["x-github-hook-id"]
    assert headers2["x-github-delivery"] == headers["x-github-delivery"] and body2 == body
    assert json.loads(body)["action"] == "opened"


def test_webhook_helpers_for_comments_and_synchronize(world: World, scenario: tuple[Installation, PullRequest]) -> None:
    inst, pr = scenario
    old_head = pr.head_sha
    world.push(pr, {"auth.py": "import jwt\n"})
    sync = webhooks.pull_request_event(world, "synchronize", pr, inst)
    assert (sync["before"], sync["after"]) == (old_head, pr.head_sha)
    note = webhooks.issue_comment_on_pull(world, pr, inst, "/auth-review dismiss", "maintainer")
    assert note["issue"]["number"] == pr.number and "pull_request" in note["issue"]
    assert note["comment"]["user"]["login"] == "maintainer" and note["installation"]["id"] == inst.id
    ready = webhooks.pull_request_event(world, "ready_for_review", pr, inst)
    assert ready["installation"]["id"] == inst.id  # added: the octokit example has no installation


# --- githubkit ----------------------------------------------------------------------------------

def test_githubkit_calls_validate_against_the_schema(gh: RunningEmulator, world: World,
                                                     scenario: tuple[Installation, PullRequest]) -> None:
    from githubkit import AppAuthStrategy, GitHub

    inst, pr = scenario
    app_auth = AppAuthStrategy(world.app.id, world.app.private_key_pem)
    with GitHub(app_auth, base_url=gh.url + "/") as app_gh:
        assert app_gh.rest.apps.get_authenticated().parsed_data.id == world.app.id  # type: ignore[union-attr]
        installation = app_gh.rest.apps.get_repo_installation("acme", "webapp").parsed_data
        assert installation.id == inst.id
    with GitHub(app_auth.as_installation(inst.id), base_url=gh.url + "/") as ghk:
        pull = ghk.rest.pulls.get("acme", "webapp", pr.number).parsed_data
        files = list(ghk.rest.paginate(ghk.rest.pulls.list_files, owner="acme", repo="webapp", pull_number=pr.number,
                                  per_page=2))
        assert pull.head.sha == pr.head_sha and {f.filename for f in files} >= {"auth.py", "app.py"}
        review = ghk.rest.pulls.create_review("acme", "webapp", pr.number, commit_id=pr.head_sha, event="COMMENT",
                                              body="found 1", comments=[{"path": "auth.py", "line": 5,
                                                                         "side": "RIGHT", "body": "verify it"}])
        assert review.parsed_data.state == "COMMENTED"
        run = ghk.rest.checks.create("acme", "webapp", name="auth-review", head_sha=pr.head_sha, status="in_progress")
        ghk.rest.checks.update("acme", "webapp", run.parsed_data.id, conclusion="success",
                               output={"title": "ok", "summary": "no findings"})
        content = ghk.rest.repos.get_content("acme", "webapp", "auth.py", ref=pr.head_sha).parsed_data
        assert getattr(content, "path", None) == "auth.py"
        perm = ghk.rest.repos.get_collaborator_permission_level("acme", "webapp", "contributor").parsed_data
        assert perm.permission == "none"
        threads = ghk.graphql.request(THREADS, {"owner": "acme", "name": "webapp", "number": pr.number})
        assert len(threads["repository"]["pullRequest"]["reviewThreads"]["nodes"]) == 1
    token_calls = gh.emulator.calls("apps/create-installation-access-token")
    assert len(token_calls) == 1  # githubkit caches the installation token
    sent = gh.emulator.calls("pulls/get")[0].headers
    assert sent["authorization"] == "token [redacted]" and sent["x-github-api-version"] == "2026-03-10"
    assert_clean(gh)


def test_pull_request_from_a_fork(github: RunningEmulator) -> None:  # noqa: F811 (the fixture)
    world = github.world
    inst = world.install("acme")
    world.create_repo(REPO, BASE_FILES, installation=inst)
    pr = world.open_pull(REPO, {"auth.py": "SECRET = 'x'\n"}, fork_owner="outsider", author="outsider")
    world.push(pr, {"auth.py": "SECRET = 'y'\n"})
    with github.client(github.token(inst)) as c:
        got = c.get(f"/repos/{REPO}/pulls/{pr.number}").json()
        files = c.get(f"/repos/{REPO}/pulls/{pr.number}/files").json()
        assert c.get("/repos/outsider/webapp").status_code == 404  # the App is not installed on the fork
    assert got["head"]["repo"]["full_name"] == "outsider/webapp" and got["head"]["sha"] == pr.head_sha
    assert got["base"]["repo"]["full_name"] == REPO and got["commits"] == 2
    assert [(f["filename"], f["status"], f["patch"]) for f in files] == [("auth.py", "added", "@@ -0,0 +1 @@\n+SECRET = 'y'")]
    assert_clean(github)
