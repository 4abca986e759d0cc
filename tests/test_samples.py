"""Realistic sample files under tests/samples/: every ``# expect: ARnnn`` line is found, nothing else.

An annotation names the rule(s) expected on that line (the first line of the
finding), each optionally with the confidence it must carry (``AR601[medium]``:
confidence is measured precision, so a cause the real-world triage found noisy is
pinned below high); lines without one must have no AR finding. Every fix offered on a
sample is applied and must parse and silence its finding.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import libcst as cst
import pytest

from auth_review.analyzers.config import Config
from auth_review.analyzers.engine import analyze_source, enabled_rules
from auth_review.analyzers.findings import Confidence
from auth_review.analyzers.fixes import apply_fix
from auth_review.analyzers.source import Source

SAMPLES = Path(__file__).parent / "samples"
_ID = r"AR\d{3}(?:\[(?:low|medium|high)\])?"
EXPECT = re.compile(rf"#\s*expect:\s*(?P<ids>{_ID}(?:\s*,\s*{_ID})*)")
CONFIG = Config(bandit=False, test_paths=(), min_confidence=Confidence.LOW)  # every annotated finding, low too
FILES = sorted(SAMPLES.rglob("*.py"))


def _analyze(path: Path, text: str | None = None):  # type: ignore[no-untyped-def]
    text = path.read_text("utf-8") if text is None else text
    rel = path.relative_to(SAMPLES).as_posix()
    return analyze_source(Source(rel, text.encode(), text), CONFIG, enabled_rules(CONFIG))


def _expected(text: str) -> tuple[Counter[tuple[int, str]], dict[tuple[int, str], str]]:
    expected: Counter[tuple[int, str]] = Counter()
    levels: dict[tuple[int, str], str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for item in re.split(r"\s*,\s*", match.group("ids")):
                rule_id, _, level = item.partition("[")
                expected[(number, rule_id)] += 1
                if level:
                    levels[(number, rule_id)] = level.rstrip("]")
    return expected, levels


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(SAMPLES).as_posix() for p in FILES])
def test_sample_findings_match_annotations(path: Path) -> None:
    text = path.read_text("utf-8")
    result = _analyze(path, text)
    assert not result.errors, result.errors
    found = Counter((f.line, f.rule_id) for f in result.findings if f.rule_id.startswith("AR"))
    expected, levels = _expected(text)
    missing = sorted((expected - found).elements())
    unexpected = sorted((found - expected).elements())
    details = {(f.line, f.rule_id): f.message for f in result.findings}
    assert not missing and not unexpected, (
        f"missing {missing}\nunexpected {[(u, details.get(u)) for u in unexpected]}"
    )
    carried = {(f.line, f.rule_id): f.confidence.label for f in result.findings}
    wrong = {key: (level, carried[key]) for key, level in levels.items() if carried[key] != level}
    assert not wrong, f"confidence (expected, found): {wrong}"


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(SAMPLES).as_posix() for p in FILES])
def test_sample_fixes_parse_and_silence(path: Path) -> None:
    text = path.read_text("utf-8")
    for finding in _analyze(path, text).findings:
        if finding.fix is None:
            continue
        fixed = apply_fix(text, finding.fix)
        cst.parse_module(fixed)
        after = _analyze(path, fixed).findings
        assert finding.fingerprint not in {f.fingerprint for f in after if f.rule_id == finding.rule_id}, (
            f"{finding.rule_id} at line {finding.line} still reported after its fix"
        )


def test_every_rule_has_a_realistic_sample() -> None:
    covered: set[str] = set()
    for path in FILES:
        covered.update(rule_id for _, rule_id in _expected(path.read_text("utf-8"))[0])
    missing = [rule.id for rule in enabled_rules(CONFIG) if rule.id not in covered and rule.id.startswith("AR")]
    assert not missing, f"rules without an annotated sample in tests/samples: {missing}"


def test_precision_and_recall_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints per-rule figures over the samples (the assertions are in the tests above)."""
    stats: dict[str, Counter[str]] = defaultdict(Counter)
    for path in FILES:
        text = path.read_text("utf-8")
        found = Counter((f.line, f.rule_id) for f in _analyze(path, text).findings if f.rule_id.startswith("AR"))
        expected = _expected(text)[0]
        for (line, rule_id), _n in (found | expected).items():
            tp = min(found[(line, rule_id)], expected[(line, rule_id)])
            stats[rule_id]["tp"] += tp
            stats[rule_id]["fp"] += found[(line, rule_id)] - tp
            stats[rule_id]["fn"] += expected[(line, rule_id)] - tp
    with capsys.disabled():
        for rule_id in sorted(stats):
            s = stats[rule_id]
            precision = s["tp"] / max(1, s["tp"] + s["fp"])
            recall = s["tp"] / max(1, s["tp"] + s["fn"])
            print(f"\n  {rule_id}: precision {precision:.2f} recall {recall:.2f} (tp {s['tp']}, fp {s['fp']}, fn {s['fn']})", end="")
    assert stats, "no annotated samples found"
