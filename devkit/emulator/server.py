"""A starlette app that emulates the GitHub REST endpoints the bot uses (plus a minimal GraphQL).

Every request goes through one pipeline: route match against the OpenAPI subset, request
validation, authentication (App JWT or installation token), scripted faults, rate limiting,
the handler, response validation, recording. Handlers are synchronous (they call `git`) and
run in starlette's thread pool.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import render
from .faults import DOCS_RATE_LIMIT, SECONDARY_MESSAGE, Fault, FaultQueue
from .git_backend import FileDiff, GitRepo, Hunk
from .graphql import GraphQLError, execute_graphql
from .state import (
    App,
    CheckRun,
    Installation,
    IssueComment,
    PullRequest,
    RateBucket,
    Reaction,
    Repository,
    Review,
    ReviewComment,
    ReviewThread,
    Token,
    World,
    iso,
    utcnow,
)
from .validate import Operation, ValidationFailure, spec_validator

MAX_BODY = 65536
MAX_FILES = 3000
JWT_MAX_LIFETIME = 600
CLOCK_DRIFT = 60
DOCS = "https://docs.github.com/rest"
REDACTED_HEADERS = {"authorization", "cookie"}
APP_OPERATIONS = {"apps/get-authenticated", "apps/list-installations", "apps/get-installation",
                  "apps/create-installation-access-token", "apps/get-repo-installation"}
UNAUTHENTICATED_OPERATIONS = {"apps/create-from-manifest", "rate-limit/get"}
# Installation permission each repository operation needs (GitHub's "permissions required" tables).
REQUIRED_PERMISSION: dict[str, tuple[str, str]] = {
    "repos/get": ("metadata", "read"), "repos/get-collaborator-permission-level": ("metadata", "read"),
    "repos/get-content": ("contents", "read"), "repos/compare-commits": ("contents", "read"),
    "git/get-blob": ("contents", "read"), "git/get-tree": ("contents", "read"),
    "repos/download-tarball-archive": ("contents", "read"),
    "pulls/get": ("pull_requests", "read"), "pulls/list-files": ("pull_requests", "read"),
    "pulls/list-commits": ("pull_requests", "read"), "pulls/list-reviews": ("pull_requests", "read"),
    "pulls/get-review": ("pull_requests", "read"), "pulls/list-review-comments": ("pull_requests", "read"),
    "pulls/get-review-comment": ("pull_requests", "read"), "pulls/list-comments-for-review": ("pull_requests", "read"),
    "reactions/list-for-pull-request-review-comment": ("pull_requests", "read"),
    "pulls/create-review": ("pull_requests", "write"), "pulls/dismiss-review": ("pull_requests", "write"),
    "pulls/create-review-comment": ("pull_requests", "write"),
    "pulls/create-reply-for-review-comment": ("pull_requests", "write"),
    "pulls/update-review-comment": ("pull_requests", "write"),
    "reactions/create-for-pull-request-review-comment": ("pull_requests", "write"),
    "checks/create": ("checks", "write"), "checks/update": ("checks", "write"), "checks/list-for-ref": ("checks", "read"),
    "issues/create-comment": ("pull_requests", "write"), "issues/list-comments": ("pull_requests", "read"),
}
LEVELS = {"read": 1, "write": 2, "admin": 3}
# REST API versions GitHub accepts in X-GitHub-Api-Version (githubkit 0.16 sends 2026-03-10).
API_VERSIONS = {"2022-11-28", "2026-03-10"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: list[Any] | None = None, headers: dict[str, str] | None = None,
                 docs: str = DOCS) -> None:
        super().__init__(message)
        self.status, self.message, self.errors, self.headers, self.docs = status, message, errors, headers or {}, docs

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "documentation_url": self.docs, "status": str(self.status)}
        if self.errors is not None:
            out["errors"] = self.errors
        return out


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def invalid(message: str, *errors: Any) -> ApiError:
    return ApiError(422, message, list(errors))


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    """One request as the emulator saw it (Authorization redacted to its scheme)."""
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any
    status: int = 0
    operation_id: str | None = None
    response: Any = None
    response_headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


@dataclass
class Caller:
    kind: str  # "app" | "installation" | "anonymous"
    token: Token | None = None

    @property
    def bucket_key(self) -> str:
        return f"installation:{self.token.installation_id}" if self.token else self.kind


@dataclass
class Ctx:
    world: World
    op: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    caller: Caller
    url: str  # absolute request URL, for Link headers

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise not_found() from None

    @property
    def repo_name(self) -> str:
        return f"{self.params['owner']}/{self.params['repo']}"

    def repo(self) -> Repository:
        return self.world.repos[self.repo_name]  # existence and access were checked before the handler

    def git(self) -> GitRepo:
        return self.world.repo_git(self.repo_name)

    def pull(self) -> PullRequest:
        pr = self.world.pulls.get((self.repo_name, self.int_param("pull_number")))
        if pr is None:
            raise not_found()
        return pr


Handler = Callable[["Emulator", Ctx], Reply]
HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn
    return register


class Emulator:
    """The ASGI app plus what tests inspect: `requests`, `validation_errors`, `faults`, `world`."""

    def __init__(self, world: World, strict: bool = True) -> None:
        self.world = world
        self.strict = strict
        self.validator = spec_validator()
        self.faults = FaultQueue()
        self.requests: list[Recorded] = []
        self.validation_errors: list[ValidationFailure] = []
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
        self.app = Starlette(routes=[Route("/{rest:path}", self._endpoint, methods=methods)])

    # --- inspection helpers ---

    def calls(self, operation_id: str) -> list[Recorded]:
        return [r for r in self.requests if r.operation_id == operation_id]

    def reset_records(self) -> None:
        self.requests.clear()
        self.validation_errors.clear()

    # --- pipeline ---

    async def _endpoint(self, request: Request) -> Response:
        body = await request.body()
        reply = await run_in_threadpool(self.handle, request.method, request.url.path, request.query_params.multi_items(),
                                        {k.lower(): v for k, v in request.headers.items()}, body, str(request.url))
        raw = reply.raw if reply.raw is not None else (b"" if reply.body is None else json.dumps(reply.body).encode())
        return Response(raw, status_code=reply.status, headers=reply.headers,
                        media_type=reply.content_type if raw or reply.body is not None else None)

    def handle(self, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes,
               url: str) -> Reply:
        parsed_body = _parse_json(body)
        record = Recorded(method, path, list(query), _redact(headers), parsed_body if parsed_body is not _INVALID else body)
        with self.world.lock:
            self.requests.append(record)
        reply, op = self._dispatch(method, path, query, headers, body, parsed_body, url, record)
        reply.headers.setdefault("X-GitHub-Request-Id", uuid.uuid4().hex[:20].upper())
        record.status = reply.status
        record.response = reply.body
        record.response_headers = dict(reply.headers)
        return reply

    def _dispatch(self, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes,
                  parsed: Any, url: str, record: Recorded) -> tuple[Reply, Operation | None]:
        if path == "/_emulator/ready":
            return Reply(200, {"ok": True}), None
        if path.startswith("/_codeload/"):
            return self._codeload(path), None
        if path == "/graphql" and method == "POST":
            record.operation_id = "graphql"
            return self._graphql(headers, parsed), None
        found = self.validator.find(method, path)
        if found is None:
            self._fail("unknown-endpoint", method, path, None, ["no such operation in rest-api-subset.json"])
            return _error_reply(not_found()), None
        op, params = found
        record.operation_id = op.operation_id
        problems = self.validator.validate_request(op, path, params, query, headers, body or None,
                                                   headers.get("content-type", ""))
        if problems:
            self._fail("request", method, path, None, problems)
            return _error_reply(ApiError(422, "Invalid request.\n\n" + "\n".join(problems))), op
        caller: Caller | None = None
        try:
            version = headers.get("x-github-api-version")
            if version is not None and version not in API_VERSIONS:
                raise ApiError(400, f"API version {version} is not supported.")
            caller = self._authenticate(op.operation_id, headers, params)
            fault = self.faults.take(op.operation_id, method, path)
            after = fault if fault is not None and fault.kind.startswith("done_then_") else None
            reply = None if after is not None else self._fault(fault, caller)
            if reply is None:
                # GET /rate_limit neither counts nor is refused when the limit is exhausted.
                rate_headers = (self._rate_headers(self._bucket(caller, "core"), "core")
                                if op.operation_id == "rate-limit/get" else self._charge(caller, "core"))
                ctx = Ctx(self.world, op.operation_id, params, dict(query), parsed if parsed is not _INVALID else None,
                          headers, caller, url)
                with self.world.lock:
                    reply = HANDLERS[op.operation_id](self, ctx)
                reply.headers = {**rate_headers, **reply.headers}
                if after is not None:  # done: now the answer is lost or late
                    reply = self._after(after, reply)
        except ApiError as exc:
            reply = _error_reply(exc)
        if caller is not None and not any(h.lower() == "x-ratelimit-limit" for h in reply.headers):
            reply.headers.update(self._rate_headers(self._bucket(caller, "core"), "core"))
        return self._check_response(op, method, path, params, query, reply), op

    def _check_response(self, op: Operation, method: str, path: str, params: dict[str, str],
                        query: list[tuple[str, str]], reply: Reply) -> Reply:
        raw = reply.raw if reply.raw is not None else (None if reply.body is None else json.dumps(reply.body).encode())
        problems = self.validator.validate_response(op, path, params, query, reply.status, reply.headers, raw,
                                                    reply.content_type if raw is not None else "")
        if problems:
            self._fail("response", method, path, reply.status, problems)
            if self.strict:
                return Reply(500, {"message": "emulator bug: invalid response: " + "; ".join(problems)[:2000]})
        return reply

    def _fail(self, kind: str, method: str, path: str, status: int | None, messages: list[str]) -> None:
        with self.world.lock:
            self.validation_errors.append(ValidationFailure(kind, method.lower(), path, status, messages))

    # --- auth ---

    def _authenticate(self, operation_id: str, headers: dict[str, str], params: dict[str, str]) -> Caller:
        scheme, _, credential = headers.get("authorization", "").partition(" ")
        scheme = scheme.lower()
        if operation_id in UNAUTHENTICATED_OPERATIONS:
            token = self.world.tokens.get(credential) if credential else None
            return Caller("installation", token) if token else Caller("anonymous")
        if operation_id in APP_OPERATIONS:
            if scheme != "bearer" or not credential:
                raise ApiError(401, "A JSON web token could not be decoded")
            self._verify_jwt(credential.strip())
            return Caller("app")
        if scheme not in ("token", "bearer") or not credential:
            raise ApiError(401, "Requires authentication")
        token = self.world.tokens.get(credential.strip())
        if token is None or token.expires_at <= utcnow():
            raise ApiError(401, "Bad credentials")
        if "owner" in params and "repo" in params:
            full = f"{params['owner']}/{params['repo']}"
            if full not in self.world.repos or full not in token.repositories:
                raise not_found()  # GitHub hides repositories a token cannot reach
            need = REQUIRED_PERMISSION.get(operation_id)
            if need and LEVELS.get(token.permissions.get(need[0], ""), 0) < LEVELS[need[1]]:
                raise ApiError(403, "Resource not accessible by integration")
        return Caller("installation", token)

    def _verify_jwt(self, token: str) -> App:
        app = self.world.app
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256":
                raise ApiError(401, "A JSON web token could not be decoded")
            claims = jwt.decode(token, app.public_key, algorithms=["RS256"],
                                options={"require": ["iat", "exp", "iss"], "verify_exp": False, "verify_iat": False})
        except jwt.PyJWTError:
            raise ApiError(401, "A JSON web token could not be decoded") from None
        now = time.time()
        iat, exp = claims["iat"], claims["exp"]
        if not isinstance(iat, (int, float)) or iat > now + CLOCK_DRIFT:
            raise ApiError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the "
                                "assertion was issued.")
        if not isinstance(exp, (int, float)) or exp <= now:
            raise ApiError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future "
                                "time at which the assertion expires.")
        if exp > now + JWT_MAX_LIFETIME + 5 or exp - iat > JWT_MAX_LIFETIME + CLOCK_DRIFT:
            raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future.")
        if str(claims["iss"]) not in (str(app.id), app.client_id):
            raise ApiError(401, "'Issuer' claim ('iss') must be an Integer")
        return app

    # --- rate limiting and faults ---

    def _bucket(self, caller: Caller, resource: str) -> RateBucket:
        key = f"{caller.bucket_key}:{resource}"
        bucket = self.world.rate_buckets.get(key)
        now = int(time.time())
        if bucket is None or now >= bucket.reset:
            limit = 60 if caller.kind == "anonymous" else self.world.rate_limit
            bucket = RateBucket(limit, limit, now + 3600)
            self.world.rate_buckets[key] = bucket
        return bucket

    def _charge(self, caller: Caller, resource: str) -> dict[str, str]:
        with self.world.lock:
            bucket = self._bucket(caller, resource)
            if bucket.remaining <= 0:
                raise self._primary_error(caller, bucket, resource)
            bucket.remaining -= 1
            return self._rate_headers(bucket, resource)

    @staticmethod
    def _rate_headers(bucket: RateBucket, resource: str) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(bucket.limit), "X-RateLimit-Remaining": str(bucket.remaining),
                "X-RateLimit-Reset": str(bucket.reset), "X-RateLimit-Used": str(bucket.used),
                "X-RateLimit-Resource": resource}

    def _primary_error(self, caller: Caller, bucket: RateBucket, resource: str) -> ApiError:
        who = f" for installation ID {caller.token.installation_id}" if caller.token else ""
        message = (f"API rate limit exceeded{who}. If you reach out to GitHub Support for help, please include the "
                   f"request ID {uuid.uuid4().hex[:20].upper()} and timestamp {iso(utcnow())}.")
        return ApiError(403, message, headers=self._rate_headers(bucket, resource), docs=DOCS_RATE_LIMIT)

    def _fault(self, fault: Fault | None, caller: Caller) -> Reply | None:
        if fault is None:
            return None
        if fault.kind == "hold":
            fault.arrived.set()
            fault.release.wait(timeout=60)
            return None
        if fault.kind == "primary_rate_limit":
            with self.world.lock:
                bucket = self._bucket(caller, "core")
                bucket.remaining, bucket.reset = 0, int(time.time()) + fault.reset_in
                return _error_reply(self._primary_error(caller, bucket, "core"))
        if fault.kind == "secondary_rate_limit":
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            message = SECONDARY_MESSAGE.format(request_id=uuid.uuid4().hex[:20].upper())
            return _error_reply(ApiError(fault.status, message, headers=headers, docs=DOCS_RATE_LIMIT))
        messages = {500: "Server Error", 502: "Server Error", 503: "Service Unavailable", 504: "We couldn't respond "
                    "to your request in time. Sorry about that. Please try resubmitting your request and contact us "
                    "if the problem persists."}
        return _error_reply(ApiError(fault.status, messages.get(fault.status, "Server Error")))

    @staticmethod
    def _after(fault: Fault, reply: Reply) -> Reply:
        """A request GitHub carried out whose answer the client does not get in time, or gets as an error."""
        if fault.kind == "done_then_hold":
            fault.arrived.set()
            fault.release.wait(timeout=60)
            return reply
        return _error_reply(ApiError(fault.status, "Server Error"))

    # --- non-REST endpoints ---

    def _graphql(self, headers: dict[str, str], body: Any) -> Reply:
        scheme, _, credential = headers.get("authorization", "").partition(" ")
        token = self.world.tokens.get(credential.strip()) if scheme.lower() in ("token", "bearer") else None
        if token is None or token.expires_at <= utcnow():
            return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/graphql"})
        fault = self.faults.take("graphql", "POST", "/graphql")
        if fault is not None:
            return self._fault(fault, Caller("installation", token)) or Reply(500)
        try:
            rate = self._charge(Caller("installation", token), "graphql")
        except ApiError as exc:
            return _error_reply(exc)
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return Reply(200, {"errors": [{"message": "A query attribute must be specified and must be a string."}]},
                         headers=rate)
        try:
            with self.world.lock:
                data = execute_graphql(self.world, token, body["query"], body.get("variables") or {},
                                      body.get("operationName"))
        except GraphQLError as exc:
            return Reply(200, {"errors": [exc.as_dict()]}, headers=rate)
        return Reply(200, {"data": data}, headers=rate)

    def _codeload(self, path: str) -> Reply:
        # /_codeload/{owner}/{repo}/legacy.tar.gz/{sha}: stands in for codeload.github.com (not the REST API).
        parts = path.split("/")
        if len(parts) != 6 or parts[4] != "legacy.tar.gz":
            return Reply(404, raw=b"Not Found", content_type="text/plain")
        full = f"{parts[2]}/{parts[3]}"
        repo = self.world.repos.get(full)
        sha = repo.git.resolve(parts[5]) if repo else None
        if repo is None or sha is None:
            return Reply(404, raw=b"Not Found", content_type="text/plain")
        prefix = f"{repo.owner.login}-{repo.name}-{sha[:7]}"
        return Reply(200, raw=repo.git.archive(sha, prefix), content_type="application/x-gzip",
                     headers={"Content-Disposition": f"attachment; filename={prefix}.tar.gz"})


_INVALID = object()


def _parse_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return _INVALID


def _redact(headers: dict[str, str]) -> dict[str, str]:
    out = dict(headers)
    for name in REDACTED_HEADERS & out.keys():
        out[name] = out[name].split(" ", 1)[0] + " [redacted]"
    return out


def _error_reply(exc: ApiError) -> Reply:
    return Reply(exc.status, exc.body(), headers=dict(exc.headers))


# --- pagination ---------------------------------------------------------------------------------

def paginate(ctx: Ctx, items: list[Any], default: int = 30) -> tuple[list[Any], dict[str, str]]:
    try:
        per_page = max(1, min(100, int(ctx.query.get("per_page", default))))
        page = max(1, int(ctx.query.get("page", 1)))
    except ValueError:
        per_page, page = default, 1
    last = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page: page * per_page]
    base, _, _ = ctx.url.partition("?")
    base = ctx.world.api_url + base[base.index("/", base.index("//") + 2):]

    def link(n: int) -> str:
        q = {**ctx.query, "per_page": str(per_page), "page": str(n)}
        return f"{base}?{urlencode(q)}"

    rels = []
    if page > 1:
        rels += [f'<{link(page - 1)}>; rel="prev"', f'<{link(1)}>; rel="first"']
    if page < last:
        rels += [f'<{link(page + 1)}>; rel="next"', f'<{link(last)}>; rel="last"']
    return chunk, ({"Link": ", ".join(rels)} if rels else {})


def paged(ctx: Ctx, items: list[Any], default: int = 30) -> Reply:
    chunk, headers = paginate(ctx, items, default)
    return Reply(200, chunk, headers=headers)


# --- apps ---------------------------------------------------------------------------------------

@handles("apps/get-authenticated")
def get_app(emu: Emulator, ctx: Ctx) -> Reply:
    return Reply(200, render.integration(ctx.world))


@handles("apps/list-installations")
def list_installations(emu: Emulator, ctx: Ctx) -> Reply:
    items = [render.installation(ctx.world, i) for i in sorted(ctx.world.installations.values(), key=lambda i: i.id)]
    return paged(ctx, items)


def _installation(ctx: Ctx) -> Installation:
    inst = ctx.world.installations.get(ctx.int_param("installation_id"))
    if inst is None:
        raise not_found()
    return inst


@handles("apps/get-installation")
def get_installation(emu: Emulator, ctx: Ctx) -> Reply:
    return Reply(200, render.installation(ctx.world, _installation(ctx)))


@handles("apps/get-repo-installation")
def get_repo_installation(emu: Emulator, ctx: Ctx) -> Reply:
    inst = next((i for i in ctx.world.installations.values() if ctx.repo_name in i.repositories), None)
    if inst is None:
        raise not_found()
    return Reply(200, render.installation(ctx.world, inst))


@handles("apps/create-installation-access-token")
def create_token(emu: Emulator, ctx: Ctx) -> Reply:
    world, inst, body = ctx.world, _installation(ctx), ctx.body or {}
    if inst.suspended_at is not None:
        raise ApiError(403, "This installation has been suspended")
    repos = list(inst.repositories)
    names, ids = body.get("repositories"), body.get("repository_ids")
    if names is not None or ids is not None:
        wanted = {f"{inst.account.login}/{n}" if "/" not in n else n for n in names or []}
        wanted |= {r.full_name for r in world.repos.values() if r.id in (ids or [])}
        if not wanted <= set(repos) or (ids and len(wanted) < len(names or []) + len(ids)):
            raise invalid("There is at least one repository that does not exist or is not accessible to the "
                          "parent installation.")
        repos = [r for r in repos if r in wanted]
    permissions = dict(inst.permissions)
    if body.get("permissions"):
        for name, level in body["permissions"].items():
            if LEVELS.get(inst.permissions.get(name, ""), 0) < LEVELS.get(level, 9):
                raise invalid("The permissions requested are not granted to this installation.")
        permissions = dict(body["permissions"])
    token = Token(f"ghs_{secrets.token_urlsafe(27)[:36]}", inst.id, utcnow() + world.token_lifetime, permissions, repos)
    world.tokens[token.token] = token
    out = {"token": token.token, "expires_at": iso(token.expires_at), "permissions": permissions,
           "repository_selection": "selected" if names or ids else inst.repository_selection}
    if names or ids:
        out["repositories"] = [render.repository(world, world.repos[r]) for r in repos]
    return Reply(201, out)


@handles("apps/create-from-manifest")
def manifest_conversion(emu: Emulator, ctx: Ctx) -> Reply:
    world = ctx.world
    manifest = world.manifest_codes.pop(ctx.params["code"], None)
    if manifest is None:
        raise not_found()
    slug = str(manifest.get("name") or "auth-review").lower().replace(" ", "-")
    app = App.generate(world._next_id(), slug, world.app.owner)
    if isinstance(manifest.get("default_permissions"), dict):
        app.permissions = dict(manifest["default_permissions"])
    if isinstance(manifest.get("default_events"), list):
        app.events = list(manifest["default_events"])
    world.app = app  # the newly registered App is the one the bot authenticates as from now on
    world.bot = world.account(app.bot_login, "Bot")
    out = {**render.integration(world), "client_id": app.client_id, "client_secret": app.client_secret,
           "webhook_secret": app.webhook_secret, "pem": app.private_key_pem}
    return Reply(201, out)


@handles("rate-limit/get")
def rate_limit(emu: Emulator, ctx: Ctx) -> Reply:
    def entry(resource: str) -> dict[str, int]:
        b = emu._bucket(ctx.caller, resource)
        return {"limit": b.limit, "used": b.used, "remaining": b.remaining, "reset": b.reset}
    resources = {name: entry(name) for name in ("core", "graphql")}
    resources["search"] = {"limit": 30, "used": 0, "remaining": 30, "reset": int(time.time()) + 60}
    return Reply(200, {"resources": resources, "rate": resources["core"]})


# --- repositories and git data ------------------------------------------------------------------

@handles("repos/get")
def get_repo(emu: Emulator, ctx: Ctx) -> Reply:
    return Reply(200, render.repository(ctx.world, ctx.repo(), full=True))


@handles("repos/get-collaborator-permission-level")
def collaborator_permission(emu: Emulator, ctx: Ctx) -> Reply:
    login = ctx.params["username"]
    account = ctx.world.accounts.get(login)
    if account is None:
        raise ApiError(404, f"{login} is not a user")
    repo = ctx.repo()
    permission = ctx.world.collaborators.get((repo.full_name, login))
    if permission is None:
        permission = "admin" if login == repo.owner.login else "none"
    return Reply(200, render.collaborator_permission(ctx.world, account, permission))


def _resolve(ctx: Ctx, ref: str | None) -> str:
    sha = ctx.git().resolve(ref or ctx.repo().default_branch)
    if sha is None:
        raise ApiError(404, f"No commit found for the ref {ref}")
    return sha


@handles("repos/get-content")
def get_content(emu: Emulator, ctx: Ctx) -> Reply:
    ctx.repo()  # 404 for a repository the caller cannot see
    git = ctx.git()
    sha = _resolve(ctx, ctx.query.get("ref"))
    path = ctx.params["path"].strip("/")
    kind = git.object_type(f"{sha}:{path}")
    if kind is None:
        raise not_found()
    if kind == "tree":
        entries = [_content_entry(ctx, sha, mode, t, obj, p, size)
                   for mode, t, obj, p, size in git.tree(git.rev(f"{sha}:{path}") or "", False)]
        for e in entries:
            e["path"] = f"{path}/{e['name']}"
        return Reply(200, entries)
    blob_sha = git.rev(f"{sha}:{path}") or ""
    data = git.blob(blob_sha)
    accept = ctx.headers.get("accept", "")
    if "application/vnd.github.raw" in accept or "application/vnd.github.v3.raw" in accept:
        return Reply(200, raw=data, content_type="application/vnd.github.raw; charset=utf-8")
    entry = _content_entry(ctx, sha, "100644", "blob", blob_sha, path, len(data))
    # Like GitHub: files over 1 MB come back with an empty body and encoding "none".
    big = len(data) > 1_000_000
    entry.update({"encoding": "none" if big else "base64", "content": "" if big else render.wrapped_base64(data)})
    return Reply(200, entry)


def _content_entry(ctx: Ctx, ref: str, mode: str, kind: str, sha: str, path: str, size: int | None) -> dict[str, Any]:
    world, repo = ctx.world, ctx.repo_name
    api = f"{world.api_url}/repos/{repo}"
    is_dir = kind == "tree"
    self_url = f"{api}/contents/{path}?ref={ref}"
    html = f"{world.web_url}/{repo}/{'tree' if is_dir else 'blob'}/{ref}/{path}"
    git_url = f"{api}/git/{'trees' if is_dir else 'blobs'}/{sha}"
    return {"type": "dir" if is_dir else "file", "size": size or 0, "name": path.rsplit("/", 1)[-1], "path": path,
            "sha": sha, "url": self_url, "git_url": git_url, "html_url": html,
            "download_url": None if is_dir else f"{world.web_url}/{repo}/raw/{ref}/{path}",
            "_links": {"self": self_url, "git": git_url, "html": html}}


@handles("git/get-blob")
def get_blob(emu: Emulator, ctx: Ctx) -> Reply:
    sha, git = ctx.params["file_sha"], ctx.git()
    if git.object_type(sha) != "blob":
        raise not_found()
    data = git.blob(sha)
    return Reply(200, {"sha": sha, "node_id": render.node_id("Blob", int(sha[:7], 16)), "size": len(data),
                       "url": f"{ctx.world.api_url}/repos/{ctx.repo_name}/git/blobs/{sha}",
                       "content": render.wrapped_base64(data), "encoding": "base64"})


@handles("git/get-tree")
def get_tree(emu: Emulator, ctx: Ctx) -> Reply:
    git, api = ctx.git(), f"{ctx.world.api_url}/repos/{ctx.repo_name}"
    tree_sha = git.rev(f"{ctx.params['tree_sha']}^{{tree}}")
    if tree_sha is None:
        raise not_found()
    entries = []
    for mode, kind, sha, path, size in git.tree(tree_sha, "recursive" in ctx.query):
        entry: dict[str, Any] = {"path": path, "mode": mode, "type": kind, "sha": sha,
                                 "url": f"{api}/git/{'trees' if kind == 'tree' else 'blobs'}/{sha}"}
        if size is not None:
            entry["size"] = size
        entries.append(entry)
    return Reply(200, {"sha": tree_sha, "url": f"{api}/git/trees/{tree_sha}", "tree": entries, "truncated": False})


@handles("repos/compare-commits")
def compare(emu: Emulator, ctx: Ctx) -> Reply:
    world, git, repo = ctx.world, ctx.git(), ctx.repo_name
    base_ref, sep, head_ref = ctx.params["basehead"].partition("...")
    if not sep:
        raise not_found()
    base, head = _resolve(ctx, base_ref), _resolve(ctx, head_ref)
    merge_base = git.merge_base(base, head)
    ahead, behind = git.commits_between(merge_base, head), git.commits_between(merge_base, base)
    status = "identical" if base == head else "ahead" if not behind else "behind" if not ahead else "diverged"
    commits, headers = paginate(ctx, [render.commit(world, repo, c) for c in ahead], default=250)
    html = f"{world.web_url}/{repo}/compare/{base_ref}...{head_ref}"
    files = [render.diff_entry(world, repo, f, head) for f in git.diff(merge_base, head)[:300]]
    return Reply(200, {
        "url": f"{world.api_url}/repos/{repo}/compare/{base_ref}...{head_ref}", "html_url": html,
        "permalink_url": f"{world.web_url}/{repo}/compare/{base[:7]}...{head[:7]}", "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch", "base_commit": render.commit(world, repo, git.commit(base)),
        "merge_base_commit": render.commit(world, repo, git.commit(merge_base)), "status": status,
        "ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead), "commits": commits,
        "files": files}, headers=headers)


@handles("repos/download-tarball-archive")
def tarball(emu: Emulator, ctx: Ctx) -> Reply:
    sha = _resolve(ctx, ctx.params["ref"])
    location = f"{ctx.world.api_url}/_codeload/{ctx.repo_name}/legacy.tar.gz/{sha}"
    return Reply(302, headers={"Location": location})


# --- pull requests ------------------------------------------------------------------------------

def pr_files(ctx: Ctx, pr: PullRequest, head: str | None = None) -> tuple[FileDiff, ...]:
    git = ctx.world.repo_git(pr.repo)  # fork heads are fetched into the base repository
    head = head or pr.head_sha
    return git.diff(git.merge_base(pr.base_sha, head), head)


@handles("pulls/get")
def get_pull(emu: Emulator, ctx: Ctx) -> Reply:
    pr, git = ctx.pull(), ctx.git()
    commits = len(git.commits_between(git.merge_base(pr.base_sha, pr.head_sha), pr.head_sha))
    return Reply(200, render.pull_request(ctx.world, pr, pr_files(ctx, pr), commits))


@handles("pulls/list-files")
def list_files(emu: Emulator, ctx: Ctx) -> Reply:
    pr = ctx.pull()
    files = pr_files(ctx, pr)[:MAX_FILES]
    return paged(ctx, [render.diff_entry(ctx.world, pr.repo, f, pr.head_sha) for f in files])


@handles("pulls/list-commits")
def list_commits(emu: Emulator, ctx: Ctx) -> Reply:
    pr, git = ctx.pull(), ctx.git()
    commits = git.commits_between(git.merge_base(pr.base_sha, pr.head_sha), pr.head_sha)
    return paged(ctx, [render.commit(ctx.world, pr.repo, c) for c in commits])


def _check_body(body: Any, field: str = "body") -> str:
    if body is None:
        return ""
    if len(body) > MAX_BODY:
        raise invalid("Validation Failed", {"resource": "PullRequestReview", "code": "custom", "field": field,
                                            "message": f"{field} is too long (maximum is {MAX_BODY} characters)"})
    return body


@dataclass
class Placement:
    line: int | None
    side: str | None
    start_line: int | None
    start_side: str | None
    position: int
    diff_hunk: str


def _line_index(hunk: Hunk, line: int, side: str) -> int | None:
    """Index in `hunk.lines` of file line `line` on `side`, if the hunk shows it."""
    old, new = hunk.old_start, hunk.new_start
    for i, text in enumerate(hunk.lines[1:], start=1):
        tag = text[:1]
        if tag == "\\":
            continue
        if side == "RIGHT" and tag in (" ", "+") and new == line:
            return i
        if side == "LEFT" and tag in (" ", "-") and old == line:
            return i
        old += tag in (" ", "-")
        new += tag in (" ", "+")
    return None


def place_comment(f: FileDiff | None, spec: dict[str, Any]) -> Placement | str:
    """Where a review comment lands in the diff, or the reason GitHub would refuse it."""
    if f is None or not f.hunks:
        return "Path could not be resolved"
    if spec.get("position") is not None and spec.get("line") is None:
        pos = spec["position"]
        for hunk in f.hunks:
            i = pos - hunk.first_position
            if 0 < i < len(hunk.lines):
                return Placement(None, None, None, None, pos, "\n".join(hunk.lines[: i + 1]))
        return "Position could not be resolved"
    line, side = spec.get("line"), spec.get("side") or "RIGHT"
    if line is None:
        return "Line could not be resolved"
    for hunk in f.hunks:
        end = _line_index(hunk, line, side)
        if end is None:
            continue
        start_line, start_side = spec.get("start_line"), spec.get("start_side") or side
        if start_line is not None:
            if start_line > line:
                return "start_line must precede the end line."
            if _line_index(hunk, start_line, start_side) is None:
                return "start_line must be part of the same hunk as the line."
        return Placement(line, side, start_line, start_line and start_side, hunk.first_position + end,
                         "\n".join(hunk.lines[: end + 1]))
    return "Line could not be resolved"


def _commit_for_comment(ctx: Ctx, pr: PullRequest, commit_id: str | None) -> str:
    if commit_id is None:
        return pr.head_sha
    sha = ctx.git().resolve(commit_id)
    if sha is None or sha not in pr.commit_shas:
        raise invalid("Unprocessable Entity", "commit_id is not part of the pull request")
    return sha


def _new_thread(world: World, comment: ReviewComment) -> None:
    tid = "PRRT_" + render.node_id("Thread", comment.id).rstrip("=")
    world.threads[tid] = ReviewThread(tid, comment.repo, comment.pull_number, [comment.id])


@handles("pulls/create-review")
def create_review(emu: Emulator, ctx: Ctx) -> Reply:
    world, pr, body = ctx.world, ctx.pull(), ctx.body or {}
    event = body.get("event")
    text = body.get("body") or ""
    if len(text) > MAX_BODY:
        raise invalid("Unprocessable Entity", f"Body is too long (maximum is {MAX_BODY} characters)")
    if event == "REQUEST_CHANGES" and not text:
        raise invalid("Unprocessable Entity", "Body is required when using REQUEST_CHANGES")
    comments = body.get("comments") or []
    if event == "COMMENT" and not text and not comments:
        raise invalid("Unprocessable Entity", "Body is required when using COMMENT")
    commit = _commit_for_comment(ctx, pr, body.get("commit_id"))
    files = {f.filename: f for f in pr_files(ctx, pr, commit)}
    placements = []
    for spec in comments:
        if len(spec.get("body") or "") > MAX_BODY:
            raise invalid("Unprocessable Entity", f"Body is too long (maximum is {MAX_BODY} characters)")
        placed = place_comment(files.get(spec["path"]), spec)
        if isinstance(placed, str):
            raise invalid("Unprocessable Entity", placed)
        placements.append((spec, placed))
    state = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(event or "",
                                                                                                    "PENDING")
    review = Review(world._next_id(), pr.repo, pr.number, world.bot, text, state, commit,
                    submitted_at=None if state == "PENDING" else utcnow())
    for spec, placed in placements:
        comment = ReviewComment(world._next_id(), pr.repo, pr.number, review.id, world.bot, spec["body"], spec["path"],
                                commit, placed.diff_hunk, placed.line, placed.side, placed.start_line,
                                placed.start_side, placed.position)
        world.review_comments[comment.id] = comment
        review.comment_ids.append(comment.id)
        _new_thread(world, comment)
    world.reviews[review.id] = review
    return Reply(200, render.review(world, review))


def _review(ctx: Ctx, pr: PullRequest) -> Review:
    review = ctx.world.reviews.get(ctx.int_param("review_id"))
    if review is None or (review.repo, review.pull_number) != (pr.repo, pr.number):
        raise not_found()
    return review


@handles("pulls/list-reviews")
def list_reviews(emu: Emulator, ctx: Ctx) -> Reply:
    pr = ctx.pull()
    return paged(ctx, [render.review(ctx.world, r) for r in ctx.world.reviews_for(pr.repo, pr.number)])


@handles("pulls/get-review")
def get_review(emu: Emulator, ctx: Ctx) -> Reply:
    return Reply(200, render.review(ctx.world, _review(ctx, ctx.pull())))


@handles("pulls/dismiss-review")
def dismiss_review(emu: Emulator, ctx: Ctx) -> Reply:
    review = _review(ctx, ctx.pull())
    if review.state not in ("APPROVED", "CHANGES_REQUESTED"):
        raise invalid("Unprocessable Entity", "Can not dismiss a " + review.state.lower().replace("_", " ")
                      + " pull request review")
    review.state, review.dismissal_message = "DISMISSED", (ctx.body or {}).get("message")
    return Reply(200, render.review(ctx.world, review))


def _is_outdated(ctx: Ctx, pr: PullRequest, c: ReviewComment) -> bool:
    """Approximation: outdated once a later head changes that file's diff (GitHub tracks lines finer)."""
    if c.commit_id == pr.head_sha:
        return False
    then = {f.filename: f.patch for f in pr_files(ctx, pr, c.commit_id)}
    now = {f.filename: f.patch for f in pr_files(ctx, pr)}
    return then.get(c.path) != now.get(c.path)


