"""Projects, time entries and the hours report (Bottle's default app). Everything needs a signed-in consultant."""

import csv
import io
from datetime import date, timedelta

from bottle import HTTPResponse, abort, delete, get, post, put, request, response
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select

from .auth import current_user_id, login_required
from .models import Project, Session, TimeEntry, User


def _entry_json(entry: TimeEntry) -> dict:
    return {"id": entry.id, "project_id": entry.project_id, "day": entry.day.isoformat(),
            "hours": float(entry.hours), "note": entry.note, "approved": entry.approved}


def _hours(value) -> float:
    hours = float(value)
    if not 0 < hours <= 24:
        abort(422, "hours must be between 0 and 24")
    return hours


@get("/healthz")
def healthz():
    return {"status": "ok"}


@get("/projects")
@login_required
def list_projects():
    with Session() as db:
        projects = db.scalars(select(Project).where(Project.open.is_(True)).order_by(Project.client)).all()
        return {"projects": [{"id": p.id, "client": p.client, "name": p.name} for p in projects]}


@get("/entries")
@login_required
def my_week():
    start = date.fromisoformat(request.query.get("week") or date.today().isoformat())
    start -= timedelta(days=start.weekday())
    with Session() as db:
        entries = db.scalars(
            select(TimeEntry)
            .where(TimeEntry.user_id == current_user_id(), TimeEntry.day >= start, TimeEntry.day < start + timedelta(7))
            .order_by(TimeEntry.day)
        ).all()
        return {"week": start.isoformat(), "entries": [_entry_json(e) for e in entries]}


@post("/entries")
@login_required
def book_time():
    data = request.json or {}
    with Session() as db:
        project = db.scalar(select(Project).where(Project.id == int(data.get("project_id", 0)), Project.open.is_(True)))
        if project is None:
            abort(422, "Unknown or closed project")
        entry = TimeEntry(user_id=current_user_id(), project_id=project.id, day=date.fromisoformat(data["day"]),
                          hours=_hours(data["hours"]), note=str(data.get("note", ""))[:500])
        db.add(entry)
        db.commit()
        response.status = 201
        return _entry_json(entry)


@get("/entries/<entry_id:int>")
@login_required
def show_entry(entry_id):
    with Session() as db:
        entry = db.scalar(select(TimeEntry).where(TimeEntry.id == entry_id, TimeEntry.user_id == current_user_id()))
        if entry is None:
            abort(404, "No such entry")
        return _entry_json(entry)


@put("/entries/<entry_id:int>")
@login_required
def correct_entry(entry_id):
    data = request.json or {}
    with Session() as db:
        entry = db.get(TimeEntry, entry_id)  # expect: AR102
        if entry is None or entry.approved:
            abort(404, "No such entry, or already approved")
        entry.hours = _hours(data.get("hours", entry.hours))
        entry.note = str(data.get("note", entry.note))[:500]
        db.commit()
        return _entry_json(entry)


@delete("/entries/<entry_id:int>")
@login_required
def delete_entry(entry_id):
    with Session() as db:
        result = db.execute(
            sql_delete(TimeEntry).where(
                TimeEntry.id == entry_id, TimeEntry.user_id == current_user_id(), TimeEntry.approved.is_(False)
            )
        )
        db.commit()
    if result.rowcount == 0:
        abort(404, "No such entry, or already approved")
    return HTTPResponse(status=204)


@get("/reports/hours.csv")
def hours_report():  # expect: AR101
    month = request.query.get("month") or date.today().strftime("%Y-%m")
    with Session() as db:
        rows = db.execute(
            select(User.name, Project.client, Project.name, func.sum(TimeEntry.hours))
            .select_from(TimeEntry)
            .join(TimeEntry.user)
            .join(TimeEntry.project)
            .where(func.to_char(TimeEntry.day, "YYYY-MM") == month)
            .group_by(User.name, Project.client, Project.name)
        ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["consultant", "client", "project", "hours"])
    writer.writerows(rows)
    response.content_type = "text/csv"
    return out.getvalue()
