"""Django Ninja: ``@api.get``/``@router.post`` on ``NinjaAPI``/``Router`` objects, with ``auth=`` at the
operation, router or API level (``auth=None`` on an operation makes it public); a router without its own
``auth=`` takes the one given to ``add_router`` or to the API it is added to, in any module.

Operations take the request first; the other parameters are declared and read from the path, query or
body by name and type, as in FastAPI.
"""

from __future__ import annotations

import libcst as cst

from ..context import FileContext
from ..project import Project, ProjectFact
from ..walk import walk
from .concepts import Framework, Guard

NAME = Framework.NINJA
OWNERS = ("ninja.NinjaAPI()", "ninja.main.NinjaAPI()", "ninja.Router()", "ninja.router.Router()")


def decorator_guards(ctx: FileContext, call: cst.Call, function: cst.FunctionDef) -> list[Guard]:
    """``auth=`` on the operation, else on the ``Router(...)``/``NinjaAPI(...)`` it hangs on."""
    auth = ctx.argument(call, "auth")
    if auth is not None:
        return _auth_guard(ctx, auth, "route")
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
    if isinstance(receiver, cst.Name):
        bound = ctx.module_value(receiver)
        if isinstance(bound, cst.Call):
            level = "app" if (ctx.qualname(bound.func) or "").endswith("NinjaAPI") else "router"
            found = _auth_guard(ctx, ctx.argument(bound, "auth"), level)
            if found or level == "app" or ctx.argument(bound, "auth") is not None:
                return found
            return _added_router_guards(ctx, receiver.value)
    return []


def _added_router_guards(ctx: FileContext, router: str) -> list[Guard]:
    """A ``Router()`` without ``auth=`` takes it from where it is added: ``api.add_router("/events", router,
    auth=...)``, else the ``NinjaAPI(auth=...)`` it is added to (in any module of the project)."""
    if ctx.project is None:
        return []
    names = {f"{module}.{router}" for module in {ctx.index.module_name, *ctx.project.module_names(ctx.path)}}
    by_router = _ADDED_ROUTERS.get(ctx.project)
    return [g for name in names for g in by_router.get(name, [])]


def _added_routers(project: Project) -> dict[str, list[Guard]]:
    found: dict[str, list[Guard]] = {}
    for other in project.contexts_mentioning("add_router("):
        for node in walk(other.module):
            if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                    and node.func.attr.value == "add_router"):
                continue
            router_arg = other.argument(node, "router", 1)
            name = other.string(router_arg) or other.qualname(router_arg) if router_arg is not None else None
            if not name:
                continue
            auth = other.argument(node, "auth")
            if auth is not None:
                guards = _auth_guard(other, auth, "router")
            else:
                owner = node.func.value
                bound = other.module_value(owner) if isinstance(owner, cst.Name) else None
                guards = _auth_guard(other, other.argument(bound, "auth"), "app") \
                    if isinstance(bound, cst.Call) and (other.qualname(bound.func) or "").endswith("NinjaAPI") else []
            found.setdefault(name, []).extend(guards)
    return found


_ADDED_ROUTERS = ProjectFact("ninja.added_routers", _added_routers)


def _auth_guard(ctx: FileContext, auth: cst.BaseExpression | None, level: str) -> list[Guard]:
    if auth is None or (isinstance(auth, cst.Name) and auth.value == "None"):
        return []
    if isinstance(auth, (cst.List, cst.Tuple)) and not auth.elements:
        return []
    if auth.deep_equals(cst.Name("NOT_SET")) or (ctx.qualname(auth) or "").endswith("NOT_SET"):
        return []
    text = ctx.code(auth)
    return [Guard("configured", f"auth={text}", level, role=any(w in text.lower() for w in ("admin", "staff", "superuser")))]