def _render_comment(ctx: Ctx, c: ReviewComment, position_required: bool = False) -> dict[str, Any]:
    pr = ctx.world.pulls[(c.repo, c.pull_number)]
    return render.review_comment(ctx.world, c, outdated=_is_outdated(ctx, pr, c), position_required=position_required)


@handles("pulls/list-comments-for-review")
def list_comments_for_review(emu: Emulator, ctx: Ctx) -> Reply:
    review = _review(ctx, ctx.pull())
    return paged(ctx, [_render_comment(ctx, ctx.world.review_comments[i], position_required=True)
                       for i in review.comment_ids])


@handles("pulls/list-review-comments")
def list_review_comments(emu: Emulator, ctx: Ctx) -> Reply:
    pr = ctx.pull()
    comments = ctx.world.comments_for(pr.repo, pr.number)
    since = _since(ctx)
    if since is not None:
        comments = [c for c in comments if c.updated_at >= since]
    key = (lambda c: c.updated_at) if ctx.query.get("sort") == "updated" else (lambda c: (c.created_at, c.id))
    comments.sort(key=key, reverse=ctx.query.get("direction") == "desc")
    return paged(ctx, [_render_comment(ctx, c) for c in comments])


def _since(ctx: Ctx) -> datetime | None:
    raw = ctx.query.get("since")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("Validation Failed", {"resource": "Search", "field": "since", "code": "invalid"}) from None


