from bookings.api import api
from django.urls import path

urlpatterns = [
    path("v1/", api.urls),
]
