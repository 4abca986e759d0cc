"""The operator's rule tuning: switch rules off or raise confidence thresholds per installation.

One YAML file named by ``OPERATOR_CONFIG``; a repository's own
``.github/auth-review.yml`` still applies, and the operator's settings are
laid over it: they can make a review quieter than the repository asks, never louder. An entry for
an installation is laid over `all` (its ignores add up, its thresholds replace those of `all`)::

    all:                      # every installation
      ignore: [B101]
    installations:
      acme:                   # the account the App is installed on (or the installation id)
        ignore: [AR505]       # rules or prefixes switched off
        min-confidence: medium
        rule-confidence:      # per rule or prefix: report only at or above this confidence
          AR101: high
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from auth_review.analyzers.config import Config, ConfigError, apply_mapping
from auth_review.analyzers.findings import Confidence, Severity

ENTRY_KEYS = ("ignore", "min-severity", "min-confidence", "rule-confidence")


class TuningError(ValueError):
    """The operator file is invalid; the message names the file and key."""


@dataclass(frozen=True)
class RuleTuning:
    """What the operator set for one installation (``all`` merged with its own entry)."""

    ignore: tuple[str, ...] = ()
    min_severity: Severity | None = None
    min_confidence: Confidence | None = None
    rule_confidence: tuple[tuple[str, Confidence], ...] = ()  # (rule id or prefix, threshold)

    def apply(self, config: Config) -> Config:
        """The repository's configuration made at least as quiet as the operator asks."""
        return replace(
            config,
            ignore=config.ignore + tuple(i for i in self.ignore if i not in config.ignore),
            min_severity=max(config.min_severity, self.min_severity or Severity.LOW),
            min_confidence=max(config.min_confidence, self.min_confidence or Confidence.LOW),
        )

    def threshold(self, rule_id: str) -> Confidence | None:
        """The per-rule confidence threshold for ``rule_id`` (the longest matching prefix wins)."""
        matches = [(prefix, level) for prefix, level in self.rule_confidence if rule_id.startswith(prefix)]
        return max(matches, key=lambda match: len(match[0]))[1] if matches else None

    def admits(self, rule_id: str, confidence: Confidence) -> bool:
        threshold = self.threshold(rule_id)
        return threshold is None or confidence >= threshold

    def merged(self, other: RuleTuning) -> RuleTuning:
        """``self`` with ``other`` laid on top: ignores add up; ``other``'s thresholds replace ``self``'s."""
        return RuleTuning(
            ignore=self.ignore + tuple(i for i in other.ignore if i not in self.ignore),
            min_severity=other.min_severity or self.min_severity,
            min_confidence=other.min_confidence or self.min_confidence,
            rule_confidence=tuple({**dict(self.rule_confidence), **dict(other.rule_confidence)}.items()),
        )


@dataclass(frozen=True)
class Tuning:
    """The whole operator file: defaults for every installation, then entries by account or id."""

    default: RuleTuning = field(default_factory=RuleTuning)
    installations: dict[str, RuleTuning] = field(default_factory=dict)  # lower-case login or id as text
    source: str | None = None

    def for_installation(self, account: str | None, installation_id: int | None) -> RuleTuning:
        tuned = self.default
        for key in (str(installation_id) if installation_id is not None else None, (account or "").lower() or None):
            if key is not None and key in self.installations:
                tuned = tuned.merged(self.installations[key])
        return tuned


def load(path: Path) -> Tuning:
    """Read and validate the operator file; errors name the file and the key."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise TuningError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TuningError(f"{path}: not valid YAML: {exc}") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise TuningError(f"{path}: expected a mapping with 'all' and 'installations'")
    unknown = sorted(set(map(str, data)) - {"all", "installations"})
    if unknown:
        raise TuningError(f"{path}: unknown key {unknown[0]!r} (known: all, installations)")
    entries = data.get("installations") or {}
    if not isinstance(entries, dict):
        raise TuningError(f"{path}: installations must map an account or installation id to settings")
    return Tuning(
        default=_entry(f"{path}: all", data.get("all")),
        installations={str(key).lower(): _entry(f"{path}: installations.{key}", value) for key, value in entries.items()},
        source=str(path),
    )


def _entry(where: str, data: Any) -> RuleTuning:
    """One entry, validated by the same parser as the repository's own configuration."""
    if data is None:
        return RuleTuning()
    if not isinstance(data, dict):
        raise TuningError(f"{where}: expected a mapping of {', '.join(ENTRY_KEYS)}")
    values = {str(k).replace("_", "-"): v for k, v in data.items()}
    unknown = sorted(set(values) - set(ENTRY_KEYS))
    if unknown:
        raise TuningError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(ENTRY_KEYS)})")
    per_rule = values.pop("rule-confidence", None)
    try:
        parsed = apply_mapping(Config(), values, where)
        return RuleTuning(
            ignore=parsed.ignore,
            min_severity=parsed.min_severity if "min-severity" in values else None,
            min_confidence=parsed.min_confidence if "min-confidence" in values else None,
            rule_confidence=_per_rule(where, per_rule),
        )
    except ConfigError as exc:
        raise TuningError(str(exc)) from None


def _per_rule(where: str, value: Any) -> tuple[tuple[str, Confidence], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise TuningError(f"{where}: rule-confidence must map rule ids to low, medium or high, got {value!r}")
    pairs = []
    for rule, level in value.items():
        parsed = apply_mapping(Config(), {"select": [str(rule)], "min-confidence": level}, f"{where}: rule-confidence.{rule}")
        pairs.append((parsed.select[0], parsed.min_confidence))
    return tuple(pairs)