def _comment(ctx: Ctx) -> ReviewComment:
    c = ctx.world.review_comments.get(ctx.int_param("comment_id"))
    if c is None or c.repo != ctx.repo_name:
        raise not_found()
    return c


@handles("pulls/get-review-comment")
def get_review_comment(emu: Emulator, ctx: Ctx) -> Reply:
    return Reply(200, _render_comment(ctx, _comment(ctx)))


@handles("pulls/update-review-comment")
def update_review_comment(emu: Emulator, ctx: Ctx) -> Reply:
    c = _comment(ctx)
    if c.user.login != ctx.world.bot.login:
        raise ApiError(403, "Resource not accessible by integration")
    c.edits.append(c.body)
    c.body, c.updated_at = _check_body(ctx.body["body"]), utcnow()
    return Reply(200, _render_comment(ctx, c))


@handles("pulls/create-review-comment")
def create_review_comment(emu: Emulator, ctx: Ctx) -> Reply:
    world, pr, body = ctx.world, ctx.pull(), ctx.body
    if body.get("in_reply_to") is not None:
        return _reply_to(ctx, pr, body["in_reply_to"], body["body"])
    commit = _commit_for_comment(ctx, pr, body["commit_id"])
    files = {f.filename: f for f in pr_files(ctx, pr, commit)}
    if body.get("subject_type") == "file":
        if body["path"] not in files:
            raise _thread_error("path", "Path could not be resolved")
        placed: Placement | str = Placement(None, None, None, None, 1, "")
    else:
        placed = place_comment(files.get(body["path"]), body)
    if isinstance(placed, str):
        raise _thread_error("line", placed)
    c = ReviewComment(world._next_id(), pr.repo, pr.number, None, world.bot, _check_body(body["body"]), body["path"],
                      commit, placed.diff_hunk, placed.line, placed.side, placed.start_line, placed.start_side,
                      placed.position, subject_type=body.get("subject_type") or "line")
    review = Review(world._next_id(), pr.repo, pr.number, world.bot, "", "COMMENTED", commit, [c.id], utcnow())
    c.review_id = review.id  # GitHub wraps a single comment in its own review
    world.reviews[review.id] = review
    world.review_comments[c.id] = c
    _new_thread(world, c)
    return Reply(201, _render_comment(ctx, c))


