"""Handler bases: who the caller is (`BaseHandler`), and the portal base that turns anonymous callers away."""

import tornado.web

from .models import SessionLocal, User


class BaseHandler(tornado.web.RequestHandler):
    def initialize(self) -> None:
        self.db = SessionLocal()

    def on_finish(self) -> None:
        self.db.close()

    def get_current_user(self) -> User | None:
        # Identifies the caller from the cookie the SSO service signs; refuses nobody by itself.
        user_id = self.get_signed_cookie("clinic_user", max_age_days=1)
        if user_id is None:
            return None
        return self.db.get(User, int(user_id))


class PortalHandler(BaseHandler):
    """Every patient-portal endpoint: signed-in patients only."""

    def prepare(self) -> None:
        if not self.current_user:
            raise tornado.web.HTTPError(401)
