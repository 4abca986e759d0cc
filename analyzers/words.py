"""Identifiers as words, for rules and the framework model that judge a name by what it says."""

from __future__ import annotations

import re


def split_words(name: str) -> list[str]:
    """``csrfToken`` -> [csrf, token]; ``X-Hub-Signature-256`` -> [x, hub, signature, 256]."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])", "_", name)
    return [w for w in re.split(r"[^a-z0-9]+", snake.lower()) if w]
