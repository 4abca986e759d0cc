"""Search triggers and a results cache of a reporting app: table and column names come from the app's
own models and SQL pieces composed by a helper that binds its values, so these statements are reported
at ``low`` only (left out by default: a name cannot be a bound parameter, and these are the schema's).
A helper that puts its argument in a value slot is the classic injection (AR601, high)."""

import sqlite3

from sqlalchemy import text

from .models import Document, Incident


def create_search_trigger(session, model, columns):
    table = model.__tablename__
    for column in columns:
        session.execute(text("CREATE INDEX IF NOT EXISTS ix_{0}_{1} ON {0} ({1})".format(table, column.name)))  # expect: AR601[low]


def create_results_table(connection, table_name, column_names):
    column_list = ", ".join(f'"{name}"' for name in column_names)
    connection.execute("CREATE TABLE {table} ({columns})".format(table=table_name, columns=column_list))  # expect: AR601[low]


def _build_where(filters):
    clauses, params = [], []
    for key, value in filters.items():
        clauses.append(f"{key} = ?")
        params.append(value)
    return " AND ".join(clauses), params


def search(conn: sqlite3.Connection, filters):
    where, params = _build_where(filters)
    return conn.execute("SELECT id, title FROM documents WHERE " + where, params).fetchall()  # expect: AR601[low]


def rebuild(session):
    for model in (Document, Incident):
        create_search_trigger(session, model, model.__table__.columns)


def documents_by_owner(conn: sqlite3.Connection, owner):
    return conn.execute(f"SELECT id, title FROM documents WHERE owner = '{owner}'").fetchall()  # expect: AR601[high]
