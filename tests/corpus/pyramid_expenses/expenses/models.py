"""SQLAlchemy models (one session per request, committed by pyramid_tm)."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, engine_from_config
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from zope.sqlalchemy import register


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_manager: Mapped[bool] = mapped_column(default=False)


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "status": self.status}


class Expense(Base):
    __tablename__ = "expenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    spent_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    description: Mapped[str] = mapped_column(String(300))

    def to_dict(self) -> dict:
        return {"id": self.id, "spent_on": self.spent_on.isoformat(), "amount": str(self.amount),
                "description": self.description}


def includeme(config: object) -> None:
    factory = sessionmaker(bind=engine_from_config(config.get_settings(), "sqlalchemy."))

    def dbsession(request: object) -> object:
        session = factory()
        register(session, transaction_manager=request.tm)
        return session

    config.add_request_method(dbsession, "dbsession", reify=True)
