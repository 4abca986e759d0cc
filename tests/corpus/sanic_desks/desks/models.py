"""SQLAlchemy models: members of the coworking space, bookable spaces, bookings."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default="member")  # member, staff
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Space(Base):
    __tablename__ = "spaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # desk, room, booth
    seats: Mapped[int] = mapped_column(Integer, default=1)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "seats": self.seats}


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    member: Mapped[Member] = relationship()
    space: Mapped[Space] = relationship()

    def to_dict(self) -> dict:
        return {"id": self.id, "space_id": self.space_id, "starts_at": self.starts_at.isoformat(),
                "ends_at": self.ends_at.isoformat(), "checked_in": self.checked_in_at is not None,
                "cancelled": self.cancelled}
