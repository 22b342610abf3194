"""The database keeps the rules on its own: writes that bypass the services (raw ORM saves,
QuerySet.update, bulk_create, raw SQL) are refused by constraints, composite keys and triggers.

The composite foreign keys are DEFERRABLE INITIALLY DEFERRED (checked at commit); inside a
test's transaction `SET CONSTRAINTS ALL IMMEDIATE` makes PostgreSQL check them on the spot.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cadres import services
from cadres.choices import BranchKind, BranchStatus, PartyStanding, PostKind, RegistrationStatus
from cadres.models import Branch, BranchMember, BuildingGroup, Cadre, Post, Registration, WorkUnit
from tests.factories import (
    BranchFactory,
    BuildingFactory,
    CadreFactory,
    CountyFactory,
    GridFactory,
    PostFactory,
    RegistrationFactory,
    UnitFactory,
    WorkUnitFactory,
)

pytestmark = pytest.mark.django_db


def check_deferred_constraints() -> None:
    """Checks the deferred composite foreign keys now rather than at a commit that never comes."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@contextmanager
def refused_by(constraint: str) -> Iterator[None]:
    """The block's write is refused by the database, by the named constraint or trigger."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        yield
    assert caught.value.__cause__.diag.constraint_name == constraint


def member_of(community, work_unit, standing=PartyStanding.FULL) -> Cadre:
    return RegistrationFactory(
        community=community,
        cadre__work_unit=work_unit,
        cadre__party_standing=standing,
        status=RegistrationStatus.CONFIRMED,
    ).cadre


# Registrations


def test_a_cadre_cannot_have_a_second_active_registration(pending_registration, other_community):
    with refused_by("cadres_registration_one_active"):
        Registration.objects.create(cadre=pending_registration.cadre, community=other_community)

    assert Registration.objects.count() == 1


def test_a_returned_registration_can_become_active_again_only_once(
    cadre, community, other_community
):
    RegistrationFactory(cadre=cadre, community=community, status="returned", return_reason="错")
    Registration.objects.create(cadre=cadre, community=community)

    with refused_by("cadres_registration_one_active"):
        Registration.objects.bulk_create([Registration(cadre=cadre, community=other_community)])


def test_a_pending_registration_cannot_be_confirmed_beside_a_confirmed_one(
    confirmed_registration, other_community
):
    cadre = confirmed_registration.cadre
    request = RegistrationFactory(
        cadre=cadre,
        community=other_community,
        status=RegistrationStatus.TRANSFER_REQUESTED,
        transferred_from=confirmed_registration,
    )

    with refused_by("cadres_registration_one_active"):
        Registration.objects.filter(pk=request.pk).update(status=RegistrationStatus.CONFIRMED)


def test_a_cadre_cannot_have_two_transfer_requests(
    confirmed_registration, other_community, far_community
):
    cadre = confirmed_registration.cadre
    RegistrationFactory(
        cadre=cadre,
        community=other_community,
        status=RegistrationStatus.TRANSFER_REQUESTED,
        transferred_from=confirmed_registration,
    )

    with refused_by("cadres_registration_one_transfer_request"):
        RegistrationFactory(
            cadre=cadre,
            community=far_community,
            status=RegistrationStatus.TRANSFER_REQUESTED,
            transferred_from=confirmed_registration,
        )


def test_a_transfer_request_names_the_registration_it_replaces(cadre, community):
    with refused_by("cadres_registration_transfer_has_origin"):
        Registration.objects.create(
            cadre=cadre, community=community, status=RegistrationStatus.TRANSFER_REQUESTED
        )


def test_a_transfer_request_from_another_members_registration_is_refused(
    confirmed_registration, cadre, other_community
):
    with refused_by("cadres_registration_transfer_same_cadre"):
        Registration.objects.create(
            cadre=cadre,
            community=other_community,
            status=RegistrationStatus.TRANSFER_REQUESTED,
            transferred_from=confirmed_registration,
        )
        check_deferred_constraints()

    assert not Registration.objects.filter(cadre=cadre).exists()


def test_pointing_a_transfer_request_at_another_members_registration_is_refused(
    confirmed_registration, pending_registration, other_community
):
    request = RegistrationFactory(
        cadre=confirmed_registration.cadre,
        community=other_community,
        status=RegistrationStatus.TRANSFER_REQUESTED,
        transferred_from=confirmed_registration,
    )

    with refused_by("cadres_registration_transfer_same_cadre"):
        Registration.objects.filter(pk=request.pk).update(transferred_from=pending_registration)
        check_deferred_constraints()

    request.refresh_from_db()
    assert request.transferred_from_id == confirmed_registration.pk


@pytest.mark.django_db(transaction=True)
def test_a_transfer_request_from_another_members_registration_is_refused_at_commit(
    confirmed_registration, cadre, other_community
):
    """Left deferred, the composite key is checked at commit: nothing is saved."""
    with refused_by("cadres_registration_transfer_same_cadre"):
        Registration.objects.create(
            cadre=cadre,
            community=other_community,
            status=RegistrationStatus.TRANSFER_REQUESTED,
            transferred_from=confirmed_registration,
        )

    assert not Registration.objects.filter(cadre=cadre).exists()


def test_a_transfer_request_of_the_same_member_passes(confirmed_registration, other_community):
    RegistrationFactory(
        cadre=confirmed_registration.cadre,
        community=other_community,
        status=RegistrationStatus.TRANSFER_REQUESTED,
        transferred_from=confirmed_registration,
    )
    check_deferred_constraints()


def test_a_registration_cannot_be_returned_without_a_reason(pending_registration):
    with refused_by("cadres_registration_reason_required"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cadres_registration SET status = 'returned', return_reason = '' WHERE id = %s",
            [pending_registration.pk],
        )

    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.PENDING


def test_returning_with_a_reason_passes(pending_registration):
    Registration.objects.filter(pk=pending_registration.pk).update(
        status=RegistrationStatus.RETURNED, return_reason="不在本社区居住"
    )


def test_a_registration_with_a_township_is_refused(cadre, township):
    with refused_by("cadres_registration_area_level"):
        Registration.objects.create(cadre=cadre, community=township)


def test_moving_a_registration_to_a_township_is_refused(pending_registration, township):
    with refused_by("cadres_registration_area_level"):
        Registration.objects.filter(pk=pending_registration.pk).update(
            community=township, building=None, unit=None
        )


def test_a_registrations_unit_must_lie_in_its_building(cadre, community, building, estate):
    unit_elsewhere = UnitFactory(building=BuildingFactory(estate=estate, name="2号楼"))

    with refused_by("cadres_registration_unit_same_building"):
        Registration.objects.create(
            cadre=cadre, community=community, building=building, unit=unit_elsewhere
        )
        check_deferred_constraints()


def test_a_registrations_building_must_lie_in_its_community(cadre, community, other_building):
    with refused_by("cadres_registration_building_same_community"):
        Registration.objects.create(cadre=cadre, community=community, building=other_building)
        check_deferred_constraints()


def test_a_registrations_unit_needs_its_building(cadre, community, unit):
    with refused_by("cadres_registration_unit_needs_building"):
        Registration.objects.create(cadre=cadre, community=community, unit=unit)


# Posts


def test_an_active_post_on_a_pending_registration_is_refused(pending_registration):
    with refused_by("cadres_post_registration_confirmed"):
        Post.objects.create(
            registration=pending_registration,
            community_id=pending_registration.community_id,
            kind=PostKind.PUBLICIST,
        )

    assert not Post.objects.exists()


def test_an_ended_post_on_a_pending_registration_is_history_and_allowed(pending_registration):
    Post.objects.create(
        registration=pending_registration,
        community_id=pending_registration.community_id,
        kind=PostKind.PUBLICIST,
        ended_at=timezone.now(),
    )


def test_reopening_an_ended_post_of_a_transferred_registration_is_refused(
    confirmed_registration,
):
    post = PostFactory(registration=confirmed_registration, kind=PostKind.SERVER)
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(ended_at=now)
    Registration.objects.filter(pk=confirmed_registration.pk).update(
        status=RegistrationStatus.TRANSFERRED, ended_at=now
    )

    with refused_by("cadres_post_registration_confirmed"):
        Post.objects.filter(pk=post.pk).update(ended_at=None)


def test_a_confirmed_registration_with_active_posts_cannot_be_transferred(
    confirmed_registration,
):
    PostFactory(registration=confirmed_registration, kind=PostKind.SERVER)

    with refused_by("cadres_registration_posts_ended"):
        Registration.objects.filter(pk=confirmed_registration.pk).update(
            status=RegistrationStatus.TRANSFERRED, ended_at=timezone.now()
        )

    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED


def test_a_confirmed_registration_whose_posts_ended_may_be_transferred(confirmed_registration):
    PostFactory(registration=confirmed_registration, kind=PostKind.SERVER, ended_at=timezone.now())

    Registration.objects.filter(pk=confirmed_registration.pk).update(
        status=RegistrationStatus.TRANSFERRED, ended_at=timezone.now()
    )


def test_two_active_building_chiefs_are_refused(
    confirmed_registration, community, work_unit, building
):
    second = RegistrationFactory(
        community=community, cadre__work_unit=work_unit, status=RegistrationStatus.CONFIRMED
    )

    with refused_by("cadres_post_one_building_chief"):
        Post.objects.bulk_create(
            [
                Post(
                    registration=registration,
                    community=community,
                    kind=PostKind.BUILDING_CHIEF,
                    building=building,
                )
                for registration in (confirmed_registration, second)
            ]
        )

    assert not Post.objects.exists()


def test_two_active_unit_chiefs_are_refused(confirmed_registration, unit):
    PostFactory(
        registration=confirmed_registration,
        kind=PostKind.UNIT_CHIEF,
        building=unit.building,
        unit=unit,
    )
    second = RegistrationFactory(
        community=confirmed_registration.community, status=RegistrationStatus.CONFIRMED
    )

    with refused_by("cadres_post_one_unit_chief"):
        PostFactory(
            registration=second, kind=PostKind.UNIT_CHIEF, building=unit.building, unit=unit
        )


def test_two_active_zone_chiefs_of_a_grid_are_refused(confirmed_registration, grid):
    PostFactory(registration=confirmed_registration, kind=PostKind.ZONE_CHIEF, grid=grid)
    second = RegistrationFactory(
        community=confirmed_registration.community, status=RegistrationStatus.CONFIRMED
    )

    with refused_by("cadres_post_one_grid_chief"):
        PostFactory(registration=second, kind=PostKind.ZONE_CHIEF, grid=grid)


def test_reopening_an_ended_building_chief_beside_a_new_one_is_refused(
    confirmed_registration, community, work_unit, building
):
    old = PostFactory(
        registration=confirmed_registration,
        kind=PostKind.BUILDING_CHIEF,
        building=building,
        ended_at=timezone.now(),
    )
    second = RegistrationFactory(
        community=community, cadre__work_unit=work_unit, status=RegistrationStatus.CONFIRMED
    )
    PostFactory(registration=second, kind=PostKind.BUILDING_CHIEF, building=building)

    with refused_by("cadres_post_one_building_chief"):
        Post.objects.filter(pk=old.pk).update(ended_at=None)


def test_a_duty_role_is_held_once_per_registration(confirmed_registration):
    PostFactory(registration=confirmed_registration, kind=PostKind.FIGHTER)

    with refused_by("cadres_post_one_duty_each"):
        PostFactory(registration=confirmed_registration, kind=PostKind.FIGHTER)


def test_a_building_chief_without_a_building_is_refused(confirmed_registration):
    with refused_by("cadres_post_shape"):
        PostFactory(registration=confirmed_registration, kind=PostKind.BUILDING_CHIEF)


def test_a_duty_role_over_a_building_is_refused(confirmed_registration, building):
    with refused_by("cadres_post_shape"):
        PostFactory(registration=confirmed_registration, kind=PostKind.SERVER, building=building)


def test_a_posts_building_in_another_community_is_refused(confirmed_registration, other_building):
    with refused_by("cadres_post_building_same_community"):
        PostFactory(
            registration=confirmed_registration,
            kind=PostKind.BUILDING_CHIEF,
            building=other_building,
        )
        check_deferred_constraints()

    assert not Post.objects.exists()


def test_a_posts_unit_must_lie_in_its_building(confirmed_registration, building, estate):
    unit_elsewhere = UnitFactory(building=BuildingFactory(estate=estate, name="2号楼"))

    with refused_by("cadres_post_unit_same_building"):
        PostFactory(
            registration=confirmed_registration,
            kind=PostKind.UNIT_CHIEF,
            building=building,
            unit=unit_elsewhere,
        )
        check_deferred_constraints()


def test_a_post_cannot_claim_another_community_than_its_registrations(
    confirmed_registration, other_community, other_building
):
    with refused_by("cadres_post_registration_same_community"):
        PostFactory(
            registration=confirmed_registration,
            community=other_community,
            kind=PostKind.BUILDING_CHIEF,
            building=other_building,
        )
        check_deferred_constraints()


@pytest.mark.django_db(transaction=True)
def test_a_posts_grid_in_another_community_is_refused_when_the_write_commits(
    confirmed_registration, other_community
):
    """Left deferred, the composite key is checked at commit: nothing is saved."""
    grid = GridFactory(community=other_community)

    with refused_by("cadres_post_grid_same_community"):
        PostFactory(registration=confirmed_registration, kind=PostKind.ZONE_CHIEF, grid=grid)

    assert not Post.objects.exists()


# Branches


def test_establishing_a_branch_with_two_full_members_is_refused(community, work_unit):
    branch = BranchFactory(area=community, kind=BranchKind.COMMUNITY)
    members = [member_of(community, work_unit) for _ in range(2)]
    members += [member_of(community, work_unit, PartyStanding.PROBATIONARY) for _ in range(2)]
    BranchMember.objects.bulk_create(
        [BranchMember(branch=branch, cadre=cadre, joined_on="2020-02-01") for cadre in members]
    )

    with refused_by("cadres_branch_ready"):
        Branch.objects.filter(pk=branch.pk).update(
            status=BranchStatus.ESTABLISHED, established_on="2020-02-08"
        )

    branch.refresh_from_db()
    assert branch.status == BranchStatus.PREPARING


def test_members_who_left_do_not_count_towards_establishing(community, work_unit):
    branch = BranchFactory(area=community, kind=BranchKind.COMMUNITY)
    for cadre in [member_of(community, work_unit) for _ in range(3)]:
        BranchMember.objects.create(branch=branch, cadre=cadre, joined_on="2020-02-01")
    branch.members.filter(pk=branch.members.first().pk).update(left_on="2020-02-05")

    with refused_by("cadres_branch_ready"):
        Branch.objects.filter(pk=branch.pk).update(
            status=BranchStatus.ESTABLISHED, established_on="2020-02-08"
        )


def test_establishing_a_branch_with_three_full_members_passes(community, work_unit):
    branch = BranchFactory(area=community, kind=BranchKind.COMMUNITY)
    for cadre in [member_of(community, work_unit) for _ in range(3)]:
        BranchMember.objects.create(branch=branch, cadre=cadre, joined_on="2020-02-01")

    Branch.objects.filter(pk=branch.pk).update(
        status=BranchStatus.ESTABLISHED, established_on="2020-02-08"
    )

    branch.refresh_from_db()
    assert branch.status == BranchStatus.ESTABLISHED


def test_a_branch_cannot_be_inserted_already_established(community):
    with refused_by("cadres_branch_ready"):
        BranchFactory(
            area=community,
            kind=BranchKind.COMMUNITY,
            status=BranchStatus.ESTABLISHED,
            established_on="2020-02-08",
        )


def test_an_established_branch_needs_a_date(community, work_unit):
    branch = BranchFactory(area=community, kind=BranchKind.COMMUNITY)
    for cadre in [member_of(community, work_unit) for _ in range(3)]:
        BranchMember.objects.create(branch=branch, cadre=cadre, joined_on="2020-02-01")

    with refused_by("cadres_branch_established_dated"):
        Branch.objects.filter(pk=branch.pk).update(status=BranchStatus.ESTABLISHED)


def test_a_grid_has_one_open_branch(community, grid):
    BranchFactory(area=community, kind=BranchKind.GRID, grid=grid)

    with refused_by("cadres_branch_one_per_grid"):
        BranchFactory(area=community, kind=BranchKind.GRID, grid=grid)


def test_a_community_has_one_community_wide_branch(community):
    BranchFactory(area=community, kind=BranchKind.COMMUNITY)

    with refused_by("cadres_branch_one_per_community"):
        BranchFactory(area=community, kind=BranchKind.COMMUNITY)


def test_a_grid_branch_names_its_grid(community):
    with refused_by("cadres_branch_grid_shape"):
        BranchFactory(area=community, kind=BranchKind.GRID, grid=None)


def test_a_branchs_grid_lies_in_its_community(community, other_community):
    with refused_by("cadres_branch_grid_same_community"):
        BranchFactory(
            area=community, kind=BranchKind.GRID, grid=GridFactory(community=other_community)
        )
        check_deferred_constraints()


def test_a_grid_branch_of_a_township_is_refused(township):
    with refused_by("cadres_branch_area_level"):
        BranchFactory(area=township, kind=BranchKind.COMMUNITY)


def test_a_front_line_branch_may_hang_off_the_county(county):
    BranchFactory(area=county, kind=BranchKind.FRONT_LINE)


@pytest.fixture
def open_branch(community, work_unit):
    """A community's branch being prepared, with one member who is its secretary."""
    branch = BranchFactory(area=community, kind=BranchKind.COMMUNITY)
    cadre = member_of(community, work_unit)
    BranchMember.objects.create(branch=branch, cadre=cadre, joined_on="2020-02-01")
    Branch.objects.filter(pk=branch.pk).update(secretary=cadre)
    branch.refresh_from_db()
    return branch


