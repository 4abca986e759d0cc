"""Billing API: error handling around the database, the payment provider and file imports
(sample for AR603 error-details-leaked, Flask)."""

import csv
import io
import logging
import traceback

import requests
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .models import Invoice
from .schemas import InvoiceSchema
from .stripe_client import PaymentDeclined, charge

bp = Blueprint("billing", __name__)
log = logging.getLogger(__name__)


class ImportRejected(Exception):
    """Raised by the importer with a message written for the customer."""


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    # The description is the message the code passed to abort().
    return jsonify(error=exc.name, message=exc.description), exc.code


@bp.errorhandler(SQLAlchemyError)
def database_error(exc: SQLAlchemyError):
    db.session.rollback()
    log.exception("database error")
    return jsonify(error="database_error", detail=str(exc)), 500  # expect: AR603


@bp.post("/invoices")
@login_required
def create_invoice():
    try:
        invoice = InvoiceSchema().load(request.get_json())
    except ValidationError as err:
        return jsonify(errors=err.messages), 400
    invoice.owner_id = current_user.id
    db.session.add(invoice)
    try:
        db.session.commit()
    except IntegrityError as err:
        db.session.rollback()
        return jsonify(error=f"Could not save the invoice: {err.orig}"), 409  # expect: AR603
    return jsonify(id=invoice.id), 201


@bp.post("/invoices/<int:invoice_id>/pay")
@login_required
def pay_invoice(invoice_id: int):
    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404()
    try:
        charge(invoice)
    except PaymentDeclined as declined:
        # The provider's decline reason is meant for the card holder ("Your card has expired.").
        return jsonify(error=str(declined)), 402
    except requests.RequestException as exc:
        current_app.logger.warning("payment provider unreachable: %s", exc)
        return jsonify(error="payment_unavailable", detail=repr(exc)), 502  # expect: AR603
    return jsonify(status="paid")


@bp.post("/invoices/import")
@login_required
def import_invoices():
    upload = request.files["file"]
    try:
        rows = list(csv.DictReader(io.TextIOWrapper(upload.stream, encoding="utf-8")))
        _store(rows)
    except ImportRejected as exc:
        flash(str(exc), "warning")
    except Exception as exc:
        log.exception("invoice import failed")
        flash(f"Import failed: {exc}", "danger")  # expect: AR603
    return redirect(url_for("billing.invoices_page"))


@bp.get("/invoices/export")
@login_required
def export_invoices():
    try:
        return _csv_export(current_user.id)
    except Exception:
        if current_app.debug:
            return traceback.format_exc(), 500, {"Content-Type": "text/plain"}
        log.exception("export failed")
        return render_template("errors/500.html"), 500


@bp.get("/invoices/summary")
@login_required
def summary():
    try:
        totals = _totals(current_user.id)
    except Exception:
        return render_template("errors/500.html", details=traceback.format_exc()), 500  # expect: AR603
    return jsonify(totals)


def _store(rows: list[dict]) -> None:
    for row in rows:
        if not row.get("number"):
            raise ImportRejected("Every row needs an invoice number.")
        db.session.add(Invoice(number=row["number"], owner_id=current_user.id))
    db.session.commit()


def _csv_export(user_id: int):
    buffer = io.StringIO()
    csv.writer(buffer).writerows((i.number, i.total) for i in Invoice.query.filter_by(owner_id=user_id))
    return buffer.getvalue(), 200, {"Content-Type": "text/csv"}


def _totals(user_id: int) -> dict:
    try:
        return {"count": Invoice.query.filter_by(owner_id=user_id).count()}
    except SQLAlchemyError as exc:
        # A helper's return value: logged by its caller, not sent anywhere from here.
        return {"error": str(exc)}
