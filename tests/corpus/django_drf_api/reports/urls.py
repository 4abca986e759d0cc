from django.urls import path, re_path

from . import views

urlpatterns = [
    path("sales-summary/", views.SalesSummaryView.as_view(), name="sales-summary"),
    path("catalogue-stats/", views.CatalogueStatsView.as_view(), name="catalogue-stats"),
    re_path(r"^exports/orders\.csv$", views.export_orders_csv, name="export-orders"),
    re_path(r"^exports/products\.csv$", views.export_products_csv, name="export-products"),
    path("imports/orders/", views.import_orders, name="import-orders"),
    path("imports/products/", views.import_products, name="import-products"),
]
