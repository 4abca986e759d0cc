"""The framework model beyond Flask, FastAPI, Starlette and Django: aiohttp tables and views, Sanic, Django
Ninja, Litestar, Bottle and flask-restful/restx/smorest resources, alone and across the modules of a project."""

from __future__ import annotations

import json
import textwrap

import libcst as cst
import yaml

from auth_review.analyzers.config import Config
from auth_review.analyzers.frameworks import (
    ENDPOINT_HINT,
    Framework,
    HandlerFlow,
    endpoints,
    file_routes,
    routed_elsewhere,
)
from auth_review.analyzers.project import Project

from .helpers import guard_names, project_routes, snippet_context, snippet_routes

AIOHTTP_VIEWS = """
    from aiohttp import web
    from aiohttp_security import check_authorized

    async def index(request):
        return web.Response(text="hi")

    async def delete_invoice(request):
        await check_authorized(request)
        await Invoice.delete(request.match_info["id"])
        return web.Response(status=204)

    class InvoiceView(web.View):
        async def get(self):
            return web.json_response(await Invoice.get(self.request.match_info["id"]))

        async def put(self):
            await check_authorized(self.request)

    class Handlers:
        async def create(self, request):
            return web.Response(status=201)
"""

AIOHTTP_ROUTES = """
    from aiohttp import web
    from .views import Handlers, InvoiceView, delete_invoice, index

    handlers = Handlers()

    def setup_routes(app: web.Application) -> None:
        app.router.add_get("/", index)
        app.router.add_route("DELETE", "/invoices/{id}", delete_invoice)
        app.router.add_view("/invoices/{id}", InvoiceView)
        app.add_routes([web.post("/invoices", handlers.create)])
"""


def test_aiohttp_tables_in_another_module_name_this_modules_handlers() -> None:
    found = project_routes({"shop/__init__.py": "", "shop/views.py": AIOHTTP_VIEWS, "shop/routes.py": AIOHTTP_ROUTES},
                           "shop/views.py")
    assert set(found) == {"GET /", "DELETE /invoices/{id}", "GET /invoices/{id}", "PUT /invoices/{id}",
                          "POST /invoices"}
    assert all(r.framework == Framework.AIOHTTP for r in found.values())
    assert found["DELETE /invoices/{id}"].authenticated and found["PUT /invoices/{id}"].authenticated
    assert not found["GET /invoices/{id}"].authenticated and not found["POST /invoices"].authenticated
    assert found["GET /invoices/{id}"].view_class is not None


def test_aiohttp_middleware_that_refuses_guards_every_route() -> None:
    app = """
        from aiohttp import web
        from .routes import setup_routes

        @web.middleware
        async def require_login(request, handler):
            if request.get("user") is None:
                raise web.HTTPUnauthorized()
            return await handler(request)

        @web.middleware
        async def timing(request, handler):
            return await handler(request)

        def make_app():
            app = web.Application(middlewares=[timing, require_login])
            setup_routes(app)
            return app
    """
    files = {"shop/__init__.py": "", "shop/views.py": AIOHTTP_VIEWS, "shop/routes.py": AIOHTTP_ROUTES,
             "shop/app.py": app}
    found = project_routes(files, "shop/views.py")
    assert all(r.authenticated for r in found.values())
    assert "middleware require_login()" in guard_names(found["POST /invoices"])
    unguarded = project_routes({**files, "shop/app.py": app.replace("timing, require_login", "timing")},
                               "shop/views.py")
    assert not unguarded["POST /invoices"].authenticated
    decorated = """
        from aiohttp import web
        routes = web.RouteTableDef()

        @routes.get("/reports")
        async def reports(request):
            return web.json_response([])
    """
    on_table = project_routes({**files, "shop/reports.py": decorated}, "shop/reports.py")
    assert on_table["GET /reports"].authenticated  # the middleware stands before decorated routes too
    bare = project_routes({**files, "shop/app.py": app.replace("timing, require_login", "timing"),
                           "shop/reports.py": decorated}, "shop/reports.py")
    assert not bare["GET /reports"].authenticated


def test_aiohttp_decorated_view_class() -> None:
    found = snippet_routes("""
        from aiohttp import web
        routes = web.RouteTableDef()

        @routes.view("/tickets/{id}")
        class TicketView(web.View):
            async def get(self):
                ...
            async def delete(self):
                ...
    """)
    assert set(found) == {"GET /tickets/{id}", "DELETE /tickets/{id}"}


