"""The reads behind the supervision pages: 1 + 5 + X, coverage gaps, today and the week, problem
totals, the latest status of each measure — each in a fixed number of queries."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from cadres.choices import RegistrationStatus
from communities.choices import Role
from supervision.choices import FocusArea, MeasureStatus, ProblemStatus
from supervision.models import DailyReport, MeasureCheck, Problem, Team
from supervision.selectors import (
    coverage_gaps,
    measure_statuses,
    problem_grand_total,
    problem_totals,
    report_week,
    reports_today,
    team_composition,
    teams_with_counts,
)
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    MeasureFactory,
    RegistrationFactory,
    TeamFactory,
    TownshipFactory,
    UserFactory,
    WorkUnitFactory,
)

pytestmark = pytest.mark.django_db


# --- helpers shared by the supervision page and export tests ----------------------------------


def at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_report(team, day=None, hour: int = 9, **figures) -> DailyReport:
    """A report of `team` for `day` (today), stored at `hour` o'clock of that day."""
    day = day or timezone.localdate()
    report = DailyReport.objects.create(
        team=team, date=day, **{area.value: f"{area.label} 已做" for area in FocusArea}, **figures
    )
    DailyReport.objects.filter(pk=report.pk).update(created_at=at(day, hour))
    report.refresh_from_db()
    return report


STEPS = [ProblemStatus.FOUND, ProblemStatus.RECTIFYING, ProblemStatus.RESOLVED]


def make_problem(
    team,
    community,
    status=ProblemStatus.FOUND,
    *,
    deadline=None,
    focus_area=FocusArea.PUBLICITY,
    report=None,
    description="垃圾未清运",
) -> Problem:
    """A problem brought to `status` one step at a time (the database allows nothing else)."""
    problem = Problem.objects.create(
        team=team,
        community=community,
        focus_area=focus_area,
        description=description,
        deadline=deadline,
        found_on=report.date if report else timezone.localdate(),
        report=report,
    )
    order = [*STEPS, ProblemStatus.VERIFIED]
    resolver = verifier = None
    for step in order[1 : order.index(status) + 1]:
        changes = {"status": step}
        if step == ProblemStatus.RESOLVED:
            resolver = resolver or UserFactory(role=Role.ADMIN, area=None)
            changes.update(resolved_by=resolver, resolved_at=timezone.now())
        if step == ProblemStatus.VERIFIED:
            verifier = UserFactory(role=Role.ADMIN, area=None)
            changes.update(verified_by=verifier, verified_at=timezone.now())
        Problem.objects.filter(pk=problem.pk).update(**changes)
    problem.refresh_from_db()
    return problem


def complete_team(team, work_unit, *, leader=True, members: int = 5):
    """Gives `team` a county-level leader, a lead department and `members` standing members."""
    if leader:
        team.leader = CadreFactory(work_unit=work_unit, is_county_leader=True)
    team.lead_unit = work_unit
    team.save()
    for _ in range(members):
        team.members.create(cadre=CadreFactory(work_unit=work_unit))
    return team


# --- 1 + 5 + X --------------------------------------------------------------------------------


@pytest.fixture
def composed_team(team, work_unit, community, far_community, confirmed_registration):
    """The team with its 1 and 5; X: a confirmed cadre of a covered community (from the
    fixture) and a cadre of a paired unit; not X: a pending one, one confirmed elsewhere."""
    complete_team(team, work_unit)
    RegistrationFactory(community=community)  # pending: not X
    RegistrationFactory(community=far_community, status=RegistrationStatus.CONFIRMED)
    paired = WorkUnitFactory(county=team.county, name="县卫健局")
    CadreFactory(work_unit=paired, name="刘医生")
    team.paired_units.add(paired)
    return team


