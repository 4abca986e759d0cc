from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("shop.urls")),
]

handler404 = "shop.views.page_not_found"
handler500 = "shop.views.server_error"
