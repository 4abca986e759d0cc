"""Identity: aiohttp-security over an encrypted aiohttp-session cookie; users and roles in MongoDB."""

from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp_security import check_authorized
from aiohttp_security.abc import AbstractAuthorizationPolicy
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from bson import ObjectId
from bson.errors import InvalidId
from motor.motor_asyncio import AsyncIOMotorDatabase

_hasher = PasswordHasher()
LOGIN_ATTEMPTS_PER_HOUR = 10


class MongoAuthorizationPolicy(AbstractAuthorizationPolicy):
    """The identity in the session is the user's id; permissions are the roles stored on the user."""

    def __init__(self, db: AsyncIOMotorDatabase) -> None:
        self.db = db

    async def authorized_userid(self, identity: str) -> str | None:
        try:
            user = await self.db.users.find_one({"_id": ObjectId(identity), "disabled": {"$ne": True}},
                                                projection={"_id": 1})
        except InvalidId:
            return None
        return str(user["_id"]) if user else None

    async def permits(self, identity: str | None, permission: str, context: object = None) -> bool:
        if identity is None:
            return False
        user = await self.db.users.find_one({"_id": ObjectId(identity)}, projection={"roles": 1})
        return user is not None and permission in user.get("roles", [])


async def current_user_id(request: web.Request) -> str:
    """The signed-in user's id; aiohttp-security answers 401 to everyone else."""
    return await check_authorized(request)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except VerifyMismatchError:
        return False


async def too_many_login_attempts(db: AsyncIOMotorDatabase, remote: str | None, email: str) -> bool:
    """Counts failed logins per address and per e-mail over the last hour (a TTL index expires them)."""
    since = datetime.now(UTC) - timedelta(hours=1)
    failed_logins = await db.failed_logins.count_documents(
        {"$or": [{"remote": remote}, {"email": email}], "at": {"$gt": since}})
    return failed_logins >= LOGIN_ATTEMPTS_PER_HOUR
