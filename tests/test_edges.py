"""Hostile input at the edges: configuration files from repositories, webhook bodies, GitHub that never answers.

Every hostile input is generated here. Config files must end in a ``ConfigError`` (a clear CLI error, a
check-run note in the App), never a RecursionError, a hang or a megabyte error message; webhook bodies
must end in a 4xx, never a 500, a traceback or a request held open.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from githubkit.exception import RequestError, RequestTimeout

from auth_review.analyzers.cli import main
from auth_review.analyzers.config import _KEYS, MAX_CONFIG_BYTES, Config, ConfigError, load_file
from auth_review.bot.github import RetryPolicy
from auth_review.bot.queue import SqliteQueue
from auth_review.bot.settings import Credentials, Settings, load_settings
from auth_review.bot.store import Store
from auth_review.bot.worker import Worker, _describe
from devkit.emulator.webhooks import delivery_headers
from devkit.harness import RunningBot, running_bot, wait_until

SECRET = "edge-secret"
VULNERABLE = "import jwt\n\n\ndef current_user(token, key):\n    return jwt.decode(token, key)\n"


# --- hostile configuration files --------------------------------------------------------

def alias_bomb(levels: int) -> str:
    """'Billion laughs' in a real key: each item anchors nine aliases of the one before (9**levels strings)."""
    lines = ["exclude:", "  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def nested_block(depth: int) -> str:
    return "exclude:\n" + "".join(f"{'  ' * i}- \n" for i in range(depth)) + f"{'  ' * depth}- x\n"


HOSTILE_YAML: dict[str, tuple[bytes, str]] = {
    "flow nesting": (b"[" * 10_000, "nested deeper than"),
    "closed flow nesting": (b"exclude: " + b"[" * 5_000 + b"x" + b"]" * 5_000, "nested deeper than"),
    "mapping nesting": (b"{a: " * 5_000 + b"1" + b"}" * 5_000, "nested deeper than"),
    "block nesting": (nested_block(100).encode(), "nested deeper than"),
    # 9**7 strings: today's code spends seconds and hundreds of MB just writing the error message.
    "alias bomb": (alias_bomb(7).encode(), "aliases (*name) are not allowed"),
    "merge key alias": (b"base: &b {bandit: false}\n<<: *b\n", "aliases (*name) are not allowed"),
    "over the size cap": (b"exclude:\n" + b"  - x\n" * (MAX_CONFIG_BYTES // 6 + 1), "larger than"),
    "not UTF-8": (b"exclude:\n  - caf\xe9\n", "not UTF-8"),
    "UTF-16": ("exclude: [x]\n".encode("utf-16"), "not UTF-8"),
    "integer past the int-str limit": (b"max-comments: " + b"9" * 5_000 + b"\n", "not valid YAML"),
    "impossible date": (b"max-comments: 2024-13-45\n", "not valid YAML"),
    "bad explicit tag": (b"max-comments: !!timestamp soon\n", "not valid YAML"),
    "python object tag": (b"bandit: !!python/object/apply:os.system [true]\n", "not valid YAML"),
    "two documents": (b"bandit: true\n---\nbandit: false\n", "not valid YAML"),
    "top level list": (b"- select\n- ignore\n", "expected a table of settings"),
    "top level string": (b"select AR2\n", "expected a table of settings"),
    "top level number": (b"42\n", "expected a table of settings"),
}


@pytest.mark.parametrize("name", list(HOSTILE_YAML))
def test_hostile_yaml_config_is_a_config_error(tmp_path: Path, name: str) -> None:
    raw, expected = HOSTILE_YAML[name]
    path = tmp_path / "auth-review.yml"
    path.write_bytes(raw)
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        load_file(Config(), path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert len(message) < 1_000 and time.monotonic() - started < 5


# Values no key accepts; the long ones must not be echoed whole into a check run.
WRONG_FOR_EVERY_KEY = {
    "mapping": "{a: 1}",
    "list of mappings": "[{a: 1}]",
    "date": "2024-01-01",
    "binary": "!!binary aGVsbG8=",
    "float": "1.5",
    "infinity": "1.0e+999",
    "long mapping": "{k: " + "x" * 20_000 + "}",
    "long list of lists": "[" + ", ".join(["[x]"] * 500) + "]",
}


@pytest.mark.parametrize("value", list(WRONG_FOR_EVERY_KEY))
@pytest.mark.parametrize("key", sorted(_KEYS))
def test_wrong_types_at_every_key_name_the_key_briefly(tmp_path: Path, key: str, value: str) -> None:
    path = tmp_path / "auth-review.yml"
    path.write_text(f"{key}: {WRONG_FOR_EVERY_KEY[value]}\n")
    with pytest.raises(ConfigError) as caught:
        load_file(Config(), path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}") and len(message) < 400, message[:2000]


def test_long_unknown_key_is_not_echoed_whole(tmp_path: Path) -> None:
    path = tmp_path / "auth-review.yml"
    path.write_text("? " + "k" * 30_000 + "\n: 1\n")  # an explicit key: implicit ones stop at 1024 characters
    with pytest.raises(ConfigError, match="unknown key") as caught:
        load_file(Config(), path)
    assert len(str(caught.value)) < 1_000


@pytest.mark.parametrize(("text", "expected"), [
    ("a = " + "[" * 10_000, "not valid TOML"),
    ("a = " + "{b = " * 5_000, "not valid TOML"),
    ("max-comments = " + "9" * 5_000, "not valid TOML"),
    ("tool = 1\n", "unknown key 'tool'"),  # no [tool.auth-review] table: the whole file is the settings
])
def test_hostile_toml_config_is_a_config_error(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "auth-review.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected):
        load_file(Config(), path)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "auth.py").write_text(VULNERABLE)
    return tmp_path


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["scan", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", ["flow nesting", "alias bomb", "not UTF-8", "over the size cap"])
def test_cli_config_flag_prints_a_clear_error(project: Path, tmp_path: Path, name: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "hostile.yml"
    config.write_bytes(HOSTILE_YAML[name][0])
    code, err = scan([str(project), "--config", str(config)], capsys)
    assert code == 2 and err.startswith(f"auth-review: error: {config}: "), err[:2000]
    assert "Traceback" not in err and "internal error" not in err and len(err) < 1_000


def test_cli_project_files_are_bounded_too(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text("tool = 1\n")  # not a table: no settings here, scan goes on
    code, err = scan([str(project), "--format", "json"], capsys)
    assert code == 1 and err == ""
    (project / "pyproject.toml").write_text("[tool.auth-review]\nexclude = " + "[" * 10_000 + "\n")
    code, err = scan([str(project)], capsys)
    assert code == 2 and "pyproject.toml: not valid TOML" in err and "Traceback" not in err
    (project / "pyproject.toml").unlink()
    (project / ".github").mkdir()
    (project / ".github" / "auth-review.yml").write_bytes(b"[" * 10_000)
    code, err = scan([str(project)], capsys)
    assert code == 2 and "auth-review.yml: not valid YAML: nested deeper than" in err and "Traceback" not in err


# --- webhook bodies -----------------------------------------------------------------------

class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self, level: int = logging.DEBUG) -> list[str]:
        return [f"{r.levelname} {r.getMessage()}" for r in self.records if r.levelno >= level]


@contextmanager
def captured(*names: str) -> Iterator[Captured]:
    """Records of the named loggers at INFO and above (uvicorn's own logger does not reach the root)."""
    handler = Captured()
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(min(lg.getEffectiveLevel(), logging.INFO))
    try:
        yield handler
    finally:
        for lg, level in zip(loggers, levels, strict=False):
            lg.removeHandler(handler)
            lg.setLevel(level)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[RunningBot]:
    """The App's real server (uvicorn on loopback), registered, no worker; a one-second body timeout."""
    settings = Settings(credentials=Credentials(1, "unused", SECRET), database_path=tmp_path / "bot.db",
                        credentials_path=tmp_path / "credentials.json", body_timeout=1.0)
    with running_bot(settings, worker=False) as running:
        yield running


def post(bot: RunningBot, body: bytes, event: str = "pull_request") -> httpx.Response:
    return httpx.post(bot.webhook_url, content=body, headers=delivery_headers(event, body, SECRET), timeout=10)


def pull_request_event(**changes: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "action": "opened", "repository": {"full_name": "acme/webapp"}, "installation": {"id": 7},
        "sender": {"login": "octocat"}, "pull_request": {"number": 1, "head": {"sha": "a" * 40}, "draft": False},
    }
    return {**payload, **changes}


UNPARSABLE = {
    "nested too deep": b'{"action": "opened", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "integer past the int-str limit": b'{"action": "opened", "n": ' + b"9" * 5_000 + b"}",
    "not UTF-8": b'{"action": "caf\xe9"}',
    "UTF-16": json.dumps({"action": "opened"}).encode("utf-16"),
    "truncated": b'{"action": "opened", "pull_request": ',
}


@pytest.mark.parametrize("name", list(UNPARSABLE))
def test_signed_body_that_cannot_be_parsed_is_400(server: RunningBot, name: str) -> None:
    response = post(server, UNPARSABLE[name])
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"], response.text[:500]
    assert server.jobs() == []


# Valid JSON whose values do not fit what GitHub sends or what SQLite stores.
UNSTORABLE = {
    "sender is a string": pull_request_event(sender="octocat"),
    "installation is a list": pull_request_event(installation=[7]),
    "installation id past SQLite's range": pull_request_event(installation={"id": 10**30}),
    "installation id is a list": pull_request_event(installation={"id": [7]}),
    "lone surrogate": pull_request_event(repository={"full_name": "acme/\ud800"}),
}


@pytest.mark.parametrize("name", list(UNSTORABLE))
def test_signed_payload_of_unexpected_shape_is_never_500(server: RunningBot, name: str) -> None:
    with captured("uvicorn.error") as logs:
        response = post(server, json.dumps(UNSTORABLE[name]).encode())
    assert response.status_code < 500, response.text[:500]
    assert logs.lines(logging.ERROR) == []


def raw_request(bot: RunningBot, declared: int, sent: bytes) -> socket.socket:
    """A client that declares ``declared`` body bytes and sends only ``sent`` (signed as if complete)."""
    host, port = bot.url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)), timeout=10)
    headers = delivery_headers("pull_request", sent, SECRET)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    conn.sendall(f"POST /api/github/webhooks HTTP/1.1\r\nHost: {host}\r\n{head}Content-Length: {declared}\r\n\r\n"
                 .encode() + sent)
    return conn


