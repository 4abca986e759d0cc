"""Integrations of the billing service: storage, payments, the database, and the vault for user secrets
(samples for AR501, AR502, AR504, AR505)."""

import base64
import hashlib
import os
from dataclasses import dataclass

import bcrypt
import boto3
import psycopg2
import requests
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from passlib.context import CryptContext
from passlib.hash import ldap_salted_sha1

SLACK_TOKEN = "xoxb-2048736519-4096012345678-Zq7Xw3Vt9Ry5Lp1Nm8Kj6Hg4"  # expect: AR504
STRIPE_API_BASE = "https://api.stripe.com/v1"
JWT_SECRET = os.getenv("JWT_SECRET") or "local-jwt-secret"  # expect: AR505
REPORTS_DSN = "postgresql://reports:R3p0rts!2024@reports.db.internal:5432/reports"  # expect: AR504
LOCAL_CACHE_URL = "redis://localhost:6379/1"
ITERATIONS = 50_000

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto", bcrypt__rounds=10)  # expect: AR502
legacy_context = CryptContext(schemes=["bcrypt", "md5_crypt"], deprecated=["md5_crypt"])
hasher = PasswordHasher(time_cost=2, memory_cost=4096)  # expect: AR502
strong_hasher = PasswordHasher()
fernet = Fernet(os.environ["FERNET_KEY"])


@dataclass
class SmtpSettings:
    host: str
    username: str
    password: str


def s3_client():
    return boto3.client(
        "s3",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key="kWcrlUX5JEDGM/LtmEENI/aVmYvHNif5zB+d9+ct",  # expect: AR504
    )


def database():
    return psycopg2.connect(host="db.internal", dbname="billing", user="billing", password=os.environ["DB_PASSWORD"])


def partner_api(path):
    return requests.get(f"https://partner.example.com/{path}", auth=("billing", "pa55-w0rd-partner"), timeout=10)  # expect: AR504


def hash_user_password(password):
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10))  # expect: AR502


def hash_user_password_strong(password):
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt())


def derive_key(passphrase, salt):
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=ITERATIONS)  # expect: AR502
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode()))


def derive_key_hashlib(passphrase, salt):
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, 600_000)


def scrypt_hash(password, salt):
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)  # expect: AR502


def ldap_hash(password):
    return ldap_salted_sha1.hash(password)  # expect: AR501


def hash_password(password, salt):
    return hashlib.sha512(salt + password.encode()).hexdigest()  # expect: AR501


def store_smtp_settings(settings: SmtpSettings):
    # An integration's credential is encrypted so it can be used later: not a user password.
    return fernet.encrypt(settings.password.encode())


def save_user_secret(user, new_password):
    user.password = base64.b64encode(new_password.encode())  # expect: AR501


def file_checksum(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def connect_cache(password=""):
    return {"url": LOCAL_CACHE_URL, "password": password}


def connect_reports(password="r3ports-default"):  # expect: AR504
    return psycopg2.connect(REPORTS_DSN, password=password)