def test_composition_has_one_five_and_derived_x(composed_team, confirmed_registration):
    composition = team_composition(composed_team)
    assert composition.team.leader.is_county_leader
    assert composition.member_count == 5
    assert composition.members_complete
    assert composition.x_count == 2
    assert {cadre.name for cadre in composition.x} == {"孙守超", "刘医生"}
    served = {cadre.name: cadre.community_name for cadre in composition.x}
    assert served["孙守超"] == "水木华园社区"


def test_a_community_covered_directly_brings_its_cadres_into_x(county, work_unit):
    community = CommunityFactory(parent=TownshipFactory(parent=county))
    team = TeamFactory(county=county)
    team.coverage.create(area=community)
    RegistrationFactory(community=community, status=RegistrationStatus.CONFIRMED)
    RegistrationFactory(
        community=CommunityFactory(parent=community.parent), status=RegistrationStatus.CONFIRMED
    )
    assert team_composition(team).x_count == 1


def test_list_counts_match_the_team_page(composed_team, django_assert_num_queries):
    with django_assert_num_queries(1):
        row = teams_with_counts(Team.objects.filter(pk=composed_team.pk)).get()
    assert (row.member_count, row.x_count, row.coverage_count) == (5, 2, 1)


@pytest.mark.parametrize("size", [2, 12])
def test_team_list_counts_take_one_query_whatever_the_teams(
    size, county, township, community, django_assert_num_queries
):
    for _ in range(size):
        team = TeamFactory(county=county)
        team.coverage.create(area=township)
        RegistrationFactory(community=community, status=RegistrationStatus.CONFIRMED)
    with django_assert_num_queries(1):
        rows = list(teams_with_counts(Team.objects.all()))
    assert len(rows) == size
    assert {row.x_count for row in rows} == {size}


# --- coverage gaps ----------------------------------------------------------------------------


def test_gaps_list_uncovered_places_and_incomplete_teams(
    county, township, community, team, work_unit, django_assert_num_queries
):
    complete_team(team, work_unit)
    bare = TownshipFactory(parent=county, name="横道镇")
    bare_community = CommunityFactory(parent=bare, name="横道村")
    partly = TownshipFactory(parent=county, name="李千户镇")
    covered_alone = CommunityFactory(parent=partly, name="李千户村")
    uncovered_beside = CommunityFactory(parent=partly, name="二台子村")
    single = complete_team(TeamFactory(county=county), work_unit, members=3)
    single.coverage.create(area=covered_alone)
    # A team without a county-level leader covers nothing in the gaps' sense.
    leaderless = TeamFactory(county=county, name="无领导小分队")
    leaderless.coverage.create(area=bare)

    with django_assert_num_queries(2):
        gaps = coverage_gaps(county, Team.objects.filter(county=county))

    assert [place.name for place in gaps.townships] == ["横道镇", "李千户镇"]
    assert {place.name for place in gaps.communities} == {bare_community.name, "二台子村"}
    assert uncovered_beside in gaps.communities
    assert covered_alone not in gaps.communities
    assert community not in gaps.communities
    assert set(gaps.teams_short) == {single, leaderless}
    assert gaps.teams_without_lead == [leaderless]


# --- today and the week -----------------------------------------------------------------------


def test_today_shows_reported_missing_and_late(county, django_assert_num_queries):
    today = timezone.localdate()
    on_time, late, silent = (TeamFactory(county=county, name=n) for n in ("甲队", "乙队", "丙队"))
    make_report(on_time, today, hour=9)
    make_report(late, today, hour=21)
    with django_assert_num_queries(2):
        view = reports_today(Team.objects.all(), today)
    assert {row.team for row in view.reported} == {on_time, late}
    assert [row.team for row in view.missing] == [silent]
    assert [row.team for row in view.late] == [late]


def test_a_report_stored_on_a_later_day_is_late(team):
    yesterday = timezone.localdate() - timedelta(days=1)
    report = make_report(team, yesterday, hour=9)
    DailyReport.objects.filter(pk=report.pk).update(created_at=at(yesterday + timedelta(1), 8))
    assert reports_today(Team.objects.all(), yesterday).late[0].team == team


