"""What a project's Django settings say about limits: DRF throttles, django-axes, a limiting middleware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...context import FileContext
from ...project import Project, ProjectFact
from ..limiters import NOT_LIMITERS, text_says_limit
from .settings import collect_settings, settings_modules


@dataclass(frozen=True)
class DjangoLimits:
    drf_throttles: tuple[str, ...] | None  # DEFAULT_THROTTLE_CLASSES (None: unset)
    axes: bool  # django-axes / django-defender installed: failed logins through authenticate() are counted
    middleware: str | None  # a rate-limiting middleware
    root_urlconf: str | None
    values: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def django_settings(ctx: FileContext) -> list[DjangoLimits]:
    """What the project's Django settings modules say about limits (empty without a project or settings)."""
    project = ctx.project
    if project is None:
        return []
    return _DJANGO_SETTINGS.get(project)


def _django_settings(project: Project) -> list[DjangoLimits]:
    found: list[DjangoLimits] = []
    for settings in settings_modules(project):
        settings_ctx = project.context_for_module(settings.module)
        if settings_ctx is None:
            continue
        values: dict[str, Any] = {}
        collect_settings(settings_ctx, values)
        rest = values.get("REST_FRAMEWORK")
        throttles: tuple[str, ...] | None = None
        if isinstance(rest, dict) and "DEFAULT_THROTTLE_CLASSES" in rest:
            listed = rest["DEFAULT_THROTTLE_CLASSES"]
            throttles = tuple(str(t) for t in listed) if isinstance(listed, (list, tuple)) else ("?",)
        elif "REST_FRAMEWORK" in values and not isinstance(rest, dict):
            throttles = ("?",)  # built in code: cannot tell, take it as throttled
        strings: list[str] = []
        for name in ("INSTALLED_APPS", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "AUTHENTICATION_BACKENDS"):
            listed = values.get(name)
            if isinstance(listed, (list, tuple)):
                strings += [s for s in listed if isinstance(s, str)]
        axes = any(s == "axes" or s.startswith(("axes.", "defender")) for s in strings)
        middleware_list = values.get("MIDDLEWARE", values.get("MIDDLEWARE_CLASSES"))
        middleware = None
        if isinstance(middleware_list, (list, tuple)):
            middleware = next((m for m in middleware_list if isinstance(m, str) and m not in NOT_LIMITERS
                               and text_says_limit(m) and not m.startswith("axes.")), None)
        found.append(DjangoLimits(throttles, axes, middleware, settings.root_urlconf, values))
    return found


_DJANGO_SETTINGS = ProjectFact("login.django_settings", _django_settings)
