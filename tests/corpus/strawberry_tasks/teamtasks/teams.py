"""Team resolvers, mounted on the root query with ``strawberry.field(resolver=...)`` in schema.py."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from .models import Membership, Team


async def is_member(db: AsyncSession, team_id: int, user_id: int) -> bool:
    membership = await db.get(Membership, (team_id, user_id))
    return membership is not None


async def my_teams(info: Info) -> list[Team]:
    stmt = select(Team).join(Membership).where(Membership.user_id == info.context.user.id).order_by(Team.name)
    return list(await info.context.db.scalars(stmt))
