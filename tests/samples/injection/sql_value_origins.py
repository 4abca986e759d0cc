"""SQL built from strings, graded by what is known of the values (sample for AR601).

Client data reaching a query is high; a helper's argument in a value slot is high too (the classic
injection); a statement of names (DDL) built from a helper's arguments is medium: no bound parameter
can fill a database or role name, and on maintained code such builders were the operator's own config.
"""

import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.get("/users")
def users():
    conn = sqlite3.connect("app.db")
    name = request.args["name"]
    return conn.execute(f"SELECT id, name FROM users WHERE name = '{name}'").fetchall()  # expect: AR601[high]


def find_user(conn, email):
    return conn.execute(f"SELECT id FROM users WHERE email = '{email}'").fetchone()  # expect: AR601[high]


def create_table(conn, config):
    conn.execute("CREATE TABLE %s (id integer primary key, owner text DEFAULT '%s')" % (  # expect: AR601[medium]
        config["table"], config["owner"]))
