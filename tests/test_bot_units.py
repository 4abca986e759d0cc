"""Bot pieces without GitHub: signatures, the queue, settings, placement, comment bodies."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from auth_review.analyzers.findings import Confidence, Finding, Fix, Severity
from auth_review.bot import webhook
from auth_review.bot.fetch import ChangedFile, PullRequest
from auth_review.bot.jobs import ThreadJob
from auth_review.bot.place import hunks, place
from auth_review.bot.post import FINGERPRINT_MARKER, comment_body, review_body
from auth_review.bot.queue import SqliteQueue, backoff
from auth_review.bot.settings import (
    Credentials,
    SettingsError,
    load_credentials_file,
    load_settings,
    save_credentials_file,
)
from auth_review.bot.store import Store

WEBHOOKS = Path(__file__).resolve().parents[1] / "devkit" / "emulator" / "data" / "webhooks"


# --- webhook verification ---------------------------------------------------------

def test_signature_matches_githubs_test_vector() -> None:
    secret, body = "It's a Secret to Everybody", b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert webhook.signature_for(secret, body) == expected
    assert webhook.verify_signature(secret, body, expected)
    assert not webhook.verify_signature(secret, body, expected[:-1] + "0")
    assert not webhook.verify_signature(secret, body, None)
    # A correctly signed body that is not JSON is refused as malformed, not as unsigned.
    headers = {"x-hub-signature-256": expected, "x-github-event": "ping", "x-github-delivery": "d1"}
    with pytest.raises(webhook.WebhookRejected) as exc:
        webhook.parse(secret, body, headers)
    assert exc.value.status == 400


def _delivery(name: str, delivery_id: str = "d-1") -> webhook.Delivery:
    payload = json.loads((WEBHOOKS / f"{name}.json").read_text())
    return webhook.Delivery(id=delivery_id, event=name.split(".")[0], payload=payload)


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "state.db")


def test_pull_request_delivery_enqueues_one_review_and_dedupes(store: Store) -> None:
    queue = SqliteQueue(store)
    delivery = _delivery("pull_request.opened")
    is_new, jobs = webhook.record(store, queue, delivery)
    assert is_new and len(jobs) == 1
    assert webhook.record(store, queue, delivery) == (False, [])  # redelivery: same X-GitHub-Delivery
    leased = queue.lease("w", 30)
    pr = delivery.payload["pull_request"]
    assert leased is not None and leased.kind == "review"
    assert leased.payload["head_sha"] == pr["head"]["sha"] and leased.payload["number"] == pr["number"]
    assert leased.group == f"{delivery.payload['repository']['full_name']}#{pr['number']}"


def test_newer_push_supersedes_a_queued_review(store: Store) -> None:
    queue = SqliteQueue(store)
    webhook.record(store, queue, _delivery("pull_request.opened", "a"))
    sync = _delivery("pull_request.synchronize", "b")
    sync.payload["repository"] = _delivery("pull_request.opened").payload["repository"]
    sync.payload["number"] = sync.payload["pull_request"]["number"] = _delivery("pull_request.opened").payload["number"]
    webhook.record(store, queue, sync)
    leased = queue.lease("w", 30)
    assert leased is not None and leased.payload["head_sha"] == sync.payload["pull_request"]["head"]["sha"]
    assert queue.lease("w", 30) is None


def test_installation_events_track_installations_and_repositories(store: Store) -> None:
    queue = SqliteQueue(store)
    created = _delivery("installation.created", "i1")
    webhook.record(store, queue, created)
    repos = {r[0] for r in store.execute("SELECT full_name FROM repositories WHERE removed = 0")}
    assert repos == {r["full_name"] for r in created.payload["repositories"]}
    installation_id = created.payload["installation"]["id"]
    for name, delivery_id in (("installation.suspend", "i2"), ("installation.deleted", "i3")):
        delivery = _delivery(name, delivery_id)
        delivery.payload["installation"]["id"] = installation_id  # the same installation throughout
        webhook.record(store, queue, delivery)
        row = store.execute("SELECT suspended, deleted FROM installations WHERE id = ?", (installation_id,)).fetchone()
        assert row == ((1, 0) if name == "installation.suspend" else (0, 1))  # deleted: as GitHub reports it


# --- the queue ---------------------------------------------------------------------

def test_lease_visibility_timeout_ack_and_retry(store: Store) -> None:
    queue = SqliteQueue(store, max_attempts=2)
    job_id = queue.enqueue("review", {"n": 1})
    first = queue.lease("a", seconds=0.05)
    assert first is not None and first.id == job_id and first.attempts == 1
    assert queue.lease("b", 30) is None  # leased: invisible
    deadline = time.monotonic() + 5
    second = None
    while second is None and time.monotonic() < deadline:  # the lease lapses: a crashed worker loses nothing
        second = queue.lease("b", 30)
    assert second is not None and second.id == job_id and second.attempts == 2
    queue.ack(first)  # the stale owner's ack is ignored
    assert queue.counts() == {"leased": 1}
    assert queue.retry(second, "boom", delay=0) is False  # last attempt: dead-lettered
    assert queue.counts() == {"dead": 1}


def test_retry_puts_the_job_back_after_the_delay(store: Store) -> None:
    queue = SqliteQueue(store)
    queue.enqueue("review", {})
    job = queue.lease("a", 30)
    assert job is not None and queue.retry(job, "503", delay=60)
    assert queue.lease("a", 30) is None
    assert 55 < (queue.next_due() or 0) <= 60
    queue.ack(job)


def test_jobs_of_one_pull_request_run_one_at_a_time(store: Store) -> None:
    queue = SqliteQueue(store)
    queue.enqueue("review", {"i": 1}, group="o/r#1")
    queue.enqueue("review", {"i": 2}, group="o/r#1")
    queue.enqueue("review", {"i": 3}, group="o/r#2")
    a = queue.lease("w1", 30)
    b = queue.lease("w2", 30)
    assert a is not None and b is not None
    assert (a.payload["i"], b.payload["i"]) == (1, 3)
    assert queue.lease("w3", 30) is None  # o/r#1 is busy
    queue.ack(a)
    c = queue.lease("w3", 30)
    assert c is not None and c.payload["i"] == 2


def test_backoff_grows_and_is_capped() -> None:
    assert 1.4 < backoff(1) < 2.6 and 5.9 < backoff(3) < 10.1 and backoff(30) <= 375


# --- settings ------------------------------------------------------------------------

def _key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def test_settings_from_environment_and_dotenv(tmp_path: Path) -> None:
    key = _key()
    (tmp_path / "key.pem").write_text(key)
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"APP_ID=42\nPRIVATE_KEY_PATH={tmp_path / 'key.pem'}\nWEBHOOK_SECRET=s3cret\nPORT=8080\n")
    settings = load_settings({"GITHUB_API_URL": "https://ghe.example.com/api/v3"}, dotenv=dotenv)
    assert settings.credentials is not None and settings.credentials.app_id == 42 and settings.port == 8080
    assert settings.github_url == "https://ghe.example.com"
    assert "s3cret" not in repr(settings) and "PRIVATE" not in repr(settings)


@pytest.mark.parametrize(("env", "message"), [
    ({"APP_ID": "x", "PRIVATE_KEY": "k", "WEBHOOK_SECRET": "s"}, "PRIVATE_KEY is not a PEM-encoded private key"),
    ({"APP_ID": "1", "WEBHOOK_SECRET": "s"}, "PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set"),
    ({"PORT": "eighty"}, "PORT must be a whole number"),
    ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
    ({"GITHUB_API_URL": "ftp://x"}, "GITHUB_API_URL must be an http(s) URL"),
    ({"PRIVATE_KEY_PATH": "/nonexistent/key.pem"}, "PRIVATE_KEY_PATH: cannot read"),
])
def test_bad_settings_name_the_setting(env: dict[str, str], message: str, tmp_path: Path) -> None:
    env = {"CREDENTIALS_PATH": str(tmp_path / "none.json"), **env}
    with pytest.raises(SettingsError) as exc:
        load_settings(env, dotenv=None)
    assert message in str(exc.value)
    assert "s" != str(exc.value)  # the secret itself is never echoed


def test_credentials_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "creds.json"
    save_credentials_file(path, Credentials(app_id=7, private_key=_key(), webhook_secret="w"))
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = load_credentials_file(path)
    assert loaded is not None and loaded.app_id == 7


# --- placement and comments ---------------------------------------------------------------

PATCH = "@@ -1,3 +1,4 @@\n import jwt\n-x = 1\n+x = 2\n+claims = jwt.decode(t, k)\n def f():\n@@ -10,2 +11,3 @@ def g():\n     a = 1\n+    b = 2\n     c = 3\n"


def _finding(line: int, end_line: int | None = None, fix: Fix | None = None, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(rule_id="AR201", title="JWT decoded without pinned algorithms", severity=severity,
                   confidence=Confidence.HIGH, cwe=347, path="app.py", line=line, end_line=end_line or line,
                   column=1, end_column=5, message="pin it", fix=fix, fingerprint=f"ab{line}:0")


def test_hunks_and_placement() -> None:
    changed = ChangedFile("app.py", "modified", None, "sha", PATCH)
    assert [(h.start, h.end) for h in hunks(changed)] == [(1, 4), (11, 13)]
    fixed = _finding(3, fix=Fix(3, 3, 'claims = jwt.decode(t, k, algorithms=["HS256"])'))
    spanning = _finding(4, 11, fix=Fix(4, 11, "x"))  # the fix crosses hunks: no suggestion
    outside = _finding(7)
    inline, summary = place([fixed, spanning, outside], [changed])
    assert [(p.finding.line, p.start_line, p.line, p.suggest) for p in inline] == [(3, None, 3, True), (4, None, 4, False)]
    assert summary == [outside]


def test_only_high_confidence_is_commented_inline_by_default() -> None:
    changed = ChangedFile("app.py", "modified", None, "sha", PATCH)
    sure = _finding(3)
    likely = replace(_finding(12), confidence=Confidence.MEDIUM)
    outside = _finding(7)
    inline, summary = place([sure, likely, outside], [changed])
    assert [p.finding for p in inline] == [sure] and summary == [likely, outside]
    pr = PullRequest("o", "r", 7, "h" * 40, "b" * 40, "main", False, "open", "o/r")
    body = review_body(pr, inline, summary, [], [])
    assert "1 is below high confidence" in body and "1 is on lines outside this diff's hunks" in body
    # A repository that wants medium inline too says so (inline-confidence: medium).
    inline, summary = place([sure, likely, outside], [changed], Confidence.MEDIUM)
    assert [p.finding for p in inline] == [sure, likely] and summary == [outside]


def test_comment_body_has_suggestion_link_and_marker() -> None:
    inline, _ = place([_finding(3, fix=Fix(3, 3, 'x = "```"'))], [ChangedFile("app.py", "modified", None, "s", PATCH)])
    body = comment_body(inline[0])
    assert "````suggestion\nx = \"```\"\n````" in body  # a longer fence than any run inside
    assert "docs/rules.md#ar201" in body
    assert FINGERPRINT_MARKER.search(body)["fp"] == "ab3:0"  # type: ignore[index]


def test_review_body_stays_under_githubs_limit() -> None:
    pr = PullRequest("o", "r", 1, "h" * 40, "b" * 40, "main", False, "open", "o/r")
    many = [_finding(i) for i in range(1, 5000)]
    for f in many:
        f.message = "m" * 300
    body = review_body(pr, [], many, [], ["e" * 400] * 100)
    assert len(body) <= 65_536 and "and " in body and f"head={'h' * 40}" in body


@pytest.mark.parametrize(("env", "line"), [
    ({"PORT": "eighty"}, "auth-review: error: configuration: PORT must be a whole number, got 'eighty'"),
    ({"APP_ID": "12", "WEBHOOK_SECRET": "hush-hush"}, "auth-review: error: configuration: PRIVATE_KEY (or PRIVATE_KEY_PATH) "
                                                       "is not set (APP_ID, PRIVATE_KEY and WEBHOOK_SECRET go together)"),
])
def test_serve_stops_with_one_line_naming_the_setting(tmp_path: Path, env: dict[str, str], line: str) -> None:
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if k not in ("APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET")}
    done = subprocess.run([sys.executable, "-m", "auth_review.bot.cli", "serve"], cwd=tmp_path, capture_output=True, text=True,
                          env={**clean, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), **env}, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [line]
    assert "hush-hush" not in done.stderr + done.stdout


# --- feedback: webhooks, commands, markers, suggestions ----------------------------------------

from auth_review.bot import feedback, records  # noqa: E402
from auth_review.bot.post import FeedbackMark, PostedComment, suggestion_in  # noqa: E402


def test_review_comment_reply_with_a_command_enqueues_one_command_job(store: Store) -> None:
    queue = SqliteQueue(store)
    delivery = _delivery("pull_request_review_comment.created", "c1")
    comment = delivery.payload["comment"]
    comment.update({"in_reply_to_id": 4242, "body": "Agreed.\n/auth-review dismiss handled by the gateway"})
    assert webhook.record(store, queue, delivery)[1]
    job = queue.lease("w", 30)
    assert job is not None and job.kind == "command"
    assert (job.payload["parent_id"], job.payload["author"], job.payload["comment_id"]) == (
        4242, comment["user"]["login"], comment["id"])
    assert job.group == f"{delivery.payload['repository']['full_name']}#{delivery.payload['pull_request']['number']}"


@pytest.mark.parametrize("change", [
    {"in_reply_to_id": None},  # a new thread, not a reply to auth-review
    {"body": "Looks good to me"},  # no command
    {"user": {"login": "auth-review[bot]", "type": "Bot"}},  # the bot's own reply
])
def test_other_review_comments_enqueue_nothing(store: Store, change: dict[str, object]) -> None:
    delivery = _delivery("pull_request_review_comment.created", "c2")
    delivery.payload["comment"].update({"in_reply_to_id": 4242, "body": "/auth-review dismiss"})
    delivery.payload["comment"].update(change)
    assert webhook.record(store, SqliteQueue(store), delivery) == (True, [])


def test_thread_events_enqueue_a_job_only_for_a_bot_thread_resolved_by_a_person(store: Store) -> None:
    queue = SqliteQueue(store)
    human_thread = _delivery("pull_request_review_thread.resolved", "t1")  # as GitHub sent it: a person's thread
    assert webhook.record(store, queue, human_thread) == (True, [])
    ours = _delivery("pull_request_review_thread.unresolved", "t2")
    ours.payload["thread"]["comments"][0]["user"].update({"login": "auth-review[bot]", "type": "Bot"})
    assert len(webhook.record(store, queue, ours)[1]) == 1
    job = queue.lease("w", 30)
    assert job is not None and job.kind == "thread" and job.payload["action"] == "unresolved"
    assert job.payload["root_id"] == ours.payload["thread"]["comments"][0]["id"]
    assert job.payload["root_user"] == {"login": "auth-review[bot]", "type": "Bot"}  # the job checks which bot
    by_bot = _delivery("pull_request_review_thread.resolved", "t3")
    by_bot.payload["thread"]["comments"][0]["user"]["type"] = "Bot"
    by_bot.payload["sender"].update({"login": "auth-review[bot]", "type": "Bot"})
    assert webhook.record(store, queue, by_bot) == (True, [])


@pytest.mark.parametrize(("body", "expected"), [
    ("/auth-review dismiss", feedback.Command("dismiss", "pull", None, "dismiss")),
    ("/auth-review ignore not reachable from outside", feedback.Command("dismiss", "pull", "not reachable from outside", "ignore")),
    ("LGTM\n  /Auth-Review FALSE-POSITIVE", feedback.Command("dismiss", "pull", "false positive", "false-positive")),
    ("/auth-review wontfix --repo legacy code", feedback.Command("dismiss", "repo", "legacy code", "wontfix")),
    ("/auth-review dismiss --repo", feedback.Command("dismiss", "repo", None, "dismiss")),
    # --repo counts only right after the word; in the reason it is just a word.
    ("/auth-review dismiss see --repo in the docs", feedback.Command("dismiss", "pull", "see --repo in the docs", "dismiss")),
    ("/auth-review undismiss", feedback.Command("undismiss", word="undismiss")),
    ("/auth-review please", feedback.Command("unknown", word="please")),
    ("/auth-review", feedback.Command("unknown")),
    ("see /auth-review dismiss in the docs", None),  # mid-sentence: not a command
    ("/auth-reviewer dismiss", None),
])
def test_parse_command(body: str, expected: feedback.Command | None) -> None:
    assert feedback.parse_command(body) == expected


def test_feedback_marker_round_trips_and_cannot_be_forged_through_a_reason() -> None:
    mark = FeedbackMark("ab12:0", "AR201", "dismissed", "repo", "alice", "991", reason="a --> b <!-- c")
    body = f"Dismissed.\n\n{mark.marker()}"
    assert FeedbackMark.parse(body) == mark
    assert "-->" not in mark.marker()[:-3] and FINGERPRINT_MARKER.search(body) is None
    assert FeedbackMark.parse("<!-- auth-review:feedback fingerprint=nothex rule_id=AR1 state=open -->") is None


def test_posted_comment_reads_levels_and_suggestion_from_the_body() -> None:
    inline, _ = place([_finding(3, fix=Fix(3, 3, 'claims = jwt.decode(t, k, algorithms=["HS256"])'))],
                      [ChangedFile("app.py", "modified", None, "s", PATCH)])
    body = comment_body(inline[0])
    posted = PostedComment(1, "ab3:0", "AR201", "app.py", 3, None, body=body)
    assert posted.levels == ("high", "high")
    assert posted.suggestion == suggestion_in(body) == 'claims = jwt.decode(t, k, algorithms=["HS256"])'


BEFORE = "import jwt\n\n\ndef f(t, k):\n    claims = jwt.decode(t, k)\n    return claims\n"


@pytest.mark.parametrize(("after", "applied"), [
    (BEFORE.replace("jwt.decode(t, k)", 'jwt.decode(t, k, algorithms=["HS256"])'), True),  # "Commit suggestion"
    ("# moved down by an edit above\n\n" + BEFORE.replace("jwt.decode(t, k)", 'jwt.decode(t, k, algorithms=["HS256"])  '), True),
    (BEFORE.replace("jwt.decode(t, k)", 'jwt.decode(t, k, algorithms=["RS256"])'), False),  # fixed another way
    (BEFORE.replace("    claims = jwt.decode(t, k)\n", ""), False),  # deleted
    ('    claims = jwt.decode(t, k, algorithms=["HS256"])\n', False),  # the text, but not at that place
])
def test_suggestion_applied_follows_the_place_through_edits(after: str, applied: bool) -> None:
    replacement = '    claims = jwt.decode(t, k, algorithms=["HS256"])'
    assert feedback.suggestion_applied(BEFORE, after, 5, 5, replacement) is applied


def test_suggestion_that_deletes_lines() -> None:
    before = "a\nb\nc\nd\n"
    assert feedback.suggestion_applied(before, "a\nd\n", 2, 3, "")
    assert not feedback.suggestion_applied(before, "a\nx\nd\n", 2, 3, "")


def test_suggestion_that_deletes_the_first_or_last_lines_of_the_file() -> None:
    before = "a\nb\nc\n"
    assert feedback.suggestion_applied(before, "a\n", 2, 3, "")  # the end of the file is the neighbour below
    assert feedback.suggestion_applied("# new header\n" + before, "# new header\na\n", 3, 4, "")
    assert not feedback.suggestion_applied(before, before, 2, 3, "")
    assert not feedback.suggestion_applied(before, "a\nx\n", 2, 3, "")
    assert feedback.suggestion_applied(before, "c\n", 1, 2, "")  # the start of the file is the neighbour above
    assert not feedback.suggestion_applied(before, before, 1, 2, "")
    assert feedback.suggestion_applied(before, "a\nB\n", 2, 3, "B")  # a replacement that ends the file


# --- operator tuning, migrations ----------------------------------------------------------------

def test_operator_tuning_per_installation(tmp_path: Path) -> None:
    from auth_review.analyzers.config import Config
    from auth_review.analyzers.findings import Confidence
    from auth_review.bot import tuning

    path = tmp_path / "operator.yml"
    path.write_text("all:\n  ignore: [B101]\n  rule-confidence: {AR1: medium}\n"
                    "installations:\n  Acme:\n    ignore: AR505\n    min-confidence: medium\n"
                    "    rule-confidence: {AR101: high}\n  '77':\n    ignore: [AR6]\n")
    tuned = tuning.load(path).for_installation("acme", 77)
    assert tuned.ignore == ("B101", "AR6", "AR505")
    assert (tuned.threshold("AR101"), tuned.threshold("AR103"), tuned.threshold("AR201")) == (
        Confidence.HIGH, Confidence.MEDIUM, None)
    assert not tuned.admits("AR101", Confidence.MEDIUM) and tuned.admits("AR201", Confidence.LOW)
    config = tuned.apply(Config(ignore=("AR2",), min_confidence=Confidence.HIGH))
    assert config.ignore == ("AR2", "B101", "AR6", "AR505") and config.min_confidence == Confidence.HIGH
    assert not config.rule_enabled("AR601") and config.rule_enabled("AR101")
    assert tuning.load(path).for_installation("other", 1).ignore == ("B101",)


@pytest.mark.parametrize(("text", "message"), [
    ("installations:\n  acme:\n    ignor: [AR1]\n", "installations.acme: unknown key 'ignor'"),
    ("installations:\n  acme:\n    rule-confidence: {AR101: sure}\n", "unknown confidence 'sure'"),
    ("installations:\n  acme:\n    ignore: [XY1]\n", "'XY1' is not a rule id"),
    ("everyone: {}\n", "unknown key 'everyone'"),
])
def test_operator_tuning_errors_name_the_setting(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "operator.yml"
    path.write_text(text)
    with pytest.raises(SettingsError) as exc:
        load_settings({"OPERATOR_CONFIG": str(path), "CREDENTIALS_PATH": str(tmp_path / "none.json")}, dotenv=None)
    assert str(exc.value).startswith(f"OPERATOR_CONFIG: {path}") and message in str(exc.value)


def test_a_new_database_creates_the_comments_table_with_every_column(tmp_path: Path) -> None:
    from auth_review.bot.store import ADDED_COLUMNS

    store = Store.open(tmp_path / "new.db")
    (create,) = store.execute("SELECT sql FROM sqlite_master WHERE name = 'comments'").fetchone()
    assert all(f"{column} {declaration}" in create for _, column, declaration in ADDED_COLUMNS)


def test_a_database_from_an_earlier_release_gains_the_feedback_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE comments (repository TEXT NOT NULL, number INTEGER NOT NULL, fingerprint TEXT NOT NULL, "
                "rule_id TEXT NOT NULL, comment_id INTEGER, path TEXT NOT NULL, line INTEGER NOT NULL, "
                "head_sha TEXT NOT NULL, suggestion TEXT, state TEXT NOT NULL DEFAULT 'open', created_at REAL NOT NULL, "
                "PRIMARY KEY (repository, number, fingerprint))")
    old.execute("INSERT INTO comments VALUES ('o/r', 1, 'ab:0', 'AR201', 5, 'a.py', 3, 'sha', NULL, 'open', 1.0)")
    old.commit()
    old.close()
    store = Store.open(path)
    assert records.tracked(store, "o/r", 1)["ab:0"].state == "open"
    assert Store.open(path).execute("SELECT decided_by, fixed_in FROM comments").fetchone() == (None, None)


def test_recording_is_idempotent_and_queues_one_refresh_for_many_decisions(store: Store) -> None:
    from auth_review.bot.fetch import PullRequest

    for fp, rule in (("aa:0", "AR201"), ("bb:0", "AR501")):
        store.execute("INSERT INTO comments (repository, number, fingerprint, rule_id, comment_id, path, line, head_sha, "
                      "created_at) VALUES ('o/r', 7, ?, ?, 1, 'a.py', 3, 'h', 1.0)", (fp, rule))
    rows = records.tracked(store, "o/r", 7)
    queue = SqliteQueue(store)
    pr = PullRequest("o", "r", 7, "h" * 40, "b" * 40, "main", False, "open", "o/r")
    dismiss = records.Change("dismissed", "dismissed", "command", "comment:1", "alice", "noise", "repo")
    assert feedback.record(store, rows["aa:0"], dismiss, queue, feedback.refresh_job(pr, 9, "comment:1"))
    assert not feedback.record(store, rows["aa:0"], dismiss, queue, feedback.refresh_job(pr, 9, "comment:1"))  # replay
    other = records.Change("dismissed", "dismissed", "thread", "thread:d2", "bob")
    assert feedback.record(store, rows["bb:0"], other, queue, feedback.refresh_job(pr, 9, "thread:d2"))
    assert queue.counts() == {"queued": 1}  # one refresh counts both decisions
    assert set(records.dismissals(store, "o/r", 7)) == {"aa:0", "bb:0"}
    assert records.dismissals(store, "o/r", 8)["aa:0"].scope == "repo"  # carried into another pull request
    back = records.Change("undismissed", "open", "command", "comment:3", "alice", scope="repo")
    assert feedback.record(store, rows["aa:0"], back)
    assert set(records.dismissals(store, "o/r", 8)) == set() and records.tracked(store, "o/r", 7)["aa:0"].state == "open"


# --- this App's own account ---------------------------------------------------------------------

def test_only_this_apps_bot_account_is_recognised_as_its_own() -> None:
    from auth_review.bot.github import AppAccount

    me = AppAccount("auth-review")
    assert me.login == "auth-review[bot]" and me.owns({"login": "auth-review[bot]", "type": "Bot"})
    assert not me.owns({"login": "other-app[bot]", "type": "Bot"})  # another App on the repository
    assert not me.owns({"login": "auth-review[bot]", "type": "User"}) and not me.owns(None)


def test_the_slug_comes_from_saved_credentials_or_from_github_once() -> None:
    from auth_review.bot.github import app_account

    class App:
        asked = 0

        @property
        def rest(self) -> App:
            return self

        @property
        def apps(self) -> App:
            return self

        def get_authenticated(self) -> App:
            App.asked += 1
            return self

        def json(self) -> dict[str, str]:
            return {"slug": "from-github"}

    assert app_account(App(), Credentials(1, "k", "s", slug="saved")).slug == "saved" and App.asked == 0  # type: ignore[arg-type]
    assert app_account(App(), Credentials(1, "k", "s")).login == "from-github[bot]" and App.asked == 1  # type: ignore[arg-type]


def test_a_thread_job_for_another_apps_thread_asks_github_nothing(store: Store) -> None:
    from auth_review.bot import job
    from auth_review.bot.github import AppAccount

    def no_github(*_: object) -> None:
        raise AssertionError("GitHub was asked")

    ctx = job.JobContext(store, no_github, no_github, account=lambda: AppAccount("auth-review"))
    payload = {"delivery": "d", "repository": "o/r", "number": 3, "installation_id": 9, "action": "resolved",
               "root_id": 5, "sender": "alice", "root_user": {"login": "other-app[bot]", "type": "Bot"}}
    assert job.thread(ctx, ThreadJob.from_payload(payload)) == "not an auth-review thread"
