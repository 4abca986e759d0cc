"""One changed file in a 500-file project: how long the analysis takes once the context is warm.

    python bench/incremental.py [--apps 46] [--runs 15]

Writes a Django + DRF project of ``--apps`` apps (eleven modules each: models, views, urls,
serializers, permissions, services, forms, admin, apps, tasks, ``__init__``) plus settings and a root urlconf
to a temporary directory. Then, for one views module:

- cold: a fresh process state (empty parse cache), a new ``Project``, analyse the file with
  every rule: route rules read the urlconf chain, settings, models and permission classes
  from other modules;
- warm: the parse cache already holds the project (as a long-running worker's does after the
  first review of a repository), the file is edited (a new view), a new ``Project`` is built
  (as each review job does) and the file is analysed again.

Prints the median and worst of ``--runs`` warm runs, the cold time, how many modules the
analysis loaded, and Bandit alone on the same file in this process, for scale.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auth_review.analyzers.config import Config  # noqa: E402
from auth_review.analyzers.engine import analyze_source, discover_files, enabled_rules  # noqa: E402
from auth_review.analyzers.project import PARSE_CACHE, Project  # noqa: E402
from auth_review.analyzers.source import decode  # noqa: E402

MODULES = {
    "models.py": """
        from django.conf import settings
        from django.db import models


        class Item{n}(models.Model):
            owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            title = models.CharField(max_length=120)
            is_published = models.BooleanField(default=False)


        class Tag{n}(models.Model):
            name = models.CharField(max_length=40)
        """,
    "views.py": """
        from django.contrib.auth.decorators import login_required
        from django.http import JsonResponse
        from django.shortcuts import get_object_or_404
        from rest_framework import viewsets
        from rest_framework.permissions import IsAuthenticated

        from .models import Item{n}, Tag{n}
        from .permissions import IsOwner{n}
        from .serializers import Item{n}Serializer


        @login_required
        def item_list(request):
            return JsonResponse({{"items": list(Item{n}.objects.filter(owner=request.user).values("id", "title"))}})


        @login_required
        def item_detail(request, pk):
            item = get_object_or_404(Item{n}, pk=pk, owner=request.user)
            return JsonResponse({{"id": item.pk, "title": item.title}})


        def tags(request):
            return JsonResponse({{"tags": list(Tag{n}.objects.values_list("name", flat=True))}})


        class Item{n}ViewSet(viewsets.ModelViewSet):
            serializer_class = Item{n}Serializer
            permission_classes = [IsAuthenticated, IsOwner{n}]

            def get_queryset(self):
                return Item{n}.objects.filter(owner=self.request.user)
        """,
    "urls.py": """
        from django.urls import path
        from rest_framework.routers import DefaultRouter

        from . import views

        router = DefaultRouter()
        router.register("api/items", views.Item{n}ViewSet, basename="item{n}")

        urlpatterns = [
            path("items/", views.item_list),
            path("items/<int:pk>/", views.item_detail),
            path("tags/", views.tags),
            *router.urls,
        ]
        """,
    "serializers.py": """
        from rest_framework import serializers

        from .models import Item{n}


        class Item{n}Serializer(serializers.ModelSerializer):
            class Meta:
                model = Item{n}
                fields = ["id", "title", "is_published"]
        """,
    "permissions.py": """
        from rest_framework.permissions import BasePermission


        class IsOwner{n}(BasePermission):
            def has_object_permission(self, request, view, obj):
                return obj.owner_id == request.user.pk
        """,
    "services.py": """
        from .models import Item{n}


        def publish(item: Item{n}) -> None:
            item.is_published = True
            item.save(update_fields=["is_published"])


        def count_for(user) -> int:
            return Item{n}.objects.filter(owner=user).count()
        """,
    "forms.py": """
        from django import forms

        from .models import Item{n}


        class Item{n}Form(forms.ModelForm):
            class Meta:
                model = Item{n}
                fields = ["title"]
        """,
    "admin.py": """
        from django.contrib import admin

        from .models import Item{n}, Tag{n}

        admin.site.register(Item{n})
        admin.site.register(Tag{n})
        """,
    "apps.py": """
        from django.apps import AppConfig


        class App{n}Config(AppConfig):
            name = "app{n:03d}"
        """,
    "tasks.py": """
        import logging

        from .services import count_for

        logger = logging.getLogger(__name__)


        def report(user) -> None:
            logger.info("user %s has %d items", user.pk, count_for(user))
        """,
}
SETTINGS = """
    ROOT_URLCONF = "config.urls"
    INSTALLED_APPS = ["django.contrib.auth", "rest_framework", {apps}]
    MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
                  "django.contrib.auth.middleware.AuthenticationMiddleware"]
    REST_FRAMEWORK = {{"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}}
    """
EDIT = """

@login_required
def item_export(request, pk):
    item = Item{n}.objects.get(pk=pk)
    return JsonResponse({{"id": item.pk, "title": item.title}})
"""


def write_project(root: Path, apps: int) -> str:
    for n in range(apps):
        package = root / f"app{n:03d}"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        for name, template in MODULES.items():
            (package / name).write_text(textwrap.dedent(template).lstrip().format(n=n))
    (root / "config").mkdir()
    (root / "config" / "__init__.py").write_text("")
    (root / "config" / "settings.py").write_text(textwrap.dedent(SETTINGS).lstrip().format(
        apps=", ".join(f'"app{n:03d}"' for n in range(apps))))
    includes = "\n".join(f'    path("app{n:03d}/", include("app{n:03d}.urls")),' for n in range(apps))
    (root / "config" / "urls.py").write_text(
        f"from django.urls import include, path\n\nurlpatterns = [\n{includes}\n]\n")
    return f"app{apps // 2:03d}/views.py"


def analyse(root: Path, files: list[str], target: str, text: str, config: Config) -> tuple[float, list[str], int]:
    """A new project (as a review job builds one), then the one file: seconds, findings, modules loaded."""
    start = time.perf_counter()
    edited = {target: text.encode()}
    project = Project(files, lambda rel: edited.get(rel) or (root / rel).read_bytes(), config)
    source = decode(target, text.encode(), config.max_file_size)
    result = analyze_source(source, config, enabled_rules(config), project)
    elapsed = time.perf_counter() - start
    assert not result.errors, result.errors
    loaded = sum(1 for ctx in project._contexts.values() if ctx is not None)
    return elapsed, [f"{f.rule_id}:{f.line}" for f in result.findings], loaded


def bandit_on(path: Path) -> float:
    from bandit.core import config as b_config
    from bandit.core import manager

    logging.getLogger("bandit").setLevel(logging.ERROR)
    start = time.perf_counter()
    mgr = manager.BanditManager(b_config.BanditConfig(), "file")
    mgr.discover_files([str(path)])
    mgr.run_tests()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=46, help="apps of eleven modules each (default 46: 509 files)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    config = Config(bandit=False, test_paths=())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        target = write_project(root, args.apps)
        files = discover_files(root, [root], config)
        original = (root / target).read_text()
        print(f"project: {len(files)} files, changed file: {target}")

        cold, findings, loaded = analyse(root, files, target, original, config)
        print(f"cold (empty parse cache): {cold * 1000:.0f} ms, {loaded} modules loaded, {findings} findings")
        for rel in files:  # what a worker holds after reviewing the repository once
            PARSE_CACHE.parse((root / rel).read_text())

        warm: list[float] = []
        for run in range(args.runs):
            edit = original + EDIT.format(n=args.apps // 2) + f"\n# edit {run}\n"
            elapsed, findings, loaded = analyse(root, files, target, edit, config)
            warm.append(elapsed)
        print(f"warm, one edited file: median {statistics.median(warm) * 1000:.0f} ms, "
              f"worst {max(warm) * 1000:.0f} ms over {args.runs} runs; {loaded} modules loaded, {findings} findings "
              f"(the edit adds an unscoped load: AR102 expected)")
        bandit = bandit_on(root / target)
        print(f"Bandit alone on the same file, this process: {bandit * 1000:.0f} ms "
              f"(ratio {statistics.median(warm) / bandit:.1f}x)")


if __name__ == "__main__":
    main()
