"""The cadres admin: every model's pages work, saves go through the services (so their rules
hold here too, shown on the form or as a message, never a 500, with nothing saved),
registrations are decided by actions, history is never deleted, and phones are masked in lists
for those who may not see them."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from cadres import services
from cadres.choices import BranchKind, BranchStatus, PostKind, RegistrationStatus
from cadres.models import Branch, BuildingGroup, Cadre, Post, Registration, WorkUnit
from communities.models import Building
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

MODELS = [WorkUnit, Cadre, Registration, Post, Branch, BuildingGroup]
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(model, action, *args):
    return reverse(f"admin:cadres_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def rows(
    admin_user, community, building, unit, work_unit, pending_registration, confirmed_registration
):
    member = confirmed_registration.cadre
    post = services.post_assign(
        actor=admin_user,
        registration=confirmed_registration,
        kind=PostKind.BUILDING_CHIEF,
        building=building,
    )
    branch = services.branch_save(
        actor=admin_user,
        branch=Branch(area=community, kind=BranchKind.COMMUNITY, name="第一临时党支部"),
    )
    services.branch_add_members(actor=admin_user, branch=branch, cadres=[member])
    group = services.building_group_save(actor=admin_user, building=building, leader=member)
    return {
        WorkUnit: work_unit,
        Cadre: pending_registration.cadre,
        Registration: pending_registration,
        Post: post,
        Branch: branch,
        BuildingGroup: group,
    }


def staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_list_search_add_and_change_pages(client_for, admin_user, rows, model):
    client = client_for(admin_user)

    assert model in admin.site._registry
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "changelist"), {"q": "zy"}).status_code == 200
    assert client.get(url(model, "changelist"), {"q": "1381234"}).status_code == 200
    assert client.get(url(model, "add")).status_code == 200
    assert client.get(url(model, "change", rows[model].pk)).status_code == 200


def test_searching_cadres_by_pinyin_initials_finds_them(client_for, admin_user, rows):
    response = client_for(admin_user).get(url(Cadre, "changelist"), {"q": "zy"})

    assert "赵莹" in response.content.decode()
    assert "孙守超" not in response.content.decode()


def test_a_post_for_a_member_not_yet_confirmed_is_refused_on_the_form(
    client_for, admin_user, pending_registration, building
):
    response = client_for(admin_user).post(
        url(Post, "add"),
        {
            "registration": pending_registration.pk,
            "kind": "building_chief",
            "building": building.pk,
        },
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "Only confirmed members hold posts" in response.content.decode()
    assert not Post.objects.exists()


def test_a_post_made_in_the_admin_is_assigned_through_the_service(
    client_for, admin_user, confirmed_registration, unit
):
    response = client_for(admin_user).post(
        url(Post, "add"),
        {"registration": confirmed_registration.pk, "kind": "unit_chief", "unit": unit.pk},
    )

    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.unit, post.building, post.assigned_by) == (unit, unit.building, admin_user)


def test_a_building_group_leader_from_outside_the_community_is_refused(
    client_for, admin_user, building, pending_registration
):
    response = client_for(admin_user).post(
        url(BuildingGroup, "add"),
        {"building": building.pk, "leader": pending_registration.cadre.pk},
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "must be a confirmed member of this community" in response.content.decode()
    assert not BuildingGroup.objects.exists()


def test_a_wrong_id_number_is_refused_and_the_cadre_unchanged(client_for, admin_user, cadre):
    response = client_for(admin_user).post(
        url(Cadre, "change", cadre.pk),
        {
            "name": "赵莹",
            "gender": "female",
            "phone": cadre.phone,
            "id_number": "211221199001011230",
            "work_unit": cadre.work_unit_id,
            "party_standing": "full",
            "registrations-TOTAL_FORMS": 0,
            "registrations-INITIAL_FORMS": 0,
        },
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "check digit is wrong" in response.content.decode()
    cadre.refresh_from_db()
    assert cadre.id_number is None and cadre.gender == ""


def test_a_new_branch_gets_its_members_and_secretary_from_the_form(
    client_for, admin_user, community, confirmed_registration
):
    member = confirmed_registration.cadre
    response = client_for(admin_user).post(
        url(Branch, "add"),
        {
            "area": community.pk,
            "kind": BranchKind.COMMUNITY,
            "name": "第一临时党支部",
            "secretary": member.pk,
            "add_members": [member.pk],
            "members-TOTAL_FORMS": 0,
            "members-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    branch = Branch.objects.get()
    assert branch.secretary == member and branch.status == BranchStatus.PREPARING
    assert list(branch.members.values_list("cadre", flat=True)) == [member.pk]


def test_establishing_a_branch_with_too_few_full_members_is_refused(client_for, admin_user, rows):
    branch = rows[Branch]
    response = client_for(admin_user).post(
        url(Branch, "changelist"),
        {"action": "establish_selected", "_selected_action": [branch.pk], "index": 0},
        follow=True,
        **ENGLISH,
    )

    assert "at least 3 full Party members" in response.content.decode()
    branch.refresh_from_db()
    assert branch.status == BranchStatus.PREPARING


def test_confirm_action_confirms_the_selected_registrations(
    client_for, admin_user, pending_registration
):
    response = client_for(admin_user).post(
        url(Registration, "changelist"),
        {"action": "confirm_selected", "_selected_action": [pending_registration.pk], "index": 0},
        follow=True,
        **ENGLISH,
    )

    assert "1 registration confirmed." in response.content.decode()
    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.CONFIRMED
    assert pending_registration.decided_by == admin_user


def test_return_action_without_a_reason_changes_nothing(
    client_for, admin_user, pending_registration
):
    response = client_for(admin_user).post(
        url(Registration, "changelist"),
        {"action": "return_selected", "_selected_action": [pending_registration.pk], "index": 0},
        follow=True,
        **ENGLISH,
    )

    assert "Say why the registration is returned." in response.content.decode()
    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.PENDING


def test_return_action_returns_with_the_reason_given(client_for, admin_user, pending_registration):
    client_for(admin_user).post(
        url(Registration, "changelist"),
        {
            "action": "return_selected",
            "_selected_action": [pending_registration.pk],
            "index": 0,
            "reason": "不在本社区居住",
        },
    )

    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.RETURNED
    assert pending_registration.return_reason == "不在本社区居住"


@pytest.mark.parametrize("model", [Registration, Post], ids=lambda m: m.__name__)
def test_history_is_never_deleted_in_the_admin(client_for, admin_user, rows, model):
    client = client_for(admin_user)

    assert "delete_selected" not in client.get(url(model, "changelist")).content.decode()
    assert url(model, "delete", rows[model].pk) not in (
        client.get(url(model, "change", rows[model].pk)).content.decode()
    )
    assert client.post(url(model, "delete", rows[model].pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=rows[model].pk).exists()


def test_phones_are_masked_in_lists_except_for_superusers_and_county_staff(
    client_for, admin_user, county_staff, township_staff, pending_registration
):
    full, masked = "13812341234", "138****1234"
    for user, shown, hidden in [
        (admin_user, full, masked),
        (staff(county_staff, "view_cadre"), full, masked),
        (staff(township_staff, "view_cadre"), masked, full),
    ]:
        page = client_for(user).get(url(Cadre, "changelist")).content.decode()
        assert shown in page and hidden not in page, user.username


def test_a_secretary_sees_the_full_phone_of_their_own_communitys_registrations_only(
    client_for, secretary, other_secretary, pending_registration
):
    full, masked = "13812341234", "138****1234"
    own = client_for(staff(secretary, "view_registration")).get(url(Registration, "changelist"))
    assert full in own.content.decode()

    other = client_for(staff(other_secretary, "view_registration"))
    page = other.get(url(Registration, "changelist")).content.decode()
    assert full not in page and masked not in page  # not even listed: out of scope


def registration_form(registration, **changes):
    return {
        "cadre": registration.cadre_id,
        "community": registration.community_id,
        "building": registration.building_id or "",
        "unit": registration.unit_id or "",
        "room": registration.room,
        "channel": registration.channel,
        "commitment_signed_on": "",
        "pioneer_post": "",
        **changes,
    }


def test_registering_a_member_twice_in_the_admin_is_refused_and_nothing_is_added(
    client_for, admin_user, pending_registration
):
    response = client_for(admin_user).post(
        url(Registration, "add"), registration_form(pending_registration), **ENGLISH
    )

    assert response.status_code == 200
    assert "赵莹 already registered with 水木华园社区" in response.content.decode()
    assert list(Registration.objects.all()) == [pending_registration]


def test_staff_outside_the_community_see_the_refusal_and_the_registration_is_unchanged(
    client_for, township_staff, pending_registration
):
    client = client_for(staff(township_staff, "view_registration", "change_registration"))

    response = client.post(
        url(Registration, "change", pending_registration.pk),
        registration_form(pending_registration, room="1201"),
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "You may only change registrations of your own community." in response.content.decode()
    pending_registration.refresh_from_db()
    assert pending_registration.room == ""


def test_moving_a_building_members_registered_in_to_another_community_is_refused(
    client_for, admin_user, pending_registration, building, other_community
):
    # A registration holds its building in its community by a foreign key checked at commit;
    # the communities admin checks it before saving, through the same base as this admin.
    response = client_for(admin_user).post(
        reverse("admin:communities_building_change", args=[building.pk]),
        {
            "community": other_community.pk,
            "estate": "",
            "name": building.name,
            "units-TOTAL_FORMS": 0,
            "units-INITIAL_FORMS": 0,
        },
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "Other records depend on this as it was" in response.content.decode()
    assert Building.objects.get(pk=building.pk).community_id == pending_registration.community_id


def test_an_action_refused_for_one_branch_changes_none_of_them(client_for, admin_user, community):
    ready, unready = (
        services.branch_save(
            actor=admin_user, branch=Branch(area=community, kind=BranchKind.FRONT_LINE, name=name)
        )
        for name in ("1号一线党支部", "2号一线党支部")
    )
    services.branch_add_members(
        actor=admin_user, branch=ready, cadres=[CadreFactory() for _ in range(3)]
    )

    response = client_for(admin_user).post(
        url(Branch, "changelist"),
        {"action": "establish_selected", "_selected_action": [ready.pk, unready.pk], "index": 0},
        follow=True,
        **ENGLISH,
    )

    page = response.content.decode()
    assert "2号一线党支部 has 0" in page
    assert "established." not in page
    assert set(Branch.objects.values_list("status", flat=True)) == {BranchStatus.PREPARING}
