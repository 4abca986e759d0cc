"""Litestar guards. The signed-in user's id and role live in the server-side session (``auth.py``
writes them at login)."""

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler


def requires_login(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not connection.session.get("user_id"):
        raise NotAuthorizedException("Sign in first")


def requires_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    requires_login(connection, _)
    if connection.session.get("role") != "admin":
        raise PermissionDeniedException("Administrators only")
