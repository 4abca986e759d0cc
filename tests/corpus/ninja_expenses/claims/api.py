"""The expense-claims API. Every operation needs a signed-in employee (``auth=django_auth`` on the
``NinjaAPI``) unless it opts out with ``auth=None``."""

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from ninja import File, NinjaAPI
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from .approvals import router as approvals_router
from .models import Claim, CostCentre, Receipt
from .schemas import ClaimIn, ClaimOut, CostCentreOut, MonthlyTotal, ReceiptOut

api = NinjaAPI(title="Expenses", version="1.4", auth=django_auth)
api.add_router("/approvals/", approvals_router)


@api.get("/healthz", auth=None)
def healthz(request):
    return {"status": "ok"}


@api.get("/cost-centres", response=list[CostCentreOut])
def cost_centres(request):
    return CostCentre.objects.filter(active=True)


@api.get("/claims", response=list[ClaimOut])
def my_claims(request, status: str | None = None):
    claims = Claim.objects.filter(submitted_by=request.user)
    if status:
        claims = claims.filter(status=status)
    return claims


@api.post("/claims", response={201: ClaimOut})
def create_claim(request, payload: ClaimIn):
    cost_centre = get_object_or_404(CostCentre, id=payload.cost_centre_id, active=True)
    claim = Claim.objects.create(
        submitted_by=request.user,
        cost_centre=cost_centre,
        title=payload.title,
        amount=payload.amount,
        currency=payload.currency,
        incurred_on=payload.incurred_on,
    )
    return 201, claim


@api.get("/claims/{claim_id}", response=ClaimOut)
def get_claim(request, claim_id: int):
    return get_object_or_404(Claim, id=claim_id, submitted_by=request.user)


@api.post("/claims/{claim_id}/submit", response=ClaimOut)
def submit_claim(request, claim_id: int):
    claim = get_object_or_404(Claim, id=claim_id, submitted_by=request.user, status=Claim.Status.DRAFT)
    if not claim.receipts.exists():
        raise HttpError(400, "Attach at least one receipt before submitting")
    claim.status = Claim.Status.SUBMITTED
    claim.save(update_fields=["status", "updated_at"])
    return claim


@api.post("/claims/{claim_id}/withdraw", response=ClaimOut)
def withdraw_claim(request, claim_id: int):
    claim = get_object_or_404(Claim, id=claim_id)  # expect: AR102
    if claim.status != Claim.Status.SUBMITTED:
        raise HttpError(409, "Only submitted claims can be withdrawn")
    claim.status = Claim.Status.DRAFT
    claim.save(update_fields=["status", "updated_at"])
    return claim


@api.delete("/claims/{claim_id}", response={204: None})
def delete_claim(request, claim_id: int):
    claim = get_object_or_404(Claim, id=claim_id)
    if claim.submitted_by_id != request.user.id:
        raise HttpError(404, "Not found")
    if claim.status != Claim.Status.DRAFT:
        raise HttpError(409, "Only draft claims can be deleted")
    claim.delete()
    return 204, None


@api.post("/claims/{claim_id}/receipts", response={201: ReceiptOut})
def upload_receipt(request, claim_id: int, file: File[UploadedFile]):
    claim = get_object_or_404(Claim, id=claim_id, submitted_by=request.user, status=Claim.Status.DRAFT)
    receipt = Receipt.objects.create(claim=claim, file=file)
    return 201, receipt


@api.get("/receipts/{receipt_id}", response=ReceiptOut)
def get_receipt(request, receipt_id: int):
    return get_object_or_404(Receipt, id=receipt_id, claim__submitted_by=request.user)


@api.get("/reports/monthly-totals", response=list[MonthlyTotal], auth=None)
def monthly_totals(request):  # expect: AR101
    rows = (
        Claim.objects.exclude(status=Claim.Status.DRAFT)
        .annotate(month=TruncMonth("incurred_on"))
        .values("submitted_by__email", "month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    return [{"employee": r["submitted_by__email"], "month": r["month"], "total": r["total"]} for r in rows]
