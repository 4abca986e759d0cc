"""Django views that check a code the client sends by looking it up (sample for AR107).

A lookup keyed by a secret the client sent (``otp=``, ``pin=``, a ``VerificationCode``'s ``code``) whose result
decides the answer is a credential check like ``check_password``: without a limit, a 3- or 6-digit code falls to
a script. A ``code`` that names a product, an OAuth grant exchanged with the provider, or a postal code is no
secret the user proves, and a lookup keyed by the server's own value checks nothing the client sent.
"""

import secrets

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from .models import Address, EmailCode, Member, Product, VerificationCode
from .oauth import exchange_code_for_token


@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@require_POST
def confirm_email(request):
    # Limited: the others here should be too.
    if not EmailCode.objects.filter(email=request.POST["email"], otp=request.POST["otp"]).exists():
        return render(request, "confirm.html", {"error": "Invalid code"}, status=400)
    return redirect("home")


@require_POST
def verify_otp(request):  # expect: AR107
    code = request.POST.get("otp")
    email = request.COOKIES.get("email")
    if EmailCode.objects.filter(email=email, otp=code) or EmailCode.objects.filter(pk=1, otp=code):
        return render(request, "welcome.html", {"email": email})
    return render(request, "otp.html", {"error": "Invalid OTP, try again"})


@require_POST
def unlock_with_pin(request):  # expect: AR107
    member = get_object_or_404(Member, card=request.POST["card"], pin=request.POST["pin"])
    return render(request, "unlocked.html", {"member": member})


@require_POST
def check_sms_code(request):  # expect: AR107
    match = VerificationCode.objects.filter(phone=request.POST["phone"], code=request.POST["code"]).first()
    if match is None:
        return JsonResponse({"ok": False}, status=400)
    return JsonResponse({"ok": True})


def _code_is_valid(email, entered):
    return EmailCode.objects.filter(email=email, otp=entered).exists()


@require_POST
def confirm_through_helper(request):  # expect: AR107
    if not _code_is_valid(request.POST["email"], request.POST["otp"]):
        return HttpResponse("Invalid code", status=400)
    return redirect("home")


def oauth_callback(request):
    # ``code`` is the provider's grant, exchanged with the provider: not a code the user guesses.
    if not secrets.compare_digest(request.GET.get("state", ""), request.session.pop("oauth_state", "")):
        return HttpResponse("Bad state", status=400)
    token = exchange_code_for_token(request.GET["code"])
    request.session["oauth_token"] = token
    return redirect("home")


def product_by_code(request):
    product = Product.objects.filter(code=request.GET["code"]).first()
    if product is None:
        return HttpResponse("No such product", status=404)
    return render(request, "product.html", {"product": product})


def addresses_by_pincode(request):
    found = Address.objects.filter(pincode=request.GET["pincode"], pin_code=request.GET["pincode"])
    if not found:
        return HttpResponse("No address in that area", status=404)
    return render(request, "addresses.html", {"addresses": found})


def resend_code(request):
    # Keyed by the server's own value and the caller's e-mail: nothing the client guesses is checked.
    pending = EmailCode.objects.filter(email=request.GET["email"], otp_method="email").first()
    if pending is None:
        return HttpResponse("Nothing to resend", status=404)
    return HttpResponse("Sent")
