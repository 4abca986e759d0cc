"""Invoicing API for freelancers: clients and the invoices billed to them."""
