"""HTTP routes of the notes service."""

from flask import Flask, jsonify, make_response, request

from . import settings
from .auth import find_user, hash_password, issue_token

app = Flask(__name__)
app.config.from_object(settings)


@app.post("/login")
def login():
    body = request.get_json()
    user = find_user(body["username"])
    if user is None or user[2] != hash_password(body["password"]):
        return jsonify(error="invalid credentials"), 401
    response = make_response(jsonify(ok=True))
    response.set_cookie("access_token", issue_token(user[0]))
    return response


if __name__ == "__main__":
    app.run(debug=True)
