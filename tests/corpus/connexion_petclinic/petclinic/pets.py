"""Pet owners' operations on their pets (``x-openapi-router-controller: petclinic.pets``)."""

from datetime import date

from .models import Pet, Vaccination, Visit, db


def list_pets(user: str) -> list[dict]:
    pets = Pet.query.filter_by(owner_id=int(user)).order_by(Pet.name).all()
    return [pet.to_dict() for pet in pets]


def create_pet(body: dict, user: str) -> tuple[dict, int]:
    pet = Pet(owner_id=int(user), name=body["name"].strip(), species=body["species"],
              born_on=date.fromisoformat(body["born_on"]) if body.get("born_on") else None)
    db.session.add(pet)
    db.session.commit()
    return pet.to_dict(), 201


def get_pet(pet_id: int, user: str) -> dict:
    pet = Pet.query.filter_by(id=pet_id, owner_id=int(user)).first_or_404()
    return pet.to_dict()


def update_pet(pet_id: int, body: dict, user: str) -> dict | tuple[dict, int]:
    pet = db.get_or_404(Pet, pet_id)
    if pet.owner_id != int(user):
        return {"title": "Not found"}, 404
    pet.name = body.get("name", pet.name).strip()
    db.session.commit()
    return pet.to_dict()


def pet_visits(pet_id: int, user: str) -> list[dict]:
    pet = Pet.query.filter_by(id=pet_id, owner_id=int(user)).first_or_404()
    visits = Visit.query.filter_by(pet_id=pet.id).order_by(Visit.scheduled_for.desc()).all()
    return [visit.to_dict() for visit in visits]


def vaccination_certificate(pet_id: int) -> dict:  # expect: AR101
    """Shown to boarding kennels and groomers, who have no account with the clinic."""
    pet = db.get_or_404(Pet, pet_id)
    shots = Vaccination.query.filter_by(pet_id=pet.id).order_by(Vaccination.given_on.desc()).all()
    return {"pet": pet.to_dict(), "owner_id": pet.owner_id, "vaccinations": [shot.to_dict() for shot in shots]}
