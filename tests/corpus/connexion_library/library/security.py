"""Security handlers named by spec/library.yaml: members' tokens from the city's SSO, librarians' scopes."""

import os

import jwt
from connexion.exceptions import OAuthProblem

SSO_ISSUER = "https://login.city.example/realms/residents"
AUDIENCE = "library-api"
_jwks = jwt.PyJWKClient(f"{SSO_ISSUER}/protocol/openid-connect/certs", cache_keys=True)
_STAFF_AUDIENCE = "library-staff"
_STAFF_SECRET = os.environ["LIBRARY_STAFF_TOKEN_SECRET"]


def member_token(token: str) -> dict:
    """``x-bearerInfoFunc``: the resident's SSO token; ``sub`` (the member id) becomes the ``user`` argument."""
    try:
        signing_key = _jwks.get_signing_key_from_jwt(token)
        return jwt.decode(token, signing_key.key, algorithms=["RS256"], audience=AUDIENCE, issuer=SSO_ISSUER)
    except jwt.PyJWTError as exc:
        raise OAuthProblem("Invalid or expired token") from exc


def staff_token(token: str) -> dict:
    """``x-tokenInfoFunc`` of the staff scheme: the token's ``scope`` claim lists the librarian's scopes."""
    try:
        claims = jwt.decode(token, _STAFF_SECRET, algorithms=["HS256"], audience=_STAFF_AUDIENCE,
                            issuer="https://staff.library.example")
    except jwt.PyJWTError as exc:
        raise OAuthProblem("Invalid or expired token") from exc
    return {**claims, "scope": claims.get("scope", "").split()}
