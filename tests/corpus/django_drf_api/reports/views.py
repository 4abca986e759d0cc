"""Reporting and bulk import endpoints."""

import csv
import io
import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.models import Order, Product

from .importers import OrderCsvImporter, ProductCsvImporter

logger = logging.getLogger(__name__)


class SalesSummaryView(APIView):  # expect: AR101
    """Monthly revenue for the finance dashboard."""

    permission_classes = [AllowAny]

    def get(self, request):
        rows = (
            Order.objects.exclude(status=Order.Status.CANCELLED)
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(orders=Count("id"), revenue=Sum("total"))
            .order_by("month")
        )
        return Response([{"month": r["month"].date().isoformat(), "orders": r["orders"],
                          "revenue": str(r["revenue"])} for r in rows])


class CatalogueStatsView(APIView):
    """Numbers shown on the public landing page."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"products": Product.objects.filter(is_active=True).count()})


def export_orders_csv(request):  # expect: AR101
    """Plain Django view (not DRF): the REST_FRAMEWORK defaults do not apply here."""
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    writer = csv.writer(response)
    writer.writerow(["id", "customer", "email", "status", "total", "shipping_address"])
    for order in Order.objects.select_related("customer").iterator():
        writer.writerow([order.pk, order.customer.get_full_name(), order.customer.email, order.status,
                         order.total, order.shipping_address])
    return response


@staff_member_required
def export_products_csv(request):
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="products.csv"'
    writer = csv.writer(response)
    writer.writerow(["sku", "name", "price", "cost_price"])
    for product in Product.objects.iterator():
        writer.writerow([product.sku, product.name, product.price, product.cost_price])
    return response


@api_view(["POST"])
@permission_classes([IsAdminUser])
@parser_classes([MultiPartParser])
def import_orders(request):
    upload = request.FILES["file"]
    try:
        created = OrderCsvImporter(io.TextIOWrapper(upload.file, encoding="utf-8")).run()
    except Exception as exc:
        return Response({"detail": f"Import failed: {exc!r}"}, status=500)  # expect: AR603
    return Response({"created": created}, status=status.HTTP_201_CREATED)


@api_view(["POST"])
@permission_classes([IsAdminUser])
@parser_classes([MultiPartParser])
def import_products(request):
    upload = request.FILES["file"]
    try:
        created = ProductCsvImporter(io.TextIOWrapper(upload.file, encoding="utf-8")).run()
    except ValidationError as exc:
        return Response({"errors": exc.detail}, status=status.HTTP_400_BAD_REQUEST)
    except Exception:
        logger.exception("product import failed")
        return Response({"detail": "Import failed; the error was logged."}, status=500)
    return Response({"created": created}, status=status.HTTP_201_CREATED)
