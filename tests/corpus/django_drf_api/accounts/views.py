"""Authentication endpoints: registration, JWT login/refresh/logout, password reset, second factor, /me."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework import generics, status
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView

from .serializers import (
    OtpVerifySerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestSerializer,
    ProfileSerializer,
    RegisterSerializer,
)
from .throttles import LoginThrottle, PasswordResetThrottle

logger = logging.getLogger(__name__)
User = get_user_model()


class RegisterView(generics.CreateAPIView):
    serializer_class = RegisterSerializer
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"


class LoginView(TokenObtainPairView):
    """POST username + password -> access + refresh. simplejwt answers one generic 401 for any failure."""

    throttle_classes = [LoginThrottle]


class LogoutView(APIView):
    def post(self, request):
        try:
            RefreshToken(request.data.get("refresh", "")).blacklist()
        except TokenError:
            pass
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MobileTokenRefreshView(APIView):
    """Kept for app versions < 3.2, which cannot store a new refresh token."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token_refresh"

    def post(self, request):  # expect: AR209
        try:
            refresh = RefreshToken(request.data["refresh"])
        except (KeyError, TokenError):
            return Response({"detail": "Invalid refresh token."}, status=status.HTTP_401_UNAUTHORIZED)
        return Response({"access": str(refresh.access_token)})


@api_view(["POST"])
@permission_classes([AllowAny])
def password_reset_request(request):  # expect: AR107
    serializer = PasswordResetRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = User.objects.filter(email__iexact=serializer.validated_data["email"], is_active=True).first()
    if user is None:
        return Response({"email": ["No account is registered with this address."]}, status=404)  # expect: AR108
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    send_mail(
        "Reset your password",
        f"{settings.FRONTEND_URL}/reset-password/{uid}/{token}/",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    return Response({"detail": "Password reset e-mail sent."})


@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([PasswordResetThrottle])
def password_reset_confirm(request):
    serializer = PasswordResetConfirmSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(serializer.validated_data["uid"])))
    except (User.DoesNotExist, ValueError, TypeError):
        user = None
    if user is None or not default_token_generator.check_token(user, serializer.validated_data["token"]):
        return Response({"detail": "This reset link is invalid or has expired."}, status=400)
    user.set_password(serializer.validated_data["new_password"])
    user.save(update_fields=["password"])
    return Response({"detail": "Password updated."})


@api_view(["POST"])
def verify_otp(request):  # expect: AR107
    serializer = OtpVerifySerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    pending = request.user.otp_codes.filter(used=False, expires_at__gt=timezone.now()).order_by("-expires_at")
    otp = pending.first()
    if otp is None or not check_password(serializer.validated_data["code"], otp.code_hash):
        return Response({"detail": "Invalid code."}, status=400)
    otp.used = True
    otp.save(update_fields=["used"])
    refresh = RefreshToken.for_user(request.user)
    refresh["mfa"] = True
    return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = ProfileSerializer

    def get_object(self):
        return self.request.user
