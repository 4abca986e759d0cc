"""Django views that authenticate their caller themselves, by an API key (sample for AR101).

A view that looks its caller up by a key from the Authorization header or the URL and refuses with 403
when no one matches is guarded, though no decorator says so. A function shaped like a view that no
urlconf routes is its guarded callers' helper, not an endpoint. The purge view beside it, which deletes the
same data with no key at all, is not.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from .forms import EmailForm
from .models import Channel, Check, Project


def error(msg, status=400):
    return JsonResponse({"error": msg}, status=status)


def authorize(view):
    # The project's own guard: an API key from a header, refused with 401 through a helper.
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        api_key = request.headers.get("X-Api-Key", "")
        if len(api_key) != 32:
            return error("missing api key", 401)
        request.project = Project.objects.for_api_key(api_key)
        if request.project is None:
            return error("wrong api key", 401)
        return view(request, *args, **kwargs)

    return wrapper


@authorize
def pause(request, check_id):
    check = get_object_or_404(Check, pk=check_id, project=request.project)
    check.status = "paused"
    check.save(update_fields=["status"])
    return JsonResponse(check.to_dict())


def metrics(request, code, key=None):
    if key is None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return HttpResponse(status=401)
        key = header.removeprefix("Bearer ")
    project = Project.objects.for_api_key(key, read_only=True)
    if project is None:
        return HttpResponseForbidden()
    checks = Check.objects.filter(project_id=project.id).order_by("id")
    return JsonResponse({"checks": [c.to_dict() for c in checks]})


def purge(request, project_id):  # expect: AR101
    Check.objects.filter(project_id=project_id).delete()
    return HttpResponse(status=204)


def ping(request, code):
    # A capability URL: the check's UUID code, handed to a cron job, is the permission.
    Check.objects.filter(code=code).update(last_ping_body=request.body[:1000])
    return HttpResponse("OK")


def unsubscribe(request, payload):
    # A signed link from an e-mail: whoever holds it was given it by the app.
    check_id = signing.loads(payload, max_age=3600 * 24 * 7)
    Check.objects.filter(pk=check_id).update(notify=False)
    return HttpResponse("unsubscribed")


def delete_check(request, pk):  # expect: AR101
    # A UUID that names an object is no capability: anyone may delete any check.
    Check.objects.filter(pk=pk).delete()
    return HttpResponse(status=204)


def email_form(request, channel):
    # Shaped like a view (request first, answers a response) but routed by no urlconf: a helper of the
    # guarded views below, not an endpoint.
    form = EmailForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("channels")
    return render(request, "email_form.html", {"form": form})


@login_required
def add_email(request, project_id):
    project = get_object_or_404(Project, pk=project_id, owner=request.user)
    return email_form(request, Channel(project=project, kind="email"))


urlpatterns = [
    path("api/v1/checks/<int:check_id>/pause", pause),
    path("ping/<uuid:code>", ping),
    path("unsubscribe/<str:payload>/", unsubscribe),
    path("checks/<uuid:pk>/delete/", delete_check),
    path("projects/<int:project_id>/add_email/", add_email),
    path("projects/<uuid:code>/metrics/", metrics),
    path("projects/<uuid:code>/metrics/<slug:key>", metrics),
    path("projects/<int:project_id>/purge/", purge),
]
