import os

from ariadne.asgi import GraphQL
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount

from .auth import get_context_value
from .schema import schema

middleware = [
    Middleware(
        SessionMiddleware,
        secret_key=os.environ["SESSION_SECRET"],
        session_cookie="expenses_session",
        max_age=8 * 60 * 60,
        same_site="lax",
        https_only=True,
    ),
]

app = Starlette(
    routes=[Mount("/graphql", GraphQL(schema, context_value=get_context_value, debug=False))],
    middleware=middleware,
)