def test_sanic_decorators_add_route_views_and_sanic_jwt() -> None:
    found = snippet_routes("""
        from sanic import Sanic, Blueprint
        from sanic.views import HTTPMethodView
        from sanic_jwt import protected, scoped

        app = Sanic("billing")
        bp = Blueprint("admin", url_prefix="/admin")

        @app.get("/invoices/<invoice_id:int>")
        @protected()
        async def get_invoice(request, invoice_id):
            ...

        @bp.route("/purge", methods=["POST"])
        @scoped("admin")
        async def purge(request):
            ...

        async def health(request):
            ...

        class ReceiptView(HTTPMethodView):
            decorators = [protected()]

            async def get(self, request, receipt_id):
                ...

        app.add_route(health, "/health")
        app.add_route(ReceiptView.as_view(), "/receipts/<receipt_id>")
    """)
    assert found["GET /invoices/<invoice_id:int>"].authenticated
    assert found["POST /purge"].role_checked
    assert not found["GET /health"].authenticated
    assert found["GET /receipts/<receipt_id>"].authenticated
    assert all(r.framework == Framework.SANIC for r in found.values())


def test_ninja_auth_at_operation_router_and_api_level() -> None:
    found = snippet_routes("""
        from ninja import NinjaAPI, Router
        from ninja.security import django_auth, HttpBearer

        api = NinjaAPI(auth=django_auth)
        open_api = NinjaAPI()
        router = Router(auth=HttpBearer())

        @api.get("/orders/{order_id}")
        def get_order(request, order_id: int):
            ...

        @api.get("/status", auth=None)
        def status(request):
            ...

        @open_api.post("/orders")
        def create_order(request, payload: OrderIn):
            ...

        @router.delete("/orders/{order_id}")
        def delete_order(request, order_id: int):
            ...
    """)
    assert guard_names(found["GET /orders/{order_id}"]) == ["auth=django_auth"]
    assert not found["GET /status"].authenticated
    assert not found["POST /orders"].authenticated
    assert found["DELETE /orders/{order_id}"].authenticated


def test_ninja_routers_take_auth_from_where_another_module_adds_them() -> None:
    events = """
        from ninja import Router
        router = Router()

        @router.get("/{event_id}")
        def event(request, event_id: int):
            ...
    """
    tickets = events.replace("event", "ticket")
    api = """
        from ninja import NinjaAPI
        from ninja.security import django_auth
        from .events import router as events_router

        api = NinjaAPI(auth=django_auth)
        public = NinjaAPI()
        api.add_router("/events", events_router)
        public.add_router("/tickets", "shop.tickets.router")
    """
    files = {"shop/__init__.py": "", "shop/events.py": events, "shop/tickets.py": tickets, "shop/api.py": api}
    assert project_routes(files, "shop/events.py")["GET /{event_id}"].authenticated
    assert not project_routes(files, "shop/tickets.py")["GET /{ticket_id}"].authenticated
    guarded_there = {**files, "shop/api.py": api.replace('"shop.tickets.router")',
                                                         '"shop.tickets.router", auth=django_auth)')}
    assert project_routes(guarded_there, "shop/tickets.py")["GET /{ticket_id}"].authenticated


def test_ninja_operations_take_the_request_first_and_declared_parameters() -> None:
    ctx = snippet_context("""
        from ninja import NinjaAPI
        api = NinjaAPI()

        @api.get("/orders/{order_id}")
        def get_order(request, order_id: int):
            return Order.objects.get(id=order_id)
    """)
    endpoint = endpoints(ctx)[0]
    flow = HandlerFlow.build(ctx, endpoint.function, endpoint.framework)
    assert [load.model for load in flow.loads] == ["Order"] and [k.field for k in flow.client_keys(flow.loads[0])] == ["id"]


def test_litestar_bare_decorators_controllers_and_guards() -> None:
    found = snippet_routes("""
        from litestar import Controller, delete, get, post, route

        @post("/teams")
        async def create_team(data: TeamIn) -> Team:
            ...

        @route("/teams/{team_id:int}", http_method=["GET", "HEAD"])
        async def team(team_id: int) -> Team:
            ...

        class MemberController(Controller):
            path = "/members"
            guards = [requires_login]

            @get("/{member_id:int}")
            async def get_member(self, member_id: int) -> Member:
                ...

            @delete("/{member_id:int}", guards=[requires_admin])
            async def remove(self, member_id: int) -> None:
                ...
    """)
    assert not found["POST /teams"].authenticated
    assert found["GET|HEAD /teams/{team_id:int}"].methods == ("GET", "HEAD")
    assert guard_names(found["GET /members/{member_id:int}"]) == ["guards=[requires_login]"]
    assert found["DELETE /members/{member_id:int}"].role_checked


