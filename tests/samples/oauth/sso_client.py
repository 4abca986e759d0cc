"""Single sign-on client for the dashboard: login flows, token refresh and a CLI helper (sample for AR4xx)."""

import hashlib
import os
import secrets
from base64 import urlsafe_b64encode
from urllib.parse import urlencode

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, redirect, session, url_for
from flask_login import login_required
from oauthlib.oauth2 import LegacyApplicationClient, MobileApplicationClient, WebApplicationClient
from requests_oauthlib import OAuth2Session

app = Flask(__name__)
app.config.from_prefixed_env()
oauth = OAuth(app)

CLIENT_ID = os.environ["SSO_CLIENT_ID"]
CLIENT_SECRET = os.environ["SSO_CLIENT_SECRET"]
IDP = "https://sso.corp-idp.com"
AUTHORIZE_URL = f"{IDP}/oauth/authorize"
TOKEN_URL = "http://sso.corp-idp.com/oauth/token"  # expect: AR406
USERINFO_URL = "https://sso.corp-idp.com/oauth/userinfo"
REDIRECT_URI = os.environ.get("SSO_REDIRECT_URI", "http://dashboard.corp-app.com/auth/callback")  # expect: AR406
LOCAL_REDIRECT_URI = "http://localhost:5000/auth/callback"

if app.debug:
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # expect: AR406
os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"

oauth.register(
    "corp",
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
    server_metadata_url="http://sso.corp-idp.com/.well-known/openid-configuration",  # expect: AR406
    client_kwargs={"scope": "openid profile", "code_challenge_method": "S256"},
)

oauth.register(
    "legacy_portal",
    client_id=CLIENT_ID,
    authorize_url="https://portal.corp-idp.com/authorize",
    authorize_params={"response_type": "token"},  # expect: AR401
)


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@app.route("/login")
def login():
    return oauth.corp.authorize_redirect(url_for("callback", _external=True))


@app.route("/login/spa")
def login_spa():
    state = secrets.token_urlsafe(32)
    session["oauth_state"] = state
    query = urlencode({
        "client_id": CLIENT_ID,
        "response_type": "token",  # expect: AR401
        "redirect_uri": REDIRECT_URI,
        "state": state,
    })
    return redirect(f"{AUTHORIZE_URL}?{query}")


@app.route("/login/mobile")
def login_mobile():
    state = secrets.token_urlsafe(32)
    session["oauth_state"] = state
    return redirect(f"{AUTHORIZE_URL}?client_id={CLIENT_ID}&response_type=id_token+token&state={state}")  # expect: AR401


@app.route("/login/code")
def login_code():
    verifier, challenge = _pkce_pair()
    client = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI, scope=["openid"])
    url, state = client.authorization_url(
        AUTHORIZE_URL,
        code_challenge=challenge,
        code_challenge_method="S256",
        response_type="code",
    )
    session["oauth_state"], session["pkce_verifier"] = state, verifier
    return redirect(url)


@app.route("/auth/callback")
def callback():
    token = oauth.corp.authorize_access_token()
    session["user"] = token["userinfo"]
    return redirect("/")


@app.route("/me/profile")
@login_required
def profile():
    client = OAuth2Session(CLIENT_ID, token=session["token"])
    return client.get(USERINFO_URL).json()


def mobile_client():
    return MobileApplicationClient(client_id=CLIENT_ID)  # expect: AR401


def web_client():
    return WebApplicationClient(CLIENT_ID)


def cli_login(username: str, password: str) -> dict:
    """Used by the ops CLI to get a token without a browser."""
    response = requests.post(
        TOKEN_URL,
        data={"grant_type": "password", "username": username, "password": password},  # expect: AR402
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def legacy_session(username: str, password: str) -> OAuth2Session:
    client = OAuth2Session(client=LegacyApplicationClient(client_id=CLIENT_ID))  # expect: AR402
    client.fetch_token(  # expect: AR402
        token_url="https://sso.corp-idp.com/oauth/token",
        username=username,
        password=password,
        client_secret=CLIENT_SECRET,
    )
    return client


def service_token() -> dict:
    response = requests.post(
        "https://sso.corp-idp.com/oauth/token",
        data={"grant_type": "client_credentials", "scope": "reports.read"},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    return response.json()


def refresh(refresh_token: str) -> dict:
    client = OAuth2Session(CLIENT_ID)
    return client.refresh_token("https://sso.corp-idp.com/oauth/token", refresh_token=refresh_token)


def reject_unsupported(grant_type: str, response_type: str) -> None:
    if grant_type == "password" or response_type == "token":
        abort(400, "response_type=token and grant_type=password are not supported")


if __name__ == "__main__":
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "true")  # expect: AR406
    app.run(host="127.0.0.1")
