"""Class-based views of the shop."""

import csv

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin, UserPassesTestMixin
from django.db.models import Count, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, FormView, ListView, UpdateView

from .access import StaffRequiredMixin
from .forms import ReturnRequestForm
from .models import Address, Invoice, Order, Product, ReturnRequest, StockLevel

User = get_user_model()


class OrderListView(LoginRequiredMixin, ListView):
    template_name = "shop/order_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Order.objects.filter(customer=self.request.user).order_by("-created_at")


class OrderUpdateView(PermissionRequiredMixin, UpdateView):
    """Staff edit of an order's fulfilment fields."""

    permission_required = "shop.change_order"
    model = Order
    fields = ["status", "tracking_number"]
    template_name = "shop/order_edit.html"
    success_url = reverse_lazy("shop:staff-dashboard")


class ReturnRequestView(LoginRequiredMixin, UserPassesTestMixin, FormView):
    form_class = ReturnRequestForm
    template_name = "shop/return_request.html"

    def get_order(self):
        if not hasattr(self, "_order"):
            self._order = get_object_or_404(Order, pk=self.kwargs["pk"])
        return self._order

    def test_func(self):
        order = self.get_order()
        return order.customer_id == self.request.user.pk and order.status == Order.Status.DELIVERED

    def form_valid(self, form):
        ReturnRequest.objects.create(order=self.get_order(), reason=form.cleaned_data["reason"])
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("shop:order-detail", args=[self.kwargs["pk"]])


class InvoiceDetailView(LoginRequiredMixin, DetailView):
    model = Invoice  # expect: AR102
    template_name = "shop/invoice_detail.html"
    context_object_name = "invoice"


class CustomerExportView(LoginRequiredMixin, View):  # expect: AR103
    """CSV of every customer with lifetime spend, for the marketing team."""

    def get(self, request):
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="customers.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "name", "orders", "spend", "joined"])
        customers = User.objects.annotate(n=Count("orders"), spend=Sum("orders__total")).order_by("date_joined")
        for user in customers.iterator():
            writer.writerow([user.email, user.get_full_name(), user.n, user.spend or 0, user.date_joined.date()])
        return response


class ProductCreateView(CreateView):  # expect: AR101
    model = Product
    fields = ["slug", "name", "description", "price", "is_active"]
    template_name = "shop/product_form.html"


class AddressUpdateView(LoginRequiredMixin, UpdateView):
    fields = "__all__"  # expect: AR105
    template_name = "shop/address_form.html"
    success_url = reverse_lazy("shop:order-list")

    def get_queryset(self):
        return Address.objects.filter(user=self.request.user)


class AddressDeleteView(LoginRequiredMixin, DeleteView):
    template_name = "shop/address_confirm_delete.html"
    success_url = reverse_lazy("shop:order-list")

    def get_queryset(self):
        return Address.objects.filter(user=self.request.user)


class StockLevelView(View):
    """Warehouse stock for one product: read by the shop floor, adjusted by the stock-take app."""

    @method_decorator(permission_required("shop.view_stocklevel", raise_exception=True))
    def get(self, request, slug):
        stock = get_object_or_404(StockLevel, product__slug=slug)
        return JsonResponse({"product": slug, "quantity": stock.quantity})

    def post(self, request, slug):  # expect: AR101
        stock = get_object_or_404(StockLevel, product__slug=slug)
        stock.quantity = int(request.POST["quantity"])
        stock.save(update_fields=["quantity", "updated_at"])
        return JsonResponse({"product": slug, "quantity": stock.quantity})


class ReturnQueueView(StaffRequiredMixin, ListView):
    template_name = "shop/return_queue.html"
    queryset = ReturnRequest.objects.filter(approved=False).select_related("order__customer")
