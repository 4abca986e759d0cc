"""URL dispatch, and the views configured here rather than with `@view_config`."""

from pyramid.security import NO_PERMISSION_REQUIRED

from . import views


def includeme(config: object) -> None:
    config.add_route("health", "/health")
    config.add_route("tickets", "/tickets")
    config.add_route("ticket", "/tickets/{ticket_id}")
    config.add_route("ticket_transcript", "/tickets/{ticket_id}/transcript")
    config.add_route("attachment", "/attachments/{attachment_id}")
    config.add_route("widget_unread", "/widget/unread")

    config.add_view(views.health, route_name="health", renderer="json", permission=NO_PERMISSION_REQUIRED)
    config.add_view(views.list_tickets, route_name="tickets", request_method="GET", renderer="json")
    config.add_view(views.open_ticket, route_name="tickets", request_method="POST", renderer="json")
