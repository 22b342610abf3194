from rest_framework.permissions import SAFE_METHODS, BasePermission


class PlacesWritable(BasePermission):
    """Anyone in scope reads; administrators and community secretaries write."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return request.method in SAFE_METHODS or user.sees_everything or user.is_secretary


class AdminWritable(BasePermission):
    """Anyone in scope reads; only administrators write."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or request.user.sees_everything
