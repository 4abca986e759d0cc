"""Inbound webhooks. Public on purpose: every request is authenticated by its HMAC signature."""

import hashlib
import hmac
import json
import logging
import time
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, status
from sqlalchemy import select

from ..config import settings
from ..deps import SessionDep
from ..models import User

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
logger = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300


def verify_billing_signature(body: bytes, header: str) -> bool:
    """Header format: ``t=<unix time>,v1=<hex hmac-sha256 of "<t>.<body>">``."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
        received = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(settings.billing_webhook_secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received)


@router.post("/billing", status_code=status.HTTP_204_NO_CONTENT)
async def billing_webhook(
    request: Request,
    session: SessionDep,
    billing_signature: Annotated[str | None, Header()] = None,
) -> None:
    body = await request.body()
    if not billing_signature or not verify_billing_signature(body, billing_signature):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Invalid signature")
    try:
        event = json.loads(body)
        customer_email = event["data"]["customer_email"]
    except (ValueError, KeyError):
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Malformed event") from None
    if event.get("type") == "subscription.cancelled":
        user = session.scalars(select(User).where(User.email == customer_email)).first()
        if user is not None:
            user.is_active = False
            session.commit()
            logger.info("deactivated user %s after subscription cancellation", user.id)
