"""The REST API of the supplies ledger: scope of every endpoint, recording and reversing entries,
the stock that cannot go below zero, bad input that stores nothing, parties added by name, the
methods that are refused, the caller's language, and query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from communities.choices import Role
from supplies import services
from supplies.models import Balance, LedgerEntry, Party, StockMovement
from tests.factories import (
    CommunityFactory,
    ItemFactory,
    OutsidePartyFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ENTRIES = "/api/ledger-entries/"
PARTIES = "/api/parties/"
ITEMS = "/api/items/"
BALANCES = "/api/balances/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def today():
    return timezone.localdate()


def ids_of(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def own_client(user) -> APIClient:
    """A client of its own (`api_for` re-authenticates one shared client)."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def messages(response, field: str) -> str:
    return " ".join(str(message) for message in response.json()[field])


@pytest.fixture
def far_secretary(far_community):
    return UserFactory(username="secretary3", role=Role.SECRETARY, area=far_community)


@pytest.fixture
def stock(give_stock, community, disinfectant):
    """100 bottles of disinfectant donated to the community."""
    return give_stock(community, disinfectant, 100)


@pytest.fixture
def balance(stock, party_of, community, disinfectant):
    return Balance.objects.get(holder=party_of(community), item=disinfectant)


@pytest.fixture
def secretary_api(api_for, secretary):
    return api_for(secretary)


def issue(party, item, quantity, /, **changes) -> dict:
    body = {
        "kind": "issue",
        "item": item.pk,
        "quantity": str(quantity),
        "from_party": party.pk,
        "recipient": "三号楼居民",
    }
    body.update(changes)
    return body


def donation(donor, party, item, /, **changes) -> dict:
    body = {
        "kind": "donation",
        "item": item.pk,
        "packs": "3",
        "from_party": donor.pk,
        "to_party": party.pk,
        "value": "600",
        "note": "某药业公司捐赠",
    }
    body.update(changes)
    return body


# --- the triad: anonymous refused, out of scope 404, the right user 200 ----------------------

OBJECTS = {
    "ledger-entries": "stock",
    "balances": "balance",
    "parties": "donor",
    "items": "disinfectant",
}


@pytest.mark.parametrize("endpoint", OBJECTS)
def test_anonymous_is_refused(endpoint, request, api_client):
    obj = request.getfixturevalue(OBJECTS[endpoint])

    assert api_client.get(f"/api/{endpoint}/").status_code == 401
    assert api_client.get(f"/api/{endpoint}/{obj.pk}/").status_code == 401
    assert api_client.post(f"/api/{endpoint}/", {}, format="json").status_code == 401


@pytest.mark.parametrize("endpoint", ["ledger-entries", "balances", "parties"])
def test_another_countys_secretary_gets_404_and_no_row(endpoint, request, api_for, far_secretary):
    obj = request.getfixturevalue(OBJECTS[endpoint])
    api = api_for(far_secretary)

    assert api.get(f"/api/{endpoint}/{obj.pk}/").status_code == 404
    assert obj.pk not in ids_of(api.get(f"/api/{endpoint}/"))


@pytest.mark.parametrize("endpoint", ["ledger-entries", "balances"])
def test_the_neighbouring_communitys_secretary_gets_404(
    endpoint, request, api_for, other_secretary
):
    obj = request.getfixturevalue(OBJECTS[endpoint])
    api = api_for(other_secretary)

    assert api.get(f"/api/{endpoint}/{obj.pk}/").status_code == 404
    assert obj.pk not in ids_of(api.get(f"/api/{endpoint}/"))


@pytest.mark.parametrize("endpoint", OBJECTS)
@pytest.mark.parametrize("user", ["secretary", "township_staff", "county_staff", "admin_user"])
def test_the_holders_staff_read_list_and_detail(endpoint, user, request, api_for):
    obj = request.getfixturevalue(OBJECTS[endpoint])
    api = api_for(request.getfixturevalue(user))

    detail = api.get(f"/api/{endpoint}/{obj.pk}/")

    assert detail.status_code == 200
    assert detail.json()["id"] == obj.pk
    assert obj.pk in ids_of(api.get(f"/api/{endpoint}/"))


