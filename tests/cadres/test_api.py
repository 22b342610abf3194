"""The REST API of the cadres app: scope, the secretary's commands on registrations, posts,
branches, personal data shown per role, bad input, documentation and query counts."""

import pytest
from django.utils import timezone

from cadres.models import Branch, BranchMember, Cadre, Post, Registration, WorkUnit
from communities.choices import Role
from tests.factories import (
    BranchFactory,
    BuildingFactory,
    CadreFactory,
    PostFactory,
    RegistrationFactory,
    UserFactory,
    WorkUnitFactory,
    valid_id_number,
)

# Every test here touches the database, some only through request.getfixturevalue: declared
# here so pytest-django orders them before the live-server tests.
pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ENDPOINTS = ["work-units", "cadres", "registrations", "posts", "branches"]
# The fixture naming an object of `community` (or its county) each endpoint shows in detail.
OBJECT_OF_COMMUNITY = {
    "work-units": "work_unit",
    "cadres": "registered_cadre",
    "registrations": "pending_registration",
    "posts": "chief_post",
    "branches": "branch",
}
# Who must not see it: work units are no secret inside their county, so the outsider of a work
# unit is a secretary of another county.
OUTSIDER = {endpoint: "other_secretary" for endpoint in ENDPOINTS} | {"work-units": "far_secretary"}


def list_url(endpoint: str) -> str:
    return f"/api/{endpoint}/"


def detail_url(endpoint: str, pk: int, action: str = "") -> str:
    return f"/api/{endpoint}/{pk}/{action + '/' if action else ''}"


