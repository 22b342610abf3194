"""Temporary branches (一个网格一支部, 成熟一个建立一个), front-line branches, building groups."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from cadres.choices import BranchKind, BranchStatus, PartyStanding, RegistrationStatus
from cadres.models import Branch, BranchMember, BuildingGroup
from cadres.services import (
    branch_add_members,
    branch_dissolve,
    branch_establish,
    branch_remove_member,
    branch_save,
    building_group_save,
)
from communities.choices import Role
from tests.factories import CadreFactory, GridFactory, RegistrationFactory, UserFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def confirmed_members(community, work_unit, count, standing=PartyStanding.FULL):
    return [
        RegistrationFactory(
            community=community,
            cadre__work_unit=work_unit,
            cadre__party_standing=standing,
            status=RegistrationStatus.CONFIRMED,
        ).cadre
        for _ in range(count)
    ]


@pytest.fixture
def grid_branch(secretary, community, grid):
    return branch_save(
        actor=secretary, branch=Branch(area=community, grid=grid, name="第一网格临时党支部")
    )


@pytest.fixture
def front_line_branch(county_staff, county):
    return branch_save(
        actor=county_staff,
        branch=Branch(area=county, kind=BranchKind.FRONT_LINE, name="县民政局一线临时党支部"),
    )


# One branch per grid, one community-wide branch per community


def test_a_secretary_sets_up_a_grid_branch_being_prepared(grid_branch, grid):
    assert grid_branch.kind == BranchKind.GRID
    assert grid_branch.status == BranchStatus.PREPARING
    assert grid_branch.grid == grid


def test_a_new_branch_always_starts_being_prepared(secretary, community):
    branch = branch_save(
        actor=secretary,
        branch=Branch(
            area=community,
            kind=BranchKind.COMMUNITY,
            name="社区临时党支部",
            status=BranchStatus.ESTABLISHED,
        ),
    )

    assert branch.status == BranchStatus.PREPARING


def test_a_grid_has_one_open_branch(secretary, community, grid, grid_branch):
    with pytest.raises(ValidationError) as caught:
        branch_save(actor=secretary, branch=Branch(area=community, grid=grid, name="第二个支部"))

    assert caught.value.message_dict == {"grid": ["This grid already has a branch."]}
    assert Branch.objects.count() == 1


def test_a_grid_whose_branch_was_dissolved_may_have_a_new_one(
    secretary, community, grid, grid_branch
):
    branch_dissolve(actor=secretary, branch=grid_branch)

    again = branch_save(actor=secretary, branch=Branch(area=community, grid=grid, name="重建支部"))

    assert again.status == BranchStatus.PREPARING


def test_a_community_has_one_community_wide_branch(secretary, community):
    branch_save(
        actor=secretary,
        branch=Branch(area=community, kind=BranchKind.COMMUNITY, name="社区临时党支部"),
    )

    with pytest.raises(ValidationError) as caught:
        branch_save(
            actor=secretary,
            branch=Branch(area=community, kind=BranchKind.COMMUNITY, name="另一个社区支部"),
        )

    assert caught.value.message_dict == {
        "area": ["This community already has a community-wide branch."]
    }


def test_a_grid_of_another_community_is_refused(secretary, community, other_community):
    with pytest.raises(ValidationError) as caught:
        branch_save(
            actor=secretary,
            branch=Branch(area=community, grid=GridFactory(community=other_community), name="错"),
        )

    assert caught.value.message_dict == {"grid": ["This grid belongs to another community."]}


# Establishing: at least three full Party members


def test_two_full_members_and_probationary_ones_are_not_enough(
    secretary, grid_branch, community, work_unit
):
    cadres = confirmed_members(community, work_unit, 2) + confirmed_members(
        community, work_unit, 3, standing=PartyStanding.PROBATIONARY
    )
    branch_add_members(actor=secretary, branch=grid_branch, cadres=cadres)

    with pytest.raises(ValidationError) as caught:
        branch_establish(actor=secretary, branch=grid_branch)

    assert caught.value.code == "too_few_members"
    assert caught.value.messages == [
        "A branch is established with at least 3 full Party members; 第一网格临时党支部 has 2."
    ]
    grid_branch.refresh_from_db()
    assert grid_branch.status == BranchStatus.PREPARING


def test_members_who_left_do_not_count(secretary, grid_branch, community, work_unit):
    cadres = confirmed_members(community, work_unit, 3)
    branch_add_members(actor=secretary, branch=grid_branch, cadres=cadres)
    branch_remove_member(actor=secretary, branch=grid_branch, cadre=cadres[0])

    with pytest.raises(ValidationError):
        branch_establish(actor=secretary, branch=grid_branch)


def test_three_full_members_establish_a_branch(secretary, grid_branch, community, work_unit):
    branch_add_members(
        actor=secretary, branch=grid_branch, cadres=confirmed_members(community, work_unit, 3)
    )

    branch_establish(actor=secretary, branch=grid_branch, on=datetime.date(2020, 2, 8))

    grid_branch.refresh_from_db()
    assert grid_branch.status == BranchStatus.ESTABLISHED
    assert grid_branch.established_on == datetime.date(2020, 2, 8)


def test_an_established_branch_is_not_established_again(
    secretary, grid_branch, community, work_unit
):
    branch_add_members(
        actor=secretary, branch=grid_branch, cadres=confirmed_members(community, work_unit, 3)
    )
    branch_establish(actor=secretary, branch=grid_branch)

    with pytest.raises(ValidationError) as caught:
        branch_establish(actor=secretary, branch=grid_branch)

    assert caught.value.code == "not_preparing"


def test_saving_a_branch_does_not_change_its_status(secretary, grid_branch):
    grid_branch.status = BranchStatus.ESTABLISHED
    grid_branch.name = "改名支部"

    branch_save(actor=secretary, branch=grid_branch)

    grid_branch.refresh_from_db()
    assert (grid_branch.name, grid_branch.status) == ("改名支部", BranchStatus.PREPARING)


# Dissolving


def test_dissolving_a_branch_ends_every_membership_and_keeps_them(
    secretary, grid_branch, community, work_unit
):
    branch_add_members(
        actor=secretary, branch=grid_branch, cadres=confirmed_members(community, work_unit, 3)
    )
    branch_establish(actor=secretary, branch=grid_branch)

    branch_dissolve(actor=secretary, branch=grid_branch, on=datetime.date(2020, 3, 31))

    grid_branch.refresh_from_db()
    assert grid_branch.status == BranchStatus.DISSOLVED
    assert grid_branch.dissolved_on == datetime.date(2020, 3, 31)
    assert set(grid_branch.members.values_list("left_on", flat=True)) == {
        datetime.date(2020, 3, 31)
    }
    assert grid_branch.members.count() == 3


def test_a_dissolved_branch_takes_no_members(secretary, grid_branch, community, work_unit):
    branch_dissolve(actor=secretary, branch=grid_branch)

    with pytest.raises(ValidationError) as caught:
        branch_add_members(
            actor=secretary, branch=grid_branch, cadres=confirmed_members(community, work_unit, 1)
        )

    assert caught.value.code == "dissolved"


# Members


def test_adding_a_member_twice_keeps_one_membership(secretary, grid_branch, community, work_unit):
    cadres = confirmed_members(community, work_unit, 1)

    branch_add_members(actor=secretary, branch=grid_branch, cadres=cadres)
    branch_add_members(actor=secretary, branch=grid_branch, cadres=cadres)

    assert grid_branch.members.count() == 1
    assert grid_branch.members.get().joined_on == timezone.localdate()


def test_a_pending_member_cannot_join(secretary, grid_branch, pending_registration):
    with pytest.raises(ValidationError) as caught:
        branch_add_members(actor=secretary, branch=grid_branch, cadres=[pending_registration.cadre])

    assert caught.value.message_dict == {
        "cadres": ["Not confirmed members of this community: 赵莹."]
    }
    assert not BranchMember.objects.exists()


def test_a_member_of_another_community_cannot_join(
    secretary, grid_branch, community, other_community, work_unit
):
    here = confirmed_members(community, work_unit, 1)
    there = confirmed_members(other_community, work_unit, 1)

    with pytest.raises(ValidationError) as caught:
        branch_add_members(actor=secretary, branch=grid_branch, cadres=here + there)

    assert there[0].name in caught.value.message_dict["cadres"][0]
    assert not BranchMember.objects.exists()


def test_a_front_line_branch_takes_cadres_registered_nowhere(
    county_staff, front_line_branch, work_unit
):
    cadres = [CadreFactory(work_unit=work_unit) for _ in range(3)]

    branch_add_members(actor=county_staff, branch=front_line_branch, cadres=cadres)
    branch_establish(actor=county_staff, branch=front_line_branch)

    front_line_branch.refresh_from_db()
    assert front_line_branch.status == BranchStatus.ESTABLISHED


def test_the_branch_secretary_must_be_a_member(secretary, grid_branch, community, work_unit):
    (outsider,) = confirmed_members(community, work_unit, 1)
    grid_branch.secretary = outsider

    with pytest.raises(ValidationError) as caught:
        branch_save(actor=secretary, branch=grid_branch)

    assert caught.value.message_dict == {
        "secretary": ["The branch secretary must be one of its members."]
    }
    grid_branch.refresh_from_db()
    assert grid_branch.secretary is None


def test_a_new_branch_cannot_name_a_secretary_who_is_not_yet_a_member(
    secretary, community, work_unit
):
    (outsider,) = confirmed_members(community, work_unit, 1)

    with pytest.raises(ValidationError) as caught:
        branch_save(
            actor=secretary,
            branch=Branch(
                area=community,
                kind=BranchKind.COMMUNITY,
                name="社区临时党支部",
                secretary=outsider,
            ),
        )

    assert list(caught.value.message_dict) == ["secretary"]
    assert not Branch.objects.exists()


def test_a_member_becomes_the_branch_secretary(secretary, grid_branch, community, work_unit):
    (member,) = confirmed_members(community, work_unit, 1)
    branch_add_members(actor=secretary, branch=grid_branch, cadres=[member])
    grid_branch.secretary = member

    branch_save(actor=secretary, branch=grid_branch)

    grid_branch.refresh_from_db()
    assert grid_branch.secretary == member


def test_the_secretary_leaving_the_branch_leaves_the_post_empty(
    secretary, grid_branch, community, work_unit
):
    (member,) = confirmed_members(community, work_unit, 1)
    branch_add_members(actor=secretary, branch=grid_branch, cadres=[member])
    grid_branch.secretary = member
    branch_save(actor=secretary, branch=grid_branch)

    branch_remove_member(actor=secretary, branch=grid_branch, cadre=member)

    grid_branch.refresh_from_db()
    assert grid_branch.secretary is None
    assert grid_branch.members.get().left_on == timezone.localdate()


# Who manages which branches


def test_county_staff_set_up_and_run_front_line_branches(
    county_staff, front_line_branch, work_unit
):
    cadre = CadreFactory(work_unit=work_unit)
    branch_add_members(actor=county_staff, branch=front_line_branch, cadres=[cadre])
    front_line_branch.secretary = cadre

    branch_save(actor=county_staff, branch=front_line_branch)

    assert front_line_branch.kind == BranchKind.FRONT_LINE
    assert front_line_branch.secretary == cadre


def test_county_staff_cannot_set_up_a_community_branch(county_staff, community, grid):
    with pytest.raises(PermissionDenied):
        branch_save(actor=county_staff, branch=Branch(area=community, grid=grid, name="网格支部"))

    assert not Branch.objects.exists()


def test_county_staff_cannot_run_a_community_branch(
    county_staff, grid_branch, community, work_unit
):
    with pytest.raises(PermissionDenied):
        branch_add_members(
            actor=county_staff,
            branch=grid_branch,
            cadres=confirmed_members(community, work_unit, 1),
        )
    with pytest.raises(PermissionDenied):
        branch_dissolve(actor=county_staff, branch=grid_branch)


def test_county_staff_of_another_county_cannot_set_up_a_front_line_branch(far_community, county):
    far_county = far_community.parent.parent
    far_staff = UserFactory(role=Role.COUNTY_STAFF, area=far_county)

    with pytest.raises(PermissionDenied):
        branch_save(
            actor=far_staff,
            branch=Branch(area=county, kind=BranchKind.FRONT_LINE, name="越界支部"),
        )


def test_a_secretary_cannot_set_up_a_front_line_branch(secretary, community):
    with pytest.raises(PermissionDenied):
        branch_save(
            actor=secretary,
            branch=Branch(area=community, kind=BranchKind.FRONT_LINE, name="一线支部"),
        )


def test_a_secretary_cannot_run_a_front_line_branch(secretary, front_line_branch, work_unit):
    with pytest.raises(PermissionDenied):
        branch_add_members(
            actor=secretary, branch=front_line_branch, cadres=[CadreFactory(work_unit=work_unit)]
        )
    with pytest.raises(PermissionDenied):
        branch_dissolve(actor=secretary, branch=front_line_branch)


def test_another_communitys_secretary_cannot_run_the_branch(other_secretary, grid_branch):
    with pytest.raises(PermissionDenied):
        branch_dissolve(actor=other_secretary, branch=grid_branch)

    grid_branch.refresh_from_db()
    assert grid_branch.status == BranchStatus.PREPARING


def test_a_secretary_cannot_set_up_a_branch_in_another_community(secretary, other_community):
    with pytest.raises(PermissionDenied):
        branch_save(
            actor=secretary,
            branch=Branch(area=other_community, kind=BranchKind.COMMUNITY, name="别人的支部"),
        )


# Building Party groups (一个楼栋一小组)


def test_a_building_has_one_party_group_with_a_confirmed_leader(
    secretary, building, confirmed_registration
):
    group = building_group_save(actor=secretary, building=building)
    again = building_group_save(
        actor=secretary, building=building, leader=confirmed_registration.cadre
    )

    assert again.pk == group.pk
    assert BuildingGroup.objects.get().leader == confirmed_registration.cadre


def test_a_building_groups_leader_must_be_confirmed_here(secretary, building, pending_registration):
    with pytest.raises(ValidationError) as caught:
        building_group_save(actor=secretary, building=building, leader=pending_registration.cadre)

    assert list(caught.value.message_dict) == ["leader"]
    assert not BuildingGroup.objects.exists()


def test_another_communitys_secretary_cannot_set_up_a_building_group(other_secretary, building):
    with pytest.raises(PermissionDenied):
        building_group_save(actor=other_secretary, building=building)
