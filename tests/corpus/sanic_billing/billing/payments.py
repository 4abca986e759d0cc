"""Payments received against invoices, and Stripe's webhook that records them."""

import os
from decimal import Decimal

import stripe
from sanic import Blueprint
from sanic.exceptions import BadRequest, NotFound
from sanic.response import empty, json
from sanic.views import HTTPMethodView
from sanic_jwt import protected
from sqlalchemy import select

from .auth import current_account_id
from .models import Invoice, Payment

payments = Blueprint("payments", url_prefix="/api/payments")
webhooks = Blueprint("webhooks", url_prefix="/api/webhooks")


class PaymentList(HTTPMethodView):
    decorators = [protected()]

    async def get(self, request):
        account_id = await current_account_id(request)
        rows = (await request.ctx.session.scalars(
            select(Payment).where(Payment.account_id == account_id).order_by(Payment.received_at.desc()))).all()
        return json([payment.to_dict() for payment in rows])

    async def post(self, request):
        """A payment received outside Stripe (bank transfer, cheque)."""
        account_id = await current_account_id(request)
        body = request.json or {}
        session = request.ctx.session
        invoice = await session.scalar(
            select(Invoice).where(Invoice.id == int(body["invoice_id"]), Invoice.account_id == account_id))
        if invoice is None:
            raise BadRequest("Unknown invoice")
        payment = Payment(account_id=account_id, invoice_id=invoice.id,
                          amount=Decimal(str(body["amount"])).quantize(Decimal("0.01")),
                          note=str(body.get("note", ""))[:500])
        session.add(payment)
        await session.commit()
        return json(payment.to_dict(), status=201)


class PaymentDetail(HTTPMethodView):
    decorators = [protected()]

    async def get(self, request, payment_id: int):
        account_id = await current_account_id(request)
        payment = await request.ctx.session.scalar(
            select(Payment).where(Payment.id == payment_id, Payment.account_id == account_id))
        if payment is None:
            raise NotFound("No such payment")
        return json(payment.to_dict())

    async def patch(self, request, payment_id: int):
        account_id = await current_account_id(request)
        session = request.ctx.session
        payment = await session.get(Payment, payment_id)
        if payment is None or payment.account_id != account_id:
            raise NotFound("No such payment")
        payment.note = str((request.json or {}).get("note", ""))[:500]
        await session.commit()
        return json(payment.to_dict())


payments.add_route(PaymentList.as_view(), "/")
payments.add_route(PaymentDetail.as_view(), "/<payment_id:int>")


@webhooks.post("/stripe")
async def stripe_webhook(request):
    try:
        event = stripe.Webhook.construct_event(request.body, request.headers.get("stripe-signature", ""),
                                               os.environ["STRIPE_WEBHOOK_SECRET"])
    except (ValueError, stripe.error.SignatureVerificationError):
        raise BadRequest("Invalid signature") from None
    if event["type"] == "payment_intent.succeeded":
        intent = event["data"]["object"]
        session = request.ctx.session
        invoice = await session.scalar(select(Invoice).where(Invoice.stripe_payment_intent == intent["id"]))
        if invoice is not None:
            invoice.status = "paid"
            session.add(Payment(account_id=invoice.account_id, invoice_id=invoice.id,
                                amount=Decimal(intent["amount_received"]) / 100, note="Stripe"))
            await session.commit()
    return empty()
