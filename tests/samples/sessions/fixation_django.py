"""Member sign-in for a Django site that keeps its own member table (sample for AR306)."""

from django.contrib.auth import authenticate, login
from django.contrib.auth.hashers import check_password
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from .forms import SignupForm
from .models import Member


@ratelimit(key="ip", rate="5/m", method="POST", block=True)
def member_login(request):
    if request.method != "POST":
        return render(request, "members/login.html")
    member = Member.objects.filter(email=request.POST["email"].lower()).first()
    if member is None or not check_password(request.POST["password"], member.password_hash):
        return render(request, "members/login.html", {"error": "Invalid email or password"}, status=401)
    request.session["member_id"] = member.pk  # expect: AR306
    request.session["member_name"] = member.display_name
    return redirect("members:home")


@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@require_POST
def api_login(request):
    member = Member.objects.filter(email=request.POST["email"].lower()).first()
    if member is None or not check_password(request.POST["password"], member.password_hash):
        return JsonResponse({"error": "invalid credentials"}, status=401)
    request.session.clear()
    request.session["member_id"] = member.pk  # expect: AR306[medium]
    return JsonResponse({"ok": True})


@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@require_POST
def staff_login(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return JsonResponse({"error": "invalid credentials"}, status=401)
    login(request, user)
    request.session["staff_user_id"] = user.pk
    return JsonResponse({"ok": True})


@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@require_POST
def kiosk_login(request):
    member = Member.objects.filter(badge=request.POST["badge"]).first()
    if member is None or not check_password(request.POST["pin_password"], member.password_hash):
        return JsonResponse({"error": "invalid credentials"}, status=401)
    request.session.cycle_key()
    request.session["member_id"] = member.pk
    return JsonResponse({"ok": True})


@ratelimit(key="ip", rate="3/h", method="POST", block=True)
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        request.session["user_id"] = user.pk
        return redirect("members:home")
    return render(request, "members/signup.html", {"form": form})


@require_POST
def set_language(request):
    request.session["language"] = request.POST.get("language", "en")
    return redirect(request.META.get("HTTP_REFERER", "/"))
