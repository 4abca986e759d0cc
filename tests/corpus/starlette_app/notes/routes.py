"""URL table."""

from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .endpoints import admin, api, notes, oauth, pages

routes = [
    Route("/", pages.homepage, name="home"),
    Route("/health", pages.health),
    Route("/login", pages.login, methods=["GET", "POST"], name="login"),
    Route("/logout", pages.logout, name="logout"),
    Route("/dashboard", pages.dashboard, name="dashboard"),
    Route("/settings", pages.account_settings, name="settings"),
    Mount("/static", app=StaticFiles(directory="static"), name="static"),
    Mount(
        "/api",
        routes=[
            Route("/login", api.api_login, methods=["POST"]),
            Route("/shares/redeem", api.redeem_share, methods=["POST"]),
            Route("/members", api.MembersEndpoint),
            Route("/exports/usage", api.UsageExport),
            Route("/imports", api.import_notes, methods=["POST"]),
            Mount(
                "/notes",
                routes=[
                    Route("/", notes.list_notes, methods=["GET"]),
                    Route("/", notes.create_note, methods=["POST"]),
                    Route("/search", notes.search_notes, methods=["GET"]),
                    Route("/filter", notes.filter_notes, methods=["POST"]),
                    Route("/{note_id}", notes.NoteDetail),
                    Route("/{note_id}/attachments", notes.note_attachments, methods=["GET"]),
                    Route("/{note_id}/share", notes.share_note, methods=["POST"]),
                    Route("/{note_id}/comments", notes.add_comment, methods=["POST"]),
                ],
            ),
        ],
    ),
    Mount(
        "/admin",
        routes=[
            Route("/users", admin.list_users),
            Route("/users/{user_id}/disable", admin.disable_user, methods=["POST"]),
            Route("/users/{user_id}/reset-2fa", admin.reset_second_factor, methods=["POST"]),
            Route("/audit-log", admin.audit_log),
        ],
    ),
    Mount(
        "/oauth",
        routes=[
            Route("/github/login", oauth.github_login, name="github_login"),
            Route("/github/callback", oauth.github_callback, name="github_callback"),
            Route("/gitlab/login", oauth.gitlab_login, name="gitlab_login"),
            Route("/gitlab/callback", oauth.gitlab_callback, name="gitlab_callback"),
        ],
    ),
]
