"""The public catalogue (``security: []`` in the document): search and availability by branch."""

from sqlalchemy import func, or_, select

from .models import Copy, Loan, Session, Title


async def search_titles(q: str, limit: int = 20) -> list[dict]:
    pattern = f"%{q.strip()}%"
    async with Session() as session:
        titles = (await session.scalars(
            select(Title).where(or_(Title.title.ilike(pattern), Title.author.ilike(pattern), Title.isbn == q.strip()))
            .order_by(Title.title).limit(min(limit, 100)))).all()
    return [title.to_dict() for title in titles]


async def title_availability(title_id: int) -> dict | tuple[dict, int]:
    async with Session() as session:
        title = await session.scalar(select(Title).where(Title.id == title_id))
        if title is None:
            return {"title": "Not found"}, 404
        on_loan = select(Loan.copy_id).where(Loan.returned_on.is_(None))
        rows = (await session.execute(
            select(Copy.branch, func.count(Copy.id))
            .where(Copy.title_id == title.id, Copy.id.not_in(on_loan))
            .group_by(Copy.branch))).all()
    return {"title": title.to_dict(), "available": {branch: count for branch, count in rows}}