def ids_of(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def wrong_check_digit(id_number: str) -> str:
    return id_number[:-1] + ("1" if id_number[-1] == "0" else "0")


def messages_of(response) -> list[str]:
    return [message for field in response.json().values() for message in field]


@pytest.fixture
def far_secretary(far_community):
    return UserFactory(username="secretary3", role=Role.SECRETARY, area=far_community)


@pytest.fixture
def registered_cadre(pending_registration):
    return pending_registration.cadre


@pytest.fixture
def chief_post(confirmed_registration, building):
    return PostFactory(
        registration=confirmed_registration, kind="building_chief", building=building
    )


@pytest.fixture
def branch(community):
    return BranchFactory(area=community, kind="community", name="水木华园社区临时党支部")


def confirmed_member(community, work_unit, *, standing="full", **kwargs) -> Registration:
    cadre = CadreFactory(work_unit=work_unit, party_standing=standing, **kwargs)
    return RegistrationFactory(cadre=cadre, community=community, status="confirmed")


# The triad: anonymous refused, an outsider 404, the community's secretary 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_refused_on_list_and_detail(endpoint, request, api_client):
    obj = request.getfixturevalue(OBJECT_OF_COMMUNITY[endpoint])

    assert api_client.get(list_url(endpoint)).status_code == 401
    assert api_client.get(detail_url(endpoint, obj.pk)).status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_outsider_gets_404_on_detail_and_no_row_in_the_list(endpoint, request, api_for):
    obj = request.getfixturevalue(OBJECT_OF_COMMUNITY[endpoint])
    api = api_for(request.getfixturevalue(OUTSIDER[endpoint]))

    response = api.get(detail_url(endpoint, obj.pk))

    assert response.status_code == 404
    assert str(obj) not in response.content.decode()
    assert obj.pk not in ids_of(api.get(list_url(endpoint)))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_communitys_secretary_reads_list_and_detail(endpoint, request, api_for, secretary):
    obj = request.getfixturevalue(OBJECT_OF_COMMUNITY[endpoint])
    api = api_for(secretary)

    detail = api.get(detail_url(endpoint, obj.pk))

    assert detail.status_code == 200
    assert detail.json()["id"] == obj.pk
    assert obj.pk in ids_of(api.get(list_url(endpoint)))


def test_anonymous_cannot_confirm(api_client, pending_registration):
    response = api_client.post(detail_url("registrations", pending_registration.pk, "confirm"))

    assert response.status_code == 401
    pending_registration.refresh_from_db()
    assert pending_registration.status == "pending"


def test_unit_staff_see_only_their_own_units_registrations(
    api_for, unit_staff, pending_registration, community, county
):
    stranger = CadreFactory(work_unit=WorkUnitFactory(county=county, name="县农业农村局"))
    elsewhere = RegistrationFactory(cadre=stranger, community=community)
    api = api_for(unit_staff)

    assert ids_of(api.get(list_url("registrations"))) == {pending_registration.pk}
    assert api.get(detail_url("registrations", elsewhere.pk)).status_code == 404
    assert ids_of(api.get(list_url("cadres"))) == {pending_registration.cadre_id}


# Registrations entered by a secretary


def submission(community, work_unit, **changes) -> dict:
    return {
        "community": community.pk,
        "name": "李玉平",
        "phone": "138 0000 2222",
        "gender": "female",
        "id_number": valid_id_number(5),
        "work_unit": work_unit.pk,
        "position": "科员",
        "party_standing": "full",
        "is_county_leader": False,
        "room": "301",
        "channel": "phone",
        "commitment_signed_on": "2020-02-06",
        "pioneer_post": "党员先锋岗",
    } | changes


def test_secretary_enters_a_registration_taken_by_phone(
    api_for, secretary, community, work_unit, building, unit
):
    payload = submission(community, work_unit, building=building.pk, unit=unit.pk)

    response = api_for(secretary).post(list_url("registrations"), payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    registration = Registration.objects.get(pk=body["id"])
    assert (registration.status, registration.channel, registration.submitted_by) == (
        "pending",
        "phone",
        secretary,
    )
    assert registration.cadre.phone == "13800002222"
    assert registration.cadre.id_number == valid_id_number(5)
    assert (registration.building, registration.unit, registration.room) == (building, unit, "301")
    assert body["cadre_name"] == "李玉平"
    assert body["cadre_phone"] == "13800002222"
    assert body["status"] == "pending"
    assert body["commitment_signed_on"] == "2020-02-06"
    assert body["pioneer_post"] == "党员先锋岗"
    assert body["work_unit"] == work_unit.pk
    assert body["posts"] == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"phone": "12345"}, "phone", "mainland mobile number"),
        ({"id_number": wrong_check_digit(valid_id_number(5))}, "id_number", "check digit"),
        ({"building": 999999}, "building", "does not exist"),
    ],
    ids=["bad-phone", "bad-id-check-digit", "unknown-building"],
)
def test_bad_registration_input_is_a_field_error_and_stores_nothing(
    changes, field, words, api_for, secretary, community, work_unit
):
    response = api_for(secretary).post(
        list_url("registrations"), submission(community, work_unit, **changes), format="json", **EN
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert words in response.json()[field][0]
    assert not Cadre.objects.exists()
    assert not Registration.objects.exists()


def test_another_communitys_building_is_unknown_to_a_secretary(
    api_for, secretary, community, work_unit, other_building
):
    payload = submission(community, work_unit, building=other_building.pk)

    response = api_for(secretary).post(list_url("registrations"), payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["building"]
    assert not Registration.objects.exists()


def test_secretary_cannot_enter_a_registration_for_another_community(
    api_for, secretary, other_community, work_unit
):
    response = api_for(secretary).post(
        list_url("registrations"), submission(other_community, work_unit), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["community"]
    assert not Registration.objects.exists()


def test_township_staff_cannot_enter_registrations(api_for, township_staff, community, work_unit):
    response = api_for(township_staff).post(
        list_url("registrations"), submission(community, work_unit), format="json"
    )

    assert response.status_code == 403
    assert not Cadre.objects.exists()


def test_registering_the_same_phone_again_says_so_and_adds_nothing(
    api_for, secretary, community, work_unit, pending_registration
):
    payload = submission(community, work_unit, name="赵莹", phone="13812341234", id_number="")

    response = api_for(secretary).post(list_url("registrations"), payload, format="json", **EN)

    assert response.status_code == 400
    assert "already registered" in messages_of(response)[0]
    assert Registration.objects.count() == 1


def test_django_messages_come_in_chinese_when_asked(api_for, secretary, community, work_unit):
    payload = submission(community, work_unit, id_number="2" * 20)

    response = api_for(secretary).post(list_url("registrations"), payload, format="json", **ZH)

    assert response.status_code == 400
    assert "确保该变量包含不超过 18 字符" in " ".join(response.json()["id_number"])


# Confirm, return, transfer


def test_secretary_confirms_a_pending_registration(api_for, secretary, pending_registration):
    response = api_for(secretary).post(
        detail_url("registrations", pending_registration.pk, "confirm")
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
    pending_registration.refresh_from_db()
    assert pending_registration.status == "confirmed"
    assert pending_registration.decided_by == secretary
    assert pending_registration.decided_at is not None


def test_other_secretary_confirming_gets_404_and_changes_nothing(
    api_for, other_secretary, pending_registration
):
    response = api_for(other_secretary).post(
        detail_url("registrations", pending_registration.pk, "confirm")
    )

    assert response.status_code == 404
    pending_registration.refresh_from_db()
    assert pending_registration.status == "pending"


def test_township_staff_see_but_may_not_confirm(api_for, township_staff, pending_registration):
    response = api_for(township_staff).post(
        detail_url("registrations", pending_registration.pk, "confirm")
    )

    assert response.status_code == 403
    pending_registration.refresh_from_db()
    assert pending_registration.status == "pending"


def test_secretary_returns_a_registration_with_a_reason(api_for, secretary, pending_registration):
    response = api_for(secretary).post(
        detail_url("registrations", pending_registration.pk, "return"),
        {"reason": "不住本社区"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["return_reason"]) == (
        "returned",
        "不住本社区",
    )
    pending_registration.refresh_from_db()
    assert pending_registration.status == "returned"


def test_returning_without_a_reason_is_a_field_error(api_for, secretary, pending_registration):
    response = api_for(secretary).post(
        detail_url("registrations", pending_registration.pk, "return"),
        {"reason": "  "},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    pending_registration.refresh_from_db()
    assert pending_registration.status == "pending"


def test_confirming_a_returned_registration_is_refused(api_for, secretary, community, work_unit):
    returned = RegistrationFactory(
        cadre=CadreFactory(work_unit=work_unit),
        community=community,
        status="returned",
        return_reason="重复",
    )

    response = api_for(secretary).post(detail_url("registrations", returned.pk, "confirm"), **EN)

    assert response.status_code == 400
    assert "cannot be confirmed" in messages_of(response)[0]


def test_confirmed_member_who_moved_is_transferred_with_history_kept(
    api_for, secretary, confirmed_registration, chief_post, other_community, other_building
):
    response = api_for(secretary).post(
        detail_url("registrations", confirmed_registration.pk, "transfer"),
        {"community": other_community.pk, "building": other_building.pk, "room": "502"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["community"], body["building"], body["room"]) == (
        other_community.pk,
        other_building.pk,
        "502",
    )
    assert (body["status"], body["channel"]) == ("pending", "transfer")
    assert body["transferred_from"] == confirmed_registration.pk
    # The new community's registration is not this secretary's: the phone is masked.
    assert body["cadre_phone"] == "139****1111"
    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == "transferred"
    chief_post.refresh_from_db()
    assert chief_post.ended_at is not None


def test_transfer_to_a_building_of_another_community_is_refused(
    api_for, secretary, confirmed_registration, other_community, building
):
    response = api_for(secretary).post(
        detail_url("registrations", confirmed_registration.pk, "transfer"),
        {"community": other_community.pk, "building": building.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "building" in response.json()
    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == "confirmed"
    assert Registration.objects.count() == 1


def test_transfer_of_a_pending_registration_is_refused(
    api_for, secretary, pending_registration, other_community
):
    response = api_for(secretary).post(
        detail_url("registrations", pending_registration.pk, "transfer"),
        {"community": other_community.pk},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert "Only a confirmed registration" in messages_of(response)[0]
    assert Registration.objects.count() == 1


@pytest.fixture
def three_pending(community, work_unit):
    return [
        RegistrationFactory(cadre=CadreFactory(work_unit=work_unit), community=community)
        for _ in range(3)
    ]


def test_bulk_confirm_confirms_them_all(api_for, secretary, three_pending):
    ids = [r.pk for r in three_pending]

    response = api_for(secretary).post("/api/registrations/confirm/", {"ids": ids}, format="json")

    assert response.status_code == 200, response.json()
    assert {row["id"]: row["status"] for row in response.json()} == dict.fromkeys(ids, "confirmed")
    assert set(Registration.objects.values_list("status", flat=True)) == {"confirmed"}


def test_bulk_confirm_with_an_id_out_of_scope_is_404_and_changes_nothing(
    api_for, secretary, three_pending, other_community, work_unit
):
    elsewhere = RegistrationFactory(
        cadre=CadreFactory(work_unit=work_unit), community=other_community
    )
    ids = [r.pk for r in three_pending] + [elsewhere.pk]

    response = api_for(secretary).post("/api/registrations/confirm/", {"ids": ids}, format="json")

    assert response.status_code == 404
    assert str(elsewhere.pk) not in response.content.decode()
    assert set(Registration.objects.values_list("status", flat=True)) == {"pending"}


def test_bulk_confirm_with_an_unknown_id_is_404_and_changes_nothing(
    api_for, secretary, three_pending
):
    ids = [r.pk for r in three_pending] + [999999]

    response = api_for(secretary).post("/api/registrations/confirm/", {"ids": ids}, format="json")

    assert response.status_code == 404
    assert set(Registration.objects.values_list("status", flat=True)) == {"pending"}


def test_township_staff_may_not_bulk_confirm(api_for, township_staff, three_pending):
    ids = [r.pk for r in three_pending]

    response = api_for(township_staff).post(
        "/api/registrations/confirm/", {"ids": ids}, format="json"
    )

    assert response.status_code == 403
    assert set(Registration.objects.values_list("status", flat=True)) == {"pending"}


def test_bulk_confirm_needs_ids(api_for, secretary):
    response = api_for(secretary).post("/api/registrations/confirm/", {"ids": []}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["ids"]


def test_bulk_return_returns_them_all_with_the_reason(api_for, secretary, three_pending):
    ids = [r.pk for r in three_pending]

    response = api_for(secretary).post(
        "/api/registrations/return/", {"ids": ids, "reason": "信息不全"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert set(Registration.objects.values_list("status", "return_reason")) == {
        ("returned", "信息不全")
    }


def test_bulk_return_without_a_reason_changes_nothing(api_for, secretary, three_pending):
    response = api_for(secretary).post(
        "/api/registrations/return/", {"ids": [r.pk for r in three_pending]}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert set(Registration.objects.values_list("status", flat=True)) == {"pending"}


def test_patch_changes_the_address_but_not_the_status(
    api_for, secretary, pending_registration, estate
):
    second = BuildingFactory(estate=estate, name="2号楼")

    response = api_for(secretary).patch(
        detail_url("registrations", pending_registration.pk),
        {"building": second.pk, "unit": None, "room": "1202", "status": "confirmed"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    pending_registration.refresh_from_db()
    assert (pending_registration.building, pending_registration.unit) == (second, None)
    assert pending_registration.room == "1202"
    assert pending_registration.status == "pending"


def test_patch_by_another_secretary_is_404(api_for, other_secretary, pending_registration):
    response = api_for(other_secretary).patch(
        detail_url("registrations", pending_registration.pk), {"room": "9"}, format="json"
    )

    assert response.status_code == 404
    pending_registration.refresh_from_db()
    assert pending_registration.room == ""


def test_registrations_are_neither_replaced_nor_deleted(api_for, secretary, pending_registration):
    api = api_for(secretary)
    url = detail_url("registrations", pending_registration.pk)

    assert api.put(url, {"room": "1"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert Registration.objects.filter(pk=pending_registration.pk).exists()


def test_registrations_filter_by_status_and_search(
    api_for, secretary, pending_registration, confirmed_registration
):
    api = api_for(secretary)

    assert ids_of(api.get(list_url("registrations"), {"status": "confirmed"})) == {
        confirmed_registration.pk
    }
    assert ids_of(api.get(list_url("registrations"), {"q": "zy"})) == {pending_registration.pk}


# Posts


def test_secretary_makes_a_confirmed_member_building_chief(
    api_for, secretary, confirmed_registration, building
):
    response = api_for(secretary).post(
        list_url("posts"),
        {
            "registration": confirmed_registration.pk,
            "kind": "building_chief",
            "building": building.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["building"], body["cadre_name"]) == (
        "building_chief",
        building.pk,
        "孙守超",
    )
    assert body["place"] == "一生活区 1号楼"
    post = Post.objects.get(pk=body["id"])
    assert (post.registration, post.assigned_by, post.ended_at) == (
        confirmed_registration,
        secretary,
        None,
    )
    listed = api_for(secretary).get(detail_url("registrations", confirmed_registration.pk))
    assert [p["kind"] for p in listed.json()["posts"]] == ["building_chief"]


def test_a_building_with_a_chief_is_refused_naming_the_holder(
    api_for, secretary, chief_post, building, community, work_unit
):
    newcomer = confirmed_member(community, work_unit)

    response = api_for(secretary).post(
        list_url("posts"),
        {"registration": newcomer.pk, "kind": "building_chief", "building": building.pk},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert list(response.json()) == ["building"]
    assert "孙守超" in response.json()["building"][0]
    assert not Post.objects.filter(registration=newcomer).exists()


def test_a_pending_member_holds_no_post(api_for, secretary, pending_registration, unit):
    response = api_for(secretary).post(
        list_url("posts"),
        {"registration": pending_registration.pk, "kind": "unit_chief", "unit": unit.pk},
        format="json",
    )

    assert response.status_code == 400
    assert not Post.objects.exists()


def test_another_secretary_cannot_name_our_registration(
    api_for, other_secretary, confirmed_registration
):
    response = api_for(other_secretary).post(
        list_url("posts"),
        {"registration": confirmed_registration.pk, "kind": "publicist"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["registration"]
    assert not Post.objects.exists()


def test_township_staff_may_not_assign_posts(api_for, township_staff, confirmed_registration):
    response = api_for(township_staff).post(
        list_url("posts"),
        {"registration": confirmed_registration.pk, "kind": "publicist"},
        format="json",
    )

    assert response.status_code == 403
    assert not Post.objects.exists()


def test_ending_a_post_keeps_it_as_history(api_for, secretary, chief_post):
    response = api_for(secretary).post(detail_url("posts", chief_post.pk, "end"))

    assert response.status_code == 200, response.json()
    assert response.json()["ended_at"] is not None
    chief_post.refresh_from_db()
    assert chief_post.ended_at is not None
    active = api_for(secretary).get(list_url("posts"), {"active": "true"})
    assert ids_of(active) == set()


def test_posts_are_neither_changed_nor_deleted(api_for, secretary, chief_post):
    api = api_for(secretary)

    assert api.patch(detail_url("posts", chief_post.pk), {}, format="json").status_code == 405
    assert api.delete(detail_url("posts", chief_post.pk)).status_code == 405


# Phone and ID-card numbers shown per role


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("secretary", "13812341234"),
        ("county_staff", "13812341234"),
        ("admin_user", "13812341234"),
        ("township_staff", "138****1234"),
        ("unit_staff", "138****1234"),
    ],
)
def test_phone_is_full_only_to_those_who_need_it(
    role, shown, request, api_for, pending_registration
):
    api = api_for(request.getfixturevalue(role))
    cadre = pending_registration.cadre

    assert api.get(detail_url("cadres", cadre.pk)).json()["phone"] == shown
    assert [row["phone"] for row in api.get(list_url("cadres")).json()["results"]] == [shown]
    registration = api.get(detail_url("registrations", pending_registration.pk)).json()
    assert registration["cadre_phone"] == shown


def test_secretary_sees_full_phones_of_active_members_only(
    api_for, secretary, pending_registration, community, work_unit
):
    gone = CadreFactory(name="王艳秋", phone="13700005678", work_unit=work_unit)
    RegistrationFactory(cadre=gone, community=community, status="returned", return_reason="重复")

    rows = api_for(secretary).get(list_url("cadres")).json()["results"]

    assert {row["name"]: row["phone"] for row in rows} == {
        "赵莹": "13812341234",
        "王艳秋": "137****5678",
    }


@pytest.fixture
def cadre_with_id(pending_registration):
    cadre = pending_registration.cadre
    cadre.id_number = valid_id_number(7)
    cadre.save()
    return cadre


def test_id_number_is_masked_in_list_and_detail_even_for_admin(api_for, admin_user, cadre_with_id):
    api = api_for(admin_user)
    masked = f"{cadre_with_id.id_number[:6]}********{cadre_with_id.id_number[-4:]}"

    assert api.get(detail_url("cadres", cadre_with_id.pk)).json()["id_number"] == masked
    assert [row["id_number"] for row in api.get(list_url("cadres")).json()["results"]] == [masked]


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("secretary", 200),
        ("county_staff", 200),
        ("admin_user", 200),
        ("township_staff", 403),
        ("unit_staff", 403),
        ("other_secretary", 404),
    ],
)
def test_full_id_number_is_revealed_on_purpose_to_those_allowed(
    role, status_code, request, api_for, cadre_with_id
):
    response = api_for(request.getfixturevalue(role)).post(
        detail_url("cadres", cadre_with_id.pk, "id-number")
    )

    assert response.status_code == status_code
    if status_code == 200:
        assert response.json() == {"id_number": cadre_with_id.id_number}
        assert response["Cache-Control"] == "no-store"
    else:
        assert cadre_with_id.id_number not in response.content.decode()


def test_anonymous_cannot_reveal_an_id_number(api_client, cadre_with_id):
    response = api_client.post(detail_url("cadres", cadre_with_id.pk, "id-number"))

    assert response.status_code == 401


def test_revealing_an_id_number_by_get_is_not_allowed(api_for, county_staff, cadre_with_id):
    response = api_for(county_staff).get(detail_url("cadres", cadre_with_id.pk, "id-number"))

    assert response.status_code == 405


# Work units and cadres


def test_county_staff_create_a_work_unit(api_for, county_staff, county):
    response = api_for(county_staff).post(
        list_url("work-units"), {"county": county.pk, "name": "县人社中心"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert WorkUnit.objects.get(pk=response.json()["id"]).name == "县人社中心"


def test_secretary_may_not_rename_a_work_unit(api_for, secretary, work_unit):
    response = api_for(secretary).patch(
        detail_url("work-units", work_unit.pk), {"name": "改名局"}, format="json"
    )

    assert response.status_code == 403
    work_unit.refresh_from_db()
    assert work_unit.name == "县民政局"


def test_repeated_work_unit_name_is_a_field_error(api_for, county_staff, county, work_unit):
    response = api_for(county_staff).post(
        list_url("work-units"), {"county": county.pk, "name": "县民政局"}, format="json", **EN
    )

    assert response.status_code == 400
    assert list(response.json()) == ["name"]


def test_county_staff_add_a_cadre_to_a_work_unit(api_for, county_staff, work_unit):
    response = api_for(county_staff).post(
        list_url("cadres"),
        {"name": "董诗琪", "phone": "+86 136-0000-3333", "work_unit": work_unit.pk},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "13600003333"
    cadre = Cadre.objects.get(pk=response.json()["id"])
    assert (cadre.phone, cadre.name_initials) == ("13600003333", "dsq")


def test_secretary_may_not_add_cadres_to_a_work_unit(api_for, secretary, work_unit):
    response = api_for(secretary).post(
        list_url("cadres"),
        {"name": "董诗琪", "phone": "13600003333", "work_unit": work_unit.pk},
        format="json",
    )

    assert response.status_code == 403
    assert not Cadre.objects.exists()


def test_secretary_corrects_a_registered_members_details(api_for, secretary, registered_cadre):
    response = api_for(secretary).patch(
        detail_url("cadres", registered_cadre.pk), {"position": "副局长"}, format="json"
    )

    assert response.status_code == 200, response.json()
    registered_cadre.refresh_from_db()
    assert registered_cadre.position == "副局长"


def test_cadre_with_a_bad_id_number_is_refused(api_for, county_staff, registered_cadre):
    response = api_for(county_staff).patch(
        detail_url("cadres", registered_cadre.pk),
        {"id_number": wrong_check_digit(valid_id_number(9))},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    registered_cadre.refresh_from_db()
    assert registered_cadre.id_number is None


# Branches


def test_secretary_sets_up_a_branch_of_the_community(api_for, secretary, community):
    response = api_for(secretary).post(
        list_url("branches"),
        {"area": community.pk, "kind": "community", "name": "水木华园社区临时党支部"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["member_count"], body["members"]) == ("preparing", 0, [])
    assert Branch.objects.get(pk=body["id"]).area == community


def test_other_secretary_may_not_set_up_our_branch(api_for, other_secretary, community):
    response = api_for(other_secretary).post(
        list_url("branches"),
        {"area": community.pk, "kind": "community", "name": "X"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["area"]
    assert not Branch.objects.exists()


def test_branch_is_established_only_with_three_full_members(
    api_for, secretary, branch, community, work_unit
):
    api = api_for(secretary)
    full = [confirmed_member(community, work_unit) for _ in range(2)]
    probationary = confirmed_member(community, work_unit, standing="probationary")
    members_url = detail_url("branches", branch.pk, "members")
    establish_url = detail_url("branches", branch.pk, "establish")

    added = api.post(
        members_url, {"cadres": [r.cadre_id for r in [*full, probationary]]}, format="json"
    )
    refused = api.post(establish_url, {}, format="json", **EN)

    assert added.status_code == 200, added.json()
    assert (added.json()["member_count"], added.json()["full_member_count"]) == (3, 2)
    assert refused.status_code == 400
    assert "at least 3 full Party members" in messages_of(refused)[0]
    branch.refresh_from_db()
    assert branch.status == "preparing"

    third = confirmed_member(community, work_unit)
    api.post(members_url, {"cadres": [third.cadre_id]}, format="json")
    established = api.post(establish_url, {"established_on": "2020-02-10"}, format="json")

    assert established.status_code == 200, established.json()
    assert (established.json()["status"], established.json()["established_on"]) == (
        "established",
        "2020-02-10",
    )
    assert established.json()["full_member_count"] == 3


def test_branch_takes_only_confirmed_members_of_its_community(
    api_for, secretary, branch, pending_registration
):
    response = api_for(secretary).post(
        detail_url("branches", branch.pk, "members"),
        {"cadres": [pending_registration.cadre_id]},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["cadres"]
    assert not BranchMember.objects.exists()


def test_secretary_names_a_member_branch_secretary(
    api_for, secretary, branch, community, work_unit
):
    member = confirmed_member(community, work_unit, name="孙守超")
    BranchMember.objects.create(branch=branch, cadre=member.cadre, joined_on=timezone.localdate())

    response = api_for(secretary).patch(
        detail_url("branches", branch.pk), {"secretary": member.cadre_id}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["secretary"], response.json()["secretary_name"]) == (
        member.cadre_id,
        "孙守超",
    )
    branch.refresh_from_db()
    assert branch.secretary == member.cadre


def test_branch_secretary_must_be_a_member(api_for, secretary, branch, community, work_unit):
    outsider = confirmed_member(community, work_unit)

    response = api_for(secretary).patch(
        detail_url("branches", branch.pk), {"secretary": outsider.cadre_id}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["secretary"]
    branch.refresh_from_db()
    assert branch.secretary is None


def test_removing_a_member_keeps_the_history(api_for, secretary, branch, community, work_unit):
    member = confirmed_member(community, work_unit)
    BranchMember.objects.create(branch=branch, cadre=member.cadre, joined_on=timezone.localdate())

    response = api_for(secretary).post(
        detail_url("branches", branch.pk, "remove-member"),
        {"cadre": member.cadre_id},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["member_count"], response.json()["members"]) == (0, [])
    assert BranchMember.objects.get(cadre=member.cadre).left_on == timezone.localdate()


def test_dissolving_a_branch(api_for, secretary, branch):
    response = api_for(secretary).post(detail_url("branches", branch.pk, "dissolve"))

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "dissolved"
    branch.refresh_from_db()
    assert branch.dissolved_on == timezone.localdate()


def test_township_staff_may_not_dissolve_a_branch(api_for, township_staff, branch):
    response = api_for(township_staff).post(detail_url("branches", branch.pk, "dissolve"))

    assert response.status_code == 403
    branch.refresh_from_db()
    assert branch.status == "preparing"


# Query counts do not grow with the rows


def add_rows(endpoint: str, count: int, *, county, community, estate, work_unit) -> None:
    for _ in range(count):
        if endpoint == "work-units":
            WorkUnitFactory(county=county)
            continue
        if endpoint == "branches":
            branch = BranchFactory(area=community, kind="front_line")
            for member in (confirmed_member(community, work_unit) for _ in range(2)):
                BranchMember.objects.create(
                    branch=branch, cadre=member.cadre, joined_on=timezone.localdate()
                )
            continue
        building = BuildingFactory(estate=estate)
        registration = RegistrationFactory(
            cadre=CadreFactory(work_unit=work_unit),
            community=community,
            building=building,
            status="confirmed",
        )
        PostFactory(registration=registration, kind="building_chief", building=building)
        PostFactory(registration=registration, kind="publicist")


# Token, the user's area, count, rows, and one query per prefetched relation.
MAX_QUERIES = {"work-units": 4, "cadres": 4, "registrations": 5, "posts": 4, "branches": 5}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_query_count_is_the_same_for_3_and_30_rows(
    endpoint,
    api_for,
    county_staff,
    county,
    community,
    estate,
    work_unit,
    django_assert_max_num_queries,
):
    places = {"county": county, "community": community, "estate": estate, "work_unit": work_unit}
    api = api_for(county_staff)
    # The fixture's own work unit is a row of the work-unit list.
    add_rows(endpoint, 2 if endpoint == "work-units" else 3, **places)

    with django_assert_max_num_queries(MAX_QUERIES[endpoint]) as small:
        few = api.get(list_url(endpoint))
    add_rows(endpoint, 27, **places)
    with django_assert_max_num_queries(MAX_QUERIES[endpoint]) as large:
        many = api.get(list_url(endpoint))

    assert few.json()["count"] >= 3
    assert many.json()["count"] >= 30
    assert len(large) == len(small)


# Documentation


def test_schema_documents_every_cadres_endpoint(api_for, secretary):
    response = api_for(secretary).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    for endpoint in ENDPOINTS:
        assert list_url(endpoint) in paths
        assert f"/api/{endpoint}/{{id}}/" in paths
    for action in [
        "/api/cadres/{id}/id-number/",
        "/api/registrations/{id}/confirm/",
        "/api/registrations/{id}/return/",
        "/api/registrations/{id}/transfer/",
        "/api/registrations/confirm/",
        "/api/registrations/return/",
        "/api/posts/{id}/end/",
        "/api/branches/{id}/establish/",
        "/api/branches/{id}/dissolve/",
        "/api/branches/{id}/members/",
        "/api/branches/{id}/remove-member/",
    ]:
        assert action in paths
    assert "delete" not in paths["/api/registrations/{id}/"]
    assert "put" not in paths["/api/registrations/{id}/"]
    create = paths["/api/registrations/"]["post"]["requestBody"]["content"]["application/json"]
    assert create["schema"]["$ref"].endswith("/RegistrationSubmit")
