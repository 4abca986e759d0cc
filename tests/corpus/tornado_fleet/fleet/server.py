"""The application: the API table from routes.py plus a status endpoint."""

import asyncio
import os

import tornado.web

from . import routes


class StatusHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write({"status": "ok"})


class FleetApplication(tornado.web.Application):
    def __init__(self) -> None:
        super().__init__(routes.ROUTES + [(r"/status", StatusHandler)], compress_response=True)


async def main() -> None:
    FleetApplication().listen(int(os.environ.get("FLEET_PORT", "8080")))
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
