"""Django and DRF views of a small shop, analysed as one file (sample for AR101, AR102, AR103)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView
from rest_framework import viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

User = get_user_model()


class Product(models.Model):
    name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)


class Order(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=16)


class Invoice(models.Model):
    order = models.OneToOneField(Order, on_delete=models.PROTECT)
    number = models.CharField(max_length=20)


class Cart(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    updated_at = models.DateTimeField(auto_now=True)


@require_GET
def catalogue(request):
    return JsonResponse({"products": list(Product.objects.filter(is_active=True).values("name"))})


@login_required
def my_orders(request):
    return JsonResponse({"orders": list(Order.objects.filter(customer=request.user).values("id", "total"))})


@login_required
def order_detail(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    return JsonResponse({"id": order.pk, "total": str(order.total)})


@login_required
def order_receipt(request, pk):
    order = get_object_or_404(Order, pk=pk)  # expect: AR102
    return JsonResponse({"id": order.pk, "total": str(order.total)})


@require_GET
def order_lookup(request):  # expect: AR101
    orders = Order.objects.filter(customer__email=request.GET.get("email", ""))
    return JsonResponse({"orders": list(orders.values("id", "status"))})


@require_POST
def mark_paid(request, pk):  # expect: AR101
    Order.objects.filter(pk=pk).update(status="paid")
    return JsonResponse({"ok": True})


@require_POST
def delete_my_account(request):
    request.user.delete()
    return JsonResponse({"ok": True})


class MyOrderList(LoginRequiredMixin, ListView):
    template_name = "orders.html"

    def get_queryset(self):
        return Order.objects.filter(customer=self.request.user)


class InvoiceView(LoginRequiredMixin, DetailView):
    model = Invoice  # expect: AR102
    template_name = "invoice.html"


class RevenueView(APIView):  # expect: AR101
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"revenue": sum(o.total for o in Order.objects.filter(status="paid"))})


class CatalogueCountView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"products": Product.objects.filter(is_active=True).count()})


class AccountAdminViewSet(viewsets.ModelViewSet):  # expect: AR103
    queryset = User.objects.order_by("id")
    permission_classes = [IsAuthenticated]


class StaffOrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
    permission_classes = [IsAdminUser]


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def purge_old_carts(request):  # expect: AR103
    deleted, _ = Cart.objects.filter(updated_at__lt=timezone.now() - timedelta(days=30)).delete()
    return Response({"deleted": deleted})


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def empty_my_cart(request):
    Cart.objects.filter(user=request.user).delete()
    return Response({"ok": True})


class Message(models.Model):
    email = models.EmailField()
    body = models.TextField()


class Review(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    text = models.TextField()


@require_POST
def contact(request):
    Message.objects.create(email=request.POST["email"], body=request.POST["body"])
    return JsonResponse({"ok": True})


@require_GET
def product_reviews(request, pk):
    return JsonResponse({"reviews": list(Review.objects.filter(product_id=pk).values("text"))})


@login_required
def add_to_basket(request, pk):
    product = get_object_or_404(Product, pk=pk)
    request.session.setdefault("basket", []).append(product.pk)
    return JsonResponse({"ok": True})
