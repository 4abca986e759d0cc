"""A notes blueprint where one route lost its guard (sample for AR101)."""

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from .models import Note, db

notes = Blueprint("notes", __name__, url_prefix="/api/notes")


@notes.get("/")
@login_required
def list_notes():
    items = Note.query.filter_by(owner_id=current_user.id).all()
    return jsonify([n.to_dict() for n in items])


@notes.post("/")
@login_required
def create_note():
    note = Note(owner_id=current_user.id, body=request.json["body"])
    db.session.add(note)
    db.session.commit()
    return jsonify(note.to_dict()), 201


@notes.get("/search")
def search_notes():  # expect: AR101
    term = request.args.get("q", "")
    return jsonify([n.to_dict() for n in Note.query.filter(Note.body.contains(term)).all()])


@notes.delete("/<int:note_id>")
@login_required
def delete_note(note_id):
    Note.query.filter_by(id=note_id, owner_id=current_user.id).delete()
    db.session.commit()
    return "", 204


@notes.get("/healthz")
def health():
    db.session.execute(db.text("select 1"))
    return "ok"
