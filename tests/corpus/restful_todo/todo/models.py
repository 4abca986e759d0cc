"""Users, their to-do lists and the items on them, and the API tokens the clients hold."""

from datetime import UTC, datetime

from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def _now() -> datetime:
    return datetime.now(UTC)


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), unique=True, nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class TodoList(db.Model):
    __tablename__ = "todo_lists"

    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    title = db.Column(db.String(120), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), default=_now)

    items = db.relationship("TodoItem", back_populates="todo_list", cascade="all, delete-orphan",
                            order_by="TodoItem.position")

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "open_items": sum(1 for i in self.items if not i.done)}


class TodoItem(db.Model):
    __tablename__ = "todo_items"

    id = db.Column(db.Integer, primary_key=True)
    list_id = db.Column(db.Integer, db.ForeignKey("todo_lists.id"), nullable=False, index=True)
    text = db.Column(db.String(500), nullable=False)
    done = db.Column(db.Boolean, nullable=False, default=False)
    position = db.Column(db.Integer, nullable=False, default=0)

    todo_list = db.relationship("TodoList", back_populates="items")

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "done": self.done, "position": self.position}
