"""Where the help desk sends agents after signing in, switching queues and following short links: the many
ways a Flask app writes a redirect (sample for AR405 open-redirect)."""

from urllib.parse import urljoin, urlparse

import flask
import werkzeug.utils
from flask import Blueprint, Response, abort, make_response, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.utils import redirect as go

from .auth import verify_credentials
from .security import is_safe_url

bp = Blueprint("desk", __name__)
limiter = Limiter(get_remote_address)

ALLOWED_HOSTS = {"desk.example.com", "status.example.com"}
SHORTCUTS = {"queue": "/queue", "reports": "/reports", "help": "https://help.example.com/"}


@bp.post("/login")
@limiter.limit("5 per minute")
def login():
    user = verify_credentials(request.form["email"], request.form["password"])
    if user is None:
        abort(401)
    login_user(user)
    return flask.redirect(request.args.get("next") or url_for("desk.queue"))  # expect: AR405


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return go(request.form.get("return_to", "/"))  # expect: AR405


@bp.get("/queues/switch")
@login_required
def switch_queue():
    flask.session["queue"] = request.args.get("queue", "inbox")
    next_url = request.values["url"]
    return werkzeug.utils.redirect(next_url)  # expect: AR405


@bp.get("/go")
@login_required
def short_link():
    target = request.args.get("to", "/")
    return Response(status=302, headers={"Location": target})  # expect: AR405


@bp.get("/continue")
@login_required
def continue_to():
    response = make_response("", 303)
    response.headers["Location"] = request.args["continue"]  # expect: AR405
    return response


@bp.get("/handoff")
@login_required
def handoff():
    # urljoin keeps our host only for relative paths: "https://evil.example/" replaces it.
    return flask.redirect(urljoin(request.host_url, request.args["path"]))  # expect: AR405


# --- the same redirects, checked ---------------------------------------------------------------------


@bp.post("/login/checked")
@limiter.limit("5 per minute")
def login_checked():
    user = verify_credentials(request.form["email"], request.form["password"])
    if user is None:
        abort(401)
    login_user(user)
    next_url = request.args.get("next")
    if not is_safe_url(next_url):
        next_url = url_for("desk.queue")
    return flask.redirect(next_url)


@bp.get("/go/checked")
@login_required
def short_link_checked():
    target = request.args.get("to", "/")
    if urlparse(target).netloc not in ALLOWED_HOSTS | {""}:
        target = "/"
    return Response(status=302, headers={"Location": target})


@bp.get("/shortcut")
@login_required
def shortcut():
    # The client names a shortcut; the URL comes from our own table.
    return go(SHORTCUTS.get(request.args.get("name", ""), "/"))


@bp.get("/jump")
@login_required
def jump():
    # url_for raises on an endpoint it does not know: the target is always one of our routes.
    return flask.redirect(url_for(request.args["endpoint"]))


@bp.get("/tickets/open")
@login_required
def open_ticket():
    ticket_id = request.args["id"]
    return go("/tickets/" + ticket_id)


@bp.post("/preferences/language")
@login_required
def set_language():
    current_user.language = request.form["language"][:5]
    # Back to the page the agent was on: only the browser sets the Referer.
    return flask.redirect(request.referrer or url_for("desk.queue"))


@bp.get("/back")
@login_required
def back():
    return go(request.headers.get("Referer", "/"))
