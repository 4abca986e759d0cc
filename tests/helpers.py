"""Shared test helpers: run one rule on a snippet, apply fixes."""

from __future__ import annotations

import textwrap

from auth_review.analyzers.config import Config
from auth_review.analyzers.engine import run_rules
from auth_review.analyzers.findings import Finding, assign_fingerprints
from auth_review.analyzers.rule import Rule
from auth_review.analyzers.source import Source

CONFIG = Config(test_paths=())


def findings_for(rule: type[Rule], code: str, path: str = "example.py", config: Config = CONFIG) -> list[Finding]:
    code = textwrap.dedent(code)
    source = Source(path=path, data=code.encode(), text=code)
    found = [f for f in run_rules(source, config, [rule]) if f.rule_id == rule.id]
    assign_fingerprints(found)
    return found
