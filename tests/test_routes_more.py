"""The framework model for Tornado, Falcon and Pyramid: route tables (in the file or another module of the
project), the handlers they name, the guards before them and the principal in the handler."""

from __future__ import annotations

import textwrap

from auth_review.analyzers.frameworks import ENDPOINT_HINT, HandlerFlow, endpoints, file_routes

from .helpers import guard_names, project_routes, snippet_context, snippet_routes


def principals(code: str, name: str) -> list[str]:
    ctx = snippet_context(code)
    endpoint = next(e for e in endpoints(ctx) if e.function.name.value == name)
    flow = HandlerFlow.build(ctx, endpoint.function, endpoint.framework)
    return [ctx.code(e) for e in flow.principal_expressions()]


# --- Tornado -----------------------------------------------------------------------------------------------------

def test_tornado_table_methods_and_the_guards_of_prepare_decorators_and_body() -> None:
    found = snippet_routes(r"""
        import tornado.web
        from tornado.web import url

        class BaseHandler(tornado.web.RequestHandler):
            def get_current_user(self):  # who the caller is; refuses nobody
                return self.get_signed_cookie("user")

        class SignedIn(BaseHandler):
            def prepare(self):
                if not self.current_user:
                    raise tornado.web.HTTPError(401)

        class Admin(SignedIn):
            def prepare(self):
                super().prepare()
                if not self.current_user.is_admin:
                    raise tornado.web.HTTPError(403)

        class NoteHandler(SignedIn):
            def get(self, note_id):
                ...

            def delete(self, note_id):
                ...

        class OpenedUp(SignedIn):
            def prepare(self):  # overrides the check without calling super().prepare()
                self.set_header("Cache-Control", "no-store")

            def get(self):
                ...

        class UsersHandler(Admin):
            def get(self):
                ...

        class ProfileHandler(BaseHandler):
            def get(self):
                ...

            @tornado.web.authenticated
            def put(self):
                ...

            def delete(self):
                if not self.current_user:
                    self.send_error(401)
                    return
                ...

        class Unlisted(BaseHandler):  # routed where we cannot see
            def post(self):
                ...

        def make_app():
            handlers = [(r"/notes/(\d+)", NoteHandler), (r"/open", OpenedUp), (r"/admin/users", UsersHandler)]
            handlers += [url(r"/me", ProfileHandler, name="me")]
            return tornado.web.Application(handlers, cookie_secret=SECRET)
    """)
    assert found["GET /notes/(\\d+)"].framework == "tornado" and found["DELETE /notes/(\\d+)"].view_class is not None
    assert guard_names(found["GET /notes/(\\d+)"]) == ["SignedIn.prepare()"]
    assert not found["GET /open"].authenticated
    users = found["GET /admin/users"]
    assert guard_names(users) == ["Admin.prepare()", "SignedIn.prepare()"] and users.role_checked
    assert not found["GET /me"].authenticated
    assert guard_names(found["PUT /me"]) == ["@tornado.web.authenticated"]
    assert guard_names(found["DELETE /me"]) == ["if not self.current_user: ..."]
    assert "POST Unlisted.post" in found  # a RequestHandler subclass that no table we read names: no path
    assert "BaseHandler.get_current_user" not in {r.name for r in found.values()}


def test_tornado_tables_in_other_modules_url_specs_rules_and_application_subclasses() -> None:
    files = {
        "app/__init__.py": "",
        "app/base.py": """
            import tornado.web

            class BaseHandler(tornado.web.RequestHandler):
                @tornado.web.authenticated
                def prepare(self):
                    pass
        """,
        "app/handlers.py": """
            from .base import BaseHandler

            class Notes(BaseHandler):
                async def get(self):
                    ...

            class Note(BaseHandler):
                def patch(self, note_id):
                    ...

            class Legacy(BaseHandler):
                def post(self):
                    ...

            class Helper:
                def get(self):  # not a handler, and in no table
                    ...
        """,
        "app/urls.py": """
            from tornado.routing import PathMatches, Rule
            from tornado.web import url
            from . import handlers

            API = [
                url(r"/api/notes", handlers.Notes, name="notes"),
                Rule(PathMatches(r"/api/notes/([0-9]+)"), handlers.Note),
            ]
        """,
        "app/server.py": """
            import tornado.web
            from . import urls

            class NotesApp(tornado.web.Application):
                def __init__(self):
                    super().__init__(urls.API + [(r"/legacy", "app.handlers.Legacy")], debug=False)
        """,
    }
    found = project_routes(files, "app/handlers.py")
    assert set(found) == {"GET /api/notes", "PATCH /api/notes/([0-9]+)", "POST /legacy"}
    assert all(guard_names(r) == ["@tornado.web.authenticated"] for r in found.values())
    assert ENDPOINT_HINT.search(textwrap.dedent(files["app/handlers.py"]))  # the route rules read it


