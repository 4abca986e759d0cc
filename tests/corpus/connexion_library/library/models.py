"""SQLAlchemy 2 async models: members, titles, copies and loans."""

import os
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Session = async_sessionmaker(create_async_engine(os.environ["LIBRARY_DATABASE_URL"]), expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_number: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    max_loans: Mapped[int] = mapped_column(Integer, default=8)


class Title(Base):
    __tablename__ = "titles"

    id: Mapped[int] = mapped_column(primary_key=True)
    isbn: Mapped[str] = mapped_column(String(13), index=True)
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200))

    def to_dict(self) -> dict:
        return {"id": self.id, "isbn": self.isbn, "title": self.title, "author": self.author}


class Copy(Base):
    __tablename__ = "copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id"), index=True)
    branch: Mapped[str] = mapped_column(String(40))
    barcode: Mapped[str] = mapped_column(String(20), unique=True)

    title: Mapped[Title] = relationship()


class Loan(Base):
    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("copies.id"), index=True)
    borrowed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    renewals: Mapped[int] = mapped_column(Integer, default=0)

    member: Mapped[Member] = relationship()
    copy: Mapped[Copy] = relationship()

    def to_dict(self) -> dict:
        return {"id": self.id, "copy_id": self.copy_id, "borrowed_on": self.borrowed_on.isoformat(),
                "due_on": self.due_on.isoformat(), "returned": self.returned_on is not None,
                "renewals": self.renewals}
