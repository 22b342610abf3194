"""The database holds supervision's rules even when the services are bypassed: each raw write
below is refused by the named constraint or trigger."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from supervision.choices import FocusArea, ProblemStatus
from supervision.models import DailyReport, Problem, Team, TeamCoverage
from supervision.services import ProblemInput, problem_advance, problem_create
from tests.factories import TeamFactory

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


def test_a_problem_of_another_teams_report_is_refused(team, county, community):
    other = TeamFactory(county=county)
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
