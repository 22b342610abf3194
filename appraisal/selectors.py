"""Reads of the appraisal: appraisals with the facts the other apps hold about the cadre — the
posts held in the period, the days registered in it, the daily reports and problems of the
teams covering their community in it, their commendations — in one query however many rows."""

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import StartsWith

from cadres.models import Post
from supervision.choices import ProblemStatus
from supervision.models import DailyReport, Problem, TeamCoverage
from supervision.selectors import row_count

from .choices import Grade
from .models import Appraisal, Commendation, Period, Quota

# Days a cadre was registered within the period: each serving registration clipped to the
# period (an open one runs to today), summed.
DAYS_REGISTERED = """
    SELECT COALESCE(SUM(GREATEST(0,
        LEAST(COALESCE((r.ended_at AT TIME ZONE %s)::date, (now() AT TIME ZONE %s)::date),
              p.ends_on)
        - GREATEST((COALESCE(r.decided_at, r.created_at) AT TIME ZONE %s)::date, p.starts_on)
        + 1)), 0)
    FROM cadres_registration r JOIN appraisal_period p ON p.id = appraisal_appraisal.period_id
    WHERE r.cadre_id = appraisal_appraisal.cadre_id
      AND r.status IN ('confirmed', 'transferred')
"""


def _covering_team(team_ref: str) -> Exists:
    """The team (`team_ref`, an OuterRef path) covers the appraisal's community, two levels
    out."""
    return Exists(
        TeamCoverage.objects.filter(
            StartsWith(OuterRef(OuterRef("community__path")), F("area__path")),
            team=OuterRef(team_ref),
        )
    )


def appraisals_for_list(queryset: QuerySet) -> QuerySet:
    """Appraisals with period, cadre, unit and community, and the facts from the other apps."""
    in_period = Q(date__gte=OuterRef("period__starts_on"), date__lte=OuterRef("period__ends_on"))
    reports = DailyReport.objects.filter(in_period, _covering_team("team"))
    problems = Problem.objects.filter(
        _covering_team("team"),
        found_on__gte=OuterRef("period__starts_on"),
        found_on__lte=OuterRef("period__ends_on"),
    )
    posts = (
        Post.objects.filter(registration__cadre=OuterRef("cadre"))
        .filter(created_at__date__lte=OuterRef("period__ends_on"))
        .exclude(ended_at__date__lt=OuterRef("period__starts_on"))
        .order_by("kind", "id")
        .values("kind")
    )
    zone = settings.TIME_ZONE
    return (
        queryset.select_related("period", "cadre", "work_unit", "community__parent")
        .prefetch_related(
            Prefetch("cadre__commendations", Commendation.objects.order_by("awarded_on", "id"))
        )
        .annotate(
            post_kinds=ArraySubquery(posts),
            days_registered=RawSQL(DAYS_REGISTERED, (zone, zone, zone)),
            team_reports=row_count(reports),
            team_problems=row_count(problems),
            team_problems_fixed=row_count(
                problems.filter(status__in=(ProblemStatus.RESOLVED, ProblemStatus.VERIFIED))
            ),
        )
    )


def quotas_with_use(period: Period) -> QuerySet:
    """The period's quotas with how many 优秀 each has given and to whom."""
    return with_use(Quota.objects.filter(period=period))


def with_use(quotas: QuerySet) -> QuerySet:
    """Quotas (of any periods) with how many 优秀 each has given and to whom."""
    given = Appraisal.objects.filter(
        period=OuterRef("period"), work_unit=OuterRef("work_unit"), final_grade=Grade.EXCELLENT
    )
    holders = (
        given.values("period")
        .annotate(names=StringAgg("cadre__name", delimiter="、", order_by="cadre__name"))
        .values("names")
    )
    return (
        quotas.select_related("work_unit")
        .annotate(given=row_count(given), holders=holders[:1])
        .order_by("work_unit__name")
    )
