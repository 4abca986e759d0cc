"""Precision and recall of the route rules on the annotated corpus (tests/corpus).

    python bench/corpus.py [RULE ...]     # default: AR101 AR102

Each app is analysed as a project (cross-module guards resolve); `# expect: ARnnn` marks the
lines where a finding must start. Prints every miss and false alarm, then per-rule figures.
A report, not a test, while the route rules are being built (issue 4).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzers.config import Config  # noqa: E402
from analyzers.engine import analyze_file, discover  # noqa: E402
from analyzers.project import Project  # noqa: E402
from analyzers.rule import get_rule  # noqa: E402

EXPECT = re.compile(r"#\s*expect:\s*(?P<ids>AR\d{3}(?:\s*,\s*AR\d{3})*)")


def measure(rule_id: str, corpus: Path) -> tuple[int, int, int]:
    rule = get_rule(rule_id)
    if rule is None:
        sys.exit(f"bench/corpus.py: no rule {rule_id}")
    config = Config(bandit=False, test_paths=(), select=(rule_id,))
    tp = fp = fn = 0
    for app in sorted(p for p in corpus.iterdir() if p.is_dir()):
        files = discover(app, [app], config)
        project = Project.on_disk(app, files, config)
        found: set[tuple[str, int]] = set()
        expected: set[tuple[str, int]] = set()
        for rel in files:
            result = analyze_file(app, rel, config, [rule], project)
            for error in result.errors:
                print(f"  error {app.name}/{error.path}: {error.message}")
            found |= {(rel, f.line) for f in result.findings}
            for number, line in enumerate((app / rel).read_text("utf-8").splitlines(), start=1):
                match = EXPECT.search(line)
                if match and rule_id in re.split(r"\s*,\s*", match["ids"]):
                    expected.add((rel, number))
        for path, line in sorted(found - expected):
            print(f"  {rule_id} false alarm  {app.name}/{path}:{line}")
        for path, line in sorted(expected - found):
            print(f"  {rule_id} missed       {app.name}/{path}:{line}")
        tp, fp, fn = tp + len(found & expected), fp + len(found - expected), fn + len(expected - found)
    return tp, fp, fn


def main() -> None:
    rules = sys.argv[1:] or ["AR101", "AR102"]
    for rule_id in rules:
        tp, fp, fn = measure(rule_id, ROOT / "tests" / "corpus")
        precision = tp / max(1, tp + fp)
        recall = tp / max(1, tp + fn)
        print(f"{rule_id}: precision {precision:.2f} recall {recall:.2f} (found {tp}, false alarms {fp}, missed {fn})")


if __name__ == "__main__":
    main()
