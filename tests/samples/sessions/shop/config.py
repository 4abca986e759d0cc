"""Flask configuration classes for the shop (sample for AR302, AR303, AR305)."""

import os
from datetime import timedelta


class Config:
    SECRET_KEY = os.environ.get("SHOP_SECRET_KEY")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SECURE = False  # expect: AR302
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    DEBUG = False


class DevelopmentConfig(Config):
    DEBUG = True
    WTF_CSRF_ENABLED = False


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False


class StagingConfig(Config):
    DEBUG = True  # expect: AR305
    REMEMBER_COOKIE_HTTPONLY = False  # expect: AR302
    SESSION_COOKIE_SAMESITE = "None"  # expect: AR302


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_CHECK_DEFAULT = False  # expect: AR303
    CORS_SUPPORTS_CREDENTIALS = True
    CORS_ORIGINS = ["https://shop.example.com"]


class PartnerConfig(ProductionConfig):
    SESSION_COOKIE_SAMESITE = "None"
    CORS_ORIGINS = "*"
    CORS_SUPPORTS_CREDENTIALS = True  # expect: AR304
