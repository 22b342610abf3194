"""Daily reports: the list (with its Excel export) and one day of a team, printable."""

from django.views.generic import DetailView
from django_filters.views import FilterView

from cadres.views.base import ExportMixin, FilteredListMixin
from supervision import exports
from supervision.choices import FocusArea
from supervision.models import DailyReport, MeasureCheck, Problem
from supervision.models.reports import FIGURES
from supervision.selectors import is_late

from .base import DailyReportFilterSet
from .teams import mark_late, with_problem_counts


class ReportListView(ExportMixin, FilteredListMixin, FilterView):
    template_name = "supervision/report_list.html"
    filterset_class = DailyReportFilterSet
    context_object_name = "reports"
    paginate_by = 50
    export = staticmethod(exports.reports_xlsx)

    def get_queryset(self):
        reports = DailyReport.objects.visible_to(self.request.user).select_related("team")
        return with_problem_counts(reports).order_by("-date", "team__name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports"] = mark_late(context["reports"])
        context["figure_labels"] = list(FIGURES.values())
        return context


class ReportDetailView(DetailView):
    """One day of a team: the five focus areas, the figures, the communities visited, the
    measures checked and the problems found."""

    template_name = "supervision/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return DailyReport.objects.visible_to(self.request.user).select_related(
            "team__lead_unit", "submitted_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        context.update(
            late=is_late(report.date, report.created_at),
            texts=[(area.label, getattr(report, area.value)) for area in FocusArea],
            figures=[(label, getattr(report, name)) for name, label in FIGURES.items()],
            communities=report.communities.order_by("path"),
            checks=MeasureCheck.objects.filter(report=report)
            .select_related("measure", "community")
            .order_by("community__path", "measure__number"),
            problems=Problem.objects.filter(report=report).select_related("community"),
        )
        return context
