from django.conf import settings
from django.db import models


class OneTimeCode(models.Model):
    """Second-factor code sent by SMS; stored hashed like a password."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="otp_codes")
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)
