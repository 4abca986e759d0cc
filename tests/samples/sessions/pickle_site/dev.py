"""Local development settings for pickle_site (sample for AR308: not deployed)."""

from .settings import *  # noqa: F403

DEBUG = True
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"
