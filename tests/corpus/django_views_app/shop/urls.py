from django.urls import path, re_path

from . import class_views, views

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    re_path(r"^products/(?P<slug>[-\w]+)/$", views.product_detail, name="product-detail"),
    path("products/new/", class_views.ProductCreateView.as_view(), name="product-create"),
    path("products/<slug:slug>/stock/", class_views.StockLevelView.as_view(), name="product-stock"),
    path("cart/", views.cart, name="cart"),
    path("cart/coupon/", views.apply_coupon, name="cart-coupon"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", class_views.OrderListView.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/packing-slip/", views.order_packing_slip, name="order-packing-slip"),
    path("orders/<int:pk>/cancel/", views.cancel_order, name="order-cancel"),
    path("orders/<int:pk>/return/", class_views.ReturnRequestView.as_view(), name="order-return"),
    path("invoices/<int:pk>/", class_views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/download/", views.invoice_download, name="invoice-download"),
    path("addresses/<int:pk>/edit/", class_views.AddressUpdateView.as_view(), name="address-edit"),
    path("addresses/<int:pk>/delete/", class_views.AddressDeleteView.as_view(), name="address-delete"),
    path("support/orders/", views.order_search, name="order-search"),
    path("staff/", views.staff_dashboard, name="staff-dashboard"),
    path("staff/orders/<int:pk>/edit/", class_views.OrderUpdateView.as_view(), name="order-edit"),
    path("staff/orders/<int:pk>/ship/", views.mark_shipped, name="order-ship"),
    path("staff/returns/", class_views.ReturnQueueView.as_view(), name="return-queue"),
    path("staff/customers.csv", class_views.CustomerExportView.as_view(), name="customer-export"),
]
