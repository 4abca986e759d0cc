"""Outgoing e-mail via the SMTP relay configured in the environment."""

import os
import smtplib
from email.message import EmailMessage


def _send(to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = "Notebook <no-reply@notebook.app>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(os.environ["SMTP_HOST"], int(os.environ.get("SMTP_PORT", "587"))) as smtp:
        smtp.starttls()
        smtp.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])
        smtp.send_message(message)


def send_reset_email(user, link: str) -> None:
    _send(user.email, "Reset your Notebook password", f"Hi {user.name},\n\nChoose a new password here: {link}\n")
