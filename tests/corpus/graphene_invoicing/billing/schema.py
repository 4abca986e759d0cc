"""Read side of the invoicing API: object types and the billing queries."""

import datetime

import graphene
from graphene_django import DjangoObjectType
from graphql import GraphQLError
from graphql_jwt.decorators import login_required, staff_member_required

from .models import Client, Invoice, LineItem, TaxRate


class ClientType(DjangoObjectType):
    class Meta:
        model = Client
        fields = ("id", "name", "email", "vat_number", "invoices")


class LineItemType(DjangoObjectType):
    class Meta:
        model = LineItem
        fields = ("id", "description", "quantity", "unit_price_cents")


class InvoiceType(DjangoObjectType):
    amount_due = graphene.String()

    class Meta:
        model = Invoice
        fields = ("id", "number", "status", "currency", "total_cents", "due_date", "paid_at", "client", "items")

    def resolve_amount_due(self, info):
        return f"{self.total_cents / 100:.2f} {self.currency}"


class TaxRateType(DjangoObjectType):
    class Meta:
        model = TaxRate
        fields = ("country", "rate")


class UserType(graphene.ObjectType):
    email = graphene.String()
    company_name = graphene.String()


class BillingQuery(graphene.ObjectType):
    me = graphene.Field(UserType)
    invoices = graphene.List(InvoiceType, status=graphene.String())
    invoice = graphene.Field(InvoiceType, id=graphene.ID(required=True))
    client = graphene.Field(ClientType, id=graphene.ID(required=True))
    overdue_invoices = graphene.List(InvoiceType)
    tax_rates = graphene.List(TaxRateType, country=graphene.String())
    all_invoices = graphene.List(InvoiceType)

    def resolve_me(root, info):
        user = info.context.user
        if not user.is_authenticated:
            raise GraphQLError("Authentication required")
        return user

    @login_required
    def resolve_invoices(root, info, status=None):
        invoices = Invoice.objects.filter(owner=info.context.user)
        if status:
            invoices = invoices.filter(status=status)
        return invoices.order_by("-due_date")

    @login_required
    def resolve_invoice(root, info, id):
        return Invoice.objects.filter(pk=id, owner=info.context.user).first()

    @login_required
    def resolve_client(root, info, id):
        return Client.objects.get(pk=id)  # expect: AR102

    def resolve_overdue_invoices(root, info):  # expect: AR101
        today = datetime.date.today()
        return Invoice.objects.filter(status=Invoice.Status.SENT, due_date__lt=today).select_related("client")

    def resolve_tax_rates(root, info, country=None):  # auth-review: public
        rates = TaxRate.objects.filter(is_active=True)
        return rates.filter(country=country.upper()) if country else rates

    @staff_member_required
    def resolve_all_invoices(root, info):
        return Invoice.objects.select_related("owner", "client").all()