def _thread_error(field: str, message: str) -> ApiError:
    return invalid("Validation Failed", {"resource": "PullRequestReviewComment", "code": "custom",
                                         "field": f"pull_request_review_thread.{field}",
                                         "message": f"pull_request_review_thread.{field} {message}"})


def _reply_to(ctx: Ctx, pr: PullRequest, parent_id: int, text: str) -> Reply:
    world = ctx.world
    parent = world.review_comments.get(parent_id)
    if parent is None or (parent.repo, parent.pull_number) != (pr.repo, pr.number):
        raise not_found()
    c = world.add_reply(parent.id, world.bot, _check_body(text))
    return Reply(201, _render_comment(ctx, c))


@handles("pulls/create-reply-for-review-comment")
def create_reply(emu: Emulator, ctx: Ctx) -> Reply:
    return _reply_to(ctx, ctx.pull(), ctx.int_param("comment_id"), ctx.body["body"])


# --- reactions ----------------------------------------------------------------------------------

@handles("reactions/list-for-pull-request-review-comment")
def list_reactions(emu: Emulator, ctx: Ctx) -> Reply:
    c = _comment(ctx)
    content = ctx.query.get("content")
    items = [r for r in ctx.world.reactions.values() if r.comment_id == c.id and (not content or r.content == content)]
    return paged(ctx, [render.reaction(ctx.world, r) for r in items])