def test_bottle_module_decorators_and_app_objects() -> None:
    found = snippet_routes("""
        import bottle
        from bottle import Bottle, route, post, request

        app = Bottle()

        @route("/tickets/<ticket_id>", method="DELETE")
        def delete_ticket(ticket_id):
            ...

        @bottle.get("/tickets")
        def tickets():
            ...

        @app.post("/tickets")
        def create():
            ...
    """)
    assert set(found) == {"DELETE /tickets/<ticket_id>", "GET /tickets", "POST /tickets"}
    assert all(r.framework == Framework.BOTTLE for r in found.values())


def test_bottle_request_is_client_data_and_url_variables_are_arguments() -> None:
    ctx = snippet_context("""
        from bottle import route, request

        @route("/tickets/<ticket_id>")
        def ticket(ticket_id):
            owner = request.forms.get("owner")
            return Ticket.query.filter_by(id=ticket_id, owner=owner).first()
    """)
    endpoint = endpoints(ctx)[0]
    flow = HandlerFlow.build(ctx, endpoint.function, endpoint.framework)
    origins = [flow.client_origin(k.value) for k in flow.loads[0].keys]
    assert [(o.kind, o.text) if o else None for o in origins] == [("path parameter", "ticket_id"),
                                                                  ("", "request.forms['owner']")]


RESOURCES = """
    from flask_restful import Resource
    from flask_login import login_required

    class Project(Resource):
        method_decorators = {"delete": [login_required]}

        def get(self, project_id):
            ...

        def delete(self, project_id):
            ...

    class ProjectList(Resource):
        method_decorators = [login_required]

        def get(self):
            ...

    class Unregistered(Resource):
        def get(self):
            ...
"""


def test_restful_resources_registered_in_another_module() -> None:
    app = """
        from flask import Flask
        from flask_restful import Api
        from .resources import Project, ProjectList

        app = Flask(__name__)
        api = Api(app)
        api.add_resource(Project, "/projects/<int:project_id>")
        api.add_resource(ProjectList, "/projects")
    """
    found = project_routes({"svc/__init__.py": "", "svc/resources.py": RESOURCES, "svc/app.py": app},
                           "svc/resources.py")
    assert not found["GET /projects/<int:project_id>"].authenticated
    assert found["DELETE /projects/<int:project_id>"].authenticated
    assert found["GET /projects"].authenticated
    assert "GET Unregistered.get" in found  # a Resource is a route even where its registration is not seen


def test_restful_api_decorators_guard_every_resource() -> None:
    found = snippet_routes("""
        from flask_restx import Api, Namespace, Resource
        from flask_httpauth import HTTPTokenAuth

        auth = HTTPTokenAuth()
        ns = Namespace("reports", decorators=[auth.login_required])
        public = Namespace("public")

        @ns.route("/<int:report_id>")
        class Report(Resource):
            def get(self, report_id):
                ...

        @public.route("/ping")
        class Ping(Resource):
            def get(self):
                ...
    """)
    assert found["GET /<int:report_id>"].authenticated
    assert not found["GET /ping"].authenticated


def test_smorest_blueprint_method_views_and_functions() -> None:
    found = snippet_routes("""
        from flask.views import MethodView
        from flask_smorest import Blueprint
        from flask_jwt_extended import jwt_required

        blp = Blueprint("pets", __name__, url_prefix="/pets")

        @blp.route("/<pet_id>")
        class Pet(MethodView):
            @jwt_required()
            def delete(self, pet_id):
                ...

            def get(self, pet_id):
                ...

        @blp.route("/count")
        def count():
            ...
    """)
    assert found["DELETE /<pet_id>"].authenticated and not found["GET /<pet_id>"].authenticated
    assert "GET /count" in found


def test_endpoint_hint_gates_files_without_any_framework() -> None:
    assert ENDPOINT_HINT.search("from flask_restful import Resource\n")
    assert ENDPOINT_HINT.search("from sanic import Sanic\n")
    assert ENDPOINT_HINT.search("@get('/x')\nasync def x(): ...\n")
    assert not ENDPOINT_HINT.search("class Invoice(models.Model):\n    total = models.IntegerField()\n")


