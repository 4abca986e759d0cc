from rest_framework import serializers

from .models import Document, Order, OrderComment, OrderItem, Product, Project, Refund


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "description", "price", "is_active"]


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["id", "product", "quantity", "unit_price"]
        read_only_fields = ["unit_price"]


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "customer", "status", "total", "shipping_address", "tracking_number", "items", "created_at"]
        read_only_fields = ["customer", "status", "total", "tracking_number", "created_at"]


class OrderTrackingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "status", "shipping_address", "tracking_number"]


class OrderCommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderComment
        fields = ["id", "order", "author", "body", "created_at"]
        read_only_fields = ["order", "author", "created_at"]


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "order", "amount", "reason", "issued_by", "created_at"]
        read_only_fields = ["issued_by", "created_at"]


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "title", "file", "uploaded_at"]
        read_only_fields = ["uploaded_at"]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "owner", "name", "description", "budget"]  # expect: AR105
