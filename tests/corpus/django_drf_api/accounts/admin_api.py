"""User management and the team directory."""

from django.contrib.auth import get_user_model
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response

from shop.models import AuditEntry

from .serializers import MemberSerializer, UserAdminSerializer

User = get_user_model()


class UserAdminViewSet(viewsets.ModelViewSet):  # expect: AR103
    """Back-office user management: list, edit, deactivate, grant staff."""

    queryset = User.objects.order_by("id")
    serializer_class = UserAdminSerializer
    permission_classes = [IsAuthenticated]

    def perform_update(self, serializer):
        user = serializer.save()
        AuditEntry.objects.create(actor=self.request.user, action="user.update", target=f"user:{user.pk}")

    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = self.get_object()
        user.is_active = False
        user.save(update_fields=["is_active"])
        AuditEntry.objects.create(actor=request.user, action="user.deactivate", target=f"user:{user.pk}")
        return Response({"status": "deactivated"})


class StaffUserViewSet(viewsets.ReadOnlyModelViewSet):
    """Staff accounts, for the support dashboard's assignee picker."""

    queryset = User.objects.filter(is_staff=True).order_by("username")
    serializer_class = UserAdminSerializer
    permission_classes = [IsAdminUser]


class TeamMemberViewSet(viewsets.ReadOnlyModelViewSet):
    """Colleagues who share one of the caller's purchasing teams (auth from DEFAULT_PERMISSION_CLASSES)."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        return User.objects.filter(groups__in=self.request.user.groups.all()).distinct().order_by("last_name")