CONNEXION_APP = """
    import connexion

    app = connexion.FlaskApp(__name__, specification_dir="openapi/")
    app.add_api("spec.yaml")
"""
CONNEXION_SPEC = """
openapi: 3.0.0
info: {title: Pets, version: "1"}
security:
  - jwt: []
paths:
  /pets/{pet_id}:
    x-openapi-router-controller: api.pets
    get:
      operationId: get_pet
    delete:
      operationId: delete_pet
      security: []
  /admin/pets:
    post:
      operationId: api.pets.import_pets
      security:
        - oauth: [pets:admin]
  /pets/{pet_id}/visits:
    get:
      operationId: api.pets.visits
      security:
        - oauth: [pets:read]
components:
  securitySchemes:
    jwt: {type: http, scheme: bearer, x-bearerInfoFunc: svc.auth.decode_token}
"""
CONNEXION_HANDLERS = """
    def get_pet(pet_id, user):
        return Pet.query.get_or_404(pet_id).to_dict()

    def delete_pet(pet_id):
        db.session.delete(Pet.query.get_or_404(pet_id))

    def import_pets(body):
        ...

    def visits(pet_id, token_info):
        return Visit.query.filter_by(pet_id=pet_id, owner_id=token_info["sub"]).all()

    def helper():
        ...
"""


def _connexion_project(spec: str, name: str = "svc/openapi/spec.yaml") -> Project:
    data = {"svc/__init__.py": b"", "svc/app.py": textwrap.dedent(CONNEXION_APP).encode(), "svc/api/__init__.py": b"",
            "svc/api/pets.py": textwrap.dedent(CONNEXION_HANDLERS).encode(), name: spec.encode()}
    return Project(sorted(p for p in data if p.endswith(".py")), data.__getitem__, Config())


def test_connexion_document_is_the_route_table_and_security_the_guard() -> None:
    project = _connexion_project(CONNEXION_SPEC)
    ctx = project.context_for_path("svc/api/pets.py")
    assert ctx is not None
    found = {r.label: r for r in file_routes(ctx)}
    assert set(found) == {"GET /pets/{pet_id}", "DELETE /pets/{pet_id}", "POST /admin/pets", "GET /pets/{pet_id}/visits"}
    assert found["GET /pets/{pet_id}/visits"].authenticated and not found["GET /pets/{pet_id}/visits"].role_checked
    assert guard_names(found["GET /pets/{pet_id}"]) == ["security: jwt"]
    assert not found["DELETE /pets/{pet_id}"].authenticated  # `security: []` opts out of the default
    assert found["POST /admin/pets"].role_checked  # scopes are a permission
    assert routed_elsewhere(project, "svc/api/pets.py") and not routed_elsewhere(project, "svc/app.py")


def test_connexion_handlers_receive_parameters_and_the_principal_by_name() -> None:
    project = _connexion_project(CONNEXION_SPEC)
    ctx = project.context_for_path("svc/api/pets.py")
    assert ctx is not None
    endpoint = next(e for e in endpoints(ctx) if e.function.name.value == "get_pet")
    flow = HandlerFlow.build(ctx, endpoint.function, endpoint.framework)
    assert flow.client_origin(cst.Name("pet_id")) is not None
    assert flow.client_origin(cst.Name("user")) is None  # connexion's authenticated subject
    visits = next(e for e in endpoints(ctx) if e.function.name.value == "visits")
    flow = HandlerFlow.build(ctx, visits.function, visits.framework)
    assert flow.loads and flow.scoped_to_user(flow.loads[0])


def test_connexion_json_documents_and_documents_refused() -> None:
    as_json = json.dumps(yaml.safe_load(CONNEXION_SPEC))
    data = {"svc/app.py": textwrap.dedent(CONNEXION_APP).replace("spec.yaml", "spec.json").encode(),
            "svc/api/pets.py": textwrap.dedent(CONNEXION_HANDLERS).encode(), "svc/openapi/spec.json": as_json.encode()}
    project = Project(sorted(p for p in data if p.endswith(".py")), data.__getitem__, Config())
    assert routed_elsewhere(project, "svc/api/pets.py")
    # An alias is refused (what "billion laughs" documents multiply); so is a document that is missing.
    aliased = CONNEXION_SPEC.replace("  - jwt: []", "  - &req {jwt: []}\n  - *req")
    assert not routed_elsewhere(_connexion_project(aliased), "svc/api/pets.py")
    assert not routed_elsewhere(_connexion_project(CONNEXION_SPEC, "elsewhere/spec.yaml"), "svc/api/pets.py")


