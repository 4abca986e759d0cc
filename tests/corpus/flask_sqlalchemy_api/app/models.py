"""Database models: users, the projects they own, invoices billed to projects, and comments."""

from datetime import datetime, timezone

from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def _now() -> datetime:
    return datetime.now(timezone.utc)


class SerializerMixin:
    """Dumps every column. Handy for projects and invoices; do NOT use it for users."""

    def to_dict(self) -> dict:
        data = {}
        for column in self.__table__.columns:
            value = getattr(self, column.name)
            data[column.name] = value.isoformat() if isinstance(value, datetime) else value
        return data


class User(SerializerMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True, nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    api_key = db.Column(db.String(64), unique=True)
    role = db.Column(db.String(20), nullable=False, default="member")
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime(timezone=True), default=_now)

    projects = db.relationship("Project", back_populates="owner", lazy="dynamic")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def to_public_dict(self) -> dict:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role}


class Project(SerializerMixin, db.Model):
    __tablename__ = "projects"

    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    name = db.Column(db.String(200), nullable=False)
    slug = db.Column(db.String(200), unique=True, nullable=False)
    description = db.Column(db.Text, default="")
    is_public = db.Column(db.Boolean, nullable=False, default=False)
    archived = db.Column(db.Boolean, nullable=False, default=False)
    hourly_rate = db.Column(db.Numeric(10, 2))
    created_at = db.Column(db.DateTime(timezone=True), default=_now)

    owner = db.relationship("User", back_populates="projects")
    invoices = db.relationship("Invoice", back_populates="project", cascade="all, delete-orphan")
    comments = db.relationship("Comment", back_populates="project", cascade="all, delete-orphan")


class Invoice(SerializerMixin, db.Model):
    __tablename__ = "invoices"

    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    project_id = db.Column(db.Integer, db.ForeignKey("projects.id"), nullable=False)
    number = db.Column(db.String(32), unique=True, nullable=False)
    customer_email = db.Column(db.String(255), nullable=False)
    amount_cents = db.Column(db.Integer, nullable=False)
    currency = db.Column(db.String(3), nullable=False, default="EUR")
    status = db.Column(db.String(20), nullable=False, default="draft")
    due_date = db.Column(db.Date)
    created_at = db.Column(db.DateTime(timezone=True), default=_now)

    project = db.relationship("Project", back_populates="invoices")


class Comment(SerializerMixin, db.Model):
    __tablename__ = "comments"

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.Integer, db.ForeignKey("projects.id"), nullable=False, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), default=_now)
    edited_at = db.Column(db.DateTime(timezone=True))

    project = db.relationship("Project", back_populates="comments")
    author = db.relationship("User")


class TokenBlocklist(db.Model):
    """Revoked JWTs (by ``jti``), consulted on every request by ``jwt.token_in_blocklist_loader``."""

    __tablename__ = "token_blocklist"

    id = db.Column(db.Integer, primary_key=True)
    jti = db.Column(db.String(36), nullable=False, unique=True, index=True)
    token_type = db.Column(db.String(10), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    revoked_at = db.Column(db.DateTime(timezone=True), default=_now)
