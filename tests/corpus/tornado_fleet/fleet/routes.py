"""The API's URL table (the application adds its own service routes)."""

from tornado.web import url

from . import handlers

ROUTES = [
    url(r"/api/vehicles", handlers.VehicleListHandler, name="vehicles"),
    url(r"/api/vehicles/(\d+)", handlers.VehicleHandler, name="vehicle"),
    url(r"/api/vehicles/(\d+)/trips/(\d+)", handlers.TripHandler, name="trip"),
    url(r"/admin/accounts/(\d+)/vehicles", handlers.AccountVehiclesHandler, name="account_vehicles"),
]
