"""FastAPI + pydantic + SQLAlchemy 2.0: schemas decide what the client may write and read (AR104-AR106)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .deps import get_current_user, get_db

router = APIRouter(prefix="/v1", tags=["accounts"])


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    full_name: Mapped[str | None]
    hashed_password: Mapped[str]
    is_admin: Mapped[bool] = mapped_column(default=False)


class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount_cents: Mapped[int]
    paid: Mapped[bool] = mapped_column(default=False)


class AccountPublic(BaseModel):
    id: int
    email: str
    full_name: str | None = None


class AccountInDB(AccountPublic):
    hashed_password: str
    is_admin: bool


class AccountUpdate(BaseModel):
    email: str | None = None
    full_name: str | None = None
    is_admin: bool | None = None


class InvoiceCreate(BaseModel):
    amount_cents: int


class InvoiceImport(BaseModel):
    amount_cents: int
    account_id: int
    paid: bool = False


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str


CurrentAccount = Annotated[Account, Depends(get_current_user)]
DB = Annotated[Session, Depends(get_db)]


@router.get("/me", response_model=AccountPublic)
def read_me(me: CurrentAccount):
    return me


@router.get("/me/internal", response_model=AccountInDB)  # expect: AR106
def read_me_internal(me: CurrentAccount):
    return me


@router.patch("/me", response_model=AccountPublic)
def update_me(changes: AccountUpdate, me: CurrentAccount, db: DB):
    for name, value in changes.model_dump(exclude_unset=True).items():  # expect: AR105
        setattr(me, name, value)
    db.commit()
    return me


@router.patch("/me/name", response_model=AccountPublic)
def update_name(changes: AccountUpdate, me: CurrentAccount, db: DB):
    for name, value in changes.model_dump(exclude_unset=True, exclude={"is_admin", "email"}).items():
        setattr(me, name, value)
    db.commit()
    return me


@router.post("/invoices")
def create_invoice(body: InvoiceCreate, me: CurrentAccount, db: DB):
    invoice = Invoice(**body.model_dump(), account_id=me.id)
    db.add(invoice)
    db.commit()
    return {"id": invoice.id}


@router.post("/invoices/import")
def import_invoice(row: InvoiceImport, me: CurrentAccount, db: DB):
    invoice = Invoice(**row.model_dump())  # expect: AR105
    db.add(invoice)
    db.commit()
    return {"id": invoice.id}


@router.get("/invoices")
def list_invoices(me: CurrentAccount, db: DB, account_id: int):
    return db.scalars(select(Invoice).where(Invoice.account_id == account_id)).all()  # expect: AR104


@router.post("/token/refresh", response_model=TokenPair)
def refresh(me: CurrentAccount):
    return TokenPair(access_token="...", refresh_token="...")