@handles("reactions/create-for-pull-request-review-comment")
def create_reaction(emu: Emulator, ctx: Ctx) -> Reply:
    world, c, content = ctx.world, _comment(ctx), ctx.body["content"]
    existing = next((r for r in world.reactions.values()
                     if r.comment_id == c.id and r.content == content and r.user.login == world.bot.login), None)
    if existing is not None:
        return Reply(200, render.reaction(world, existing))
    r = Reaction(world._next_id(), c.id, world.bot, content)
    world.reactions[r.id] = r
    return Reply(201, render.reaction(world, r))


# --- issue comments -----------------------------------------------------------------------------

def _issue_number(ctx: Ctx) -> int:
    number = ctx.int_param("issue_number")
    if (ctx.repo_name, number) not in ctx.world.pulls:
        raise not_found()  # the emulated world only has pull requests
    return number


@handles("issues/create-comment")
def create_issue_comment(emu: Emulator, ctx: Ctx) -> Reply:
    world, number = ctx.world, _issue_number(ctx)
    text = ctx.body["body"]
    if len(text) > MAX_BODY:
        raise invalid("Validation Failed", {"resource": "IssueComment", "code": "custom", "field": "body",
                                            "message": f"body is too long (maximum is {MAX_BODY} characters)"})
    c = IssueComment(world._next_id(), ctx.repo_name, number, world.bot, text)
    world.issue_comments[c.id] = c
    return Reply(201, render.issue_comment(world, c))


