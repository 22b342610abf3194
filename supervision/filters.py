"""One FilterSet per list: the pages, the API and the Excel exports of supervision share them.

Scoping stays in the base queryset (`visible_to`); the choices offered here are only the rows
the requesting user sees.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cadres.filters import visible, visible_communities
from communities.choices import AreaLevel
from communities.models import Area
from supervision.choices import FocusArea, ProblemStatus
from supervision.models import DailyReport, Problem, Team, TeamCoverage


def visible_townships(request):
    if request is None:
        return Area.objects.none()
    return Area.objects.visible_to(request.user).filter(level=AreaLevel.TOWNSHIP)


@extend_schema_field(OpenApiTypes.INT)
class AreaFilter(django_filters.ModelChoiceFilter):
    """An area by id, among those the user sees; the method says how rows relate to it."""


def _covering(area: Area, team_field: str = "pk") -> Exists:
    """Teams covering `area`, anything under it, or an area above it (a township's team answers
    for its communities)."""
    above = [int(part) for part in area.path.split("/") if part]
    return Exists(
        TeamCoverage.objects.filter(team=OuterRef(team_field)).filter(
            Q(area__path__startswith=area.path) | Q(area_id__in=above)
        )
    )


class TeamFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or lead department"), method="filter_q")
    community = AreaFilter(label=_("Community"), queryset=visible_communities, method="filter_area")
    township = AreaFilter(label=_("Township"), queryset=visible_townships, method="filter_area")

    class Meta:
        model = Team
        fields = ["community", "township", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(lead_unit__name__icontains=value))

    def filter_area(self, queryset, name, value):
        return queryset.filter(_covering(value))


class DateRangeFilterSet(django_filters.FilterSet):
    """`date` (one day), `date_after` and `date_before` (inclusive) on `date_field`."""

    date_field = "date"

    date = django_filters.DateFilter(label=_("Date"), method="filter_date")
    date_after = django_filters.DateFilter(label=_("From"), method="filter_date")
    date_before = django_filters.DateFilter(label=_("To"), method="filter_date")

    LOOKUPS = {"date": "exact", "date_after": "gte", "date_before": "lte"}

    def filter_date(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__{self.LOOKUPS[name]}": value})


class DailyReportFilterSet(DateRangeFilterSet):
    q = django_filters.CharFilter(label=_("Team"), method="filter_q")
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=visible(Team))
    community = AreaFilter(
        label=_("Community visited"), queryset=visible_communities, method="filter_community"
    )
    township = AreaFilter(label=_("Township"), queryset=visible_townships, method="filter_township")

    class Meta:
        model = DailyReport
        fields = ["team", "date", "date_after", "date_before", "community", "township", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(team__name__icontains=value)

    def _visited(self, condition: Q) -> Exists:
        visits = DailyReport.communities.through.objects.filter(dailyreport=OuterRef("pk"))
        return Exists(visits.filter(condition))

    def filter_community(self, queryset, name, value):
        return queryset.filter(self._visited(Q(area=value)))

    def filter_township(self, queryset, name, value):
        return queryset.filter(self._visited(Q(area__path__startswith=value.path)))


class ProblemFilterSet(DateRangeFilterSet):
    """Problems by team, place, focus area and status; `date…` is the day they were found."""

    date_field = "found_on"

    q = django_filters.CharFilter(label=_("Description or community"), method="filter_q")
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=visible(Team))
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=visible_communities)
    township = AreaFilter(label=_("Township"), queryset=visible_townships, method="filter_township")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ProblemStatus.choices)
    focus_area = django_filters.ChoiceFilter(label=_("Focus area"), choices=FocusArea.choices)
    overdue = django_filters.TypedChoiceFilter(
        label=_("Overdue"),
        choices=[("true", _("Yes")), ("false", _("No"))],
        coerce=lambda value: value == "true",
        method="filter_overdue",
    )

    class Meta:
        model = Problem
        fields = [
            "team",
            "date",
            "date_after",
            "date_before",
            "community",
            "township",
            "status",
            "focus_area",
            "overdue",
            "q",
        ]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(description__icontains=value) | Q(community__name__icontains=value)
        )

    def filter_township(self, queryset, name, value):
        return queryset.filter(community__path__startswith=value.path)

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue()
        return queryset.exclude(pk__in=Problem.objects.overdue().values("pk"))
