"""Accounts API on MongoDB: login, API keys, support search and reports (sample for AR602 nosql-operator-injection)."""

from datetime import datetime, timezone

from bson import ObjectId
from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user, login_required, login_user
from pymongo import MongoClient
from werkzeug.security import check_password_hash

from .limits import limiter
from .models import UserSession

bp = Blueprint("accounts", __name__)
db = MongoClient(current_app.config["MONGO_URL"]).accounts


@bp.post("/login")
@limiter.limit("10/minute")
def login():
    data = request.get_json()
    user = db.users.find_one({"email": data["email"], "disabled": {"$ne": True}})  # expect: AR602
    if user is None or not check_password_hash(user["password_hash"], str(data.get("password", ""))):
        return jsonify(error="Invalid email or password"), 401
    login_user(UserSession(user))
    return jsonify(id=str(user["_id"]))


@bp.post("/login/v2")
@limiter.limit("10/minute")
def login_v2():
    data = request.get_json(silent=True) or {}
    email = str(data.get("email", "")).strip().lower()
    user = db.users.find_one({"email": email, "disabled": {"$ne": True}})
    if user is None or not check_password_hash(user["password_hash"], str(data.get("password", ""))):
        return jsonify(error="Invalid email or password"), 401
    login_user(UserSession(user))
    return jsonify(id=str(user["_id"]))


@bp.post("/api-keys/verify")  # auth-review: public
def verify_api_key():
    payload = request.json
    key = db.api_keys.find_one(
        {
            "prefix": payload["prefix"],  # expect: AR602
            "secret_hash": payload["secret_hash"],
            "revoked": False,
        }
    )
    return jsonify(valid=key is not None)


@bp.get("/members")
@login_required
def members():
    # Query-string values are strings: no operator can hide in them.
    team = request.args.get("team", "")
    cursor = db.users.find({"team": team, "org_id": current_user.org_id}, {"password_hash": 0})
    return jsonify([{"id": str(u["_id"]), "email": u["email"]} for u in cursor])


@bp.post("/support/search")
@login_required
def support_search():
    criteria = request.get_json()
    query = {"org_id": current_user.org_id}
    query.update(criteria)  # expect: AR602
    cursor = db.tickets.find(query).limit(50)
    return jsonify([{"id": str(t["_id"]), "subject": t["subject"]} for t in cursor])


@bp.post("/support/lookup")
@login_required
def support_lookup():
    body = request.get_json()
    query = {"org_id": current_user.org_id}
    query["number"] = body.get("number")  # expect: AR602
    ticket = db.tickets.find_one(query)
    if ticket is None:
        abort(404)
    return jsonify(subject=ticket["subject"])


@bp.post("/reports/signups")
@login_required
def signup_report():
    body = request.get_json()
    pipeline = [
        {"$match": {"org_id": current_user.org_id, "plan": body["plan"]}},  # expect: AR602
        {"$group": {"_id": {"$dateToString": {"format": "%Y-%m-%d", "date": "$created_at"}}, "n": {"$sum": 1}}},
    ]
    return jsonify(list(db.users.aggregate(pipeline)))


@bp.get("/users/<user_id>")
@login_required
def get_user(user_id):
    # A path parameter is a string, and ObjectId() accepts nothing else.
    user = db.users.find_one({"_id": ObjectId(user_id), "org_id": current_user.org_id}, {"password_hash": 0})
    if user is None:
        abort(404)
    return jsonify(email=user["email"])


@bp.post("/sessions/revoke")
@login_required
def revoke_sessions():
    body = request.get_json()
    before = datetime.fromisoformat(str(body["before"])).replace(tzinfo=timezone.utc)
    result = db.sessions.delete_many({"user_id": current_user.id, "created_at": {"$lt": before}})
    return jsonify(revoked=result.deleted_count)