@handles("issues/list-comments")
def list_issue_comments(emu: Emulator, ctx: Ctx) -> Reply:
    number, since = _issue_number(ctx), _since(ctx)
    items = [c for c in ctx.world.issue_comments.values() if c.repo == ctx.repo_name and c.issue_number == number
             and (since is None or c.updated_at >= since)]
    return paged(ctx, [render.issue_comment(ctx.world, c) for c in items])


# --- check runs ---------------------------------------------------------------------------------

def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise invalid("Invalid request.", f"{value!r} is not a valid ISO 8601 timestamp") from None


def _apply_check_body(run: CheckRun, body: dict[str, Any]) -> None:
    output = body.get("output") or {}
    for name in ("summary", "text"):
        if len(output.get(name) or "") > 65535:
            raise invalid("Invalid request.", f"output.{name} is too long (maximum is 65535 characters)")
    annotations = output.get("annotations") or []
    if len(annotations) > 50:
        raise invalid("Invalid request.", "Only 50 annotations are allowed per request")
    if len(body.get("actions") or []) > 3:
        raise invalid("Invalid request.", "Only 3 actions are allowed")
    for a in annotations:
        if a["start_line"] > a["end_line"]:
            raise invalid("Invalid request.", "Annotation end_line must be greater than or equal to start_line")
    if "name" in body:
        run.name = body["name"]
    for attr in ("details_url", "external_id"):
        if attr in body:
            setattr(run, attr, body[attr])
    if "actions" in body:
        run.actions = list(body["actions"])
    if output:
        run.output.update({k: output[k] for k in ("title", "summary", "text") if k in output})
        run.annotations.extend(annotations)  # GitHub appends annotations across updates
    if "started_at" in body:
        run.started_at = _timestamp(body["started_at"])
    if body.get("conclusion") is not None:
        run.status, run.conclusion = "completed", body["conclusion"]
        run.completed_at = _timestamp(body.get("completed_at")) or utcnow()
    elif body.get("status"):
        run.status = body["status"]
        if run.status == "completed":
            raise invalid("Invalid request.", "conclusion is required when status is completed")
        if run.status == "in_progress" and run.started_at is None:
            run.started_at = utcnow()
    run.updates.append(body)


