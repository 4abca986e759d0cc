"""``make typecheck``: mypy over analyzers/ and bot/, strict on the leaf modules, ratcheted elsewhere.

The leaf modules (``[tool.mypy]`` overrides in pyproject.toml) must have no error at all. The rest may
have at most the number of errors recorded in ``devkit/mypy-baseline.txt``, which only goes down: the
run fails when there are more, and says so when there are fewer, so the next change lowers the file.

    python devkit/typecheck.py            # check
    python devkit/typecheck.py --update   # record today's count (only ever lower it)
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "devkit" / "mypy-baseline.txt"
_ERROR = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: ", re.MULTILINE)


def strict_modules() -> list[str]:
    """The files of the modules pyproject.toml holds to the strict settings (the overrides that set them)."""
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mypy"]
    names = [m for o in mypy.get("overrides", []) if o.get("disallow_untyped_defs") for m in o["module"]]
    return [name.removeprefix("auth_review.").replace(".", "/") + ".py" for name in names]


def run_mypy() -> tuple[int, list[str]]:
    """mypy over the packages under their installed names (``auth_review.analyzers``), so that what one
    package imports from the other is checked too: the repository root is the ``auth_review`` package, which
    a symlink in a scratch directory on ``MYPYPATH`` makes visible to mypy (it cannot follow the editable
    install's import hook)."""
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "auth_review").symlink_to(ROOT, target_is_directory=True)
        env = {**os.environ, "MYPYPATH": scratch}
        done = subprocess.run([sys.executable, "-m", "mypy", "-p", "auth_review.analyzers", "-p", "auth_review.bot"],
                              cwd=ROOT, capture_output=True, text=True, env=env)
        output = re.sub(r"^\S*?/auth_review/", "", done.stdout, flags=re.MULTILINE)  # paths from the root
    if done.returncode not in (0, 1):
        sys.stderr.write(output + done.stderr)
        raise SystemExit(f"mypy did not run (exit {done.returncode})")
    sys.stdout.write(output)
    return done.returncode, [m.group("path") for m in _ERROR.finditer(output)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="record the current error count as the baseline")
    args = parser.parse_args()
    _, errors = run_mypy()
    strict = set(strict_modules())
    in_strict = sorted({path for path in errors if path in strict})
    if in_strict:
        print(f"typecheck: errors in strict modules: {', '.join(in_strict)}", file=sys.stderr)
        return 1
    baseline = int(BASELINE.read_text().split()[0])
    if args.update:
        if len(errors) > baseline:
            print(f"typecheck: {len(errors)} errors is more than the baseline {baseline}; fix them instead",
                  file=sys.stderr)
            return 1
        BASELINE.write_text(f"{len(errors)}\n")
        print(f"typecheck: baseline now {len(errors)}")
        return 0
    if len(errors) > baseline:
        print(f"typecheck: {len(errors)} errors, more than the baseline {baseline}", file=sys.stderr)
        return 1
    note = f" (lower devkit/mypy-baseline.txt to {len(errors)}: make typecheck-baseline)" if len(errors) < baseline else ""
    print(f"typecheck: {len(errors)} errors outside the strict modules, baseline {baseline}{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
