"""The agents' side: the queue, assignment and internal notes. Every handler needs ``requires_agent``."""

from typing import Any

import msgspec
from litestar import Request, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.security.jwt import Token
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Message, Ticket, User
from .security import requires_agent


class QueueItem(msgspec.Struct):
    id: int
    subject: str
    priority: str
    requester: str


class TicketUpdate(msgspec.Struct, omit_defaults=True):
    status: str | None = None
    priority: str | None = None
    assignee_id: int | None = None


class Note(msgspec.Struct):
    body: str


@get("/agent/queue", guards=[requires_agent])
async def queue(db_session: AsyncSession) -> list[QueueItem]:
    rows = await db_session.scalars(
        select(Ticket).where(Ticket.status.in_(("open", "pending"))).order_by(Ticket.priority, Ticket.created_at)
    )
    return [QueueItem(id=t.id, subject=t.subject, priority=t.priority, requester=t.requester.email) for t in rows]


@patch("/agent/tickets/{ticket_id:int}", guards=[requires_agent])
async def update_ticket(ticket_id: int, data: TicketUpdate, db_session: AsyncSession) -> QueueItem:
    # Agents work on every customer's tickets: `requires_agent` checks the role.
    ticket = await db_session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundException()
    if data.status in ("open", "pending", "solved", "closed"):
        ticket.status = data.status
    if data.priority in ("low", "normal", "high", "urgent"):
        ticket.priority = data.priority
    if data.assignee_id is not None:
        assignee = await db_session.scalar(
            select(User).where(User.id == data.assignee_id, User.role.in_(("agent", "lead")))
        )
        if assignee is None:
            raise NotFoundException("No such agent")
        ticket.assignee_id = assignee.id
    await db_session.commit()
    return QueueItem(id=ticket.id, subject=ticket.subject, priority=ticket.priority, requester=ticket.requester.email)


@post("/agent/tickets/{ticket_id:int}/notes", guards=[requires_agent], status_code=201)
async def add_note(ticket_id: int, data: Note, request: Request[User, Token, Any], db_session: AsyncSession) -> None:
    # Agents work on every customer's tickets: `requires_agent` checks the role.
    ticket = await db_session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundException()
    db_session.add(Message(ticket_id=ticket.id, author_id=request.user.id, body=data.body, internal=True))
    await db_session.commit()
