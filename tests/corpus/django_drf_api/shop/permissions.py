"""Object- and role-level permissions for the shop API."""

from rest_framework.permissions import BasePermission


class IsOwner(BasePermission):
    """Object-level: only the object's owner may see or change it."""

    message = "Not found."

    def has_object_permission(self, request, view, obj):
        owner_id = getattr(obj, "owner_id", None) or getattr(obj, "customer_id", None)
        return owner_id == request.user.id


class IsSupportStaff(BasePermission):
    """Members of the "support" group (or staff) may issue refunds and see every order."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or user.groups.filter(name="support").exists()))