@handles("checks/create")
def create_check_run(emu: Emulator, ctx: Ctx) -> Reply:
    world, body = ctx.world, ctx.body
    sha = ctx.git().resolve(body["head_sha"])
    if sha is None or sha != body["head_sha"]:
        raise invalid("Validation Failed", {"resource": "CheckRun", "code": "invalid", "field": "head_sha"})
    suite = next((r.check_suite_id for r in world.check_runs.values() if r.repo == ctx.repo_name and r.head_sha == sha),
                 world._next_id())
    run = CheckRun(world._next_id(), ctx.repo_name, sha, body["name"], "queued", None, world.app.id, suite,
                   started_at=utcnow())
    _apply_check_body(run, body)
    world.check_runs[run.id] = run
    return Reply(201, render.check_run(world, run))


@handles("checks/update")
def update_check_run(emu: Emulator, ctx: Ctx) -> Reply:
    run = ctx.world.check_runs.get(ctx.int_param("check_run_id"))
    if run is None or run.repo != ctx.repo_name:
        raise not_found()
    if run.app_id != ctx.world.app.id:
        raise ApiError(403, f"Invalid app_id `{ctx.world.app.id}` - check run can only be modified by the GitHub App "
                            "that created it.")
    _apply_check_body(run, ctx.body or {})
    return Reply(200, render.check_run(ctx.world, run))


