"""Bearer API keys (the help widget and the mobile app send one); the root ACL lets any customer `view`."""

import hashlib

from pyramid.authorization import ACLHelper, Allow, Authenticated, Everyone

from .models import ApiKey


class RootFactory:
    __acl__ = [(Allow, Authenticated, "view")]

    def __init__(self, request: object) -> None:
        self.request = request


class TokenSecurityPolicy:
    def identity(self, request: object) -> object:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        key = request.dbsession.query(ApiKey).filter_by(key_hash=digest, revoked=False).first()
        return key.user if key is not None else None

    def authenticated_userid(self, request: object) -> int | None:
        user = request.identity
        return None if user is None else user.id

    def permits(self, request: object, context: object, permission: str) -> object:
        principals = [Everyone]
        if request.identity is not None:
            principals.append(Authenticated)
        return ACLHelper().permits(context, principals, permission)

    def remember(self, request: object, userid: int, **kw: object) -> list:
        return []

    def forget(self, request: object, **kw: object) -> list:
        return []
