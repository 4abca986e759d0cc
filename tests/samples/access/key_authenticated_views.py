"""Django views that authenticate their caller themselves, by an API key (sample for AR101).

A view that looks its caller up by a key from the Authorization header or the URL and refuses with 403
when no one matches is guarded, though no decorator says so. The purge view beside it, which deletes the
same data with no key at all, is not.
"""

from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.urls import path

from .models import Check, Project


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


urlpatterns = [
    path("projects/<uuid:code>/metrics/", metrics),
    path("projects/<uuid:code>/metrics/<slug:key>", metrics),
    path("projects/<int:project_id>/purge/", purge),
]
