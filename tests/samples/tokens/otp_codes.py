"""Two-factor login, phone verification and a few codes that are no secret (sample for AR208)."""

import random
import secrets
import string
from datetime import UTC, datetime, timedelta

import numpy as np
from django.core.cache import cache
from django.core.mail import send_mail

from .models import Device, Shipment
from .sms import sms_client

DIGITS = string.digits
COUNTRY_CODES = ["DE", "FR", "GB", "US"]


def start_two_factor(user) -> None:
    otp = random.randint(100000, 999999)  # expect: AR208
    user.otp_expires_at = datetime.now(UTC) + timedelta(minutes=5)
    user.otp_hash = hash_code(str(otp))
    user.save()


def send_login_code(user) -> None:
    code = "".join(random.choice(DIGITS) for _ in range(6))  # expect: AR208[medium]
    cache.set(f"login:{user.pk}", code, timeout=300)
    send_mail("Your login code", f"Use {code} to sign in.", None, [user.email])


def send_phone_verification(phone: str) -> None:
    n = random.randrange(10**5, 10**6)  # expect: AR208
    cache.set(f"phone:{phone}", n, timeout=600)
    sms_client.send(phone, f"{n} is your verification code")


def reset_password_request(user) -> None:
    c = random.randint(0, 999999)  # expect: AR208
    user.reset_code = f"{c:06d}"
    user.save(update_fields=["reset_code"])


def pair_device(request, device: Device) -> bool:
    pin = random.sample(range(10), 4)  # expect: AR208
    device.pairing_pin = "".join(map(str, pin))
    device.save()
    return request.POST.get("pin") == device.pairing_pin


def issue_mfa_code(user) -> str:
    mfa_code = str(np.random.randint(0, 1000000)).zfill(6)  # expect: AR208[medium]
    user.mfa_code = mfa_code
    return mfa_code


def confirm_withdrawal(request, session) -> bool:
    n = random.randint(100, 999)  # expect: AR208
    session["withdrawal_expected"] = n
    return secrets.compare_digest(request.POST.get("otp", ""), str(n))


# Not secrets: codes that classify, a tracking number, a dice roll, a secure one-time code.


def new_shipment(order) -> Shipment:
    country_code = random.choice(COUNTRY_CODES)
    status_code = random.choice([200, 202])
    error_code = random.randint(1000, 9999)
    color_code = f"#{random.randint(0, 0xFFFFFF):06x}"
    return Shipment.objects.create(
        order=order,
        country=country_code,
        status=status_code,
        error=error_code,
        color=color_code,
    )


def roll_dice(update) -> None:
    n = random.randint(1, 6)
    update.message.reply_text(f"You rolled {n}")


def start_two_factor_secure(user) -> None:
    otp = f"{secrets.randbelow(10**6):06d}"
    user.otp_hash = hash_code(otp)
    user.save()


def hash_code(code: str) -> str:
    import hashlib

    return hashlib.sha256(code.encode()).hexdigest()
