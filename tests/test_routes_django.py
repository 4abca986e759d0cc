"""The framework model for Django and DRF: urlconfs, routers, views and their guards."""

from __future__ import annotations

import textwrap

import libcst as cst

from auth_review.analyzers.config import Config
from auth_review.analyzers.context import FileContext
from auth_review.analyzers.frameworks.django import DjangoRoute, discover_django, method_handler
from auth_review.analyzers.project import Project
from auth_review.analyzers.source import Source


def project(files: dict[str, str], config: Config | None = None) -> Project:
    texts = {path: textwrap.dedent(text) for path, text in files.items()}
    return Project(sorted(texts), lambda path: texts[path].encode(), config or Config())


def routes_of(proj: Project, path: str) -> dict[str, DjangoRoute]:
    """Routes whose handler is in ``path``, by label (path and methods) or by name when no urlconf reaches them."""
    ctx = proj.context_for_path(path)
    assert ctx is not None
    found = [r for r in discover_django(ctx) if r.handler_path == path]
    return {r.path or r.name: r for r in found}


def alone(code: str, config: Config | None = None, path: str = "app/views.py") -> dict[str, DjangoRoute]:
    code = textwrap.dedent(code)
    ctx = FileContext(Source(path, code.encode(), code), cst.parse_module(code), config or Config())
    return {r.name if r.path is None else r.path: r for r in discover_django(ctx)}


def names(route: DjangoRoute) -> list[str]:
    return [g.name for g in route.guards]


SHOP_VIEWS = """
    from django.contrib.auth.decorators import login_required, permission_required, user_passes_test
    from django.contrib.auth.mixins import LoginRequiredMixin
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.views import View
    from django.views.generic import DetailView

    def home(request):
        return render(request, "home.html")

    @login_required
    def order_detail(request, pk):
        return JsonResponse({})

    @permission_required("shop.change_order")
    def ship(request, pk):
        return JsonResponse({})

    @user_passes_test(lambda u: u.is_authenticated)
    def profile(request):
        return JsonResponse({})

    class OrderView(LoginRequiredMixin, DetailView):
        pass

    class StockView(View):
        def get(self, request):
            return JsonResponse({})

        def post(self, request):
            return JsonResponse({})
"""


def test_urlconfs_resolve_views_in_other_files_and_join_include_prefixes() -> None:
    proj = project({
        "site/__init__.py": "",
        "site/urls.py": """
            from django.urls import include, path, re_path
            import legacy.urls as legacy_urls

            urlpatterns = [
                path("shop/", include("shop.urls")),
                re_path(r"^old/", include(legacy_urls)),
            ]
            urlpatterns += [path("", include(("shop.more_urls", "more"), namespace="more"))]
        """,
        "shop/__init__.py": "",
        "shop/views.py": SHOP_VIEWS,
        "shop/urls.py": """
            from django.contrib.auth.decorators import login_required
            from django.urls import path
            from . import views
            from .views import StockView

            urlpatterns = [
                path("", views.home),
                path("orders/<int:pk>/", views.order_detail, name="order"),
                path("orders/<int:pk>/ship/", views.ship),
                path("orders/<int:pk>/page/", views.OrderView.as_view()),
                path("stock/", login_required(StockView.as_view())),
            ]
        """,
        "shop/more_urls.py": """
            from django.urls import path
            from shop.views import profile

            urlpatterns = []
            urlpatterns.append(path("me/", profile))
        """,
        "legacy/__init__.py": "",
        "legacy/urls.py": """
            from django.conf.urls import url
            from shop import views

            urlpatterns = [url(r"^orders/(?P<pk>\\d+)/$", views.order_detail)]
        """,
    })
    found = routes_of(proj, "shop/views.py")
    assert set(found) == {"/shop/", "/shop/orders/<int:pk>/", "/shop/orders/<int:pk>/ship/",
                          "/shop/orders/<int:pk>/page/", "/shop/stock/", "/me/", r"/old/orders/(?P<pk>\d+)/"}
    assert found["/shop/orders/<int:pk>/"].framework == "django" and found["/shop/orders/<int:pk>/"].owner == "shop.urls"
    assert found["/shop/orders/<int:pk>/"].root == "site.urls"
    assert found["/shop/orders/<int:pk>/"].authenticated and not found["/shop/"].authenticated
    assert found["/shop/orders/<int:pk>/ship/"].role_checked
    assert found["/me/"].authenticated and not found["/me/"].role_checked  # user_passes_test(is_authenticated)
    assert found["/shop/orders/<int:pk>/page/"].methods == ("GET",) and names(found["/shop/orders/<int:pk>/page/"]) == [
        "LoginRequiredMixin"]
    assert found["/shop/stock/"].methods == ("GET", "POST") and names(found["/shop/stock/"]) == ["@login_required"]
    # The urlconf itself reports the same routes, with handler nodes from the views file.
    declared = discover_django(proj.context_for_path("shop/urls.py"))
    assert {r.path for r in declared} == {"/shop/", "/shop/orders/<int:pk>/", "/shop/orders/<int:pk>/ship/",
                                          "/shop/orders/<int:pk>/page/", "/shop/stock/"}
    assert all(r.handler_path == "shop/views.py" for r in declared)
    views_module = proj.context_for_path("shop/views.py").module
    assert any(r.handler is views_module.body[-1] for r in declared)  # StockView, the views file's own node


