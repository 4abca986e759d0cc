"""The WSGI application."""

import falcon

from . import resources
from .auth import SessionMiddleware

app = falcon.App(middleware=SessionMiddleware())

invoice = resources.InvoiceResource()
app.add_route("/clients", resources.ClientCollection())
app.add_route("/invoices", resources.InvoiceCollection())
app.add_route("/invoices/{invoice_id:int}", invoice)
app.add_route("/invoices/{invoice_id:int}/pdf", invoice, suffix="pdf")
