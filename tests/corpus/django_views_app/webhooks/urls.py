from django.urls import path

from . import views

urlpatterns = [
    path("payments/", views.payment_webhook, name="payment-webhook"),
    path("shipping/", views.shipping_webhook, name="shipping-webhook"),
]
