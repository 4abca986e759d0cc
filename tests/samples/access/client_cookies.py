"""A small Flask shop that grew its own "login": the admin pages trust a role cookie and a header the
client can set, and the account pages read the user's name back from an unsigned cookie (AR109); the
same routes lack any real login (AR101). The look-alikes: a role filter an administrator picks, a
header that picks the answer's format, a session looked up by the random id in its cookie, and a page
where the signed-in user's role decides."""

import base64
import json

from flask import Flask, abort, jsonify, make_response, redirect, render_template, request
from flask_login import current_user, login_required
from itsdangerous import URLSafeTimedSerializer

from .models import Order, Session, User, db

app = Flask(__name__)
remember_me = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="remember")


def issue_auth_cookie(response, user):
    payload = base64.b64encode(json.dumps({"username": user.username, "role": user.role}).encode())
    response.set_cookie("auth", payload, httponly=True, secure=True, samesite="Lax", max_age=3600)  # expect: AR109
    return response


def issue_remember_cookie(response, user):
    token = remember_me.dumps({"user_id": user.id})
    response.set_cookie("remember", token, httponly=True, secure=True, samesite="Lax", max_age=30 * 24 * 3600)
    return response


def admin_only(view):
    def wrapped(*args, **kwargs):
        if request.cookies.get("role") != "admin":  # expect: AR109
            abort(403)
        return view(*args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@app.route("/admin/orders")
@admin_only
def all_orders():
    return render_template("admin/orders.html", orders=Order.query.all())


@app.route("/admin/refunds", methods=["POST"])
def refund():  # expect: AR101
    if request.headers.get("X-User-Role", "customer") not in ("admin", "support"):  # expect: AR109
        return jsonify(error="forbidden"), 403
    order = db.get_or_404(Order, request.form["order_id"])
    order.refund()
    db.session.commit()
    return redirect("/admin/orders")


@app.route("/account")
def account():  # expect: AR101
    username = request.cookies.get("username")
    if not username:
        return redirect("/login")
    user = User.query.filter_by(username=username).first_or_404()  # expect: AR109
    return render_template("account.html", user=user, orders=user.orders)


@app.route("/account/address", methods=["POST"])
def change_address():  # expect: AR101
    raw = request.cookies.get("auth", "")
    name, _expires = base64.b64decode(raw).decode().split("|")
    user = User.query.filter_by(username=name).first_or_404()  # expect: AR109
    user.address = request.form["address"]
    db.session.commit()
    return redirect("/account")


@app.route("/login", methods=["POST"])
def login():  # expect: AR107[medium]
    user = User.query.filter_by(username=request.form["username"]).first()
    if user is None or not user.check_password(request.form["password"]):
        abort(401)
    response = make_response(redirect("/account"))
    response.set_cookie("username", user.username, httponly=True, secure=True, samesite="Lax")
    return response


@app.route("/staff/users")
@login_required
def staff_users():
    if not current_user.is_admin:
        abort(403)
    role = request.args.get("role")
    users = User.query
    if role == "admin":
        users = users.filter_by(is_admin=True)
    return render_template("staff/users.html", users=users.all())


@app.route("/orders")
@login_required
def orders():
    items = Order.query.filter_by(user_id=current_user.id).all()
    if request.headers.get("Accept") == "application/json":
        return jsonify([o.to_dict() for o in items])
    return render_template("orders.html", orders=items)


@app.route("/cart")
@login_required
def cart():
    sid = request.cookies.get("session_id")
    session = Session.query.filter_by(token=sid).first_or_404()
    return render_template("cart.html", items=session.cart_items)
