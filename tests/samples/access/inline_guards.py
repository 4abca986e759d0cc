"""Notes pages of a Flask app that checks the signed-in user inside its views instead of with a
decorator: a view whose whole body is wrapped in ``if current_user.is_authenticated:`` and one that
answers 401 at its head are guarded (AR101 look-alikes). A delete view reached through two routes and
checking nobody is one missing guard, reported once (AR101)."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from .models import Note, db

notes = Blueprint("notes", __name__)


@notes.route("/notes")
def index():
    if current_user.is_authenticated:
        items = Note.query.filter_by(owner_id=current_user.id).order_by(Note.created.desc()).all()
        return render_template("notes/index.html", notes=items)
    else:
        return redirect(url_for("auth.login"))


@notes.route("/notes/<int:note_id>/edit", methods=["POST"])
def edit(note_id):
    if not current_user.is_authenticated:
        abort(401)
    note = Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()
    note.archived = True
    db.session.commit()
    return redirect(url_for("notes.index"))


@notes.route("/notes/<int:note_id>/delete", methods=["POST"])
@notes.route("/api/notes/<int:note_id>", methods=["DELETE"])
def delete(note_id):  # expect: AR101
    note = db.get_or_404(Note, note_id)
    db.session.delete(note)
    db.session.commit()
    return redirect(url_for("notes.index"))
