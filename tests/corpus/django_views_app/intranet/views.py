"""Intranet views. LoginRequiredMiddleware (settings.py) guards every view that is not @login_not_required."""

from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.decorators import login_not_required, user_passes_test
from django.db.models import Count, Sum
from django.db.models.functions import TruncDay
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from shop.models import Order

from .models import Announcement, Ticket

User = get_user_model()


@login_not_required
@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.method == "GET":
        return render(request, "login.html")
    username = request.POST.get("username", "")
    account = User.objects.filter(username__iexact=username, is_staff=True).first()
    if account is None:
        return render(request, "login.html", {"error": "There is no staff account with that username."}, status=400)  # expect: AR108
    user = authenticate(request, username=account.username, password=request.POST.get("password", ""))
    if user is None:
        return render(request, "login.html", {"error": "Incorrect password."}, status=400)
    login(request, user)
    return redirect("ticket-list")


@login_not_required
@require_GET
def announcements(request):
    """Shown on the sign-in page, so it must be reachable before login."""
    items = Announcement.objects.filter(published=True).order_by("-published_at")[:5]
    return JsonResponse({"announcements": [{"title": a.title, "body": a.body} for a in items]})


@login_not_required
@require_GET
def revenue_today(request):  # expect: AR101
    """Feeds the wall-mounted sales screen in the office."""
    rows = (
        Order.objects.exclude(status=Order.Status.CANCELLED)
        .annotate(day=TruncDay("created_at"))
        .values("day")
        .annotate(orders=Count("id"), revenue=Sum("total"))
        .order_by("-day")[:30]
    )
    return JsonResponse({"days": [{"day": r["day"].date().isoformat(), "orders": r["orders"],
                                   "revenue": str(r["revenue"])} for r in rows]})


def ticket_list(request):
    tickets = Ticket.objects.filter(assignee=request.user).exclude(state=Ticket.State.CLOSED)
    return render(request, "tickets.html", {"tickets": tickets.order_by("-updated_at")})


def ticket_detail(request, pk):
    ticket = get_object_or_404(Ticket.objects.select_related("order"), pk=pk, assignee=request.user)
    return render(request, "ticket_detail.html", {"ticket": ticket})


@user_passes_test(lambda u: u.is_superuser)
def staff_accounts(request):
    staff = User.objects.filter(is_staff=True).annotate(open_tickets=Count("tickets")).order_by("username")
    return render(request, "staff_accounts.html", {"staff": staff})
