"""Records named in the URL by a column other than an id: a title, a slug, a user name (sample for AR102)."""

from flask import Blueprint, abort, jsonify, request
from flask_login import UserMixin, current_user, login_required
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
shelf = Blueprint("shelf", __name__, url_prefix="/api")


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True)
    password_hash = db.Column(db.String(200))
    bio = db.Column(db.Text)
    followers = db.Column(db.Integer, default=0)


class Book(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200), unique=True)
    notes = db.Column(db.Text)
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"))


class Share(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    token = db.Column(db.String(64), unique=True)
    book_id = db.Column(db.Integer, db.ForeignKey("book.id"))
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"))


@shelf.get("/books/<title>")
@login_required
def book_by_title(title):
    book = Book.query.filter_by(title=str(title)).first()  # expect: AR102
    if book is None:
        abort(404)
    return jsonify(title=book.title, notes=book.notes)


@shelf.get("/my/books/<title>")
@login_required
def my_book_by_title(title):
    book = Book.query.filter_by(title=title, owner_id=current_user.id).first_or_404()
    return jsonify(title=book.title, notes=book.notes)


@shelf.get("/books")
@login_required
def search_books():
    # A search, not a record the URL names: many rows, filtered by what the client typed.
    found = Book.query.filter(Book.title.contains(request.args["q"]), Book.owner_id == current_user.id).all()
    return jsonify([b.title for b in found])


@shelf.get("/shared/<token>")
@login_required
def shared_book(token):
    # Knowing the share token is the permission.
    share = Share.query.filter_by(token=token).first_or_404()
    return jsonify(title=Book.query.get_or_404(share.book_id).title)


@shelf.put("/users/<username>/password")
@login_required
def change_password(username):
    user = User.query.filter_by(username=username).first()  # expect: AR102
    if user is None:
        abort(404)
    user.password_hash = hash_password(request.json["password"])
    db.session.commit()
    return "", 204


@shelf.put("/users/<username>/bio")
@login_required
def change_bio(username):
    user = User.query.filter_by(username=username).first_or_404()
    if user.id != current_user.id:
        abort(403)
    user.bio = request.json["bio"]
    db.session.commit()
    return "", 204


@shelf.get("/users/<username>")
@login_required
def profile(username):
    user = User.query.filter_by(username=username).first_or_404()
    return jsonify(username=user.username, bio=user.bio)


@shelf.post("/users/<username>/follow")
@login_required
def follow(username):
    user = User.query.filter_by(username=username).first_or_404()
    user.followers += 1
    current_user.following.append(user)
    db.session.commit()
    return "", 204


def hash_password(password):
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password)
