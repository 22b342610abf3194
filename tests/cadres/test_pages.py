"""The browser pages of the cadres app: who sees what, and what the secretary does there."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadres.choices import PostKind, RegistrationStatus
from cadres.forms import self_service_stamp
from cadres.models import Post, Registration
from cadres.views.self_service import community_token
from tests.factories import BranchFactory, CadreFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_pages_need_login(client, community, pending_registration):
    for url in [
        reverse("cadres:workbench"),
        reverse("cadres:registration-detail", args=[pending_registration.pk]),
        reverse("cadres:community-gaps", args=[community.pk]),
        reverse("cadres:community-qr", args=[community.pk]),
        reverse("cadres:cadre-detail", args=[pending_registration.cadre_id]),
        reverse("cadres:work-units"),
        reverse("cadres:branches"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_workbench_lists_pending_first_with_full_phone_for_own_secretary(
    client_for, secretary, pending_registration, confirmed_registration
):
    response = client_for(secretary).get(reverse("cadres:workbench"))
    assert response.status_code == 200
    rows = list(response.context["registrations"])
    assert rows == [pending_registration, confirmed_registration]
    assert "13812341234" in response.content.decode()


def test_workbench_masks_phone_for_township_staff(client_for, township_staff, pending_registration):
    body = client_for(township_staff).get(reverse("cadres:workbench")).content.decode()
    assert "138****1234" in body
    assert "13812341234" not in body


def test_other_secretary_sees_nothing_of_this_community(
    client_for, other_secretary, pending_registration, community
):
    client = client_for(other_secretary)
    assert list(client.get(reverse("cadres:workbench")).context["registrations"]) == []
    for url in [
        reverse("cadres:registration-detail", args=[pending_registration.pk]),
        reverse("cadres:community-gaps", args=[community.pk]),
        reverse("cadres:community-qr", args=[community.pk]),
        reverse("cadres:cadre-detail", args=[pending_registration.cadre_id]),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("cadres:registration-confirm", args=[pending_registration.pk]))
    assert response.status_code == 404
    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.PENDING


def test_bulk_confirm_confirms_every_ticked_registration(client_for, secretary, community):
    registrations = RegistrationFactory.create_batch(3, community=community)
    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {"ids": [r.pk for r in registrations], "action": "confirm"},
        follow=True,
    )
    assert response.status_code == 200
    assert set(Registration.objects.values_list("status", flat=True)) == {"confirmed"}


def test_bulk_return_without_reason_changes_nothing(client_for, secretary, pending_registration):
    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {"ids": [pending_registration.pk], "action": "return", "reason": " "},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]]
    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.PENDING


def test_bulk_with_an_out_of_scope_id_is_404_and_changes_nothing(
    client_for, secretary, pending_registration, other_community
):
    foreign = RegistrationFactory(community=other_community)
    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {"ids": [pending_registration.pk, foreign.pk], "action": "confirm"},
    )
    assert response.status_code == 404
    assert not Registration.objects.filter(status="confirmed").exists()


def test_secretary_makes_a_member_building_chief_and_the_gap_shrinks(
    client_for, secretary, confirmed_registration, building, community
):
    client = client_for(secretary)
    gaps = client.get(reverse("cadres:community-gaps", args=[community.pk])).context["gaps"]
    assert gaps.covered_building_count == 0
    response = client.post(
        reverse("cadres:post-assign", args=[confirmed_registration.pk]),
        {"kind": PostKind.BUILDING_CHIEF, "place": f"building:{building.pk}"},
    )
    assert response.status_code == 302
    gaps = client.get(reverse("cadres:community-gaps", args=[community.pk])).context["gaps"]
    assert gaps.covered_building_count == 1
    assert gaps.buildings[0].building.chief_name == "孙守超"


def test_assigning_a_taken_building_shows_the_holder(
    client_for, secretary, confirmed_registration, building, community, work_unit
):
    Post.objects.create(
        registration=confirmed_registration,
        community=community,
        kind=PostKind.BUILDING_CHIEF,
        building=building,
    )
    other = RegistrationFactory(
        community=community, status="confirmed", cadre=CadreFactory(work_unit=work_unit)
    )
    response = client_for(secretary).post(
        reverse("cadres:post-assign", args=[other.pk]),
        {"kind": PostKind.BUILDING_CHIEF, "place": f"building:{building.pk}"},
    )
    assert response.status_code == 400
    assert "孙守超" in response.content.decode()
    assert Post.objects.count() == 1


def test_self_service_page_registers_a_pending_member(client, community, work_unit, building, unit):
    url = reverse("cadres:register", args=[community_token(community)])
    assert client.get(url).status_code == 200
    # As a person sends it: the form's stamp from when the page was opened a minute ago.
    opened = self_service_stamp(community, timezone.now() - timedelta(minutes=1))
    response = client.post(
        url,
        {
            "issued": opened,
            "name": "李潇潇",
            "phone": "139 0000 2222",
            "work_unit": work_unit.pk,
            "party_standing": "full",
            "building": building.pk,
            "unit_number": 1,
            "room": "302",
            "commitment": "on",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(cadre__phone="13900002222")
    assert registration.status == RegistrationStatus.PENDING
    assert registration.unit == unit
    assert registration.commitment_signed_on is not None
    again = client.post(
        url,
        {
            "issued": opened,
            "name": "李潇潇",
            "phone": "13900002222",
            "work_unit": work_unit.pk,
            "party_standing": "full",
        },
    )
    assert again.status_code == 200
    assert Registration.objects.filter(cadre__phone="13900002222").count() == 1


def test_self_service_page_with_a_forged_token_is_404(client, community):
    assert (
        client.get(reverse("cadres:register", args=[f"{community.pk}.forged"])).status_code == 404
    )


def test_qr_page_shows_an_svg_code_of_the_self_service_address(client_for, secretary, community):
    response = client_for(secretary).get(reverse("cadres:community-qr", args=[community.pk]))
    body = response.content.decode()
    assert "<svg" in body
    assert community_token(community) in body


def test_full_id_number_only_on_a_deliberate_request(client_for, secretary, community, work_unit):
    cadre = CadreFactory(work_unit=work_unit, id_number="11010519491231002X")
    RegistrationFactory(cadre=cadre, community=community, status="confirmed")
    client = client_for(secretary)
    url = reverse("cadres:cadre-detail", args=[cadre.pk])
    page = client.get(url).content.decode()
    assert "110105********002X" in page
    assert "11010519491231002X" not in page
    assert "11010519491231002X" in client.post(url).content.decode()


def test_township_staff_cannot_reveal_an_id_number(
    client_for, township_staff, community, work_unit
):
    cadre = CadreFactory(work_unit=work_unit, id_number="11010519491231002X")
    RegistrationFactory(cadre=cadre, community=community, status="confirmed")
    response = client_for(township_staff).post(reverse("cadres:cadre-detail", args=[cadre.pk]))
    assert response.status_code == 404


def test_work_unit_page_lists_unregistered_cadres_first(
    client_for, county_staff, work_unit, community
):
    registered = CadreFactory(work_unit=work_unit, name="甲")
    RegistrationFactory(cadre=registered, community=community, status="confirmed")
    missing = CadreFactory(work_unit=work_unit, name="乙")
    client = client_for(county_staff)
    units = client.get(reverse("cadres:work-units")).context["work_units"]
    assert [(u.name, u.cadre_count, u.unregistered_count) for u in units] == [("县民政局", 2, 1)]
    cadres = client.get(reverse("cadres:work-unit-detail", args=[work_unit.pk])).context["cadres"]
    assert list(cadres) == [missing, registered]


def test_work_unit_pages_are_404_for_secretaries(client_for, secretary, work_unit):
    assert client_for(secretary).get(reverse("cadres:work-units")).status_code == 404


def test_unit_staff_sees_their_own_unit_only(client_for, unit_staff, work_unit, county):
    from tests.factories import WorkUnitFactory

    other = WorkUnitFactory(county=county)
    client = client_for(unit_staff)
    assert [u.pk for u in client.get(reverse("cadres:work-units")).context["work_units"]] == [
        work_unit.pk
    ]
    assert client.get(reverse("cadres:work-unit-detail", args=[other.pk])).status_code == 404


def test_branch_is_established_only_with_three_full_members(
    client_for, secretary, community, work_unit
):
    branch = BranchFactory(area=community, name="水木华园临时党支部")
    members = [
        RegistrationFactory(
            community=community, status="confirmed", cadre=CadreFactory(work_unit=work_unit)
        ).cadre
        for _ in range(3)
    ]
    client = client_for(secretary)
    action = lambda name: reverse("cadres:branch-action", args=[branch.pk, name])  # noqa: E731
    client.post(action("add"), {"cadres": [m.pk for m in members[:2]]})
    response = client.post(action("establish"), follow=True)
    assert "2" in " ".join(str(m) for m in response.context["messages"])
    branch.refresh_from_db()
    assert branch.status == "preparing"
    client.post(action("add"), {"cadres": [members[2].pk]})
    client.post(action("establish"))
    branch.refresh_from_db()
    assert branch.status == "established"


def test_secretary_enters_a_phone_registration(client_for, secretary, work_unit):
    response = client_for(secretary).post(
        reverse("cadres:registration-new"),
        {
            "name": "王喆",
            "phone": "13700001234",
            "work_unit": work_unit.pk,
            "party_standing": "full",
            "channel": "phone",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(cadre__name="王喆")
    assert registration.channel == "phone"
    assert registration.submitted_by == secretary


@pytest.mark.parametrize("rows", [3, 30])
def test_workbench_query_count_does_not_grow(
    client_for, secretary, community, work_unit, building, unit, rows, django_assert_max_num_queries
):
    for registration in RegistrationFactory.create_batch(
        rows, community=community, building=building, unit=unit, status="confirmed"
    ):
        Post.objects.create(registration=registration, community=community, kind="publicist")
    client = client_for(secretary)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("cadres:workbench"))
    assert len(response.context["registrations"]) == rows


@pytest.mark.parametrize("buildings", [2, 20])
def test_gap_view_query_count_does_not_grow(
    client_for, secretary, community, buildings, django_assert_max_num_queries
):
    from tests.factories import BuildingFactory, UnitFactory

    for _ in range(buildings):
        building = BuildingFactory(community=community, estate=None)
        UnitFactory.create_batch(3, building=building)
    client = client_for(secretary)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("cadres:community-gaps", args=[community.pk]))
    assert response.context["gaps"].unit_count == buildings * 3


def test_confirm_every_waiting_registration_on_the_page(client_for, secretary, community):
    waiting = RegistrationFactory.create_batch(3, community=community)
    returned = RegistrationFactory(
        community=community, status="returned", return_reason="不在本社区"
    )
    client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {"page_ids": [r.pk for r in [*waiting, returned]], "action": "confirm_page"},
    )
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in waiting] == ["confirmed"] * 3
    assert statuses[returned.pk] == "returned"


def test_the_printed_qr_code_encodes_the_self_service_address(client_for, secretary, community):
    import segno

    response = client_for(secretary).get(reverse("cadres:community-qr", args=[community.pk]))
    address = response.context["register_url"]
    assert address.endswith(reverse("cadres:register", args=[community_token(community)]))
    assert segno.make(address, error="m").svg_inline(scale=8, border=2) in response.content.decode()


def test_a_rotated_secret_key_keeps_printed_qr_codes_working(client, community, settings):
    token = community_token(community)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-after-rotation"
    assert client.get(reverse("cadres:register", args=[token])).status_code == 404
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert client.get(reverse("cadres:register", args=[token])).status_code == 200
