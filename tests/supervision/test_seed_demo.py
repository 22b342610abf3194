"""`seed_demo` fills supervision: the measures, the teams of the source with their gaps, two
weeks of daily reports and problems in every state, totalling close to the source's "发现问题125个,
及时纠正解决问题112个"; a second run adds nothing.

The demo is loaded once for this module (it takes seconds) and the database is emptied after.
"""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from communities.choices import AreaLevel
from communities.models import Area, User
from supervision import services
from supervision.choices import STANDING_MEMBERS, ProblemStatus
from supervision.models import (
    DailyReport,
    DailyReportRevision,
    Measure,
    MeasureCheck,
    Problem,
    ProblemStep,
    Team,
    TeamCoverage,
    TeamMember,
)
from tests.conftest import authenticate

PASSWORD = "demo-pass-7"
MODELS = [
    Team,
    TeamMember,
    TeamCoverage,
    Measure,
    DailyReport,
    DailyReportRevision,
    MeasureCheck,
    Problem,
    ProblemStep,
    User,
]
FIXED = [ProblemStatus.RESOLVED, ProblemStatus.VERIFIED]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", password=PASSWORD, stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def snapshot():
    statuses = Problem.objects.values_list("status").annotate(n=Count("id")).order_by()
    return {model.__name__: model.objects.count() for model in MODELS} | dict(statuses)


def team(name):
    return Team.objects.get(name=name)


def covered(team):
    return set(team.coverage.values_list("area__name", flat=True))


def test_running_it_again_adds_and_changes_nothing():
    before = snapshot()

    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())

    assert snapshot() == before
    assert before["DailyReport"] >= 40


def test_the_teams_of_the_source_cover_what_the_source_says():
    united_front = team("县委统战部督导小分队")
    discipline = team("县纪委监委督导小分队")

    assert united_front.lead_unit.name == "县委统战部"
    assert covered(united_front) == {"大甸子镇", "官台新苑社区"}
    assert discipline.lead_unit.name == "县纪委监委"
    assert covered(discipline) == {"李千户镇"}
    assert united_front.paired_units.exists()


def test_every_team_has_a_county_level_leader_of_its_county():
    teams = Team.objects.select_related("leader__work_unit", "county")

    assert len(teams) == 4
    for each in teams:
        assert each.leader.is_county_leader, each
        assert each.leader.work_unit.county == each.county, each


def test_every_township_of_the_county_is_covered_but_one():
    county = Area.objects.get(level=AreaLevel.COUNTY, name="铁岭县")
    townships = Area.objects.under(county).filter(level=AreaLevel.TOWNSHIP)
    covered_areas = TeamCoverage.objects.values("area")

    uncovered = townships.exclude(pk__in=covered_areas)
    assert list(uncovered.values_list("name", flat=True)) == ["凡河新区"]
    # Inside it only 官台新苑社区 is covered, on its own: the other communities are gaps too.
    reached = set()
    for each in Team.objects.filter(county=county):
        reached |= set(services.covered_communities(each).values_list("name", flat=True))
    inside = Area.objects.communities().filter(parent__name="凡河新区")
    assert reached & set(inside.values_list("name", flat=True)) == {"官台新苑社区"}


def test_one_team_lacks_one_of_its_five_and_one_its_lead_department():
    sizes = Team.objects.annotate(n=Count("members")).values_list("name", "n")

    short = [name for name, n in sizes if n != STANDING_MEMBERS]
    assert short == ["县卫健局督导小分队"]
    assert dict(sizes)["县卫健局督导小分队"] == STANDING_MEMBERS - 1
    assert list(Team.objects.filter(lead_unit=None).values_list("name", flat=True)) == [
        "横道镇督导小分队"
    ]


def test_the_demo_team_accounts_post_for_different_teams():
    first = authenticate(username="team", password=PASSWORD)
    second = authenticate(username="team2", password=PASSWORD)

    assert first is not None and second is not None
    assert list(first.teams.values_list("name", flat=True)) == ["县委统战部督导小分队"]
    assert second.teams.get() != first.teams.get()
    for each in Team.objects.all():
        assert each.accounts.exists(), each
        assert set(each.reports.values_list("submitted_by__username", flat=True)) <= set(
            each.accounts.values_list("username", flat=True)
        )


def test_thirty_measures_all_marked_as_placeholders():
    measures = Measure.objects.order_by("number")

    assert list(measures.values_list("number", flat=True)) == list(range(1, 31))
    assert all(m.is_placeholder and "占位" in m.title for m in measures)
    assert MeasureCheck.objects.values("measure").distinct().count() == 30


def test_two_weeks_of_reports_end_today_with_days_missed_and_some_late():
    today = timezone.localdate()
    reports = DailyReport.objects.all()
    late_hour = settings.SUPERVISION_REPORT_LATE_HOUR

    assert reports.earliest("date").date == today - timedelta(days=13)
    assert reports.latest("date").date == today
    teams = Team.objects.count()
    assert 14 * teams - 8 <= reports.count() < 14 * teams
    assert 0 < reports.filter(date=today).count() < teams
    back_filled = reports.exclude(date=today)
    late = [r for r in back_filled if timezone.localtime(r.created_at).hour >= late_hour]
    assert len(late) == 2
    on_time = [r for r in back_filled if timezone.localtime(r.created_at).date() == r.date]
    assert len(on_time) == back_filled.count()
    assert DailyReportRevision.objects.count() == 1


def test_reports_carry_the_five_texts_figures_and_the_checkpoint_of_hengdao():
    reports = DailyReport.objects.filter(team__name="横道镇督导小分队")

    for report in reports:
        assert 450 <= report.checkpoint_vehicles <= 550
        assert report.checkpoint_people >= 1000
    report = reports.first()
    for name in services.FOCUS_FIELDS:
        assert getattr(report, name).strip()
    assert "卡点" in report.screening
    assert report.communities.filter(name="横道河子村").exists()


def test_problems_total_close_to_the_sources_125_found_and_112_fixed():
    found = Problem.objects.count()
    fixed = Problem.objects.filter(status__in=FIXED).count()

    assert abs(found - 125) <= 3
    assert abs(fixed - 112) <= 3


def test_problems_are_in_every_state_and_some_are_overdue():
    states = set(Problem.objects.values_list("status", flat=True))

    assert states == set(ProblemStatus.values)
    overdue = Problem.objects.overdue()
    assert overdue.exists()
    assert all(p.is_overdue for p in overdue)
    assert Problem.objects.filter(report=None).exists()


def test_fixes_are_verified_by_the_team_not_by_whoever_resolved_them():
    verified = Problem.objects.filter(status=ProblemStatus.VERIFIED).select_related("team")

    for problem in verified:
        assert problem.verified_by_id != problem.resolved_by_id
        assert problem.team.accounts.filter(pk=problem.verified_by_id).exists()
    reopened = ProblemStep.objects.filter(
        from_status=ProblemStatus.RESOLVED, to_status=ProblemStatus.RECTIFYING
    )
    assert reopened.exists() and not reopened.filter(note="").exists()


def test_every_problem_has_stepped_one_step_at_a_time_from_found():
    for problem in Problem.objects.prefetch_related("steps"):
        steps = list(problem.steps.all())
        assert steps[0].to_status == ProblemStatus.FOUND
        assert [s.from_status for s in steps[1:]] == [s.to_status for s in steps[:-1]]
        assert steps[-1].to_status == problem.status


def test_the_demo_says_what_it_made(demo):
    assert "team2" in demo
    assert "县纪委监委督导小分队" in demo
