"""connexion: the OpenAPI (or Swagger 2.0) document is the route table. ``app.add_api("openapi.yaml")`` names
it; each operation's ``operationId`` (with ``x-openapi-router-controller``) names the handler function; its
``security`` requirement, or the document's, is the guard (``security: []`` makes an operation public).

Handler modules never import connexion, so this module is not gated by their text: the project's documents
name them (``routed``). connexion passes path, query and body parameters as arguments by name, and the
principal as ``user``/``token_info``.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any

import libcst as cst
import yaml

from ..context import FileContext
from ..project import Project, ProjectFact
from ..walk import walk
from .concepts import HTTP_METHODS, Framework, Guard, Route
from .guards import guard_for_decorator, guards_in_body, looks_like_role

NAME = Framework.CONNEXION
MARKER = re.compile(r"connexion")
MAX_DOCUMENT_BYTES = 1024 * 1024
_APPS = frozenset({"connexion.App", "connexion.FlaskApp", "connexion.AsyncApp", "connexion.apps.flask.FlaskApp",
                   "connexion.apps.asynchronous.AsyncApp", "connexion.apps.flask_app.FlaskApp"})
# A value that is a YAML alias (``key: *name``, ``- *name``, ``[*a, *b]``): refused before libyaml builds it,
# since aliases are what "billion laughs" documents multiply and no route table needs one.
_ALIAS = re.compile(r"(?m)(?:[:\-]\s+|[\[,]\s*)\*[A-Za-z0-9_.-]+\s*(?:$|[\],])")


@dataclass(frozen=True)
class Operation:
    """One operation of a document: the handler's dotted name, its method and path, and who may call it."""

    handler: str  # ``api.users.get_user``
    method: str
    path: str
    security: tuple[str, ...] | None  # scheme names required (empty: public); None: none declared anywhere
    scopes: tuple[str, ...]
    document: str


def routed(ctx: FileContext) -> bool:
    """Whether an OpenAPI document of the project names a function of this module."""
    return ctx.project is not None and routed_path(ctx.project, ctx.path)


def routed_path(project: Project, path: str) -> bool:
    """The same, from the path alone (nothing is parsed): the engine asks it before choosing rules."""
    return bool(_OPERATIONS.get(project)) and bool(_named(_OPERATIONS.get(project), project.module_names(path)))


def routes(ctx: FileContext, owner_guards: dict[str, list[Guard]]) -> list[Route]:
    found = []
    for name, operations in _here(ctx).items():
        function = ctx.index.functions.get(name)
        if function is None:
            continue
        for operation in operations:
            # The document is the "router": its operations are the siblings messages compare with.
            route = Route(NAME, (operation.method,), operation.path, function, operation.document)
            if operation.security:
                route.guards.append(Guard("configured", f"security: {', '.join(operation.security)}", "route",
                                          role=any(looks_like_role(text)  # staffAuth, [pets:admin]
                                                   for text in (*operation.security, *operation.scopes))))
            route.guards += [g for d in function.decorators if (g := guard_for_decorator(ctx, d))]
            route.guards += guards_in_body(ctx, function)
            found.append(route)
    return found


def _here(ctx: FileContext) -> dict[str, list[Operation]]:
    """This module's functions that operations name: function name -> operations."""
    project = ctx.project
    if project is None:
        return {}
    operations = _OPERATIONS.get(project)
    if not operations:
        return {}
    return _named(operations, project.module_names(ctx.path) | {ctx.index.module_name})


def _named(operations: list[Operation], names: set[str]) -> dict[str, list[Operation]]:
    found: dict[str, list[Operation]] = {}
    for operation in operations:
        module, _, function = operation.handler.rpartition(".")
        # ``api.users`` names ``app/api/users.py`` when the app runs from ``app/``: match on whole trailing parts.
        if module and any(n == module or n.endswith(f".{module}") for n in names):
            found.setdefault(function, []).append(operation)
    return found


def _operations(project: Project) -> list[Operation]:
    found: list[Operation] = []
    seen: set[str] = set()
    for ctx in project.contexts_mentioning("add_api"):
        for path in _documents(ctx):
            if path in seen:
                continue
            seen.add(path)
            document = _load(project, path)
            if document is not None:
                found += _document_operations(document, path)
    return found


_OPERATIONS = ProjectFact("connexion_operations", _operations)


def _documents(ctx: FileContext) -> list[str]:
    """The documents ``add_api`` names, as project paths: relative to the app's ``specification_dir``, which is
    relative to the app module's folder."""
    spec_dirs = [""]
    for node in walk(ctx.module):
        if isinstance(node, cst.Call) and ctx.qualname(node.func) in _APPS:
            spec_dirs.insert(0, _folder(ctx, ctx.argument(node, "specification_dir")))
    here = posixpath.dirname(ctx.path)
    paths = []
    for node in walk(ctx.module):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "add_api"):
            continue
        name = ctx.string(ctx.argument(node, "specification", 0))
        if not name:
            continue
        for spec_dir in spec_dirs:
            for base in (here, ""):
                candidate = posixpath.normpath(posixpath.join(base, spec_dir, name))
                if not candidate.startswith("..") and not candidate.startswith("/") and candidate not in paths:
                    paths.append(candidate)
    return paths


def _folder(ctx: FileContext, value: cst.BaseExpression | None) -> str:
    """``"openapi/"``, or ``Path(__file__).parent / "openapi"`` (the app module's folder, then the name)."""
    if value is None:
        return ""
    literal = ctx.string(value)
    if literal is not None:
        return literal
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Divide):
        return ctx.string(value.right) or ""
    return ""


def _load(project: Project, path: str) -> dict[str, Any] | None:
    """The document as data, or None when it is missing, too large, not UTF-8 or not a mapping."""
    try:
        raw = project.read(path)
    except (OSError, KeyError):
        return None
    if len(raw) > MAX_DOCUMENT_BYTES:
        return None
    try:
        text = raw.decode("utf-8")
        if path.endswith(".json"):
            data = json.loads(text)
        else:
            if _ALIAS.search(text):
                return None
            # libyaml's safe loader when PyYAML was built with it (documents run to hundreds of KiB)
            data = yaml.load(text, Loader=yaml.CSafeLoader) if yaml.__with_libyaml__ else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError, TypeError, AttributeError):
        return None
    return data if isinstance(data, dict) else None


def _document_operations(document: dict[str, Any], source: str) -> list[Operation]:
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return []
    default = _requirement(document.get("security"))
    found = []
    for path, item in paths.items():
        if not isinstance(path, str) or not isinstance(item, dict):
            continue
        controller = item.get("x-openapi-router-controller")
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            handler = operation.get("operationId")
            own = operation.get("x-openapi-router-controller", controller)
            if not isinstance(handler, str):
                continue
            if isinstance(own, str) and own:
                handler = f"{own}.{handler}"
            declared = _requirement(operation.get("security")) if "security" in operation else default
            schemes, scopes = declared if declared is not None else (None, ())
            found.append(Operation(handler, method.upper(), path, schemes, scopes, source))
    return found


def _requirement(value: object) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """``[{"jwt": []}, {"api_key": []}]`` -> (schemes, scopes); ``[]`` or ``[{}]``: public; absent: None."""
    if not isinstance(value, list):
        return None
    schemes: list[str] = []
    scopes: list[str] = []
    for alternative in value:
        if not isinstance(alternative, dict) or not alternative:
            return (), ()  # an empty alternative lets anyone in
        for scheme, listed in alternative.items():
            schemes.append(str(scheme))
            scopes += [str(s) for s in listed] if isinstance(listed, list) else []
    return tuple(schemes), tuple(scopes)