def test_a_file_parsed_apart_from_the_project_gets_routes_on_its_own_nodes() -> None:
    proj = project({
        "shop/urls.py": """
            from django.urls import path
            from shop import views
            urlpatterns = [path("orders/<int:pk>/", views.order_detail)]
        """,
        "shop/views.py": SHOP_VIEWS,
    })
    code = textwrap.dedent(SHOP_VIEWS)
    ctx = FileContext(Source("shop/views.py", code.encode(), code), cst.parse_module(code), Config())
    ctx.project = proj
    route = next(r for r in discover_django(ctx) if r.path == "/orders/<int:pk>/")
    assert route.handler_ctx is ctx and route.handler is ctx.index.functions["order_detail"]
    # Views no urlconf reaches are still found, without a path, when something says they are views (a
    # decorator, a view class); a function only shaped like one (`home`) is a helper while urlconfs are in sight.
    unrouted = {r.name for r in discover_django(ctx) if r.path is None}
    assert unrouted >= {"ship", "OrderView", "StockView"} and "home" not in unrouted


def test_drf_router_viewsets_actions_and_extra_actions() -> None:
    proj = project({
        "api/urls.py": """
            from django.urls import include, path
            from rest_framework.routers import DefaultRouter
            from api import views

            router = DefaultRouter()
            router.register("orders", views.OrderViewSet, basename="order")
            router.register(r"products", views.ProductViewSet)
            tracking = DefaultRouter(trailing_slash=False)
            tracking.register("tracking", views.TrackingViewSet)

            urlpatterns = [path("api/v1/", include(router.urls))] + tracking.urls
        """,
        "api/views.py": """
            from rest_framework import mixins, viewsets
            from rest_framework.decorators import action
            from rest_framework.permissions import IsAdminUser, IsAuthenticated, IsAuthenticatedOrReadOnly

            class OrderViewSet(viewsets.ModelViewSet):
                permission_classes = [IsAuthenticated]

                @action(detail=True, methods=["post"], permission_classes=[IsAdminUser])
                def refund(self, request, pk=None):
                    ...

                @action(detail=False)
                def recent(self, request):
                    ...

            class ProductViewSet(viewsets.ReadOnlyModelViewSet):
                lookup_field = "sku"
                permission_classes = (IsAuthenticatedOrReadOnly,)

            class TrackingViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
                permission_classes = [IsAuthenticatedOrReadOnly]
        """,
    })
    found = routes_of(proj, "api/views.py")
    orders, detail = found["/api/v1/orders/"], found["/api/v1/orders/<pk>/"]
    assert orders.framework == "drf" and orders.methods == ("GET", "POST")
    assert orders.actions == {"GET": "list", "POST": "create"}
    assert detail.actions == {"GET": "retrieve", "PUT": "update", "PATCH": "partial_update", "DELETE": "destroy"}
    assert orders.authenticated and not orders.role_checked
    refund = found["/api/v1/orders/<pk>/refund/"]
    assert refund.methods == ("POST",) and refund.role_checked and isinstance(refund.handler, cst.FunctionDef)
    assert found["/api/v1/orders/recent/"].methods == ("GET",) and found["/api/v1/orders/recent/"].authenticated
    products = found["/api/v1/products/<sku>/"]
    assert products.methods == ("GET",) and products.public_methods == ("GET",)
    tracking = found["/tracking/<pk>"]
    assert tracking.methods == ("DELETE",) and tracking.authenticated
    assert found["/tracking"].public_methods == ("GET",)
    assert method_handler(refund, "POST") is refund.handler