def test_a_branch_secretary_who_is_not_a_member_is_refused(community, work_unit):
    branch = BranchFactory(area=community, kind=BranchKind.COMMUNITY)
    outsider = member_of(community, work_unit)

    with refused_by("cadres_branch_secretary_member"):
        Branch.objects.filter(pk=branch.pk).update(secretary=outsider)

    branch.refresh_from_db()
    assert branch.secretary_id is None


def test_a_branch_cannot_be_inserted_with_a_secretary(community, work_unit):
    with refused_by("cadres_branch_secretary_member"):
        BranchFactory(
            area=community, kind=BranchKind.COMMUNITY, secretary=member_of(community, work_unit)
        )


def test_a_branch_secretary_who_left_the_branch_is_refused(community, work_unit):
    branch = BranchFactory(area=community, kind=BranchKind.COMMUNITY)
    cadre = member_of(community, work_unit)
    BranchMember.objects.create(
        branch=branch, cadre=cadre, joined_on="2020-02-01", left_on="2020-02-05"
    )

    with refused_by("cadres_branch_secretary_member"):
        Branch.objects.filter(pk=branch.pk).update(secretary=cadre)


def test_the_secretarys_membership_cannot_end_while_the_branch_is_open(open_branch):
    with refused_by("cadres_branch_secretary_member"):
        open_branch.members.update(left_on="2020-03-01")

    assert open_branch.members.current().count() == 1