def test_tornado_principal_is_self_current_user_and_url_groups_are_client_data() -> None:
    code = """
        import tornado.web

        class NoteHandler(tornado.web.RequestHandler):
            @tornado.web.authenticated
            def get(self, note_id):
                note = self.db.query(Note).filter_by(id=int(note_id), owner_id=self.current_user.id).first()
                self.write(note.to_dict())

        app = tornado.web.Application([(r"/notes/(\\d+)", NoteHandler)])
    """
    assert principals(code, "get") == ["self.current_user.id"]
    ctx = snippet_context(code)
    endpoint = endpoints(ctx)[0]
    flow = HandlerFlow.build(ctx, endpoint.function, endpoint.framework)
    assert [k.field for k in flow.client_keys(flow.loads[0])] == ["id"] and flow.scoped_to_user(flow.loads[0])


# --- Falcon ------------------------------------------------------------------------------------------------------

def test_falcon_resources_hooks_suffixes_and_checks_in_the_body() -> None:
    found = snippet_routes("""
        import falcon

        def require_login(req, resp, resource, params):
            if req.context.user is None:
                raise falcon.HTTPUnauthorized()

        def require_admin(req, resp, resource, params):
            if not req.context.user.is_admin:
                raise falcon.HTTPForbidden()

        def load_page(req, resp, resource, params):  # a hook that refuses nobody
            params["page"] = req.get_param_as_int("page", default=1)

        class NoteResource:
            @falcon.before(require_login)
            def on_get(self, req, resp, note_id):
                ...

            @falcon.before(load_page)
            def on_delete(self, req, resp, note_id):
                ...

            def on_get_history(self, req, resp, note_id):
                if "user" not in req.context:
                    raise falcon.HTTPUnauthorized()

            def on_post_share(self, req, resp, note_id):
                if not req.context.get("user"):
                    raise falcon.HTTPForbidden()

        @falcon.before(require_admin)
        class AuditResource:
            def on_get(self, req, resp):
                ...

        app = falcon.App()
        notes = NoteResource()
        app.add_route("/notes/{note_id:int}", notes)
        app.add_route("/notes/{note_id:int}/history", notes, suffix="history")
        app.add_route("/notes/{note_id:int}/share", notes, suffix="share")
        app.add_route("/admin/audit", AuditResource())
    """)
    assert set(found) == {"GET /notes/{note_id:int}", "DELETE /notes/{note_id:int}", "GET /notes/{note_id:int}/history",
                          "POST /notes/{note_id:int}/share", "GET /admin/audit"}
    assert guard_names(found["GET /notes/{note_id:int}"]) == ["@falcon.before(require_login)"]
    assert not found["DELETE /notes/{note_id:int}"].authenticated
    assert found["GET /notes/{note_id:int}/history"].authenticated
    assert found["POST /notes/{note_id:int}/share"].authenticated
    assert found["GET /admin/audit"].role_checked and found["GET /admin/audit"].framework == "falcon"