def test_views_found_without_urls_and_by_shape() -> None:
    found = alone("""
        from django.http import HttpResponse
        from django.shortcuts import redirect
        from rest_framework.decorators import api_view, permission_classes
        from rest_framework.permissions import IsAuthenticated
        from rest_framework.views import APIView

        @api_view(["GET", "POST"])
        @permission_classes([IsAuthenticated])
        def notes(request):
            ...

        @api_view()
        def ping(request):
            ...

        class Export(APIView):
            def get(self, request):
                ...

        def download(request, pk):
            return HttpResponse(b"...")

        def go(request):
            return redirect("/")

        def helper(data):
            return HttpResponse(data)

        def _render(request):
            return HttpResponse("x")
    """)
    assert set(found) == {"notes", "ping", "Export", "download", "go"}
    assert found["notes"].methods == ("GET", "POST") and found["notes"].authenticated
    assert found["ping"].methods == ("GET",) and not found["ping"].settings_known
    assert found["Export"].framework == "drf" and found["Export"].methods == ("GET",)
    assert found["download"].inferred and not found["notes"].inferred


def test_flask_modules_are_not_django_views() -> None:
    assert alone("""
        from flask.views import MethodView
        from flask_login import login_required

        class NotesView(MethodView):
            def get(self):
                ...

        @login_required
        def notes(request):
            ...
    """) == {}


def test_class_guards_mixins_method_decorators_and_project_bases() -> None:
    proj = project({
        "core/mixins.py": """
            from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin

            class StaffMixin(LoginRequiredMixin):
                pass

            class OwnerMixin(AccessMixin):
                def dispatch(self, request, *args, **kwargs):
                    if not request.user.is_authenticated:
                        return self.handle_no_permission()
                    return super().dispatch(request, *args, **kwargs)
        """,
        "core/base.py": """
            from django.views.generic import TemplateView
            from core.mixins import StaffMixin

            class PortalView(StaffMixin, TemplateView):
                template_name = "portal.html"
        """,
        "core/views.py": """
            from django.contrib.admin.views.decorators import staff_member_required
            from django.contrib.auth.decorators import login_required
            from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
            from django.utils.decorators import method_decorator
            from django.views import View
            from django.views.generic import ListView
            from core.base import PortalView
            from core.mixins import OwnerMixin

            class Reports(PortalView):
                pass

            class Mine(OwnerMixin, ListView):
                pass

            @method_decorator(login_required, name="dispatch")
            class Settings(View):
                def get(self, request):
                    ...

            @method_decorator(staff_member_required, name="post")
            class Catalogue(View):
                def get(self, request):
                    ...

                def post(self, request):
                    ...

            class Wrong(View, LoginRequiredMixin):  # View.dispatch runs first: the mixin never does
                def get(self, request):
                    ...

            class Superusers(UserPassesTestMixin, View):
                def test_func(self):
                    return self.request.user.is_superuser

                def get(self, request):
                    ...

            class Legacy(View):
                @method_decorator(login_required)
                def dispatch(self, *args, **kwargs):
                    return super().dispatch(*args, **kwargs)

                def get(self, request):
                    ...
        """,
    })
    found = routes_of(proj, "core/views.py")
    assert names(found["Reports"]) == ["LoginRequiredMixin"] and found["Reports"].methods == ("GET",)
    assert "OwnerMixin" in names(found["Mine"]) and found["Mine"].authenticated
    assert names(found["Settings"]) == ["@login_required"]
    catalogue = found["Catalogue"]
    assert catalogue.public_methods == ("GET",) and not catalogue.authenticated
    assert catalogue.guards_for("POST")[0].role
    assert not found["Wrong"].authenticated
    assert found["Superusers"].role_checked
    assert found["Legacy"].authenticated


