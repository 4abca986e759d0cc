"""Access helpers shared by the shop views."""

from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Order


def get_order_for_user(user, pk):
    """The user's own order, or 404 (never reveal that someone else's order exists)."""
    return get_object_or_404(Order.objects.select_related("shipping_address"), pk=pk, customer=user)


def ensure_can_view_invoice(user, invoice):
    """Customers see their own invoices; accounts staff see all of them."""
    if invoice.order.customer_id != user.pk and not user.has_perm("shop.view_invoice"):
        raise PermissionDenied


class StaffRequiredMixin(UserPassesTestMixin):
    """Class-based views for the shop floor team."""

    raise_exception = True

    def test_func(self):
        return self.request.user.is_active and self.request.user.is_staff
