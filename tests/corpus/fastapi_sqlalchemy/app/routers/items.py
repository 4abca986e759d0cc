"""Items: the core resource. Every route needs a signed-in user (router-level dependency)."""

import csv
import io

from fastapi import APIRouter, Depends, HTTPException, Query, UploadFile, status
from sqlalchemy import select

from ..deps import AdminUser, ItemsReader, ItemsWriter, SessionDep, get_current_user
from ..models import Item
from ..permissions import ensure_can_edit
from ..schemas import ItemCreate, ItemImportRow, ItemPublic, ItemUpdate

router = APIRouter(prefix="/items", tags=["items"], dependencies=[Depends(get_current_user)])

MAX_IMPORT_ROWS = 5_000


def parse_items_csv(content: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    rows = list(reader)
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValueError(f"at most {MAX_IMPORT_ROWS} rows per import")
    missing = [n for n, row in enumerate(rows, start=2) if not row.get("title")]
    if missing:
        raise ValueError(f"rows without a title: {missing[:10]}")
    return rows


@router.get("", response_model=list[ItemPublic])
def list_items(
    current_user: ItemsReader,
    session: SessionDep,
    offset: int = 0,
    limit: int = Query(default=50, le=200),
) -> list[Item]:
    stmt = select(Item).where(Item.owner_id == current_user.id).order_by(Item.id).offset(offset).limit(limit)
    return list(session.scalars(stmt))


@router.post("", response_model=ItemPublic, status_code=status.HTTP_201_CREATED)
def create_item(payload: ItemCreate, current_user: ItemsWriter, session: SessionDep) -> Item:
    item = Item(**payload.model_dump(), owner_id=current_user.id)
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.post("/bulk", response_model=list[ItemPublic], status_code=status.HTTP_201_CREATED)
def create_items_bulk(rows: list[ItemImportRow], current_user: ItemsWriter, session: SessionDep) -> list[Item]:
    items = []
    for row in rows:
        item = Item(**row.model_dump())  # expect: AR105
        item.owner_id = item.owner_id or current_user.id
        items.append(item)
    session.add_all(items)
    session.commit()
    return items


@router.post("/import", status_code=status.HTTP_201_CREATED)
async def import_items(file: UploadFile, current_user: ItemsWriter, session: SessionDep) -> dict:
    content = await file.read()
    try:
        rows = parse_items_csv(content)
        session.add_all(
            Item(title=row["title"][:200], description=row.get("description") or None, owner_id=current_user.id)
            for row in rows
        )
        session.commit()
    except Exception as exc:
        session.rollback()
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail=str(exc))  # expect: AR603
    return {"imported": len(rows)}


@router.get("/{item_id}", response_model=ItemPublic)
def read_item(item_id: int, current_user: ItemsReader, session: SessionDep) -> Item:
    item = session.get(Item, item_id)  # expect: AR102
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return item


@router.put("/{item_id}", response_model=ItemPublic)
def update_item(item_id: int, payload: ItemUpdate, current_user: ItemsWriter, session: SessionDep) -> Item:
    item = session.scalars(select(Item).where(Item.id == item_id, Item.owner_id == current_user.id)).first()
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    for field, value in payload.model_dump(exclude_unset=True).items():
        setattr(item, field, value)
    session.commit()
    return item


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int, current_user: ItemsWriter, session: SessionDep) -> None:
    item = session.get(Item, item_id)
    ensure_can_edit(item, current_user)
    session.delete(item)
    session.commit()


@router.post("/{item_id}/feature", response_model=ItemPublic)
def feature_item(item_id: int, admin: AdminUser, session: SessionDep) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    item.is_featured = True
    session.commit()
    return item
