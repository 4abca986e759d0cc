"""Projects and their tasks. ``ProjectController`` requires a signed-in user for every handler."""

from datetime import date

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .guards import requires_admin, requires_login
from .models import Project, Task, User


class ProjectIn(msgspec.Struct):
    name: str
    description: str = ""


class ProjectPatch(msgspec.Struct, omit_defaults=True):
    name: str | None = None
    description: str | None = None


class ProjectOut(msgspec.Struct):
    id: int
    name: str
    description: str
    archived: bool


class TaskIn(msgspec.Struct):
    title: str
    estimate_hours: float | None = None
    due_on: date | None = None


class TaskOut(msgspec.Struct):
    id: int
    title: str
    done: bool
    due_on: date | None


def _out(project: Project) -> ProjectOut:
    return ProjectOut(id=project.id, name=project.name, description=project.description, archived=project.archived)


class ProjectController(Controller):
    path = "/projects"
    guards = [requires_login]
    tags = ["projects"]

    async def _owned(self, db_session: AsyncSession, project_id: int, user_id: int) -> Project:
        project = await db_session.scalar(
            select(Project).where(Project.id == project_id, Project.owner_id == user_id)
        )
        if project is None:
            raise NotFoundException()
        return project

    @get("/")
    async def list_projects(self, request: Request, db_session: AsyncSession) -> list[ProjectOut]:
        rows = await db_session.scalars(
            select(Project)
            .where(Project.owner_id == request.session["user_id"], Project.archived.is_(False))
            .order_by(Project.created_at.desc())
        )
        return [_out(p) for p in rows]

    @post("/")
    async def create_project(self, data: ProjectIn, request: Request, db_session: AsyncSession) -> ProjectOut:
        project = Project(owner_id=request.session["user_id"], name=data.name, description=data.description)
        db_session.add(project)
        await db_session.commit()
        return _out(project)

    @get("/{project_id:int}")
    async def get_project(self, project_id: int, request: Request, db_session: AsyncSession) -> ProjectOut:
        project = await db_session.scalar(
            select(Project).where(Project.id == project_id, Project.owner_id == request.session["user_id"])
        )
        if project is None:
            raise NotFoundException()
        return _out(project)

    @patch("/{project_id:int}")
    async def update_project(self, project_id: int, data: ProjectPatch, request: Request,
                             db_session: AsyncSession) -> ProjectOut:
        project = await db_session.get(Project, project_id)
        if project is None or project.owner_id != request.session["user_id"]:
            raise NotFoundException()
        for field in ("name", "description"):
            value = getattr(data, field)
            if value is not None:
                setattr(project, field, value)
        await db_session.commit()
        return _out(project)

    @post("/{project_id:int}/archive")
    async def archive_project(self, project_id: int, db_session: AsyncSession) -> ProjectOut:
        project = await db_session.get(Project, project_id)  # expect: AR102
        if project is None:
            raise NotFoundException()
        project.archived = True
        await db_session.commit()
        return _out(project)

    @delete("/{project_id:int}", guards=[requires_admin])
    async def delete_project(self, project_id: int, db_session: AsyncSession) -> None:
        project = await db_session.get(Project, project_id)
        if project is None:
            raise NotFoundException()
        await db_session.delete(project)
        await db_session.commit()

    @get("/{project_id:int}/tasks")
    async def list_tasks(self, project_id: int, request: Request, db_session: AsyncSession) -> list[TaskOut]:
        project = await db_session.scalar(
            select(Project).where(Project.id == project_id, Project.owner_id == request.session["user_id"])
        )
        if project is None:
            raise NotFoundException()
        rows = await db_session.scalars(select(Task).where(Task.project_id == project.id).order_by(Task.id))
        return [TaskOut(id=t.id, title=t.title, done=t.done, due_on=t.due_on) for t in rows]

    @post("/{project_id:int}/tasks")
    async def add_task(self, project_id: int, data: TaskIn, request: Request, db_session: AsyncSession) -> TaskOut:
        project = await db_session.scalar(
            select(Project).where(Project.id == project_id, Project.owner_id == request.session["user_id"])
        )
        if project is None:
            raise NotFoundException()
        task = Task(project_id=project.id, title=data.title, estimate_hours=data.estimate_hours, due_on=data.due_on)
        db_session.add(task)
        await db_session.commit()
        return TaskOut(id=task.id, title=task.title, done=task.done, due_on=task.due_on)


@get("/reports/workload")
async def workload(db_session: AsyncSession) -> list[dict]:  # expect: AR101
    rows = await db_session.execute(
        select(User.name, User.email, func.coalesce(func.sum(Task.estimate_hours), 0))
        .join(Task, Task.assignee_id == User.id)
        .where(Task.done.is_(False))
        .group_by(User.id)
    )
    return [{"name": name, "email": email, "open_hours": hours} for name, email, hours in rows]
