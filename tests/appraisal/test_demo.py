"""`seed_demo` fills the appraisal: a closed special period with every input, grade and opinion
within the quotas and a few commendations, and the year's period still open; a second run adds
nothing.

The demo is loaded once for this module (it takes a while) and the database is emptied after.
"""

import io

import pytest
from django.core.management import call_command
from django.db.models import Max, Q
from django.utils import timezone

from appraisal.choices import Grade, PeriodStatus
from appraisal.demo import APPROVER, CLOSED
from appraisal.models import Appraisal, Commendation, Period, Quota
from appraisal.selectors import appraisals_for_list, quotas_with_use
from communities.choices import Role
from communities.models import User

PASSWORD = "demo-pass-7"
MODELS = [Period, Appraisal, Quota, Commendation]

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
    counts = {model.__name__: model.objects.count() for model in MODELS}
    latest = {model.__name__: model.objects.aggregate(m=Max("updated_at"))["m"] for model in MODELS}
    return counts, latest


def closed_period() -> Period:
    return Period.objects.get(county__name="铁岭县", name=CLOSED)


def open_period() -> Period:
    return Period.objects.get(county__name="铁岭县", name=f"{timezone.localdate().year}年度考核")


def test_running_it_again_adds_and_changes_nothing():
    before = snapshot()

    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())

    assert snapshot() == before


def test_it_reports_what_it_made(demo):
    assert "Appraisal: 2 periods of 铁岭县 (1 closed)" in demo


def test_the_special_period_is_closed_and_complete():
    period = closed_period()

    assert period.status == PeriodStatus.CLOSED
    assert period.closed_by.role == Role.COUNTY_STAFF
    assert period.ends_on == timezone.localdate()
    appraisals = period.appraisals.select_related("period")
    assert appraisals.count() > 100
    incomplete = appraisals.filter(
        Q(inspection_score=None)
        | Q(talk_score=None)
        | Q(satisfied=0, basically_satisfied=0, unsatisfied=0)
        | Q(final_grade="")
        | Q(opinion="")
        | Q(inspection_note="")
        | Q(talk_note="")
    )
    assert not incomplete.exists()
    grades = set(appraisals.values_list("final_grade", flat=True))
    assert {Grade.EXCELLENT, Grade.COMPETENT} <= grades


def test_final_grades_follow_the_proposal_within_the_quota():
    for appraisal in closed_period().appraisals.select_related("period"):
        if appraisal.final_grade == Grade.EXCELLENT:
            assert appraisal.proposed_grade == Grade.EXCELLENT
        elif appraisal.proposed_grade != Grade.EXCELLENT:
            assert appraisal.final_grade == appraisal.proposed_grade


@pytest.mark.parametrize("which", [closed_period, open_period])
def test_quotas_are_respected_in_every_unit(which):
    period = which()
    quotas = {q.work_unit_id: q for q in quotas_with_use(period)}

    units = set(period.appraisals.values_list("work_unit", flat=True))
    assert units == set(quotas)
    for quota in quotas.values():
        assert quota.given <= quota.excellent
    assert any(q.given == q.excellent > 0 for q in quotas.values())


def test_the_inputs_come_from_their_own_people():
    appraisals = closed_period().appraisals.select_related(
        "community", "inspection_by", "talk_by", "evaluation_by", "graded_by"
    )
    secretary = User.objects.get(username="secretary")

    ours = [a for a in appraisals if a.community_id == secretary.area_id]
    assert ours
    assert all(a.talk_by == a.evaluation_by == secretary for a in ours)
    inspectors = {a.inspection_by.role for a in appraisals}
    assert inspectors == {Role.TEAM_MEMBER, Role.COUNTY_STAFF}
    assert {a.graded_by.role for a in appraisals} == {Role.COUNTY_STAFF}


def test_the_closed_period_brings_the_teams_reports_along():
    rows = appraisals_for_list(closed_period().appraisals.all())

    assert any(row.team_reports > 0 for row in rows)
    assert any(row.team_problems_fixed > 0 for row in rows)


def test_a_few_commendations_of_both_kinds_for_the_excellent():
    commendations = Commendation.objects.filter(period=closed_period())

    assert 3 <= commendations.count() <= 10
    assert set(commendations.values_list("kind", flat=True)) == {"citation", "merit"}
    assert set(commendations.values_list("approver", flat=True)) == {APPROVER}
    excellent = set(
        closed_period()
        .appraisals.filter(final_grade=Grade.EXCELLENT)
        .values_list("cadre", flat=True)
    )
    assert set(commendations.values_list("cadre", flat=True)) <= excellent


def test_the_years_period_is_open_and_under_way():
    period = open_period()
    today = timezone.localdate()

    assert period.status == PeriodStatus.OPEN
    assert period.starts_on <= today <= period.ends_on
    appraisals = period.appraisals.all()
    assert appraisals.filter(talk_score=None).exists()
    assert appraisals.exclude(inspection_score=None).exists()
    assert appraisals.exclude(final_grade="").exists()
    assert appraisals.filter(final_grade="").exists()
