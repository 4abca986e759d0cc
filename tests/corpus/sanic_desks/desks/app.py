"""The Sanic app: ``sanic desks.app:app --host 0.0.0.0 --port 8000``."""

import os

from redis.asyncio import Redis
from sanic import Sanic
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from .auth import account, load_member
from .bookings import bookings, staff
from .spaces import spaces

app = Sanic("desks")
app.ctx.sessions = async_sessionmaker(create_async_engine(os.environ["DESKS_DATABASE_URL"]), expire_on_commit=False)


@app.before_server_start
async def connect_redis(app: Sanic) -> None:
    app.ctx.redis = Redis.from_url(os.environ["DESKS_REDIS_URL"], decode_responses=True)


@app.after_server_stop
async def close_redis(app: Sanic) -> None:
    await app.ctx.redis.aclose()


app.on_request(load_member)
app.blueprint([account, spaces, bookings, staff])
