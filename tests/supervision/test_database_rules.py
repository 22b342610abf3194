"""The database holds supervision's rules even when the services are bypassed: each raw write
below is refused by the named constraint or trigger."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cadres.models import Cadre, WorkUnit
from supervision.choices import FocusArea, MeasureStatus, ProblemStatus
from supervision.models import DailyReport, MeasureCheck, Problem, Team, TeamCoverage
from supervision.services import (
    ProblemInput,
    covered_communities,
    problem_advance,
    problem_create,
)
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    CountyFactory,
    MeasureFactory,
    TeamFactory,
    TownshipFactory,
    WorkUnitFactory,
)

DAY = date(2026, 2, 6)
TEXTS = {area.value: "done" for area in FocusArea}


def refused_by(constraint: str, write) -> None:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    assert error.value.__cause__.diag.constraint_name == constraint


@pytest.fixture
def problem(team, team_member, community):
    return problem_create(
        actor=team_member,
        team=team,
        data=ProblemInput(community, FocusArea.SCREENING, "List out of date"),
    )


def test_second_report_of_a_team_for_the_same_day(team):
    DailyReport.objects.create(team=team, date=DAY, **TEXTS)
    refused_by(
        "supervision_dailyreport_one_per_day",
        lambda: DailyReport.objects.create(team=team, date=DAY, body_hash="other", **TEXTS),
    )


def test_moving_a_report_onto_a_day_already_reported(team):
    DailyReport.objects.create(team=team, date=DAY, **TEXTS)
    other = DailyReport.objects.create(team=team, date=date(2026, 2, 7), **TEXTS)
    refused_by(
        "supervision_dailyreport_one_per_day",
        lambda: DailyReport.objects.filter(pk=other.pk).update(date=DAY),
    )


def test_same_idempotency_key_twice_for_a_team(team):
    DailyReport.objects.create(team=team, date=DAY, idempotency_key="k", **TEXTS)
    refused_by(
        "supervision_dailyreport_unique_key",
        lambda: DailyReport.objects.create(
            team=team, date=date(2026, 2, 7), idempotency_key="k", **TEXTS
        ),
    )


def test_reports_without_a_key_do_not_clash(team):
    DailyReport.objects.create(team=team, date=DAY, **TEXTS)
    DailyReport.objects.create(team=team, date=date(2026, 2, 7), **TEXTS)
    assert DailyReport.objects.filter(idempotency_key="").count() == 2


def test_negative_figure(team):
    report = DailyReport.objects.create(team=team, date=DAY, **TEXTS)
    refused_by(
        "supervision_dailyreport_households_visited_check",
        lambda: DailyReport.objects.filter(pk=report.pk).update(households_visited=-1),
    )


def test_negative_figure_by_raw_sql(team):
    def insert():
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO supervision_dailyreport (
                    created_at, updated_at, team_id, date, responsibility, publicity,
                    mobilisation, screening, supplies, households_visited, people_screened,
                    returnees_found, checkpoint_vehicles, checkpoint_people, leaflets,
                    idempotency_key, body_hash, posted_hash
                ) VALUES (
                    now(), now(), %s, %s, 'a', 'b', 'c', 'd', 'e', 0, 0, 0, 0, 0, -5, '', '', ''
                )
                """,
                [team.pk, DAY],
            )

    refused_by("supervision_dailyreport_leaflets_check", insert)


@pytest.mark.parametrize("status", ["rectifying", "resolved", "verified"])
def test_problem_inserted_other_than_found(status, team, community, team_member, secretary):
    stamps = {"resolved_by": team_member, "verified_by": secretary} if status == "verified" else {}
    refused_by(
        "supervision_problem_step",
        lambda: Problem.objects.create(
            team=team,
            community=community,
            focus_area=FocusArea.SCREENING,
            description="d",
            found_on=DAY,
            status=status,
            **stamps,
        ),
    )


def test_problem_jumping_from_found_to_resolved(problem):
    refused_by(
        "supervision_problem_step",
        lambda: Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.RESOLVED),
    )


def test_problem_stepping_back_from_rectifying_to_found(problem):
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.RECTIFYING)
    refused_by(
        "supervision_problem_step",
        lambda: Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.FOUND),
    )


def test_verified_problem_reopened(problem, team_member, secretary):
    for step in ("rectifying", "resolved"):
        problem = problem_advance(actor=team_member, problem=problem, to_status=step)
    problem_advance(actor=secretary, problem=problem, to_status="verified")
    refused_by(
        "supervision_problem_step",
        lambda: Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.RECTIFYING),
    )


def test_problem_verified_by_whoever_resolved_it(problem, team_member):
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.RECTIFYING)
    Problem.objects.filter(pk=problem.pk).update(
        status=ProblemStatus.RESOLVED, resolved_by=team_member, resolved_at=timezone.now()
    )
    refused_by(
        "supervision_problem_four_eyes",
        lambda: Problem.objects.filter(pk=problem.pk).update(
            status=ProblemStatus.VERIFIED, verified_by=team_member, verified_at=timezone.now()
        ),
    )


