"""Django and DRF account views: login, password reset, one-time codes (sample for AR107/AR108)."""

from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

User = get_user_model()


@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.method == "GET":
        return render(request, "login.html")
    try:
        account = User.objects.get(username__iexact=request.POST.get("username", ""))
    except User.DoesNotExist:
        return render(request, "login.html", {"error": "Unknown username."}, status=400)  # expect: AR108
    user = authenticate(request, username=account.username, password=request.POST.get("password", ""))
    if user is None:
        return render(request, "login.html", {"error": "Wrong password."}, status=400)
    login(request, user)
    return redirect("home")


@require_http_methods(["GET", "POST"])
def password_reset(request):  # expect: AR107
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save(request=request, use_https=True)
        return render(request, "password_reset_done.html")
    return render(request, "password_reset.html", {"form": form})


class EmailLoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True)

    def validate(self, attrs):
        user = User.objects.filter(email__iexact=attrs["email"]).first()
        if user is None:
            raise serializers.ValidationError({"email": "No account with this e-mail."})  # expect: AR108
        if not user.check_password(attrs["password"]):
            raise serializers.ValidationError({"password": "Incorrect password."})
        attrs["user"] = user
        return attrs


class TokenLoginView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]  # no throttle_scope: nothing is throttled

    def post(self, request):  # expect: AR107
        serializer = EmailLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"token": serializer.validated_data["user"].auth_token.key})


class ScopedTokenLoginView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def post(self, request):
        user = authenticate(request, username=request.data.get("username"), password=request.data.get("password"))
        if user is None:
            return Response({"detail": "Invalid credentials."}, status=401)
        return Response({"token": user.auth_token.key})


@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([AnonRateThrottle])
def request_login_code(request):
    user = User.objects.filter(email__iexact=request.data.get("email", "")).first()
    if user is not None:
        user.send_login_code()
    return Response({"detail": "If the address has an account, a code is on its way."})


@api_view(["POST"])
@permission_classes([AllowAny])
def confirm_login_code(request):  # expect: AR107
    user = User.objects.filter(email__iexact=request.data.get("email", "")).first()
    if user is None or user.login_code != request.data.get("code"):
        return Response({"detail": "Invalid code."}, status=400)
    login(request, user)
    return Response({"detail": "Signed in."})


class MobileLoginView(TokenObtainPairView):  # expect: AR107
    """Kept for the 2.x apps; the throttled ``LoginView`` below replaced it."""


class LoginView(TokenObtainPairView):
    throttle_classes = [AnonRateThrottle]
