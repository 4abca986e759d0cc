"""Invoices of the caller's billing account."""

import asyncio
import csv
import io
from datetime import date
from decimal import Decimal

from sanic import Blueprint
from sanic.exceptions import BadRequest, NotFound
from sanic.response import json, raw, text
from sanic_jwt import protected, scoped
from sqlalchemy import func, select
from weasyprint import HTML

from .auth import current_account_id
from .models import Customer, Invoice

invoices = Blueprint("invoices", url_prefix="/api/invoices")


@invoices.get("/")
@protected()
async def list_invoices(request):
    account_id = await current_account_id(request)
    status = request.args.get("status")
    query = select(Invoice).where(Invoice.account_id == account_id).order_by(Invoice.created_at.desc())
    if status:
        query = query.where(Invoice.status == status)
    rows = (await request.ctx.session.scalars(query.limit(200))).all()
    return json([invoice.to_dict() for invoice in rows])


@invoices.post("/")
@protected()
async def create_invoice(request):
    account_id = await current_account_id(request)
    body = request.json or {}
    session = request.ctx.session
    customer = await session.scalar(
        select(Customer).where(Customer.id == int(body["customer_id"]), Customer.account_id == account_id))
    if customer is None:
        raise BadRequest("Unknown customer")
    count = await session.scalar(select(func.count(Invoice.id)).where(Invoice.account_id == account_id))
    invoice = Invoice(
        account_id=account_id,
        customer_id=customer.id,
        number=f"INV-{count + 1:06d}",
        total=Decimal(str(body["total"])).quantize(Decimal("0.01")),
        due_on=date.fromisoformat(str(body["due_on"])),
    )
    session.add(invoice)
    await session.commit()
    return json(invoice.to_dict(), status=201)


@invoices.get("/<invoice_id:int>")
@protected()
async def get_invoice(request, invoice_id: int):
    account_id = await current_account_id(request)
    invoice = await request.ctx.session.scalar(
        select(Invoice).where(Invoice.id == invoice_id, Invoice.account_id == account_id))
    if invoice is None:
        raise NotFound("No such invoice")
    return json(invoice.to_dict())


@invoices.get("/<invoice_id:int>/pdf")
@protected()
async def invoice_pdf(request, invoice_id: int):
    invoice = await request.ctx.session.get(Invoice, invoice_id)  # expect: AR102
    if invoice is None:
        raise NotFound("No such invoice")
    html = request.app.ctx.templates.get_template("invoice.html").render(invoice=invoice)
    pdf = await asyncio.to_thread(HTML(string=html).write_pdf)
    return raw(pdf, content_type="application/pdf",
               headers={"Content-Disposition": f'inline; filename="{invoice.number}.pdf"'})


@invoices.post("/<invoice_id:int>/void")
@scoped("billing:admin")
async def void_invoice(request, invoice_id: int):
    account_id = await current_account_id(request)
    session = request.ctx.session
    invoice = await session.scalar(
        select(Invoice).where(Invoice.id == invoice_id, Invoice.account_id == account_id))
    if invoice is None:
        raise NotFound("No such invoice")
    if invoice.status == "paid":
        raise BadRequest("Paid invoices are refunded, not voided")
    invoice.status = "void"
    await session.commit()
    return json(invoice.to_dict())


@invoices.get("/export.csv")
async def export_invoices(request):  # expect: AR101
    """Every invoice as CSV, for the accountant's spreadsheet."""
    rows = (await request.ctx.session.execute(
        select(Invoice.number, Customer.name, Invoice.total, Invoice.status, Invoice.due_on)
        .join(Invoice.customer)
        .order_by(Invoice.number))).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["number", "customer", "total", "status", "due_on"])
    writer.writerows(rows)
    return text(buffer.getvalue(), content_type="text/csv")