@pytest.mark.parametrize("days", [3, 30])
def test_week_grid_takes_two_queries_whatever_the_days_stored(
    days, team, django_assert_num_queries
):
    today = timezone.localdate()
    for offset in range(days):
        if offset != 1:
            make_report(team, today - timedelta(days=offset))
    with django_assert_num_queries(2):
        week = report_week(Team.objects.all(), today)
    assert week.days[-1] == today and len(week.days) == 7
    cells = week.rows[0].cells
    assert [cell.reported for cell in cells][-3:] == [True, False, True]
    assert week.rows[0].reported_count == min(days, 7) - 1


# --- problem totals ---------------------------------------------------------------------------


def add_known_problems(team, community, other_community):
    """Six problems: two found (one overdue), one being rectified, two resolved, one
    verified."""
    past = timezone.localdate() - timedelta(days=2)
    make_problem(team, community, deadline=past)
    make_problem(team, community, focus_area=FocusArea.SUPPLIES)
    make_problem(team, other_community, ProblemStatus.RECTIFYING)
    make_problem(team, other_community, ProblemStatus.RESOLVED, deadline=past)
    make_problem(team, community, ProblemStatus.RESOLVED, focus_area=FocusArea.SUPPLIES)
    make_problem(team, community, ProblemStatus.VERIFIED, deadline=past)
    return Problem.objects.all()


@pytest.fixture
def known_problems(team, community, other_community):
    return add_known_problems(team, community, other_community)


def test_totals_by_team_count_found_resolved_verified_overdue(
    known_problems, team, django_assert_num_queries
):
    with django_assert_num_queries(1):
        (line,) = problem_totals(known_problems, "team")
    assert line.label == team.name
    assert (line.found, line.resolved, line.verified, line.overdue) == (6, 3, 1, 2)
    assert line.rate == 50.0
    assert line.open == 3


def test_totals_by_community_township_and_focus_area(known_problems, township):
    by_community = {line.label: line.found for line in problem_totals(known_problems, "community")}
    assert by_community == {"水木华园社区": 4, "天嘉苑社区": 2}
    (by_township,) = problem_totals(known_problems, "township")
    assert (by_township.label, by_township.found, by_township.resolved) == (township.name, 6, 3)
    by_area = {line.label: line.resolved for line in problem_totals(known_problems, "focus_area")}
    assert by_area == {
        str(FocusArea.PUBLICITY.label): 2,
        str(FocusArea.SUPPLIES.label): 1,
    }


def test_grand_total_of_nothing_has_no_rate(db):
    total = problem_grand_total(Problem.objects.none())
    assert total.found == 0
    assert total.rate is None


# --- measures ---------------------------------------------------------------------------------


def test_latest_status_of_each_measure_per_community(
    team, community, other_community, django_assert_num_queries
):
    first, second, unchecked = MeasureFactory(), MeasureFactory(), MeasureFactory()
    today = timezone.localdate()
    older = make_report(team, today - timedelta(days=2))
    newer = make_report(team, today - timedelta(days=1))
    MeasureCheck.objects.create(
        report=older, measure=first, community=community, status=MeasureStatus.NOT_IN_PLACE
    )
    MeasureCheck.objects.create(
        report=newer, measure=first, community=community, status=MeasureStatus.IN_PLACE
    )
    MeasureCheck.objects.create(
        report=older, measure=second, community=community, status=MeasureStatus.PARTLY
    )
    MeasureCheck.objects.create(
        report=newer, measure=second, community=other_community, status=MeasureStatus.IN_PLACE
    )
    with django_assert_num_queries(1):
        rows = {m.pk: (m.latest_status, m.latest_date) for m in measure_statuses(community)}
    assert rows == {
        first.pk: (MeasureStatus.IN_PLACE, newer.date),
        second.pk: (MeasureStatus.PARTLY, older.date),
        unchecked.pk: (None, None),
    }
