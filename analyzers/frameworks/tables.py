"""Route tables that live in other modules than their handlers: a per-file reader, gathered across the
project once (aiohttp, Starlette and Tornado route lists, ``add_resource``, GraphQL ``set_field``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..context import FileContext
from ..project import Project, ProjectFact

T = TypeVar("T")


def project_table(name: str, mentions: tuple[str, ...],
                  per_file: Callable[[FileContext], list[T]]) -> Callable[[FileContext], list[T]]:
    """A function giving every entry ``per_file`` reads in the project's modules whose text shows one of
    ``mentions`` (read once per project), or in the file alone when there is no project."""

    def gather(project: Project) -> list[T]:
        contexts = {id(c): c for text in mentions for c in project.contexts_mentioning(text)}
        return [entry for other in contexts.values() for entry in per_file(other)]

    fact: ProjectFact[list[T]] = ProjectFact(name, gather)

    def table(ctx: FileContext) -> list[T]:
        return per_file(ctx) if ctx.project is None else fact.get(ctx.project)

    return table
