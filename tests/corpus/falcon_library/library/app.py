"""The WSGI application (served by gunicorn: `gunicorn library.app:app`)."""

import falcon

from .auth import AuthMiddleware
from .catalog import BookSearchResource
from .loans import BorrowingHistoryResource, LoanCollectionResource, LoanResource


def create_app() -> falcon.App:
    app = falcon.App(middleware=[AuthMiddleware()])
    loans = LoanResource()
    app.add_route("/books", BookSearchResource())
    app.add_route("/loans", LoanCollectionResource())
    app.add_route("/loans/{loan_id:int}", loans)
    app.add_route("/loans/{loan_id:int}/renew", loans, suffix="renew")
    app.add_route("/kiosk/history", BorrowingHistoryResource())
    return app


app = create_app()
