"""The teams (防疫巡回督导小分队): a list with their 1 + 5 + X, and a team's page."""

from django.db.models import OuterRef
from django.views.generic import DetailView
from django_filters.views import FilterView

from cadres.views.base import FilteredListMixin
from supervision.choices import OPEN_PROBLEM_STATUSES
from supervision.models import DailyReport, Problem, Team
from supervision.selectors import (
    is_late,
    problem_grand_total,
    row_count,
    team_composition,
    teams_with_counts,
)

from .base import TeamFilterSet

RECENT_REPORTS = 14
OPEN_PROBLEMS_SHOWN = 50


def with_problem_counts(reports):
    return reports.annotate(problem_count=row_count(Problem.objects.filter(report=OuterRef("pk"))))


def mark_late(reports) -> list:
    reports = list(reports)
    for report in reports:
        report.late = is_late(report.date, report.created_at)
    return reports


class TeamListView(FilteredListMixin, FilterView):
    template_name = "supervision/team_list.html"
    filterset_class = TeamFilterSet
    context_object_name = "teams"
    paginate_by = 100

    def get_queryset(self):
        teams = Team.objects.visible_to(self.request.user)
        return teams_with_counts(teams).order_by("county__path", "name")


class TeamDetailView(DetailView):
    """A team: its 1, 5 and X with counts, what it covers, its recent reports and problems."""

    template_name = "supervision/team_detail.html"
    context_object_name = "team"

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user).select_related(
            "leader__work_unit", "lead_unit", "county"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = self.object
        problems = Problem.objects.filter(team=team)
        reports = DailyReport.objects.filter(team=team).order_by("-date")[:RECENT_REPORTS]
        context.update(
            composition=team_composition(team),
            reports=mark_late(with_problem_counts(reports)),
            totals=problem_grand_total(problems),
            open_problems=problems.filter(status__in=OPEN_PROBLEM_STATUSES)
            .select_related("community")
            .order_by("deadline", "-found_on", "-id")[:OPEN_PROBLEMS_SHOWN],
        )
        return context
