"""The signed-in user's own settings and security activity."""

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from pymongo.errors import PyMongoError

from ..audit import audit_log
from ..extensions import db

account_bp = Blueprint("account", __name__)


@account_bp.before_request
@login_required
def require_login():
    """Everything under /account is for signed-in users only."""


@account_bp.route("/profile", methods=["GET", "POST"])
def profile():
    if request.method == "POST":
        for field, value in request.form.items():  # expect: AR105
            if field != "csrf_token":
                setattr(current_user, field, value)
        db.session.commit()
        flash("Profile updated.", "success")
        return redirect(url_for("account.profile"))
    return render_template("account/profile.html", user=current_user)


@account_bp.route("/activity")
def activity():
    events = (
        audit_log()
        .find({"user_id": str(current_user.id)}, {"_id": 0, "event": 1, "ip": 1, "at": 1})
        .sort("at", -1)
        .limit(50)
    )
    return render_template("account/activity.html", events=list(events))


@account_bp.route("/activity/lookup", methods=["POST"])
def activity_lookup():
    payload = request.get_json(silent=True) or {}
    try:
        entry = audit_log().find_one(
            {"user_id": str(current_user.id), "request_id": str(payload.get("request_id", ""))},
            {"_id": 0},
        )
    except PyMongoError:
        current_app.logger.exception("audit lookup failed")
        return jsonify(error="The activity log is unavailable right now."), 503
    if entry is None:
        return jsonify(error="not found"), 404
    return jsonify(entry)