def test_the_secretarys_membership_cannot_be_deleted_while_the_branch_is_open(open_branch):
    with refused_by("cadres_branch_secretary_member"):
        open_branch.members.all().delete()

    assert open_branch.members.current().count() == 1


def test_the_secretarys_membership_cannot_move_to_another_member(open_branch, community, work_unit):
    other = member_of(community, work_unit)

    with refused_by("cadres_branch_secretary_member"):
        open_branch.members.update(cadre=other)


def test_dissolving_a_branch_ends_the_secretarys_membership_and_keeps_the_secretary(
    open_branch, secretary
):
    services.branch_dissolve(actor=secretary, branch=open_branch)

    open_branch.refresh_from_db()
    assert open_branch.status == BranchStatus.DISSOLVED
    assert open_branch.secretary_id is not None
    assert not open_branch.members.current().exists()
    assert open_branch.members.get().cadre_id == open_branch.secretary_id


def test_no_one_joins_a_dissolved_branch(open_branch, secretary, community, work_unit):
    services.branch_dissolve(actor=secretary, branch=open_branch)

    with refused_by("cadres_branchmember_open_branch"):
        BranchMember.objects.create(
            branch=open_branch, cadre=member_of(community, work_unit), joined_on="2020-04-01"
        )

    assert not open_branch.members.current().exists()


