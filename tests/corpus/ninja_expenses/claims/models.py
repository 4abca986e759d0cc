"""Expense claims: an employee files a claim against a cost centre and attaches receipts."""

from django.conf import settings
from django.db import models


class CostCentre(models.Model):
    """Budget lines from the finance system; every employee may book against them."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Claim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        SUBMITTED = "submitted"
        APPROVED = "approved"
        REJECTED = "rejected"
        PAID = "paid"

    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims")
    cost_centre = models.ForeignKey(CostCentre, on_delete=models.PROTECT)
    title = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP")
    incurred_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="approved_claims")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_claim", "Can approve or reject expense claims")]


class Receipt(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="receipts")
    file = models.FileField(upload_to="receipts/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)
