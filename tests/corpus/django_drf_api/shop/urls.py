from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("orders", views.OrderViewSet, basename="order")
router.register("order-tracking", views.OrderTrackingViewSet, basename="order-tracking")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("audit-log", views.AuditLogViewSet, basename="audit-log")

urlpatterns = [
    path("health/", views.health, name="health"),
    path("orders/<int:pk>/receipt/", views.OrderReceiptView.as_view(), name="order-receipt"),
    path("orders/<int:pk>/cancel/", views.cancel_order, name="order-cancel"),
    path("orders/<int:pk>/reorder/", views.reorder, name="order-reorder"),
    path("orders/<int:pk>/comments/", views.add_order_comment, name="order-comment"),
    path("orders/<int:pk>/refund/", views.issue_refund, name="order-refund"),
    path("maintenance/purge-carts/", views.purge_stale_carts, name="purge-carts"),
] + router.urls
