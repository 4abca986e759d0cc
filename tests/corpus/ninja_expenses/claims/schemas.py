from datetime import date
from decimal import Decimal

from ninja import ModelSchema, Schema

from .models import Claim, CostCentre, Receipt


class ClaimIn(Schema):
    title: str
    amount: Decimal
    currency: str = "GBP"
    incurred_on: date
    cost_centre_id: int


class ClaimOut(ModelSchema):
    class Meta:
        model = Claim
        fields = ["id", "title", "amount", "currency", "incurred_on", "status", "cost_centre", "created_at"]


class ReceiptOut(ModelSchema):
    class Meta:
        model = Receipt
        fields = ["id", "file", "uploaded_at"]


class CostCentreOut(ModelSchema):
    class Meta:
        model = CostCentre
        fields = ["id", "code", "name"]


class MonthlyTotal(Schema):
    employee: str
    month: date
    total: Decimal


class Decision(Schema):
    approve: bool
    note: str = ""