def test_falcon_middleware_guards_every_route_of_the_project_but_exempt_resources() -> None:
    files = {
        "svc/__init__.py": "",
        "svc/auth.py": """
            import falcon

            PUBLIC_PATHS = {"/status"}

            class AuthMiddleware:
                def process_resource(self, req, resp, resource, params):
                    if req.path in PUBLIC_PATHS or getattr(resource, "auth_exempt", False):
                        return
                    if req.context.user is None:
                        raise falcon.HTTPUnauthorized()

            class RequestId:  # identifies nothing, refuses nobody
                def process_request(self, req, resp):
                    req.context.request_id = req.get_header("X-Request-Id")
        """,
        "svc/resources.py": """
            class Orders:
                def on_get(self, req, resp):
                    ...

            class Status:
                def on_get(self, req, resp):
                    ...

            class Signup:
                auth_exempt = True

                def on_post(self, req, resp):
                    ...
        """,
        "svc/app.py": """
            import falcon
            from svc import resources
            from svc.auth import AuthMiddleware, RequestId

            def create_app():
                auth = AuthMiddleware()
                app = falcon.App(middleware=[RequestId(), auth])
                app.add_route("/orders", resources.Orders())
                app.add_route("/status", resources.Status())
                app.add_route("/signup", resources.Signup())
                return app
        """,
    }
    found = project_routes(files, "svc/resources.py")
    assert guard_names(found["GET /orders"]) == ["middleware AuthMiddleware"]
    assert found["GET /status"].authenticated  # a path allow-list: the middleware still counts, for every route
    assert not found["POST /signup"].authenticated  # the resource sets the attribute the middleware skips on
    files["svc/app.py"] = files["svc/app.py"].replace("middleware=[RequestId(), auth]", "middleware=RequestId()")
    assert not project_routes(files, "svc/resources.py")["GET /orders"].authenticated


def test_falcon_auth_exempt_routes_and_add_route_outside_the_app_module() -> None:
    files = {
        "api/__init__.py": "",
        "api/views.py": """
            class Health:
                def on_get(self, req, resp):
                    ...

            class Items:
                def on_get(self, req, resp):
                    ...
        """,
        "api/routes.py": """
            from api.views import Health, Items

            def install(app):  # the app is a parameter: the template and the resource say it is Falcon's
                app.add_route("/health", Health())
                app.add_route("/items", Items())
        """,
        "api/app.py": """
            import falcon
            from falcon_auth import FalconAuthMiddleware, TokenAuthBackend
            from api.routes import install

            auth = FalconAuthMiddleware(TokenAuthBackend(lookup), exempt_routes=["/health"])
            app = falcon.App(middleware=[auth])
            install(app)
        """,
    }
    found = project_routes(files, "api/views.py")
    assert not found["GET /health"].authenticated
    assert guard_names(found["GET /items"]) == ["middleware FalconAuthMiddleware"]


def test_falcon_principal_is_the_request_context_user() -> None:
    code = """
        import falcon

        class Notes:
            def on_get(self, req, resp, note_id):
                mine = session.query(Note).filter_by(id=note_id, owner_id=req.context.user.id).first()
                also = session.query(Note).filter_by(id=note_id, owner_id=req.context["user"]).first()
    """
    assert principals(code, "on_get") == ["req.context.user.id", 'req.context["user"]']


# --- Pyramid -----------------------------------------------------------------------------------------------------

