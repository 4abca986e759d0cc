from django.urls import path
from rest_framework.routers import DefaultRouter
from rest_framework_simplejwt.views import TokenRefreshView

from . import admin_api, views

router = DefaultRouter()
router.register("admin/users", admin_api.UserAdminViewSet, basename="admin-user")
router.register("staff", admin_api.StaffUserViewSet, basename="staff-user")
router.register("team-members", admin_api.TeamMemberViewSet, basename="team-member")

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("token/", views.LoginView.as_view(), name="token-obtain"),
    path("token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("token/mobile-refresh/", views.MobileTokenRefreshView.as_view(), name="token-mobile-refresh"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.password_reset_request, name="password-reset"),
    path("password-reset/confirm/", views.password_reset_confirm, name="password-reset-confirm"),
    path("otp/verify/", views.verify_otp, name="otp-verify"),
    path("me/", views.MeView.as_view(), name="me"),
] + router.urls
