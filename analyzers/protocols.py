"""What one module needs of another's objects, as Protocols, so the first need not import the second.

``FileContext`` records findings for a rule without importing ``rule`` (which imports ``context``): it
reads only what a finding carries.
"""

from __future__ import annotations

from typing import Protocol

from .findings import Confidence, Severity


class RuleIdentity(Protocol):
    """The parts of a rule a finding carries: ``Rule`` classes provide them as class attributes."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def confidence(self) -> Confidence: ...

    @property
    def cwe(self) -> int | None: ...
