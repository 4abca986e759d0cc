"""Scan speed and memory: auth-review against Bandit alone, on a real tree, in one run.

    python bench/scan.py [PATH] [--repeat N]

PATH defaults to Django's source in site-packages (``pip install django``).
Prints files/s, lines/s and wall time for: Bandit alone (its own manager, one
process, as ``bandit -r`` runs), auth-review rules alone, and the full scan
(rules + Bandit, process pool over the cores) and the same on one process;
the ratios against Bandit alone; and peak memory.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auth_review.analyzers.config import Config  # noqa: E402
from auth_review.analyzers.engine import discover_files, scan  # noqa: E402


def default_target() -> Path:
    try:
        import django
    except ImportError:
        sys.exit("bench/scan.py: give a PATH, or `pip install django` to scan Django's source")
    return Path(django.__file__).parent


def bandit_alone(root: Path, files: list[str]) -> float:
    """Bandit's own manager over the files, as the bandit CLI runs it."""
    from bandit.core import config as b_config
    from bandit.core import manager as b_manager

    logging.getLogger("bandit").setLevel(logging.CRITICAL)
    start = time.perf_counter()
    mgr = b_manager.BanditManager(b_config.BanditConfig(), "file", quiet=True)
    mgr.discover_files([str(root / f) for f in files])
    mgr.run_tests()
    elapsed = time.perf_counter() - start
    print(f"  (bandit found {len(mgr.get_issue_list())} issues)")
    return elapsed


def timed_scan(root: Path, files: list[str], config: Config, jobs: int) -> tuple[float, int, int]:
    gc.collect()
    start = time.perf_counter()
    result = scan(root, files, config, jobs=jobs)
    elapsed = time.perf_counter() - start
    internal = [e for e in result.errors if e.message.startswith("internal error")]
    if internal:  # a figure from a broken engine is worthless: say so loudly
        sys.exit(f"bench/scan.py: {len(internal)} files failed inside the engine, e.g. {internal[0].path}: "
                 f"{internal[0].message}")
    return elapsed, len(result.findings), result.lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs for each measurement")
    args = parser.parse_args()
    root = (args.path or default_target()).resolve()
    config = Config(test_paths=())
    files = discover_files(root, [root], config)
    jobs = os.cpu_count() or 1
    print(f"tree: {root}\nfiles: {len(files)}, cores: {jobs}")

    best = lambda fn: min(fn() for _ in range(args.repeat))  # noqa: E731
    t_bandit = best(lambda: bandit_alone(root, files))
    rules_only = replace(config, bandit=False)
    runs = {}
    lines = 0
    for label, cfg, n in (
        ("auth-review rules alone, pool", rules_only, jobs),
        ("auth-review full (rules + Bandit), pool", config, jobs),
        ("auth-review rules alone, 1 process", rules_only, 1),
        ("auth-review full (rules + Bandit), 1 process", config, 1),
    ):
        timings = [timed_scan(root, files, cfg, n) for _ in range(args.repeat)]
        elapsed, found, lines = min(timings)
        runs[label] = (elapsed, found)

    def row(label: str, seconds: float, extra: str = "") -> None:
        print(f"{label:<46} {seconds:7.2f} s  {len(files) / seconds:8.0f} files/s  {lines / seconds:9.0f} lines/s{extra}")

    print(f"lines: {lines} (files the engine could not analyse: none)")
    row("Bandit alone (1 process, as `bandit -r`)", t_bandit)
    for label, (seconds, found) in runs.items():
        row(label, seconds, f"  {seconds / t_bandit:5.2f}x Bandit  ({found} findings)")
    full = runs["auth-review full (rules + Bandit), pool"][0]
    print(f"\nratio auth-review full scan / Bandit alone: {full / t_bandit:.2f} (target <= 1.5)")
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak memory: this process {self_kib / 1024:.0f} MiB, largest worker {child_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