def test_a_member_rejoining_a_dissolved_branch_is_refused(open_branch, secretary):
    services.branch_dissolve(actor=secretary, branch=open_branch)

    with refused_by("cadres_branchmember_open_branch"):
        BranchMember.objects.bulk_create(
            [
                BranchMember(
                    branch=open_branch, cadre_id=open_branch.secretary_id, joined_on="2020-04-01"
                )
            ]
        )


def test_a_building_group_lies_in_its_buildings_community(building, other_community):
    with refused_by("cadres_buildinggroup_building_same_community"):
        BuildingGroup.objects.create(building=building, community=other_community)
        check_deferred_constraints()


def test_a_building_group_leader_with_a_pending_registration_is_refused(
    pending_registration, building, community
):
    with refused_by("cadres_buildinggroup_leader_confirmed"):
        BuildingGroup.objects.create(
            building=building, community=community, leader=pending_registration.cadre
        )

    assert not BuildingGroup.objects.exists()


def test_a_building_group_leader_confirmed_in_another_community_is_refused(
    building, community, other_community, work_unit
):
    elsewhere = member_of(other_community, work_unit)
    group = BuildingGroup.objects.create(building=building, community=community)

    with refused_by("cadres_buildinggroup_leader_confirmed"):
        BuildingGroup.objects.filter(pk=group.pk).update(leader=elsewhere)

    group.refresh_from_db()
    assert group.leader_id is None


