"""Production overrides for pickle_site; the session engine comes from the base settings (sample for AR308)."""

import os

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "").split(",")

SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"  # expect: AR308[medium]
