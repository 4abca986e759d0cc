"""Running the bot against the GitHub emulator: both real servers on local ports."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from auth_review.bot.github import RetryPolicy
from auth_review.bot.queue import SqliteQueue
from auth_review.bot.server import BotState, create_app
from auth_review.bot.settings import Credentials, Settings
from auth_review.bot.store import Store
from auth_review.bot.worker import Worker
from devkit.emulator.run import RunningEmulator, serve
from devkit.emulator.state import World

BASE_FILES = {
    "README.md": "# webapp\n",
    "app/__init__.py": "",
    "app/db.py": (
        "import sqlite3\n\n\n"
        "def connect(path: str) -> sqlite3.Connection:\n"
        "    return sqlite3.connect(path)\n"
    ),
}

# A pull request that introduces real defects: three with fixes, one without.
DEFECTS = (
    "import hashlib\n"
    "import os\n"
    "import sqlite3\n\n"
    "import jwt\n\n"
    'SECRET = os.environ["JWT_SECRET"]\n\n\n'
    "def user_id(token: str) -> int:\n"
    "    claims = jwt.decode(token, SECRET)\n"
    '    return int(claims["sub"])\n\n\n'
    "def hash_password(password: str) -> str:\n"
    "    return hashlib.md5(password.encode()).hexdigest()\n\n\n"
    "def find_user(conn: sqlite3.Connection, name: str):\n"
    "    return conn.execute(f\"SELECT * FROM users WHERE name = '{name}'\").fetchone()\n"
)


# A defect a later push adds: a token with no expiry (AR204, high confidence, so it is commented inline).
NEW_DEFECT = '\n\ndef session_token(user_id: int) -> str:\n    return jwt.encode({"sub": str(user_id)}, SECRET)\n'


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll a condition until it holds (a deadline, not a sleep that hopes)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        pause.wait(0.01)


@dataclass
class RunningBot:
    url: str
    state: BotState
    worker: Worker | None
    db_path: Path

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/api/github/webhooks"

    def jobs(self) -> list[tuple[str, str | None, int]]:
        store = Store(self.db_path)
        try:
            return [tuple(r) for r in store.execute("SELECT state, outcome, attempts FROM jobs ORDER BY id")]  # type: ignore[misc]
        finally:
            store.close()

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Read the bot's database (its own connection, like an operator's sqlite3 shell)."""
        store = Store(self.db_path)
        try:
            return [tuple(r) for r in store.execute(sql, params)]
        finally:
            store.close()

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until every job has finished (done or dead)."""
        wait_until(lambda: all(state in ("done", "dead") for state, _, _ in self.jobs()), timeout, "the bot's jobs")


def settings_for(world: World, gh: RunningEmulator, tmp: Path, registered: bool = True, **changes: object) -> Settings:
    creds = Credentials(world.app.id, world.app.private_key_pem, world.app.webhook_secret) if registered else None
    base = Settings(credentials=creds, github_api_url=gh.url, github_url=world.web_url,
                    database_path=tmp / "bot.db", credentials_path=tmp / "credentials.json")
    return Settings(**{**base.__dict__, **changes})  # type: ignore[arg-type]


@contextmanager
def running_bot(settings: Settings, worker: bool = True) -> Iterator[RunningBot]:
    store = Store.open(settings.database_path)
    state = BotState(settings=settings, store=store, queue=SqliteQueue(store))
    runner = None
    thread = None
    if worker:
        runner = Worker(state, str(settings.database_path), wake=state.wake, retry=RetryPolicy(base_delay=0.05))
        thread = threading.Thread(target=runner.run_forever, name="test-worker", daemon=True)
        thread.start()
    try:
        with serve(create_app(state), "bot") as url:
            yield RunningBot(url, state, runner, settings.database_path)
    finally:
        if runner is not None and thread is not None:
            runner.stop()
            thread.join(timeout=30)
            runner.close()
        store.close()
