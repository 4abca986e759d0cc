from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers

User = get_user_model()


class RegisterSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, validators=[validate_password])

    class Meta:
        model = User
        fields = ["username", "email", "password", "first_name", "last_name"]

    def create(self, validated_data):
        return User.objects.create_user(**validated_data)


class ProfileSerializer(serializers.ModelSerializer):
    """GET/PATCH /api/me/."""

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "is_staff"]  # expect: AR105
        read_only_fields = ["id", "username"]


class MemberSerializer(serializers.ModelSerializer):
    """Team directory for B2B accounts (read-only endpoint)."""

    class Meta:
        model = User
        fields = "__all__"  # expect: AR106


class UserAdminSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "is_active", "is_staff", "date_joined"]
        read_only_fields = ["date_joined"]


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField()
    token = serializers.CharField()
    new_password = serializers.CharField(write_only=True, validators=[validate_password])


class OtpVerifySerializer(serializers.Serializer):
    code = serializers.RegexField(r"^\d{6}$")
