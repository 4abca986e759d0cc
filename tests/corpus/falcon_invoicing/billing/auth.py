"""Who the caller is (signed session cookie, read by the middleware) and the hook that requires one.

The login service of the same domain writes the `billing_session` cookie, signed with itsdangerous.
"""

import os

import falcon
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .models import Account, Session

_serializer = URLSafeTimedSerializer(os.environ["BILLING_SESSION_SECRET"], salt="billing-session")
MAX_AGE_SECONDS = 8 * 3600


def read_session(cookie: str | None) -> int | None:
    if not cookie:
        return None
    try:
        return int(_serializer.loads(cookie, max_age=MAX_AGE_SECONDS))
    except (BadSignature, SignatureExpired, ValueError):
        return None


class SessionMiddleware:
    """Puts the signed-in account (or None) on `req.context.account`; refuses nobody by itself."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        account_id = read_session(req.cookies.get("billing_session"))
        req.context.account = None
        if account_id is not None:
            with Session() as session:
                req.context.account = session.get(Account, account_id)


def require_account(req: falcon.Request, resp: falcon.Response, resource: object, params: dict) -> None:
    if req.context.account is None:
        raise falcon.HTTPUnauthorized(title="Sign in first")
