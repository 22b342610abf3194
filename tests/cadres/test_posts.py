"""Posts: 片长, 楼长, 单元长 and the six duty roles, held by confirmed members only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cadres.choices import PostKind, RegistrationStatus
from cadres.models import Post
from cadres.services import post_assign, post_end
from tests.factories import BuildingFactory, GridFactory, RegistrationFactory, UnitFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def member(confirmed_registration):
    """孙守超, confirmed at 水木华园社区."""
    return confirmed_registration


@pytest.fixture
def second_member(community, work_unit):
    return RegistrationFactory(
        community=community,
        cadre__name="李玉平",
        cadre__work_unit=work_unit,
        status=RegistrationStatus.CONFIRMED,
    )


def test_a_confirmed_member_becomes_building_chief(secretary, member, building):
    post = post_assign(
        actor=secretary, registration=member, kind=PostKind.BUILDING_CHIEF, building=building
    )

    assert post.is_active
    assert (post.building, post.community, post.assigned_by) == (
        building,
        member.community,
        secretary,
    )


def test_a_pending_member_holds_no_post(secretary, pending_registration, building):
    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary,
            registration=pending_registration,
            kind=PostKind.BUILDING_CHIEF,
            building=building,
        )

    assert caught.value.code == "not_confirmed"
    assert not Post.objects.exists()


def test_a_returned_member_holds_no_post(secretary, cadre, community):
    returned = RegistrationFactory(
        cadre=cadre, community=community, status="returned", return_reason="不在本社区"
    )

    with pytest.raises(ValidationError):
        post_assign(actor=secretary, registration=returned, kind=PostKind.PUBLICIST)

    assert not Post.objects.exists()


def test_a_second_building_chief_is_refused_naming_the_holder(
    secretary, member, second_member, building
):
    post_assign(
        actor=secretary, registration=member, kind=PostKind.BUILDING_CHIEF, building=building
    )

    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary,
            registration=second_member,
            kind=PostKind.BUILDING_CHIEF,
            building=building,
        )

    assert caught.value.message_dict == {
        "building": ["一生活区 1号楼 already has a Building chief: 孙守超. End that post first."]
    }
    assert Post.objects.count() == 1


def test_a_second_unit_chief_is_refused_naming_the_holder(secretary, member, second_member, unit):
    post_assign(actor=secretary, registration=member, kind=PostKind.UNIT_CHIEF, unit=unit)

    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary, registration=second_member, kind=PostKind.UNIT_CHIEF, unit=unit
        )

    assert list(caught.value.message_dict) == ["unit"]
    assert "孙守超" in caught.value.message_dict["unit"][0]
    assert Post.objects.count() == 1


def test_a_second_zone_chief_of_an_estate_is_refused(secretary, member, second_member, estate):
    post_assign(actor=secretary, registration=member, kind=PostKind.ZONE_CHIEF, estate=estate)

    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary, registration=second_member, kind=PostKind.ZONE_CHIEF, estate=estate
        )

    assert list(caught.value.message_dict) == ["estate"]
    assert "孙守超" in caught.value.message_dict["estate"][0]


def test_a_second_zone_chief_of_a_grid_is_refused(secretary, member, second_member, grid):
    post_assign(actor=secretary, registration=member, kind=PostKind.ZONE_CHIEF, grid=grid)

    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary, registration=second_member, kind=PostKind.ZONE_CHIEF, grid=grid
        )

    assert list(caught.value.message_dict) == ["grid"]
    assert "孙守超" in caught.value.message_dict["grid"][0]


def test_a_zone_chief_is_over_an_estate_or_a_grid_not_both(secretary, member, estate, grid):
    with pytest.raises(ValidationError):
        post_assign(
            actor=secretary,
            registration=member,
            kind=PostKind.ZONE_CHIEF,
            estate=estate,
            grid=grid,
        )

    assert not Post.objects.exists()


def test_a_chief_needs_a_place(secretary, member):
    with pytest.raises(ValidationError) as caught:
        post_assign(actor=secretary, registration=member, kind=PostKind.BUILDING_CHIEF)

    assert caught.value.message_dict == {"building": ["Choose the place this chief is over."]}


def test_one_member_may_be_chief_of_two_buildings(secretary, member, building, estate):

    second = BuildingFactory(estate=estate, name="2号楼")

    for place in (building, second):
        post_assign(
            actor=secretary, registration=member, kind=PostKind.BUILDING_CHIEF, building=place
        )

    assert member.posts.active().count() == 2


def test_a_duty_role_is_held_once_per_registration(secretary, member):
    post_assign(actor=secretary, registration=member, kind=PostKind.PUBLICIST)

    with pytest.raises(ValidationError) as caught:
        post_assign(actor=secretary, registration=member, kind=PostKind.PUBLICIST)

    assert caught.value.message_dict == {"kind": ["This member already holds this duty role."]}
    assert Post.objects.count() == 1


def test_a_member_may_hold_all_six_duty_roles(secretary, member):
    duties = [
        PostKind.PUBLICIST,
        PostKind.PERSUADER,
        PostKind.FIGHTER,
        PostKind.SERVER,
        PostKind.SUPERVISOR,
        PostKind.SUPPORTER,
    ]
    for kind in duties:
        post_assign(actor=secretary, registration=member, kind=kind)

    assert set(member.posts.values_list("kind", flat=True)) == set(duties)


def test_two_members_may_hold_the_same_duty_role(secretary, member, second_member):
    for registration in (member, second_member):
        post_assign(actor=secretary, registration=registration, kind=PostKind.FIGHTER)

    assert Post.objects.filter(kind=PostKind.FIGHTER).count() == 2


def test_a_duty_role_names_no_place(secretary, member, building):
    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary, registration=member, kind=PostKind.PUBLICIST, building=building
        )

    assert "kind" in caught.value.message_dict
    assert not Post.objects.exists()


def test_ending_a_post_frees_the_place_and_keeps_the_history(
    secretary, member, second_member, building
):
    first = post_assign(
        actor=secretary, registration=member, kind=PostKind.BUILDING_CHIEF, building=building
    )

    post_end(actor=secretary, post=first)
    successor = post_assign(
        actor=secretary,
        registration=second_member,
        kind=PostKind.BUILDING_CHIEF,
        building=building,
    )

    first.refresh_from_db()
    assert first.ended_at is not None
    assert successor.is_active
    assert Post.objects.filter(building=building).count() == 2


def test_ending_an_ended_post_changes_nothing(secretary, member):
    post = post_assign(actor=secretary, registration=member, kind=PostKind.SERVER)
    post_end(actor=secretary, post=post)
    post.refresh_from_db()
    ended_at = post.ended_at

    post_end(actor=secretary, post=post)

    post.refresh_from_db()
    assert post.ended_at == ended_at


def test_a_duty_role_ended_may_be_given_again(secretary, member):
    post = post_assign(actor=secretary, registration=member, kind=PostKind.SERVER)
    post_end(actor=secretary, post=post)

    again = post_assign(actor=secretary, registration=member, kind=PostKind.SERVER)

    assert again.is_active


def test_a_unit_chief_gets_the_units_building_filled_in(secretary, member, unit, building):
    post = post_assign(actor=secretary, registration=member, kind=PostKind.UNIT_CHIEF, unit=unit)

    post.refresh_from_db()
    assert post.unit == unit
    assert post.building == building


def test_a_unit_chief_and_the_building_chief_are_different_places(
    secretary, member, second_member, unit, building
):
    post_assign(actor=secretary, registration=member, kind=PostKind.UNIT_CHIEF, unit=unit)

    chief = post_assign(
        actor=secretary,
        registration=second_member,
        kind=PostKind.BUILDING_CHIEF,
        building=building,
    )

    assert chief.is_active


def test_a_unit_chief_naming_a_unit_of_another_building_is_a_field_error(
    secretary, member, unit, estate
):
    second_building = BuildingFactory(estate=estate, name="2号楼")

    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary,
            registration=member,
            kind=PostKind.UNIT_CHIEF,
            building=second_building,
            unit=unit,
        )

    assert caught.value.message_dict == {"unit": ["This unit belongs to another building."]}
    assert not Post.objects.exists()


def test_a_building_of_another_community_is_refused(secretary, member, other_building):
    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary,
            registration=member,
            kind=PostKind.BUILDING_CHIEF,
            building=other_building,
        )

    assert caught.value.message_dict == {"building": ["This place belongs to another community."]}
    assert not Post.objects.exists()


def test_a_unit_of_another_community_is_refused(secretary, member, other_building):
    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary,
            registration=member,
            kind=PostKind.UNIT_CHIEF,
            unit=UnitFactory(building=other_building),
        )

    assert "building" in caught.value.message_dict
    assert not Post.objects.exists()


def test_a_grid_of_another_community_is_refused(secretary, member, other_community):

    with pytest.raises(ValidationError) as caught:
        post_assign(
            actor=secretary,
            registration=member,
            kind=PostKind.ZONE_CHIEF,
            grid=GridFactory(community=other_community),
        )

    assert caught.value.message_dict == {"grid": ["This place belongs to another community."]}


def test_another_communitys_secretary_cannot_assign_a_post(other_secretary, member, building):
    with pytest.raises(PermissionDenied):
        post_assign(
            actor=other_secretary,
            registration=member,
            kind=PostKind.BUILDING_CHIEF,
            building=building,
        )

    assert not Post.objects.exists()


def test_another_communitys_secretary_cannot_end_a_post(secretary, other_secretary, member):
    post = post_assign(actor=secretary, registration=member, kind=PostKind.SERVER)

    with pytest.raises(PermissionDenied):
        post_end(actor=other_secretary, post=post)

    post.refresh_from_db()
    assert post.is_active


def test_county_staff_do_not_assign_posts(county_staff, member):
    with pytest.raises(PermissionDenied):
        post_assign(actor=county_staff, registration=member, kind=PostKind.SERVER)
