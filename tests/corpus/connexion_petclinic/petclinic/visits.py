"""Appointments: owners book and cancel, staff keep the schedule and the medical record."""

from datetime import UTC, datetime, time, timedelta

from .auth import require_staff
from .models import Pet, Vaccination, Visit, db


def book_visit(body: dict, user: str) -> tuple[dict, int]:
    pet = Pet.query.filter_by(id=body["pet_id"], owner_id=int(user)).first_or_404()
    visit = Visit(pet_id=pet.id, scheduled_for=datetime.fromisoformat(body["scheduled_for"]),
                  reason=body["reason"][:200])
    db.session.add(visit)
    db.session.commit()
    return visit.to_dict(), 201


def get_visit(visit_id: int) -> dict:
    visit = Visit.query.get_or_404(visit_id)  # expect: AR102
    return {**visit.to_dict(), "pet": visit.pet.to_dict()}


def cancel_visit(visit_id: int, user: str) -> tuple[None, int]:
    visit = db.get_or_404(Visit, visit_id)
    if visit.pet.owner_id != int(user):
        return None, 404
    db.session.delete(visit)
    db.session.commit()
    return None, 204


def todays_schedule(token_info: dict) -> list[dict]:
    require_staff(token_info)
    start = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    visits = Visit.query.filter(Visit.scheduled_for >= start, Visit.scheduled_for < start + timedelta(days=1)) \
        .order_by(Visit.scheduled_for).all()
    return [{**visit.to_dict(), "pet": visit.pet.to_dict()} for visit in visits]


def record_diagnosis(visit_id: int, body: dict, token_info: dict) -> dict:
    require_staff(token_info)
    visit = db.get_or_404(Visit, visit_id)
    visit.diagnosis = body["diagnosis"]
    visit.vet_id = int(token_info["sub"])
    db.session.commit()
    return visit.to_dict()


def record_vaccination(pet_id: int, body: dict, token_info: dict) -> tuple[dict, int]:
    require_staff(token_info)
    pet = db.get_or_404(Pet, pet_id)
    shot = Vaccination(pet_id=pet.id, vaccine=body["vaccine"],
                       valid_until=datetime.fromisoformat(body["valid_until"]).date())
    db.session.add(shot)
    db.session.commit()
    return shot.to_dict(), 201
