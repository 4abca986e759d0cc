"""Signed links and webhook signatures (sample for AR207)."""

import hashlib
import hmac
import os

from itsdangerous import BadSignature, URLSafeTimedSerializer

WEBHOOK_SALT = b"orders"
INVITE_KEY = "invite-links-2019"
serializer = URLSafeTimedSerializer(os.environ["LINK_SIGNING_KEY"], salt="email-confirm")
invites = URLSafeTimedSerializer(INVITE_KEY, salt="invite")  # expect: AR207


def sign_payload(body: bytes) -> str:
    return hmac.new(b"shared-with-partner", body, hashlib.sha256).hexdigest()  # expect: AR207


def verify_partner(body: bytes, signature: str) -> bool:
    key = os.environ["PARTNER_HMAC_KEY"].encode()
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def salted_digest(value: bytes) -> str:
    # A fixed salt in a plain hash is not an HMAC signing key.
    return hashlib.sha256(WEBHOOK_SALT + value).hexdigest()


def confirm_email(token: str) -> str | None:
    try:
        return serializer.loads(token, max_age=3600)
    except BadSignature:
        return None
