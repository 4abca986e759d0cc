"""Webhook-to-review latency and webhook intake, against the emulated GitHub.

    python bench/review.py [--runs N] [--deliveries N]

1. Latency: a pull request of 20 changed Python files (about 4,000 lines, built from the
   annotated samples, so it has real findings) is opened, its signed webhook delivered, and
   the time until the review and the completed check run are on GitHub is measured; p50/p95
   over --runs pull requests. Target: p95 under 2 s on a 2-core machine.
2. Intake: while the worker reviews such a pull request, --deliveries signed webhooks are
   posted from 8 client threads; prints deliveries/s accepted and p50/p99 response latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.emulator import webhooks  # noqa: E402
from devkit.emulator.run import run_emulator  # noqa: E402
from devkit.emulator.state import World  # noqa: E402
from devkit.harness import running_bot, settings_for, wait_until  # noqa: E402

REPO = "acme/platform"


def pull_request_files(prefix: str, count: int = 20, lines: int = 200) -> dict[str, str]:
    samples = [p.read_text() for p in sorted((ROOT / "tests" / "samples").rglob("*.py"))]
    files: dict[str, str] = {}
    cursor = 0
    for i in range(count):
        body: list[str] = []
        while len(body) < lines:
            body += samples[cursor % len(samples)].splitlines()
            cursor += 1
        files[f"{prefix}/module_{i:02d}.py"] = "\n".join(body) + "\n"
    return files


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--deliveries", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="auth-review-bench-") as tmp:
        root = Path(tmp)
        world = World(root / "github")
        inst = world.install("acme")
        world.create_repo(REPO, {"README.md": "# platform\n"}, installation=inst)
        with run_emulator(world) as gh, running_bot(settings_for(world, gh, root)) as bot:
            latencies, review_latencies = [], []
            size = 0
            for run in range(args.runs + 1):  # run 0 warms up imports and caches; not counted
                files = pull_request_files(f"svc{run}")
                size = sum(text.count("\n") for text in files.values())
                pr = world.open_pull(REPO, files, head_ref=f"feature-{run}")
                payload = webhooks.pull_request_event(world, "opened", pr, inst)
                started = time.perf_counter()
                gh.deliver(bot.webhook_url, "pull_request", payload)
                wait_until(lambda pr=pr: bool(world.reviews_for(REPO, pr.number)), 60, "the review")
                reviewed = time.perf_counter() - started
                wait_until(lambda pr=pr: any(c.status == "completed" for c in world.check_runs_for(REPO, pr.head_sha)),
                           60, "the check run")
                done = time.perf_counter() - started
                if run:
                    latencies.append(done)
                    review_latencies.append(reviewed)
            bot.wait_idle(60)
            comments = len(world.comments_for(REPO, pr.number))
            print(f"pull request: 20 files, {size} lines, {comments} inline comments per review")
            print(f"webhook -> review posted:        p50 {statistics.median(review_latencies) * 1000:6.0f} ms  "
                  f"p95 {percentile(review_latencies, 0.95) * 1000:6.0f} ms")
            print(f"webhook -> check run completed:  p50 {statistics.median(latencies) * 1000:6.0f} ms  "
                  f"p95 {percentile(latencies, 0.95) * 1000:6.0f} ms  (target p95 < 2000 ms; {args.runs} runs)")

            # Intake while the worker is busy with a large review.
            busy = world.open_pull(REPO, pull_request_files("busy"), head_ref="busy")
            gh.deliver(bot.webhook_url, "pull_request", webhooks.pull_request_event(world, "opened", busy, inst))
            closed = webhooks.pull_request_event(world, "closed", busy, inst)
            body = webhooks.serialize(closed)
            local = threading.local()

            def post(_: int) -> tuple[float, int]:
                client = getattr(local, "client", None)
                if client is None:
                    client = local.client = httpx.Client(timeout=30)
                headers = webhooks.delivery_headers("pull_request", body, world.app.webhook_secret, str(uuid.uuid4()))
                t0 = time.perf_counter()
                status = client.post(bot.webhook_url, content=body, headers=headers).status_code
                return time.perf_counter() - t0, status

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=8) as pool:
                results = list(pool.map(post, range(args.deliveries)))
            elapsed = time.perf_counter() - started
            times = [t for t, _ in results]
            accepted = sum(1 for _, status in results if status == 202)
            busy_during = not any(c.status == "completed" for c in world.check_runs_for(REPO, busy.head_sha))
            print(f"intake while the worker is busy{'' if busy_during else ' (review finished during the burst)'}: "
                  f"{accepted}/{len(results)} accepted, {accepted / elapsed:.0f} deliveries/s, "
                  f"p50 {statistics.median(times) * 1000:.1f} ms, p99 {percentile(times, 0.99) * 1000:.1f} ms")
            bot.wait_idle(120)


if __name__ == "__main__":
    main()
