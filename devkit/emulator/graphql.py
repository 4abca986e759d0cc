"""A deliberately small GraphQL endpoint: review threads of a pull request, and
`resolveReviewThread` / `unresolveReviewThread`.

It parses real GraphQL (operations, variables, aliases, arguments, nested selections) but
no fragments or directives, and answers only the fields below, projecting exactly the
selection the client asked for. Anything else is a GraphQL error (`{"errors": [...]}`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .state import ReviewComment, ReviewThread, Token, World

_TOKEN = re.compile(r'''
    (?P<skip>[\s,\ufeff]+|\#[^\n]*) |
    (?P<spread>\.\.\.) |
    (?P<punct>[{}()\[\]:$!=@]) |
    (?P<string>"(?:[^"\\\n]|\\.)*") |
    (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?) |
    (?P<name>[_A-Za-z][_0-9A-Za-z]*)
''', re.VERBOSE)


class GraphQLError(Exception):
    def __init__(self, message: str, type: str | None = None, path: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message, self.type, self.path = message, type, path

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        if self.type:
            out["type"] = self.type
        if self.path:
            out["path"] = self.path
        return out


@dataclass
class Field:
    name: str
    alias: str | None
    args: dict[str, Any]
    selections: list[Field] = field(default_factory=list)


@dataclass(frozen=True)
class Var:
    name: str


@dataclass
class Operation:
    kind: str  # query | mutation
    name: str | None
    variables: dict[str, Any]  # defaults
    selections: list[Field]


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(source):
            m = _TOKEN.match(source, pos)
            if m is None:
                raise GraphQLError(f"Parse error on {source[pos]!r} at offset {pos}")
            pos = m.end()
            if m.lastgroup != "skip":
                self.tokens.append((m.lastgroup or "", m.group()))
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("eof", "")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        k, v = self.peek()
        if (value is not None and v != value) or (kind is not None and k != kind) or k == "eof":
            raise GraphQLError(f"Parse error on \"{v}\" ({k.upper()}): expected {value or kind}")
        self.i += 1
        return v

    def document(self) -> list[Operation]:
        ops = []
        while self.peek()[0] != "eof":
            ops.append(self.operation())
        return ops

    def operation(self) -> Operation:
        kind, name, defaults = "query", None, {}
        if self.peek()[1] in ("query", "mutation", "subscription", "fragment"):
            kind = self.take()
            if kind not in ("query", "mutation"):
                raise GraphQLError(f"{kind} definitions are not supported by this emulator")
            if self.peek()[0] == "name":
                name = self.take()
            if self.peek()[1] == "(":
                defaults = self.variable_definitions()
        return Operation(kind, name, defaults, self.selection_set())

    def variable_definitions(self) -> dict[str, Any]:
        defaults: dict[str, Any] = {}
        self.take("(")
        while self.peek()[1] != ")":
            self.take("$")
            name = self.take(kind="name")
            self.take(":")
            self.type_ref()
            if self.peek()[1] == "=":
                self.take("=")
                defaults[name] = self.value()
        self.take(")")
        return defaults

    def type_ref(self) -> None:
        if self.peek()[1] == "[":
            self.take("[")
            self.type_ref()
            self.take("]")
        else:
            self.take(kind="name")
        if self.peek()[1] == "!":
            self.take("!")

    def selection_set(self) -> list[Field]:
        self.take("{")
        fields = []
        while self.peek()[1] != "}":
            if self.peek()[0] in ("spread", "punct") and self.peek()[1] in ("...", "@"):
                raise GraphQLError("Fragments and directives are not supported by this emulator")
            fields.append(self.field())
        self.take("}")
        return fields

    def field(self) -> Field:
        name, alias = self.take(kind="name"), None
        if self.peek()[1] == ":":
            self.take(":")
            alias, name = name, self.take(kind="name")
        args: dict[str, Any] = {}
        if self.peek()[1] == "(":
            self.take("(")
            while self.peek()[1] != ")":
                key = self.take(kind="name")
                self.take(":")
                args[key] = self.value()
            self.take(")")
        if self.peek()[1] == "@":
            raise GraphQLError("Directives are not supported by this emulator")
        selections = self.selection_set() if self.peek()[1] == "{" else []
        return Field(name, alias, args, selections)

    def value(self) -> Any:
        kind, v = self.peek()
        if v == "$":
            self.take("$")
            return Var(self.take(kind="name"))
        if kind == "string":
            self.take()
            return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), v[1:-1])
        if kind == "number":
            self.take()
            return float(v) if any(c in v for c in ".eE") else int(v)
        if v == "[":
            self.take("[")
            items = []
            while self.peek()[1] != "]":
                items.append(self.value())
            self.take("]")
            return items
        if v == "{":
            self.take("{")
            obj = {}
            while self.peek()[1] != "}":
                key = self.take(kind="name")
                self.take(":")
                obj[key] = self.value()
            self.take("}")
            return obj
        self.take(kind="name")
        return {"true": True, "false": False, "null": None}.get(v, v)  # enums stay strings


def _substitute(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, Var):
        return variables.get(value.name)
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, variables) for k, v in value.items()}
    return value


# --- the schema subset --------------------------------------------------------------------------

class Node:
    typename = "Node"


@dataclass
class Actor(Node):
    login: str
    typename = "Bot"

    def f_login(self) -> str:
        return self.login


@dataclass
class Connection(Node):
    items: list[Any]
    start: int
    total: int
    typename = "Connection"

    def f_nodes(self) -> list[Any]:
        return self.items

    def f_edges(self) -> list[Any]:
        return [Edge(item, str(self.start + i + 1)) for i, item in enumerate(self.items)]

    def f_totalCount(self) -> int:
        return self.total

    def f_pageInfo(self) -> PageInfo:
        end = self.start + len(self.items)
        return PageInfo(end < self.total, str(end) if self.items else None, self.start > 0,
                        str(self.start + 1) if self.items else None)


@dataclass
class Edge(Node):
    node: Any
    cursor: str
    typename = "Edge"

    def f_node(self) -> Any:
        return self.node

    def f_cursor(self) -> str:
        return self.cursor


@dataclass
class PageInfo(Node):
    hasNextPage: bool
    endCursor: str | None
    hasPreviousPage: bool
    startCursor: str | None
    typename = "PageInfo"

    def f_hasNextPage(self) -> bool:
        return self.hasNextPage

    def f_endCursor(self) -> str | None:
        return self.endCursor

    def f_hasPreviousPage(self) -> bool:
        return self.hasPreviousPage

    def f_startCursor(self) -> str | None:
        return self.startCursor


def connection(items: list[Any], name: str, first: int | None = None, after: str | None = None,
               last: int | None = None) -> Connection:
    if first is None and last is None:
        raise GraphQLError(f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
                           type="MISSING_PAGINATION_BOUNDARIES")
    if (first or 0) > 100 or (last or 0) > 100:
        raise GraphQLError(f"Requesting {first or last} records on the `{name}` connection exceeds the `first` "
                           "limit of 100 records.", type="EXCESSIVE_PAGINATION")
    start = int(after) if after and after.isdigit() else 0
    window = items[start:]
    window = window[:first] if first is not None else window[-last:] if last else []
    if first is None:
        start = len(items) - len(window)
    return Connection(window, start, len(items))


class _Ctx:
    def __init__(self, world: World, token: Token) -> None:
        self.world, self.token = world, token

    def can_write(self, repo: str) -> bool:
        return repo in self.token.repositories and self.token.permissions.get("pull_requests") in ("write", "admin")


@dataclass
class Comment(Node):
    ctx: _Ctx
    c: ReviewComment
    typename = "PullRequestReviewComment"

    def f_id(self) -> str:
        return f"PRRC_{self.c.id}"

    def f_databaseId(self) -> int:
        return self.c.id

    def f_body(self) -> str:
        return self.c.body

    def f_path(self) -> str:
        return self.c.path

    def f_url(self) -> str:
        return f"{self.ctx.world.web_url}/{self.c.repo}/pull/{self.c.pull_number}#discussion_r{self.c.id}"

    def f_author(self) -> Actor:
        return Actor(self.c.user.login)

    def f_createdAt(self) -> str:
        return self.c.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def f_replyTo(self) -> Comment | None:
        parent = self.ctx.world.review_comments.get(self.c.in_reply_to_id or 0)
        return Comment(self.ctx, parent) if parent else None


@dataclass
class Thread(Node):
    ctx: _Ctx
    t: ReviewThread
    typename = "PullRequestReviewThread"

    def _root(self) -> ReviewComment:
        return self.ctx.world.review_comments[self.t.comment_ids[0]]

    def f_id(self) -> str:
        return self.t.node_id

    def f_isResolved(self) -> bool:
        return self.t.resolved

    def f_isOutdated(self) -> bool:
        pr = self.ctx.world.pulls[(self.t.repo, self.t.pull_number)]
        return self._root().commit_id != pr.head_sha

    def f_path(self) -> str:
        return self._root().path

    def f_line(self) -> int | None:
        return self._root().line

    def f_startLine(self) -> int | None:
        return self._root().start_line

    def f_diffSide(self) -> str | None:
        return self._root().side

    def f_resolvedBy(self) -> Actor | None:
        return Actor(self.t.resolved_by) if self.t.resolved_by else None

    def f_viewerCanResolve(self) -> bool:
        return self.ctx.can_write(self.t.repo) and not self.t.resolved

    def f_viewerCanUnresolve(self) -> bool:
        return self.ctx.can_write(self.t.repo) and self.t.resolved

    def f_comments(self, first: int | None = None, after: str | None = None, last: int | None = None) -> Connection:
        items = [Comment(self.ctx, self.ctx.world.review_comments[i]) for i in self.t.comment_ids]
        return connection(items, "comments", first, after, last)


@dataclass
class PullRequest(Node):
    ctx: _Ctx
    repo: str
    number: int
    typename = "PullRequest"

    def f_number(self) -> int:
        return self.number

    def f_headRefOid(self) -> str:
        return self.ctx.world.pulls[(self.repo, self.number)].head_sha

    def f_reviewThreads(self, first: int | None = None, after: str | None = None,
                        last: int | None = None) -> Connection:
        threads = [Thread(self.ctx, t) for t in self.ctx.world.threads.values()
                   if (t.repo, t.pull_number) == (self.repo, self.number)]
        return connection(threads, "reviewThreads", first, after, last)


@dataclass
class Repository(Node):
    ctx: _Ctx
    full_name: str
    typename = "Repository"

    def f_nameWithOwner(self) -> str:
        return self.full_name

    def f_pullRequest(self, number: int) -> PullRequest:
        if (self.full_name, number) not in self.ctx.world.pulls:
            raise GraphQLError(f"Could not resolve to a PullRequest with the number of {number}.", type="NOT_FOUND")
        return PullRequest(self.ctx, self.full_name, number)


@dataclass
class MutationPayload(Node):
    thread: Thread
    client_mutation_id: str | None
    typename = "ResolveReviewThreadPayload"

    def f_thread(self) -> Thread:
        return self.thread

    def f_clientMutationId(self) -> str | None:
        return self.client_mutation_id


class QueryRoot(Node):
    typename = "Query"

    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx

    def f_repository(self, owner: str, name: str) -> Repository:
        full = f"{owner}/{name}"
        if full not in self.ctx.world.repos or full not in self.ctx.token.repositories:
            raise GraphQLError(f"Could not resolve to a Repository with the name '{full}'.", type="NOT_FOUND")
        return Repository(self.ctx, full)


class MutationRoot(Node):
    typename = "Mutation"

    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx

    def _set(self, input: dict[str, Any], resolved: bool) -> MutationPayload:
        thread = self.ctx.world.threads.get(str(input.get("threadId")))
        if thread is None or thread.repo not in self.ctx.token.repositories:
            raise GraphQLError(f"Could not resolve to a node with the global id of '{input.get('threadId')}'",
                               type="NOT_FOUND")
        if not self.ctx.can_write(thread.repo):
            raise GraphQLError("Resource not accessible by integration", type="FORBIDDEN")
        thread.resolved = resolved
        thread.resolved_by = self.ctx.world.bot.login if resolved else None
        return MutationPayload(Thread(self.ctx, thread), input.get("clientMutationId"))

    def f_resolveReviewThread(self, input: dict[str, Any]) -> MutationPayload:
        return self._set(input, True)

    def f_unresolveReviewThread(self, input: dict[str, Any]) -> MutationPayload:
        return self._set(input, False)


def _resolve(obj: Node, fields: list[Field], variables: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        key = f.alias or f.name
        if f.name == "__typename":
            out[key] = obj.typename
            continue
        method = getattr(obj, "f_" + f.name, None)
        if method is None:
            raise GraphQLError(f"Field '{f.name}' doesn't exist on type '{obj.typename}'", path=path + [key])
        try:
            value = method(**_substitute(f.args, variables))
        except TypeError:
            raise GraphQLError(f"Field '{f.name}' got unsupported arguments {sorted(f.args)}", path=path + [key]) from None
        except GraphQLError as exc:
            exc.path = exc.path or path + [key]
            raise
        out[key] = _complete(value, f, variables, path + [key])
    return out


def _complete(value: Any, f: Field, variables: dict[str, Any], path: list[Any]) -> Any:
    if value is None:
        return None  # a null object (e.g. `resolvedBy` of an unresolved thread) takes no selection
    if isinstance(value, list):
        return [_complete(v, f, variables, path + [i]) for i, v in enumerate(value)]
    if isinstance(value, Node):
        if not f.selections:
            raise GraphQLError(f"Field must have selections (field '{f.name}' returns {value.typename} but has no "
                               "selections.", path=path)
        return _resolve(value, f.selections, variables, path)
    if f.selections:
        raise GraphQLError(f"Selections can't be made on scalars (field '{f.name}')", path=path)
    return value


def execute_graphql(world: World, token: Token, query: str, variables: dict[str, Any],
                    operation_name: str | None = None) -> dict[str, Any]:
    ops = _Parser(query).document()
    if not ops:
        raise GraphQLError("No operations in the document")
    op = next((o for o in ops if o.name == operation_name), ops[0]) if operation_name else ops[0]
    ctx = _Ctx(world, token)
    root: Node = MutationRoot(ctx) if op.kind == "mutation" else QueryRoot(ctx)
    return _resolve(root, op.selections, {**op.variables, **variables}, [])
