"""Who sees which cadres, registrations, posts, branches and work units (`visible_to`), and who
may change registrations (`editable_by`), for every role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cadres.choices import BranchKind, PostKind, RegistrationStatus
from cadres.models import Branch, Cadre, Post, Registration, WorkUnit
from communities.choices import Role
from communities.models import Area, Building, Unit
from tests.factories import (
    BranchFactory,
    CadreFactory,
    PostFactory,
    RegistrationFactory,
    UserFactory,
    WorkUnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(community, other_community, far_community, county, work_unit, building, grid):
    """Cadres of 县民政局 (this county) and of a unit of another county, living here and there.

    - 赵莹 (县民政局) is confirmed at 水木华园社区, 楼长 of 1号楼, in its grid branch;
    - 董诗琪 (县民政局) is pending at 天嘉苑社区, the township's other community;
    - 李玉平 (县民政局) lives in another county, confirmed at 二工村社区;
    - 孙守超 (县民政局) has registered nowhere yet;
    - 王艳秋 works in the other county and lives at 水木华园社区;
    - 李潇潇 works and lives in the other county.
    """
    far_county = far_community.parent.parent
    far_unit = WorkUnitFactory(county=far_county, name="北票市民政局")

    def registered(name, unit, place, **kwargs):
        cadre = CadreFactory(name=name, work_unit=unit)
        return RegistrationFactory(cadre=cadre, community=place, **kwargs)

    zhao = registered("赵莹", work_unit, community, status=RegistrationStatus.CONFIRMED)
    dong = registered("董诗琪", work_unit, other_community)
    li = registered("李玉平", work_unit, far_community, status=RegistrationStatus.CONFIRMED)
    wang = registered("王艳秋", far_unit, community)
    xiao = registered("李潇潇", far_unit, far_community, status=RegistrationStatus.CONFIRMED)
    CadreFactory(name="孙守超", work_unit=work_unit)
    PostFactory(registration=zhao, kind=PostKind.BUILDING_CHIEF, building=building)
    PostFactory(registration=li, kind=PostKind.PUBLICIST)
    PostFactory(registration=xiao, kind=PostKind.FIGHTER)
    BranchFactory(area=community, kind=BranchKind.GRID, grid=grid, name="第一网格支部")
    BranchFactory(area=other_community, kind=BranchKind.COMMUNITY, name="天嘉苑支部")
    BranchFactory(area=far_community, kind=BranchKind.COMMUNITY, name="二工村支部")
    BranchFactory(area=county, kind=BranchKind.FRONT_LINE, name="一线支部")
    return {"registrations": [zhao, dong, li, wang, xiao], "far_unit": far_unit}


def cadres(user) -> set[str]:
    return set(Cadre.objects.visible_to(user).values_list("name", flat=True))


def registrations(user) -> set[str]:
    return set(Registration.objects.visible_to(user).values_list("cadre__name", flat=True))


def posts(user) -> set[str]:
    return set(Post.objects.visible_to(user).values_list("registration__cadre__name", flat=True))


def branches(user) -> set[str]:
    return set(Branch.objects.visible_to(user).values_list("name", flat=True))


def work_units(user) -> set[str]:
    return set(WorkUnit.objects.visible_to(user).values_list("name", flat=True))


def editable_registrations(user) -> set[str]:
    return set(Registration.objects.editable_by(user).values_list("cadre__name", flat=True))


EVERY_CADRE = {"赵莹", "董诗琪", "李玉平", "孙守超", "王艳秋", "李潇潇"}


# Community secretaries


def test_a_secretary_sees_the_members_registered_with_their_community(world, secretary):
    assert cadres(secretary) == {"赵莹", "王艳秋"}
    assert registrations(secretary) == {"赵莹", "王艳秋"}
    assert posts(secretary) == {"赵莹"}
    assert branches(secretary) == {"第一网格支部"}


def test_a_secretary_sees_the_work_units_of_their_county(world, secretary):
    assert work_units(secretary) == {"县民政局"}


def test_another_communitys_secretary_sees_none_of_this_communitys_members(world, other_secretary):
    assert cadres(other_secretary) == {"董诗琪"}
    assert registrations(other_secretary) == {"董诗琪"}
    assert posts(other_secretary) == set()
    assert branches(other_secretary) == {"天嘉苑支部"}


def test_a_secretary_keeps_seeing_a_member_whose_registration_was_returned(world, secretary):
    wang = world["registrations"][3]
    Registration.objects.filter(pk=wang.pk).update(
        status=RegistrationStatus.RETURNED, return_reason="不在本社区居住"
    )

    assert "王艳秋" in cadres(secretary)
    assert "王艳秋" in registrations(secretary)


# Township and county staff


def test_township_staff_see_every_community_of_their_township(world, township_staff):
    assert cadres(township_staff) == {"赵莹", "董诗琪", "王艳秋"}
    assert registrations(township_staff) == {"赵莹", "董诗琪", "王艳秋"}
    assert posts(township_staff) == {"赵莹"}
    assert branches(township_staff) == {"第一网格支部", "天嘉苑支部"}
    assert work_units(township_staff) == {"县民政局"}


def test_county_staff_see_the_county_and_their_units_cadres_registered_elsewhere(
    world, county_staff
):
    assert cadres(county_staff) == {"赵莹", "董诗琪", "李玉平", "孙守超", "王艳秋"}
    assert work_units(county_staff) == {"县民政局"}
    assert branches(county_staff) == {"第一网格支部", "天嘉苑支部", "一线支部"}


def test_county_staff_see_registrations_and_posts_made_in_their_county_only(world, county_staff):
    assert registrations(county_staff) == {"赵莹", "董诗琪", "王艳秋"}
    assert posts(county_staff) == {"赵莹"}


# Work unit staff: their own units' cadres, nothing about places


def test_unit_staff_see_their_units_cadres_wherever_they_live(world, unit_staff):
    assert cadres(unit_staff) == {"赵莹", "董诗琪", "李玉平", "孙守超"}
    assert registrations(unit_staff) == {"赵莹", "董诗琪", "李玉平"}
    assert posts(unit_staff) == {"赵莹", "李玉平"}
    assert work_units(unit_staff) == {"县民政局"}


def test_unit_staff_see_no_areas_buildings_or_branches(world, unit_staff):
    assert not Area.objects.visible_to(unit_staff).exists()
    assert not Building.objects.visible_to(unit_staff).exists()
    assert not Unit.objects.visible_to(unit_staff).exists()
    assert branches(unit_staff) == set()


def test_unit_staff_of_no_unit_see_nothing(world):
    lonely = UserFactory(role=Role.UNIT_STAFF, area=None)

    assert cadres(lonely) == set()
    assert registrations(lonely) == set()
    assert work_units(lonely) == set()


# Supervision team members: scoped like any account bound to an area


def test_a_team_member_sees_what_their_township_holds(world, team_member):
    assert cadres(team_member) == {"赵莹", "董诗琪", "王艳秋"}
    assert registrations(team_member) == {"赵莹", "董诗琪", "王艳秋"}
    assert posts(team_member) == {"赵莹"}
    assert branches(team_member) == {"第一网格支部", "天嘉苑支部"}
    assert work_units(team_member) == {"县民政局"}


def test_a_team_member_bound_to_no_area_sees_nothing(world):
    unbound = UserFactory(role=Role.TEAM_MEMBER, area=None)

    assert cadres(unbound) == set()
    assert registrations(unbound) == set()
    assert work_units(unbound) == set()


# Administrators and anonymous visitors


def test_administrators_see_everything(world, admin_user):
    assert cadres(admin_user) == EVERY_CADRE
    assert registrations(admin_user) == EVERY_CADRE - {"孙守超"}
    assert posts(admin_user) == {"赵莹", "李玉平", "李潇潇"}
    assert branches(admin_user) == {"第一网格支部", "天嘉苑支部", "二工村支部", "一线支部"}
    assert work_units(admin_user) == {"县民政局", "北票市民政局"}


def test_anonymous_visitors_see_nothing(world):
    anonymous = AnonymousUser()

    assert cadres(anonymous) == set()
    assert registrations(anonymous) == set()
    assert posts(anonymous) == set()
    assert branches(anonymous) == set()
    assert work_units(anonymous) == set()


def test_a_deactivated_secretary_sees_nothing(world, secretary):
    secretary.is_active = False

    assert cadres(secretary) == set()
    assert registrations(secretary) == set()


# Who may change registrations


def test_a_secretary_may_change_their_own_communitys_registrations_only(
    world, secretary, other_secretary
):
    assert editable_registrations(secretary) == {"赵莹", "王艳秋"}
    assert editable_registrations(other_secretary) == {"董诗琪"}


def test_township_county_unit_and_team_accounts_change_no_registration(
    world, township_staff, county_staff, unit_staff, team_member
):
    for user in (township_staff, county_staff, unit_staff, team_member):
        assert editable_registrations(user) == set(), user


def test_a_secretary_may_change_the_details_of_members_registered_here_only(
    world, secretary, other_secretary
):
    assert set(Cadre.objects.editable_by(secretary).values_list("name", flat=True)) == {
        "赵莹",
        "王艳秋",
    }
    assert set(Cadre.objects.editable_by(other_secretary).values_list("name", flat=True)) == {
        "董诗琪"
    }


def test_a_returned_registration_gives_the_secretary_no_say_over_the_member(world, secretary):
    wang = world["registrations"][3]
    Registration.objects.filter(pk=wang.pk).update(
        status=RegistrationStatus.RETURNED, return_reason="不在本社区居住"
    )

    assert not Cadre.objects.editable_by(secretary).filter(name="王艳秋").exists()


def test_county_staff_may_change_their_countys_cadres(world, county_staff):
    assert set(Cadre.objects.editable_by(county_staff).values_list("name", flat=True)) == {
        "赵莹",
        "董诗琪",
        "李玉平",
        "孙守超",
    }


def test_administrators_may_change_every_registration(world, admin_user):
    assert editable_registrations(admin_user) == EVERY_CADRE - {"孙守超"}


def test_anonymous_visitors_change_nothing(world):
    assert editable_registrations(AnonymousUser()) == set()
