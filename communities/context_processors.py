from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communities.navigation import entries_for


def navigation(request):
    """The navigation bar, by role: the overview, then what the apps registered."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Overview"), reverse("communities:home"))]
    if user.area_id:
        items.append((_("My area"), reverse("communities:area-detail", args=[user.area_id])))
    items.extend((entry.label, entry.url(user)) for entry in entries_for(user))
    items.append((_("API"), reverse("api-docs")))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "active": url == current} for label, url in items
        ]
    }
