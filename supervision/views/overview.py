"""The county overview: reports today (reported, not yet, late), the week, problems open and
overdue, totals, coverage gaps, and a bar chart drawn as inline SVG by the template."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from communities.choices import AreaLevel
from supervision.choices import OPEN_PROBLEM_STATUSES
from supervision.models import Problem, Team
from supervision.selectors import (
    TOTALS_GROUPS,
    ReportsToday,
    TotalsLine,
    coverage_gaps,
    problem_grand_total,
    problem_totals,
    report_week,
)

from .base import overview_area

GROUP_LABELS = {
    "team": _("By team"),
    "township": _("By township"),
    "community": _("By community"),
    "focus_area": _("By focus area"),
}

# The chart's geometry, in SVG user units.
CHART_LABEL_WIDTH = 130
CHART_BAR_WIDTH = 250
CHART_ROW_HEIGHT = 26


@dataclass
class Bar:
    label: str
    y: int
    found: int
    resolved: int
    found_width: float
    resolved_width: float

    @property
    def text_y(self) -> int:
        return self.y + 15


@dataclass
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = CHART_LABEL_WIDTH
    width: int = CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 50


def bar_chart(lines: list[TotalsLine]) -> BarChart:
    """Found and resolved per line, as bar lengths scaled to the largest."""
    largest = max((line.found for line in lines), default=0) or 1
    bars = [
        Bar(
            label=line.label[:12],
            y=index * CHART_ROW_HEIGHT,
            found=line.found,
            resolved=line.resolved,
            found_width=round(CHART_BAR_WIDTH * line.found / largest, 1),
            resolved_width=round(CHART_BAR_WIDTH * line.resolved / largest, 1),
        )
        for index, line in enumerate(lines)
    ]
    return BarChart(bars=bars, height=max(len(bars), 1) * CHART_ROW_HEIGHT)


class OverviewView(TemplateView):
    """For the organisation department of a county and administrators; a township's staff see
    their township's part. Anyone else gets a 404."""

    template_name = "supervision/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = overview_area(self.request)
        county_id = area.pk if area.level == AreaLevel.COUNTY else area.parent_id
        teams = Team.objects.visible_to(user).filter(county_id=county_id)
        problems = Problem.objects.visible_to(user).filter(
            team__county_id=county_id, community__path__startswith=area.path
        )
        by = self.request.GET.get("by", "")
        by = by if by in TOTALS_GROUPS else "team"
        today = timezone.localdate()
        week = report_week(teams, today)
        totals = problem_totals(problems, by, today)
        context.update(
            area=area,
            today=ReportsToday(day=today, rows=[row.cells[-1] for row in week.rows]),
            week=week,
            problem_counts=problems.aggregate(
                open=Count("pk", filter=Q(status__in=OPEN_PROBLEM_STATUSES)),
                overdue=Count("pk", filter=Q(status__in=OPEN_PROBLEM_STATUSES, deadline__lt=today)),
            ),
            by=by,
            groupings=list(GROUP_LABELS.items()),
            totals=totals,
            grand_total=problem_grand_total(problems, today),
            chart=bar_chart(totals),
            gaps=coverage_gaps(area, teams),
        )
        return context
