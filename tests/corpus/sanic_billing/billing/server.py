"""The Sanic app: ``sanic billing.server:app --host 0.0.0.0 --port 8000 --workers 4``."""

import os

from jinja2 import Environment, PackageLoader, select_autoescape
from sanic import Sanic
from sanic.response import json
from sanic_jwt import Initialize
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from . import auth
from .invoices import invoices
from .payments import payments, webhooks

app = Sanic("billing")
app.config.FORWARDED_SECRET = os.environ["BILLING_FORWARDED_SECRET"]
app.ctx.templates = Environment(loader=PackageLoader("billing"), autoescape=select_autoescape())
app.ctx.sessions = async_sessionmaker(create_async_engine(os.environ["BILLING_DATABASE_URL"]), expire_on_commit=False)

Initialize(
    app,
    authenticate=auth.authenticate,
    retrieve_user=auth.retrieve_user,
    extend_payload=auth.extend_payload,
    add_scopes_to_payload=auth.scopes_for,
    secret=os.environ["BILLING_JWT_SECRET"],
    expiration_delta=15 * 60,
    url_prefix="/api/auth",
)


@app.on_request
async def open_session(request):
    request.ctx.session = request.app.ctx.sessions()


@app.on_response
async def close_session(request, response):
    if hasattr(request.ctx, "session"):
        await request.ctx.session.close()


@app.get("/healthz")
async def healthz(request):
    return json({"status": "ok"})


app.blueprint([invoices, payments, webhooks])
