"""The team wiki: shared pages, their revision history, and each writer's private drafts."""

from datetime import UTC, datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def _now() -> datetime:
    return datetime.now(UTC)


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True, nullable=False)
    display_name = Column(String(80), nullable=False)
    password_hash = Column(String(72), nullable=False)
    is_active = Column(Boolean, nullable=False, default=True)


class Page(Base):
    """A published page: every member of the team reads and edits it (that is what a wiki is)."""

    __tablename__ = "pages"

    id = Column(Integer, primary_key=True)
    slug = Column(String(120), unique=True, nullable=False)
    title = Column(String(200), nullable=False)
    body = Column(Text, nullable=False, default="")
    updated_at = Column(DateTime(timezone=True), default=_now, onupdate=_now)

    revisions = relationship("Revision", back_populates="page", order_by="Revision.id.desc()")


class Revision(Base):
    __tablename__ = "revisions"

    id = Column(Integer, primary_key=True)
    page_id = Column(Integer, ForeignKey("pages.id"), nullable=False, index=True)
    author_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    body = Column(Text, nullable=False)
    summary = Column(String(200), default="")
    created_at = Column(DateTime(timezone=True), default=_now)

    page = relationship("Page", back_populates="revisions")
    author = relationship("User")


class Draft(Base):
    """Work in progress, visible to its author only until it is published as a page."""

    __tablename__ = "drafts"

    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    page_id = Column(Integer, ForeignKey("pages.id"))  # set when the draft edits an existing page
    title = Column(String(200), nullable=False)
    body = Column(Text, nullable=False, default="")
    updated_at = Column(DateTime(timezone=True), default=_now, onupdate=_now)
