"""Write side of the invoicing API: one class per mutation, mounted on ``BillingMutation``."""

import graphene
from django.utils import timezone
from graphql import GraphQLError
from graphql_jwt.decorators import login_required

from .decorators import verified_account_required
from .models import Client, Invoice, LineItem
from .schema import ClientType, InvoiceType


class LineItemInput(graphene.InputObjectType):
    description = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price_cents = graphene.Int(required=True)


class CreateInvoice(graphene.Mutation):
    class Arguments:
        client_id = graphene.ID(required=True)
        number = graphene.String(required=True)
        due_date = graphene.Date(required=True)
        items = graphene.List(graphene.NonNull(LineItemInput), required=True)

    invoice = graphene.Field(InvoiceType)

    @login_required
    def mutate(root, info, client_id, number, due_date, items):
        client = Client.objects.get(pk=client_id, owner=info.context.user)
        invoice = Invoice.objects.create(
            owner=info.context.user,
            client=client,
            number=number,
            due_date=due_date,
            total_cents=sum(item.quantity * item.unit_price_cents for item in items),
        )
        LineItem.objects.bulk_create(
            LineItem(invoice=invoice, description=item.description, quantity=item.quantity,
                     unit_price_cents=item.unit_price_cents)
            for item in items
        )
        return CreateInvoice(invoice=invoice)


class MarkInvoicePaid(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)

    invoice = graphene.Field(InvoiceType)

    @login_required
    def mutate(root, info, id):
        invoice = Invoice.objects.get(pk=id)  # expect: AR102
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = timezone.now()
        invoice.save(update_fields=["status", "paid_at"])
        return MarkInvoicePaid(invoice=invoice)


class VoidInvoice(graphene.relay.ClientIDMutation):
    class Input:
        id = graphene.ID(required=True)

    ok = graphene.Boolean()

    @classmethod
    def mutate_and_get_payload(cls, root, info, **input):
        if not info.context.user.is_authenticated:
            raise GraphQLError("Authentication required")
        updated = Invoice.objects.filter(pk=input["id"], owner=info.context.user).update(status=Invoice.Status.VOID)
        return VoidInvoice(ok=bool(updated))


class UpdateClient(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)
        name = graphene.String()
        email = graphene.String()

    client = graphene.Field(ClientType)

    @verified_account_required
    def mutate(root, info, id, name=None, email=None):
        client = Client.objects.get(pk=id, owner=info.context.user)
        if name is not None:
            client.name = name
        if email is not None:
            client.email = email
        client.save()
        return UpdateClient(client=client)


class DeleteClient(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)

    ok = graphene.Boolean()

    def mutate(root, info, id):  # expect: AR101
        Client.objects.filter(pk=id, invoices__isnull=True).delete()
        return DeleteClient(ok=True)


class BillingMutation(graphene.ObjectType):
    create_invoice = CreateInvoice.Field()
    mark_invoice_paid = MarkInvoicePaid.Field()
    void_invoice = VoidInvoice.Field()
    update_client = UpdateClient.Field()
    delete_client = DeleteClient.Field()
