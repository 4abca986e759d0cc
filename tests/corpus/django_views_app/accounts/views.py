"""Sign in, sign out, sign up and password reset for shop customers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from .forms import LoginForm, SignupForm


def _safe_next(request, fallback):
    candidate = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url(fallback)


@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@ratelimit(key="post:username", rate="10/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, "Please enter a correct username and password.")
        else:
            login(request, user)
            return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    logout(request)
    return redirect(request.GET.get("next", "/"))  # expect: AR405


@ratelimit(key="ip", rate="10/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_safe_next(request, "shop:home"))
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_request(request):  # expect: AR107
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save(
            request=request,
            use_https=True,
            from_email=settings.DEFAULT_FROM_EMAIL,
            email_template_name="accounts/password_reset_email.txt",
        )
        messages.info(request, "If an account exists for that address, we have e-mailed a reset link.")
        return redirect("accounts:login")
    return render(request, "accounts/password_reset.html", {"form": form})


def rate_limited(request, exception):
    """RATELIMIT_VIEW: answer for requests blocked by django-ratelimit."""
    return HttpResponse("Too many attempts. Please wait a minute and try again.", status=429)