def test_route_rules_read_modules_only_an_openapi_document_routes_to(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from auth_review.analyzers.engine import discover_files, scan

    for path, text in {"svc/__init__.py": "", "svc/app.py": CONNEXION_APP, "svc/api/__init__.py": "",
                       "svc/api/pets.py": CONNEXION_HANDLERS, "svc/openapi/spec.yaml": CONNEXION_SPEC}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(textwrap.dedent(text) if path.endswith(".py") else text)
    config = Config(bandit=False)
    result = scan(tmp_path, discover_files(tmp_path, [tmp_path], config), config, jobs=1)
    found = {(f.rule_id, f.line) for f in result.findings}
    assert ("AR101", 5) in found and ("AR102", 3) in found


def test_routes_on_an_app_imported_from_the_module_that_builds_it() -> None:
    files = {
        "blog/__init__.py": "from flask import Flask\napp = Flask(__name__)\nfrom blog import views\n",
        "blog/views.py": """
            from blog import app
            from blog.helpers import router

            @app.route("/posts/<int:post_id>", methods=["DELETE"])
            def delete_post(post_id):
                ...

            @router.get("/feed")
            def feed():
                ...
        """,
        "blog/helpers.py": "def router():\n    ...\n",
    }
    found = project_routes(files, "blog/views.py")
    assert set(found) == {"DELETE /posts/<int:post_id>"}  # `router` is a function, not an app object
    assert found["DELETE /posts/<int:post_id>"].framework == Framework.FLASK


def test_an_auth_object_imported_from_another_module_guards_its_routes() -> None:
    files = {
        "api/__init__.py": "",
        "api/auth.py": "from flask_httpauth import HTTPTokenAuth\ntoken_auth = HTTPTokenAuth()\n",
        "api/users.py": """
            from flask import Blueprint
            from api.auth import token_auth

            bp = Blueprint("users", __name__)

            @bp.get("/users/<int:user_id>")
            @token_auth.login_required
            def get_user(user_id):
                ...
        """,
    }
    found = project_routes(files, "api/users.py")
    assert guard_names(found["GET /users/<int:user_id>"]) == ["@token_auth.login_required"]


def test_litestar_app_guards_and_authentication_backend_with_exclusions() -> None:
    files = {
        "svc/__init__.py": "",
        "svc/app.py": """
            from litestar import Litestar
            from litestar.security.jwt import JWTAuth
            from .handlers import login, projects

            jwt_auth = JWTAuth(retrieve_user_handler=load_user, token_secret=SECRET, exclude=["/login", "/schema"])
            app = Litestar(route_handlers=[login, projects], on_app_init=[jwt_auth.on_app_init])
        """,
        "svc/handlers.py": """
            from litestar import get, post

            @post("/login")
            async def login(data: Credentials) -> Token:
                ...

            @get("/projects")
            async def projects() -> list[Project]:
                ...
        """,
    }
    found = project_routes(files, "svc/handlers.py")
    assert guard_names(found["GET /projects"]) == ["jwt_auth.on_app_init"]
    assert not found["POST /login"].authenticated


def test_a_decorator_class_whose_call_refuses_is_a_guard() -> None:
    files = {
        "app/__init__.py": "",
        "app/permissions.py": """
            import functools
            from flask import abort
            from flask_login import current_user

            class require_permissions:
                def __init__(self, permissions):
                    self.permissions = permissions

                def __call__(self, fn):
                    @functools.wraps(fn)
                    def decorated(*args, **kwargs):
                        if current_user.has_permissions(self.permissions):
                            return fn(*args, **kwargs)
                        abort(403)
                    return decorated

            def require_super_admin(fn):
                return require_permissions(("super_admin",))(fn)
        """,
        "app/admin.py": """
            from flask import Blueprint
            from app.permissions import require_super_admin

            bp = Blueprint("admin", __name__)

            @bp.get("/admin/queries/outdated")
            @require_super_admin
            def outdated():
                ...
        """,
    }
    route = project_routes(files, "app/admin.py")["GET /admin/queries/outdated"]
    assert route.authenticated and route.role_checked