def test_drf_permission_classes_algebra_custom_permissions_and_allow_any() -> None:
    proj = project({
        "api/permissions.py": """
            from rest_framework import permissions

            class IsStaffOrReadOnly(permissions.BasePermission):
                def has_permission(self, request, view):
                    if request.method in permissions.SAFE_METHODS:
                        return True
                    return request.user.is_staff

            class ReadOnly(permissions.BasePermission):
                def has_permission(self, request, view):
                    return request.method in permissions.SAFE_METHODS

            class IsOwner(permissions.BasePermission):
                def has_object_permission(self, request, view, obj):
                    return obj.owner == request.user

            class Anything(permissions.BasePermission):
                def has_permission(self, request, view):
                    return True

            class Admins(permissions.IsAdminUser):
                pass
        """,
        "api/views.py": """
            from rest_framework.generics import ListCreateAPIView, RetrieveUpdateDestroyAPIView
            from rest_framework.permissions import AllowAny, DjangoModelPermissions, IsAuthenticated
            from rest_framework.authentication import TokenAuthentication
            from rest_framework.views import APIView
            from api.permissions import Admins, Anything, IsOwner, IsStaffOrReadOnly, ReadOnly

            class Articles(ListCreateAPIView):
                permission_classes = [IsStaffOrReadOnly]

            class Either(ListCreateAPIView):
                permission_classes = [IsAuthenticated | ReadOnly]

            class Owned(RetrieveUpdateDestroyAPIView):
                permission_classes = [IsOwner]
                authentication_classes = [TokenAuthentication]

            class Modelled(ListCreateAPIView):
                permission_classes = [DjangoModelPermissions]

            class Open(APIView):
                permission_classes = [AllowAny]

                def post(self, request):
                    ...

            class Useless(APIView):
                permission_classes = [Anything]

                def get(self, request):
                    ...

            class Inherited(APIView):
                permission_classes = [Admins & IsAuthenticated]

                def delete(self, request):
                    ...
        """,
    })
    found = routes_of(proj, "api/views.py")
    assert found["Articles"].public_methods == ("GET",) and found["Articles"].guards_for("POST")[0].role
    either = found["Either"]
    assert either.public_methods == ("GET",) and either.guards_for("POST")  # reads open, writes need a user
    assert not found["Owned"].authenticated  # object-level only: no view-level guard
    assert found["Owned"].authentication == ("TokenAuthentication",)
    modelled = found["Modelled"]
    assert modelled.authenticated and not modelled.role_checked and any(g.role for g in modelled.guards_for("POST"))
    assert not found["Open"].authenticated and found["Open"].exempt == ["AllowAny"]
    assert not found["Useless"].authenticated
    assert found["Inherited"].role_checked


def test_get_permissions_branches_on_action_and_method() -> None:
    proj = project({
        "api/urls.py": """
            from rest_framework.routers import SimpleRouter
            from api.views import Posts, Comments
            router = SimpleRouter()
            router.register("posts", Posts)
            router.register("comments", Comments)
            urlpatterns = router.urls
        """,
        "api/views.py": """
            from rest_framework import permissions, viewsets
            from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated

            class Posts(viewsets.ModelViewSet):
                def get_permissions(self):
                    if self.action in ("list", "retrieve"):
                        permission_classes = [AllowAny]
                    elif self.action == "destroy":
                        permission_classes = [IsAdminUser]
                    else:
                        permission_classes = [IsAuthenticated]
                    return [permission() for permission in permission_classes]

            class Comments(viewsets.ModelViewSet):
                permission_classes = [IsAuthenticated]

                def get_permissions(self):
                    if self.request.method in permissions.SAFE_METHODS:
                        return [AllowAny()]
                    return super().get_permissions()
        """,
    })
    found = routes_of(proj, "api/views.py")
    posts = found["/posts/<pk>/"]
    assert posts.public_methods == ("GET",)
    assert posts.guards_for("DELETE")[0].role and not any(g.role for g in posts.guards_for("PUT"))
    assert found["/posts/"].public_methods == ("GET",) and found["/posts/"].guards_for("POST")
    assert found["/comments/<pk>/"].public_methods == ("GET",) and found["/comments/<pk>/"].guards_for("PATCH")