def test_a_building_group_leader_confirmed_here_passes(confirmed_registration, building, community):
    BuildingGroup.objects.create(
        building=building, community=community, leader=confirmed_registration.cadre
    )


@pytest.mark.parametrize("status", [RegistrationStatus.TRANSFERRED, RegistrationStatus.PENDING])
def test_a_building_group_leaders_registration_cannot_stop_being_confirmed(
    confirmed_registration, building, community, status
):
    BuildingGroup.objects.create(
        building=building, community=community, leader=confirmed_registration.cadre
    )

    with refused_by("cadres_buildinggroup_leader_confirmed"):
        Registration.objects.filter(pk=confirmed_registration.pk).update(
            status=status, ended_at=timezone.now()
        )

    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED


def test_transferring_a_building_group_leader_through_the_service_empties_the_seat(
    secretary, confirmed_registration, building, community, other_community
):
    """The service clears the leader first, so the database lets the transfer through."""
    group = BuildingGroup.objects.create(
        building=building, community=community, leader=confirmed_registration.cadre
    )

    services.registration_transfer(
        actor=secretary, registration=confirmed_registration, community=other_community
    )

    group.refresh_from_db()
    confirmed_registration.refresh_from_db()
    assert group.leader_id is None
    assert confirmed_registration.status == RegistrationStatus.TRANSFERRED


