"""Catalogue, orders, documents and projects."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import AuditEntry, Cart, Document, Order, OrderComment, OrderItem, Product, Project
from .permissions import IsOwner, IsSupportStaff
from .serializers import (
    DocumentSerializer,
    OrderCommentSerializer,
    OrderSerializer,
    OrderTrackingSerializer,
    ProductSerializer,
    ProjectSerializer,
    RefundSerializer,
)

User = get_user_model()


class ProductViewSet(viewsets.ModelViewSet):
    """The catalogue is public; only staff edit it."""

    queryset = Product.objects.filter(is_active=True).order_by("name")
    serializer_class = ProductSerializer
    lookup_field = "sku"

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAdminUser()]


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().filter(customer=self.request.user).prefetch_related("items")

    def perform_create(self, serializer):
        serializer.save(customer=self.request.user)

    @action(detail=True, methods=["get"])
    def items(self, request, pk=None):
        order = self.get_object()
        return Response(OrderSerializer(order).data["items"])


class OrderTrackingViewSet(viewsets.ReadOnlyModelViewSet):
    """Shipment status for the "track my parcel" page."""

    queryset = Order.objects.exclude(status=Order.Status.CANCELLED)  # expect: AR102
    serializer_class = OrderTrackingSerializer
    permission_classes = [IsAuthenticated]


class DocumentViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    permission_classes = [IsAuthenticated, IsOwner]

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class ProjectViewSet(viewsets.ModelViewSet):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return Project.objects.filter(owner=self.request.user)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class AuditLogViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditEntry.objects.select_related("actor").order_by("-created_at")
    permission_classes = [IsAdminUser]

    class _AuditSerializer(serializers.ModelSerializer):
        class Meta:
            model = AuditEntry
            fields = ["id", "actor", "action", "target", "created_at"]

    serializer_class = _AuditSerializer


class OrderReceiptView(APIView):
    permission_classes = [IsAuthenticated, IsOwner]

    def get(self, request, pk):
        order = get_object_or_404(Order.objects.prefetch_related("items__product"), pk=pk)
        self.check_object_permissions(request, order)
        lines = [
            {"sku": item.product.sku, "name": item.product.name, "qty": item.quantity, "price": str(item.unit_price)}
            for item in order.items.all()
        ]
        return Response({"order": order.pk, "lines": lines, "total": str(order.total)})


@api_view(["POST"])
def cancel_order(request, pk):
    order = Order.objects.get(pk=pk)  # expect: AR102
    if not order.can_cancel():
        return Response({"detail": "This order can no longer be cancelled."}, status=status.HTTP_409_CONFLICT)
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    return Response(OrderSerializer(order).data)


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def reorder(request, pk):
    previous = get_object_or_404(Order, pk=pk, customer=request.user)
    with transaction.atomic():
        order = Order.objects.create(customer=request.user, shipping_address=previous.shipping_address)
        for item in previous.items.select_related("product"):
            OrderItem.objects.create(order=order, product=item.product, quantity=item.quantity,
                                     unit_price=item.product.price)
    return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


@api_view(["POST"])
def add_order_comment(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    author = get_object_or_404(User, pk=request.data["user_id"])  # expect: AR104
    comment = OrderComment.objects.create(order=order, author=author, body=request.data.get("body", ""))
    return Response(OrderCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@api_view(["POST"])
@permission_classes([IsSupportStaff])
def issue_refund(request, pk):
    order = get_object_or_404(Order, pk=pk)
    serializer = RefundSerializer(data={**request.data, "order": order.pk})
    serializer.is_valid(raise_exception=True)
    refund = serializer.save(issued_by=request.user)
    order.status = Order.Status.REFUNDED
    order.save(update_fields=["status"])
    AuditEntry.objects.create(actor=request.user, action="order.refund", target=f"order:{order.pk}")
    return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def purge_stale_carts(request):  # expect: AR103
    cutoff = timezone.now() - timedelta(days=int(request.data.get("days", 30)))
    deleted, _ = Cart.objects.filter(updated_at__lt=cutoff).delete()
    AuditEntry.objects.create(actor=request.user, action="carts.purge", target=f"{deleted} carts")
    return Response({"deleted": deleted})


@api_view(["GET"])
@permission_classes([AllowAny])
def health(request):
    return Response({"status": "ok"})
