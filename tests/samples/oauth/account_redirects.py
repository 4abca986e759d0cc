"""Where the storefront sends customers after signing in and out, switching language, and paying
(sample for AR405 open-redirect)."""

from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST

PAYMENT_RETURN_HOSTS = {"pay.example-psp.com", "checkout.example-psp.com"}


def _next_or_home(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_POST
def sign_out(request):
    logout(request)
    return redirect(request.GET.get("next", "/"))  # expect: AR405


@require_POST
def sign_out_safely(request):
    logout(request)
    return redirect(_next_or_home(request))


@login_required
def switch_store(request):
    """Switches the active store and goes back to the page the customer was on."""
    request.session["store_id"] = int(request.POST["store_id"])
    back = request.POST.get("back") or reverse("shop:home")
    return HttpResponseRedirect(back)  # expect: AR405


@login_required
def switch_currency(request):
    request.session["currency"] = request.POST.get("currency", "EUR")[:3]
    back = request.POST.get("back", "/")
    if not back.startswith("/"):
        back = "/"
    return HttpResponseRedirect(back)  # expect: AR405


@login_required
def open_order(request):
    # Only the order number comes from the query string; the path is ours.
    return redirect(f"/orders/{request.GET['number']}/")


def payment_return(request):
    """The payment provider sends the browser back here with the URL to continue to."""
    target = request.GET.get("continue", "")
    parsed = urlparse(target)
    if parsed.scheme != "https" or parsed.hostname not in PAYMENT_RETURN_HOSTS:
        return redirect("shop:checkout")
    return HttpResponseRedirect(target)


def legacy_shortlink(request):
    response = HttpResponse(status=302)
    response["Location"] = request.GET["u"]  # expect: AR405
    return response


class ReturnToCartView(View):
    def get(self, request):
        destination = self.request.GET.get("return_to")
        if destination and url_has_allowed_host_and_scheme(destination, allowed_hosts=settings.ALLOWED_HOSTS):
            return HttpResponseRedirect(destination)
        return redirect("shop:cart")

    def post(self, request):
        return HttpResponseRedirect(request.POST.get("return_to") or "/cart/")  # expect: AR405


def help_page(request):
    # The documentation host is fixed; the client picks a page on it.
    return redirect("https://help.example.com/articles/" + request.GET.get("article", "index"))


def back_to_referrer(request):
    return redirect(request.META.get("HTTP_REFERER", "/"))