@handles("checks/list-for-ref")
def list_check_runs(emu: Emulator, ctx: Ctx) -> Reply:
    sha = _resolve(ctx, ctx.params["ref"])
    runs = ctx.world.check_runs_for(ctx.repo_name, sha)
    if ctx.query.get("check_name"):
        runs = [r for r in runs if r.name == ctx.query["check_name"]]
    if ctx.query.get("status"):
        runs = [r for r in runs if r.status == ctx.query["status"]]
    if ctx.query.get("app_id"):
        runs = [r for r in runs if str(r.app_id) == ctx.query["app_id"]]
    if ctx.query.get("filter", "latest") == "latest":
        latest: dict[str, CheckRun] = {}
        for r in runs:
            latest[r.name] = r  # later ids win
        runs = list(latest.values())
    runs.sort(key=lambda r: -r.id)
    chunk, headers = paginate(ctx, [render.check_run(ctx.world, r) for r in runs])
    return Reply(200, {"total_count": len(runs), "check_runs": chunk}, headers=headers)


def token_for_tests(world: World, installation_id: int, lifetime: timedelta | None = None) -> str:
    """Issue an installation token directly (tests that are not about the token flow)."""
    inst = world.installations[installation_id]
    token = Token(f"ghs_{secrets.token_urlsafe(27)[:36]}", inst.id, utcnow() + (lifetime or world.token_lifetime),
                  dict(inst.permissions), list(inst.repositories))
    world.tokens[token.token] = token
    return token.token
