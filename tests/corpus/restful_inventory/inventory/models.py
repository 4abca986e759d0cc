"""Sellers on the marketplace keep their stock in the operator's warehouses. Warehouses are the
operator's (every seller sees the list); products and their stock belong to one seller each."""

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


def _now() -> datetime:
    return datetime.now(UTC)


class Account(db.Model):
    """A seller's account on the marketplace."""

    __tablename__ = "accounts"

    id = db.Column(db.Integer, primary_key=True)
    company = db.Column(db.String(160), nullable=False)
    email = db.Column(db.String(255), unique=True, nullable=False)


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id = db.Column(db.Integer, primary_key=True)
    seller_id = db.Column(db.Integer, db.ForeignKey("accounts.id"), nullable=False)
    digest = db.Column(db.String(64), unique=True, nullable=False)
    revoked = db.Column(db.Boolean, nullable=False, default=False)

    account = db.relationship("Account")


class Warehouse(db.Model):
    __tablename__ = "warehouses"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(8), unique=True, nullable=False)
    city = db.Column(db.String(80), nullable=False)


class Product(db.Model):
    __tablename__ = "products"

    id = db.Column(db.Integer, primary_key=True)
    seller_id = db.Column(db.Integer, db.ForeignKey("accounts.id"), nullable=False, index=True)
    warehouse_id = db.Column(db.Integer, db.ForeignKey("warehouses.id"), nullable=False)
    sku = db.Column(db.String(40), nullable=False)
    name = db.Column(db.String(200), nullable=False)
    quantity = db.Column(db.Integer, nullable=False, default=0)
    unit_cost_cents = db.Column(db.Integer, nullable=False, default=0)
    updated_at = db.Column(db.DateTime(timezone=True), default=_now, onupdate=_now)

    __table_args__ = (db.UniqueConstraint("seller_id", "sku"),)


class StockMovement(db.Model):
    __tablename__ = "stock_movements"

    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False, index=True)
    delta = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.String(20), nullable=False)  # inbound | sale | return | adjustment
    created_at = db.Column(db.DateTime(timezone=True), default=_now)
