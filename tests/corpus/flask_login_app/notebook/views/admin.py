"""Back office for Notebook staff."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..audit import audit_log, record
from ..extensions import db
from ..models import User
from ..security import roles_required

admin_bp = Blueprint("admin", __name__)


@admin_bp.route("/")
@login_required
@roles_required("admin")
def dashboard():
    return render_template("admin/dashboard.html", user_count=User.query.count())


@admin_bp.route("/users")
@roles_required("admin", "support")
def users():
    page = request.args.get("page", 1, type=int)
    listing = User.query.order_by(User.created_at.desc()).paginate(page=page, per_page=50)
    return render_template("admin/users.html", users=listing)


@admin_bp.route("/users/<int:user_id>/delete", methods=["POST"])
@login_required
def delete_user(user_id: int):  # expect: AR103
    user = db.get_or_404(User, user_id)
    db.session.delete(user)
    db.session.commit()
    record("admin.user_deleted", current_user.id, target=user_id)
    flash(f"Deleted {user.email}.", "info")
    return redirect(url_for("admin.users"))


@admin_bp.route("/users/<int:user_id>/suspend", methods=["POST"])
@login_required
@roles_required("admin")
def suspend_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        abort(400)
    user.active = False
    db.session.commit()
    record("admin.user_suspended", current_user.id, target=user_id)
    return redirect(url_for("admin.users"))


@admin_bp.route("/audit/lookup", methods=["POST"])
@roles_required("admin")
def audit_lookup():
    entry = audit_log().find_one(request.json, {"_id": 0})  # expect: AR602
    return jsonify(entry or {})


@admin_bp.route("/audit/by-actor", methods=["POST"])
@roles_required("admin", "support")
def audit_by_actor():
    data = request.get_json()
    events = audit_log().find({"user_id": data["user_id"], "event": data.get("event", "login.succeeded")}, {"_id": 0})  # expect: AR602
    return jsonify(list(events.limit(100)))
