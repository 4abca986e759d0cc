"""FastAPI: app and router decorators, ``Depends``/``Security`` in parameters, decorators and
router/app ``dependencies=``, ``Annotated`` aliases, ``include_router(..., dependencies=...)``.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from ..context import FileContext
from ..project import Project, ProjectFact
from ..walk import walk
from ..words import split_words
from .concepts import Framework, Guard
from .guards import checks_role, definition, looks_like_role, wraps_a_guard

FASTAPI_DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})


NAME = Framework.FASTAPI
# Objects whose ``.get``/``.post``/``.api_route``... decorators register routes.
OWNERS = ("fastapi.FastAPI()", "fastapi.APIRouter()", "fastapi.routing.APIRouter()")


def guards_in_dependencies(ctx: FileContext, value: cst.BaseExpression | None, level: str) -> list[Guard]:
    """Guards in a ``dependencies=[Depends(get_current_user), ...]`` list."""
    if not isinstance(value, (cst.List, cst.Tuple)):
        return []
    guards = []
    for element in value.elements:
        guard = _dependency_guard(ctx, element.value, level)
        if guard is not None:
            guards.append(guard)
    return guards


def _dependency_guard(ctx: FileContext, expr: cst.BaseExpression, level: str) -> Guard | None:
    if not (isinstance(expr, cst.Call) and ctx.qualname(expr.func) in FASTAPI_DEPENDS):
        return None
    dependency = ctx.argument(expr, "dependency", 0)
    if dependency is None:
        return None
    text = ctx.code(dependency)
    configured = set(ctx.config.auth_dependencies)
    name = ctx.qualname(dependency) or text
    if name in configured or text in configured or text.rsplit(".", 1)[-1] in configured:
        return Guard("configured", f"Depends({text})", level, role=looks_like_role(text))
    found = definition(ctx, dependency)
    if found is not None:
        if wraps_a_guard(*found) or _resolves_a_user(*found):
            return Guard("dependency", f"Depends({text})", level, role=looks_like_role(text) or checks_role(*found))
        return None
    if _named_like_auth(text):
        # Defined outside what we can see (another package); its name is the only evidence.
        return Guard("dependency", f"Depends({text})", level, role=looks_like_role(text))
    return None


def _named_like_auth(text: str) -> bool:
    lowered = text.rsplit(".", 1)[-1].lower()
    return any(w in lowered for w in ("current_user", "current_active_user", "authenticated", "require_user",
                                      "get_user", "verify_token", "auth", "admin", "jwt", "login"))


def _resolves_a_user(ctx: FileContext, function: cst.FunctionDef, depth: int = 0) -> bool:
    """A dependency that depends on a security scheme or on another guard: ``Depends(oauth2_scheme)`` as a
    default, or behind ``Annotated`` (``token: TokenDep`` with ``TokenDep = Annotated[str, Depends(...)]``)."""
    if depth > 2:
        return False
    for param in function.params.params + function.params.kwonly_params:
        for home, default in _dependency_candidates(ctx, param):
            if not (isinstance(default, cst.Call) and home.qualname(default.func) in FASTAPI_DEPENDS):
                continue
            inner = home.argument(default, "dependency", 0)
            qual = home.qualname(inner) or ""
            if "OAuth2" in qual or "HTTPBearer" in qual or "APIKey" in qual or "HTTPBasic" in qual:
                return True
            if home is ctx and param.default is default and _dependency_guard(ctx, default, "route"):
                return True
            found = definition(home, inner) if inner is not None else None
            if found is not None and (wraps_a_guard(*found) or _resolves_a_user(*found, depth + 1)):
                return True
    return False


_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated")


def _annotated_metadata(ctx: FileContext, annotation: cst.BaseExpression) -> list[tuple[FileContext, cst.BaseExpression]]:
    """``Annotated[T, Depends(x)]`` metadata, read where it is written: in place, or behind an alias
    (``CurrentUser = Annotated[...]``) in this module or, through the project, in another."""
    where: tuple[FileContext, cst.BaseExpression] | None = (ctx, annotation)
    if isinstance(annotation, (cst.Name, cst.Attribute)):
        alias = ctx.value_of(annotation) if isinstance(annotation, cst.Name) else None
        if alias is not None:
            where = (ctx, alias)
        elif ctx.project is not None and (name := ctx.qualname(annotation)):
            where = ctx.project.binding(name)
    if where is None:
        return []
    home, expr = where
    if isinstance(expr, cst.Subscript) and home.qualname(expr.value) in _ANNOTATED:
        return [(home, e.slice.value) for e in expr.slice[1:] if isinstance(e.slice, cst.Index)]
    return []


def _dependency_candidates(ctx: FileContext, param: cst.Param) -> list[tuple[FileContext, cst.BaseExpression]]:
    """Where a parameter may declare a dependency: its default (``= Depends(x)``) and its ``Annotated`` metadata,
    each with the file it is written in."""
    candidates: list[tuple[FileContext, cst.BaseExpression]] = []
    if param.default is not None:
        candidates.append((ctx, param.default))
    if param.annotation is not None:
        candidates += _annotated_metadata(ctx, param.annotation.annotation)
    return candidates


def parameter_guards(ctx: FileContext, function: cst.FunctionDef) -> list[Guard]:
    guards = []
    for param in (*function.params.params, *function.params.kwonly_params):
        for home, candidate in _dependency_candidates(ctx, param):
            guard = _dependency_guard(home, candidate, "route")
            if guard is not None:
                guards.append(guard)
    return guards


def included_router_guards(ctx: FileContext) -> dict[str, list[Guard]]:
    """``app.include_router(admin.router, dependencies=[Depends(get_admin)])`` anywhere in the project,
    by the included router's qualified name (built once per project)."""
    project = ctx.project
    if project is None:
        return {}
    return _INCLUDED_ROUTER_GUARDS.get(project)


