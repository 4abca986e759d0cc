"""Members' bookings, the lobby screen, and the front desk's tools."""

from datetime import UTC, datetime, time, timedelta

from sanic import Blueprint, Request
from sanic.exceptions import BadRequest, NotFound
from sanic.response import empty, json
from sanic.views import HTTPMethodView
from sqlalchemy import select

from .auth import current_user, login_required, staff_required
from .models import Booking, Member, Space

bookings = Blueprint("bookings", url_prefix="/bookings")
staff = Blueprint("staff", url_prefix="/staff")

MAX_BOOKING = timedelta(hours=10)


def _when(value: object) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise BadRequest("Times are ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bookings.get("/")
@login_required
async def my_bookings(request: Request):
    member = current_user(request)
    async with request.app.ctx.sessions() as session:
        rows = (await session.scalars(
            select(Booking).where(Booking.member_id == member.id, Booking.cancelled.is_(False))
            .order_by(Booking.starts_at))).all()
    return json([booking.to_dict() for booking in rows])


@bookings.post("/")
@login_required
async def book(request: Request):
    member = current_user(request)
    body = request.json or {}
    starts_at, ends_at = _when(body.get("starts_at")), _when(body.get("ends_at"))
    if not timedelta(0) < ends_at - starts_at <= MAX_BOOKING:
        raise BadRequest("A booking lasts up to ten hours")
    async with request.app.ctx.sessions() as session:
        space = await session.scalar(select(Space).where(Space.id == int(body["space_id"]), Space.listed.is_(True)))
        if space is None:
            raise NotFound("No such space")
        clash = await session.scalar(select(Booking.id).where(
            Booking.space_id == space.id, Booking.cancelled.is_(False),
            Booking.starts_at < ends_at, Booking.ends_at > starts_at))
        if clash is not None:
            return json({"error": "Already booked"}, status=409)
        booking = Booking(member_id=member.id, space_id=space.id, starts_at=starts_at, ends_at=ends_at)
        session.add(booking)
        await session.commit()
    return json(booking.to_dict(), status=201)


@bookings.get("/<booking_id:int>")
@login_required
async def show_booking(request: Request, booking_id: int):
    member = current_user(request)
    async with request.app.ctx.sessions() as session:
        booking = await session.scalar(
            select(Booking).where(Booking.id == booking_id, Booking.member_id == member.id))
    if booking is None:
        raise NotFound("No such booking")
    return json(booking.to_dict())


@bookings.delete("/<booking_id:int>")
@login_required
async def cancel_booking(request: Request, booking_id: int):
    async with request.app.ctx.sessions() as session:
        booking = await session.get(Booking, booking_id)  # expect: AR102
        if booking is None or booking.cancelled:
            raise NotFound("No such booking")
        booking.cancelled = True
        await session.commit()
    return empty()


@bookings.get("/today")
async def lobby_screen(request: Request):  # expect: AR101
    """Today's bookings for the screen by the entrance: who sits where."""
    midnight = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    async with request.app.ctx.sessions() as session:
        rows = (await session.execute(
            select(Member.name, Space.name, Booking.starts_at, Booking.ends_at)
            .join(Booking.member).join(Booking.space)
            .where(Booking.starts_at >= midnight, Booking.starts_at < midnight + timedelta(days=1),
                   Booking.cancelled.is_(False))
            .order_by(Booking.starts_at))).all()
    return json([{"member": who, "space": where, "from": start.isoformat(), "to": end.isoformat()}
                 for who, where, start, end in rows])


class CheckIn(HTTPMethodView):
    """The member taps the desk's NFC tag: the app posts here."""

    decorators = [login_required]

    async def post(self, request: Request, booking_id: int):
        member = current_user(request)
        async with request.app.ctx.sessions() as session:
            booking = await session.get(Booking, booking_id)
            if booking is None or booking.member_id != member.id:
                raise NotFound("No such booking")
            booking.checked_in_at = datetime.now(UTC)
            await session.commit()
        return json(booking.to_dict())


bookings.add_route(CheckIn.as_view(), "/<booking_id:int>/check-in")


@staff.get("/bookings")
@staff_required
async def all_bookings(request: Request):
    async with request.app.ctx.sessions() as session:
        rows = (await session.scalars(select(Booking).order_by(Booking.starts_at.desc()).limit(500))).all()
    return json([{**booking.to_dict(), "member_id": booking.member_id} for booking in rows])


@staff.post("/bookings/<booking_id:int>/cancel")
@staff_required
async def staff_cancel(request: Request, booking_id: int):
    async with request.app.ctx.sessions() as session:
        booking = await session.get(Booking, booking_id)
        if booking is None:
            raise NotFound("No such booking")
        booking.cancelled = True
        await session.commit()
    return empty()
