"""JSON views. The default permission (`view`, any signed-in customer) applies unless a view says otherwise."""

from datetime import UTC, datetime

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.response import FileResponse
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import text

from .models import Attachment, Message, Ticket

ATTACHMENT_ROOT = "/srv/helpdesk/attachments"


def health(request):
    request.dbsession.execute(text("select 1"))
    return {"status": "ok"}


def list_tickets(request):
    tickets = request.dbsession.query(Ticket).filter_by(requester_id=request.authenticated_userid).all()
    return {"tickets": [ticket.to_dict() for ticket in tickets]}


def open_ticket(request):
    body = request.json_body
    ticket = Ticket(requester_id=request.authenticated_userid, subject=str(body["subject"])[:200])
    request.dbsession.add(ticket)
    request.dbsession.flush()
    request.dbsession.add(Message(ticket_id=ticket.id, body=str(body["message"]), sent_at=datetime.now(UTC)))
    request.response.status_code = 201
    return ticket.to_dict()


@view_config(route_name="ticket", request_method="GET", renderer="json")
def ticket_detail(request):
    ticket = request.dbsession.query(Ticket).filter_by(
        id=int(request.matchdict["ticket_id"]), requester_id=request.authenticated_userid
    ).first()
    if ticket is None:
        raise HTTPNotFound()
    messages = request.dbsession.query(Message).filter_by(ticket_id=ticket.id).order_by(Message.sent_at).all()
    return {**ticket.to_dict(), "messages": [message.to_dict() for message in messages]}


@view_config(route_name="ticket_transcript", renderer="json", permission=NO_PERMISSION_REQUIRED)
def ticket_transcript(request):  # expect: AR101
    """Linked from the notification e-mails, so that customers can read a reply without signing in."""
    messages = (
        request.dbsession.query(Message)
        .filter_by(ticket_id=int(request.matchdict["ticket_id"]))
        .order_by(Message.sent_at)
        .all()
    )
    return {"messages": [message.to_dict() for message in messages]}


@view_config(route_name="attachment", request_method="GET")
def download_attachment(request):
    attachment = request.dbsession.query(Attachment).filter_by(  # expect: AR102
        id=int(request.matchdict["attachment_id"])
    ).first()
    if attachment is None:
        raise HTTPNotFound()
    return FileResponse(f"{ATTACHMENT_ROOT}/{attachment.storage_key}", request=request,
                        content_type="application/octet-stream")


@view_config(route_name="widget_unread", renderer="json", permission=NO_PERMISSION_REQUIRED)
def widget_unread(request):
    # The embedded widget wants a JSON 403, not the login page the forbidden view would send.
    if request.authenticated_userid is None:
        raise HTTPForbidden(json_body={"error": "sign in"})
    unread = (
        request.dbsession.query(Message)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .filter(Ticket.requester_id == request.authenticated_userid, Message.from_staff.is_(True),
                Message.read.is_(False))
        .count()
    )
    return {"unread": unread}
