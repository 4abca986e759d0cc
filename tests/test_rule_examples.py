"""Every rule's embedded VALID/INVALID examples, and every fix, run automatically."""

from __future__ import annotations

import libcst as cst
import pytest

from auth_review.analyzers.fixes import apply_fix
from auth_review.analyzers.registry import all_rules
from auth_review.analyzers.rule import Invalid, Rule, Valid

from .helpers import findings_for

RULES = all_rules()


def _valid(rule: type[Rule]) -> list[Valid]:
    return [v if isinstance(v, Valid) else Valid(v) for v in rule.VALID]


def _invalid(rule: type[Rule]) -> list[Invalid]:
    return [i if isinstance(i, Invalid) else Invalid(i) for i in rule.INVALID]


VALID_CASES = [pytest.param(r, v, id=f"{r.id}-valid-{i}") for r in RULES for i, v in enumerate(_valid(r))]
INVALID_CASES = [pytest.param(r, v, id=f"{r.id}-invalid-{i}") for r in RULES for i, v in enumerate(_invalid(r))]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_documented(rule: type[Rule]) -> None:
    doc = rule.documentation()
    for section in ("What it does", "Why is this bad", "Example", "Use instead"):
        assert section in doc, f"{rule.id} docstring lacks '{section}'"
    assert rule.VALID and rule.INVALID, f"{rule.id} needs VALID and INVALID examples"
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.cwe is not None


@pytest.mark.parametrize(("rule", "example"), VALID_CASES)
def test_valid_example_is_not_flagged(rule: type[Rule], example: Valid) -> None:
    found = findings_for(rule, example.code, example.path)
    assert found == [], f"{rule.id} flagged a safe example:\n{example.code}\n{found}"


@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_invalid_example_is_flagged_and_fixed(rule: type[Rule], example: Invalid) -> None:
    found = findings_for(rule, example.code, example.path)
    assert len(found) == example.count, f"{rule.id}: expected {example.count} finding(s), got {found}\n{example.code}"
    for finding in found:
        assert finding.message and finding.line >= 1
        assert example.confidence is None or finding.confidence == example.confidence, \
            f"{rule.id}: expected {example.confidence.label} confidence, got {finding.confidence.label}\n{example.code}"
    if example.fixed is None:
        assert all(f.fix is None for f in found), f"{rule.id} offers a fix; add fixed= to the example"
        return
    fixed = [f for f in found if f.fix is not None]
    assert fixed, f"{rule.id} offers no fix for this example"
    result = apply_fix(example.code, fixed[0].fix)
    assert result == example.fixed


@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_every_fix_parses_and_silences_the_rule(rule: type[Rule], example: Invalid) -> None:
    found = findings_for(rule, example.code, example.path)
    for finding in found:
        if finding.fix is None:
            continue
        result = apply_fix(example.code, finding.fix)
        cst.parse_module(result)  # raises if the fix broke the code
        compile(result, example.path, "exec")
        after = findings_for(rule, result, example.path)
        assert finding.fingerprint not in {f.fingerprint for f in after}
        assert len(after) < len(found), f"{rule.id} still fires after its fix:\n{result}"
