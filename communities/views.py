from django.views.generic import DetailView, TemplateView

from communities.models import Area
from communities.selectors import areas_with_totals, community_layout, home_areas_for


class ScopedQuerysetMixin:
    """Browser views start from the model's `visible_to(user)`: out of scope is a 404."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class HomeView(TemplateView):
    """The user's area at a glance, and what lies directly under it."""

    template_name = "communities/area_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        areas = list(areas_with_totals(home_areas_for(user)))
        context["areas"] = areas
        if len(areas) == 1:
            context["area"] = areas[0]
            context["children"] = areas_with_totals(areas[0].children.all())
        return context


class AreaDetailView(ScopedQuerysetMixin, DetailView):
    """One area: its totals, and its children or, for a community, its estates and grids."""

    model = Area
    template_name = "communities/area_detail.html"
    context_object_name = "area"

    def get_queryset(self):
        return areas_with_totals(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        ancestor_ids = [int(part) for part in area.path.split("/") if part][:-1]
        context["ancestors"] = (
            super().get_queryset().filter(pk__in=ancestor_ids).order_by("path").only("name")
        )
        if area.is_community:
            context.update(community_layout(area))
        else:
            context["children"] = areas_with_totals(area.children.all())
        return context
