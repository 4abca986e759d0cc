"""Sign-up, profile and team routes where the client picks its own privileges (sample for AR105)."""

from flask import Blueprint, abort, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from werkzeug.security import generate_password_hash

from .forms import SignupForm
from .models import ChatMessage, Membership, User, db

accounts = Blueprint("accounts", __name__, url_prefix="/api/accounts")
limiter = Limiter(get_remote_address)

SIGNUP_ROLES = ("reader", "writer")


@accounts.post("/register")
@limiter.limit("5 per minute")
def register():
    payload = request.get_json()
    if "admin" in payload:
        if payload["admin"]:
            admin = True
        else:
            admin = False
        user = User(  # expect: AR105
            username=payload["username"],
            password_hash=generate_password_hash(payload["password"]),
            admin=admin,
        )
    else:
        user = User(username=payload["username"], password_hash=generate_password_hash(payload["password"]))
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id), 201


@accounts.post("/signup")
@limiter.limit("5 per minute")
def signup():
    data = request.get_json() or {}
    user = User(username=data["username"], role=data.get("role", "reader"))  # expect: AR105
    user.set_password(data["password"])
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id), 201


@accounts.post("/signup/form")
@limiter.limit("5 per minute")
def signup_form():
    form = SignupForm(request.form)
    if not form.validate():
        abort(400)
    user = User(username=form.username.data)
    user.is_staff = bool(form.is_staff.data)  # expect: AR105
    user.set_password(form.password.data)
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id), 201


@accounts.post("/signup/checked")
@limiter.limit("5 per minute")
def signup_checked():
    data = request.get_json() or {}
    role = data.get("role", "reader")
    if role not in SIGNUP_ROLES:
        abort(400)
    user = User(username=data["username"], role=role, is_active=data.get("active", True))
    user.set_password(data["password"])
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id), 201


@accounts.post("/signup/plain")
@limiter.limit("5 per minute")
def signup_plain():
    data = request.get_json() or {}
    admin = False
    user = User(username=data["username"], admin=admin)
    user.set_password(data["password"])
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id), 201


@accounts.patch("/me")
@login_required
def update_me():
    current_user.display_name = request.form.get("display_name", current_user.display_name)
    current_user.role = request.form.get("role", current_user.role)  # expect: AR105
    db.session.commit()
    return jsonify(ok=True)


@accounts.post("/teams/<int:team_id>/join")
@login_required
def join_team(team_id):
    data = request.get_json() or {}
    membership = Membership(team_id=team_id, user_id=current_user.id, role=data.get("role"))  # expect: AR105
    db.session.add(membership)
    db.session.commit()
    return jsonify(ok=True)


@accounts.post("/users")
@login_required
def create_user():
    if not current_user.is_admin:
        abort(403)
    user = User(username=request.form["username"], role=request.form["role"])
    db.session.add(user)
    db.session.commit()
    return jsonify(id=user.id), 201


@accounts.post("/chat")
@login_required
def post_message():
    data = request.get_json() or {}
    message = ChatMessage(author_id=current_user.id, role=data.get("role", "user"), text=data["text"])
    db.session.add(message)
    db.session.commit()
    return jsonify(id=message.id), 201
