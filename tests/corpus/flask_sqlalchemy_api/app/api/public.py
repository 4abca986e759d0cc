"""Routes that are public on purpose: published projects, the Stripe webhook, checkout return pages."""

import json
from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, jsonify, redirect, request
from flask_jwt_extended import get_jwt_identity, jwt_required

from ..extensions import db
from ..models import Invoice, Project
from ..payments import verify_stripe_signature

public_bp = Blueprint("public", __name__)


@public_bp.get("/p/<slug>")
@jwt_required(optional=True)
def public_project(slug: str):
    project = Project.query.filter_by(slug=slug, is_public=True, archived=False).first_or_404()
    viewer = get_jwt_identity()
    return jsonify(
        name=project.name,
        description=project.description,
        owner=project.owner.name,
        is_mine=viewer is not None and int(viewer) == project.owner_id,
    )


@public_bp.post("/webhooks/stripe")
def stripe_webhook():
    payload = request.get_data()
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not verify_stripe_signature(payload, request.headers.get("Stripe-Signature", ""), secret):
        abort(400)
    event = json.loads(payload)
    if event.get("type") == "checkout.session.completed":
        invoice_id = int(event["data"]["object"]["metadata"]["invoice_id"])
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is not None and invoice.status != "paid":
            invoice.status = "paid"
            db.session.commit()
    return "", 204


@public_bp.get("/billing/return")
def billing_return():
    return_to = request.args.get("return_to", current_app.config["FRONTEND_ORIGIN"] + "/invoices?paid=1")
    return redirect(return_to)  # expect: AR405


@public_bp.get("/billing/cancelled")
def billing_cancelled():
    fallback = current_app.config["FRONTEND_ORIGIN"] + "/invoices"
    return_to = request.args.get("return_to", fallback)
    parsed = urlparse(return_to)
    if parsed.scheme != "https" or parsed.hostname not in current_app.config["ALLOWED_RETURN_HOSTS"]:
        return_to = fallback
    return redirect(return_to)
