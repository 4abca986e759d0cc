"""Clients and invoices. Each responder requires a signed-in account through the hook or an explicit check."""

from datetime import date
from decimal import Decimal

import falcon

from .auth import require_account
from .models import Client, Invoice, Session
from .pdf import render_invoice_pdf


class ClientCollection:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.context.account is None:
            raise falcon.HTTPUnauthorized()
        with Session() as session:
            clients = session.query(Client).filter_by(account_id=req.context.account.id).all()
        resp.media = {"clients": [client.to_dict() for client in clients]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.context.account is None:
            raise falcon.HTTPUnauthorized()
        body = req.get_media()
        client = Client(account_id=req.context.account.id, name=str(body["name"])[:200],
                        billing_email=str(body["billing_email"])[:255])
        with Session() as session:
            session.add(client)
            session.commit()
        resp.status = falcon.HTTP_201
        resp.media = client.to_dict()


@falcon.before(require_account)
class InvoiceCollection:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with Session() as session:
            invoices = session.query(Invoice).filter_by(account_id=req.context.account.id).all()
        resp.media = {"invoices": [invoice.to_dict() for invoice in invoices]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.get_media()
        with Session() as session:
            client = session.query(Client).filter_by(id=int(body["client_id"]),
                                                     account_id=req.context.account.id).first()
            if client is None:
                raise falcon.HTTPUnprocessableEntity(title="Unknown client")
            invoice = Invoice(account_id=req.context.account.id, client_id=client.id, number=str(body["number"])[:32],
                              issued_on=date.today(), total=Decimal(str(body["total"])))
            session.add(invoice)
            session.commit()
        resp.status = falcon.HTTP_201
        resp.media = invoice.to_dict()


class InvoiceResource:
    @falcon.before(require_account)
    def on_get(self, req: falcon.Request, resp: falcon.Response, invoice_id: int) -> None:
        with Session() as session:
            invoice = session.query(Invoice).filter_by(id=invoice_id, account_id=req.context.account.id).first()
        if invoice is None:
            raise falcon.HTTPNotFound()
        resp.media = invoice.to_dict()

    @falcon.before(require_account)
    def on_patch(self, req: falcon.Request, resp: falcon.Response, invoice_id: int) -> None:
        body = req.get_media()
        with Session() as session:
            invoice = session.query(Invoice).filter_by(id=invoice_id).first()
            if invoice is None or invoice.account_id != req.context.account.id:
                raise falcon.HTTPNotFound()
            invoice.status = str(body.get("status", invoice.status))[:16]
            session.commit()
        resp.media = invoice.to_dict()

    def on_delete(self, req: falcon.Request, resp: falcon.Response, invoice_id: int) -> None:  # expect: AR101
        with Session() as session:
            session.query(Invoice).filter_by(id=invoice_id, status="draft").delete()
            session.commit()
        resp.status = falcon.HTTP_204

    @falcon.before(require_account)
    def on_get_pdf(self, req: falcon.Request, resp: falcon.Response, invoice_id: int) -> None:
        with Session() as session:
            invoice = session.query(Invoice).filter_by(id=invoice_id).first()  # expect: AR102
        if invoice is None:
            raise falcon.HTTPNotFound()
        resp.content_type = "application/pdf"
        resp.data = render_invoice_pdf(invoice)
