"""Rooms and desks of the space, members' bookings of them, and members' API tokens."""

from django.conf import settings
from django.db import models


class Space(models.Model):
    """A desk or a meeting room. Managed by the front desk in the Django admin; nobody owns one."""

    class Kind(models.TextChoices):
        DESK = "desk"
        ROOM = "room"

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    floor = models.PositiveSmallIntegerField()
    seats = models.PositiveSmallIntegerField(default=1)
    bookable = models.BooleanField(default=True)


class Booking(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings")
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    title = models.CharField(max_length=120, blank=True)
    guests = models.TextField(blank=True, help_text="E-mail addresses of visitors, one per line")
    cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)
