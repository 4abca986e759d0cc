"""The notes themselves: create, read, edit, delete, share, export."""

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..forms import NoteForm
from ..models import Note
from ..security import require_owner

notes_bp = Blueprint("notes", __name__)


@notes_bp.route("/")
@login_required
def index():
    notes = Note.query.filter_by(user_id=current_user.id).order_by(Note.updated_at.desc()).all()
    return render_template("notes/index.html", notes=notes)


@notes_bp.route("/new", methods=["GET", "POST"])
def new_note():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    form = NoteForm()
    if form.validate_on_submit():
        note = Note(user_id=current_user.id)
        form.populate_obj(note)
        db.session.add(note)
        db.session.commit()
        return redirect(url_for("notes.view_note", note_id=note.id))
    return render_template("notes/edit.html", form=form)


@notes_bp.route("/<int:note_id>")
@login_required
def view_note(note_id: int):
    note = require_owner(db.get_or_404(Note, note_id))
    return render_template("notes/view.html", note=note)


@notes_bp.route("/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit_note(note_id: int):
    note = Note.query.get_or_404(note_id)
    if note.user_id != current_user.id:
        abort(403)
    form = NoteForm(obj=note)
    if form.validate_on_submit():
        form.populate_obj(note)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("notes.view_note", note_id=note.id))
    return render_template("notes/edit.html", form=form, note=note)


@notes_bp.route("/<int:note_id>/delete", methods=["POST"])
@login_required
def delete_note(note_id: int):
    note = Note.query.get_or_404(note_id)  # expect: AR102
    db.session.delete(note)
    db.session.commit()
    flash("Note deleted.", "info")
    return redirect(url_for("notes.index"))


@notes_bp.route("/<int:note_id>/share", methods=["POST"])
@login_required
def share_note(note_id: int):
    note = Note.query.filter_by(id=note_id, user_id=current_user.id).first_or_404()
    note.is_shared = True
    note.share_token = note.share_token or secrets.token_urlsafe(32)
    db.session.commit()
    flash(url_for("notes.shared_note", token=note.share_token, _external=True), "share-link")
    return redirect(url_for("notes.view_note", note_id=note.id))


@notes_bp.route("/<int:note_id>/export.md")
def export_note(note_id: int):
    if not current_user.is_authenticated:
        abort(401)
    note = db.session.execute(select(Note).where(Note.id == note_id)).scalar_one_or_none()  # expect: AR102
    if note is None:
        abort(404)
    return Response(
        f"# {note.title}\n\n{note.body}\n",
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="note-{note.id}.md"'},
    )


@notes_bp.route("/s/<token>")
def shared_note(token: str):
    """Read-only page for notes their owner chose to share by link."""
    note = Note.query.filter_by(share_token=token, is_shared=True).first_or_404()
    return render_template("notes/shared.html", note=note)
