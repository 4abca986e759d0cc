"""The framework model: routes and their guards, for Flask and FastAPI/Starlette idioms."""

from __future__ import annotations

import textwrap

import libcst as cst

from auth_review.analyzers.config import Config
from auth_review.analyzers.context import FileContext
from auth_review.analyzers.frameworks import Route, file_routes
from auth_review.analyzers.source import Source


def routes(code: str, config: Config | None = None) -> dict[str, Route]:
    code = textwrap.dedent(code)
    ctx = FileContext(Source("app/views.py", code.encode(), code), cst.parse_module(code), config or Config())
    return {r.name: r for r in file_routes(ctx)}


def test_flask_decorators_aliases_and_methods() -> None:
    found = routes("""
        from flask import Flask, Blueprint
        from flask_login import login_required as auth

        app = Flask(__name__)

        @app.route("/notes", methods=["GET", "POST"])
        @auth
        def notes():
            ...

        @app.delete("/notes/<int:note_id>")
        def delete_note(note_id):
            ...
    """)
    assert found["notes"].methods == ("GET", "POST") and found["notes"].path == "/notes"
    assert [g.name for g in found["notes"].guards] == ["@auth"]
    assert found["delete_note"].methods == ("DELETE",) and not found["delete_note"].authenticated
    assert found["delete_note"].label == "DELETE /notes/<int:note_id>"


def test_blueprint_before_request_guards_every_route_of_that_blueprint_only() -> None:
    found = routes("""
        from flask import Blueprint, abort, g

        admin = Blueprint("admin", __name__)
        public = Blueprint("public", __name__)

        @admin.before_request
        def require_login():
            if g.user is None:
                abort(401)

        @admin.get("/users")
        def users():
            ...

        @public.get("/about")
        def about():
            ...
    """)
    assert [g.kind for g in found["users"].guards] == ["hook"]
    assert found["users"].guards[0].level == "router"
    assert not found["about"].authenticated


def test_project_decorator_wrapping_a_known_guard_is_a_guard_and_admin_means_role() -> None:
    found = routes("""
        from functools import wraps
        from flask import Flask, abort
        from flask_jwt_extended import jwt_required, get_jwt

        app = Flask(__name__)

        def admin_required(fn):
            @wraps(fn)
            @jwt_required()
            def wrapper(*args, **kwargs):
                if get_jwt().get("role") != "admin":
                    abort(403)
                return fn(*args, **kwargs)
            return wrapper

        def timed(fn):
            return fn

        @app.post("/users/<int:user_id>/ban")
        @admin_required
        def ban(user_id):
            ...

        @app.get("/stats")
        @timed
        def stats():
            ...
    """)
    assert found["ban"].authenticated and found["ban"].role_checked
    assert not found["stats"].authenticated


def test_explicit_checks_in_the_body_count() -> None:
    found = routes("""
        from flask import Flask, abort, redirect, url_for
        from flask_login import current_user

        app = Flask(__name__)

        @app.get("/dashboard")
        def dashboard():
            if not current_user.is_authenticated:
                return redirect(url_for("login"))
            return "ok"

        @app.get("/profile")
        def profile():
            if not current_user.is_authenticated:
                abort(401)
            return "ok"

        @app.get("/feed")
        def feed():
            items = load()
            return items
    """)
    assert found["dashboard"].authenticated and found["profile"].authenticated
    assert not found["feed"].authenticated


def test_fastapi_router_app_parameter_and_annotated_dependencies() -> None:
    found = routes("""
        from typing import Annotated
        from fastapi import APIRouter, Depends, FastAPI, HTTPException
        from fastapi.security import OAuth2PasswordBearer

        oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")

        def get_current_user(token: str = Depends(oauth2_scheme)):
            user = decode(token)
            if user is None:
                raise HTTPException(status_code=401)
            return user

        CurrentUser = Annotated[dict, Depends(get_current_user)]

        app = FastAPI()
        private = APIRouter(dependencies=[Depends(get_current_user)])
        open_router = APIRouter()

        @private.get("/items")
        def items():
            ...

        @open_router.get("/items/{item_id}")
        def item(item_id: int, user=Depends(get_current_user)):
            ...

        @open_router.put("/items/{item_id}")
        def update(item_id: int, user: CurrentUser):
            ...

        @open_router.delete("/items/{item_id}")
        def delete(item_id: int):
            ...

        @app.get("/health")
        def health():
            return {"ok": True}
    """)
    assert found["items"].guards[0].level == "router" and found["items"].framework == "fastapi"
    assert found["item"].authenticated and found["update"].authenticated
    assert not found["delete"].authenticated and not found["health"].authenticated
    assert found["delete"].label == "DELETE /items/{item_id}"


