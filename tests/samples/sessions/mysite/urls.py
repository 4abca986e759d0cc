"""URL routes for mysite (sample for AR303)."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from accounts import views as account_views

from . import views

urlpatterns = [
    path("login/", views.sign_in),
    path("email/", views.change_email),
    path("transfer/", csrf_exempt(account_views.transfer_funds)),  # expect: AR303
    path("hooks/github/", views.github_webhook),
]
