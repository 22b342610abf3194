"""Daily reports through the service: the day, the coverage, the texts, retries, conflicts,
amendments, who may post, and a query count that does not grow with the stored reports."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone, translation

from communities.choices import Role
from communities.models import Area
from supervision.choices import FocusArea, MeasureStatus, ProblemStatus
from supervision.models import (
    DailyReport,
    DailyReportRevision,
    Measure,
    Problem,
    ProblemStep,
)
from supervision.services import (
    IdempotencyKeyReused,
    MeasureInput,
    ProblemInput,
    ReportConflict,
    ReportInput,
    daily_report_amend,
    daily_report_submit,
    daily_report_submit_at_once,
)
from tests.factories import CommunityFactory, MeasureFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def texts(suffix: str = "") -> dict[str, str]:
    return {area.value: f"{area.label} done{suffix}" for area in FocusArea}


def report_input(team, day=None, communities=(), **changes) -> ReportInput:
    """A complete, valid report of `team` for `day` (today by default)."""
    values = {
        "team": team,
        "date": day or timezone.localdate(),
        "communities": list(communities),
        "texts": texts(),
        "figures": {"households_visited": 120, "people_screened": 300, "leaflets": 50},
    }
    values.update(changes)
    return ReportInput(**values)


def problem_inputs(community, count: int) -> list[ProblemInput]:
    return [
        ProblemInput(
            community=community,
            focus_area=FocusArea.SCREENING,
            description=f"Returnee list out of date ({n})",
        )
        for n in range(count)
    ]


# --- the day ----------------------------------------------------------------------------------


def test_report_for_today_is_stored(team, team_member, community):
    report, created = daily_report_submit(
        actor=team_member, data=report_input(team, communities=[community])
    )
    assert created
    assert report.date == timezone.localdate()
    assert report.submitted_by == team_member
    assert list(report.communities.all()) == [community]
    assert report.households_visited == 120


def test_report_for_tomorrow_is_refused(team, team_member):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        daily_report_submit(actor=team_member, data=report_input(team, tomorrow))
    assert "not come yet" in error.value.message_dict["date"][0]
    assert not DailyReport.objects.exists()


def test_report_more_days_back_than_allowed_is_refused(team, team_member, settings):
    settings.SUPERVISION_REPORT_DAYS_BACK = 3
    too_late = timezone.localdate() - timedelta(days=4)
    with pytest.raises(ValidationError) as error:
        daily_report_submit(actor=team_member, data=report_input(team, too_late))
    assert error.value.message_dict["date"] == ["A report can be at most 3 days late."]


def test_report_exactly_as_many_days_back_as_allowed_is_stored(team, team_member, settings):
    settings.SUPERVISION_REPORT_DAYS_BACK = 3
    day = timezone.localdate() - timedelta(days=3)
    report, created = daily_report_submit(actor=team_member, data=report_input(team, day))
    assert created
    assert report.date == day


# --- coverage and texts -----------------------------------------------------------------------


def test_community_of_a_covered_township_is_accepted(team, team_member, other_community):
    report, _ = daily_report_submit(
        actor=team_member, data=report_input(team, communities=[other_community])
    )
    assert list(report.communities.all()) == [other_community]


def test_community_outside_coverage_is_refused(team, team_member, community, far_community):
    with pytest.raises(ValidationError) as error:
        daily_report_submit(
            actor=team_member, data=report_input(team, communities=[community, far_community])
        )
    assert error.value.message_dict["communities"] == [
        f"Outside the team's coverage: {far_community.name}."
    ]
    assert not DailyReport.objects.exists()


def row_errors(error: ValidationError, name: str) -> list[tuple[int, str, str]]:
    """(row, field, message) of the errors of the rows of `name`."""
    return [(e.params["row"], e.params["field"], e.messages[0]) for e in error.error_dict[name]]


def test_measure_in_a_community_outside_coverage_is_refused_at_its_row(
    team, team_member, community, far_community
):
    measure = MeasureFactory()
    data = report_input(
        team,
        communities=[community],
        measures=[
            MeasureInput(measure, community, MeasureStatus.IN_PLACE),
            MeasureInput(measure, far_community, MeasureStatus.IN_PLACE),
        ],
    )
    with pytest.raises(ValidationError) as error:
        daily_report_submit(actor=team_member, data=data)
    assert row_errors(error.value, "measures") == [
        (1, "community", "This community is outside the team's coverage.")
    ]
    assert "communities" not in error.value.error_dict


def test_problem_in_a_community_outside_coverage_is_refused_at_its_row(
    team, team_member, community, far_community
):
    problems = problem_inputs(community, 1) + problem_inputs(far_community, 1)
    data = report_input(team, communities=[community], problems=problems)
    with pytest.raises(ValidationError) as error:
        daily_report_submit(actor=team_member, data=data)
    assert row_errors(error.value, "problems") == [
        (1, "community", "This community is outside the team's coverage.")
    ]
    assert not Problem.objects.exists()


def test_a_deadline_before_the_day_and_a_measure_twice_are_refused_at_their_rows(
    team, team_member, community
):
    measure = MeasureFactory()
    check = MeasureInput(measure, community, MeasureStatus.IN_PLACE)
    late = problem_inputs(community, 2)
    late[1].deadline = timezone.localdate() - timedelta(days=1)
    data = report_input(team, communities=[community], measures=[check, check], problems=late)
    with pytest.raises(ValidationError) as error:
        daily_report_submit(actor=team_member, data=data)
    assert row_errors(error.value, "measures") == [
        (1, "measure", "A measure is listed twice for the same community.")
    ]
    assert row_errors(error.value, "problems") == [
        (1, "deadline", "A deadline cannot come before the day the problem was found.")
    ]


def test_community_of_an_uncovered_township_of_the_same_county_is_refused(
    team, team_member, county
):
    elsewhere = CommunityFactory(parent__parent=county, name="横道镇社区")
    with pytest.raises(ValidationError):
        daily_report_submit(actor=team_member, data=report_input(team, communities=[elsewhere]))


def test_missing_or_blank_focus_text_is_refused_and_named(team, team_member):
    incomplete = texts()
    del incomplete[FocusArea.PUBLICITY]
    incomplete[FocusArea.SUPPLIES] = "   "
    with pytest.raises(ValidationError) as error:
        daily_report_submit(actor=team_member, data=report_input(team, texts=incomplete))
    message = error.value.message_dict["texts"][0]
    assert str(FocusArea.PUBLICITY.label) in message
    assert str(FocusArea.SUPPLIES.label) in message
    assert str(FocusArea.SCREENING.label) not in message


def test_report_stores_its_measures_and_problems_as_found(team, team_member, community):
    measure = MeasureFactory()
    data = report_input(
        team,
        communities=[community],
        measures=[MeasureInput(measure, community, MeasureStatus.PARTLY)],
        problems=problem_inputs(community, 2),
    )
    report, _ = daily_report_submit(actor=team_member, data=data)
    check = report.checks.get()
    assert (check.measure, check.community, check.status) == (measure, community, "partly")
    problems = list(report.problems.all())
    assert len(problems) == 2
    for problem in problems:
        assert problem.status == ProblemStatus.FOUND
        assert problem.found_on == report.date
        assert problem.found_by == team_member
        step = problem.steps.get()
        assert (step.to_status, step.actor) == (ProblemStatus.FOUND, team_member)


# --- retries and conflicts --------------------------------------------------------------------


def test_retry_with_the_same_key_returns_the_stored_report(team, team_member):
    first, created = daily_report_submit(
        actor=team_member, data=report_input(team), idempotency_key="key-1"
    )
    again, created_again = daily_report_submit(
        actor=team_member, data=report_input(team), idempotency_key="key-1"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert DailyReport.objects.count() == 1


def test_retry_with_the_same_body_and_no_key_returns_the_stored_report(
    team, team_member, community
):
    data = report_input(team, communities=[community], problems=problem_inputs(community, 2))
    first, _ = daily_report_submit(actor=team_member, data=data)
    again, created = daily_report_submit(
        actor=team_member,
        data=report_input(team, communities=[community], problems=problem_inputs(community, 2)),
    )
    assert not created
    assert again.pk == first.pk
    assert DailyReport.objects.count() == 1
    assert Problem.objects.count() == 2


def test_same_body_with_a_new_key_returns_the_stored_report(team, team_member):
    first, _ = daily_report_submit(actor=team_member, data=report_input(team), idempotency_key="a")
    again, created = daily_report_submit(
        actor=team_member, data=report_input(team), idempotency_key="b"
    )
    assert not created
    assert again.pk == first.pk


def test_same_key_with_another_body_is_refused(team, team_member):
    daily_report_submit(actor=team_member, data=report_input(team), idempotency_key="key-1")
    changed = report_input(team, figures={"households_visited": 999})
    with pytest.raises(IdempotencyKeyReused):
        daily_report_submit(actor=team_member, data=changed, idempotency_key="key-1")
    assert DailyReport.objects.get().households_visited == 120


def test_same_key_for_another_day_with_another_body_is_refused(team, team_member):
    daily_report_submit(actor=team_member, data=report_input(team), idempotency_key="key-1")
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(IdempotencyKeyReused):
        daily_report_submit(
            actor=team_member, data=report_input(team, yesterday), idempotency_key="key-1"
        )
    assert DailyReport.objects.count() == 1


def test_another_body_for_a_day_already_reported_is_a_conflict_naming_team_and_day(
    team, team_member
):
    first, _ = daily_report_submit(actor=team_member, data=report_input(team))
    changed = report_input(team, texts=texts(" again"))
    with pytest.raises(ReportConflict) as error:
        daily_report_submit(actor=team_member, data=changed, idempotency_key="fresh")
    assert error.value.report == first
    assert team.name in str(error.value)
    assert first.date.isoformat() in str(error.value)
    assert DailyReport.objects.count() == 1


def test_reports_of_two_days_are_two_reports(team, team_member):
    yesterday = timezone.localdate() - timedelta(days=1)
    daily_report_submit(actor=team_member, data=report_input(team))
    _, created = daily_report_submit(actor=team_member, data=report_input(team, yesterday))
    assert created
    assert DailyReport.objects.count() == 2


# --- amendments and permissions ---------------------------------------------------------------


def test_amendment_keeps_the_previous_body_as_a_revision(team, team_member, community):
    measure = MeasureFactory()
    report, _ = daily_report_submit(
        actor=team_member,
        data=report_input(
            team,
            communities=[community],
            measures=[MeasureInput(measure, community, MeasureStatus.PARTLY)],
        ),
    )
    amended = daily_report_amend(
        actor=team_member,
        report=report,
        data=report_input(
            team,
            texts=texts(" (amended)"),
            figures={"households_visited": 130},
            measures=[MeasureInput(measure, community, MeasureStatus.IN_PLACE)],
        ),
    )
    assert amended.households_visited == 130
    assert amended.responsibility.endswith("(amended)")
    assert list(amended.communities.all()) == []
    assert amended.checks.get().status == MeasureStatus.IN_PLACE
    revision = DailyReportRevision.objects.get(report=report)
    assert revision.changed_by == team_member
    assert revision.previous["figures"]["households_visited"] == 120
    assert revision.previous["communities"] == [community.pk]
    assert revision.previous["texts"]["responsibility"] == texts()["responsibility"]
    assert revision.previous["measures"] == [[measure.pk, community.pk, "partly"]]


def test_retry_of_the_amended_body_returns_the_amended_report(team, team_member):
    report, _ = daily_report_submit(actor=team_member, data=report_input(team))
    amended_body = {"households_visited": 130}
    daily_report_amend(
        actor=team_member, report=report, data=report_input(team, figures=amended_body)
    )
    # The amended body is now the stored one: posting it again is a retry, not a conflict.
    again, created = daily_report_submit(
        actor=team_member, data=report_input(team, figures=amended_body)
    )
    assert (again.pk, created) == (report.pk, False)


def test_member_of_another_team_may_not_post(team, county, township):
    other_account = UserFactory(role=Role.TEAM_MEMBER, area=township)
    TeamFactory(county=county, name="县纪委监委督导小分队").accounts.add(other_account)
    with pytest.raises(PermissionDenied):
        daily_report_submit(actor=other_account, data=report_input(team))
    assert not DailyReport.objects.exists()


def test_member_of_another_team_may_not_amend(team, team_member, county, township):
    report, _ = daily_report_submit(actor=team_member, data=report_input(team))
    other_account = UserFactory(role=Role.TEAM_MEMBER, area=township)
    TeamFactory(county=county, name="县纪委监委督导小分队").accounts.add(other_account)
    with pytest.raises(PermissionDenied):
        daily_report_amend(
            actor=other_account, report=report, data=report_input(team, texts=texts("!"))
        )
    assert not report.revisions.exists()


def test_staff_who_see_the_team_may_not_post_for_it(team, county_staff, secretary):
    for user in (county_staff, secretary):
        with pytest.raises(PermissionDenied):
            daily_report_submit(actor=user, data=report_input(team))


# --- query count ------------------------------------------------------------------------------


def _store_reports_of_other_days(team, count: int) -> None:
    today = timezone.localdate()
    DailyReport.objects.bulk_create(
        DailyReport(team=team, date=today - timedelta(days=n), body_hash=str(n), **texts())
        for n in range(1, count + 1)
    )


# Who may post and what the team covers (one query); the report with its communities, checks,
# problems and their steps in one statement, in a savepoint (inside the test's transaction: a
# refused post leaves it usable; outside a transaction the statement goes alone).
SUBMIT_QUERIES = 4


@pytest.mark.parametrize("stored", [1, 50])
def test_submit_with_five_problems_takes_the_same_queries_however_many_reports_are_stored(
    stored, team, team_member, community, django_assert_num_queries
):
    _store_reports_of_other_days(team, stored)
    data = report_input(team, communities=[community], problems=problem_inputs(community, 5))
    with django_assert_num_queries(SUBMIT_QUERIES):
        daily_report_submit(actor=team_member, data=data, idempotency_key="q")
    assert Problem.objects.count() == 5


def test_the_database_refuses_the_whole_report_when_a_row_lies_outside_the_coverage(
    team, team_member, community, far_community
):
    """The rows are written in one statement the coverage triggers guard: told (wrongly) that
    the team covers a far community, the service writes nothing at all."""
    data = report_input(
        team,
        communities=[community],
        problems=[*problem_inputs(community, 2), *problem_inputs(far_community, 1)],
    )
    with pytest.raises(IntegrityError):
        daily_report_submit(
            actor=team_member, data=data, access=(True, [community.pk, far_community.pk])
        )
    assert not DailyReport.objects.exists()
    assert not Problem.objects.exists()


def test_at_once_stores_a_report_as_submit_does(team, team_member, community, other_community):
    measure = MeasureFactory()
    data = report_input(
        team,
        communities=[other_community, community],
        measures=[MeasureInput(measure=measure, community=community, status=MeasureStatus.PARTLY)],
        problems=problem_inputs(community, 2),
    )
    report = daily_report_submit_at_once(actor=team_member, data=data, idempotency_key="k")
    stored = DailyReport.objects.get()
    assert report.pk == stored.pk and report.team.name == team.name
    assert [a.pk for a in report.communities.all()] == [a.pk for a in stored.communities.all()]
    assert [p.pk for p in report.problems.all()] == sorted(p.pk for p in stored.problems.all())
    assert stored.body_hash == stored.posted_hash == data.body_hash()
    assert stored.idempotency_key == "k" and stored.checks.get().measure == measure
    assert ProblemStep.objects.filter(problem__report=stored, to_status="found").count() == 2


@pytest.mark.parametrize(
    "case",
    [
        "another team",
        "not a team member",
        "outside the coverage",
        "no such community",
        "no such measure",
        "a day too early",
        "already reported",
    ],
)
def test_at_once_writes_nothing_when_a_rule_fails(
    case, team, team_member, community, far_community, county
):
    measure = MeasureFactory()
    actor, changes = team_member, {}
    if case == "another team":
        actor = UserFactory(username="other-member", role=Role.TEAM_MEMBER)
        TeamFactory(county=county, name="另一小分队").accounts.add(actor)
    elif case == "not a team member":
        team_member.role = Role.SECRETARY
        team_member.save()
    elif case == "outside the coverage":
        changes["problems"] = problem_inputs(far_community, 1)
    elif case == "no such community":
        changes["communities"] = [community, Area(pk=10**9, name="?")]
    elif case == "no such measure":
        missing = Measure(pk=10**9)
        changes["measures"] = [
            MeasureInput(measure=missing, community=community, status=MeasureStatus.PARTLY)
        ]
    elif case == "a day too early":
        changes["day"] = timezone.localdate() + timedelta(days=1)
    elif case == "already reported":
        daily_report_submit(actor=team_member, data=report_input(team, communities=[community]))
    changes.setdefault("communities", [community])
    changes.setdefault("measures", [MeasureInput(measure, community, MeasureStatus.PARTLY)])
    before = DailyReport.objects.count(), Problem.objects.count()
    data = report_input(team, figures={"leaflets": 7}, **changes)
    assert daily_report_submit_at_once(actor=actor, data=data) is None
    assert (DailyReport.objects.count(), Problem.objects.count()) == before


# --- concurrency ------------------------------------------------------------------------------


def _at_once(count: int, work) -> list:
    """Runs work(n) in `count` threads released together, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:  # the outcome is what the test checks
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_clients_posting_the_same_report_at_once_leave_one(team, team_member, community):
    def post(n):
        data = report_input(team, communities=[community], problems=problem_inputs(community, 2))
        report, _ = daily_report_submit(actor=team_member, data=data, idempotency_key="same")
        return report.pk

    results = _at_once(20, post)
    assert all(isinstance(pk, int) for pk in results), results
    assert len(set(results)) == 1
    assert DailyReport.objects.count() == 1
    assert Problem.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_ten_clients_with_one_key_and_different_bodies_leave_one(team, team_member):
    def post(n):
        data = report_input(team, figures={"households_visited": n})
        report, _ = daily_report_submit(actor=team_member, data=data, idempotency_key="shared")
        return report.pk

    results = _at_once(10, post)
    stored = [pk for pk in results if isinstance(pk, int)]
    refused = [r for r in results if isinstance(r, IdempotencyKeyReused | ReportConflict)]
    assert len(stored) == 1, results
    assert len(refused) == 9, results
    assert DailyReport.objects.count() == 1
