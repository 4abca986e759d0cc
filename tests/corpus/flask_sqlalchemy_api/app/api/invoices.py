"""Invoices. The whole blueprint requires a token: see ``require_identity`` below."""

import requests
from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_jwt_extended import get_jwt_identity, verify_jwt_in_request
from sqlalchemy import select

from ..auth import current_user_id, get_owned_project_or_404
from ..extensions import db
from ..mail import send_invoice
from ..models import Invoice
from ..payments import create_checkout_session

invoices_bp = Blueprint("invoices", __name__)


@invoices_bp.before_request
def require_identity():
    if request.method == "OPTIONS":
        return None
    verify_jwt_in_request(optional=True)
    if get_jwt_identity() is None:
        abort(401, description="Authentication required")
    return None


@invoices_bp.get("/")
def list_invoices():
    status = request.args.get("status")
    stmt = select(Invoice).where(Invoice.owner_id == current_user_id()).order_by(Invoice.created_at.desc())
    if status:
        stmt = stmt.where(Invoice.status == status)
    return jsonify([i.to_dict() for i in db.session.scalars(stmt)])


@invoices_bp.get("/<int:invoice_id>")
def get_invoice(invoice_id: int):
    invoice = Invoice.query.get_or_404(invoice_id)  # expect: AR102
    return jsonify(invoice.to_dict())


@invoices_bp.post("/")
def create_invoice():
    data = request.get_json() or {}
    project = get_owned_project_or_404(int(data.get("project_id", 0)))
    invoice = Invoice(
        owner_id=current_user_id(),
        project_id=project.id,
        number=data["number"],
        customer_email=data["customer_email"],
        amount_cents=int(data["amount_cents"]),
        currency=data.get("currency", "EUR"),
        due_date=data.get("due_date"),
    )
    db.session.add(invoice)
    db.session.commit()
    return jsonify(invoice.to_dict()), 201


@invoices_bp.post("/<int:invoice_id>/send")
def send(invoice_id: int):
    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=get_jwt_identity()).first_or_404()
    try:
        link = create_checkout_session(
            invoice,
            success_url=url_for("public.billing_return", _external=True),
            cancel_url=url_for("public.billing_cancelled", _external=True),
        )
        send_invoice(invoice, link)
    except requests.RequestException as exc:
        current_app.logger.warning("sending invoice %s failed", invoice.number)
        return jsonify(error="Could not send the invoice", detail=str(exc)), 502  # expect: AR603
    invoice.status = "sent"
    db.session.commit()
    return jsonify(invoice.to_dict())


@invoices_bp.post("/<int:invoice_id>/mark-paid")
def mark_paid(invoice_id: int):
    invoice = db.session.execute(select(Invoice).where(Invoice.id == invoice_id)).scalar_one_or_none()  # expect: AR102
    if invoice is None:
        abort(404)
    invoice.status = "paid"
    db.session.commit()
    return jsonify(invoice.to_dict())


@invoices_bp.delete("/<int:invoice_id>")
def delete_invoice(invoice_id: int):
    invoice = db.get_or_404(Invoice, invoice_id)
    if invoice.owner_id != current_user_id():
        abort(404)
    if invoice.status != "draft":
        abort(409, description="Only draft invoices can be deleted")
    db.session.delete(invoice)
    db.session.commit()
    return "", 204
