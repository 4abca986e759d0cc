"""Social sign-in for the partner portal: GitHub and Bitbucket by hand, Okta and Azure through libraries
(sample for AR403 oauth-missing-state and AR404 oauth-missing-pkce)."""

import hashlib
import hmac
import os
import secrets
from base64 import urlsafe_b64encode
from urllib.parse import urlencode

import requests
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_login import login_user
from oauthlib.oauth2 import WebApplicationClient
from requests_oauthlib import OAuth2Session

from .accounts import find_or_create_user

bp = Blueprint("social", __name__)
oauth = OAuth()

GITHUB_AUTHORIZE_URL = "https://github.com/login/oauth/authorize"
GITHUB_TOKEN_URL = "https://github.com/login/oauth/access_token"
BITBUCKET_AUTHORIZE_URL = "https://bitbucket.org/site/oauth2/authorize"
BITBUCKET_TOKEN_URL = "https://bitbucket.org/site/oauth2/access_token"
AZURE_AUTHORIZE_URL = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
AZURE_TOKEN_URL = "https://login.microsoftonline.com/common/oauth2/v2.0/token"

# Okta: authlib keeps state, nonce and the PKCE verifier in the session.
oauth.register(
    "okta",
    server_metadata_url=os.environ["OKTA_METADATA_URL"],
    client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
)

# Google Workspace: registered without PKCE.
oauth.register(  # expect: AR404
    "google",
    server_metadata_url="https://accounts.google.com/.well-known/openid-configuration",
    client_kwargs={"scope": "openid email profile"},
)

bitbucket_client = WebApplicationClient(os.environ["BITBUCKET_CLIENT_ID"])


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@bp.route("/okta")
def okta_login():
    return oauth.okta.authorize_redirect(url_for("social.okta_callback", _external=True))


@bp.route("/okta/callback")
def okta_callback():
    token = oauth.okta.authorize_access_token()
    return _sign_in("okta", token["userinfo"])


# --- GitHub: state, but no PKCE; the callback checks the state --------------------------


@bp.route("/github")
def github_login():
    state = secrets.token_urlsafe(32)
    session["github_state"] = state
    params = {  # expect: AR404
        "client_id": current_app.config["GITHUB_CLIENT_ID"],
        "redirect_uri": url_for("social.github_callback", _external=True),
        "scope": "read:user user:email",
        "state": state,
    }
    return redirect(f"{GITHUB_AUTHORIZE_URL}?{urlencode(params)}")


@bp.route("/github/callback")
def github_callback():
    expected = session.pop("github_state", None)
    if expected is None or not hmac.compare_digest(expected, request.args.get("state", "")):
        abort(400)
    response = requests.post(
        GITHUB_TOKEN_URL,
        data={
            "client_id": current_app.config["GITHUB_CLIENT_ID"],
            "client_secret": current_app.config["GITHUB_CLIENT_SECRET"],
            "code": request.args["code"],
        },
        headers={"Accept": "application/json"},
        timeout=10,
    )
    response.raise_for_status()
    return _sign_in("github", _github_profile(response.json()["access_token"]))


# --- Bitbucket: oauthlib's low-level client adds neither state nor PKCE -----------------


@bp.route("/bitbucket")
def bitbucket_login():
    url = bitbucket_client.prepare_request_uri(  # expect: AR403, AR404
        BITBUCKET_AUTHORIZE_URL,
        redirect_uri=url_for("social.bitbucket_callback", _external=True),
    )
    return redirect(url)


@bp.route("/bitbucket/callback")
def bitbucket_callback():  # expect: AR403
    code = request.args.get("code", "")
    body = bitbucket_client.prepare_request_body(code=code, redirect_uri=url_for("social.bitbucket_callback", _external=True))
    response = requests.post(
        BITBUCKET_TOKEN_URL,
        data=body,
        auth=(os.environ["BITBUCKET_CLIENT_ID"], os.environ["BITBUCKET_CLIENT_SECRET"]),
        timeout=10,
    )
    token = bitbucket_client.parse_request_body_response(response.text)
    return _sign_in("bitbucket", _bitbucket_profile(token["access_token"]))


