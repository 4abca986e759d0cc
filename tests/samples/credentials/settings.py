"""Django settings for the billing project (samples for AR501, AR502, AR504, AR505)."""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    STRIPE_SECRET_KEY=(str, "sk_test_4eC39HqLyjWDarjtT1zdp7dc"),  # expect: AR505
)

SECRET_KEY = "django-insecure-0x!b7#d9$k2&v@q4*z8^m1%r6+w3(e5)t"  # expect: AR504
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost"])

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "billing",
        "USER": "billing",
        "PASSWORD": "Wq3$9vLr!2",  # expect: AR504
        "HOST": env.str("DB_HOST", default="localhost"),
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "billing",
        "USER": "billing",
        "PASSWORD": os.environ["REPLICA_DB_PASSWORD"],
        "HOST": "replica.internal",
    },
}

CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": env.str("REDIS_URL", default="redis://localhost:6379/0")}}

EMAIL_HOST_USER = "billing@example.com"
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="smtp-pass-123")  # expect: AR505
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",  # expect: AR501
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
]

PASSWORD_RESET_TIMEOUT = 3600
SESSION_COOKIE_NAME = "billing_session"
CSRF_COOKIE_NAME = "billing_csrftoken"
