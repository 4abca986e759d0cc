"""Django views that change state on GET (sample for AR307).

Django's CSRF middleware lets GET, HEAD, OPTIONS and TRACE through unchecked: a view reached by a GET that
deletes or updates the signed-in user's rows can be triggered by any page the user visits. Views that write
only when a form is posted, bookkeeping, logout, e-mail links that carry a token, and token-authenticated API
views are not reported.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth import logout as end_session
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .forms import BookmarkForm
from .models import Bookmark, Membership, Notification

User = get_user_model()


# --- reported ------------------------------------------------------------------------------------------------


@login_required
@require_GET  # expect: AR307[high]
def delete_bookmark(request, pk):
    bookmark = get_object_or_404(Bookmark, pk=pk, owner=request.user)
    bookmark.delete()
    return redirect("bookmarks")


@login_required
def star_bookmark(request, pk):  # expect: AR307[high]
    Bookmark.objects.filter(pk=pk, owner=request.user).update(starred=True)
    return redirect("bookmarks")


class LeaveTeamView(LoginRequiredMixin, View):
    def get(self, request, team_id):  # expect: AR307[high]
        Membership.objects.filter(team_id=team_id, user=request.user).delete()
        return redirect("teams")


class ArchiveBookmarkView(LoginRequiredMixin, View):
    def get(self, request, pk):  # expect: AR307[medium]
        return self.post(request, pk)

    def post(self, request, pk):
        bookmark = get_object_or_404(Bookmark, pk=pk, owner=request.user)
        bookmark.archived = True
        bookmark.save(update_fields=["archived"])
        return redirect("bookmarks")


# --- not reported ----------------------------------------------------------------------------------------------


@login_required
def bookmarks(request):
    Notification.objects.filter(user=request.user, read=False).update(read=True)
    items = Bookmark.objects.filter(owner=request.user)
    return render(request, "bookmarks.html", {"bookmarks": items})


@login_required
@require_GET
def bookmark_detail(request, pk):
    bookmark = get_object_or_404(Bookmark, pk=pk, owner=request.user)
    bookmark.last_opened = timezone.now()
    bookmark.save(update_fields=["last_opened"])
    return render(request, "bookmark.html", {"bookmark": bookmark})


@login_required
@require_POST
def unstar_bookmark(request, pk):
    Bookmark.objects.filter(pk=pk, owner=request.user).update(starred=False)
    return redirect("bookmarks")


@login_required
def edit_bookmark(request, pk):
    bookmark = get_object_or_404(Bookmark, pk=pk, owner=request.user)
    if request.method == "POST":
        form = BookmarkForm(request.POST, instance=bookmark)
        if form.is_valid():
            form.save()
            return redirect("bookmarks")
    else:
        form = BookmarkForm(instance=bookmark)
    return render(request, "edit.html", {"form": form})


@login_required
def rename_bookmark(request, pk):
    bookmark = get_object_or_404(Bookmark, pk=pk, owner=request.user)
    bookmark.title = request.POST.get("title", bookmark.title)
    bookmark.save()
    return redirect("bookmarks")


@login_required
def sign_out(request):
    request.user.sessions.all().delete()
    end_session(request)
    return redirect("home")


@require_GET
def activate(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not default_token_generator.check_token(user, token):
        return HttpResponseBadRequest("invalid link")
    user.is_active = True
    user.save(update_fields=["is_active"])
    return redirect("login")


class ApiClearBookmarks(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        Bookmark.objects.filter(owner=request.user).delete()
        return Response(status=204)


@login_required
def export_bookmarks(request):
    rows = list(Bookmark.objects.filter(owner=request.user).values("title", "url"))
    return JsonResponse({"bookmarks": rows})
