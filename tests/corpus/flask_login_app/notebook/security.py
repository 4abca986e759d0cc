"""Access-control helpers shared by the views."""

from functools import wraps
from urllib.parse import urljoin, urlparse

from flask import abort, current_app, request
from flask_login import current_user


def roles_required(*roles: str):
    """Signed in AND holding one of ``roles``; anonymous users are sent to the login page."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_owner(note):
    """404 unless the signed-in user owns ``note`` (so other people's note ids look like missing ones)."""
    if note is None or note.user_id != current_user.id:
        abort(404)
    return note


def is_safe_redirect_url(target: str | None) -> bool:
    """Only allow redirects back to this site."""
    if not target:
        return False
    host = urlparse(request.host_url)
    candidate = urlparse(urljoin(request.host_url, target))
    return candidate.scheme in ("http", "https") and candidate.netloc == host.netloc
