"""Pyramid 2 security policy: an auth_tkt cookie names the user; the root ACL grants the permissions."""

from pyramid.authentication import AuthTktCookieHelper
from pyramid.authorization import ACLHelper, Allow, Authenticated, Everyone

from .models import User


class RootFactory:
    __acl__ = [
        (Allow, Authenticated, ("view", "edit")),
        (Allow, "role:manager", "manage"),
    ]

    def __init__(self, request: object) -> None:
        self.request = request


class SecurityPolicy:
    def __init__(self, secret: str) -> None:
        self.helper = AuthTktCookieHelper(secret, hashalg="sha512", secure=True, http_only=True, samesite="Lax",
                                          max_age=8 * 3600)

    def identity(self, request: object) -> User | None:
        ticket = self.helper.identify(request)
        if ticket is None:
            return None
        return request.dbsession.get(User, int(ticket["userid"]))

    def authenticated_userid(self, request: object) -> int | None:
        user = request.identity
        return None if user is None else user.id

    def permits(self, request: object, context: object, permission: str) -> object:
        principals = [Everyone]
        user = request.identity
        if user is not None:
            principals += [Authenticated, f"user:{user.id}"]
            if user.is_manager:
                principals.append("role:manager")
        return ACLHelper().permits(context, principals, permission)

    def remember(self, request: object, userid: int, **kw: object) -> list:
        return self.helper.remember(request, userid, **kw)

    def forget(self, request: object, **kw: object) -> list:
        return self.helper.forget(request, **kw)
