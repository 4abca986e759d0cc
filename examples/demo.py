"""The whole flow in seconds, with no account and no network: a pull request reviewed by auth-review.

1. builds a git repository and a pull request that adds examples/vulnerable_app (real defects);
2. starts the emulated GitHub (devkit/emulator) and the auth-review App, both as real local servers;
3. delivers the signed `pull_request.opened` webhook, as GitHub would;
4. waits for the review and prints it as a maintainer sees it, with the check run's result.

    python examples/demo.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.emulator import webhooks  # noqa: E402
from devkit.emulator.run import run_emulator  # noqa: E402
from devkit.emulator.state import World  # noqa: E402
from devkit.harness import running_bot, settings_for  # noqa: E402

REPO = "acme/notes-service"
BOLD, DIM, RED, GREEN, RESET = "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[0m"


def paint(code: str, text: str) -> str:
    return f"{code}{text}{RESET}" if sys.stdout.isatty() else text


def pull_request_files() -> dict[str, str]:
    app = ROOT / "examples" / "vulnerable_app"
    return {f"notes/{p.name}": p.read_text() for p in sorted(app.glob("*.py"))}


def print_review(world: World, pr, files: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    reviews = world.reviews_for(REPO, pr.number)
    for review in reviews:
        print(paint(BOLD, f"\nauth-review[bot] reviewed {REPO}#{pr.number} ({review.state})"))
        print(review.body.split("<!--")[0].strip())
    for comment in sorted(world.comments_for(REPO, pr.number), key=lambda c: (c.path, c.line or 0)):
        headline, _, rest = comment.body.partition("\n\n")
        message = rest.split("\n\n")[0]
        print(paint(BOLD, f"\n{comment.path}:{comment.line}") + f"  {headline.replace('**', '')}")
        print(f"  {message}")
        if "```suggestion" in comment.body:
            suggestion = comment.body.split("suggestion\n", 1)[1].split("\n```", 1)[0]
            lines = files[comment.path].splitlines()
            first = comment.start_line or comment.line
            for old in lines[first - 1 : comment.line]:
                print(paint(RED, f"  - {old}"))
            for new in suggestion.splitlines():
                print(paint(GREEN, f"  + {new}"))


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="auth-review-demo-") as tmp:
        root = Path(tmp)
        world = World(root / "github")
        installation = world.install("acme")
        world.create_repo(REPO, {"README.md": "# notes service\n", "notes/__init__.py": ""}, installation=installation)
        files = pull_request_files()
        pr = world.open_pull(REPO, files, head_ref="add-notes-api", title="Add the notes API")
        print(f"pull request {REPO}#{pr.number}: {len(files)} files added ({pr.head_sha[:7]})")
        with run_emulator(world) as github, running_bot(settings_for(world, github, root)) as bot:
            print(f"emulated GitHub at {github.url}, auth-review at {bot.url}")
            payload = webhooks.pull_request_event(world, "opened", pr, installation)
            response = github.deliver(bot.webhook_url, "pull_request", payload)
            print(f"delivered signed webhook pull_request.opened: HTTP {response.status_code}")
            bot.wait_idle(timeout=60)
            print_review(world, pr, files)
            [check] = world.check_runs_for(REPO, pr.head_sha)
            verdict = paint(RED if check.conclusion == "failure" else GREEN, check.conclusion or "?")
            print(paint(BOLD, f"\ncheck run `{check.name}`: {verdict}") + f" — {check.output.get('title')} "
                  f"({len(check.annotations)} annotations)")
            if github.validation_errors:
                print(f"schema problems: {github.validation_errors}")
                return 1
    print(paint(DIM, f"\ndone in {time.monotonic() - started:.1f} s"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
