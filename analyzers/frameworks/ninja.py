"""Django Ninja: ``@api.get``/``@router.post`` on ``NinjaAPI``/``Router`` objects, with ``auth=`` at the
operation, router or API level (``auth=None`` on an operation makes it public).

Operations take the request first; the other parameters are declared and read from the path, query or
body by name and type, as in FastAPI.
"""

from __future__ import annotations

import libcst as cst

from ..context import FileContext
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
            return _auth_guard(ctx, ctx.argument(bound, "auth"), level)
    return []


def _auth_guard(ctx: FileContext, auth: cst.BaseExpression | None, level: str) -> list[Guard]:
    if auth is None or (isinstance(auth, cst.Name) and auth.value == "None"):
        return []
    if isinstance(auth, (cst.List, cst.Tuple)) and not auth.elements:
        return []
    if auth.deep_equals(cst.Name("NOT_SET")) or (ctx.qualname(auth) or "").endswith("NOT_SET"):
        return []
    text = ctx.code(auth)
    return [Guard("configured", f"auth={text}", level, role=any(w in text.lower() for w in ("admin", "staff", "superuser")))]
