"""`seed_demo` fills the cadres app: work units, about forty members per demo community in every
state, posts with gaps, branches, and a work unit's account; a second run adds nothing.

The demo is loaded once for this module (it takes seconds) and the database is emptied after.
"""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from cadres.choices import BranchStatus, PartyStanding, PostKind, RegistrationStatus
from cadres.models import Branch, BranchMember, BuildingGroup, Cadre, Post, Registration, WorkUnit
from cadres.selectors import work_units_with_counts
from cadres.validators import validate_id_number, validate_mobile
from communities.choices import AreaLevel
from communities.models import Area, Unit, User
from tests.conftest import authenticate

PASSWORD = "demo-pass-7"
MODELS = [WorkUnit, Cadre, Registration, Post, Branch, BranchMember, BuildingGroup, User]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", password=PASSWORD, stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def demo_communities():
    counties = Area.objects.filter(level=AreaLevel.COUNTY, name__in=["铁岭县", "北票市"])
    return Area.objects.communities().filter(
        Q(path__startswith=counties[0].path) | Q(path__startswith=counties[1].path)
    )


def snapshot():
    statuses = Registration.objects.values_list("status").annotate(n=Count("id")).order_by()
    return {model.__name__: model.objects.count() for model in MODELS} | dict(statuses)


def test_running_it_again_adds_and_changes_nothing():
    before = snapshot()

    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())

    assert snapshot() == before
    assert before["Cadre"] >= 400


def test_zhao_ying_of_civil_affairs_is_zone_chief_of_zone_ten_of_guantai_xinyuan():
    post = Post.objects.active().get(kind=PostKind.ZONE_CHIEF, estate__name="十区")

    assert post.community.name == "官台新苑社区"
    assert post.registration.cadre.name == "赵莹"
    assert post.registration.cadre.work_unit.name == "县民政局"
    assert post.registration.status == RegistrationStatus.CONFIRMED


def test_shuimu_huayuan_has_an_established_branch_with_its_members_and_one_preparing():
    branches = Branch.objects.filter(area__name="水木华园社区")
    established = branches.get(status=BranchStatus.ESTABLISHED)
    members = established.members.current()

    full = members.filter(cadre__party_standing=PartyStanding.FULL)
    assert full.count() >= 3
    assert {"李敬中", "徐静", "刘杨"} <= set(members.values_list("cadre__name", flat=True))
    assert members.filter(cadre=established.secretary).exists()
    assert established.established_on is not None
    assert branches.filter(status=BranchStatus.PREPARING).exists()


def test_every_demo_community_has_about_forty_members_pending_confirmed_and_gaps():
    communities = list(demo_communities())
    assert len(communities) == 10

    for community in communities:
        registrations = Registration.objects.filter(community=community)
        statuses = set(registrations.values_list("status", flat=True))
        assert 38 <= registrations.values("cadre").distinct().count() <= 45, community
        assert {RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED} <= statuses, community
        chiefs = Post.objects.active().filter(kind=PostKind.UNIT_CHIEF, community=community)
        units = Unit.objects.filter(building__community=community)
        assert chiefs.exists(), community
        assert units.exclude(posts__in=chiefs).exists(), community


def test_registrations_come_in_every_state_a_secretary_meets():
    returned = Registration.objects.filter(status=RegistrationStatus.RETURNED)
    request = Registration.objects.get(status=RegistrationStatus.TRANSFER_REQUESTED)
    gone = Registration.objects.get(status=RegistrationStatus.TRANSFERRED)
    moved = gone.transfers.get()

    assert returned.exists() and not returned.filter(return_reason="").exists()
    assert request.transferred_from.status == RegistrationStatus.CONFIRMED
    assert moved.status == RegistrationStatus.CONFIRMED and moved.cadre == gone.cadre
    assert gone.ended_at and not gone.posts.active().exists() and gone.posts.exists()
    assert len(set(Registration.objects.values_list("channel", flat=True))) >= 5
    assert Registration.objects.exclude(commitment_signed_on=None).exists()
    assert Registration.objects.exclude(pioneer_post="").exists()
    assert Post.objects.active().filter(kind=PostKind.PUBLICIST).exists()


def test_decisions_are_made_by_the_communitys_own_secretary_where_it_has_one():
    decided = Registration.objects.exclude(decided_by=None)

    shuimu = set(decided.filter(community__name="水木华园社区").values_list("decided_by__username"))
    guantai = set(
        decided.filter(community__name="官台新苑社区").values_list("decided_by__username")
    )
    assert shuimu == {("secretary",)}
    assert guantai == {("admin",)}


def test_phones_and_id_numbers_are_valid_and_unique():
    phones = list(Cadre.objects.values_list("phone", flat=True))
    id_numbers = list(Cadre.objects.exclude(id_number=None).values_list("id_number", flat=True))

    for phone in phones:
        validate_mobile(phone)
    for id_number in id_numbers:
        validate_id_number(id_number)
    assert len(id_numbers) >= 40
    assert len(set(phones)) == len(phones)


def test_work_units_of_the_source_lie_under_the_county_organs():
    civil_affairs = WorkUnit.objects.get(name="县民政局")

    assert civil_affairs.parent.name == "县直机关"
    assert civil_affairs.county.name == "铁岭县"
    assert {
        "县人社中心",
        "县农业农村局",
        "县公安局",
        "县委统战部",
        "县纪委监委",
        "县委组织部",
    } <= set(civil_affairs.parent.children.values_list("name", flat=True))


def test_a_building_party_group_has_a_confirmed_leader():
    group = BuildingGroup.objects.filter(community__name="水木华园社区").get()

    assert Registration.objects.filter(
        cadre=group.leader, community=group.community, status=RegistrationStatus.CONFIRMED
    ).exists()


def test_the_unit_account_sees_only_its_own_units_cadres(demo):
    unit = authenticate(username="unit", password=PASSWORD)

    visible = Cadre.objects.visible_to(unit)
    assert visible.exists()
    assert set(visible.values_list("work_unit__name", flat=True)) == {"县民政局"}
    assert visible.count() == Cadre.objects.filter(work_unit__name="县民政局").count()
    assert "unit" in demo and "县民政局" in demo


def test_each_work_unit_has_cadres_on_its_roster_who_have_not_registered_yet():
    organs = WorkUnit.objects.filter(county__name="铁岭县", parent__isnull=False)
    counts = {unit.name: unit.unregistered_count for unit in work_units_with_counts(organs)}
    assert counts["县民政局"] >= 1
    assert all(count >= 1 for count in counts.values())
