"""Member directory of a club's site: search and sort pieces of SQL handed to the ORM through ``text()``
(sample for AR601)."""

from flask import Blueprint, jsonify, request
from flask_login import login_required
from sqlalchemy import desc, select, text

from .models import Member, db

bp = Blueprint("members", __name__, url_prefix="/members")

SORTABLE = {"name": "name", "joined": "joined_at DESC", "city": "city, name"}
ACTIVE_ONLY = "left_at IS NULL"


@bp.get("/search")
@login_required
def search():
    name = request.args.get("name", "")
    found = Member.query.filter(text("name = '%s'" % name)).all()  # noqa: UP031  # expect: AR601
    return jsonify([m.to_dict() for m in found])


@bp.get("/by-id")
@login_required
def by_id():
    member_id = request.args["id"]
    return jsonify(db.session.query(Member).filter(text(f"id = {member_id}")).one().to_dict())  # expect: AR601


@bp.get("/city")
@login_required
def in_city():
    city = request.args["city"]
    stmt = select(Member).where(text("city = '" + city + "'"))  # expect: AR601
    return jsonify([m.to_dict() for m in db.session.scalars(stmt)])


@bp.get("/")
@login_required
def listing():
    sort = request.args.get("sort", "name")
    members = Member.query.order_by(text(sort)).all()  # expect: AR601
    return jsonify([m.to_dict() for m in members])


@bp.get("/newest")
@login_required
def newest():
    column = request.args.get("column", "joined_at")
    return jsonify([m.to_dict() for m in Member.query.order_by(desc(text(column))).limit(20)])  # expect: AR601


# --- the same queries, written safely ------------------------------------------------------------


@bp.get("/search/bound")
@login_required
def search_bound():
    name = request.args.get("name", "")
    found = Member.query.filter(text("name = :name").bindparams(name=name)).all()
    return jsonify([m.to_dict() for m in found])


@bp.get("/by-id/bound")
@login_required
def by_id_bound():
    member = db.session.query(Member).filter(text("id = :id")).params(id=int(request.args["id"])).one()
    return jsonify(member.to_dict())


@bp.get("/city/exact")
@login_required
def in_city_exact():
    return jsonify([m.to_dict() for m in Member.query.filter_by(city=request.args["city"])])


@bp.get("/sorted")
@login_required
def listing_sorted():
    order = SORTABLE.get(request.args.get("sort", ""), "name")
    members = Member.query.filter(text(ACTIVE_ONLY)).order_by(text(order)).all()
    return jsonify([m.to_dict() for m in members])


@bp.get("/recent")
@login_required
def recent():
    return jsonify([m.to_dict() for m in Member.query.order_by(text("joined_at DESC")).limit(20)])
