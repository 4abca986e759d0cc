"""Flask-SQLAlchemy models: pet owners and staff accounts, pets, visits, vaccinations."""

from datetime import UTC, date, datetime

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Account(db.Model):
    __tablename__ = "accounts"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), unique=True, nullable=False)
    name = db.Column(db.String(120), nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    role = db.Column(db.String(16), nullable=False, default="owner")  # owner, vet, reception
    active = db.Column(db.Boolean, nullable=False, default=True)


class Pet(db.Model):
    __tablename__ = "pets"

    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("accounts.id"), nullable=False, index=True)
    name = db.Column(db.String(80), nullable=False)
    species = db.Column(db.String(40), nullable=False)
    born_on = db.Column(db.Date)

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "species": self.species,
                "born_on": self.born_on.isoformat() if self.born_on else None}


class Visit(db.Model):
    __tablename__ = "visits"

    id = db.Column(db.Integer, primary_key=True)
    pet_id = db.Column(db.Integer, db.ForeignKey("pets.id"), nullable=False, index=True)
    vet_id = db.Column(db.Integer, db.ForeignKey("accounts.id"))
    scheduled_for = db.Column(db.DateTime(timezone=True), nullable=False)
    reason = db.Column(db.String(200), nullable=False)
    diagnosis = db.Column(db.Text, default="")

    pet = db.relationship(Pet)

    def to_dict(self) -> dict:
        return {"id": self.id, "pet_id": self.pet_id, "scheduled_for": self.scheduled_for.isoformat(),
                "reason": self.reason, "diagnosis": self.diagnosis}


class Vaccination(db.Model):
    __tablename__ = "vaccinations"

    id = db.Column(db.Integer, primary_key=True)
    pet_id = db.Column(db.Integer, db.ForeignKey("pets.id"), nullable=False, index=True)
    vaccine = db.Column(db.String(80), nullable=False)
    given_on = db.Column(db.Date, nullable=False, default=date.today)
    valid_until = db.Column(db.Date, nullable=False)
    recorded_at = db.Column(db.DateTime(timezone=True), default=lambda: datetime.now(UTC))

    def to_dict(self) -> dict:
        return {"vaccine": self.vaccine, "given_on": self.given_on.isoformat(),
                "valid_until": self.valid_until.isoformat()}
