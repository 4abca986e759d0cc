"""A member's loans. The middleware has already refused anonymous callers (see auth.py)."""

from datetime import timedelta

import falcon

from .models import Book, Loan, Session

LOAN_DAYS = 21
MAX_RENEWALS = 2


class LoanCollectionResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with Session() as session:
            loans = session.query(Loan).filter_by(member_id=req.context.member, returned=False).all()
        resp.media = {"loans": [loan.to_dict() for loan in loans]}


class LoanResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response, loan_id: int) -> None:
        with Session() as session:
            loan = session.query(Loan).filter_by(id=loan_id, member_id=req.context.member).first()
        if loan is None:
            raise falcon.HTTPNotFound()
        resp.media = loan.to_dict()

    def on_post_renew(self, req: falcon.Request, resp: falcon.Response, loan_id: int) -> None:
        with Session() as session:
            loan = session.query(Loan).filter_by(id=loan_id).first()  # expect: AR102
            if loan is None:
                raise falcon.HTTPNotFound()
            if loan.renewals >= MAX_RENEWALS:
                raise falcon.HTTPConflict(title="No renewals left")
            loan.renewals += 1
            loan.due_on += timedelta(days=LOAN_DAYS)
            session.commit()
            resp.media = loan.to_dict()


class BorrowingHistoryResource:  # expect: AR101
    """For the self-service kiosk in the lobby, which has no member token."""

    auth_exempt = True

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        card = req.get_param("card", required=True)
        with Session() as session:
            rows = (
                session.query(Loan, Book)
                .join(Book, Book.id == Loan.book_id)
                .filter(Loan.member_id == req.get_param_as_int("member", required=True))
                .all()
            )
        resp.media = {"card": card, "history": [{**loan.to_dict(), "title": book.title} for loan, book in rows]}