def test_settings_defaults_through_manage_py_and_star_imports() -> None:
    proj = project({
        "manage.py": """
            import os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
        """,
        "config/settings/base.py": """
            ROOT_URLCONF = "config.urls"
            MIDDLEWARE = ["django.contrib.auth.middleware.AuthenticationMiddleware"]
            REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
        """,
        "config/settings/production.py": """
            from .base import *
            MIDDLEWARE += ["django.contrib.auth.middleware.LoginRequiredMiddleware"]
        """,
        "config/urls.py": """
            from django.urls import path
            from app import views
            urlpatterns = [
                path("feed/", views.Feed.as_view()),
                path("public/", views.Public.as_view()),
                path("page/", views.page),
                path("about/", views.about),
            ]
        """,
        "app/views.py": """
            from django.contrib.auth.decorators import login_not_required
            from django.http import HttpResponse
            from rest_framework.permissions import AllowAny
            from rest_framework.views import APIView

            class Feed(APIView):
                def get(self, request):
                    ...

            class Public(APIView):
                permission_classes = [AllowAny]

                def get(self, request):
                    ...

            def page(request):
                return HttpResponse("x")

            @login_not_required
            def about(request):
                return HttpResponse("x")
        """,
    })
    found = routes_of(proj, "app/views.py")
    assert names(found["/feed/"]) == ["DEFAULT_PERMISSION_CLASSES: IsAuthenticated"]
    assert found["/feed/"].guards[0].level == "app" and found["/feed/"].settings_known
    assert not found["/public/"].authenticated  # AllowAny on the view wins over the default
    assert [(g.kind, g.name, g.level) for g in found["/page/"].guards] == [("middleware", "LoginRequiredMiddleware", "app")]
    assert not found["/about/"].authenticated and found["/about/"].exempt == ["@login_not_required"]


def test_each_route_takes_the_settings_whose_root_urlconf_reaches_it() -> None:
    proj = project({
        "intranet/settings.py": """
            ROOT_URLCONF = "intranet.urls"
            MIDDLEWARE = ["django.contrib.auth.middleware.LoginRequiredMiddleware"]
        """,
        "shopsite/settings.py": """
            ROOT_URLCONF = "shopsite.urls"
            MIDDLEWARE = []
        """,
        "intranet/urls.py": """
            from django.urls import path
            from intranet import views
            urlpatterns = [path("tickets/", views.tickets)]
        """,
        "shopsite/urls.py": """
            from django.urls import path
            from shop import views
            urlpatterns = [path("cart/", views.cart)]
        """,
        "intranet/views.py": """
            from django.shortcuts import render
            def tickets(request):
                return render(request, "t.html")
        """,
        "shop/views.py": """
            from django.shortcuts import render
            def cart(request):
                return render(request, "c.html")
        """,
    })
    assert routes_of(proj, "intranet/views.py")["/tickets/"].authenticated
    assert not routes_of(proj, "shop/views.py")["/cart/"].authenticated


def test_no_default_permissions_means_allow_any_and_unreadable_ones_count_as_guards() -> None:
    files = {
        "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["rest_framework"]\n',
        "app/views.py": """
            from rest_framework.decorators import api_view
            @api_view(["POST"])
            def hook(request):
                ...
        """,
    }
    route = routes_of(project(files), "app/views.py")["hook"]
    assert route.settings_known and not route.authenticated
    files["proj/settings.py"] += "REST_FRAMEWORK = build_rest_settings()\n"
    assert routes_of(project(files), "app/views.py")["hook"].authenticated


def test_body_checks_and_configured_decorators() -> None:
    found = alone("""
        from django.core.exceptions import PermissionDenied
        from django.http import HttpResponse
        from django.shortcuts import redirect, render
        from app.security import api_key_required

        def dashboard(request):
            if not request.user.is_authenticated:
                return redirect("login")
            return render(request, "d.html")

        def staff_only(request):
            if not request.user.is_staff:
                raise PermissionDenied
            return render(request, "s.html")

        def login_page(request):
            if request.user.is_authenticated:
                return redirect("home")
            return render(request, "login.html")

        @api_key_required
        def export(request):
            return HttpResponse("x")
    """, Config(auth_decorators=("api_key_required",)))
    assert found["dashboard"].authenticated and not found["dashboard"].role_checked
    assert found["staff_only"].role_checked
    assert not found["login_page"].authenticated
    assert found["export"].guards[0].kind == "configured" and not found["export"].inferred


