"""What a user notices when the pages and the API meet bad input, races and the personal-data
rule: forged forms answer 404 (never 500) and change nothing, bad filters answer 400 with their
errors, a search cannot uncover hidden phone digits, a member who moved away is masked in the old
community, a failed action is told even when its form is gone, and history is not edited."""

import html
import io
import logging

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from cadres import services
from cadres.choices import BranchKind, PostKind, RegistrationStatus
from cadres.models import BranchMember, BuildingGroup, Post, Registration
from tests.factories import (
    BranchFactory,
    CadreFactory,
    RegistrationFactory,
    WorkUnitFactory,
    valid_id_number,
)

pytestmark = pytest.mark.django_db

# The member of `pending_registration` (赵莹) and how others see her phone.
PHONE = "13812341234"
MASKED = "138****1234"


@pytest.fixture(autouse=True)
def english(client, api_client):
    """Pages and API answer in English, so the tests read the messages' ids."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def messages_after(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def statuses() -> dict[int, str]:
    return dict(Registration.objects.values_list("pk", "status"))


def api_ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def workbench_rows(response) -> list[Registration]:
    return list(response.context["registrations"])


@pytest.fixture
def foreign_registration(other_community):
    return RegistrationFactory(community=other_community)


@pytest.fixture
def branch(community):
    return BranchFactory(area=community, kind=BranchKind.COMMUNITY, name="水木华园临时党支部")


def branch_action(branch, action: str) -> str:
    return reverse("cadres:branch-action", args=[branch.pk, action])


# --- forged ids in the workbench's bulk form --------------------------------------------------


@pytest.mark.parametrize(
    "bad_id",
    ["abc", "²", "", "1.0", "-1", " 1", "99999999999999999999"],
    ids=["letters", "unicode-digit", "empty", "decimal", "negative", "space", "too-long"],
)
def test_bulk_confirm_with_a_malformed_id_is_404_and_confirms_nothing(
    client_for, secretary, pending_registration, bad_id
):
    before = statuses()

    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {"ids": [pending_registration.pk, bad_id], "action": "confirm"},
    )

    assert response.status_code == 404
    assert statuses() == before


def test_confirm_every_waiting_one_with_a_malformed_page_id_is_404(
    client_for, secretary, pending_registration
):
    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {"page_ids": [pending_registration.pk, "²"], "action": "confirm_page"},
    )

    assert response.status_code == 404
    assert statuses() == {pending_registration.pk: RegistrationStatus.PENDING}


def test_bulk_confirm_with_nothing_ticked_says_so_and_changes_nothing(
    client_for, secretary, pending_registration
):
    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"), {"action": "confirm"}
    )

    assert response.status_code == 302
    assert messages_after(response) == ["Choose at least one registration."]
    assert statuses() == {pending_registration.pk: RegistrationStatus.PENDING}


@pytest.mark.parametrize("action", ["confirm", "return"])
def test_bulk_with_an_unknown_id_is_404_and_changes_nothing(
    client_for, secretary, pending_registration, action
):
    unknown = Registration.objects.order_by("-pk").first().pk + 1000

    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {"ids": [pending_registration.pk, unknown], "action": action, "reason": "不在本社区"},
    )

    assert response.status_code == 404
    assert statuses() == {pending_registration.pk: RegistrationStatus.PENDING}


@pytest.mark.parametrize("action", ["confirm", "return"])
def test_bulk_with_another_communitys_id_is_404_and_changes_nothing(
    client_for, secretary, pending_registration, foreign_registration, action
):
    before = statuses()

    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {
            "ids": [pending_registration.pk, foreign_registration.pk],
            "action": action,
            "reason": "不在本社区",
        },
    )

    assert response.status_code == 404
    assert statuses() == before


def test_bulk_with_an_unknown_action_says_so_and_changes_nothing(
    client_for, secretary, pending_registration
):
    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"), {"ids": [pending_registration.pk], "action": "delete"}
    )

    assert response.status_code == 302
    assert messages_after(response) == ["Choose confirm or return."]
    assert statuses() == {pending_registration.pk: RegistrationStatus.PENDING}


# --- forged ids in a branch's forms -----------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["abc", "²", "", "99999999999999999999"])
def test_adding_a_malformed_member_id_to_a_branch_is_404_and_adds_nobody(
    client_for, secretary, branch, confirmed_registration, bad_id
):
    response = client_for(secretary).post(
        branch_action(branch, "add"), {"cadres": [confirmed_registration.cadre_id, bad_id]}
    )

    assert response.status_code == 404
    assert not BranchMember.objects.exists()


def test_adding_an_unknown_member_to_a_branch_is_404_and_adds_nobody(
    client_for, secretary, branch, confirmed_registration
):
    unknown = confirmed_registration.cadre_id + 1000

    response = client_for(secretary).post(
        branch_action(branch, "add"), {"cadres": [confirmed_registration.cadre_id, unknown]}
    )

    assert response.status_code == 404
    assert not BranchMember.objects.exists()


def test_adding_another_communitys_member_to_a_branch_is_404_and_adds_nobody(
    client_for, secretary, branch, confirmed_registration, other_community
):
    stranger = RegistrationFactory(community=other_community, status="confirmed").cadre

    response = client_for(secretary).post(
        branch_action(branch, "add"), {"cadres": [confirmed_registration.cadre_id, stranger.pk]}
    )

    assert response.status_code == 404
    assert not BranchMember.objects.exists()


def test_adding_a_good_member_to_a_branch_still_works(
    client_for, secretary, branch, confirmed_registration
):
    response = client_for(secretary).post(
        branch_action(branch, "add"), {"cadres": [confirmed_registration.cadre_id]}
    )

    assert response.status_code == 302
    assert list(branch.members.current().values_list("cadre_id", flat=True)) == [
        confirmed_registration.cadre_id
    ]


@pytest.mark.parametrize("action", ["remove", "secretary"])
@pytest.mark.parametrize("bad_id", ["abc", "²", "99999999999999999999"])
def test_naming_a_malformed_member_on_a_branch_is_404_and_changes_nothing(
    client_for, secretary, branch, confirmed_registration, action, bad_id
):
    cadre = confirmed_registration.cadre
    BranchMember.objects.create(branch=branch, cadre=cadre, joined_on="2020-02-01")

    response = client_for(secretary).post(branch_action(branch, action), {"cadre": bad_id})

    assert response.status_code == 404
    branch.refresh_from_db()
    assert branch.secretary_id is None
    assert list(branch.members.current().values_list("cadre_id", flat=True)) == [cadre.pk]


@pytest.mark.parametrize("action", ["remove", "secretary"])
def test_naming_an_unknown_member_on_a_branch_is_404(
    client_for, secretary, branch, confirmed_registration, action
):
    response = client_for(secretary).post(
        branch_action(branch, action), {"cadre": confirmed_registration.cadre_id + 1000}
    )

    assert response.status_code == 404


def test_an_unknown_branch_action_is_404_and_changes_nothing(client_for, secretary, branch):
    response = client_for(secretary).post(branch_action(branch, "explode"))

    assert response.status_code == 404
    branch.refresh_from_db()
    assert branch.status == "preparing"


# --- bad filter values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("status=zzz", "Select a valid choice. zzz is not one of the available choices."),
        ("building=abc", "Select a valid choice. That choice is not one of the available choices."),
    ],
)
def test_workbench_with_a_bad_filter_is_400_and_shows_the_fields_error(
    client_for, secretary, pending_registration, query, error
):
    response = client_for(secretary).get(f"{reverse('cadres:workbench')}?{query}")

    assert response.status_code == 400
    assert error in page_text(response)


def test_workbench_with_good_filters_is_200(client_for, secretary, pending_registration, building):
    response = client_for(secretary).get(
        reverse("cadres:workbench"), {"status": "pending", "building": building.pk}
    )

    assert response.status_code == 200
    assert workbench_rows(response) == [pending_registration]


def test_export_with_a_bad_filter_goes_back_to_the_list_showing_the_error(
    client_for, secretary, pending_registration
):
    client = client_for(secretary)

    response = client.get(reverse("cadres:workbench"), {"export": "xlsx", "status": "zzz"})

    assert response.status_code == 302
    assert response.url == f"{reverse('cadres:workbench')}?status=zzz"
    shown = client.get(response.url)
    assert shown.status_code == 400
    assert "zzz is not one of the available choices" in page_text(shown)


def test_work_units_page_with_a_bad_county_is_400_and_shows_the_error(client_for, county_staff):
    response = client_for(county_staff).get(reverse("cadres:work-units"), {"county": "abc"})

    assert response.status_code == 400
    assert "That choice is not one of the available choices." in page_text(response)


def test_branches_page_with_a_bad_status_is_400_and_shows_the_error(client_for, secretary):
    response = client_for(secretary).get(reverse("cadres:branches"), {"status": "zzz"})

    assert response.status_code == 400
    assert "zzz is not one of the available choices" in page_text(response)


# --- searching by phone digits ----------------------------------------------------------------


def test_township_staff_searching_a_full_phone_finds_nothing(
    client_for, township_staff, pending_registration
):
    response = client_for(township_staff).get(reverse("cadres:workbench"), {"q": PHONE})

    assert response.status_code == 200
    assert workbench_rows(response) == []


@pytest.mark.parametrize("hidden", ["1381234", "8123", "381234123"])
def test_township_staff_cannot_find_a_member_by_hidden_digits(
    client_for, township_staff, pending_registration, hidden
):
    response = client_for(township_staff).get(reverse("cadres:workbench"), {"q": hidden})

    assert workbench_rows(response) == []


def test_township_staff_finds_a_member_by_the_last_four_digits_they_see(
    client_for, township_staff, pending_registration, confirmed_registration
):
    response = client_for(township_staff).get(reverse("cadres:workbench"), {"q": "1234"})

    assert workbench_rows(response) == [pending_registration]
    assert MASKED in page_text(response)


@pytest.mark.parametrize("digits", [PHONE, "381234", "1234", "138 1234 1234"])
def test_secretary_finds_their_member_by_any_digits(
    client_for, secretary, pending_registration, confirmed_registration, digits
):
    response = client_for(secretary).get(reverse("cadres:workbench"), {"q": digits})

    assert workbench_rows(response) == [pending_registration]


@pytest.mark.parametrize("endpoint", ["registrations", "cadres"])
def test_api_search_by_phone_for_township_staff_matches_the_last_four_digits_only(
    api_for, township_staff, pending_registration, endpoint
):
    client = api_for(township_staff)
    expected = (
        pending_registration.pk if endpoint == "registrations" else pending_registration.cadre_id
    )

    assert api_ids(client.get(f"/api/{endpoint}/", {"q": PHONE})) == set()
    assert api_ids(client.get(f"/api/{endpoint}/", {"q": "8123"})) == set()
    assert api_ids(client.get(f"/api/{endpoint}/", {"q": "1234"})) == {expected}


@pytest.mark.parametrize("endpoint", ["registrations", "cadres"])
def test_api_search_by_phone_for_the_secretary_matches_any_digits(
    api_for, secretary, pending_registration, confirmed_registration, endpoint
):
    client = api_for(secretary)
    expected = (
        pending_registration.pk if endpoint == "registrations" else pending_registration.cadre_id
    )

    for digits in (PHONE, "8123", "1234"):
        assert api_ids(client.get(f"/api/{endpoint}/", {"q": digits})) == {expected}, digits


# --- a member who moved away ------------------------------------------------------------------


@pytest.fixture
def moved_away(secretary, confirmed_registration, other_community):
    """孙守超 (13900001111) was confirmed here and moved to 天嘉苑社区: the old registration
    is transferred, the new one waits there."""
    new = services.registration_transfer(
        actor=secretary, registration=confirmed_registration, community=other_community
    )
    confirmed_registration.refresh_from_db()
    return confirmed_registration, new


MOVED_PHONE, MOVED_MASKED = "13900001111", "139****1111"


def test_old_secretary_sees_a_moved_members_phone_masked_on_the_workbench(
    client_for, secretary, moved_away
):
    old, _new = moved_away

    response = client_for(secretary).get(reverse("cadres:workbench"))

    assert workbench_rows(response) == [old]
    assert MOVED_MASKED in page_text(response)
    assert MOVED_PHONE not in page_text(response)


def test_old_secretary_sees_a_moved_members_phone_masked_on_the_registration_page(
    client_for, secretary, moved_away
):
    old, _new = moved_away

    response = client_for(secretary).get(reverse("cadres:registration-detail", args=[old.pk]))

    assert response.status_code == 200
    assert MOVED_MASKED in page_text(response)
    assert MOVED_PHONE not in page_text(response)


def test_old_secretary_sees_a_moved_members_phone_masked_in_the_api(api_for, secretary, moved_away):
    old, _new = moved_away
    client = api_for(secretary)

    detail = client.get(f"/api/registrations/{old.pk}/")
    cadre = client.get(f"/api/cadres/{old.cadre_id}/")

    assert detail.json()["cadre_phone"] == MOVED_MASKED
    assert cadre.json()["phone"] == MOVED_MASKED
    assert MOVED_PHONE not in detail.content.decode() + cadre.content.decode()


def test_old_secretary_gets_a_moved_members_phone_masked_in_the_roster(
    client_for, secretary, moved_away
):
    response = client_for(secretary).get(reverse("cadres:workbench"), {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    phones = [dict(zip(header, row, strict=True))["Mobile phone"] for row in rows]
    assert phones == [MOVED_MASKED]


@pytest.mark.parametrize("digits", [MOVED_PHONE, "0000111"])
def test_old_secretary_cannot_find_a_moved_member_by_hidden_digits(
    client_for, api_for, secretary, moved_away, digits
):
    page = client_for(secretary).get(reverse("cadres:workbench"), {"q": digits})
    registrations = api_for(secretary).get("/api/registrations/", {"q": digits})
    cadres = api_for(secretary).get("/api/cadres/", {"q": digits})

    assert workbench_rows(page) == []
    assert api_ids(registrations) == set()
    assert api_ids(cadres) == set()


def test_old_secretary_still_finds_a_moved_member_by_the_last_four_digits(
    client_for, secretary, moved_away
):
    old, _new = moved_away

    response = client_for(secretary).get(reverse("cadres:workbench"), {"q": "1111"})

    assert workbench_rows(response) == [old]


def test_new_secretary_sees_the_moved_members_full_phone_once_pending_there(
    client_for, api_for, other_secretary, moved_away
):
    _old, new = moved_away
    assert new.status == RegistrationStatus.PENDING
    client = client_for(other_secretary)

    workbench = client.get(reverse("cadres:workbench"))
    detail = client.get(reverse("cadres:registration-detail", args=[new.pk]))
    api = api_for(other_secretary).get(f"/api/registrations/{new.pk}/")
    found = client.get(reverse("cadres:workbench"), {"q": "0000111"})

    assert workbench_rows(workbench) == [new]
    assert MOVED_PHONE in page_text(workbench)
    assert MOVED_PHONE in page_text(detail)
    assert api.json()["cadre_phone"] == MOVED_PHONE
    assert workbench_rows(found) == [new]


# --- the full ID-card number ------------------------------------------------------------------


@pytest.fixture
def cadre_with_id(confirmed_registration):
    cadre = confirmed_registration.cadre
    cadre.id_number = valid_id_number(5)
    cadre.save()
    return cadre


def test_revealing_the_id_number_on_the_page_is_not_cached_and_is_logged(
    client_for, secretary, cadre_with_id, caplog
):
    url = reverse("cadres:cadre-detail", args=[cadre_with_id.pk])

    with caplog.at_level(logging.INFO, logger="cadres.personal_data"):
        response = client_for(secretary).post(url)

    assert response.status_code == 200
    assert cadre_with_id.id_number in page_text(response)
    assert response["Cache-Control"] == "no-store"
    [record] = [r for r in caplog.records if r.name == "cadres.personal_data"]
    assert f"user={secretary.pk}" in record.getMessage()
    assert f"cadre={cadre_with_id.pk}" in record.getMessage()
    assert cadre_with_id.id_number not in record.getMessage()


def test_viewing_the_page_shows_the_id_number_masked_and_logs_nothing(
    client_for, secretary, cadre_with_id, caplog
):
    with caplog.at_level(logging.INFO, logger="cadres.personal_data"):
        response = client_for(secretary).get(
            reverse("cadres:cadre-detail", args=[cadre_with_id.pk])
        )

    assert cadre_with_id.id_number not in page_text(response)
    assert not [r for r in caplog.records if r.name == "cadres.personal_data"]


def test_the_api_reveals_the_id_number_by_post_only_and_logs_it(
    api_for, secretary, cadre_with_id, caplog
):
    url = f"/api/cadres/{cadre_with_id.pk}/id-number/"
    client = api_for(secretary)

    with caplog.at_level(logging.INFO, logger="cadres.personal_data"):
        by_get = client.get(url)
        by_post = client.post(url)

    assert by_get.status_code == 405
    assert cadre_with_id.id_number not in by_get.content.decode()
    assert by_post.status_code == 200
    assert by_post.json() == {"id_number": cadre_with_id.id_number}
    assert by_post["Cache-Control"] == "no-store"
    [record] = [r for r in caplog.records if r.name == "cadres.personal_data"]
    assert f"user={secretary.pk} cadre={cadre_with_id.pk}" in record.getMessage()


def test_a_refused_reveal_is_not_logged(api_for, township_staff, cadre_with_id, caplog):
    with caplog.at_level(logging.INFO, logger="cadres.personal_data"):
        response = api_for(township_staff).post(f"/api/cadres/{cadre_with_id.pk}/id-number/")

    assert response.status_code == 403
    assert not [r for r in caplog.records if r.name == "cadres.personal_data"]


# --- forms only for those who may submit them --------------------------------------------------


@pytest.mark.parametrize("role", ["township_staff", "unit_staff", "team_member"])
def test_the_new_branch_form_is_404_for_those_who_cannot_create_one(
    client_for, request, role, community
):
    client = client_for(request.getfixturevalue(role))

    assert client.get(reverse("cadres:branch-new")).status_code == 404
    assert client.post(reverse("cadres:branch-new"), {"name": "某支部"}).status_code == 404


@pytest.mark.parametrize("role", ["secretary", "county_staff"])
def test_the_new_branch_form_opens_for_those_who_create_branches(client_for, request, role):
    assert (
        client_for(request.getfixturevalue(role)).get(reverse("cadres:branch-new")).status_code
        == 200
    )


def test_the_party_group_form_is_404_for_township_staff(
    client_for, township_staff, building, confirmed_registration
):
    client = client_for(township_staff)
    url = reverse("cadres:building-group", args=[building.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"leader": confirmed_registration.cadre_id}).status_code == 404
    assert not BuildingGroup.objects.exists()


def test_the_party_group_form_opens_for_the_secretary(client_for, secretary, building):
    response = client_for(secretary).get(reverse("cadres:building-group", args=[building.pk]))

    assert response.status_code == 200


# --- what the bulk confirmation says -----------------------------------------------------------


def test_bulk_confirm_counts_only_the_registrations_it_changed(
    client_for, secretary, pending_registration, confirmed_registration
):
    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {"ids": [pending_registration.pk, confirmed_registration.pk], "action": "confirm"},
    )

    assert messages_after(response) == ["1 registration confirmed."]
    assert set(statuses().values()) == {RegistrationStatus.CONFIRMED}


def test_bulk_return_counts_only_the_registrations_it_changed(
    client_for, secretary, pending_registration, community
):
    returned = RegistrationFactory(community=community, status="returned", return_reason="错")
    waiting = RegistrationFactory(community=community)

    response = client_for(secretary).post(
        reverse("cadres:registration-bulk"),
        {
            "ids": [pending_registration.pk, returned.pk, waiting.pk],
            "action": "return",
            "reason": "不在本社区居住",
        },
    )

    assert messages_after(response) == ["2 registrations returned."]


# --- a failed action whose form the page no longer shows ---------------------------------------


def test_assigning_a_post_to_a_pending_registration_shows_why_as_a_message(
    client_for, secretary, pending_registration, building
):
    response = client_for(secretary).post(
        reverse("cadres:post-assign", args=[pending_registration.pk]),
        {"kind": PostKind.BUILDING_CHIEF, "place": f"building:{building.pk}"},
    )

    assert response.status_code == 400
    assert "Only confirmed members hold posts; confirm the registration first." in page_text(
        response
    )
    assert not Post.objects.exists()


def test_returning_a_confirmed_registration_shows_why_as_a_message(
    client_for, secretary, confirmed_registration
):
    response = client_for(secretary).post(
        reverse("cadres:registration-return", args=[confirmed_registration.pk]),
        {"reason": "不在本社区居住"},
    )

    assert response.status_code == 400
    assert "The registration of 孙守超 is Confirmed and cannot be returned." in page_text(response)
    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED


def test_transferring_a_pending_registration_shows_why_as_a_message(
    client_for, secretary, pending_registration, other_community
):
    response = client_for(secretary).post(
        reverse("cadres:registration-transfer", args=[pending_registration.pk]),
        {"community": other_community.pk},
    )

    assert response.status_code == 400
    assert "Only a confirmed registration can be transferred." in page_text(response)
    assert statuses() == {pending_registration.pk: RegistrationStatus.PENDING}


# --- history is not edited --------------------------------------------------------------------


@pytest.fixture
def returned_registration(pending_registration, secretary):
    services.registration_return(
        actor=secretary, registrations=[pending_registration], reason="不在本社区居住"
    )
    pending_registration.refresh_from_db()
    return pending_registration


def test_registration_save_refuses_a_returned_registration(secretary, returned_registration):
    returned_registration.room = "301"

    with pytest.raises(ValidationError) as caught:
        services.registration_save(actor=secretary, registration=returned_registration)

    assert caught.value.messages == ["A Returned registration is history and is not changed."]
    returned_registration.refresh_from_db()
    assert returned_registration.room == ""


def test_registration_save_refuses_a_transferred_registration(secretary, moved_away):
    old, _new = moved_away
    old.pioneer_post = "先锋岗"

    with pytest.raises(ValidationError):
        services.registration_save(actor=secretary, registration=old)

    old.refresh_from_db()
    assert old.pioneer_post == ""


@pytest.mark.parametrize("history", ["returned_registration", "moved_away"])
def test_patching_a_history_registration_in_the_api_is_400_and_changes_nothing(
    api_for, secretary, request, history
):
    registration = request.getfixturevalue(history)
    registration = registration[0] if isinstance(registration, tuple) else registration

    response = api_for(secretary).patch(
        f"/api/registrations/{registration.pk}/", {"room": "301"}, format="json"
    )

    assert response.status_code == 400
    assert "is history and is not changed" in response.content.decode()
    registration.refresh_from_db()
    assert registration.room == ""


def test_patching_an_open_registration_in_the_api_still_works(
    api_for, secretary, pending_registration
):
    response = api_for(secretary).patch(
        f"/api/registrations/{pending_registration.pk}/", {"room": "301"}, format="json"
    )

    assert response.status_code == 200
    pending_registration.refresh_from_db()
    assert pending_registration.room == "301"


# --- a work unit's whole tree -----------------------------------------------------------------


@pytest.fixture
def three_levels(county, community):
    """县直机关 → 县民政局 → 县民政局办公室, with a member registered at the bottom."""
    top = WorkUnitFactory(county=county, name="县直机关")
    middle = WorkUnitFactory(county=county, name="县民政局", parent=top)
    bottom = WorkUnitFactory(county=county, name="县民政局办公室", parent=middle)
    registration = RegistrationFactory(
        community=community, status="confirmed", cadre=CadreFactory(work_unit=bottom)
    )
    elsewhere = RegistrationFactory(community=community, cadre__work_unit__county=county)
    return top, registration, elsewhere


def test_the_work_unit_filter_takes_in_grandchildren(
    client_for, api_for, county_staff, three_levels
):
    top, registration, _elsewhere = three_levels

    page = client_for(county_staff).get(reverse("cadres:workbench"), {"work_unit": top.pk})
    registrations = api_for(county_staff).get("/api/registrations/", {"work_unit": top.pk})
    cadres = api_for(county_staff).get("/api/cadres/", {"work_unit": top.pk})

    assert workbench_rows(page) == [registration]
    assert api_ids(registrations) == {registration.pk}
    assert api_ids(cadres) == {registration.cadre_id}


def test_the_work_unit_page_lists_the_cadres_of_grandchildren(
    client_for, county_staff, three_levels
):
    top, registration, _elsewhere = three_levels

    response = client_for(county_staff).get(reverse("cadres:work-unit-detail", args=[top.pk]))

    assert list(response.context["cadres"]) == [registration.cadre]
    assert response.context["counts"] == {"total": 1, "registered": 1}
