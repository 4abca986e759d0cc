"""FastAPI with Tortoise ORM and a peewee-style lookup: models query themselves (sample for AR102)."""

from fastapi import APIRouter, Depends, HTTPException
from tortoise import fields
from tortoise.models import Model

from .auth import get_current_user

router = APIRouter()


class User(Model):
    id = fields.IntField(pk=True)
    username = fields.CharField(max_length=50, unique=True)
    password_hash = fields.CharField(max_length=128)


class Note(Model):
    id = fields.IntField(pk=True)
    text = fields.TextField()
    owner = fields.ForeignKeyField("models.User", related_name="notes")


@router.get("/notes/{note_id}")
async def read_note(note_id: int, user: User = Depends(get_current_user)):
    note = await Note.get_or_none(id=note_id)  # expect: AR102
    if note is None:
        raise HTTPException(status_code=404)
    return {"text": note.text}


@router.get("/mine/{note_id}")
async def read_mine(note_id: int, user: User = Depends(get_current_user)):
    note = await Note.get_or_none(id=note_id, owner=user)
    if note is None:
        raise HTTPException(status_code=404)
    return {"text": note.text}


@router.delete("/notes/{note_id}")
async def delete_note(note_id: int, user: User = Depends(get_current_user)):
    await Note.filter(id=note_id).delete()  # expect: AR102
    return {}


@router.delete("/mine/{note_id}")
async def delete_mine(note_id: int, user: User = Depends(get_current_user)):
    await Note.filter(id=note_id, owner_id=user.id).delete()
    return {}


class Settings(Model):
    key = fields.CharField(max_length=50, pk=True)
    value = fields.TextField()


@router.get("/settings/{key}")
async def read_setting(key: str, user: User = Depends(get_current_user)):
    setting = await Settings.get(key=key)  # nobody owns settings rows
    return {"value": setting.value}


@router.get("/notes/{note_id}/text")
async def note_text(note_id: int, user: User = Depends(get_current_user)):
    note = await Note.filter(id=note_id).first()  # checked against the caller below
    if note.owner_id != user.id:
        raise HTTPException(status_code=404)
    return {"text": note.text}
