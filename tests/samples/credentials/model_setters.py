"""Accounts of a Flask forum whose user model hashes in the setter behind a SQLAlchemy ``synonym`` and
in a ``@validates`` hook: assigning the typed password stores its hash (AR503 look-alikes). The bulk
import writes rows with raw SQL, which goes around the model, so the passwords land as typed (AR503)."""

from flask import Blueprint, redirect, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import validates
from werkzeug.security import check_password_hash, generate_password_hash

db = SQLAlchemy()
accounts = Blueprint("accounts", __name__)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(200), unique=True)
    _password = db.Column("password", db.String(256))

    def _get_password(self):
        return self._password

    def _set_password(self, password):
        self._password = generate_password_hash(password)

    password = db.synonym("_password", descriptor=property(_get_password, _set_password))

    def check_password(self, password):
        return check_password_hash(self._password, password)


class Team(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(128))
    password = db.Column(db.String(256))

    @validates("password")
    def validate_password(self, key, plaintext):
        return generate_password_hash(str(plaintext))


@accounts.post("/account/password")
def change_password():
    user = db.session.get(User, request.form["user_id"])
    user.password = request.form["new_password"]
    db.session.commit()
    return redirect("/account")


@accounts.post("/teams")
def create_team():
    team = Team(name=request.form["name"], password=request.form["password"])
    db.session.add(team)
    db.session.commit()
    return redirect("/teams")


def import_user(cursor, email, password):
    # The bulk import goes around the model: the password lands as typed.
    cursor.execute("INSERT INTO user (email, password) VALUES (%s, %s)", (email, password))  # expect: AR503
