"""The latest reported status of each strict-control measure in a community."""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from communities.models import Area
from supervision.choices import MeasureStatus
from supervision.selectors import measure_statuses


class CommunityMeasuresView(TemplateView):
    template_name = "supervision/community_measures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        community = get_object_or_404(
            Area.objects.visible_to(self.request.user).communities(), pk=kwargs["pk"]
        )
        labels = dict(MeasureStatus.choices)
        measures = list(measure_statuses(community))
        for measure in measures:
            measure.latest_label = labels.get(measure.latest_status, "")
        context.update(community=community, measures=measures)
        return context
