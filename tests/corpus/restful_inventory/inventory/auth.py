"""API keys: sellers' systems send ``X-API-Key``; keys are stored as SHA-256 digests."""

import hashlib
from functools import wraps

from flask import g, request
from flask_restx import abort

from .models import ApiKey


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_required(view):
    """Resolve the seller's account from ``X-API-Key`` into ``g.current_account``, or answer 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("X-API-Key", "")
        found = ApiKey.query.filter_by(digest=key_digest(key), revoked=False).first() if key else None
        if found is None:
            abort(401, "A valid X-API-Key header is required")
        g.current_account = found.account
        return view(*args, **kwargs)

    return wrapper
