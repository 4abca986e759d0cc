"""Stripe Checkout over plain HTTPS, and verification of Stripe's webhook signatures."""

import hashlib
import hmac
import os
import time

import requests

STRIPE_API = "https://api.stripe.com/v1"


def create_checkout_session(invoice, success_url: str, cancel_url: str) -> str:
    """Start a hosted checkout for ``invoice``; returns the URL Stripe wants the payer sent to."""
    response = requests.post(
        f"{STRIPE_API}/checkout/sessions",
        auth=(os.environ["STRIPE_API_KEY"], ""),
        data={
            "mode": "payment",
            "success_url": success_url,
            "cancel_url": cancel_url,
            "customer_email": invoice.customer_email,
            "line_items[0][price_data][currency]": invoice.currency.lower(),
            "line_items[0][price_data][unit_amount]": invoice.amount_cents,
            "line_items[0][price_data][product_data][name]": f"Invoice {invoice.number}",
            "line_items[0][quantity]": 1,
            "metadata[invoice_id]": invoice.id,
        },
        timeout=15,
    )
    response.raise_for_status()
    return response.json()["url"]


def verify_stripe_signature(payload: bytes, header: str, secret: str, tolerance: int = 300) -> bool:
    """Check the ``Stripe-Signature`` header (``t=...,v1=...``) against our endpoint secret."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp, signature = parts.get("t"), parts.get("v1")
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    signed = timestamp.encode() + b"." + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)
