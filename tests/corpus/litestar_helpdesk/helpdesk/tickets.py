"""The customer side: a customer's own tickets and their conversation with the agents."""

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.security.jwt import Token
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Message, Ticket, User
from .security import requires_active_user


class TicketIn(msgspec.Struct):
    subject: str
    body: str


class MessageIn(msgspec.Struct):
    body: str


class MessageOut(msgspec.Struct):
    id: int
    author_id: int
    body: str
    created_at: datetime


class TicketOut(msgspec.Struct):
    id: int
    subject: str
    status: str
    updated_at: datetime
    messages: list[MessageOut] = []


def _public_messages(ticket: Ticket) -> list[MessageOut]:
    return [MessageOut(id=m.id, author_id=m.author_id, body=m.body, created_at=m.created_at)
            for m in ticket.messages if not m.internal]


class TicketController(Controller):
    path = "/tickets"
    guards = [requires_active_user]
    tags = ["tickets"]

    @get("/")
    async def my_tickets(self, request: Request[User, Token, Any], db_session: AsyncSession) -> list[TicketOut]:
        rows = await db_session.scalars(
            select(Ticket).where(Ticket.requester_id == request.user.id).order_by(Ticket.updated_at.desc())
        )
        return [TicketOut(id=t.id, subject=t.subject, status=t.status, updated_at=t.updated_at) for t in rows]

    @post("/")
    async def open_ticket(self, data: TicketIn, request: Request[User, Token, Any], db_session: AsyncSession) -> TicketOut:
        ticket = Ticket(requester_id=request.user.id, subject=data.subject)
        ticket.messages.append(Message(author_id=request.user.id, body=data.body))
        db_session.add(ticket)
        await db_session.commit()
        return TicketOut(id=ticket.id, subject=ticket.subject, status=ticket.status, updated_at=ticket.updated_at)

    @get("/{ticket_id:int}")
    async def get_ticket(self, ticket_id: int, request: Request[User, Token, Any], db_session: AsyncSession) -> TicketOut:
        ticket = await db_session.scalar(
            select(Ticket).where(Ticket.id == ticket_id, Ticket.requester_id == request.user.id)
        )
        if ticket is None:
            raise NotFoundException()
        return TicketOut(id=ticket.id, subject=ticket.subject, status=ticket.status, updated_at=ticket.updated_at,
                         messages=_public_messages(ticket))

    @post("/{ticket_id:int}/messages")
    async def reply(self, ticket_id: int, data: MessageIn, request: Request[User, Token, Any],
                    db_session: AsyncSession) -> MessageOut:
        ticket = await db_session.get(Ticket, ticket_id)  # expect: AR102
        if ticket is None or ticket.status == "closed":
            raise NotFoundException()
        message = Message(ticket_id=ticket.id, author_id=request.user.id, body=data.body)
        ticket.status = "open"
        db_session.add(message)
        await db_session.commit()
        return MessageOut(id=message.id, author_id=message.author_id, body=message.body, created_at=message.created_at)

    @post("/{ticket_id:int}/close")
    async def close(self, ticket_id: int, request: Request[User, Token, Any], db_session: AsyncSession) -> TicketOut:
        ticket = await db_session.get(Ticket, ticket_id)
        if ticket is None or ticket.requester_id != request.user.id:
            raise NotFoundException()
        ticket.status = "closed"
        await db_session.commit()
        return TicketOut(id=ticket.id, subject=ticket.subject, status=ticket.status, updated_at=ticket.updated_at)


class WidgetOut(msgspec.Struct):
    subject: str
    status: str
    requester: str
    last_reply: str | None


@get("/widget/tickets/{ticket_id:int}")
async def ticket_widget(ticket_id: int, db_session: AsyncSession) -> WidgetOut:  # expect: AR101
    """The status card embedded in notification e-mails (``/widget`` is excluded from JWT auth)."""
    ticket = await db_session.scalar(select(Ticket).where(Ticket.id == ticket_id))
    if ticket is None:
        raise NotFoundException()
    replies = _public_messages(ticket)
    return WidgetOut(subject=ticket.subject, status=ticket.status, requester=ticket.requester.email,
                     last_reply=replies[-1].body if replies else None)
