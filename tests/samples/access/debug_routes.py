"""A Flask API whose debug page hands out the environment to anyone (sample for AR101): every other route
is behind the project's login, and reading one variable for a version string is fine."""

import os

from flask import Flask, jsonify
from flask_login import login_required

app = Flask(__name__)


@app.get("/notes")
@login_required
def notes():
    return jsonify(Note.query.all())


@app.get("/notes/export")
@login_required
def export_notes():
    return jsonify([n.to_dict() for n in Note.query.all()])


@app.get("/debug")
def debug_info():  # expect: AR101
    return jsonify(env=dict(os.environ), pid=os.getpid())


@app.get("/version")
def version():
    return jsonify(version=os.environ.get("GIT_SHA", "dev"))


@app.get("/ping")
def ping():
    print(os.environ)  # expect: AR701
    return "pong"
