"""Shared projects and their documents (async SQLAlchemy session, OAuth2 scopes per route)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Security, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import get_async_session
from ..deps import get_current_user
from ..models import Document, Membership, Project, User
from ..schemas import DocumentPublic, ProjectPublic
from ..storage import delete_object

router = APIRouter(prefix="/projects", tags=["projects"])

AsyncSessionDep = Annotated[AsyncSession, Depends(get_async_session)]
ProjectReader = Annotated[User, Security(get_current_user, scopes=["projects:read"])]
ProjectWriter = Annotated[User, Security(get_current_user, scopes=["projects:write"])]


async def require_membership(
    session: AsyncSession, project_id: int, user_id: int, roles: frozenset[str] | None = None
) -> Membership:
    membership = await session.get(Membership, (project_id, user_id))
    if membership is None or (roles is not None and membership.role not in roles):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Project not found")
    return membership


@router.get("", response_model=list[ProjectPublic])
async def list_projects(current_user: ProjectReader, session: AsyncSessionDep) -> list[Project]:
    stmt = (
        select(Project)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == current_user.id)
        .order_by(Project.name)
    )
    return list(await session.scalars(stmt))


@router.get("/search", response_model=list[ProjectPublic])
async def search_projects(q: str, session: AsyncSessionDep) -> list[Project]:  # expect: AR101
    stmt = select(Project).where(Project.name.ilike(f"%{q}%")).order_by(Project.name).limit(20)
    return list(await session.scalars(stmt))


@router.get("/{project_id}", response_model=ProjectPublic)
async def read_project(project_id: int, current_user: ProjectReader, session: AsyncSessionDep) -> Project:
    project = await session.get(Project, project_id)  # expect: AR102
    if project is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Project not found")
    return project


@router.get("/{project_id}/documents", response_model=list[DocumentPublic])
async def list_documents(project_id: int, current_user: ProjectReader, session: AsyncSessionDep) -> list[Document]:
    await require_membership(session, project_id, current_user.id)
    result = await session.scalars(select(Document).where(Document.project_id == project_id).order_by(Document.name))
    return list(result)


@router.get("/{project_id}/documents/{document_id}", response_model=DocumentPublic)
async def read_document(
    project_id: int, document_id: int, current_user: ProjectReader, session: AsyncSessionDep
) -> Document:
    await require_membership(session, project_id, current_user.id)
    stmt = select(Document).where(Document.id == document_id, Document.project_id == project_id)
    document = (await session.execute(stmt)).scalar_one_or_none()
    if document is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Document not found")
    return document


@router.delete("/{project_id}/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_document(
    project_id: int, document_id: int, current_user: ProjectWriter, session: AsyncSessionDep
) -> None:
    await require_membership(session, project_id, current_user.id, roles=frozenset({"owner", "editor"}))
    document = (await session.scalars(select(Document).where(Document.id == document_id))).first()  # expect: AR102
    if document is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Document not found")
    await delete_object(document.storage_key)
    await session.delete(document)
    await session.commit()
