"""Spaces and bookings. The router requires the member's bearer token (``request.auth`` is the member)
unless an operation says ``auth=None``."""

from datetime import date, datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import ModelSchema, Router, Schema
from ninja.errors import HttpError

from .auth import MemberToken
from .models import Booking, Space

router = Router(auth=MemberToken(), tags=["bookings"])


class SpaceOut(ModelSchema):
    class Meta:
        model = Space
        fields = ["id", "name", "kind", "floor", "seats"]


class BookingIn(Schema):
    space_id: int
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    guests: list[str] = []


class BookingOut(ModelSchema):
    class Meta:
        model = Booking
        fields = ["id", "space", "starts_at", "ends_at", "title", "cancelled"]


class Reschedule(Schema):
    starts_at: datetime
    ends_at: datetime


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    title: str
    member: str


def _clashes(space_id: int, starts_at: datetime, ends_at: datetime, exclude: int | None = None) -> bool:
    overlapping = Booking.objects.filter(space_id=space_id, cancelled=False, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude is not None:
        overlapping = overlapping.exclude(id=exclude)
    return overlapping.exists()


@router.get("/spaces", response=list[SpaceOut])
def list_spaces(request, kind: str | None = None):
    spaces = Space.objects.filter(bookable=True)
    return spaces.filter(kind=kind) if kind else spaces


@router.get("/bookings", response=list[BookingOut])
def my_bookings(request, upcoming: bool = True):
    bookings = Booking.objects.filter(member=request.auth, cancelled=False)
    if upcoming:
        bookings = bookings.filter(ends_at__gte=datetime.now().astimezone())
    return bookings


@router.post("/bookings", response={201: BookingOut})
def book(request, payload: BookingIn):
    space = get_object_or_404(Space, id=payload.space_id, bookable=True)
    if payload.ends_at <= payload.starts_at:
        raise HttpError(422, "A booking must end after it starts")
    if _clashes(space.id, payload.starts_at, payload.ends_at):
        raise HttpError(409, "That space is already booked for part of this time")
    booking = Booking.objects.create(
        member=request.auth, space=space, starts_at=payload.starts_at, ends_at=payload.ends_at,
        title=payload.title, guests="\n".join(payload.guests),
    )
    return 201, booking


@router.get("/bookings/{booking_id}", response=BookingOut)
def get_booking(request, booking_id: int):
    return get_object_or_404(Booking, id=booking_id, member=request.auth)


@router.patch("/bookings/{booking_id}", response=BookingOut)
def reschedule(request, booking_id: int, payload: Reschedule):
    booking = get_object_or_404(Booking, id=booking_id, cancelled=False)  # expect: AR102
    if _clashes(booking.space_id, payload.starts_at, payload.ends_at, exclude=booking.id):
        raise HttpError(409, "That space is already booked for part of this time")
    booking.starts_at, booking.ends_at = payload.starts_at, payload.ends_at
    booking.save(update_fields=["starts_at", "ends_at"])
    return booking


@router.delete("/bookings/{booking_id}", response={204: None})
def cancel(request, booking_id: int):
    updated = Booking.objects.filter(Q(id=booking_id) & Q(member=request.auth)).update(cancelled=True)
    if not updated:
        raise HttpError(404, "Not found")
    return 204, None


@router.get("/spaces/{space_id}/schedule", response=list[SlotOut], auth=None)
def space_schedule(request, space_id: int, day: date):  # expect: AR101
    """Shown on the tablet outside each meeting room."""
    bookings = Booking.objects.filter(space_id=space_id, cancelled=False, starts_at__date=day)
    return [
        {"starts_at": b.starts_at, "ends_at": b.ends_at, "title": b.title, "member": b.member.get_full_name()}
        for b in bookings.select_related("member")
    ]
