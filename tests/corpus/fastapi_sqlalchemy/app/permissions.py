"""Object-level permission helpers used by the item routes."""

from fastapi import HTTPException, status

from .models import Item, User


def ensure_can_edit(item: Item | None, user: User) -> Item:
    """404 for missing and foreign items alike, so ids of other users' items are not confirmed."""
    if item is None or (item.owner_id != user.id and not user.is_admin):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return item