def test_pyramid_view_config_view_defaults_permissions_and_methods() -> None:
    found = snippet_routes("""
        from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
        from pyramid.security import NO_PERMISSION_REQUIRED
        from pyramid.view import view_config, view_defaults

        def includeme(config):
            config.add_route("home", "/")
            config.add_route("notes", "/notes")
            config.add_route("note", "/notes/{id}")
            config.add_route("purge", "/admin/purge", request_method="POST")

        @view_config(route_name="home", renderer="json", permission=NO_PERMISSION_REQUIRED)
        def home(request):
            ...

        @view_config(route_name="notes", request_method="GET", renderer="json", permission="view")
        @view_config(route_name="notes", request_method=("POST", "PUT"), renderer="json")
        def notes(request):
            ...

        @view_config(route_name="purge", permission="admin")
        def purge(request):
            ...

        @view_config(context=HTTPNotFound, renderer="json")
        def not_found(exc, request):
            ...

        @view_defaults(route_name="note", renderer="json", permission="edit")
        class NoteViews:
            def __init__(self, request):
                self.request = request

            @view_config(request_method="GET", permission="view")
            def get(self):
                ...

            @view_config(request_method="DELETE")
            def delete(self):
                ...

            @view_config(request_method="PATCH", permission=NO_PERMISSION_REQUIRED)
            def patch(self):
                if self.request.authenticated_userid is None:
                    raise HTTPForbidden()

            @view_config(request_method="POST", permission="__no_permission_required__")
            def post(self):
                ...
    """)
    assert set(found) == {"ANY /", "GET /notes", "POST|PUT /notes", "POST /admin/purge", "GET /notes/{id}",
                          "DELETE /notes/{id}", "PATCH /notes/{id}", "POST /notes/{id}"}
    assert not found["ANY /"].authenticated and found["ANY /"].framework == "pyramid"
    assert guard_names(found["GET /notes"]) == ['permission="view"'] and not found["POST|PUT /notes"].authenticated
    assert found["POST /admin/purge"].role_checked  # an administrative permission
    assert guard_names(found["GET /notes/{id}"]) == ['permission="view"'] and not found["GET /notes/{id}"].role_checked
    assert guard_names(found["DELETE /notes/{id}"]) == ['permission="edit"']  # from @view_defaults
    assert guard_names(found["PATCH /notes/{id}"]) == ["if self.request.authenticated_userid is None: ..."]
    assert not found["POST /notes/{id}"].authenticated


def test_pyramid_default_permission_and_imperative_views_in_other_modules() -> None:
    files = {
        "shop/__init__.py": """
            from pyramid.config import Configurator

            def main(global_config, **settings):
                with Configurator(settings=settings) as config:
                    config.set_default_permission("view")
                    config.include(".routes")
                    config.add_view(".views.Orders", attr="cancel", route_name="order", request_method="DELETE")
                    config.scan()
                return config.make_wsgi_app()
        """,
        "shop/routes.py": """
            from pyramid.security import NO_PERMISSION_REQUIRED
            from . import views

            def includeme(config):
                config.add_route("ping", "/ping")
                config.add_route("orders", "/orders")
                config.add_route("order", "/orders/{id}")
                config.add_view(views.ping, route_name="ping", permission=NO_PERMISSION_REQUIRED)
                config.add_view(views.orders, route_name="orders", renderer="json")
        """,
        "shop/views.py": """
            from pyramid.httpexceptions import HTTPNotFound  # (a module that never mentions pyramid is not read)

            def ping(request):
                ...

            def orders(request):
                ...

            def helper(request):  # no view
                ...

            class Orders:
                def __init__(self, request):
                    self.request = request

                def cancel(self):
                    ...
        """,
    }
    found = project_routes(files, "shop/views.py")
    assert set(found) == {"ANY /ping", "ANY /orders", "DELETE /orders/{id}"}
    assert not found["ANY /ping"].authenticated
    assert guard_names(found["ANY /orders"]) == ["default permission 'view'"]
    assert found["DELETE /orders/{id}"].name == "Orders.cancel" and found["DELETE /orders/{id}"].authenticated


def test_pyramid_principal_and_matchdict() -> None:
    code = """
        from pyramid.view import view_config

        @view_config(route_name="note", renderer="json", permission="view")
        def note(request):
            return request.dbsession.query(Note).filter_by(
                id=int(request.matchdict["id"]), owner_id=request.authenticated_userid).first()
    """
    assert principals(code, "note") == ["request.authenticated_userid"]
    ctx = snippet_context(code)
    endpoint = endpoints(ctx)[0]
    flow = HandlerFlow.build(ctx, endpoint.function, endpoint.framework)
    assert flow.loads_by_client_id(flow.loads[0]) and flow.scoped_to_user(flow.loads[0])


def test_markers_keep_other_files_out() -> None:
    assert not file_routes(snippet_context("""
        class Thing:
            def get(self, thing_id):
                ...

            def on_get(self, req, resp):
                ...

        def view(request):
            return request.matchdict["id"]
    """))
