"""The ``Rule`` base class (``registry.py`` finds the rules).

A rule is a small class in the family module that owns its topic, like a
ruff or Fixit rule::

    class JwtAlgorithmsNotPinned(Rule):
        \"\"\"What it does / Why is this bad / Example / Use instead.\"\"\"
        id = "AR201"
        name = "jwt-algorithms-not-pinned"
        title = "JWT decoded without pinned algorithms"
        severity = Severity.HIGH
        confidence = Confidence.HIGH
        cwe = 347
        prefilter = re.compile(r"decode")
        VALID = ['jwt.decode(t, k, algorithms=["HS256"])']
        INVALID = [Invalid("jwt.decode(t, k)", fixed='jwt.decode(t, k, algorithms=["HS256"])')]

        def visit_Call(self, node: cst.Call) -> None: ...

Rules read the tree through ``self.ctx`` (names through imports, literal
values, positions and fixes) and call ``self.report``. The engine walks each
file once and calls every interested rule's ``visit_<Node>``/``leave_<Node>``.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from .context import FileContext
from .findings import Confidence, Fix, Severity
from .prefilter import Found, literals_of, may_match, present

DOCS_URL = "https://github.com/auth-review/auth-review/blob/main/docs/rules.md#{id}"


@dataclass(frozen=True)
class Invalid:
    """A code example the rule must flag.

    ``fixed`` is the whole example after the rule's fix is applied (None when
    the rule offers no fix for it); ``path`` lets an example pose as another file.
    """

    code: str
    fixed: str | None = None
    path: str = "example.py"
    count: int = 1
    confidence: Confidence | None = None  # the confidence the finding must carry (None: not checked)


@dataclass(frozen=True)
class Valid:
    code: str
    path: str = "example.py"


_HANDLERS: dict[type, dict[str, tuple[type[cst.CSTNode], ...]]] = {}


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence]
    cwe: ClassVar[int | None] = None
    # Bandit tests that flag the same defect; their findings on the same lines fold into ours.
    bandit_equivalents: ClassVar[frozenset[str]] = frozenset()
    # The rule runs only on files whose text matches (every pattern, when several); keep it cheap and broad enough.
    prefilter: ClassVar[re.Pattern[str] | tuple[re.Pattern[str], ...] | None] = None
    # Whether the rule also looks at test files (most do not: fixtures are not deployed).
    in_tests: ClassVar[bool] = True
    VALID: ClassVar[list[str | Valid]] = []
    INVALID: ClassVar[list[str | Invalid]] = []

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "id" not in cls.__dict__:
            return  # an abstract helper base
        for attr in ("name", "title", "severity", "confidence"):
            if not hasattr(cls, attr):
                raise TypeError(f"rule {cls.__name__} lacks {attr}")

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> None:
        self.ctx.report(self, node, message, fix=fix, severity=severity, confidence=confidence)

    def finish(self) -> None:
        """Called after the walk, for rules that decide from what they collected."""

    @classmethod
    def prefilters(cls) -> tuple[re.Pattern[str], ...]:
        patterns = cls.prefilter if isinstance(cls.prefilter, tuple) else (cls.prefilter,)
        return tuple(p for p in patterns if p is not None)

    @classmethod
    def applies_to(cls, text: str, found: Found | None = None) -> bool:
        """Whether the pre-filter admits ``text``. ``found``: where the gate literals occur in the text,
        computed once for all rules (``prefilter.present``); computed here when not given."""
        patterns = cls.prefilters()
        if found is None:
            found = present(text, literals_of(patterns))
        return all(may_match(p, text, found) for p in patterns)

    @classmethod
    def documentation(cls) -> str:
        return textwrap.dedent(inspect.getdoc(cls) or "").strip()

    @classmethod
    def summary(cls) -> str:
        doc = cls.documentation()
        return doc.split("\n\n", 1)[0].removeprefix("What it does").strip(" :\n") if doc else cls.title

    @classmethod
    def help_uri(cls) -> str:
        return DOCS_URL.format(id=cls.id.lower())

    @classmethod
    def handlers(cls) -> dict[str, tuple[type[cst.CSTNode], ...]]:
        """The node classes this rule's ``visit_X``/``leave_X`` methods handle, by prefix."""
        cached = _HANDLERS.get(cls)
        if cached is None:
            found: dict[str, list[type[cst.CSTNode]]] = {"visit": [], "leave": []}
            for attr in dir(cls):
                for prefix, types in found.items():
                    if attr.startswith(prefix + "_") and callable(getattr(cls, attr)):
                        node_type = getattr(cst, attr[len(prefix) + 1 :], None)
                        if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                            raise TypeError(f"{cls.__name__}.{attr}: libcst has no node class by that name")
                        types.append(node_type)
            cached = _HANDLERS[cls] = {k: tuple(v) for k, v in found.items()}
        return cached


NodeHandler = Callable[[cst.CSTNode], None]
