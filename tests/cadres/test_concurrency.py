"""Races: two people doing the same thing at the same moment, each on their own connection.

Every test runs real threads, released together by a barrier, against committed data; the
services' locks and the database's constraints must leave exactly one result, and the loser gets
a clear error rather than a second row.
"""

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from cadres.choices import PostKind, RegistrationStatus
from cadres.models import Cadre, Post, Registration
from cadres.services import (
    CadreDetails,
    post_assign,
    registration_confirm,
    registration_return,
    registration_submit,
)
from communities.choices import Role
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Runs each call in its own thread and connection, all released at the same moment;
    returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a call hung (deadlock?)"
    return outcomes


def refused(outcome: object) -> bool:
    return isinstance(outcome, ValidationError | IntegrityError)


@pytest.fixture
def second_secretary(community):
    """A second account of the same community's secretariat."""
    return UserFactory(username="secretary-b", role=Role.SECRETARY, area=community)


@pytest.fixture
def members(community, work_unit):
    return [
        RegistrationFactory(
            community=community, cadre__work_unit=work_unit, status=RegistrationStatus.CONFIRMED
        )
        for _ in range(2)
    ]


@pytest.mark.parametrize("round_", range(3))
def test_two_secretaries_making_two_members_building_chief_at_once_leave_one_chief(
    secretary, second_secretary, members, building, round_
):
    outcomes = at_once(
        *(
            lambda actor=actor, member=member: post_assign(
                actor=actor, registration=member, kind=PostKind.BUILDING_CHIEF, building=building
            )
            for actor, member in zip((secretary, second_secretary), members, strict=True)
        )
    )

    winners = [o for o in outcomes if isinstance(o, Post)]
    losers = [o for o in outcomes if refused(o)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    active = Post.objects.active().filter(kind=PostKind.BUILDING_CHIEF, building=building)
    assert list(active) == winners


def test_five_members_made_unit_chief_of_one_unit_at_once_leave_one_chief(
    secretary, community, work_unit, unit
):
    registrations = [
        RegistrationFactory(
            community=community, cadre__work_unit=work_unit, status=RegistrationStatus.CONFIRMED
        )
        for _ in range(5)
    ]

    outcomes = at_once(
        *(
            lambda member=member: post_assign(
                actor=secretary, registration=member, kind=PostKind.UNIT_CHIEF, unit=unit
            )
            for member in registrations
        )
    )

    assert sum(isinstance(o, Post) for o in outcomes) == 1, outcomes
    assert sum(refused(o) for o in outcomes) == 4, outcomes
    assert Post.objects.active().filter(unit=unit).count() == 1


@pytest.mark.parametrize("round_", range(3))
def test_the_same_member_submitting_the_self_service_form_twice_at_once_is_registered_once(
    community, work_unit, round_
):
    def submit():
        return registration_submit(
            actor=None,
            community=community,
            details=CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit),
        )

    outcomes = at_once(submit, submit)

    assert sum(isinstance(o, Registration) for o in outcomes) == 1, outcomes
    assert sum(refused(o) for o in outcomes) == 1, outcomes
    assert Cadre.objects.filter(phone="13800000001").count() == 1
    assert Registration.objects.count() == 1


def test_the_same_member_registering_at_two_communities_at_once_has_one_active_registration(
    community, other_community, work_unit
):
    def submit_to(place):
        return lambda: registration_submit(
            actor=None,
            community=place,
            details=CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit),
        )

    outcomes = at_once(submit_to(community), submit_to(other_community))

    assert all(isinstance(o, Registration) for o in outcomes), outcomes
    assert Cadre.objects.count() == 1
    assert sorted(Registration.objects.values_list("status", flat=True)) == [
        RegistrationStatus.PENDING,
        RegistrationStatus.TRANSFER_REQUESTED,
    ]


def test_confirming_and_returning_the_same_selection_at_once_decides_it_one_way(
    secretary, second_secretary, community, work_unit
):
    selection = [
        RegistrationFactory(community=community, cadre__work_unit=work_unit) for _ in range(20)
    ]

    outcomes = at_once(
        lambda: registration_confirm(actor=secretary, registrations=selection),
        lambda: registration_return(
            actor=second_secretary, registrations=list(reversed(selection)), reason="重复"
        ),
    )

    assert sum(refused(o) for o in outcomes) == 1, outcomes
    statuses = set(Registration.objects.values_list("status", flat=True))
    assert statuses in ({RegistrationStatus.CONFIRMED}, {RegistrationStatus.RETURNED})


def test_a_post_given_while_the_members_transfer_is_confirmed_does_not_stay_active(
    secretary, other_secretary, confirmed_registration, other_community, building
):
    request = registration_submit(
        actor=None,
        community=other_community,
        details=CadreDetails(
            name=confirmed_registration.cadre.name,
            phone=confirmed_registration.cadre.phone,
            work_unit=confirmed_registration.cadre.work_unit,
        ),
    )

    outcomes = at_once(
        lambda: registration_confirm(actor=other_secretary, registrations=[request]),
        lambda: post_assign(
            actor=secretary,
            registration=confirmed_registration,
            kind=PostKind.BUILDING_CHIEF,
            building=building,
        ),
    )

    assert isinstance(outcomes[0], list), outcomes
    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.TRANSFERRED
    assert not Post.objects.active().exists()
