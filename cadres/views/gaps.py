"""The gap view: every building and unit of a community with its chief, or nobody yet."""

from django.shortcuts import redirect
from django.views.generic import DetailView

from cadres.models import BuildingGroup
from cadres.selectors import community_gaps
from communities.models import Area


class GapView(DetailView):
    template_name = "cadres/community_gaps.html"
    context_object_name = "community"

    def get_queryset(self):
        return Area.objects.visible_to(self.request.user).communities()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        gaps = community_gaps(self.object)
        groups = BuildingGroup.objects.filter(community=self.object).select_related("leader")
        by_building = {group.building_id: group for group in groups}
        for row in gaps.buildings:
            row.group = by_building.get(row.building.pk)
        context["gaps"] = gaps
        context["only_gaps"] = self.request.GET.get("only") == "gaps"
        context["editable"] = (
            Area.objects.hosting_for(self.request.user).filter(pk=self.object.pk).exists()
        )
        return context


def my_gaps(request):
    """The secretary's own community; others pick a community on the workbench."""
    if request.user.is_secretary and request.user.area_id:
        return redirect("cadres:community-gaps", pk=request.user.area_id)
    return redirect("cadres:workbench")
