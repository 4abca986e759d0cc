"""pickle_site with server-side sessions in the cache (sample for AR308: the cookie holds only a session id)."""

import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
INSTALLED_APPS = ["django.contrib.sessions", "catalog"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"
