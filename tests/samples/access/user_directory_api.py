"""A Flask user directory whose model builds the payloads itself. The public listing and the account
summary send harmless fields (a flag and a date about the password, not the password); a "debug" dump
built by a static method through the model's second serializer sends every user's password (AR106), as
does an instance method that adds the hash to its dict. An API key added only when the caller opts in
(``with_api_key``) is the regenerate-key answer's point, not a wholesale dump."""

import secrets

from flask import Blueprint, jsonify
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
directory = Blueprint("directory", __name__)


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(128), unique=True, nullable=False)
    password = db.Column(db.String(128), nullable=False)
    email = db.Column(db.String(128), nullable=False)
    api_key = db.Column(db.String(40))
    password_changed_at = db.Column(db.DateTime)

    def json(self):
        return {"username": self.username, "email": self.email}

    def json_debug(self):
        return {"username": self.username, "password": self.password, "email": self.email}

    def account_summary(self):
        return {
            "username": self.username,
            "has_password": self.password is not None,
            "password_changed_at": self.password_changed_at,
        }

    def export_row(self):
        row = {"username": self.username, "email": self.email}
        row["secret"] = self.password
        return row

    def profile(self, with_api_key=False):
        data = {"username": self.username}
        if with_api_key:
            data["api_key"] = self.api_key
        return data

    @staticmethod
    def get_all_users():
        return [User.json(user) for user in User.query.all()]

    @staticmethod
    def get_all_users_debug():
        return [User.json_debug(user) for user in User.query.all()]


@directory.get("/users")
def list_users():
    return jsonify({"users": User.get_all_users()})


@directory.get("/users/_debug")
def debug_users():
    payload = jsonify({"users": User.get_all_users_debug()})  # expect: AR106
    return payload


@directory.get("/users/<int:user_id>/summary")
def summary(user_id):
    user = User.query.get_or_404(user_id)
    return jsonify(user.account_summary())


@directory.get("/users/<int:user_id>/export")
def export(user_id):
    user = User.query.get_or_404(user_id)
    return jsonify(user.export_row())  # expect: AR106


@directory.post("/users/<int:user_id>/api-key")
def regenerate_key(user_id):
    user = User.query.get_or_404(user_id)
    user.api_key = secrets.token_hex(20)
    db.session.commit()
    return jsonify(user.profile(with_api_key=True))
