"""Bearer-token authentication: every route needs a member, unless its resource sets `auth_exempt = True`."""

import hashlib

import falcon

from .models import MemberToken, Session


class AuthMiddleware:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.member = None
        scheme, _, token = (req.get_header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return
        digest = hashlib.sha256(token.encode()).hexdigest()
        with Session() as session:
            found = session.query(MemberToken).filter_by(token_hash=digest).first()
            req.context.member = found.member_id if found is not None else None

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict) -> None:
        if getattr(resource, "auth_exempt", False):
            return
        if req.context.member is None:
            raise falcon.HTTPUnauthorized(title="Sign in with your library card")
