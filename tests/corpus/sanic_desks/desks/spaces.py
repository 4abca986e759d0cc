"""The public catalogue: what can be booked and when it is free (shown on the website)."""

from datetime import UTC, date, datetime, time, timedelta

from sanic import Blueprint, Request
from sanic.exceptions import BadRequest, NotFound
from sanic.response import json
from sqlalchemy import select

from .models import Booking, Space

spaces = Blueprint("spaces", url_prefix="/spaces")


@spaces.get("/")
async def catalogue(request: Request):
    async with request.app.ctx.sessions() as session:
        rows = (await session.scalars(select(Space).where(Space.listed.is_(True)).order_by(Space.name))).all()
    return json([space.to_dict() for space in rows])


@spaces.get("/<space_id:int>/availability")
async def availability(request: Request, space_id: int):
    """Busy intervals of one day (no names: the website shows free slots)."""
    try:
        day = date.fromisoformat(request.args.get("day", date.today().isoformat()))
    except ValueError:
        raise BadRequest("day is YYYY-MM-DD") from None
    start = datetime.combine(day, time.min, tzinfo=UTC)
    async with request.app.ctx.sessions() as session:
        space = await session.scalar(select(Space).where(Space.id == space_id, Space.listed.is_(True)))
        if space is None:
            raise NotFound("No such space")
        busy = (await session.execute(
            select(Booking.starts_at, Booking.ends_at)
            .where(Booking.space_id == space.id, Booking.cancelled.is_(False),
                   Booking.starts_at < start + timedelta(days=1), Booking.ends_at > start)
            .order_by(Booking.starts_at))).all()
    return json({"space": space.to_dict(), "busy": [[s.isoformat(), e.isoformat()] for s, e in busy]})
