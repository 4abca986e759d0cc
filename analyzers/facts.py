"""Facts: values computed once per file or per project, on demand, and shared by every rule.

The module that computes a fact owns it: it declares a ``FileFact`` (``context.py``) or a ``ProjectFact`` (``project.py``) at module level,
with a name (for debugging) and the function that computes it, and reads it through ``FACT.get(ctx)`` or
``FACT.get(project)``. The value is computed on the first ``get`` and kept, for the life of that
``FileContext`` or ``Project``, in its ``facts`` (which nothing but this module reads or writes).

A per-key memo (a class's model by ``id(node)``, a function's flow) is a fact whose value is a ``dict``
that starts empty: ``_MODELS: FileFact[dict[int, ClassModel]] = FileFact("classes", lambda _ctx: {})``.

A leaf module: it imports nothing of the analyzers, so both holders can import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar, cast


class HasFacts(Protocol):
    """What keeps facts: a ``FileContext`` or a ``Project``."""

    facts: dict[Fact[Any, Any], object]


H = TypeVar("H", bound=HasFacts)
T = TypeVar("T")


class Fact(Generic[H, T]):
    """A value computed once per holder and kept in its ``facts`` (keyed by the fact itself, by identity).

    ``context.FileFact`` and ``project.ProjectFact`` name the two kinds: ``FileFact[list[Route]]``.
    """

    __slots__ = ("compute", "name")

    def __init__(self, name: str, compute: Callable[[H], T]) -> None:
        self.name = name
        self.compute = compute

    def __repr__(self) -> str:
        return f"Fact({self.name!r})"

    def get(self, holder: H) -> T:
        """The value kept for ``holder``, else computed and kept (a recursive call while computing computes
        again; the outer result is the one kept)."""
        facts = holder.facts
        if self in facts:
            return cast(T, facts[self])
        value = self.compute(holder)
        facts[self] = value
        return value
