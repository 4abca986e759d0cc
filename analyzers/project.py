"""Project context: decisions about one file that depend on others.

A route's guard may be defined in ``app/deps.py`` and a blueprint's hook in
``app/__init__.py``. ``Project`` maps module names to files, parses a module
only when a rule asks about it, and caches parsed modules by content hash for
the life of the process, so re-analysing a project after a one-file change
parses only that file again.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import libcst as cst

from .config import Config
from .context import FileContext
from .facts import Fact
from .imports import module_name_for
from .parsing import PARSER_CONFIG, Refused, check
from .source import SourceError, decode

Definition = cst.FunctionDef | cst.ClassDef
T = TypeVar("T")
D = TypeVar("D", cst.FunctionDef, cst.ClassDef)
_CACHE_SIZE = 512


class _ParseCache:
    """Parsed modules by content hash, least recently used dropped first (bounded memory)."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[str, cst.Module] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def parse(self, text: str) -> cst.Module:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        module = self.entries.get(key)
        if module is not None:
            self.hits += 1
            self.entries.move_to_end(key)
            return module
        self.misses += 1
        check(text)  # a parser bomb among the project's files must not cost the file that reads it
        module = cst.parse_module(text, PARSER_CONFIG)
        self.entries[key] = module
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return module


PARSE_CACHE = _ParseCache()


@dataclass
class Project:
    """The files of one project, read on demand through ``read`` (a path relative to the root -> bytes)."""

    files: list[str]
    read: Callable[[str], bytes]
    config: Config

    def __post_init__(self) -> None:
        self._by_module: dict[str, str] = {}
        packages = {path.rsplit("/", 1)[0] for path in self.files if path.endswith("/__init__.py")}
        for path in self.files:
            name = module_name_for(path)
            self._by_module.setdefault(name, path)
            if name.startswith("src."):  # src/ layouts import without the prefix
                self._by_module.setdefault(name[4:], path)
            # The folder above the outermost package is a source root, as on sys.path: `backend/app/api/deps.py`
            # is imported as `app.api.deps` when `backend/` is no package.
            folders = path.split("/")[:-1]
            top = len(folders)
            while top > 0 and "/".join(folders[:top]) in packages:
                top -= 1
            if 0 < top < len(folders):
                self._by_module.setdefault(module_name_for("/".join(path.split("/")[top:])), path)
        self._packages = packages
        self._names_by_path: dict[str, set[str]] = {}
        for name, where in self._by_module.items():
            self._names_by_path.setdefault(where, set()).add(name)
        self._contexts: dict[str, FileContext | None] = {}
        self.facts: dict[Fact[Any, Any], object] = {}  # project-wide indexes rules build once: see facts.py

    @classmethod
    def on_disk(cls, root: Path, files: list[str], config: Config) -> Project:
        return cls(files, lambda rel: (root / rel).read_bytes(), config)

    def module_names(self, path: str) -> set[str]:
        """Every name the file is imported by: ``backend.app.api.deps`` and, from its source root, ``app.api.deps``."""
        return set(self._names_by_path.get(path, ()))

    def context_for_module(self, module: str) -> FileContext | None:
        path = self._by_module.get(module)
        return self.context_for_path(path) if path is not None else None

    def mentions(self, pattern: re.Pattern[bytes]) -> bool:
        """Whether any file's source matches ``pattern`` (bytes only: nothing is parsed)."""
        for path in self.files:
            try:
                if pattern.search(self.read(path)):
                    return True
            except OSError:
                continue
        return False

    def contexts_mentioning(self, text: str) -> list[FileContext]:
        """Contexts of the files whose source contains ``text`` (a cheap filter before parsing)."""
        found = []
        for path in self.files:
            try:
                if text.encode() not in self.read(path):
                    continue
            except OSError:
                continue
            ctx = self.context_for_path(path)
            if ctx is not None:
                found.append(ctx)
        return found

    def context_for_path(self, path: str) -> FileContext | None:
        if path not in self._contexts:
            self._contexts[path] = self._load(path)
        return self._contexts[path]

    def _load(self, path: str) -> FileContext | None:
        try:
            source = decode(path, self.read(path), self.config.max_file_size)
            module = PARSE_CACHE.parse(source.text)
        except (OSError, SourceError, Refused, cst.ParserSyntaxError, RecursionError, MemoryError):
            return None  # the file's own analysis reports why
        ctx = FileContext(source, module, self.config)
        self.attach(ctx)
        return ctx

    def attach(self, ctx: FileContext) -> None:
        """Make ``ctx`` one of the project's files. A module in a folder that is no package is run as a script,
        and its folder is on ``sys.path``: there ``import libmfa`` is the sibling ``bad/libmfa.py``, even when
        another folder has a ``libmfa.py`` too (``bad/`` and ``good/`` versions of one app)."""
        ctx.project = self
        folder = ctx.path.rsplit("/", 1)[0] if "/" in ctx.path else ""
        if not folder or folder in self._packages:
            return
        prefix = module_name_for(folder)
        for local, qualname in list(ctx.index.imports.items()):
            sibling = f"{prefix}.{qualname}"
            head = sibling.split(".")
            # the longest module prefix that is a file of the folder: ``libmfa`` of ``libmfa.mfa_disable``
            if any(".".join(head[:n]) in self._by_module for n in range(len(head), prefix.count(".") + 1, -1)):
                ctx.index.imports[local] = sibling

    def _follow(self, qualname: str, find: Callable[[FileContext, str], T | None], depth: int = 0) -> tuple[FileContext, T] | None:
        """``find`` in the module ``qualname`` names, following re-exports (``from .x import name``)."""
        if depth > 4 or "." not in qualname:
            return None
        module, _, name = qualname.rpartition(".")
        ctx = self.context_for_module(module)
        if ctx is None:
            return None
        found = find(ctx, name)
        if found is not None:
            return ctx, found
        imported = ctx.index.imports.get(name)
        if imported and imported != qualname:
            return self._follow(imported, find, depth + 1)
        return None

    def binding(self, qualname: str) -> tuple[FileContext, cst.BaseExpression] | None:
        """The one value a module-level name is bound to (``CurrentUser = Annotated[...]``)."""
        def find(ctx: FileContext, name: str) -> cst.BaseExpression | None:
            values = ctx.index.bindings.get((id(ctx.module), name))
            return values[0] if values and len(values) == 1 else None
        return self._follow(qualname, find)

    def definition(self, qualname: str) -> tuple[FileContext, Definition] | None:
        """The function or class ``pkg.mod.name`` refers to."""
        return self._follow(qualname, lambda ctx, name: ctx.index.functions.get(name) or ctx.index.classes.get(name))


def imported_definition(ctx: FileContext, expr: cst.BaseExpression, kind: type[D]) -> tuple[FileContext, D] | None:
    """The function or class (``kind``) that ``expr`` names through the imports, found in the project's module
    that defines it; None without a project or when ``expr`` names something else."""
    name = ctx.qualname(expr)
    if name and ctx.project is not None:
        found = ctx.project.definition(name)
        if found is not None and isinstance(found[1], kind):
            return found[0], found[1]
    return None


# A fact about one project, kept on its Project (see facts.py).
ProjectFact = Fact["Project", T]
