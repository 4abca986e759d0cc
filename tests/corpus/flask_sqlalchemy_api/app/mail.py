"""Transactional e-mail through the Postmark HTTP API."""

import os

import requests

POSTMARK_URL = "https://api.postmarkapp.com/email"


def _send(to: str, subject: str, text: str) -> None:
    response = requests.post(
        POSTMARK_URL,
        headers={"X-Postmark-Server-Token": os.environ["POSTMARK_TOKEN"], "Accept": "application/json"},
        json={"From": "billing@ledgerly.io", "To": to, "Subject": subject, "TextBody": text},
        timeout=10,
    )
    response.raise_for_status()


def send_password_reset(email: str, link: str) -> None:
    _send(email, "Reset your Ledgerly password", f"Follow this link within an hour: {link}")


def send_invoice(invoice, link: str) -> None:
    amount = f"{invoice.amount_cents / 100:.2f} {invoice.currency}"
    _send(invoice.customer_email, f"Invoice {invoice.number}", f"Amount due: {amount}\nPay online: {link}")
