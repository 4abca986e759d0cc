"""Bearer-token authentication for the mobile app, and the token exchange that issues tokens."""

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.throttling import AnonRateThrottle

from .models import ApiToken


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class MemberToken(HttpBearer):
    """``request.auth`` becomes the member the token belongs to."""

    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(
            digest=token_digest(token), revoked_at__isnull=True, user__is_active=True
        ).first()
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found.user


class Credentials(Schema):
    email: str
    password: str
    device: str


class IssuedToken(Schema):
    token: str


router = Router(tags=["auth"])


@router.post("/token", response=IssuedToken, throttle=[AnonRateThrottle("5/m")])
def issue_token(request, credentials: Credentials):
    user = authenticate(request, username=credentials.email, password=credentials.password)
    if user is None:
        raise HttpError(401, "Invalid e-mail or password")
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(token), label=credentials.device[:60])
    return {"token": token}