# --- Azure AD: requests-oauthlib ------------------------------------------------------------


@bp.route("/azure")
def azure_login():
    azure = OAuth2Session(
        os.environ["AZURE_CLIENT_ID"],
        redirect_uri=url_for("social.azure_callback", _external=True),
        scope=["openid", "email"],
    )
    url, state = azure.authorization_url(AZURE_AUTHORIZE_URL)  # expect: AR404
    session["azure_state"] = state
    return redirect(url)


@bp.route("/azure/callback")
def azure_callback():
    # The saved state goes back to the session object, which compares it when it parses the response URL.
    azure = OAuth2Session(
        os.environ["AZURE_CLIENT_ID"],
        state=session.pop("azure_state", None),
        redirect_uri=url_for("social.azure_callback", _external=True),
    )
    token = azure.fetch_token(
        AZURE_TOKEN_URL,
        client_secret=os.environ["AZURE_CLIENT_SECRET"],
        authorization_response=request.url,
    )
    return _sign_in("azure", token["id_token"])


# --- the partner SSO: everything by hand ------------------------------------------------------


@bp.route("/partner")
def partner_login():
    verifier, challenge = _pkce_pair()
    session["partner_verifier"] = verifier
    base = current_app.config["PARTNER_IDP"]
    return redirect(
        f"{base}/authorize?response_type=code&client_id={current_app.config['PARTNER_CLIENT_ID']}"  # expect: AR403
        f"&code_challenge={challenge}&code_challenge_method=S256"
    )


@bp.route("/partner/legacy")
def partner_legacy_login():
    query = urlencode({
        "response_type": "code",
        "client_id": current_app.config["PARTNER_CLIENT_ID"],
        "state": "partner-portal",  # expect: AR403
        "code_challenge": current_app.config["PARTNER_STATIC_CHALLENGE"],
        "code_challenge_method": "plain",  # expect: AR404
    })
    return redirect(f"{current_app.config['PARTNER_IDP']}/authorize?{query}")


@bp.route("/partner/callback")
def partner_callback():  # expect: AR403
    response = requests.post(
        f"{current_app.config['PARTNER_IDP']}/token",
        data={
            "grant_type": "authorization_code",
            "code": request.args["code"],
            "code_verifier": session.pop("partner_verifier", ""),
            "client_id": current_app.config["PARTNER_CLIENT_ID"],
        },
        timeout=10,
    )
    response.raise_for_status()
    return _sign_in("partner", response.json()["id_token"])


# --- look-alikes ----------------------------------------------------------------------------------


def token_request_body(code: str, verifier: str) -> dict:
    """The token request: a code, not an authorization request."""
    return {"grant_type": "authorization_code", "client_id": os.environ["PARTNER_CLIENT_ID"], "code": code,
            "code_verifier": verifier}


PROVIDERS = {
    "partner": {"client_id": os.environ.get("PARTNER_CLIENT_ID"), "authorize_url": "https://sso.partner.io/authorize",
                "redirect_uri": "https://portal.example.com/social/partner/callback"},
}


@bp.route("/invite/accept")
def accept_invite():
    """Invitation links carry a one-time code: no OAuth exchange involved."""
    code = request.args["code"]
    user = find_or_create_user("invite", code, "")
    login_user(user)
    return redirect(url_for("main.index"))


def _github_profile(access_token: str) -> dict:
    return requests.get("https://api.github.com/user", headers={"Authorization": f"Bearer {access_token}"},
                        timeout=10).json()


def _bitbucket_profile(access_token: str) -> dict:
    return requests.get("https://api.bitbucket.org/2.0/user", headers={"Authorization": f"Bearer {access_token}"},
                        timeout=10).json()


def _sign_in(provider: str, profile):
    user = find_or_create_user(provider, profile, "")
    login_user(user)
    return redirect(url_for("main.index"))
