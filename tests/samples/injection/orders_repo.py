"""Order storage and reporting on SQLite (sample for AR601)."""

import sqlite3
from contextlib import closing

from flask import Flask, abort, jsonify, request
from flask_login import current_user, login_required

app = Flask(__name__)
DB_PATH = "orders.db"
ORDERS_TABLE = "orders"
SORTABLE_COLUMNS = {"created_at", "total", "status"}
STATUS_LABELS = {"open": "Open", "paid": "Paid"}


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


def get_order(conn: sqlite3.Connection, order_id: int, owner_id: int):
    return conn.execute(
        f"SELECT * FROM {ORDERS_TABLE} WHERE id = ? AND owner_id = ?", (order_id, owner_id)
    ).fetchone()


def find_by_reference(conn: sqlite3.Connection, reference: str):
    return conn.execute(f"SELECT * FROM orders WHERE reference = '{reference}'").fetchone()  # expect: AR601


def find_by_customer(conn: sqlite3.Connection, email: str):
    query = "SELECT id, total FROM orders WHERE customer_email = '%s'" % email  # expect: AR601
    return conn.execute(query).fetchall()


def search(conn: sqlite3.Connection, status: str | None, min_total: float | None, sort: str):
    clauses, params = [], []
    if status:
        clauses.append("status = ?")
        params.append(status)
    if min_total is not None:
        clauses.append("total >= ?")
        params.append(min_total)
    if sort not in SORTABLE_COLUMNS:
        raise ValueError(f"cannot sort by {sort}")
    where = " AND ".join(clauses) or "1 = 1"
    sql = f"SELECT * FROM orders WHERE {where} ORDER BY {sort} DESC"
    return conn.execute(sql, params).fetchall()


def search_notes(conn: sqlite3.Connection, text: str, limit: int):
    sql = "SELECT id, note FROM order_notes WHERE 1 = 1"
    if text:
        sql += " AND note LIKE '%" + text + "%'"  # expect: AR601
    sql += f" LIMIT {int(limit)}"
    return conn.execute(sql).fetchall()


def orders_in(conn: sqlite3.Connection, ids: list[int]):
    marks = ",".join("?" * len(ids))
    return conn.execute(f"SELECT * FROM orders WHERE id IN ({marks})", ids).fetchall()


def bulk_cancel(conn: sqlite3.Connection, ids: list[str]):
    conn.execute(  # the ids are joined into the SQL
        "UPDATE orders SET status = 'cancelled' WHERE id IN (" + ", ".join(ids) + ")"  # expect: AR601
    )


def rename_status(conn: sqlite3.Connection, old: str, new: str):
    conn.execute("UPDATE orders SET status = '{}' WHERE status = '{}'".format(new, old))  # expect: AR601


def purge_archive_tables(conn: sqlite3.Connection):
    for table in ("orders_archive_2022", "orders_archive_2023"):
        conn.execute(f"DELETE FROM {table}")


def describe(conn: sqlite3.Connection, order_id: int) -> str:
    row = get_order(conn, order_id, current_user.id)
    message = f"SELECT returned order {order_id} for {current_user.id}"
    app.logger.info(message)
    return STATUS_LABELS.get(row["status"], row["status"])


@app.route("/orders/<int:order_id>")
@login_required
def show_order(order_id: int):
    with closing(connect()) as conn:
        row = get_order(conn, order_id, current_user.id)
    if row is None:
        abort(404)
    return jsonify(dict(row))


@app.route("/orders/export")
@login_required
def export_orders():
    fmt = request.args.get("format", "csv")
    with closing(connect()) as conn:
        rows = conn.execute(
            "SELECT id, total FROM orders WHERE owner_id = "  # expect: AR601
            + str(current_user.id)
            + " AND export_format = '" + fmt + "'"
        ).fetchall()
    return jsonify([dict(r) for r in rows])
