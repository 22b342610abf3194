"""Races on the 优秀 quota: two of the organisation department confirming the last place at the
same moment, each on their own connection. The quota row's lock (in the service and in the
database's trigger) must leave the quota respected: exactly one succeeds, the other is refused
with the reason, never a second 优秀."""

import pytest
from django.core.exceptions import ValidationError

from appraisal import services
from appraisal.choices import Grade
from appraisal.models import Appraisal, Quota
from communities.choices import Role
from tests.cadres.test_concurrency import at_once, refused
from tests.factories import CadreFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def second_county_staff(county):
    return UserFactory(username="county-b", role=Role.COUNTY_STAFF, area=county)


@pytest.fixture
def candidates(period, community, work_unit, county_staff) -> list[Appraisal]:
    """Three more cadres of 县民政局 in the period (four with 孙守超)."""
    for name in ("赵莹", "钱多", "李平"):
        RegistrationFactory(
            cadre=CadreFactory(name=name, work_unit=work_unit),
            community=community,
            status="confirmed",
        )
    services.appraisals_sync(actor=county_staff, period=period)
    return list(period.appraisals.order_by("cadre__name"))


def excellent(period, work_unit) -> int:
    return Appraisal.objects.filter(
        period=period, work_unit=work_unit, final_grade=Grade.EXCELLENT
    ).count()


def grade(actor, appraisal, value=Grade.EXCELLENT):
    return lambda: services.appraisal_update(
        actor=actor, appraisal=appraisal, changes={"final_grade": value}
    )


@pytest.mark.parametrize("round_", range(3))
def test_two_staff_grading_the_last_excellent_place_at_once_leave_the_quota_respected(
    county_staff, second_county_staff, period, work_unit, candidates, round_
):
    first, second, third, _ = candidates
    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=2)
    services.appraisal_update(
        actor=county_staff, appraisal=first, changes={"final_grade": Grade.EXCELLENT}
    )

    outcomes = at_once(grade(county_staff, second), grade(second_county_staff, third))

    assert sum(isinstance(o, Appraisal) for o in outcomes) == 1
    loser = next(o for o in outcomes if not isinstance(o, Appraisal))
    assert refused(loser), loser
    if isinstance(loser, ValidationError):
        # The loser waited on the lock, then counted the winner: the message names them.
        assert "final_grade" in loser.message_dict
    assert excellent(period, work_unit) == 2


def test_many_staff_grading_many_at_once_never_exceed_the_quota(
    county_staff, second_county_staff, period, work_unit, candidates
):
    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=1)
    actors = [county_staff, second_county_staff] * 2

    outcomes = at_once(*(grade(a, c) for a, c in zip(actors, candidates, strict=True)))

    assert sum(isinstance(o, Appraisal) for o in outcomes) == 1
    assert all(refused(o) for o in outcomes if not isinstance(o, Appraisal))
    assert excellent(period, work_unit) == 1


@pytest.mark.parametrize("round_", range(3))
def test_lowering_the_quota_while_the_last_place_is_given_leaves_it_respected(
    county_staff, second_county_staff, period, work_unit, candidates, round_
):
    first, second, *_ = candidates
    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=2)
    services.appraisal_update(
        actor=county_staff, appraisal=first, changes={"final_grade": Grade.EXCELLENT}
    )

    outcomes = at_once(
        grade(county_staff, second),
        lambda: services.quota_set(
            actor=second_county_staff, period=period, work_unit=work_unit, excellent=1
        ),
    )

    assert sum(not refused(o) for o in outcomes) == 1, outcomes
    assert excellent(period, work_unit) <= Quota.objects.get().excellent


def test_the_same_appraisal_graded_excellent_twice_at_once_takes_one_place(
    county_staff, second_county_staff, period, work_unit, candidates
):
    first, *_ = candidates
    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=1)

    outcomes = at_once(grade(county_staff, first), grade(second_county_staff, first))

    assert all(isinstance(o, Appraisal) for o in outcomes), outcomes
    assert excellent(period, work_unit) == 1