def test_problem_verified_without_a_resolver(problem, secretary):
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.RECTIFYING)
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.RESOLVED)
    refused_by(
        "supervision_problem_verified_stamped",
        lambda: Problem.objects.filter(pk=problem.pk).update(
            status=ProblemStatus.VERIFIED, verified_by=secretary
        ),
    )


def test_problem_in_a_township(problem, township):
    refused_by(
        "supervision_problem_area_level",
        lambda: Problem.objects.filter(pk=problem.pk).update(community=township),
    )


def test_team_under_a_township(township):
    refused_by(
        "supervision_team_area_level",
        lambda: Team.objects.create(county=township, name="小分队"),
    )


def test_team_moved_under_a_community(team, community):
    refused_by(
        "supervision_team_area_level",
        lambda: Team.objects.filter(pk=team.pk).update(county=community),
    )


def test_coverage_of_a_county_level_area(team, county):
    refused_by(
        "supervision_teamcoverage_area_level",
        lambda: TeamCoverage.objects.create(team=team, area=county),
    )


def test_coverage_of_a_township_and_a_community_is_allowed(team, community):
    TeamCoverage.objects.create(team=team, area=community)
    assert team.coverage.count() == 2


def test_same_area_covered_twice(team, township):
    refused_by(
        "supervision_teamcoverage_once",
        lambda: TeamCoverage.objects.create(team=team, area=township),
    )


def test_a_problem_of_another_teams_report_is_refused(team, county, township, community):
    other = TeamFactory(county=county)
    other.coverage.create(area=township)
    report = DailyReport.objects.create(team=team, date=DAY, **TEXTS)

    def insert():
        Problem.objects.create(
            team=other,
            report=report,
            community=community,
            focus_area="screening",
            description="x",
            found_on=DAY,
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    refused_by("supervision_problem_report_same_team", insert)


# --- migration 0005: the team's 1, its units, and what a report names lie inside its coverage --


def immediately(write):
    """`write`, then the deferred foreign keys checked at once rather than at commit."""

    def checked():
        write()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    return checked


def test_a_team_led_by_a_cadre_who_is_no_county_level_leader(county, work_unit):
    cadre = CadreFactory(work_unit=work_unit, is_county_leader=False)
    refused_by(
        "supervision_team_leader_county_level",
        lambda: Team.objects.create(county=county, name="小分队", leader=cadre),
    )


def test_a_team_given_a_leader_who_is_no_county_level_leader(team, work_unit):
    cadre = CadreFactory(work_unit=work_unit, is_county_leader=False)
    refused_by(
        "supervision_team_leader_county_level",
        lambda: Team.objects.filter(pk=team.pk).update(leader=cadre),
    )


def test_a_cadre_leading_a_team_stops_being_a_county_level_leader(team, work_unit):
    cadre = CadreFactory(work_unit=work_unit, is_county_leader=True)
    Team.objects.filter(pk=team.pk).update(leader=cadre)
    refused_by(
        "supervision_team_leader_county_level",
        lambda: Cadre.objects.filter(pk=cadre.pk).update(is_county_leader=False),
    )


def test_a_county_level_leader_leading_no_team_may_stop_being_one(work_unit):
    cadre = CadreFactory(work_unit=work_unit, is_county_leader=True)
    Cadre.objects.filter(pk=cadre.pk).update(is_county_leader=False)
    assert not Cadre.objects.get(pk=cadre.pk).is_county_leader


def test_a_team_led_by_a_county_level_leader_is_stored(county, work_unit):
    cadre = CadreFactory(work_unit=work_unit, is_county_leader=True)
    team = Team.objects.create(county=county, name="小分队", leader=cadre, lead_unit=work_unit)
    team.paired_units.add(work_unit)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Team.objects.get(pk=team.pk).leader == cadre


def test_a_lead_department_of_another_county(team):
    foreign = WorkUnitFactory()
    refused_by(
        "supervision_team_lead_unit_same_county",
        immediately(lambda: Team.objects.filter(pk=team.pk).update(lead_unit=foreign)),
    )


def test_a_team_moving_county_without_its_lead_department(team, work_unit):
    Team.objects.filter(pk=team.pk).update(lead_unit=work_unit)
    refused_by(
        "supervision_team_lead_unit_same_county",
        immediately(lambda: Team.objects.filter(pk=team.pk).update(county=CountyFactory())),
    )


def test_a_lead_department_moving_to_another_county(team, work_unit):
    Team.objects.filter(pk=team.pk).update(lead_unit=work_unit)
    refused_by(
        "supervision_team_lead_unit_same_county",
        immediately(
            lambda: WorkUnit.objects.filter(pk=work_unit.pk).update(county=CountyFactory())
        ),
    )


def test_a_paired_work_unit_of_another_county(team):
    foreign = WorkUnitFactory()
    refused_by("supervision_team_paired_units_same_county", lambda: team.paired_units.add(foreign))


def test_a_paired_work_unit_by_raw_sql(team):
    foreign = WorkUnitFactory()

    def insert():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO supervision_team_paired_units (team_id, workunit_id) VALUES (%s, %s)",
                [team.pk, foreign.pk],
            )

    refused_by("supervision_team_paired_units_same_county", insert)


