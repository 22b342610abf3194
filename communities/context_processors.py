from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request):
    """The navigation bar, by role. Later capabilities add their entries here."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Overview"), reverse("communities:home"))]
    if user.area_id:
        items.append((_("My area"), reverse("communities:area-detail", args=[user.area_id])))
    items.append((_("API"), reverse("api-docs")))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "active": url == current} for label, url in items
        ]
    }
