"""Sign in with Google (authlib), GitLab, Slack and the company Okta (the last three hand-rolled)."""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from urllib.parse import urlencode

import requests
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_login import login_user

from ..audit import record
from ..extensions import db, oauth
from ..models import ExternalIdentity, User

sso_bp = Blueprint("sso", __name__)

GITLAB_AUTHORIZE_URL = "https://gitlab.com/oauth/authorize"
GITLAB_TOKEN_URL = "https://gitlab.com/oauth/token"
GITLAB_USER_URL = "https://gitlab.com/api/v4/user"
SLACK_AUTHORIZE_URL = "https://slack.com/openid/connect/authorize"
SLACK_TOKEN_URL = "https://slack.com/api/openid.connect.token"
SLACK_USERINFO_URL = "https://slack.com/api/openid.connect.userInfo"


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _sign_in(provider: str, subject: str, email: str, name: str):
    """Find or create the local user behind an external identity and start a session."""
    identity = ExternalIdentity.query.filter_by(provider=provider, subject=subject).first()
    if identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        user = User.query.filter_by(email=email.lower()).first()
        if user is None:
            user = User(email=email.lower(), name=name or email.split("@")[0])
            db.session.add(user)
            db.session.flush()
        db.session.add(ExternalIdentity(provider=provider, subject=subject, user_id=user.id))
        db.session.commit()
    if not user.is_active:
        flash("This account is suspended.", "warning")
        return redirect(url_for("auth.login"))
    login_user(user)
    record("login.succeeded", user.id, provider=provider)
    return redirect(url_for("notes.index"))


# --- Google, through authlib (state, nonce and S256 PKCE handled by the client) ---------------


@sso_bp.route("/google")
def google_login():
    return oauth.google.authorize_redirect(url_for("sso.google_callback", _external=True))


@sso_bp.route("/google/callback")
def google_callback():
    token = oauth.google.authorize_access_token()
    info = token["userinfo"]
    if not info.get("email_verified"):
        flash("Your Google e-mail address is not verified.", "warning")
        return redirect(url_for("auth.login"))
    return _sign_in("google", info["sub"], info["email"], info.get("name", ""))


# --- GitLab --------------------------------------------------------------------------------


@sso_bp.route("/gitlab")
def gitlab_login():
    state = secrets.token_urlsafe(32)
    session["gitlab_state"] = state
    query = urlencode({  # expect: AR404
        "client_id": current_app.config["GITLAB_CLIENT_ID"],
        "redirect_uri": url_for("sso.gitlab_callback", _external=True),
        "response_type": "code",
        "scope": "read_user",
        "state": state,
    })
    return redirect(f"{GITLAB_AUTHORIZE_URL}?{query}")


@sso_bp.route("/gitlab/callback")
def gitlab_callback():
    expected = session.pop("gitlab_state", None)
    if not expected or not hmac.compare_digest(expected, request.args.get("state", "")):
        abort(400)
    response = requests.post(
        GITLAB_TOKEN_URL,
        data={
            "grant_type": "authorization_code",
            "code": request.args["code"],
            "redirect_uri": url_for("sso.gitlab_callback", _external=True),
            "client_id": current_app.config["GITLAB_CLIENT_ID"],
            "client_secret": current_app.config["GITLAB_CLIENT_SECRET"],
        },
        timeout=10,
    )
    response.raise_for_status()
    access_token = response.json()["access_token"]
    profile = requests.get(GITLAB_USER_URL, headers={"Authorization": f"Bearer {access_token}"}, timeout=10).json()
    return _sign_in("gitlab", str(profile["id"]), profile["email"], profile.get("name", ""))


# --- Slack (OpenID Connect) -------------------------------------------------------------------


@sso_bp.route("/slack")
def slack_login():
    verifier, challenge = _pkce_pair()
    session["slack_verifier"] = verifier
    return redirect(SLACK_AUTHORIZE_URL + "?" + urlencode({  # expect: AR403
        "response_type": "code",
        "scope": "openid email profile",
        "client_id": current_app.config["SLACK_CLIENT_ID"],
        "redirect_uri": url_for("sso.slack_callback", _external=True),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }))


@sso_bp.route("/slack/callback")
def slack_callback():  # expect: AR403
    if "error" in request.args:
        flash("Slack sign-in was cancelled.", "info")
        return redirect(url_for("auth.login"))
    response = requests.post(
        SLACK_TOKEN_URL,
        data={
            "grant_type": "authorization_code",
            "code": request.args["code"],
            "redirect_uri": url_for("sso.slack_callback", _external=True),
            "code_verifier": session.pop("slack_verifier", ""),
        },
        auth=(current_app.config["SLACK_CLIENT_ID"], current_app.config["SLACK_CLIENT_SECRET"]),
        timeout=10,
    )
    response.raise_for_status()
    access_token = response.json()["access_token"]
    info = requests.get(SLACK_USERINFO_URL, headers={"Authorization": f"Bearer {access_token}"}, timeout=10).json()
    return _sign_in("slack", info["sub"], info["email"], info.get("name", ""))


# --- Okta workforce SSO ---------------------------------------------------------------------


@sso_bp.route("/okta")
def okta_login():
    state = secrets.token_urlsafe(32)
    verifier, challenge = _pkce_pair()
    session["okta_state"], session["okta_verifier"] = state, verifier
    params = {
        "client_id": current_app.config["OKTA_CLIENT_ID"],
        "response_type": "code",
        "scope": "openid email profile",
        "redirect_uri": url_for("sso.okta_callback", _external=True),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return redirect(f"https://{current_app.config['OKTA_DOMAIN']}/oauth2/v1/authorize?{urlencode(params)}")


@sso_bp.route("/okta/callback")
def okta_callback():
    expected_state = session.pop("okta_state", "")
    returned_state = request.args.get("state", "")
    if not expected_state or not hmac.compare_digest(expected_state, returned_state):
        abort(400, description="OAuth state mismatch")
    domain = current_app.config["OKTA_DOMAIN"]
    response = requests.post(
        f"https://{domain}/oauth2/v1/token",
        data={
            "grant_type": "authorization_code",
            "code": request.args["code"],
            "redirect_uri": url_for("sso.okta_callback", _external=True),
            "code_verifier": session.pop("okta_verifier", ""),
        },
        auth=(current_app.config["OKTA_CLIENT_ID"], current_app.config["OKTA_CLIENT_SECRET"]),
        timeout=10,
    )
    response.raise_for_status()
    access_token = response.json()["access_token"]
    info = requests.get(
        f"https://{domain}/oauth2/v1/userinfo", headers={"Authorization": f"Bearer {access_token}"}, timeout=10
    ).json()
    return _sign_in("okta", info["sub"], info["email"], info.get("name", ""))
