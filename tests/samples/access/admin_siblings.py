"""Back-office pages of a subscription service: every page checks the administrator role but one, added
later with the login check only (sample for AR103)."""

from functools import wraps

from flask import Blueprint, Response, abort, jsonify, request
from flask_login import current_user, login_required

from .models import AuditEntry, Subscription, User, db

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
reports_bp = Blueprint("admin_reports", __name__, url_prefix="/admin/reports")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


@admin_bp.get("/users")
@admin_required
def list_users():
    return jsonify([u.to_admin_dict() for u in User.query.order_by(User.email).all()])


@admin_bp.get("/audit")
@admin_required
def audit_log():
    return jsonify([e.to_dict() for e in AuditEntry.query.order_by(AuditEntry.at.desc()).limit(500)])


@admin_bp.post("/users/<int:user_id>/disable")
@login_required
def disable_user(user_id):
    if not current_user.is_admin:
        abort(403)
    db.get_or_404(User, user_id).active = False
    db.session.commit()
    return jsonify(ok=True)


@admin_bp.get("/users/export")
@login_required
def export_users():  # expect: AR103[medium]
    rows = "\n".join(f"{u.id},{u.email},{u.plan}" for u in User.query.all())
    return Response(rows, mimetype="text/csv")


@admin_bp.post("/profile")
@login_required
def update_own_profile():
    # Every administrator's own display name: the caller's row only.
    current_user.display_name = request.form["display_name"][:80]
    db.session.commit()
    return jsonify(ok=True)


@reports_bp.before_request
@login_required
def reports_for_admins_only():
    if not current_user.is_admin:
        abort(403)


@reports_bp.get("/churn")
@login_required
def churn_report():
    return jsonify([s.to_dict() for s in Subscription.query.filter_by(cancelled=True)])
