"""Login, token refresh and an outgoing API client, with their logging (sample for AR701)."""

import logging
import sys

import requests
import structlog
from flask import Flask, jsonify, request

app = Flask(__name__)
logger = logging.getLogger(__name__)
audit = structlog.get_logger("audit")


class BillingClient:
    def __init__(self, api_key: str, base_url: str) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.log = logging.getLogger("billing")

    def charge(self, customer_id: str, cents: int) -> dict:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        self.log.debug("POST %s/charges headers=%s", self.base_url, headers)  # expect: AR701
        self.log.info("charging %s for %d cents", customer_id, cents)
        response = requests.post(f"{self.base_url}/charges", headers=headers, timeout=10)
        self.log.info("billing answered %s", response.status_code)
        return response.json()


@app.post("/login")
def login():  # expect: AR107
    username = request.form["username"]
    password = request.form["password"]
    logger.info("login attempt for %s", username)
    logger.debug(f"login attempt {username}:{password}")  # expect: AR701
    user = authenticate(username, password)
    if user is None:
        logger.warning("failed login for %s from %s", username, request.remote_addr)
        return jsonify(error="invalid credentials"), 401
    token = issue_token(user)
    audit.info("login", user_id=user.id, token_len=len(token))
    audit.info("login", user_id=user.id, access_token=token)  # expect: AR701
    return jsonify(access_token=token)


@app.post("/token/refresh")
def refresh():
    app.logger.info("refresh requested, headers: %s", request.headers)  # expect: AR701
    auth = request.headers.get("Authorization", "")
    app.logger.debug("refresh with %s", auth)  # expect: AR701
    app.logger.debug("refresh with scheme %s", auth.split(" ")[0] if auth else None)
    app.logger.info("token refreshed for %s", request.remote_addr)
    return jsonify(ok=True)


@app.errorhandler(500)
def on_error(error):
    logger.error(  # expect: AR701
        "unhandled error %s",
        error,
        extra={"path": request.path, "cookies": request.cookies},
    )
    logger.error("unhandled error on %s", request.path, extra={"user_agent": request.headers.get("User-Agent")})
    return jsonify(error="internal"), 500


def debug_dump(session_id: str, token_type: str) -> None:
    print("session", session_id, file=sys.stderr)  # expect: AR701
    print("token type", token_type)
    print("password reset url sent")


def authenticate(username: str, password: str):
    return None


def issue_token(user) -> str:
    return "opaque"


if __name__ == "__main__":
    print("admin token:", issue_token(None))
    app.run()
