"""What several AR3xx rules use: words of identifiers, development configuration, fix helpers, and
``SettingsRule``, which collects framework settings in every form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import ClassVar

import libcst as cst

from ...context import FileContext
from ...rule import Rule
from .._common import set_keyword, target_name

# --- vocabulary -----------------------------------------------------------------------

# Words that mark development/test configuration (class names, file names, `if` conditions).
_DEV_WORDS = frozenset({"dev", "develop", "development", "local", "test", "tests", "testing", "debug", "ci"})


def identifier_words(name: str) -> list[str]:
    """``SessionCookieName`` / ``session-cookie_name`` -> ``["session", "cookie", "name"]``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _is_dev_name(name: str) -> bool:
    return bool(set(identifier_words(name)) & _DEV_WORDS)


def _is_dev_file(ctx: FileContext) -> bool:
    """``settings/dev.py``, ``local_settings.py``, ``config_testing.py``."""
    return _is_dev_name(PurePosixPath(ctx.path.replace("\\", "/")).stem)


def imported_roots(ctx: FileContext) -> set[str]:
    return {q.split(".")[0] for q in ctx.index.imports.values()}


def module_binds(ctx: FileContext, name: str) -> bool:
    return (id(ctx.module), name) in ctx.index.bindings


def _is_django_settings(ctx: FileContext) -> bool:
    stem = PurePosixPath(ctx.path.replace("\\", "/")).stem
    return (
        "settings" in identifier_words(stem)
        or "django" in imported_roots(ctx)
        or any(module_binds(ctx, n) for n in ("INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE"))
    )


def os_hint(ctx: FileContext) -> str:
    return "" if ctx.index.imports.get("os") == "os" else " (add `import os`)"


def in_dev_branch(ctx: FileContext) -> bool:
    """Inside ``if app.debug:``/``if TESTING:`` (or the ``else`` of ``if not DEBUG:``), or a dev/test helper."""
    stack = ctx.stack
    for i, node in enumerate(stack[:-1]):
        child = stack[i + 1]
        if isinstance(node, cst.If):
            negated = isinstance(node.test, cst.UnaryOperation) and isinstance(node.test.operator, cst.Not)
            mentions_dev = _is_dev_name(ctx.code(node.test))
            in_body = child is node.body
            if mentions_dev and in_body != negated:
                return True
        elif isinstance(node, cst.FunctionDef) and _is_dev_name(node.name.value):
            return True
    return False


def set_argument(call: cst.Call, keyword: str, index: int | None, value: str) -> cst.Call:
    """``call`` with the argument ``keyword`` (or its positional ``index``) set to ``value``."""
    if FileContext.keyword(call, keyword) is None and index is not None:
        arg = FileContext.positional(call, index)
        if arg is not None:
            args = [a.with_changes(value=cst.parse_expression(value)) if a is arg else a for a in call.args]
            return call.with_changes(args=args)
    return set_keyword(call, keyword, value)


# --- settings: module constants, config classes, app.config[...], config.update(...) -----------

@dataclass
class Setting:
    key: str
    value: cst.BaseExpression
    container: str  # "module", "config" (app.config / settings.configure) or "class:<Name>"
    dev: bool
    django: bool
    scope_values: int  # how many times the key is bound in its module or class scope


_CONFIG_METHODS = frozenset({"update", "from_mapping", "setdefault"})