def _include_router_calls(project: Project) -> Iterator[tuple[FileContext, cst.Call, str]]:
    """Every ``x.include_router(router, ...)`` of the project, with its file and the router's qualified name."""
    for other in project.contexts_mentioning("include_router("):
        for node in walk(other.module):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                    and node.func.attr.value == "include_router":
                router = other.qualname(other.argument(node, "router", 0))
                if router:
                    yield other, node, router


def _included_router_guards(project: Project) -> dict[str, list[Guard]]:
    found_by_router: dict[str, list[Guard]] = {}
    for other, call, router in _include_router_calls(project):
        found = guards_in_dependencies(other, other.argument(call, "dependencies"), "router")
        if found:
            found_by_router.setdefault(router, []).extend(found)
    return found_by_router


_INCLUDED_ROUTER_GUARDS = ProjectFact("included_router_guards", _included_router_guards)

_DEV_WORDS = frozenset({"dev", "development", "local", "debug", "testing"})


def development_only(ctx: FileContext, owner: str | None) -> bool:
    """Whether the router ``owner`` of this file is mounted only under ``if settings.ENV == "development":``
    (a dev helper router: what it serves never reaches production)."""
    if ctx.project is None or not owner:
        return False
    dev_only = _DEV_ONLY_ROUTERS.get(ctx.project)
    if not dev_only:
        return False
    names = ctx.project.module_names(ctx.path) | {ctx.index.module_name}
    return any(f"{name}.{owner}" in dev_only for name in names)


def _dev_only_routers(project: Project) -> frozenset[str]:
    guarded: set[str] = set()
    plain: set[str] = set()
    in_dev_branches: dict[int, set[int]] = {}  # per module: ids of the nodes under an `if <development>:`
    for other, call, router in _include_router_calls(project):
        if id(other) not in in_dev_branches:
            in_dev_branches[id(other)] = _dev_branch_nodes(other)
        (guarded if id(call) in in_dev_branches[id(other)] else plain).add(router)
    return frozenset(guarded - plain)


def _dev_branch_nodes(ctx: FileContext) -> set[int]:
    return {id(inner) for node in walk(ctx.module)
            if isinstance(node, cst.If) and set(split_words(ctx.code(node.test))) & _DEV_WORDS
            for inner in walk(node.body)}


_DEV_ONLY_ROUTERS = ProjectFact("fastapi.dev_only_routers", _dev_only_routers)
