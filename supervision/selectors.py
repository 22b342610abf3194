"""Reads of supervision that pages and exports share. Each takes an already scoped queryset (or
one object) and answers in a fixed number of queries, whatever the number of rows or days."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.lookups import StartsWith
from django.utils import timezone

from cadres.choices import RegistrationStatus
from cadres.models import Cadre, Registration
from communities.choices import AreaLevel
from communities.models import Area
from supervision.choices import (
    OPEN_PROBLEM_STATUSES,
    STANDING_MEMBERS,
    FocusArea,
    ProblemStatus,
)
from supervision.models import (
    DailyReport,
    Measure,
    MeasureCheck,
    Team,
    TeamCoverage,
    TeamMember,
)

RESOLVED_STATUSES = (ProblemStatus.RESOLVED, ProblemStatus.VERIFIED)


def row_count(queryset: QuerySet) -> Subquery:
    """`SELECT COUNT(*)` of a (correlated) queryset, as a value for `annotate`."""
    counted = queryset.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


# --- teams: 1 + 5 + X -------------------------------------------------------------------------


def _deeper(ref, levels: int):
    """An `OuterRef` seen from `levels` subqueries further in (a plain value stays as it is)."""
    for _ in range(levels if isinstance(ref, OuterRef) else 0):
        ref = OuterRef(ref)
    return ref


def x_cadres(team) -> QuerySet:
    """A team's "X", derived: the confirmed cadres registered in a community the team covers
    (the community itself or its township, as `services.covered_communities`), and the cadres of
    the work units paired with the team. `team` is a pk or an `OuterRef` to one."""
    coverage = TeamCoverage.objects.filter(
        StartsWith(OuterRef("community__path"), F("area__path")), team=_deeper(team, 2)
    )
    registered = Registration.objects.filter(
        Exists(coverage), cadre=OuterRef("pk"), status=RegistrationStatus.CONFIRMED
    )
    paired = Team.paired_units.through.objects.filter(
        team=_deeper(team, 1), workunit=OuterRef("work_unit")
    )
    return Cadre.objects.filter(Exists(registered) | Exists(paired))


def teams_with_counts(teams: QuerySet) -> QuerySet:
    """Per team: its leader and lead department, and the counts of its 5, its X and the areas
    it covers (correlated subqueries: one query for the whole list)."""
    team = OuterRef("pk")
    return teams.select_related("leader__work_unit", "lead_unit", "county").annotate(
        member_count=row_count(TeamMember.objects.filter(team=team)),
        x_count=row_count(x_cadres(team)),
        coverage_count=row_count(TeamCoverage.objects.filter(team=team)),
    )


@dataclass
class TeamComposition:
    """A team's 1, 5 and X with their counts."""

    team: Team
    members: list
    x: list
    x_count: int
    coverage: list

    @property
    def member_count(self) -> int:
        return len(self.members)

    @property
    def members_complete(self) -> bool:
        return self.member_count == STANDING_MEMBERS

    @property
    def x_shown(self) -> int:
        return len(self.x)


def team_composition(team: Team, *, x_limit: int = 200) -> TeamComposition:
    """The 1 (on the team, loaded with it), the 5, the covered areas and up to `x_limit` of the
    X with where each serves: four queries."""
    members = list(
        TeamMember.objects.filter(team=team).select_related("cadre__work_unit").order_by("id")
    )
    x = x_cadres(team.pk)
    confirmed_in = Registration.objects.filter(
        cadre=OuterRef("pk"), status=RegistrationStatus.CONFIRMED
    ).order_by("-id")
    shown = list(
        x.select_related("work_unit")
        .annotate(community_name=Subquery(confirmed_in.values("community__name")[:1]))
        .order_by("name_initials", "name", "id")[:x_limit]
    )
    coverage = list(
        TeamCoverage.objects.filter(team=team).select_related("area").order_by("area__path")
    )
    return TeamComposition(
        team=team, members=members, x=shown, x_count=x.count(), coverage=coverage
    )


# --- coverage gaps ----------------------------------------------------------------------------


@dataclass
class CoverageGaps:
    townships: list = field(default_factory=list)
    communities: list = field(default_factory=list)
    teams_short: list = field(default_factory=list)  # whose "5" is not 5
    teams_without_lead: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.townships)
            + len(self.communities)
            + len(self.teams_short)
            + len(self.teams_without_lead)
        )


def uncovered_areas(area: Area) -> QuerySet:
    """Townships and communities under `area` (a county or a township) that no team of the
    county led by a county-level leader covers; a community is covered when it or its township
    is."""
    county_id = area.pk if area.level == AreaLevel.COUNTY else area.parent_id
    covering = TeamCoverage.objects.filter(
        StartsWith(OuterRef("path"), F("area__path")),
        team__leader__is_county_leader=True,
        team__county_id=county_id,
    )
    return (
        Area.objects.under(area)
        .filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.COMMUNITY])
        .filter(~Exists(covering))
        .select_related("parent")
        .order_by("path")
    )


def coverage_gaps(area: Area, teams: QuerySet) -> CoverageGaps:
    """What the county sees at a glance: uncovered townships and communities under `area`, and
    among `teams` those whose 5 is not 5 and those without a lead department. Two queries."""
    gaps = CoverageGaps()
    for place in uncovered_areas(area):
        if place.level == AreaLevel.TOWNSHIP:
            gaps.townships.append(place)
        else:
            gaps.communities.append(place)
    counted = teams.select_related("lead_unit").annotate(
        member_count=row_count(TeamMember.objects.filter(team=OuterRef("pk")))
    )
    for team in counted.filter(~Q(member_count=STANDING_MEMBERS) | Q(lead_unit__isnull=True)):
        if team.member_count != STANDING_MEMBERS:
            gaps.teams_short.append(team)
        if team.lead_unit_id is None:
            gaps.teams_without_lead.append(team)
    return gaps