class SettingsRule(Rule):
    """Collects framework settings in every form; subclasses decide which are insecure (no ``id``: abstract)."""

    KEYS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.settings: list[Setting] = []
        self._dev_file = _is_dev_file(ctx)
        self._django = _is_django_settings(ctx)

    # collection
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._collect_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._collect_target(node.target, node.value)

    def _collect_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and target.value in self.KEYS:
            owner = self.ctx.enclosing(cst.FunctionDef, cst.ClassDef)
            if owner is None:
                bound = len(self.ctx.index.bindings.get((id(self.ctx.module), target.value), []))
                self._add(target.value, value, "module", bound)
            elif isinstance(owner, cst.ClassDef):
                bound = len(self.ctx.index.bindings.get((id(owner), target.value), []))
                self._add(target.value, value, f"class:{owner.name.value}", bound,
                          dev=_is_dev_name(owner.name.value))
        elif isinstance(target, cst.Subscript) and _is_config_object(self.ctx, target.value):
            key = target_name(target)
            if key in self.KEYS:
                self._add(key, value, "config", 1)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        is_config = func.attr.value in _CONFIG_METHODS and _is_config_object(self.ctx, func.value)
        is_configure = self.ctx.qualname(func) == "django.conf.settings.configure"
        if not (is_config or is_configure):
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in self.KEYS:
                self._add(arg.keyword.value, arg.value, "config", 1)
            elif arg.keyword is None and not arg.star:
                self._collect_mapping(arg.value)

    def _collect_mapping(self, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Dict):
            for element in value.elements:
                if isinstance(element, cst.DictElement):
                    key = self.ctx.string(element.key)
                    if key in self.KEYS:
                        self._add(key, element.value, "config", 1)
        elif isinstance(value, cst.Call) and self.ctx.qualname(value.func) == "builtins.dict":
            for arg in value.args:
                if arg.keyword is not None and arg.keyword.value in self.KEYS:
                    self._add(arg.keyword.value, arg.value, "config", 1)

    def _add(self, key: str, value: cst.BaseExpression, container: str, bound: int, dev: bool = False) -> None:
        dev = dev or self._dev_file or in_dev_branch(self.ctx)
        self.settings.append(Setting(key, value, container, dev, self._django, bound))

    # queries used in finish()
    def lookup(self, key: str, near: Setting) -> list[Setting]:
        """Settings of ``key`` in effect where ``near`` is: the nearest class of its MRO that sets it,
        else the module and app.config ones."""
        for container in self._lineage(near.container):
            found = [s for s in self.settings if s.key == key and s.container == container]
            if found:
                return found
        return [s for s in self.settings if s.key == key and not s.container.startswith("class:")]

    def overridden(self, setting: Setting) -> bool:
        """Whether the value never reaches production: a module constant bound more than once
        (``X = False`` then ``if not DEBUG: X = True``), or a base-class value that every non-dev
        subclass overrides (``ProductionConfig(Config)`` sets its own)."""
        if setting.scope_values > 1:
            return True
        if not setting.container.startswith("class:"):
            return False
        subclasses = [c for c in self.ctx.index.classes if setting.container in self._lineage(f"class:{c}")[1:]]
        production = [c for c in subclasses if not _is_dev_name(c)]
        if not production:
            return False  # the base itself is what gets used
        return not any(setting in self.lookup(setting.key, Setting(setting.key, setting.value, f"class:{c}",
                                                                   False, False, 1)) for c in production)

    def _lineage(self, container: str) -> list[str]:
        """``class:X`` then its base classes defined in this file, nearest first (an MRO approximation)."""
        result = [container]
        todo = [container.removeprefix("class:")] if container.startswith("class:") else []
        while todo:
            cls = self.ctx.index.classes.get(todo.pop(0))
            if cls is None:
                continue
            for base in cls.bases:
                name = self.ctx.dotted_name(base.value)
                if name and f"class:{name.split('.')[-1]}" not in result:
                    result.append(f"class:{name.split('.')[-1]}")
                    todo.append(name.split(".")[-1])
        return result


def _is_config_object(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """``app.config``, ``current_app.config``, ``self.app.config``, a local ``config`` dict."""
    if isinstance(node, cst.Attribute):
        return node.attr.value == "config"
    if isinstance(node, cst.Name):
        return node.value in ("config", "app_config") or (ctx.qualname(node) or "").endswith(".config")
    return False

