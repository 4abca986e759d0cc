"""A Flask notes app whose links do things (sample for AR307).

A GET the browser sends by itself (a link, an ``<img>``, a redirect from another site) carries the session
cookie, and CSRF protection checks only POSTs: a GET that deletes, updates or follows is a forged request
waiting to happen. Reading, bookkeeping (last seen, view counters, audit rows), logout, links that carry their
own signed token, OAuth callbacks and token-authenticated API routes are not reported.
"""

import os
import secrets
from datetime import UTC, datetime

import jwt

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_jwt_extended import get_jwt_identity, jwt_required
from flask_login import current_user, logout_user
from flask_login import login_required as signed_in
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .forms import NoteForm
from .models import AuditEntry, Comment, Note, User, Wallet, db

app = Flask(__name__)
notes = Blueprint("notes", __name__, url_prefix="/notes")
links = URLSafeTimedSerializer(os.environ["SECRET_KEY"], salt="unsubscribe")


def _owned_note(note_id):
    return Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()


def _archive_all(user_id):
    Note.query.filter_by(owner_id=user_id).update({"archived": True})
    db.session.commit()


# --- reported ------------------------------------------------------------------------------------------------


@notes.route("/<int:note_id>/delete")  # expect: AR307[high]
@signed_in
def delete_note(note_id):
    note = _owned_note(note_id)
    db.session.delete(note)
    db.session.commit()
    flash("Deleted")
    return redirect(url_for("notes.index"))


@notes.get(  # expect: AR307[high]
    "/<int:note_id>/pin",
)
@signed_in
def pin_note(note_id):
    note = _owned_note(note_id)
    note.pinned = True
    db.session.commit()
    return redirect(url_for("notes.index"))


@notes.route("/<int:note_id>/share", methods=["GET", "POST"])  # expect: AR307[high]
@signed_in
def share_note(note_id):
    Note.query.filter_by(id=note_id, owner_id=current_user.id).update({"public": True})
    db.session.commit()
    return redirect(url_for("notes.index"))


@app.route("/follow/<int:user_id>")  # expect: AR307[medium]
@signed_in
def follow(user_id):
    user = User.query.get_or_404(user_id)
    current_user.follow(user)
    db.session.commit()
    return redirect(url_for("profile", user_id=user_id))


@notes.route("/archive-all")  # expect: AR307[medium]
@signed_in
def archive_all():
    _archive_all(current_user.id)
    return redirect(url_for("notes.index"))


@app.get("/comments/<int:comment_id>/hide")  # expect: AR307[high]
def hide_comment(comment_id):
    if session.get("user_id") is None:
        return redirect(url_for("login"))
    Comment.query.filter_by(id=comment_id, author_id=session["user_id"]).delete()
    db.session.commit()
    return redirect("/")


# --- not reported ----------------------------------------------------------------------------------------------


@notes.route("/")
@signed_in
def index():
    current_user.last_seen = datetime.now(UTC)
    db.session.add(AuditEntry(user_id=current_user.id, action="list notes"))
    db.session.commit()
    return render_template("notes.html", notes=Note.query.filter_by(owner_id=current_user.id).all())


@notes.route("/<int:note_id>")
@signed_in
def show_note(note_id):
    note = _owned_note(note_id)
    note.view_count += 1
    db.session.commit()
    return render_template("note.html", note=note)


@notes.post("/<int:note_id>/unpin")
@signed_in
def unpin_note(note_id):
    note = _owned_note(note_id)
    note.pinned = False
    db.session.commit()
    return redirect(url_for("notes.index"))


@notes.route("/<int:note_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_note(note_id):
    note = _owned_note(note_id)
    form = NoteForm(obj=note)
    if form.validate_on_submit():
        form.populate_obj(note)
        db.session.commit()
        return redirect(url_for("notes.show_note", note_id=note.id))
    return render_template("edit.html", form=form)


@notes.route("/new", methods=["GET", "POST"])
@signed_in
def new_note():
    if request.method == "GET":
        return render_template("new.html")
    note = Note(owner_id=current_user.id, title=request.form["title"])
    db.session.add(note)
    db.session.commit()
    return redirect(url_for("notes.index"))


@app.route("/logout")
@signed_in
def logout():
    current_user.remember_token = None
    db.session.commit()
    logout_user()
    return redirect(url_for("login"))


@app.route("/unsubscribe/<token>")
def unsubscribe(token):
    try:
        user_id = links.loads(token, max_age=7 * 86400)
    except BadSignature:
        abort(404)
    User.query.filter_by(id=user_id).update({"newsletter": False})
    db.session.commit()
    return render_template("unsubscribed.html")


@app.route("/oauth/callback")
@signed_in
def oauth_callback():
    if not secrets.compare_digest(request.args["state"], session.pop("oauth_state", "")):
        abort(400)
    current_user.github_token = exchange_code(request.args["code"], request.args["state"])
    db.session.commit()
    return redirect("/")


@app.get("/api/notes/<int:note_id>/archive")
@jwt_required()
def api_archive(note_id):
    Note.query.filter_by(id=note_id, owner_id=get_jwt_identity()).update({"archived": True})
    db.session.commit()
    return jsonify(ok=True)


@app.get("/wallet/send/<int:amount>")  # expect: AR307
def send_money(amount):
    claims = jwt.decode(request.cookies["auth"], os.environ["JWT_KEY"], algorithms=["HS256"])
    wallet = Wallet.query.filter_by(owner_id=claims["sub"]).first_or_404()
    wallet.balance -= amount
    db.session.commit()
    return redirect("/wallet")


@app.get("/api/wallet/send/<int:amount>")
def api_send_money(amount):
    token = request.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, os.environ["JWT_KEY"], algorithms=["HS256"])
    wallet = Wallet.query.filter_by(owner_id=claims["sub"]).first_or_404()
    wallet.balance -= amount
    db.session.commit()
    return jsonify(ok=True)


@app.get("/theme/<name>")
@signed_in
def set_theme(name):
    session["theme"] = name
    flash("Theme changed")
    return redirect(request.referrer or "/")


def exchange_code(code, state):
    return f"{code}:{state}"