def read_until_closed(conn: socket.socket) -> bytes:
    data = b""
    while chunk := conn.recv(65536):  # the socket's own timeout bounds each wait
        data += chunk
    return data


def test_half_sent_body_times_out_with_408_and_a_closed_connection(server: RunningBot) -> None:
    started = time.monotonic()
    with captured("auth_review.server") as logs, raw_request(server, 10_000, b'{"action": "opened"') as conn:
        answer = read_until_closed(conn)  # EOF: the server closed the connection
    elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:300]
    assert 0.9 < elapsed < 5, elapsed
    assert logs.lines() == ["WARNING webhook body not received in time"]
    assert httpx.get(f"{server.url}/", timeout=5).status_code == 200  # the server is still serving


def test_client_gone_mid_body_is_one_info_line(server: RunningBot) -> None:
    with captured("auth_review", "uvicorn.error") as logs:
        raw_request(server, 10_000, b'{"action": "opened"').close()
        wait_until(lambda: any("disconnect" in line or line.startswith("ERROR") for line in logs.lines()),
                   timeout=10, what="the server noticing the disconnect")
        # One more request through the same server: anything the disconnect logged has been logged.
        assert httpx.get(f"{server.url}/", timeout=5).status_code == 200
    assert logs.lines() == ["INFO client disconnected before sending the whole body"], logs.lines()


