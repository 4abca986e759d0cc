"""The application and its URL table."""

import asyncio

import tornado.web
from tornado.web import url

from . import settings
from .portal import (
    AppointmentHandler,
    AppointmentListHandler,
    HealthHandler,
    LabResultHandler,
    PrescriptionHandler,
)


def make_app() -> tornado.web.Application:
    return tornado.web.Application(
        [
            (r"/healthz", HealthHandler),
            (r"/api/appointments", AppointmentListHandler),
            url(r"/api/appointments/(\d+)", AppointmentHandler, name="appointment"),
            url(r"/api/prescriptions/(\d+)", PrescriptionHandler, name="prescription"),
            (r"/api/lab-results/(\d+)", LabResultHandler),
        ],
        cookie_secret=settings.COOKIE_SECRET,
        login_url=settings.LOGIN_URL,
        xsrf_cookies=True,
    )


async def main() -> None:
    app = make_app()
    app.listen(settings.PORT)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
