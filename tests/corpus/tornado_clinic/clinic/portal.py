"""Patient-portal endpoints (routed in server.py)."""

import json
from datetime import UTC, datetime

import tornado.web
from sqlalchemy import text

from .base import BaseHandler, PortalHandler
from .models import Appointment, LabResult, Prescription


class HealthHandler(BaseHandler):
    def get(self) -> None:
        self.db.execute(text("select 1"))
        self.write({"status": "ok"})


class AppointmentListHandler(PortalHandler):
    def get(self) -> None:
        rows = (
            self.db.query(Appointment)
            .filter_by(patient_id=self.current_user.id)
            .order_by(Appointment.starts_at)
            .all()
        )
        self.write({"appointments": [row.to_dict() for row in rows]})

    def post(self) -> None:
        body = json.loads(self.request.body)
        appointment = Appointment(
            patient_id=self.current_user.id,
            clinician=str(body["clinician"])[:200],
            starts_at=datetime.fromisoformat(str(body["starts_at"])),
            reason=str(body.get("reason", ""))[:500],
        )
        self.db.add(appointment)
        self.db.commit()
        self.set_status(201)
        self.write(appointment.to_dict())


class AppointmentHandler(PortalHandler):
    def get(self, appointment_id: str) -> None:
        appointment = (
            self.db.query(Appointment)
            .filter_by(id=int(appointment_id), patient_id=self.current_user.id)
            .first()
        )
        if appointment is None:
            raise tornado.web.HTTPError(404)
        self.write(appointment.to_dict())

    def delete(self, appointment_id: str) -> None:
        appointment = self.db.get(Appointment, int(appointment_id))  # expect: AR102
        if appointment is None:
            raise tornado.web.HTTPError(404)
        appointment.status = "cancelled"
        self.db.commit()
        self.set_status(204)


class PrescriptionHandler(BaseHandler):
    @tornado.web.authenticated
    def get(self, prescription_id: str) -> None:
        prescription = self.db.get(Prescription, int(prescription_id))
        if prescription is None or prescription.patient_id != self.current_user.id:
            raise tornado.web.HTTPError(404)
        self.write(prescription.to_dict())

    @tornado.web.authenticated
    def post(self, prescription_id: str) -> None:
        """Asks for a refill."""
        prescription = self.db.get(Prescription, int(prescription_id))
        if prescription is None or prescription.patient_id != self.current_user.id:
            raise tornado.web.HTTPError(404)
        if prescription.refills_left < 1:
            raise tornado.web.HTTPError(409)
        prescription.refills_left -= 1
        prescription.last_refill_at = datetime.now(UTC)
        self.db.commit()
        self.write(prescription.to_dict())


class LabResultHandler(BaseHandler):  # expect: AR101
    def get(self, result_id: str) -> None:
        result = self.db.query(LabResult).filter_by(id=int(result_id)).first()
        if result is None:
            raise tornado.web.HTTPError(404)
        self.write(result.to_dict())