# Work units and cadres


def test_a_work_unit_under_a_township_is_refused(township):
    with refused_by("cadres_workunit_area_level"):
        WorkUnit.objects.create(county=township, name="镇政府")


def test_a_work_units_parent_lies_in_the_same_county(work_unit):
    with refused_by("cadres_workunit_parent_same_county"):
        WorkUnitFactory(county=CountyFactory(), parent=work_unit)
        check_deferred_constraints()


def test_a_work_unit_under_itself_is_refused(work_unit):
    with refused_by("cadres_workunit_no_cycle"):
        WorkUnit.objects.filter(pk=work_unit.pk).update(parent=work_unit)

    work_unit.refresh_from_db()
    assert work_unit.parent_id is None


def test_a_loop_of_work_units_is_refused(county):
    top = WorkUnitFactory(county=county, name="县直机关")
    middle = WorkUnitFactory(county=county, name="县民政局", parent=top)
    bottom = WorkUnitFactory(county=county, name="县民政局办公室", parent=middle)

    with refused_by("cadres_workunit_no_cycle"):
        WorkUnit.objects.filter(pk=top.pk).update(parent=bottom)

    top.refresh_from_db()
    assert top.parent_id is None


def test_full_clean_refuses_a_loop_of_work_units_on_the_parent_field(county):
    top = WorkUnitFactory(county=county, name="县直机关")
    middle = WorkUnitFactory(county=county, name="县民政局", parent=top)
    bottom = WorkUnitFactory(county=county, name="县民政局办公室", parent=middle)
    top.parent = bottom

    with pytest.raises(ValidationError) as caught:
        top.full_clean()

    assert list(caught.value.message_dict) == ["parent"]


def test_moving_a_work_unit_under_another_branch_of_the_tree_passes(county):
    top = WorkUnitFactory(county=county, name="县直机关")
    left = WorkUnitFactory(county=county, name="县民政局", parent=top)
    right = WorkUnitFactory(county=county, name="县农业农村局", parent=top)
    left.parent = right

    left.full_clean()
    WorkUnit.objects.filter(pk=left.pk).update(parent=right)


def test_a_phone_that_is_not_a_mobile_is_refused(work_unit):
    with refused_by("cadres_cadre_phone_mobile"):
        Cadre.objects.create(name="甲", phone="02483812345", work_unit=work_unit)


def test_changing_a_phone_to_a_non_mobile_is_refused(cadre):
    with refused_by("cadres_cadre_phone_mobile"):
        Cadre.objects.filter(pk=cadre.pk).update(phone="12812341234")

    cadre.refresh_from_db()
    assert cadre.phone == "13812341234"


def test_a_malformed_id_number_is_refused(work_unit):
    with refused_by("cadres_cadre_id_number_format"):
        CadreFactory(work_unit=work_unit, id_number="21122119900101123x")


def test_a_phone_is_unique(cadre, work_unit):
    with refused_by("cadres_cadre_phone_key"):
        Cadre.objects.bulk_create([Cadre(name="乙", phone=cadre.phone, work_unit=work_unit)])