# --- reports: today and the week --------------------------------------------------------------


def late_after(day: date) -> datetime:
    """A report of `day` created at or after this moment is late."""
    moment = datetime.combine(day, time(settings.SUPERVISION_REPORT_LATE_HOUR))
    return timezone.make_aware(moment)


def is_late(day: date, created_at: datetime) -> bool:
    return created_at >= late_after(day)


@dataclass
class TeamDay:
    team: Team
    day: date
    report_id: int | None = None
    created_at: datetime | None = None

    @property
    def reported(self) -> bool:
        return self.report_id is not None

    @property
    def late(self) -> bool:
        return self.reported and is_late(self.day, self.created_at)


@dataclass
class ReportsToday:
    day: date
    rows: list[TeamDay]

    @property
    def reported(self) -> list[TeamDay]:
        return [row for row in self.rows if row.reported]

    @property
    def missing(self) -> list[TeamDay]:
        return [row for row in self.rows if not row.reported]

    @property
    def late(self) -> list[TeamDay]:
        return [row for row in self.rows if row.late]


def _reports_by_team_day(teams: QuerySet, first: date, last: date) -> dict:
    reports = DailyReport.objects.filter(
        team__in=teams.values("pk"), date__gte=first, date__lte=last
    ).values_list("team_id", "date", "pk", "created_at")
    return {(team_id, day): (pk, created) for team_id, day, pk, created in reports}


def reports_today(teams: QuerySet, day: date | None = None) -> ReportsToday:
    """Each team with its report of `day` (today by default) or none, late ones marked: two
    queries."""
    day = day or timezone.localdate()
    team_list = list(teams.order_by("name", "pk"))
    found = _reports_by_team_day(teams, day, day)
    rows = [TeamDay(team, day, *found.get((team.pk, day), (None, None))) for team in team_list]
    return ReportsToday(day=day, rows=rows)


@dataclass
class WeekRow:
    team: Team
    cells: list[TeamDay]

    @property
    def reported_count(self) -> int:
        return sum(1 for cell in self.cells if cell.reported)


@dataclass
class Week:
    days: list[date]
    rows: list[WeekRow]

    @property
    def reported_per_day(self) -> list[int]:
        return [sum(1 for row in self.rows if row.cells[i].reported) for i in range(len(self.days))]


def report_week(teams: QuerySet, last: date | None = None, days: int = 7) -> Week:
    """Teams × the last `days` days up to `last` (today): two queries, whatever the number of
    reports stored."""
    last = last or timezone.localdate()
    dates = [last - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    team_list = list(teams.order_by("name", "pk"))
    found = _reports_by_team_day(teams, dates[0], last)
    rows = [
        WeekRow(
            team, [TeamDay(team, day, *found.get((team.pk, day), (None, None))) for day in dates]
        )
        for team in team_list
    ]
    return Week(days=dates, rows=rows)


# --- problem totals ---------------------------------------------------------------------------

# Grouping → (the field grouped on, the field naming a group).
TOTALS_GROUPS = {
    "team": ("team_id", "team__name"),
    "township": ("community__parent_id", "community__parent__name"),
    "community": ("community_id", "community__name"),
    "focus_area": ("focus_area", "focus_area"),
}


@dataclass
class TotalsLine:
    label: str
    found: int
    resolved: int
    verified: int
    overdue: int
    key: object = None

    @property
    def open(self) -> int:
        return self.found - self.resolved

    @property
    def rate(self) -> float | None:
        """Resolved (or verified) of found, in per cent."""
        return round(100 * self.resolved / self.found, 1) if self.found else None


def _totals(today: date) -> dict:
    return {
        "found": Count("pk"),
        "resolved": Count("pk", filter=Q(status__in=RESOLVED_STATUSES)),
        "verified": Count("pk", filter=Q(status=ProblemStatus.VERIFIED)),
        "overdue": Count("pk", filter=Q(status__in=OPEN_PROBLEM_STATUSES, deadline__lt=today)),
    }


def problem_totals(problems: QuerySet, by: str, today: date | None = None) -> list[TotalsLine]:
    """Found, resolved (resolved or verified), verified, overdue and the resolution rate of
    `problems`, grouped by team, township, community or focus area: one query."""
    key, name = TOTALS_GROUPS[by]
    today = today or timezone.localdate()
    rows = problems.order_by().values(key, name).annotate(**_totals(today)).order_by(name, key)
    labels = dict(FocusArea.choices) if by == "focus_area" else {}
    return [
        TotalsLine(
            label=str(labels.get(row[name], row[name])),
            key=row[key],
            found=row["found"],
            resolved=row["resolved"],
            verified=row["verified"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def problem_grand_total(problems: QuerySet, today: date | None = None) -> TotalsLine:
    """The same figures over all `problems`: one query."""
    row = problems.order_by().aggregate(**_totals(today or timezone.localdate()))
    return TotalsLine(label="", **row)


# --- strict-control measures ------------------------------------------------------------------


def measure_statuses(community: Area) -> QuerySet:
    """Every measure with its latest reported status in `community` (and the day it was
    checked), or none: one query."""
    latest = MeasureCheck.objects.filter(measure=OuterRef("pk"), community=community).order_by(
        "-report__date", "-id"
    )
    return Measure.objects.annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_date=Subquery(latest.values("report__date")[:1]),
    ).order_by("number")
