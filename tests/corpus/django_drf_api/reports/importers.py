"""CSV importers used by the back office."""

import csv
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.exceptions import ValidationError

from shop.models import Order, Product

User = get_user_model()


class ProductCsvImporter:
    columns = ("sku", "name", "price")

    def __init__(self, stream):
        self.reader = csv.DictReader(stream)

    def _price(self, line_no, raw):
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise ValidationError({f"line {line_no}": "price is not a number"}) from None

    @transaction.atomic
    def run(self) -> int:
        created = 0
        for line_no, row in enumerate(self.reader, start=2):
            _, was_created = Product.objects.update_or_create(
                sku=row["sku"], defaults={"name": row["name"], "price": self._price(line_no, row["price"])}
            )
            created += was_created
        return created


class OrderCsvImporter:
    """Orders placed by phone, keyed by customer e-mail."""

    def __init__(self, stream):
        self.reader = csv.DictReader(stream)

    @transaction.atomic
    def run(self) -> int:
        created = 0
        for row in self.reader:
            customer = User.objects.get(email__iexact=row["email"])
            Order.objects.create(customer=customer, total=Decimal(row["total"]), shipping_address=row["address"])
            created += 1
        return created
