"""Django views with CSRF exemptions (sample for AR303).

CSRF rides on the session cookie a browser sends by itself. An exempt view that never acts as the
session's user (an API-key view, a capability URL hit by cron, a public search) loses nothing; one that
does is reported: high when it reads the session's user, medium when it hands the request to code
elsewhere that may.
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt

from .models import Check, Project
from .services import apply_profile


def api_key_required(view):
    def wrapper(request, *args, **kwargs):
        key = request.META.get("HTTP_X_API_KEY", "")
        project = Project.objects.filter(api_key=key).first()
        if project is None:
            return HttpResponse(status=401)
        request.project = project
        return view(request, *args, **kwargs)

    return wrapper


@csrf_exempt
@api_key_required
def create_check(request):
    check = Check.objects.create(project=request.project, name=request.POST.get("name", ""))
    return JsonResponse({"id": check.id}, status=201)


@csrf_exempt
def ping(request, code):
    check = get_object_or_404(Check, code=code)
    check.ping(request.META.get("REMOTE_ADDR"), request.body[:1000])
    return HttpResponse("OK")


@csrf_exempt
def search(request):
    hits = Check.objects.filter(name__icontains=request.GET.get("q", ""))[:20]
    return render(request, "search.html", {"hits": hits})


def _save_theme(req, theme):
    req.user.profile.theme = theme
    req.user.profile.save(update_fields=["theme"])


@csrf_exempt  # expect: AR303[high]
def change_email(request):
    request.user.email = request.POST["email"]
    request.user.save(update_fields=["email"])
    return HttpResponse("saved")


@csrf_exempt  # expect: AR303[high]
def change_theme(request):
    _save_theme(request, request.POST["theme"])
    return HttpResponse("saved")


@csrf_exempt  # expect: AR303[medium]
def update_profile(request):
    apply_profile(request)
    return HttpResponse("saved")
