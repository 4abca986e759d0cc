"""Models and handlers as route rules see them: whose rows they are, which reads are public,
and every framework's handlers in one shape (analyzers/frameworks/datamodel.py, analyzers/frameworks/endpoints.py)."""

from __future__ import annotations

import textwrap

import libcst as cst

from auth_review.analyzers.config import Config
from auth_review.analyzers.context import FileContext
from auth_review.analyzers.frameworks import (
    endpoints,
    holds_user_data,
    is_user_model,
    owned_by_users,
    publication_filtered,
    starlette_table,
    user_field,
)
from auth_review.analyzers.project import Project
from auth_review.analyzers.source import Source
from auth_review.analyzers.walk import walk

CONFIG = Config(bandit=False, test_paths=())


def context(code: str, path: str = "shop/views.py") -> FileContext:
    code = textwrap.dedent(code)
    return FileContext(Source(path, code.encode(), code), cst.parse_module(code), CONFIG)


def project(files: dict[str, str]) -> Project:
    texts = {path: textwrap.dedent(text).encode() for path, text in files.items()}
    return Project(sorted(texts), texts.__getitem__, CONFIG)


MODELS = """
    from django.conf import settings
    from django.db import models


    class Product(models.Model):
        name = models.CharField(max_length=80)
        is_active = models.BooleanField(default=True)


    class Order(models.Model):
        customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)


    class Invoice(models.Model):
        order = models.OneToOneField(Order, on_delete=models.PROTECT)


    class Line(models.Model):
        invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
        product = models.ForeignKey(Product, on_delete=models.PROTECT)
"""


def test_rows_belong_to_users_through_relations_across_modules() -> None:
    proj = project({"shop/models.py": MODELS, "shop/views.py": "from .models import Product, Order, Invoice, Line\n"})
    ctx = proj.context_for_path("shop/views.py")
    assert ctx is not None
    name = cst.Name
    assert owned_by_users(ctx, name("Order")) is True  # customer -> the user model
    assert owned_by_users(ctx, name("Invoice")) is True  # -> Order -> the user model
    assert owned_by_users(ctx, name("Line")) is True  # -> Invoice -> Order: two relations away
    assert owned_by_users(ctx, name("Product")) is False
    assert owned_by_users(ctx, name("Unknown")) is None  # not found: no claim either way
    assert user_field(ctx, name("Order")) == "customer" and user_field(ctx, name("Invoice")) is None


def test_user_models_by_base_class_helper_or_sqlalchemy_foreign_key() -> None:
    ctx = context("""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import AbstractUser
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column

        User = get_user_model()

        class Member(AbstractUser):
            pass

        class Note(Base):
            owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

        class Post(Base):  # authorship says nothing about who may read it
            author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

        class Tag(Base):
            label: Mapped[str]
    """)
    assert is_user_model(ctx, cst.Name("User")) and is_user_model(ctx, cst.Name("Member"))
    assert owned_by_users(ctx, cst.Name("Note")) is True and owned_by_users(ctx, cst.Name("Tag")) is False
    assert owned_by_users(ctx, cst.Name("Post"), authored=False) is False  # public by default (AR101)
    assert owned_by_users(ctx, cst.Name("Post")) is True  # but loaded by id behind login, its author owns it (AR102)


def test_reads_restricted_to_published_rows_are_public() -> None:
    ctx = context("""
        def a(request):
            return Post.objects.filter(published=True)
        def b(request):
            return Post.objects.filter(status="published", author=request.user)
        def c():
            return session.scalars(select(Post).where(Post.is_public.is_(True)))
        def d():
            return Post.query.filter(Post.visible == True).all()
        def e(request):
            return Post.objects.filter(published=request.GET["p"])
    """)
    functions = {f.name.value: f for f in walk(ctx.module) if isinstance(f, cst.FunctionDef)}
    assert [name for name, f in functions.items() if publication_filtered(ctx, f)] == ["a", "b", "c", "d"]
    proj = project({"shop/models.py": MODELS, "shop/views.py": (
        "from .models import Order, Product\n\n"
        "def leak(request):\n    return Order.objects.all()\n\n"
        "def catalogue(request):\n    return Product.objects.all()\n\n"
        "def shown(request):\n    return Order.objects.filter(is_active=True)\n")})
    ctx = proj.context_for_path("shop/views.py")
    assert ctx is not None
    functions = {f.name.value: f for f in walk(ctx.module) if isinstance(f, cst.FunctionDef)}
    assert [n for n, f in functions.items() if holds_user_data(ctx, f)] == ["leak"]


