"""Same findings before and after a refactoring: record every finding on a set of code bases, compare later.

    python bench/identical.py record BEFORE.json [--django]
    python bench/identical.py compare BEFORE.json [--django]

Each target is scanned as a project of its own (the engine's ``scan``, all rules and Bandit), and every
finding is kept whole: rule, path, lines, columns, message, fix and fingerprint, plus the error entries.
``compare`` prints the differences and exits 1 if there are any. ``--django`` adds Django's source from
the installed package (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from auth_review.analyzers.config import load_project_config
from auth_review.analyzers.engine import discover_files, scan

ROOT = Path(__file__).resolve().parents[1]


def targets(django: bool) -> dict[str, Path]:
    found = {"samples": ROOT / "tests" / "samples", "examples": ROOT / "examples" / "vulnerable_app"}
    found.update({f"corpus/{app.name}": app for app in sorted((ROOT / "tests" / "corpus").iterdir()) if app.is_dir()})
    if django:
        import django as package  # a bench dependency only

        found["django"] = Path(package.__file__).resolve().parent
    return found


def record(django: bool) -> dict[str, object]:
    results: dict[str, object] = {}
    for name, root in targets(django).items():
        config = load_project_config(root)
        result = scan(root, discover_files(root, [root], config), config)
        results[name] = {"findings": [f.to_dict() for f in result.findings],
                         "errors": [e.to_dict() for e in result.errors]}
        print(f"{name}: {len(result.findings)} findings, {len(result.errors)} errors", file=sys.stderr)
    return results


def differences(before: dict[str, object], after: dict[str, object]) -> list[str]:
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if old is None or new is None:
            lines.append(f"{name}: only {'after' if old is None else 'before'}")
            continue
        for kind in ("findings", "errors"):
            gone = [x for x in old[kind] if x not in new[kind]]  # type: ignore[index]
            came = [x for x in new[kind] if x not in old[kind]]  # type: ignore[index]
            lines += [f"{name}: - {json.dumps(x, sort_keys=True)}" for x in gone]
            lines += [f"{name}: + {json.dumps(x, sort_keys=True)}" for x in came]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("record", "compare"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--django", action="store_true", help="also Django's source (installed package)")
    args = parser.parse_args()
    now = record(args.django)
    if args.action == "record":
        args.file.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        return 0
    diff = differences(json.loads(args.file.read_text()), now)
    print("\n".join(diff) if diff else "identical: every finding, message, fix and fingerprint")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
