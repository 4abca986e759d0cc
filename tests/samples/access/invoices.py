"""Invoice routes: one forgets to check whose invoice it is (sample for AR102)."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from .models import Invoice, db

invoices = Blueprint("invoices", __name__, url_prefix="/api/invoices")


@invoices.get("/<int:invoice_id>")
@login_required
def show_invoice(invoice_id):
    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404()
    return jsonify(invoice.to_dict())


@invoices.get("/<int:invoice_id>/pdf")
@login_required
def invoice_pdf(invoice_id):
    invoice = Invoice.query.get_or_404(invoice_id)  # expect: AR102
    return invoice.render_pdf()


@invoices.post("/<int:invoice_id>/pay")
@login_required
def pay_invoice(invoice_id):
    invoice = db.get_or_404(Invoice, invoice_id)
    if invoice.owner_id != current_user.id:
        abort(404)
    invoice.mark_paid(request.json["payment_reference"])
    db.session.commit()
    return jsonify(invoice.to_dict())