def test_class_views_written_on_one_line_keep_their_attributes() -> None:
    found = alone("""
        from rest_framework.permissions import AllowAny, IsAuthenticated
        from rest_framework.viewsets import ModelViewSet

        class Guarded(ModelViewSet): queryset = Order.objects.all(); permission_classes = [IsAuthenticated]

        class Open(ModelViewSet): queryset = Order.objects.all(); permission_classes = [AllowAny]
    """)
    guarded = [r for r in found.values() if r.handler.name.value == "Guarded"]
    opened = [r for r in found.values() if r.handler.name.value == "Open"]
    assert guarded and all(r.authenticated for r in guarded)
    assert opened and not any(r.authenticated for r in opened) and all("AllowAny" in r.exempt for r in opened)


def test_a_decorator_that_lets_signed_in_users_through_and_a_verified_jwt_cookie() -> None:
    found = alone("""
        import jwt
        from django.shortcuts import redirect, render

        def signed_in(func):
            def inner(*args, **kwargs):
                if args[0].user.is_authenticated:
                    return func(*args, **kwargs)
                else:
                    return redirect("login")
            return inner

        def welcome_back(func):
            def inner(*args, **kwargs):
                if args[0].user.is_authenticated:
                    return redirect("home")
                else:
                    return func(*args, **kwargs)
            return inner

        @signed_in
        def dashboard(request):
            return render(request, "d.html")

        @welcome_back
        def landing(request):
            return render(request, "l.html")

        def wallet(request):
            if request.method == "GET":
                token = request.COOKIES["auth"]
                claims = jwt.decode(token, KEY, algorithms=["HS256"])
                return render(request, "w.html", {"name": claims["sub"]})

        def unverified(request):
            claims = jwt.decode(request.COOKIES["auth"], options={"verify_signature": False})
            return render(request, "w.html", {"name": claims["sub"]})
    """)
    assert found["dashboard"].authenticated
    assert not found["landing"].authenticated
    assert found["wallet"].authenticated
    assert not found["unverified"].authenticated


def test_django_1_method_form_a_check_that_wraps_the_work_and_a_cookie_token_decorator() -> None:
    found = alone("""
        from django.shortcuts import redirect, render
        from django.http import HttpResponse, HttpResponseRedirect

        def user_is_authenticated(function):
            def wrap(request, *args, **kwargs):
                if "auth_token" in request.COOKIES:
                    try:
                        User.objects.get(auth_token=request.COOKIES["auth_token"])
                        return function(request, *args, **kwargs)
                    except User.DoesNotExist:
                        return HttpResponseRedirect("/login")
                else:
                    return HttpResponseRedirect("/login")
            return wrap

        def prefers_dark(function):
            def wrap(request, *args, **kwargs):
                if request.COOKIES.get("theme") == "dark":
                    return function(request, *args, **kwargs)
                else:
                    return render(request, "light.html")
            return wrap

        @user_is_authenticated
        def dashboard(request):
            return render(request, "d.html")

        @prefers_dark
        def gallery(request):
            return render(request, "g.html")

        def manage_tasks(request, project_id):
            user = request.user
            project = Project.objects.get(pk=project_id)
            if user.is_authenticated():
                return render(request, "tasks.html", {"project": project})
            return redirect("/login")

        def old_style(request):
            if not request.user.is_authenticated():
                return redirect("/login")
            return render(request, "o.html")

        def landing(request):
            if request.user.is_authenticated():
                return redirect("/dashboard")
            return render(request, "landing.html")

        def api_index(request):
            if check_if_valid_token(request):
                return HttpResponse(serialize_users(request))
            else:
                return HttpResponse("Unauthorized", status=401)

        def search(request):
            if request.GET.get("q"):
                return HttpResponse(run_search(request.GET["q"]))
            else:
                return HttpResponse("Nothing to search", status=400)
    """)
    assert found["api_index"].authenticated and not found["search"].authenticated
    assert found["dashboard"].authenticated and not found["gallery"].authenticated
    assert found["manage_tasks"].authenticated and found["old_style"].authenticated
    assert not found["landing"].authenticated
