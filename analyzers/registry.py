"""The registry: every rule of ``analyzers/rules``, found by importing its modules (Bandit's plugin shape).

Adding a rule is adding its file: each non-underscore module under ``rules/`` is imported once, and the
``Rule`` subclasses it defines with an ``id`` are the rules. Two classes with one id are an error.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

from . import rules
from .rule import Rule


def _rule_modules() -> list[ModuleType]:
    found = []
    for info in pkgutil.walk_packages(rules.__path__, rules.__name__ + "."):
        if not info.name.rpartition(".")[2].startswith("_"):
            found.append(importlib.import_module(info.name))
    return found


@cache
def _by_id() -> dict[str, type[Rule]]:
    table: dict[str, type[Rule]] = {}
    for module in _rule_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and "id" in value.__dict__ \
                    and value.__module__ == module.__name__:
                other = table.setdefault(value.id, value)
                if other is not value:
                    raise TypeError(f"rule id {value.id} used twice: {other.__name__} and {value.__name__}")
    return table


def all_rules() -> list[type[Rule]]:
    """Every rule, in id order."""
    table = _by_id()
    return [table[key] for key in sorted(table)]


def get_rule(rule_id: str) -> type[Rule] | None:
    return _by_id().get(rule_id)