def test_configured_guard_names_and_method_views() -> None:
    found = routes("""
        from flask import Flask
        from flask.views import MethodView
        from app.security import require_api_key, login_required

        app = Flask(__name__)

        class NotesAPI(MethodView):
            decorators = [login_required]

            def get(self):
                ...

            def post(self):
                ...

        class OpenAPI(MethodView):
            def get(self):
                ...

        app.add_url_rule("/notes", view_func=NotesAPI.as_view("notes"))
        app.add_url_rule("/open", view_func=OpenAPI.as_view("open"))

        @app.get("/export")
        @require_api_key
        def export():
            ...
    """, Config(auth_decorators=("require_api_key", "app.security.login_required")))
    assert found["NotesAPI.get"].methods == ("GET",) and found["NotesAPI.post"].authenticated
    assert found["NotesAPI.get"].label == "GET /notes" and found["NotesAPI.get"].authenticated
    assert not found["OpenAPI.get"].authenticated
    assert found["export"].guards[0].kind == "configured"


def test_guards_defined_in_other_modules_are_followed_through_the_project() -> None:
    from auth_review.analyzers.project import PARSE_CACHE, Project

    files = {
        "app/__init__.py": "from .auth import admin_required\n",
        "app/deps.py": textwrap.dedent("""
            from fastapi import Depends, HTTPException
            from fastapi.security import OAuth2PasswordBearer

            oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")

            def load_user(token: str = Depends(oauth2_scheme)):
                return token

            def pagination(page: int = 1):
                return page
        """),
        "app/auth.py": textwrap.dedent("""
            from functools import wraps
            from flask_jwt_extended import verify_jwt_in_request

            def admin_required(fn):
                @wraps(fn)
                def inner(*a, **k):
                    verify_jwt_in_request()
                    return fn(*a, **k)
                return inner
        """),
        "app/routes.py": textwrap.dedent("""
            from fastapi import APIRouter, Depends
            from app.deps import load_user, pagination

            router = APIRouter()

            @router.get("/me")
            def me(user=Depends(load_user)):
                ...

            @router.get("/catalog")
            def catalog(page=Depends(pagination)):
                ...
        """),
        "app/admin.py": textwrap.dedent("""
            from flask import Blueprint
            from app import admin_required

            bp = Blueprint("admin", __name__)

            @bp.post("/purge")
            @admin_required
            def purge():
                ...
        """),
    }
    project = Project(sorted(files), lambda path: files[path].encode(), Config())
    api = {r.name: r for r in file_routes(project.context_for_path("app/routes.py"))}
    assert api["me"].authenticated and api["me"].guards[0].name == "Depends(load_user)"
    assert not api["catalog"].authenticated  # a dependency that checks nobody is no guard
    admin = {r.name: r for r in file_routes(project.context_for_path("app/admin.py"))}
    assert admin["purge"].authenticated and admin["purge"].role_checked  # re-exported through app/__init__.py
    misses = PARSE_CACHE.misses
    again = Project(sorted(files), lambda path: files[path].encode(), Config())
    file_routes(again.context_for_path("app/routes.py"))
    assert PARSE_CACHE.misses == misses  # unchanged files are not parsed again


def test_starlette_http_endpoints_route_each_method_with_its_guards() -> None:
    found = routes("""
        from starlette.authentication import requires
        from starlette.endpoints import HTTPEndpoint
        from starlette.routing import Route

        class Members(HTTPEndpoint):
            async def get(self, request):
                ...

            @requires("admin")
            async def post(self, request):
                ...

        routes = [Route("/members", Members)]
    """)
    assert found["Members.get"].label == "GET /members" and not found["Members.get"].authenticated
    assert found["Members.post"].authenticated and found["Members.post"].framework == "starlette"


def test_router_guards_given_at_include_time_and_aliases_from_other_modules() -> None:
    from auth_review.analyzers.project import Project

    files = {
        "app/deps.py": textwrap.dedent("""
            from typing import Annotated
            from fastapi import Depends, HTTPException

            def get_current_user(token: str = Depends(scheme)):
                if token is None:
                    raise HTTPException(status_code=401)
                return token

            def get_current_admin(user=Depends(get_current_user)):
                if not user.is_admin:
                    raise HTTPException(status_code=403)
                return user

            AdminUser = Annotated[dict, Depends(get_current_admin)]
        """),
        "app/routers/admin.py": textwrap.dedent("""
            from fastapi import APIRouter
            router = APIRouter(prefix="/admin")

            @router.delete("/users/{user_id}")
            def delete_user(user_id: int):
                ...
        """),
        "app/routers/items.py": textwrap.dedent("""
            from fastapi import APIRouter
            from app.deps import AdminUser
            router = APIRouter()

            @router.post("/items/{item_id}/feature")
            def feature(item_id: int, admin: AdminUser):
                ...
        """),
        "app/main.py": textwrap.dedent("""
            from fastapi import Depends, FastAPI
            from app.deps import get_current_admin
            from app.routers import admin
            app = FastAPI()
            app.include_router(admin.router, dependencies=[Depends(get_current_admin)])
        """),
    }
    project = Project(sorted(files), lambda path: files[path].encode(), Config())
    [delete] = file_routes(project.context_for_path("app/routers/admin.py"))
    assert delete.authenticated and delete.role_checked and delete.guards[0].level == "router"
    [feature] = file_routes(project.context_for_path("app/routers/items.py"))
    assert feature.guards[0].name == "Depends(get_current_admin)" and feature.role_checked