def test_endpoints_of_every_framework_in_one_shape() -> None:
    proj = project({
        "config/settings.py": 'ROOT_URLCONF = "config.urls"\n',
        "config/urls.py": """
            from django.urls import path
            from shop import views
            urlpatterns = [path("orders/<int:pk>/", views.OrderView.as_view()), path("me/", views.me)]
        """,
        "shop/views.py": """
            from django.contrib.auth.decorators import login_required
            from django.contrib.auth.mixins import LoginRequiredMixin
            from django.http import JsonResponse
            from django.views import View

            class OrderView(LoginRequiredMixin, View):
                def get(self, request, pk):
                    return JsonResponse({})

                def post(self, request, pk):
                    return JsonResponse({})

            @login_required
            def me(request):
                return JsonResponse({})
        """,
        "api/app.py": """
            from flask import Flask
            app = Flask(__name__)

            @app.get("/health")
            def health():
                return "ok"
        """,
    })
    django = proj.context_for_path("shop/views.py")
    flask = proj.context_for_path("api/app.py")
    assert django is not None and flask is not None
    found = {(e.function.name.value, e.methods, e.path, e.authenticated) for e in endpoints(django)}
    assert found == {("get", ("GET",), "/orders/<int:pk>/", True), ("post", ("POST",), "/orders/<int:pk>/", True),
                     ("me", (), "/me/", True)}
    [health] = endpoints(flask)
    assert (health.framework, health.label, health.authenticated) == ("flask", "GET /health", False)


def test_starlette_route_tables_join_mount_prefixes_across_modules() -> None:
    proj = project({
        "notes/routes.py": """
            from starlette.routing import Mount, Route
            from .endpoints import notes
            api = [Route("/{note_id}", notes.detail, methods=["GET", "DELETE"])]
            routes = [Mount("/api", routes=[Mount("/notes", routes=api), Route("/ping", notes.ping)])]
        """,
        "notes/endpoints/notes.py": """
            from starlette.responses import JSONResponse
            async def detail(request):
                return JSONResponse({})
            async def ping(request):
                return JSONResponse({})
        """,
    })
    ctx = proj.context_for_path("notes/endpoints/notes.py")
    assert ctx is not None
    table = {(e.endpoint, e.path, e.methods) for e in starlette_table(ctx)}
    assert table == {("notes.endpoints.notes.detail", "/api/notes/{note_id}", ("GET", "DELETE")),
                     ("notes.endpoints.notes.ping", "/api/ping", ())}
    assert {(e.label, e.framework) for e in endpoints(ctx)} == {
        ("GET|DELETE /api/notes/{note_id}", "starlette"), ("GET /api/ping", "starlette")}


def test_a_table_of_logins_is_a_user_model_whatever_its_name() -> None:
    ctx = context("""
        from django.db import models

        class authLogin(models.Model):
            username = models.CharField(max_length=200, unique=True)
            password = models.CharField(max_length=200)

        class MailRelay(models.Model):
            host = models.CharField(max_length=200)
            password = models.CharField(max_length=200)

        authLogin.objects.get(username=name)
        MailRelay.objects.get(host=host)
    """)
    assert is_user_model(ctx, cst.Name("authLogin"))
    assert not is_user_model(ctx, cst.Name("MailRelay"))  # a password, but no login name: a service's
