"""Placeholder while the module is written this session."""

from __future__ import annotations

import re

from ..context import FileContext
from .concepts import Framework, Guard, Route

NAME = Framework.PYRAMID
MARKER = re.compile(r"(?!)")


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    return []
