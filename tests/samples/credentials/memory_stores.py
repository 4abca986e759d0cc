"""A prototype sign-in service that keeps its accounts in dicts, a Mongo collection and Redis rather than an
ORM model: the passwords go in and are compared as typed (AR503). Beside them, the stores that hold a hash, form
and schema definitions, and a database connection's own settings, which are fine."""

import os

import bcrypt
from marshmallow import Schema, fields
from pymongo import MongoClient
from redis import Redis
from werkzeug.security import check_password_hash, generate_password_hash

USERS = {"alice": "wonderland", "bob": "builder"}
accounts = {}
members = []
sessions_cache = Redis.from_url(os.environ["REDIS_URL"])
db = MongoClient(os.environ["MONGO_URL"])["shop"]


def sign_in(username: str, password: str) -> bool:
    return USERS.get(username) == password  # expect: AR503


def register(form: dict) -> None:
    username = form["username"]
    password = form["password"]
    accounts[username] = {"email": form["email"], "password": password}  # expect: AR503[medium]
    db["users"].insert_one({"username": username, "password": form["password"]})  # expect: AR503[medium]
    sessions_cache.hset(f"user:{username}", "password", password)  # expect: AR503[medium]


def invite(email: str, password: str) -> None:
    members.append({"email": email, "password": password})  # expect: AR503[medium]


def change_password(username: str, new_password: str) -> None:
    accounts[username]["password"] = new_password  # expect: AR503[medium]


def api_sign_in(username: str, password: str) -> bool:
    user = db["users"].find_one({"username": username})
    if user is None:
        return False
    return user["password"] == password  # expect: AR503


# --- look-alikes ---------------------------------------------------------------------------


def register_hashed(form: dict) -> None:
    username = form["username"]
    password = form["password"]
    accounts[username] = {"email": form["email"], "password_hash": generate_password_hash(password)}
    accounts[username] = {"email": form["email"], "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt())}
    db["users"].insert_one({"username": username, "hashed": generate_password_hash(password)})
    sessions_cache.hset(f"user:{username}", "password_hash", generate_password_hash(password))


def sign_in_hashed(username: str, password: str) -> bool:
    record = accounts.get(username)
    return record is not None and check_password_hash(record["password_hash"], password)


def provision_upstream(client, rows: list) -> None:
    # A request payload built in a local list and sent to the identity provider, which hashes: not a store.
    users = []
    for row in rows:
        users.append({"username": row["username"], "password": row["password"]})
    client.post("/admin/users/bulk", json=users)


class SignupSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


FORM_FIELDS = {"username": fields.String(), "password": fields.String()}

DATABASE = {
    "host": os.environ.get("DB_HOST", "db.internal"),
    "user": "shop",
    "password": os.environ["DB_PASSWORD"],
}
