"""The API of an inventory app (Django REST framework, no default permission classes): a permission
class of its own that subclasses ``DjangoModelPermissions`` rejects anonymous users and checks the
model permission per method (AR101 look-alike). A viewset guarded only by an object-level "owner or
read-only" class lets anyone list and create, because ``has_permission`` is never overridden (AR101)."""

from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions
from rest_framework.routers import DefaultRouter

from .models import Device, Note, Site
from .serializers import DeviceSerializer, NoteSerializer, SiteSerializer


class ObjectPermissions(DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


class IsOwnerOrReadOnly(BasePermission):
    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return obj.owner == request.user


class DeviceViewSet(viewsets.ModelViewSet):
    queryset = Device.objects.select_related("site")
    serializer_class = DeviceSerializer
    permission_classes = [ObjectPermissions]


class SiteViewSet(viewsets.ModelViewSet):
    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    permission_classes = [ObjectPermissions]


class NoteViewSet(viewsets.ModelViewSet):  # expect: AR101
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    permission_classes = [IsOwnerOrReadOnly]


router = DefaultRouter()
router.register("devices", DeviceViewSet)
router.register("sites", SiteViewSet)
router.register("notes", NoteViewSet)
urlpatterns = router.urls
