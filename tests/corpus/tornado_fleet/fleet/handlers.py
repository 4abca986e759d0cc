"""API handlers. `ApiHandler` identifies the caller by a bearer token; each handler decides what to require."""

import hashlib
import json

import tornado.web

from .models import ApiToken, SessionLocal, Trip, User, Vehicle


class ApiHandler(tornado.web.RequestHandler):
    def initialize(self) -> None:
        self.db = SessionLocal()

    def on_finish(self) -> None:
        self.db.close()

    def get_current_user(self) -> User | None:
        scheme, _, token = self.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        api_token = self.db.query(ApiToken).filter_by(token_hash=digest, revoked=False).first()
        return api_token.user if api_token is not None else None

    def owned_vehicle(self, vehicle_id: str) -> Vehicle:
        vehicle = self.db.query(Vehicle).filter_by(id=int(vehicle_id), owner_id=self.current_user.id).first()
        if vehicle is None:
            raise tornado.web.HTTPError(404)
        return vehicle


class AdminHandler(ApiHandler):
    def prepare(self) -> None:
        if not self.current_user or not self.current_user.is_admin:
            raise tornado.web.HTTPError(403)


class VehicleListHandler(ApiHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        vehicles = self.db.query(Vehicle).filter_by(owner_id=self.current_user.id).all()
        self.write({"vehicles": [v.to_dict() for v in vehicles]})

    def post(self) -> None:
        if not self.current_user:
            self.send_error(401)
            return
        body = json.loads(self.request.body)
        vehicle = Vehicle(owner_id=self.current_user.id, plate=str(body["plate"])[:16],
                          label=str(body.get("label", ""))[:100])
        self.db.add(vehicle)
        self.db.commit()
        self.set_status(201)
        self.write(vehicle.to_dict())


class VehicleHandler(ApiHandler):
    @tornado.web.authenticated
    def get(self, vehicle_id: str) -> None:
        self.write(self.owned_vehicle(vehicle_id).to_dict())

    @tornado.web.authenticated
    def put(self, vehicle_id: str) -> None:
        body = json.loads(self.request.body)
        vehicle = self.db.query(Vehicle).filter_by(id=int(vehicle_id)).first()  # expect: AR102
        if vehicle is None:
            raise tornado.web.HTTPError(404)
        vehicle.label = str(body.get("label", vehicle.label))[:100]
        vehicle.odometer_km = int(body.get("odometer_km", vehicle.odometer_km))
        self.db.commit()
        self.write(vehicle.to_dict())


class TripHandler(ApiHandler):
    @tornado.web.authenticated
    def get(self, vehicle_id: str, trip_id: str) -> None:
        vehicle = self.db.query(Vehicle).filter_by(id=int(vehicle_id), owner_id=self.current_user.id).first()
        if vehicle is None:
            raise tornado.web.HTTPError(404)
        trip = self.db.query(Trip).filter_by(id=int(trip_id), vehicle_id=vehicle.id).first()
        if trip is None:
            raise tornado.web.HTTPError(404)
        self.write(trip.to_dict())

    def delete(self, vehicle_id: str, trip_id: str) -> None:  # expect: AR101
        self.db.query(Trip).filter_by(id=int(trip_id), vehicle_id=int(vehicle_id)).delete()
        self.db.commit()
        self.set_status(204)


class AccountVehiclesHandler(AdminHandler):
    def get(self, user_id: str) -> None:
        vehicles = self.db.query(Vehicle).filter_by(owner_id=int(user_id)).all()
        self.write({"vehicles": [v.to_dict() for v in vehicles]})
