from django.conf import settings
from django.db import models


class Ticket(models.Model):
    class State(models.TextChoices):
        OPEN = "open"
        WAITING = "waiting"
        CLOSED = "closed"

    subject = models.CharField(max_length=200)
    body = models.TextField()
    order = models.ForeignKey("shop.Order", null=True, blank=True, on_delete=models.SET_NULL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets")
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    updated_at = models.DateTimeField(auto_now=True)


class Announcement(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
