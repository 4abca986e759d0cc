"""Account views for mysite (sample for AR301, AR303, AR304)."""

import hashlib
import hmac
import json

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST


def sign_in(request):  # expect: AR107
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return JsonResponse({"error": "invalid credentials"}, status=401)
    login(request, user)
    response = JsonResponse({"ok": True})
    response.set_cookie("api_token", user.auth_token.key, max_age=3600, httponly=True)  # expect: AR301
    response.set_cookie("sessionid_hint", "1", 3600, None, "/", None, True, True, "Lax")
    response.set_cookie("tz", request.POST.get("tz", "UTC"))
    return response


@login_required
@csrf_exempt  # expect: AR303
@require_POST
def change_email(request):
    request.user.email = request.POST["email"]
    request.user.save()
    return JsonResponse({"ok": True})


@csrf_exempt
@require_GET
def export_feed(request):
    return HttpResponse("<rss/>", content_type="application/rss+xml")


@csrf_exempt
@require_POST
def github_webhook(request):
    digest = hmac.new(settings.GITHUB_WEBHOOK_KEY.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest("sha256=" + digest, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponse(status=403)
    return HttpResponse(status=204)


@method_decorator(csrf_exempt, name="dispatch")  # expect: AR303
class DeleteAccountView(View):
    def post(self, request):
        request.user.delete()
        return JsonResponse({"ok": True})


@login_required
def profile_json(request):
    response = JsonResponse({"username": request.user.username})
    response["Access-Control-Allow-Origin"] = request.META.get("HTTP_ORIGIN", "")  # expect: AR304
    response["Access-Control-Allow-Credentials"] = "true"
    return response


def public_stats(request):
    response = HttpResponse(json.dumps({"users": 3}), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
