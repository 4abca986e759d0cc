"""A prototype Flask app that keeps its users in a dict and invented its own session cookie: the user
name, base64-encoded with a timestamp (AR109, where the cookie is made and where it is read back).
The look-alikes: a base64 preferences cookie, and a remembered user name that only fills in the login
form."""

import base64
import json
import secrets
from datetime import datetime

from flask import Flask, abort, make_response, redirect, render_template, request

app = Flask(__name__)

accounts = {}
sessions = {}


def issue(response, username):
    token = base64.b64encode(f"{username}:{datetime.now()}".encode()).decode()  # expect: AR208
    response.set_cookie("sid", token, httponly=True, secure=True, samesite="Lax", max_age=3600)  # expect: AR109
    return response


def issue_random(response, username):
    token = secrets.token_urlsafe(32)
    sessions[token] = username
    response.set_cookie("auth", token, httponly=True, secure=True, samesite="Lax", max_age=3600)
    return response


@app.get("/home")
def home():
    raw = request.cookies.get("sid")
    if not raw:
        return redirect("/login")
    username = base64.b64decode(raw).decode().split(":")[0]  # expect: AR109
    if username not in accounts:
        return redirect("/login")
    return render_template("home.html", email=accounts[username]["email"])


@app.get("/inbox")
def inbox():
    username = request.cookies.get("who")  # expect: AR109
    if username in accounts:
        return render_template("inbox.html", messages=accounts[username]["messages"])
    return redirect("/login")


@app.get("/look")
def look():
    prefs = json.loads(base64.b64decode(request.cookies.get("prefs", "e30=")))
    return render_template("look.html", theme=prefs.get("theme", "light"))


@app.get("/login")
def login_form():
    username = request.cookies.get("last_username", "")
    return render_template("login.html", username=username)


@app.get("/account")
def account():
    username = sessions.get(request.cookies.get("auth", ""))
    if username is None:
        return redirect("/login")
    return make_response(render_template("account.html", email=accounts[username]["email"]))


@app.get("/console")
def console():
    mode = request.cookies.get("mode")
    if mode and mode == "console:on":  # expect: AR109[medium]
        return render_template("console.html")
    abort(403)


@app.post("/poll")
def poll():
    if request.headers.get("X-Requested-With") != "XMLHttpRequest":
        abort(403)
    if request.cookies.get("consent") != "yes":
        abort(400)
    return render_template("poll.html")
