"""Account screens of a small Flask admin: translated labels, sign-in markers and constants named like
secrets that hold none (AR504 look-alikes), beside the literal secrets the rule must still find."""

import os
import string

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "f3b1c9e07a2d4c6b8e0f1a3c5d7e9b20"  # expect: AR504

# Labels shown on the account pages, per language: prose keys, text values.
TRANSLATIONS = {
    "fr": {"Password": "Mot de passe", "Current password": "Mot de passe actuel"},
    "de": {"Password": "Passwort", "New password confirmation": "Neues Passwort bestätigen"},
    "zh": {"Password": "密码", "Change Password": "修改密码"},
}

SECRET_KEY_CHARSET = string.ascii_letters + string.digits
API_TOKEN_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"
PASSWORD_STATUS = "success"
SECRET_FIELD_TYPE = "url"

DIRECTORY_SIGN_IN = "LDAP"


class Account:
    def __init__(self, email: str, password_hash: str) -> None:
        self.email = email
        self.password = password_hash  # a hash, or a marker for accounts that sign in elsewhere


def provision_from_directory(email: str) -> Account:
    # Directory users never sign in with a local password: the column holds the marker instead.
    return Account(email, password_hash=DIRECTORY_SIGN_IN)


def may_use_local_password(account: Account) -> bool:
    return account.password != "LDAP"


def maintenance_override(password: str) -> bool:
    return password == "letmein2024"  # expect: AR504


DEPLOY_ACCOUNT = {"username": "deploy", "password": "Tr0ub4dor&3"}  # expect: AR504

# Constants naming a key or keyword, not holding a secret: the value is one of the name's own words.
PK_TOKEN = "token"
REQUEST_TOKEN = "request"
# A test double's token: a placeholder, reported at medium confidence; a weak literal password still is too.
SLACK_BOT_TOKEN = "xoxb-valid"  # expect: AR504[medium]
DB_PASSWORD = "password"  # expect: AR504[medium]
# A throttle rate for the token endpoint is no token.
TOKEN_THROTTLE_RATE = os.environ.get("TOKEN_THROTTLE_RATE", "5/min")
