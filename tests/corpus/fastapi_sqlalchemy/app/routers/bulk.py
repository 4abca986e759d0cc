"""Edits of the caller's own items, through a small repository class.

The repository's methods are named like MongoDB collection methods (``update_one``, ``delete_many``), as
generic CRUD layers often name theirs; this project has no MongoDB driver, so they are not queries a
client could fill with operators. Every method scopes its rows to the owner it was built for.
"""

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..deps import CurrentUser, SessionDep, get_current_user
from ..models import Item
from ..schemas import ItemPublic

router = APIRouter(prefix="/bulk", tags=["items"], dependencies=[Depends(get_current_user)])


class OwnedItems:
    """The items of one owner: every statement is filtered on ``owner_id``."""

    def __init__(self, session: Session, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    def update_one(self, changes: dict[str, object], item_id: int) -> Item | None:
        item = self.session.scalars(select(Item).where(Item.id == item_id, Item.owner_id == self.owner_id)).first()
        if item is None:
            return None
        for name in ("title", "description", "done"):  # the fields a client may change, nothing else
            if name in changes:
                setattr(item, name, changes[name])
        self.session.commit()
        return item


@router.patch("/items/{item_id}", response_model=ItemPublic | None)
def update_item(item_id: int, changes: dict[str, object], session: SessionDep, user: CurrentUser):
    return OwnedItems(session, user.id).update_one(changes, item_id)

