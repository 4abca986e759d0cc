"""The API object. The token exchange (``/auth/``) is public; the bookings router carries
``auth=MemberToken()`` itself (see ``views.py``)."""

from ninja import NinjaAPI

from .auth import router as auth_router
from .views import router as bookings_router

api = NinjaAPI(title="Hive bookings", version="2.0")
api.add_router("/auth/", auth_router)
api.add_router("/", bookings_router)
