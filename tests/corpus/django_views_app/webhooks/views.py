"""Receivers for the payment provider's and the carrier's callbacks."""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop.models import Order

logger = logging.getLogger(__name__)


def _valid_payment_signature(request) -> bool:
    expected = hmac.new(settings.PAYMENT_WEBHOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("X-Payment-Signature", ""))


@csrf_exempt
@require_POST
def payment_webhook(request):
    if not _valid_payment_signature(request):
        return HttpResponseForbidden()
    event = json.loads(request.body)
    if event.get("type") == "payment.succeeded":
        updated = Order.objects.filter(pk=event["data"]["order_id"], status=Order.Status.PENDING).update(
            status=Order.Status.PAID, payment_reference=event["data"]["payment_id"]
        )
        logger.info("payment webhook: order %s marked paid (%d row)", event["data"]["order_id"], updated)
    return HttpResponse(status=204)


@csrf_exempt  # no session is read here: CSRF has nothing to protect (the missing signature is AR101)
@require_POST
def shipping_webhook(request):  # expect: AR101
    try:
        event = json.loads(request.body)
        order = Order.objects.get(tracking_number=event["tracking_number"])
    except (ValueError, KeyError, Order.DoesNotExist):
        return HttpResponseBadRequest()
    if event.get("status") == "delivered":
        order.status = Order.Status.DELIVERED
        order.save(update_fields=["status"])
    return HttpResponse(status=204)
