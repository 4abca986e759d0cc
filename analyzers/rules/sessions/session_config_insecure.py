"""AR302 session-config-insecure: insecure session cookie settings."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from ... import markup
from ...context import UNKNOWN, FileContext
from ...findings import Confidence, Severity
from ...rule import Invalid, Valid
from ._shared import Setting, SettingsRule

# Settings and their insecure literal values; the fix's secure value.
_SECURE_FLAGS = {
    "SESSION_COOKIE_SECURE": "True", "SESSION_COOKIE_HTTPONLY": "True", "CSRF_COOKIE_SECURE": "True",
    "REMEMBER_COOKIE_SECURE": "True", "REMEMBER_COOKIE_HTTPONLY": "True",
}
_SAMESITE = {"SESSION_COOKIE_SAMESITE": "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE": "CSRF_COOKIE_SECURE",
             "REMEMBER_COOKIE_SAMESITE": "REMEMBER_COOKIE_SECURE"}
_LIFETIMES = ("PERMANENT_SESSION_LIFETIME", "SESSION_COOKIE_AGE")
_MAX_LIFETIME = 31 * 24 * 3600  # Flask's own default; anything longer is a choice worth a look
_TIMEDELTA_ORDER = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
_TIMEDELTA_SECONDS = {"days": 86400, "seconds": 1, "microseconds": 1e-6, "milliseconds": 1e-3,
                      "minutes": 60, "hours": 3600, "weeks": 604800}


def _seconds(ctx: FileContext, node: cst.BaseExpression | None, depth: int = 0) -> float | None:
    """Seconds in an int literal or a ``timedelta(...)`` of literals."""
    if node is None or depth > 2:
        return None
    value = ctx.literal(node)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(node, cst.Name):
        bound = ctx.value_of(node)
        return _seconds(ctx, bound, depth + 1) if bound is not None else None
    if isinstance(node, cst.Call) and ctx.qualname(node.func) == "datetime.timedelta":
        total = 0.0
        for i, unit in enumerate(_TIMEDELTA_ORDER):
            arg = ctx.argument(node, unit, i)
            if arg is None:
                continue
            amount = ctx.literal(arg)
            if not isinstance(amount, (int, float)):
                return None
            total += amount * _TIMEDELTA_SECONDS[unit]
        return total
    return None


class SessionConfigInsecure(SettingsRule):
    """What it does: flags Flask, Flask-Login and Django session, remember-me and CSRF cookie settings set
    to insecure values: ``SESSION_COOKIE_SECURE``/``CSRF_COOKIE_SECURE``/``REMEMBER_COOKIE_SECURE = False``,
    ``SESSION_COOKIE_HTTPONLY``/``REMEMBER_COOKIE_HTTPONLY = False``, ``SESSION_COOKIE_SAMESITE = None``
    (Django) or ``"None"`` without Secure, and session lifetimes over 31 days. It reads module constants,
    config classes, ``app.config[...] =``, ``app.config.update(...)``/``from_mapping(...)`` and
    ``settings.configure(...)``, and aiohttp_session storages given ``httponly=False``/``secure=False`` or
    the unsigned ``SimpleCookieStorage``. Settings left at their default, and development or test configuration
    (``DevelopmentConfig``, ``settings/dev.py``, ``if app.debug:``), are not reported.

    Why is this bad: the framework's session cookie carries the login. Sent over plain HTTP it can be
    sniffed; readable from JavaScript it is stolen by any XSS; sent on cross-site requests it enables CSRF;
    a months-long session keeps a stolen cookie useful.

    Example:
        class ProductionConfig(Config):
            SESSION_COOKIE_SECURE = False

    Use instead:
        class ProductionConfig(Config):
            SESSION_COOKIE_SECURE = True
    """

    id = "AR302"
    name = "session-config-insecure"
    title = "Insecure session cookie settings"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    cwe = 614
    prefilter = re.compile(r"SESSION_|REMEMBER_COOKIE|CSRF_COOKIE|CookieStorage|RedisStorage|MemcachedStorage")
    in_tests = False
    KEYS = frozenset({*_SECURE_FLAGS, *_SAMESITE, *_LIFETIMES})

    VALID = [
        "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\nCSRF_COOKIE_SECURE = True",
        # From the environment: not knowable.
        'import os\nSESSION_COOKIE_SECURE = os.environ.get("HTTPS") == "1"',
        "SESSION_COOKIE_SECURE = not DEBUG",
        # Development and test configuration.
        "class DevelopmentConfig(Config):\n    SESSION_COOKIE_SECURE = False",
        "class TestingConfig:\n    SESSION_COOKIE_SECURE = False\n    REMEMBER_COOKIE_SECURE = False",
        Valid("SESSION_COOKIE_SECURE = False\nCSRF_COOKIE_SECURE = False", path="myproject/settings/dev.py"),
        Valid("SESSION_COOKIE_SECURE = False", path="local_settings.py"),
        "if app.debug:\n    app.config['SESSION_COOKIE_SECURE'] = False",
        # The base class value is overridden where it matters.
        "class Config:\n    SESSION_COOKIE_SECURE = False\n"
        "class ProductionConfig(Config):\n    SESSION_COOKIE_SECURE = True",
        # Cross-site cookie done right.
        'SESSION_COOKIE_SAMESITE = "None"\nSESSION_COOKIE_SECURE = True',
        # Flask's default SameSite is None anyway; lifetimes within a month.
        "from datetime import timedelta\napp.config.update(SESSION_COOKIE_SAMESITE=None, "
        "PERMANENT_SESSION_LIFETIME=timedelta(days=7))",
        "SESSION_COOKIE_AGE = 60 * 60 * 24 * 14",
        # Another key that happens to mention SESSION_.
        'SESSION_ENGINE = "django.contrib.sessions.backends.cache"',
        # An aiohttp_session storage at its defaults (HttpOnly on), made secure.
        "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
        "storage = EncryptedCookieStorage(key, secure=True, samesite='Lax')\n",
    ]
    INVALID = [
        Invalid(
            "class ProductionConfig(Config):\n    SESSION_COOKIE_SECURE = False\n",
            fixed="class ProductionConfig(Config):\n    SESSION_COOKIE_SECURE = True\n",
        ),
        Invalid(
            'app.config["SESSION_COOKIE_HTTPONLY"] = False',
            fixed='app.config["SESSION_COOKIE_HTTPONLY"] = True',
        ),
        Invalid(
            "app.config.update(\n    SECRET_KEY=key,\n    REMEMBER_COOKIE_SECURE=False,\n)",
            fixed="app.config.update(\n    SECRET_KEY=key,\n    REMEMBER_COOKIE_SECURE=True,\n)",
        ),
        Invalid(
            'app.config.from_mapping({"SESSION_COOKIE_SECURE": False})',
            fixed='app.config.from_mapping({"SESSION_COOKIE_SECURE": True})',
        ),
        Invalid(
            "INSTALLED_APPS = []\nSESSION_COOKIE_SAMESITE = None\n",
            fixed='INSTALLED_APPS = []\nSESSION_COOKIE_SAMESITE = "Lax"\n',
        ),
        Invalid(
            "CSRF_COOKIE_SECURE = False",
            path="mysite/settings.py",
            fixed="CSRF_COOKIE_SECURE = True",
        ),
        Invalid('SESSION_COOKIE_SAMESITE = "None"', fixed='SESSION_COOKIE_SAMESITE = "Lax"'),
        Invalid("from datetime import timedelta as td\nPERMANENT_SESSION_LIFETIME = td(days=365)"),
        Invalid("SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600"),
        # The base class is not overridden by any production subclass here.
        Invalid(
            "class Config:\n    SESSION_COOKIE_SECURE = False\nclass TestingConfig(Config):\n    TESTING = True\n",
            fixed="class Config:\n    SESSION_COOKIE_SECURE = True\nclass TestingConfig(Config):\n    TESTING = True\n",
        ),
        Invalid(
            "from aiohttp_session import setup\nfrom aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
            "setup(app, EncryptedCookieStorage(key, httponly=False, max_age=3600))\n",
            fixed="from aiohttp_session import setup\nfrom aiohttp_session.cookie_storage import EncryptedCookieStorage\n"
            "setup(app, EncryptedCookieStorage(key, httponly=True, max_age=3600))\n",
        ),
        Invalid("import aiohttp_session\naiohttp_session.setup(app, aiohttp_session.SimpleCookieStorage())\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        name = self.ctx.qualname(node.func) or ""
        storage = name.rpartition(".")[2]
        if not name.startswith("aiohttp_session.") or storage not in _AIOHTTP_STORAGES:
            return
        if storage == "SimpleCookieStorage":
            self.report(node, "`SimpleCookieStorage` keeps the aiohttp session in a plain JSON cookie, neither signed "
                        "nor encrypted: the client can write any user id into it; use `EncryptedCookieStorage` "
                        "or a server-side storage", severity=Severity.HIGH)
            return
        for keyword, why in (("httponly", "be read by JavaScript (and by any XSS)"), ("secure", "travel over plain HTTP")):
            value = self.ctx.argument(node, keyword)
            if value is not None and self.ctx.literal(value) is False:
                self.report(value, f"{markup.code(f'{storage}({keyword}=False)')} lets the session cookie {why}; "
                            f"set it to True", fix=self.ctx.replace(value, "True", f"{keyword}=True"))

    def finish(self) -> None:
        for setting in self.settings:
            if not setting.dev:
                self._check(setting)

    def _check(self, setting: Setting) -> None:
        ctx = self.ctx
        key, value = setting.key, ctx.literal(setting.value)
        if key in _SECURE_FLAGS and value is False and not self.overridden(setting):
            what = "travel over plain HTTP" if key.endswith("SECURE") else "be read by JavaScript (and by any XSS)"
            self.report(setting.value, f"{markup.code(f'{key} = False')} lets the {_cookie_label(key)} {what}; set it to True",
                        fix=ctx.replace(setting.value, _SECURE_FLAGS[key], f"{key} = True"))
        elif key in _SAMESITE:
            self._check_samesite(setting, value)
        elif key in _LIFETIMES:
            seconds = _seconds(ctx, setting.value)
            if seconds is not None and seconds > _MAX_LIFETIME and not setting.scope_values > 1:
                self.report(setting.value, f"{markup.code(key)} keeps a session valid for {seconds / 86400:.0f} days; "
                            "a stolen session cookie stays useful that long, keep it to days or hours",
                            severity=Severity.LOW)

    def _check_samesite(self, setting: Setting, value: Any) -> None:
        key = setting.key
        if isinstance(value, str) and value.lower() == "none":
            secure = [self.ctx.literal(s.value) for s in self.lookup(_SAMESITE[key], setting)]
            if secure and all(v is True or v is UNKNOWN for v in secure):
                return  # cross-site cookie with Secure: a deliberate, valid choice
            problem = markup.code(key + ' = "None"') + " without " + markup.code(f"{_SAMESITE[key]} = True")
        elif (value is None or value is False) and setting.django:
            problem = f"{markup.code(f'{key} = {value}')} turns off Django's default SameSite=Lax"
        else:
            return
        if self.overridden(setting):
            return
        self.report(setting.value, f"{problem}: the {_cookie_label(key)} is sent on cross-site requests; "
                    'use "Lax"', fix=self.ctx.replace(setting.value, '"Lax"', f'{key} = "Lax"'))


# aiohttp_session's storages (``aiohttp_session.cookie_storage.EncryptedCookieStorage`` or re-exported).
_AIOHTTP_STORAGES = frozenset({"EncryptedCookieStorage", "NaClCookieStorage", "RedisStorage", "MemcachedStorage",
                               "SimpleCookieStorage"})


def _cookie_label(key: str) -> str:
    return {"SESSION": "session cookie", "CSRF": "CSRF cookie", "REMEMBER": "remember-me cookie"}[key.split("_")[0]]


__all__ = ["SessionConfigInsecure"]
