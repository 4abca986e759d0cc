"""Schemas of a Flask competition platform whose constructor narrows the fields per view
(``UserSchema(view="user")``): a secret listed only in the administrators' view is never sent to
anyone else (AR106 look-alike), while one listed in the public view is (AR106)."""

from flask_marshmallow import Marshmallow
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
ma = Marshmallow()


class Users(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(128))
    email = db.Column(db.String(128))
    password = db.Column(db.String(128))
    secret = db.Column(db.String(128))
    verified = db.Column(db.Boolean, default=False)


class Teams(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(128))
    password = db.Column(db.String(128))
    secret = db.Column(db.String(128))
    captain_id = db.Column(db.Integer, db.ForeignKey("users.id"))


class UserSchema(ma.SQLAlchemyAutoSchema):
    class Meta:
        model = Users
        load_only = ("password",)

    views = {
        "user": ["id", "name"],
        "self": ["id", "name", "email", "password"],
        "admin": ["id", "name", "email", "password", "secret", "verified"],
    }

    def __init__(self, view=None, *args, **kwargs):
        if view:
            kwargs["only"] = self.views[view] if isinstance(view, str) else view
        self.view = view
        super().__init__(*args, **kwargs)


class TeamSchema(ma.SQLAlchemyAutoSchema):
    class Meta:
        model = Teams  # expect: AR106
        load_only = ("password",)

    views = {
        "user": ["id", "name", "captain_id", "secret"],
        "admin": ["id", "name", "captain_id", "secret", "password"],
    }

    def __init__(self, view=None, *args, **kwargs):
        if view:
            kwargs["only"] = self.views[view]
        super().__init__(*args, **kwargs)
