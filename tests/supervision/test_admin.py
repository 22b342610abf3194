"""The supervision admin: every page renders; teams save through `team_save` with their "5" and
coverage; reports are only read; problems move on by actions through `problem_advance`, and a
step the service refuses shows its message and changes nothing."""

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from supervision import services
from supervision.choices import FocusArea, MeasureStatus, ProblemStatus
from supervision.models import (
    DailyReport,
    Measure,
    Problem,
    ProblemStep,
    Team,
    TeamCoverage,
    TeamMember,
)
from tests.factories import CadreFactory, MeasureFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
MODELS = [Team, DailyReport, Measure, Problem, ProblemStep]


def url(model, action, *args):
    return reverse(f"admin:supervision_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def measure(db):
    return MeasureFactory(number=1, title="第1条措施（占位，待录入原文）", is_placeholder=True)


@pytest.fixture
def report(team, team_member, community, measure):
    data = services.ReportInput(
        team=team,
        date=timezone.localdate(),
        communities=[community],
        texts={name: "已落实" for name in services.FOCUS_FIELDS},
        figures={"households_visited": 120, "people_screened": 310},
        measures=[services.MeasureInput(measure, community, MeasureStatus.PARTLY)],
        problems=[services.ProblemInput(community, FocusArea.SCREENING, "卡点车辆登记信息不全")],
    )
    report, _ = services.daily_report_submit(actor=team_member, data=data)
    return report


@pytest.fixture
def problem(report):
    return report.problems.get()


@pytest.fixture
def rows(team, report, measure, problem):
    return {
        Team: team,
        DailyReport: report,
        Measure: measure,
        Problem: problem,
        ProblemStep: problem.steps.get(),
    }


def act(client, action, problems, note="", **extra):
    return client.post(
        url(Problem, "changelist"),
        {
            "action": action,
            helpers.ACTION_CHECKBOX_NAME: [p.pk for p in problems],
            "note": note,
        },
        follow=True,
        **extra,
    )


def team_form(county, name, members=(), coverage=()):
    data = {
        "county": county.pk,
        "name": name,
        "members-TOTAL_FORMS": len(members),
        "members-INITIAL_FORMS": 0,
        "coverage-TOTAL_FORMS": len(coverage),
        "coverage-INITIAL_FORMS": 0,
    }
    for index, cadre in enumerate(members):
        data[f"members-{index}-cadre"] = cadre.pk
    for index, area in enumerate(coverage):
        data[f"coverage-{index}-area"] = area.pk
    return data


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_its_list_search_and_change_pages(client_for, admin_user, rows, model):
    client = client_for(admin_user)

    assert model in admin.site._registry
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "changelist"), {"q": "卡点"}).status_code == 200
    assert client.get(url(model, "change", rows[model].pk)).status_code == 200


def test_the_problem_list_filters_by_status_and_overdue(client_for, admin_user, problem):
    client = client_for(admin_user)

    found = client.get(url(Problem, "changelist"), {"status": "found"})
    overdue = client.get(url(Problem, "changelist"), {"overdue": "yes"})

    assert "卡点车辆登记信息不全" in found.content.decode()
    assert "卡点车辆登记信息不全" not in overdue.content.decode()


def test_a_report_page_shows_its_checks_and_problems_and_cannot_be_added_or_deleted(
    client_for, admin_user, report
):
    client = client_for(admin_user)

    page = client.get(url(DailyReport, "change", report.pk)).content.decode()

    assert "第1条措施" in page and "卡点车辆登记信息不全" in page
    assert client.get(url(DailyReport, "add")).status_code == 403
    assert client.get(url(DailyReport, "delete", report.pk)).status_code == 403
    assert client.get(url(Problem, "delete", report.problems.get().pk)).status_code == 403