def test_a_team_moving_county_away_from_its_paired_units(team, work_unit):
    team.paired_units.add(work_unit)
    refused_by(
        "supervision_team_paired_units_same_county",
        lambda: Team.objects.filter(pk=team.pk).update(county=CountyFactory()),
    )


def test_a_paired_work_unit_moving_to_another_county(team, work_unit):
    team.paired_units.add(work_unit)
    refused_by(
        "supervision_team_paired_units_same_county",
        lambda: WorkUnit.objects.filter(pk=work_unit.pk).update(county=CountyFactory()),
    )


@pytest.fixture
def report(team):
    return DailyReport.objects.create(team=team, date=DAY, **TEXTS)


def test_a_report_visiting_a_community_outside_coverage(report, far_community):
    refused_by(
        "supervision_dailyreport_communities_covered",
        lambda: report.communities.add(far_community),
    )


def test_a_report_visiting_a_community_outside_coverage_by_raw_sql(report, far_community):
    def insert():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO supervision_dailyreport_communities (dailyreport_id, area_id) "
                "VALUES (%s, %s)",
                [report.pk, far_community.pk],
            )

    refused_by("supervision_dailyreport_communities_covered", insert)


def test_a_report_visiting_the_covered_township_itself(report, township):
    refused_by(
        "supervision_dailyreport_communities_covered", lambda: report.communities.add(township)
    )


def test_a_report_visiting_covered_communities_is_stored(report, team, community, far_community):
    TeamCoverage.objects.create(team=team, area=far_community)
    report.communities.add(community, far_community)
    assert report.communities.count() == 2


def test_a_report_handed_to_a_team_not_covering_its_communities(report, community, county):
    report.communities.add(community)
    other = TeamFactory(county=county)
    refused_by(
        "supervision_dailyreport_communities_covered",
        lambda: DailyReport.objects.filter(pk=report.pk).update(team=other),
    )


def test_a_measure_checked_outside_coverage(report, far_community):
    refused_by(
        "supervision_measurecheck_covered",
        lambda: MeasureCheck.objects.bulk_create(
            [
                MeasureCheck(
                    report=report,
                    measure=MeasureFactory(),
                    community=far_community,
                    status=MeasureStatus.IN_PLACE,
                )
            ]
        ),
    )


def test_a_measure_check_moved_outside_coverage(report, community, far_community):
    check = MeasureCheck.objects.create(
        report=report, measure=MeasureFactory(), community=community, status=MeasureStatus.PARTLY
    )
    refused_by(
        "supervision_measurecheck_covered",
        lambda: MeasureCheck.objects.filter(pk=check.pk).update(community=far_community),
    )


def test_a_problem_found_outside_coverage(report, far_community):
    refused_by(
        "supervision_problem_covered",
        lambda: Problem.objects.bulk_create(
            [
                Problem(
                    team=report.team,
                    report=report,
                    community=far_community,
                    focus_area=FocusArea.SCREENING,
                    description="x",
                    found_on=DAY,
                )
            ]
        ),
    )


def test_a_problem_moved_outside_coverage(problem, far_community):
    refused_by(
        "supervision_problem_covered",
        lambda: Problem.objects.filter(pk=problem.pk).update(community=far_community),
    )


def test_a_problem_handed_to_a_team_not_covering_its_community(problem, county):
    other = TeamFactory(county=county)
    refused_by(
        "supervision_problem_covered",
        lambda: Problem.objects.filter(pk=problem.pk).update(team=other),
    )


def test_an_old_problem_moves_on_after_its_team_stopped_covering_the_place(
    problem, team, team_member
):
    """History stays: the coverage is checked when a problem is found or moved, not at each
    step."""
    TeamCoverage.objects.filter(team=team).delete()
    problem = problem_advance(actor=team_member, problem=problem, to_status="rectifying")
    assert problem.status == ProblemStatus.RECTIFYING


def test_the_databases_coverage_agrees_with_covered_communities(
    team, county, township, community, other_community, far_community
):
    lone = CommunityFactory(parent=TownshipFactory(parent=county))
    uncovered = CommunityFactory(parent=TownshipFactory(parent=county))
    TeamCoverage.objects.create(team=team, area=lone)
    places = [community, other_community, lone, uncovered, far_community, township, county]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM communities_area WHERE id = ANY (%s) AND supervision_covers(%s, id)",
            [[area.pk for area in places], team.pk],
        )
        in_database = {pk for (pk,) in cursor.fetchall()}

    assert in_database == {community.pk, other_community.pk, lone.pk}
    assert in_database == set(covered_communities(team).values_list("pk", flat=True))
