"""The task board's GraphQL schema: types, root query and mutations."""

from datetime import date

import strawberry
from sqlalchemy import delete, func, select
from strawberry.types import Info

from .auth import IsAuthenticated, IsStaff
from .models import Comment, Task, Team, User
from .teams import is_member, my_teams


@strawberry.type
class UserType:
    id: strawberry.ID
    display_name: str

    @staticmethod
    def from_model(user: User) -> "UserType":
        return UserType(id=strawberry.ID(str(user.id)), display_name=user.display_name)


@strawberry.type
class TeamType:
    id: strawberry.ID
    name: str

    @staticmethod
    def from_model(team: Team) -> "TeamType":
        return TeamType(id=strawberry.ID(str(team.id)), name=team.name)


@strawberry.type
class TaskType:
    id: strawberry.ID
    title: str
    notes: str
    done: bool
    due_date: date | None

    @staticmethod
    def from_model(task: Task) -> "TaskType":
        return TaskType(id=strawberry.ID(str(task.id)), title=task.title, notes=task.notes, done=task.done,
                        due_date=task.due_date)


@strawberry.type
class CommentType:
    id: strawberry.ID
    body: str


@strawberry.type
class Workload:
    assignee_id: strawberry.ID
    open_tasks: int


@strawberry.input
class TaskInput:
    team_id: strawberry.ID
    title: str
    notes: str = ""
    due_date: date | None = None


@strawberry.type
class Query:
    teams: list[TeamType] = strawberry.field(resolver=my_teams, permission_classes=[IsAuthenticated])

    @strawberry.field(permission_classes=[IsAuthenticated])
    def me(self, info: Info) -> UserType:
        return UserType.from_model(info.context.user)

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def my_tasks(self, info: Info, done: bool | None = None) -> list[TaskType]:
        stmt = select(Task).where(Task.assignee_id == info.context.user.id)
        if done is not None:
            stmt = stmt.where(Task.done == done)
        tasks = await info.context.db.scalars(stmt.order_by(Task.due_date))
        return [TaskType.from_model(task) for task in tasks]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def task(self, info: Info, id: strawberry.ID) -> TaskType | None:
        task = await info.context.db.get(Task, int(id))
        if task is None or not await is_member(info.context.db, task.team_id, info.context.user.id):
            return None
        return TaskType.from_model(task)

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def task_comments(self, info: Info, task_id: strawberry.ID) -> list[CommentType]:
        stmt = select(Comment).where(Comment.task_id == int(task_id)).order_by(Comment.created_at)
        comments = await info.context.db.scalars(stmt)  # expect: AR102
        return [CommentType(id=strawberry.ID(str(c.id)), body=c.body) for c in comments]

    @strawberry.field
    async def team_workload(self, info: Info, team_id: strawberry.ID) -> list[Workload]:  # expect: AR101
        stmt = (
            select(Task.assignee_id, func.count())
            .where(Task.team_id == int(team_id), Task.done.is_(False))
            .group_by(Task.assignee_id)
        )
        rows = await info.context.db.execute(stmt)
        return [Workload(assignee_id=strawberry.ID(str(assignee)), open_tasks=count) for assignee, count in rows]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_task(self, info: Info, input: TaskInput) -> TaskType:
        db = info.context.db
        if not await is_member(db, int(input.team_id), info.context.user.id):
            raise PermissionError("You are not a member of this team")
        task = Task(team_id=int(input.team_id), title=input.title, notes=input.notes, due_date=input.due_date,
                    creator_id=info.context.user.id, assignee_id=info.context.user.id)
        db.add(task)
        await db.commit()
        return TaskType.from_model(task)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def complete_task(self, info: Info, id: strawberry.ID) -> TaskType:
        task = await info.context.db.get(Task, int(id))  # expect: AR102
        if task is None:
            raise ValueError("Task not found")
        task.done = True
        await info.context.db.commit()
        return TaskType.from_model(task)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def delete_task(self, info: Info, id: strawberry.ID) -> bool:
        stmt = delete(Task).where(Task.id == int(id), Task.creator_id == info.context.user.id)
        result = await info.context.db.execute(stmt)
        await info.context.db.commit()
        return result.rowcount > 0

    @strawberry.mutation
    async def reassign_task(self, info: Info, id: strawberry.ID, assignee_id: strawberry.ID) -> TaskType:  # expect: AR101
        task = await info.context.db.get(Task, int(id))
        if task is None:
            raise ValueError("Task not found")
        task.assignee_id = int(assignee_id)
        await info.context.db.commit()
        return TaskType.from_model(task)

    @strawberry.mutation(permission_classes=[IsStaff])
    async def purge_completed(self, info: Info, team_id: strawberry.ID) -> int:
        result = await info.context.db.execute(delete(Task).where(Task.team_id == int(team_id), Task.done.is_(True)))
        await info.context.db.commit()
        return result.rowcount


schema = strawberry.Schema(query=Query, mutation=Mutation)
