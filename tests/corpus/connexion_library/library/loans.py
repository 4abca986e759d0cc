"""Loans: residents see and renew their own (``memberAuth``), librarians check out and in (``staffAuth``)."""

from datetime import date, timedelta

from sqlalchemy import select

from .models import Copy, Loan, Member, Session

LOAN_PERIOD = timedelta(days=21)
MAX_RENEWALS = 2


async def my_loans(user: str) -> list[dict]:
    async with Session() as session:
        loans = (await session.scalars(
            select(Loan).where(Loan.member_id == int(user), Loan.returned_on.is_(None)).order_by(Loan.due_on))).all()
    return [loan.to_dict() for loan in loans]


async def get_loan(loan_id: int, user: str) -> dict | tuple[dict, int]:
    async with Session() as session:
        loan = await session.scalar(select(Loan).where(Loan.id == loan_id, Loan.member_id == int(user)))
    if loan is None:
        return {"title": "Not found"}, 404
    return loan.to_dict()


async def renew_loan(loan_id: int) -> dict | tuple[dict, int]:
    async with Session() as session:
        loan = await session.scalar(select(Loan).where(Loan.id == loan_id, Loan.returned_on.is_(None)))  # expect: AR102
        if loan is None:
            return {"title": "Not found"}, 404
        if loan.renewals >= MAX_RENEWALS:
            return {"title": "This loan cannot be renewed again"}, 409
        loan.due_on = max(loan.due_on, date.today()) + LOAN_PERIOD
        loan.renewals += 1
        await session.commit()
    return loan.to_dict()


async def overdue_report(branch: str | None = None) -> list[dict]:  # expect: AR101
    """Overdue loans with the member's name, for the branch's reminder phone calls."""
    query = (select(Member.name, Member.card_number, Copy.barcode, Loan.due_on)
             .join(Loan.member).join(Loan.copy)
             .where(Loan.returned_on.is_(None), Loan.due_on < date.today())
             .order_by(Loan.due_on))
    if branch:
        query = query.where(Copy.branch == branch)
    async with Session() as session:
        rows = (await session.execute(query)).all()
    return [{"member": name, "card": card, "barcode": barcode, "due_on": due.isoformat()}
            for name, card, barcode, due in rows]


async def check_out(body: dict) -> tuple[dict, int]:
    async with Session() as session:
        member = await session.scalar(select(Member).where(Member.card_number == body["card_number"]))
        copy = await session.scalar(select(Copy).where(Copy.barcode == body["barcode"]))
        if member is None or copy is None:
            return {"title": "Unknown card or barcode"}, 404
        loan = Loan(member_id=member.id, copy_id=copy.id, borrowed_on=date.today(),
                    due_on=date.today() + LOAN_PERIOD)
        session.add(loan)
        await session.commit()
    return loan.to_dict(), 201


async def check_in(loan_id: int) -> dict | tuple[dict, int]:
    async with Session() as session:
        loan = await session.get(Loan, loan_id)
        if loan is None:
            return {"title": "Not found"}, 404
        loan.returned_on = date.today()
        await session.commit()
    return loan.to_dict()


async def member_loans(member_id: int) -> list[dict]:
    async with Session() as session:
        loans = (await session.scalars(
            select(Loan).where(Loan.member_id == member_id).order_by(Loan.borrowed_on.desc()).limit(200))).all()
    return [loan.to_dict() for loan in loans]
