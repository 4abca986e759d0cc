"""Finance approvers work through submitted claims. The router needs a session like the rest of
the API, and each operation checks the ``claims.approve_claim`` permission first."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError
from ninja.security import django_auth

from .models import Claim
from .schemas import ClaimOut, Decision

router = Router(auth=django_auth, tags=["approvals"])


def require_approver(request) -> None:
    if not request.user.has_perm("claims.approve_claim"):
        raise HttpError(403, "Only finance approvers can do this")


@router.get("/pending", response=list[ClaimOut])
def pending_claims(request):
    require_approver(request)
    return Claim.objects.filter(status=Claim.Status.SUBMITTED).exclude(submitted_by=request.user)


@router.post("/{claim_id}/decision", response=ClaimOut)
def decide(request, claim_id: int, decision: Decision):
    require_approver(request)
    with transaction.atomic():
        claim = get_object_or_404(Claim.objects.select_for_update(), id=claim_id, status=Claim.Status.SUBMITTED)
        if claim.submitted_by_id == request.user.id:
            raise HttpError(403, "You cannot decide on your own claim")
        claim.status = Claim.Status.APPROVED if decision.approve else Claim.Status.REJECTED
        claim.approved_by = request.user
        claim.save(update_fields=["status", "approved_by", "updated_at"])
    return claim
