"""GraphQL error formatters: what they return is the error object the client receives."""

import logging
import sys
import traceback

from ariadne import format_error as ariadne_format_error
from ariadne.asgi import GraphQL as AsgiGraphQL
from django.conf import settings
from flask import Flask
from flask_graphql import GraphQLView as FlaskGraphQLView
from graphene_django.views import GraphQLView
from strawberry.flask.views import GraphQLView as StrawberryView

from .schema import schema

log = logging.getLogger(__name__)
app = Flask(__name__)


def format_debug_error(error):
    formatted = {"message": str(error), "extensions": {}}
    formatted["extensions"]["stack"] = traceback.format_stack()
    formatted["extensions"]["exception"] = {"trace": traceback.format_exception(*sys.exc_info())}
    return formatted  # expect: AR603


def format_logged_error(error):
    # Safe: the traceback goes to the log, the client gets the message graphql-core would give.
    log.error("graphql error: %s", traceback.format_exc())
    return {"message": "Internal server error", "path": getattr(error, "path", None)}


class ApiView(FlaskGraphQLView):
    pass


app.add_url_rule("/graphql", view_func=ApiView.as_view("graphql", schema=schema, format_error=format_debug_error))
app.add_url_rule("/graphql-logged", view_func=ApiView.as_view("graphql_logged", schema=schema,
                                                             format_error=format_logged_error))


class TracingView(GraphQLView):
    @staticmethod
    def format_error(error):
        formatted = GraphQLView.format_error(error)
        tb = "".join(traceback.format_tb(error.__traceback__))
        formatted["trace"] = tb
        return formatted  # expect: AR603


class DevelopmentView(GraphQLView):
    @staticmethod
    def format_error(error):
        # Safe: the traceback is added in development only.
        formatted = GraphQLView.format_error(error)
        if settings.DEBUG:
            formatted["trace"] = traceback.format_exc()
        return formatted


class ReportingView(StrawberryView):
    def process_result(self, request, result):
        data = super().process_result(request, result)
        if result.errors:
            data["debug"] = traceback.format_exc()
        return data  # expect: AR603


class Exporter:
    # Safe: not a GraphQL view; what it returns is written to a file.
    def format_error(self, error):
        return {"error": traceback.format_exc()}


def ariadne_formatter(error, debug=False):
    # Safe: ariadne passes its own debug flag; the details are added in debug mode only.
    formatted = ariadne_format_error(error, debug)
    if debug:
        formatted["trace"] = traceback.format_exc()
    return formatted


graphql_app = AsgiGraphQL(schema, error_formatter=ariadne_formatter, debug=settings.DEBUG)
public_app = AsgiGraphQL(schema, debug=True)  # expect: AR603
