from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django_ratelimit.decorators import ratelimit

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("password-reset/", views.password_reset_request, name="password-reset"),
    path(
        "reset/<uidb64>/<token>/",
        ratelimit(key="ip", rate="10/m", method="POST", block=True)(
            auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:login"))
        ),
        name="password-reset-confirm",
    ),
]
