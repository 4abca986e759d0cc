"""The help-desk API: JWT bearer tokens (``security.jwt_auth``), SQLAlchemy, a global rate limit."""

from litestar import Litestar, get
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins.sqlalchemy import SQLAlchemyPlugin

from .agents import add_note, queue, update_ticket
from .db import db_config
from .security import issue_token, jwt_auth
from .tickets import TicketController, ticket_widget


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(
    route_handlers=[health, issue_token, TicketController, ticket_widget, queue, update_ticket, add_note],
    on_app_init=[jwt_auth.on_app_init],
    middleware=[RateLimitConfig(rate_limit=("minute", 120), exclude=["/health"]).middleware],
    plugins=[SQLAlchemyPlugin(config=db_config)],
)