def test_a_team_made_in_the_admin_gets_its_members_and_coverage_through_the_service(
    client_for, admin_user, county, township, work_unit
):
    cadres = [CadreFactory(work_unit=work_unit) for _ in range(5)]

    response = client_for(admin_user).post(
        url(Team, "add"), team_form(county, "县委组织部督导小分队", cadres, [township])
    )

    assert response.status_code == 302
    team = Team.objects.get(name="县委组织部督导小分队")
    assert set(team.members.values_list("cadre", flat=True)) == {c.pk for c in cadres}
    assert list(team.coverage.values_list("area", flat=True)) == [township.pk]


def test_an_area_of_another_county_is_refused_and_the_team_not_saved(
    client_for, admin_user, county, far_community
):
    response = client_for(admin_user).post(
        url(Team, "add"),
        team_form(county, "县纪委监委督导小分队", coverage=[far_community]),
        follow=True,
        **ENGLISH,
    )

    assert "outside the team" in response.content.decode()
    assert not Team.objects.filter(name="县纪委监委督导小分队").exists()
    assert not TeamCoverage.objects.exists()


def test_removing_a_standing_member_in_the_admin_leaves_four(
    client_for, admin_user, team, township, work_unit
):
    cadres = [CadreFactory(work_unit=work_unit) for _ in range(5)]
    services.team_save(actor=admin_user, team=team, members=cadres)
    data = team_form(team.county, team.name, coverage=[township])
    seats = list(team.members.order_by("id"))
    data |= {"members-TOTAL_FORMS": 5, "members-INITIAL_FORMS": 5}
    for index, seat in enumerate(seats):
        data |= {f"members-{index}-id": seat.pk, f"members-{index}-cadre": seat.cadre_id}
    data["members-0-DELETE"] = "on"
    data |= {"accounts": [a.pk for a in team.accounts.all()]}

    response = client_for(admin_user).post(url(Team, "change", team.pk), data)

    assert response.status_code == 302
    assert TeamMember.objects.filter(team=team).count() == 4
    assert not TeamMember.objects.filter(pk=seats[0].pk).exists()


def test_an_action_moves_a_problem_on_stamped_with_the_admin(client_for, admin_user, problem):
    response = act(client_for(admin_user), "rectify_selected", [problem], note="已安排整改")

    assert response.status_code == 200
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    step = problem.steps.latest("id")
    assert (step.actor, step.note) == (admin_user, "已安排整改")


def test_an_action_that_skips_a_step_shows_the_error_and_changes_nothing(
    client_for, admin_user, team_member, problem
):
    other = services.problem_create(
        actor=admin_user,
        team=problem.team,
        data=services.ProblemInput(problem.community, FocusArea.SUPPLIES, "消毒液不足"),
    )
    for status in (ProblemStatus.RECTIFYING, ProblemStatus.RESOLVED):
        services.problem_advance(actor=team_member, problem=other, to_status=status)
    steps = ProblemStep.objects.count()

    # The team resolved the one, so the admin may verify it; the other is still found: all or
    # nothing.
    response = act(client_for(admin_user), "verify_selected", [other, problem], **ENGLISH)

    page = response.content.decode()
    assert "cannot go from" in page
    assert ProblemStep.objects.count() == steps
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.FOUND
    assert Problem.objects.get(pk=other.pk).status == ProblemStatus.RESOLVED


def test_verifying_ones_own_fix_is_refused_in_the_admin(client_for, admin_user, problem):
    for status in (ProblemStatus.RECTIFYING, ProblemStatus.RESOLVED):
        services.problem_advance(actor=admin_user, problem=problem, to_status=status)

    response = act(client_for(admin_user), "verify_selected", [problem], **ENGLISH)

    assert "cannot also verify" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED


def test_a_measure_title_is_edited_and_its_placeholder_mark_cleared(
    client_for, admin_user, measure
):
    response = client_for(admin_user).post(
        url(Measure, "change", measure.pk), {"number": 1, "title": "严格落实卡点登记制度"}
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.title, measure.is_placeholder) == ("严格落实卡点登记制度", False)


def test_a_repeated_measure_number_is_refused_on_the_form(client_for, admin_user, measure):
    response = client_for(admin_user).post(
        url(Measure, "add"), {"number": 1, "title": "重复", "is_placeholder": "on"}, **ENGLISH
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Measure.objects.count() == 1
