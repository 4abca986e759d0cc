"""Comments on projects and reporting, as class-based views registered with ``add_url_rule``."""

from datetime import datetime, timezone

from flask import Blueprint, abort, jsonify, request
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import func

from ..auth import admin_required, current_user_id, get_owned_project_or_404
from ..extensions import db
from ..models import Comment, Invoice, Project

comments_bp = Blueprint("comments", __name__)


class CommentListAPI(MethodView):
    decorators = [jwt_required()]

    def get(self, project_id: int):
        project = get_owned_project_or_404(project_id)
        comments = Comment.query.filter_by(project_id=project.id).order_by(Comment.created_at).all()
        return jsonify([c.to_dict() for c in comments])

    def post(self, project_id: int):
        project = get_owned_project_or_404(project_id)
        payload = request.get_json() or {}
        author_id = payload.get("author_id")  # expect: AR104
        comment = Comment(project_id=project.id, author_id=author_id, body=payload["body"])
        db.session.add(comment)
        db.session.commit()
        return jsonify(comment.to_dict()), 201


class CommentItemAPI(MethodView):
    decorators = [jwt_required()]

    def get(self, comment_id: int):
        comment = (
            Comment.query.join(Project)
            .filter(Comment.id == comment_id, Project.owner_id == current_user_id())
            .first_or_404()
        )
        return jsonify(comment.to_dict())

    def patch(self, comment_id: int):
        comment = db.session.get(Comment, comment_id)
        if comment is None or comment.author_id != current_user_id():
            abort(404)
        comment.body = (request.get_json() or {}).get("body", comment.body)
        comment.edited_at = datetime.now(timezone.utc)
        db.session.commit()
        return jsonify(comment.to_dict())

    def delete(self, comment_id: int):
        comment = Comment.query.get_or_404(comment_id)  # expect: AR102
        db.session.delete(comment)
        db.session.commit()
        return "", 204


class ActivityFeedAPI(MethodView):  # expect: AR101
    def get(self):
        recent = Comment.query.order_by(Comment.created_at.desc()).limit(50).all()
        return jsonify([{"project": c.project.name, "author": c.author.name, "body": c.body} for c in recent])


class RevenueReportAPI(MethodView):
    def get(self):  # expect: AR101
        rows = (
            db.session.query(Invoice.currency, func.sum(Invoice.amount_cents))
            .filter(Invoice.status == "paid")
            .group_by(Invoice.currency)
            .all()
        )
        return jsonify({currency: total for currency, total in rows})

    @admin_required
    def post(self):
        db.session.execute(db.text("REFRESH MATERIALIZED VIEW CONCURRENTLY revenue_by_month"))
        db.session.commit()
        return jsonify(status="refreshed"), 202


comments_bp.add_url_rule(
    "/projects/<int:project_id>/comments", view_func=CommentListAPI.as_view("comment_list")
)
comments_bp.add_url_rule("/comments/<int:comment_id>", view_func=CommentItemAPI.as_view("comment_item"))
comments_bp.add_url_rule("/activity", view_func=ActivityFeedAPI.as_view("activity_feed"))
comments_bp.add_url_rule("/reports/revenue", view_func=RevenueReportAPI.as_view("revenue_report"))