def test_items_are_the_same_catalogue_for_everyone_signed_in(api_for, far_secretary, disinfectant):
    response = api_for(far_secretary).get(ITEMS, {"q": "消毒"}, **EN)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["name"] == "消毒液"
    assert row["unit"] == "ping"
    assert row["pack_size"] == 20
    assert row["pack_label"] == "cases = 20 bottles"


# --- methods refused --------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["ledger-entries", "parties"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_entries_and_parties_are_never_changed_or_deleted(
    endpoint, method, request, api_for, admin_user
):
    obj = request.getfixturevalue(OBJECTS[endpoint])
    count = type(obj).objects.count()

    response = getattr(api_for(admin_user), method)(
        f"/api/{endpoint}/{obj.pk}/", {"note": "改一改", "name": "改名"}, format="json"
    )

    assert response.status_code == 405
    assert type(obj).objects.count() == count
    obj.refresh_from_db()
    assert getattr(obj, "note", "") != "改一改"
    assert getattr(obj, "name", "") != "改名"


@pytest.mark.parametrize("endpoint", ["items", "balances"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_items_and_balances_are_read_only(endpoint, method, request, api_for, admin_user):
    obj = request.getfixturevalue(OBJECTS[endpoint])
    url = f"/api/{endpoint}/" if method == "post" else f"/api/{endpoint}/{obj.pk}/"

    response = getattr(api_for(admin_user), method)(url, {"quantity": "5"}, format="json")

    assert response.status_code == 405


# --- recording --------------------------------------------------------------------------------


def test_a_donation_in_packs_is_recorded_in_units_with_its_voucher_and_effect(
    secretary_api, donor, party_of, community, disinfectant
):
    holder = party_of(community)

    response = secretary_api.post(ENTRIES, donation(donor, holder, disinfectant), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    entry = LedgerEntry.objects.get(pk=body["id"])
    assert body["voucher"] == f"{today().year}-{entry.number:06d}"
    assert (body["year"], body["number"]) == (entry.year, entry.number)
    assert body["entry_date"] == today().isoformat()
    assert Decimal(body["quantity"]) == 60
    assert Decimal(body["packs"]) == 3
    assert Decimal(body["net_quantity"]) == 60
    assert Decimal(body["value"]) == 600
    assert body["from_party_name"] == "铁岭某药业公司"
    assert body["to_party_name"] == "水木华园社区"
    assert body["recorded_by_name"] == "secretary"
    [movement] = body["movements"]
    assert movement["holder"] == holder.pk
    assert Decimal(movement["quantity"]) == 60
    assert Decimal(movement["balance_after"]) == 60
    assert Balance.objects.get(holder=holder, item=disinfectant).quantity == 60


def test_entries_recorded_one_after_another_get_consecutive_vouchers(
    secretary_api, donor, party_of, community, disinfectant
):
    body = donation(donor, party_of(community), disinfectant)

    first = secretary_api.post(ENTRIES, body, format="json").json()
    second = secretary_api.post(ENTRIES, body, format="json").json()

    assert second["number"] == first["number"] + 1
    assert second["year"] == first["year"]


def test_a_hand_out_lowers_the_balance_and_shows_it(
    secretary_api, stock, party_of, community, disinfectant
):
    holder = party_of(community)

    response = secretary_api.post(ENTRIES, issue(holder, disinfectant, 30), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["receiver_name"] == "三号楼居民"
    [movement] = body["movements"]
    assert Decimal(movement["quantity"]) == -30
    assert Decimal(movement["balance_after"]) == 70
    assert Balance.objects.get(holder=holder, item=disinfectant).quantity == 70


def test_cash_may_come_in_fractions_of_a_yuan(
    api_for, county_staff, county, donor, party_of, money
):
    response = api_for(county_staff).post(
        ENTRIES,
        {
            "kind": "donation",
            "item": money.pk,
            "quantity": "650000.50",
            "from_party": donor.pk,
            "to_party": party_of(county).pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Decimal(response.json()["quantity"]) == Decimal("650000.50")
    assert response.json()["is_money"] is True


def test_a_team_records_what_it_coordinated_for_a_community(
    api_for, team_member, team, donor, party_of, community, disinfectant, secretary
):
    response = api_for(team_member).post(
        ENTRIES,
        {
            "kind": "coordination",
            "item": disinfectant.pk,
            "quantity": "40",
            "to_party": party_of(community).pk,
            "team": team.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["team_name"] == team.name
    # The team keeps no books of the community: it does not see the community's stock …
    assert body["movements"] == []
    # … which the community's secretary does.
    seen = own_client(secretary).get(f"{ENTRIES}{body['id']}/").json()
    assert Decimal(seen["movements"][0]["balance_after"]) == 40


def test_a_transfer_shows_each_side_only_to_whoever_keeps_its_books(
    api_for, township_staff, give_stock, township, community, party_of, disinfectant, secretary
):
    give_stock(township, disinfectant, 50)
    township_party, community_party = party_of(township), party_of(community)

    response = api_for(township_staff).post(
        ENTRIES,
        {
            "kind": "transfer",
            "item": disinfectant.pk,
            "quantity": "20",
            "from_party": township_party.pk,
            "to_party": community_party.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    effect = {m["holder"]: Decimal(m["balance_after"]) for m in response.json()["movements"]}
    assert effect == {township_party.pk: 30, community_party.pk: 20}
    seen = own_client(secretary).get(f"{ENTRIES}{response.json()['id']}/").json()
    assert [m["holder"] for m in seen["movements"]] == [community_party.pk]


# --- the stock never goes below zero ----------------------------------------------------------


def test_handing_out_more_than_is_held_is_refused_with_the_balance(
    secretary_api, stock, party_of, community, disinfectant
):
    holder = party_of(community)
    entries = LedgerEntry.objects.count()

    response = secretary_api.post(ENTRIES, issue(holder, disinfectant, 101), format="json", **EN)

    assert response.status_code == 400
    message = messages(response, "quantity")
    assert "holds only 100" in message
    assert "101" in message
    assert LedgerEntry.objects.count() == entries
    assert Balance.objects.get(holder=holder, item=disinfectant).quantity == 100


def test_over_issue_names_the_balance_in_chinese_too(
    secretary_api, stock, party_of, community, disinfectant
):
    response = secretary_api.post(
        ENTRIES, issue(party_of(community), disinfectant, 150), format="json", **ZH
    )

    assert response.status_code == 400
    assert "100" in messages(response, "quantity")


def test_a_lost_race_is_a_409_that_stores_nothing(
    secretary_api, stock, party_of, community, disinfectant, monkeypatch
):
    def lose(**kwargs):
        raise IntegrityError("supplies_balance_not_negative")

    monkeypatch.setattr(services, "entry_record", lose)

    response = secretary_api.post(
        ENTRIES, issue(party_of(community), disinfectant, 1), format="json", **EN
    )

    assert response.status_code == 409
    assert "changed meanwhile" in response.json()["detail"]


# --- bad input stores nothing -----------------------------------------------------------------

BAD_BODIES = {
    "quantity not a number": ({"quantity": "很多"}, "quantity"),
    "quantity a list": ({"quantity": [1, 2]}, "quantity"),
    "negative quantity": ({"quantity": "-5"}, "quantity"),
    "zero quantity": ({"quantity": "0"}, "quantity"),
    "fraction of a bottle": ({"quantity": "1.5"}, "quantity"),
    "three decimals": ({"quantity": "1.125"}, "quantity"),
    "too many digits": ({"quantity": "1" * 20}, "quantity"),
    "not a number at all": ({"quantity": "NaN"}, "quantity"),
    "no quantity": ({"quantity": None}, "quantity"),
    "packs and quantity disagree": ({"packs": "2", "quantity": "30"}, "quantity"),
    "negative packs": ({"packs": "-1", "quantity": None}, "quantity"),
    "negative value": ({"value": "-1"}, "value"),
    "unknown kind": ({"kind": "theft"}, "kind"),
    "no kind": ({"kind": None}, "kind"),
    "item not an id": ({"item": "消毒液"}, "item"),
    "unknown item": ({"item": 999999}, "item"),
    "bad date": ({"entry_date": "2020-02-30"}, "entry_date"),
    "future date": ({"entry_date": (timezone.localdate() + timedelta(days=2)).isoformat()}, None),
    "no giver": ({"from_party": None}, "from_party"),
    "no receiver": ({"recipient": ""}, "to_party"),
    "giver not an id": ({"from_party": "水木华园社区"}, "from_party"),
    "overlong recipient": ({"recipient": "人" * 101}, "recipient"),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_input_is_a_400_that_stores_nothing(
    case, secretary_api, stock, party_of, community, disinfectant
):
    changes, field = BAD_BODIES[case]
    body = issue(party_of(community), disinfectant, 5, **changes)
    body = {name: value for name, value in body.items() if value is not None}
    entries, movements = LedgerEntry.objects.count(), StockMovement.objects.count()

    response = secretary_api.post(ENTRIES, body, format="json")

    assert response.status_code == 400, response.content
    assert field is None or field in response.json(), response.json()
    assert LedgerEntry.objects.count() == entries
    assert StockMovement.objects.count() == movements
    assert Balance.objects.get(holder=party_of(community), item=disinfectant).quantity == 100


def test_a_future_date_is_refused_on_the_date(
    secretary_api, stock, party_of, community, disinfectant
):
    tomorrow = (today() + timedelta(days=1)).isoformat()

    response = secretary_api.post(
        ENTRIES, issue(party_of(community), disinfectant, 5, entry_date=tomorrow), format="json"
    )

    assert response.status_code == 400
    assert "entry_date" in response.json()


def test_a_body_that_is_not_an_object_is_a_400(secretary_api, stock):
    response = secretary_api.post(ENTRIES, [1, 2, 3], format="json")

    assert response.status_code == 400


@pytest.mark.parametrize("field", ["from_party", "to_party"])
def test_a_party_of_another_county_reads_as_unknown(
    field, secretary_api, far_community, party_of, community, disinfectant
):
    far_donor = OutsidePartyFactory(county=far_community.parent.parent, name="外县企业")
    parties = {"from_party": far_donor, "to_party": party_of(far_community)}
    body = donation(
        OutsidePartyFactory(county=community.parent.parent),
        party_of(community),
        disinfectant,
        **{field: parties[field].pk},
    )

    response = secretary_api.post(ENTRIES, body, format="json", **EN)

    assert response.status_code == 400
    assert "does not exist" in messages(response, field)
    assert not LedgerEntry.objects.exists()


def test_a_team_of_another_county_reads_as_unknown(
    secretary_api, far_community, party_of, community, disinfectant
):
    far_team = TeamFactory(county=far_community.parent.parent)
    body = {
        "kind": "coordination",
        "item": disinfectant.pk,
        "quantity": "5",
        "to_party": party_of(community).pk,
        "team": far_team.pk,
    }

    response = secretary_api.post(ENTRIES, body, format="json")

    assert response.status_code == 400
    assert "team" in response.json()
    assert not LedgerEntry.objects.exists()


def test_a_holder_whose_books_the_caller_does_not_keep_is_403(
    secretary_api, donor, party_of, other_community, disinfectant
):
    body = donation(donor, party_of(other_community), disinfectant)

    response = secretary_api.post(ENTRIES, body, format="json")

    assert response.status_code == 403
    assert not LedgerEntry.objects.exists()


def test_field_errors_follow_the_callers_language(secretary_api, stock, party_of, community):
    item = ItemFactory(name="口罩")
    body = issue(party_of(community), item, "很多")

    english = secretary_api.post(ENTRIES, body, format="json", **EN)
    chinese = secretary_api.post(ENTRIES, body, format="json", **ZH)
    default = secretary_api.post(ENTRIES, body, format="json")

    assert messages(english, "quantity") == "A valid number is required."
    assert messages(chinese, "quantity") == "请填写合法的数字。"
    assert messages(default, "quantity") == "请填写合法的数字。"


def test_an_unknown_party_is_named_in_the_callers_language(secretary_api, stock, disinfectant):
    body = issue(Party(pk=999999), disinfectant, 1)

    english = secretary_api.post(ENTRIES, body, format="json", **EN)
    chinese = secretary_api.post(ENTRIES, body, format="json", **ZH)

    assert "object does not exist" in messages(english, "from_party")
    assert "对象不存在" in messages(chinese, "from_party")


# --- reversing --------------------------------------------------------------------------------


def test_reversing_an_entry_records_the_opposite_and_both_stay(
    secretary_api, stock, party_of, community, disinfectant
):
    handed = secretary_api.post(
        ENTRIES, issue(party_of(community), disinfectant, 30), format="json"
    ).json()

    response = secretary_api.post(
        f"{ENTRIES}{handed['id']}/reverse/", {"note": "数量记错"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reverses"] == handed["id"]
    assert body["reverses_voucher"] == handed["voucher"]
    assert body["note"] == "数量记错"
    assert Decimal(body["net_quantity"]) == -30
    assert Decimal(body["movements"][0]["balance_after"]) == 100
    original = secretary_api.get(f"{ENTRIES}{handed['id']}/").json()
    assert original["reversed_by"] == body["id"]
    assert original["reversed_by_voucher"] == body["voucher"]
    assert Balance.objects.get(holder=party_of(community), item=disinfectant).quantity == 100


def test_an_entry_is_reversed_once_only(secretary_api, stock):
    first = secretary_api.post(f"{ENTRIES}{stock.pk}/reverse/", {"note": "重复登记"}, format="json")
    entries = LedgerEntry.objects.count()

    again = secretary_api.post(
        f"{ENTRIES}{stock.pk}/reverse/", {"note": "重复登记"}, format="json", **EN
    )
    of_reversal = secretary_api.post(
        f"{ENTRIES}{first.json()['id']}/reverse/", {"note": "撤回"}, format="json"
    )

    assert first.status_code == 201
    assert again.status_code == 400
    assert first.json()["voucher"] in str(again.json())
    assert of_reversal.status_code == 400
    assert LedgerEntry.objects.count() == entries


def test_a_donation_already_handed_out_cannot_be_reversed(
    secretary_api, stock, party_of, community, disinfectant
):
    secretary_api.post(ENTRIES, issue(party_of(community), disinfectant, 30), format="json")

    response = secretary_api.post(
        f"{ENTRIES}{stock.pk}/reverse/", {"note": "捐赠登记错了"}, format="json", **EN
    )

    assert response.status_code == 400
    assert "holds only 70" in messages(response, "quantity")


@pytest.mark.parametrize("body", [{"note": "   "}, {}])
def test_a_reversal_needs_a_reason(body, secretary_api, stock):
    response = secretary_api.post(f"{ENTRIES}{stock.pk}/reverse/", body, format="json")

    assert response.status_code == 400
    assert "note" in response.json()
    assert not LedgerEntry.objects.filter(reverses=stock).exists()


@pytest.mark.parametrize("user", ["other_secretary", "far_secretary"])
def test_an_entry_out_of_view_cannot_be_reversed(user, request, api_for, stock):
    api = api_for(request.getfixturevalue(user))

    response = api.post(f"{ENTRIES}{stock.pk}/reverse/", {"note": "不是我的"}, format="json")

    assert response.status_code == 404
    assert not LedgerEntry.objects.filter(reverses=stock).exists()


def test_an_entry_seen_but_written_in_others_books_cannot_be_reversed(
    secretary,
    secretary_api,
    township_staff,
    give_stock,
    township,
    community,
    party_of,
    disinfectant,
):
    # The community sees what the township transferred to it; the township's books hold it.
    give_stock(township, disinfectant, 50)
    transfer = services.entry_record(
        actor=township_staff,
        kind="transfer",
        line=services.EntryLine(item=disinfectant, quantity=Decimal(20)),
        entry_date=today(),
        from_party=party_of(township),
        to_party=party_of(community),
    )

    assert secretary_api.get(f"{ENTRIES}{transfer.pk}/").status_code == 200
    response = secretary_api.post(f"{ENTRIES}{transfer.pk}/reverse/", {"note": "x"}, format="json")

    assert response.status_code == 403
    assert not LedgerEntry.objects.filter(reverses=transfer).exists()


# --- filters ----------------------------------------------------------------------------------


def test_the_ledger_filters_by_kind_party_and_voucher(
    secretary_api, stock, party_of, community, disinfectant
):
    handed = secretary_api.post(
        ENTRIES, issue(party_of(community), disinfectant, 5), format="json"
    ).json()

    issues = secretary_api.get(ENTRIES, {"kind": "issue"})
    by_voucher = secretary_api.get(ENTRIES, {"q": handed["voucher"]})
    by_donor = secretary_api.get(ENTRIES, {"party": stock.from_party_id})

    assert ids_of(issues) == {handed["id"]}
    assert ids_of(by_voucher) == {handed["id"]}
    assert ids_of(by_donor) == {stock.pk}


def test_a_filter_value_out_of_view_is_a_400(secretary_api, stock, far_community, party_of):
    response = secretary_api.get(ENTRIES, {"party": party_of(far_community).pk})

    assert response.status_code == 400


def test_balances_show_holder_item_unit_and_quantity(secretary_api, balance, party_of, community):
    response = secretary_api.get(BALANCES, {"holder": party_of(community).pk})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["holder_name"] == "水木华园社区"
    assert row["item_name"] == "消毒液"
    assert row["unit"] == "ping"
    assert Decimal(row["quantity"]) == 100


# --- parties ----------------------------------------------------------------------------------


def test_a_secretary_adds_a_donor_of_their_county(secretary_api, county):
    response = secretary_api.post(
        PARTIES, {"kind": "individual", "name": " 李潇潇 ", "anonymous": True}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    party = Party.objects.get(pk=body["id"])
    assert (party.kind, party.name, party.county, party.anonymous) == (
        "individual",
        "李潇潇",
        county,
        True,
    )
    assert body["name"] == "李潇潇"
    assert body["county"] == county.pk
    assert body["holds_stock"] is False


def test_parties_show_what_holders_stand_for(secretary_api, party_of, community):
    response = secretary_api.get(f"{PARTIES}{party_of(community).pk}/")

    body = response.json()
    assert (body["kind"], body["name"], body["holds_stock"]) == ("community", "水木华园社区", True)


def test_a_donor_name_taken_in_the_county_is_a_400(secretary_api, donor):
    response = secretary_api.post(
        PARTIES, {"kind": "enterprise", "name": donor.name}, format="json"
    )

    assert response.status_code == 400
    assert "name" in response.json()
    assert Party.objects.filter(name=donor.name).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "community", "name": "新社区"},
        {"kind": "enterprise", "name": ""},
        {"kind": "enterprise"},
        {"kind": "enterprise", "name": "企" * 101},
        {"kind": "enterprise", "name": "某企业", "anonymous": "也许"},
    ],
)
def test_bad_parties_are_refused(body, secretary_api, county):
    parties = Party.objects.count()

    response = secretary_api.post(PARTIES, body, format="json")

    assert response.status_code == 400
    assert Party.objects.count() == parties


def test_a_party_in_another_county_reads_as_unknown(secretary_api, far_community):
    response = secretary_api.post(
        PARTIES,
        {"kind": "enterprise", "name": "外县企业", "county": far_community.parent.parent.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "county" in response.json()
    assert not Party.objects.filter(name="外县企业").exists()


def test_whoever_sees_several_counties_names_one(api_for, admin_user, county, far_community):
    api = api_for(admin_user)

    unnamed = api.post(PARTIES, {"kind": "enterprise", "name": "某企业"}, format="json")
    named = api.post(
        PARTIES, {"kind": "enterprise", "name": "某企业", "county": county.pk}, format="json"
    )

    assert unnamed.status_code == 400
    assert "county" in unnamed.json()
    assert named.status_code == 201


# --- query counts -----------------------------------------------------------------------------


def _fill(size: int, county, township, give_stock, party_of, admin_user):
    """`size` communities of the township, each with two goods donated, one handed out and one
    reversed."""
    for n in range(size):
        community = CommunityFactory(parent=township)
        for item in (ItemFactory(), ItemFactory(unit="xiang")):
            give_stock(community, item, 10)
        handed = services.entry_record(
            actor=admin_user,
            kind="issue",
            line=services.EntryLine(item=item, quantity=Decimal(3)),
            entry_date=today(),
            from_party=party_of(community),
            recipient=f"居民{n}",
        )
        services.entry_reverse(actor=admin_user, entry=handed, note="记错")


LIST_BOUND = {ENTRIES: 5, BALANCES: 4, PARTIES: 4, ITEMS: 3}


@pytest.mark.parametrize("url", LIST_BOUND)
@pytest.mark.parametrize("size", [1, 12])
def test_list_query_count_does_not_grow_with_rows(
    url,
    size,
    api_for,
    township_staff,
    county,
    township,
    give_stock,
    party_of,
    admin_user,
    django_assert_max_num_queries,
):
    _fill(size, county, township, give_stock, party_of, admin_user)
    api = api_for(township_staff)

    with django_assert_max_num_queries(LIST_BOUND[url]):
        response = api.get(url)

    assert response.status_code == 200
    assert response.json()["count"] >= size