def test_body_timeout_is_a_setting() -> None:
    assert load_settings({"BODY_TIMEOUT_SECONDS": "3"}, dotenv=None).body_timeout == 3.0
    assert load_settings({}, dotenv=None).body_timeout == 10.0


# --- GitHub that never answers ------------------------------------------------------------

def test_transport_errors_are_described_with_method_path_and_cause() -> None:
    request = httpx.Request("POST", "https://api.github.com/app/installations/7/access_tokens?per_page=1")
    timeout = RequestTimeout(httpx.ReadTimeout("timed out", request=request))
    refused = RequestError(httpx.ConnectError("[Errno 111] Connection refused", request=request))
    assert _describe(timeout) == "no answer from GitHub for POST /app/installations/7/access_tokens: ReadTimeout: timed out"
    assert _describe(refused).endswith("POST /app/installations/7/access_tokens: ConnectError: [Errno 111] Connection refused")
    # httpx errors raised before a request was attached still say what happened
    assert _describe(RequestTimeout(httpx.ConnectTimeout(""))) == "no answer from GitHub for a request: ConnectTimeout"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once the probe is closed


def test_worker_logs_a_refused_connection_to_github(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    port = closed_port()
    settings = Settings(credentials=Credentials(1, key.decode(), SECRET), github_api_url=f"http://127.0.0.1:{port}",
                        database_path=tmp_path / "bot.db")
    store = Store.open(settings.database_path)
    SqliteQueue(store).enqueue("review", {"repository": "acme/webapp", "number": 1, "head_sha": "a" * 40,
                                          "installation_id": 7})
    worker = Worker(settings, str(settings.database_path), retry=RetryPolicy(base_delay=0.01), parallel=False)
    try:
        with caplog.at_level(logging.INFO, logger="auth_review.worker"):
            assert worker.run_once()
    finally:
        worker.close()
        store.close()
    [error] = [r.error for r in caplog.records if r.name == "auth_review.worker" and hasattr(r, "error")]
    assert "None" not in error and "no answer from GitHub for POST /app/installations/7/access_tokens" in error, error
    assert "ConnectError" in error
