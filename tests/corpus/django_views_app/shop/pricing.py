"""Coupon rules."""

from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from .models import Coupon


class CouponError(Exception):
    """Raised with a message written for the customer ("This code has expired.")."""


def apply_coupon_to_cart(cart, code: str) -> Decimal:
    coupon = Coupon.objects.filter(code__iexact=code.strip()).first()
    if coupon is None:
        raise CouponError("This code is not valid.")
    if coupon.valid_until < timezone.now():
        raise CouponError("This code has expired.")
    if coupon.times_used >= coupon.max_uses:
        raise CouponError("This code has already been used.")
    Coupon.objects.filter(pk=coupon.pk).update(times_used=F("times_used") + 1)
    cart.coupon = coupon
    cart.save(update_fields=["coupon"])
    return (cart.lines_total() * coupon.percent_off / 100).quantize(Decimal("0.01"))
