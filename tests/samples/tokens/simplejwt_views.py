"""DRF + simplejwt token views (sample for AR209)."""

from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken


class RotatingRefreshView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        try:
            presented = RefreshToken(request.data["refresh"])
        except (KeyError, TokenError):
            return Response({"detail": "Invalid refresh token."}, status=401)
        user_id = presented["user_id"]
        presented.blacklist()
        fresh = RefreshToken()
        fresh["user_id"] = user_id
        return Response({"access": str(fresh.access_token), "refresh": str(fresh)})


class LegacyRefreshView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):  # expect: AR209
        try:
            refresh = RefreshToken(request.data["refresh"])
        except (KeyError, TokenError):
            return Response({"detail": "Invalid refresh token."}, status=401)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class LogoutView(APIView):
    def post(self, request):
        try:
            RefreshToken(request.data.get("refresh", "")).blacklist()
        except TokenError:
            pass
        return Response(status=205)
