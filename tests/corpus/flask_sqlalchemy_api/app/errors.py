"""JSON error responses for the whole API."""

from flask import current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .extensions import db


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException):
        # ``description`` is the message we passed to abort(); it is written for the client.
        return jsonify(error=exc.name, message=exc.description), exc.code

    @app.errorhandler(SQLAlchemyError)
    def handle_database_error(exc: SQLAlchemyError):
        db.session.rollback()
        current_app.logger.exception("database error")
        return jsonify(error="database_error", detail=str(exc)), 500  # expect: AR603

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        current_app.logger.exception("unhandled error")
        return jsonify(error="internal_error", message="Something went wrong on our side."), 500
