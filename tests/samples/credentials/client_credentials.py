"""The outbound integrations of a reporting job: mail, object storage, databases, SFTP, a directory and partner
APIs, with credentials written into the client calls by position or keyword, and secret keys written as phrases
(AR504). Beside them, the same clients fed from the environment and settings, which are fine."""

import os
import smtplib
from ftplib import FTP_TLS
from imaplib import IMAP4_SSL as Imap
from smtplib import SMTP as S

import boto3
import ldap
import MySQLdb
import paramiko
import psycopg2
import requests
from flask import Flask
from requests.auth import HTTPBasicAuth

from .settings import settings

app = Flask(__name__)
app.secret_key = "my secret key"  # expect: AR504[medium]
SESSION_SECRET_KEY = "blue orchid harbour 42"  # expect: AR504

MAIL_HOST = "smtp.example.com"


def send_report(body: str) -> None:
    with smtplib.SMTP_SSL(MAIL_HOST) as server:
        server.login("reports@example.com", "Rep0rts-Mail!")  # expect: AR504
        server.sendmail("reports@example.com", ["ops@example.com"], body)


def send_alert(body: str) -> None:
    relay = S(MAIL_HOST, 587)
    relay.starttls()
    relay.login(
        "alerts@example.com",
        "al3rt-relay-pw",  # expect: AR504
    )
    relay.sendmail("alerts@example.com", ["ops@example.com"], body)


def read_bounces() -> list:
    mailbox = Imap("imap.example.com")
    mailbox.login("bounces@example.com", "b0unce-box")  # expect: AR504
    return mailbox.list()[1]


def archive_bucket():
    return boto3.Session(
        "AKIAJ7Q2ZK4LMN5PQ3RT",  # expect: AR504
        "q8Zr2LmV0xTnY7sKpW4dHc9FjE1bUa6GiO3eRt5N",  # expect: AR504
    ).client("s3")


def warehouse():
    return MySQLdb.connect("warehouse.internal", "reports", "w4rehouse-pw", "reports")  # expect: AR504


def analytics():
    return psycopg2.connect("dbname=analytics user=reports password=An4lytics-2024 host=pg.internal")  # expect: AR504


def upload(path: str) -> None:
    ssh = paramiko.SSHClient()
    ssh.connect("sftp.partner.example.com", 22, "reports", "sftp-Pa55")  # expect: AR504
    with FTP_TLS("ftp.partner.example.com", "reports", "ftp-Pa55-word") as ftp:  # expect: AR504
        ftp.storbinary(f"STOR {path}", open(path, "rb"))


def directory_lookup(uid: str) -> list:
    conn = ldap.initialize("ldaps://ldap.example.com")
    conn.simple_bind_s("cn=reports,dc=example,dc=com", "ld4p-bind")  # expect: AR504
    return conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={uid})")


def partner_rates() -> dict:
    return requests.get("https://partner.example.com/rates", auth=HTTPBasicAuth("reports", "r4tes-api"), timeout=10).json()  # expect: AR504


def relay_mail(body: str) -> None:
    # A weak literal password is still one: reported, at medium confidence as a placeholder.
    relay = smtplib.SMTP("localhost")
    relay.login("dev", "changeme")  # expect: AR504[medium]


def compose_database():
    # A local development database's compose default: reported at medium confidence.
    return MySQLdb.connect("localhost", "root", "r00t-local", "app")  # expect: AR504[medium]


# --- look-alikes: the same clients, credentials from the environment and settings ------------


def send_report_safely(body: str) -> None:
    with smtplib.SMTP_SSL(MAIL_HOST) as server:
        server.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])
        server.sendmail("reports@example.com", ["ops@example.com"], body)


def archive_bucket_safely():
    return boto3.client(
        "s3",
        aws_access_key_id=os.getenv("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=settings.aws_secret_access_key,
    )


def warehouse_safely(password: str):
    return MySQLdb.connect("warehouse.internal", "reports", password, "reports")


def analytics_safely():
    return psycopg2.connect(os.environ["ANALYTICS_DSN"], password=settings.analytics_password)


def analytics_without_password():
    return psycopg2.connect("dbname=analytics user=reports host=pg.internal")


def partner_rates_safely(password: str) -> dict:
    return requests.get("https://partner.example.com/rates", auth=HTTPBasicAuth("reports", password), timeout=10).json()


def public_mirror(path: str) -> None:
    # Anonymous FTP: the "password" is an e-mail address by convention.
    with FTP_TLS("ftp.mirror.example.org") as ftp:
        ftp.login("anonymous", "reports@example.com")
        ftp.retrbinary(f"RETR {path}", open(path, "wb").write)


def send_with(user: str, password: str, body: str) -> None:
    with S(MAIL_HOST, 587) as relay:
        relay.login(user, password)
        relay.sendmail(user, ["ops@example.com"], body)


def anonymous_directory() -> None:
    conn = ldap.initialize("ldaps://ldap.example.com")
    conn.simple_bind_s("", "")


PASSWORD_HELP = "Your password must be at least 12 characters"
TOKEN_LABEL = "Access token"
ERRORS = {"password": "Enter a password", "token": "Invalid or expired token"}
