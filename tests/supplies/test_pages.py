"""The supplies pages: who sees what; quick entry of an arrival and a hand-out, all lines or
none; reversing from an entry's page; the receipt, the totals and the public notice; query
counts pinned at two sizes."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from supplies.models import Balance, LedgerEntry, Party
from tests.factories import ItemFactory, OutsidePartyFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English, whatever the Chinese catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def masks(db):
    return ItemFactory(name="口罩", category="protection", unit="ge")


@pytest.fixture
def stocked(give_stock, community, disinfectant):
    """40 bottles of disinfectant donated to the community."""
    return give_stock(community, disinfectant, 40)


def balance(party, item) -> Decimal:
    row = Balance.objects.filter(holder=party, item=item).first()
    return row.quantity if row else Decimal(0)


def record_url(kind: str) -> str:
    return reverse("supplies:record", args=[kind])


def lines(*rows: dict) -> dict:
    """The formset's fields: the given lines, the rest of the five left empty."""
    data = {
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "5",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if name == "in_packs":
                if value:
                    data[f"lines-{index}-in_packs"] = "on"
                continue
            data[f"lines-{index}-{name}"] = value
    return data


def donation(to_party, *rows, donor="铁岭某药业公司", **extra) -> dict:
    return {
        "entry-entry_date": TODAY().isoformat(),
        "entry-donor_name": donor,
        "entry-donor_kind": "enterprise",
        "entry-to_party": to_party.pk,
        "entry-note": "",
        **extra,
        **lines(*rows),
    }


def hand_out(from_party, *rows, recipient="一生活区居民") -> dict:
    return {
        "entry-entry_date": TODAY().isoformat(),
        "entry-from_party": from_party.pk,
        "entry-recipient": recipient,
        **lines(*rows),
    }


def line_of(item, quantity, **extra) -> dict:
    from supplies.forms import item_label

    return {"item": item_label(item), "quantity": str(quantity), **extra}


# --- who sees what ----------------------------------------------------------------------------


def pages(entry) -> list[str]:
    return [
        reverse("supplies:ledger"),
        *(record_url(kind) for kind in ("donation", "coordination", "transfer", "issue")),
        reverse("supplies:entry-detail", args=[entry.pk]),
        reverse("supplies:receipt", args=[entry.pk]),
        reverse("supplies:balances"),
        reverse("supplies:totals"),
    ]


def test_every_page_but_the_notice_needs_login(client, stocked, community):
    for url in pages(stocked):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))
    assert client.get(reverse("supplies:notice", args=[community.pk])).status_code == 200


def test_the_secretary_sees_every_page(client_for, secretary, stocked, community):
    client = client_for(secretary)
    for url in [*pages(stocked), reverse("supplies:notice", args=[community.pk])]:
        assert client.get(url).status_code == 200, url


def test_another_communitys_secretary_gets_404_for_the_entry_and_receipt(
    client_for, other_secretary, stocked
):
    client = client_for(other_secretary)
    for name in ("supplies:entry-detail", "supplies:receipt"):
        assert client.get(reverse(name, args=[stocked.pk])).status_code == 404, name
    response = client.post(reverse("supplies:entry-detail", args=[stocked.pk]), {"note": "录错了"})
    assert response.status_code == 404
    assert not LedgerEntry.objects.filter(reverses=stocked).exists()
    assert list(client.get(reverse("supplies:ledger")).context["entries"]) == []
    assert list(client.get(reverse("supplies:balances")).context["balances"]) == []


def test_an_account_keeping_no_books_cannot_open_quick_entry(client_for, db):
    nobody = UserFactory(username="nobody", role="", area=None)
    client = client_for(nobody)
    assert client.get(record_url("donation")).status_code == 404
    assert client.get(reverse("supplies:ledger")).status_code == 200


def test_unknown_kind_and_area_levels_without_a_notice_are_404(client_for, secretary, county):
    client = client_for(secretary)
    assert client.get(record_url("theft")).status_code == 404
    city = county.parent
    assert client.get(reverse("supplies:notice", args=[city.pk])).status_code == 404
    assert client.get(reverse("supplies:notice", args=[999999])).status_code == 404


def test_the_navigation_and_sub_navigation_lead_to_the_ledger(client_for, secretary):
    response = client_for(secretary).get(reverse("supplies:ledger"))
    content = response.content.decode()
    assert f'href="{reverse("supplies:ledger")}"' in content
    assert f'href="{record_url("issue")}"' in content
    assert f'href="{reverse("supplies:notice", args=[secretary.area_id])}"' in content


# --- quick entry ------------------------------------------------------------------------------


def test_the_item_box_offers_the_catalogue_with_units_and_packs(
    client_for, secretary, disinfectant
):
    response = client_for(secretary).get(record_url("donation"))
    assert "消毒液 500毫升 (bottles; cases = 20 bottles)" in response.content.decode()
    with translation.override("zh-hans"):
        from supplies.forms import item_label

        label = item_label(disinfectant)
    assert label.startswith("消毒液 500毫升")


def test_an_arrival_of_two_items_is_two_entries_of_one_batch(
    client_for, secretary, community, party_of, disinfectant, masks
):
    client = client_for(secretary)
    holder = party_of(community)
    response = client.post(
        record_url("donation"),
        donation(holder, line_of(disinfectant, 2, in_packs=True, value="300"), line_of(masks, 500)),
    )
    entries = list(LedgerEntry.objects.order_by("number"))
    assert len(entries) == 2
    assert response.status_code == 302
    assert response.url == reverse("supplies:entry-detail", args=[entries[0].pk])
    first, second = entries
    assert first.batch == second.batch is not None
    assert second.number == first.number + 1
    assert (first.quantity, first.packs, first.value) == (40, 2, 300)
    assert first.from_party.name == "铁岭某药业公司"
    assert first.from_party.kind == "enterprise"
    assert balance(holder, disinfectant) == 40
    assert balance(holder, masks) == 500
    page = client.get(response.url)
    assert [entry.pk for entry in page.context["batch"]] == [second.pk]
    assert f"Recorded: vouchers {first.voucher}、{second.voucher}." in page.content.decode()


def test_a_known_donor_is_reused_and_can_ask_to_stay_anonymous(
    client_for, secretary, community, party_of, donor, masks
):
    client = client_for(secretary)
    response = client.post(
        record_url("donation"),
        donation(
            party_of(community),
            line_of(masks, 100),
            donor=donor.name,
            **{"entry-donor_anonymous": "on", "entry-donor_kind": "individual"},
        ),
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert entry.from_party == donor
    donor.refresh_from_db()
    assert donor.anonymous


def test_a_hand_out_beyond_the_balance_shows_it_and_stores_nothing(
    client_for, secretary, community, party_of, stocked, disinfectant
):
    client = client_for(secretary)
    holder = party_of(community)
    response = client.post(record_url("issue"), hand_out(holder, line_of(disinfectant, 41)))
    assert response.status_code == 400
    line = response.context["lines"].forms[0]
    assert "holds only 40 bottles of 消毒液; 41 cannot be given out" in str(line.errors)
    assert "holds only 40" in response.content.decode()
    assert LedgerEntry.objects.count() == 1
    assert balance(holder, disinfectant) == 40


def test_a_bad_line_keeps_the_others_and_a_new_donor_unsaved(
    client_for, secretary, community, party_of, disinfectant, masks
):
    client = client_for(secretary)
    response = client.post(
        record_url("donation"),
        donation(
            party_of(community),
            line_of(masks, 100),
            line_of(disinfectant, "1.5"),
            donor="新来的捐赠企业",
        ),
    )
    assert response.status_code == 400
    forms = response.context["lines"].forms
    assert not forms[0].errors
    assert "counted in whole bottles" in str(forms[1].errors["quantity"])
    assert LedgerEntry.objects.count() == 0
    assert not Party.objects.filter(name="新来的捐赠企业").exists()
    # What was typed is still there, to be corrected.
    assert forms[0]["quantity"].value() == "100"


def test_an_unknown_item_or_a_missing_quantity_is_shown_on_its_line(
    client_for, secretary, community, party_of, masks
):
    client = client_for(secretary)
    response = client.post(
        record_url("donation"),
        donation(party_of(community), {"item": "不存在的东西", "quantity": "3"}, {"item": "口罩"}),
    )
    assert response.status_code == 400
    forms = response.context["lines"].forms
    assert "Choose an item from the list." in str(forms[0].errors["item"])
    assert "Give the quantity." in str(forms[1].errors["quantity"])
    assert LedgerEntry.objects.count() == 0


def test_no_line_at_all_is_refused(client_for, secretary, community, party_of):
    response = client_for(secretary).post(record_url("donation"), donation(party_of(community)))
    assert response.status_code == 400
    assert "Add at least one item." in str(response.context["form"].non_field_errors())


def test_header_errors_show_once_on_the_header(
    client_for, secretary, community, party_of, masks, disinfectant
):
    tomorrow = (TODAY() + timezone.timedelta(days=1)).isoformat()
    data = donation(party_of(community), line_of(masks, 1), line_of(disinfectant, 1))
    data["entry-entry_date"] = tomorrow
    response = client_for(secretary).post(record_url("donation"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["entry_date"] == ["The date cannot be in the future."]
    assert LedgerEntry.objects.count() == 0


def test_another_communitys_holder_cannot_be_chosen(
    client_for, secretary, other_community, party_of, masks
):
    response = client_for(secretary).post(
        record_url("donation"), donation(party_of(other_community), line_of(masks, 5))
    )
    assert response.status_code == 400
    assert "to_party" in response.context["form"].errors
    assert LedgerEntry.objects.count() == 0


def test_garbage_and_a_forged_formset_are_400s(client_for, secretary, community, party_of, masks):
    client = client_for(secretary)
    data = donation(party_of(community), line_of(masks, "x" * 30))
    data["entry-entry_date"] = "yesterday"
    assert client.post(record_url("donation"), data).status_code == 400
    data = donation(party_of(community), line_of(masks, 1))
    data["lines-TOTAL_FORMS"] = "500"
    assert client.post(record_url("donation"), data).status_code == 400
    del data["lines-TOTAL_FORMS"]
    assert client.post(record_url("donation"), data).status_code == 400
    assert LedgerEntry.objects.count() == 0


def test_a_transfer_and_a_coordination_from_the_township(
    client_for, township_staff, township, community, party_of, team, give_stock, masks
):
    give_stock(township, masks, 100)
    client = client_for(township_staff)
    response = client.post(
        record_url("transfer"),
        {
            "entry-entry_date": TODAY().isoformat(),
            "entry-from_party": party_of(township).pk,
            "entry-to_party": party_of(community).pk,
            **lines(line_of(masks, 30)),
        },
    )
    assert response.status_code == 302
    assert balance(party_of(township), masks) == 70
    assert balance(party_of(community), masks) == 30
    response = client.post(
        record_url("coordination"),
        {
            "entry-entry_date": TODAY().isoformat(),
            "entry-team": "",
            "entry-donor_name": "",
            "entry-donor_kind": "enterprise",
            "entry-to_party": party_of(township).pk,
            **lines(line_of(masks, 5)),
        },
    )
    assert response.status_code == 400
    assert "team" in response.context["form"].errors
    response = client.post(
        record_url("coordination"),
        {
            "entry-entry_date": TODAY().isoformat(),
            "entry-team": team.pk,
            "entry-donor_name": "",
            "entry-donor_kind": "enterprise",
            "entry-to_party": party_of(township).pk,
            **lines(line_of(masks, 5)),
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="coordination")
    assert (entry.team, entry.from_party) == (team, None)
    assert balance(party_of(township), masks) == 75


# --- an entry, its reversal, its receipt ------------------------------------------------------


def test_reversing_a_hand_out_from_its_page_puts_the_stock_back(
    client_for, secretary, community, party_of, stocked, disinfectant
):
    client = client_for(secretary)
    holder = party_of(community)
    client.post(record_url("issue"), hand_out(holder, line_of(disinfectant, 15)))
    issued = LedgerEntry.objects.get(kind="issue")
    assert balance(holder, disinfectant) == 25
    url = reverse("supplies:entry-detail", args=[issued.pk])

    response = client.post(url, {"note": " "})
    assert response.status_code == 400
    assert "note" in response.context["form"].errors

    response = client.post(url, {"note": "数量录错"})
    assert response.status_code == 302
    reversal = LedgerEntry.objects.get(reverses=issued)
    assert balance(holder, disinfectant) == 40
    page = client.get(url).content.decode()
    assert f"Reversed by {reversal.voucher}" in page
    assert "Reverse this entry" not in page
    ledger = client.get(reverse("supplies:ledger")).content.decode()
    assert f"Reverses {issued.voucher}" in ledger
    # Reversing twice is refused on the page, not with a 500.
    response = client.post(url, {"note": "again"})
    assert response.status_code == 400
    assert f"{reversal.voucher} already reverses" in response.content.decode()


def test_the_receipt_lists_the_arrival_and_its_totals(
    client_for, secretary, community, party_of, disinfectant, masks, money
):
    client = client_for(secretary)
    client.post(
        record_url("donation"),
        donation(
            party_of(community),
            line_of(disinfectant, 2, in_packs=True, value="300"),
            line_of(masks, 500, value="250.5"),
            line_of(money, 10000),
        ),
    )
    first = LedgerEntry.objects.order_by("number").first()
    response = client.get(reverse("supplies:receipt", args=[first.pk]))
    assert response.status_code == 200
    assert len(response.context["lines"]) == 3
    assert response.context["value_total"] == Decimal("550.5")
    assert response.context["money_total"] == 10000
    content = response.content.decode()
    assert "铁岭某药业公司" in content
    assert "Donation receipt" in content
    assert "Donor (signature or seal)" in content
    assert "、".join(entry.voucher for entry in LedgerEntry.objects.order_by("number")) in content


def test_a_hand_out_has_no_receipt(
    client_for, secretary, community, party_of, stocked, disinfectant
):
    client = client_for(secretary)
    client.post(record_url("issue"), hand_out(party_of(community), line_of(disinfectant, 1)))
    issued = LedgerEntry.objects.get(kind="issue")
    assert client.get(reverse("supplies:receipt", args=[issued.pk])).status_code == 404


# --- lists, totals, notice --------------------------------------------------------------------


def test_the_ledger_filtered_by_a_holder_shows_its_running_balance(
    client_for, secretary, community, party_of, stocked, disinfectant
):
    client = client_for(secretary)
    holder = party_of(community)
    client.post(record_url("issue"), hand_out(holder, line_of(disinfectant, 15)))
    response = client.get(reverse("supplies:ledger"), {"party": holder.pk})
    assert [entry.balance_after for entry in response.context["entries"]] == [25, 40]
    assert client.get(reverse("supplies:ledger"), {"date": "soon"}).status_code == 400


def test_totals_by_donor_keep_goods_and_money_apart(
    client_for, county_staff, community, give_stock, disinfectant, money, donor
):
    give_stock(community, disinfectant, 40)
    give_stock(community, money, 650000)
    client = client_for(county_staff)
    response = client.get(reverse("supplies:totals"), {"by": "donor"})
    assert response.status_code == 200
    totals = response.context["totals"]
    assert [(row.label, row.quantity) for row in totals.goods] == [(donor.name, 40)]
    assert [(row.label, row.quantity) for row in totals.money] == [(donor.name, 650000)]
    assert client.get(reverse("supplies:totals"), {"by": "weather"}).status_code == 400


def test_the_notice_hides_an_anonymous_donor_and_private_names(
    client, community, give_stock, disinfectant, masks, county
):
    hidden = OutsidePartyFactory(county=county, name="不愿具名的公司", anonymous=True)
    person = OutsidePartyFactory(county=county, name="李潇潇", kind="individual")
    give_stock(community, disinfectant, 40, from_party=hidden)
    give_stock(community, masks, 100, from_party=person)
    response = client.get(reverse("supplies:notice", args=[community.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "不愿具名的公司" not in content
    assert "Anonymous" in content
    assert "李潇潇" not in content
    assert "李**" in content
    assert (
        client.get(reverse("supplies:notice", args=[community.pk]), {"since": "later"}).status_code
        == 400
    )


def test_the_exports_are_workbooks_of_the_filtered_lists(
    client_for, county_staff, community, stocked, disinfectant
):
    client = client_for(county_staff)
    for name, query in (
        ("supplies:ledger", {}),
        ("supplies:balances", {}),
        ("supplies:totals", {"by": "donor"}),
    ):
        response = client.get(reverse(name), {**query, "export": "xlsx"})
        assert response.status_code == 200, name
        assert response["Content-Type"] == XLSX
        content = b"".join(response.streaming_content) if response.streaming else response.content
        load_workbook(BytesIO(content))


# --- query counts -----------------------------------------------------------------------------

QUERIES = {"ledger": 9, "balances": 8}


@pytest.mark.parametrize("size", [2, 20])
def test_list_query_counts_do_not_grow_with_the_rows(
    size, client_for, county_staff, county, township, give_stock, django_assert_num_queries
):
    from tests.factories import CommunityFactory

    for index in range(size):
        place = CommunityFactory(parent=township, name=f"社区{index}")
        give_stock(place, ItemFactory(), 10)
    client = client_for(county_staff)
    for name in QUERIES:
        with django_assert_num_queries(QUERIES[name]):
            response = client.get(reverse(f"supplies:{name}"))
        assert response.status_code == 200
    assert len(response.context["balances"]) == size


def test_holders_are_offered_county_stock_first(county_staff, county):
    from supplies.forms import holders

    first = holders(Party.objects.held_by(county_staff)).first()
    assert first.kind == "county"
    assert first.area_id == county.pk


def test_a_teams_account_records_what_it_coordinated_into_its_own_stock(
    client_for, team_member, team, party_of, masks
):
    client = client_for(team_member)
    page = client.get(record_url("coordination"))
    choices = list(page.context["form"].fields["to_party"].queryset)
    assert choices == [party_of(team.coverage.get().area), party_of(team)]
    response = client.post(
        record_url("coordination"),
        {
            "entry-entry_date": TODAY().isoformat(),
            "entry-team": team.pk,
            "entry-donor_name": "铁岭某物流公司",
            "entry-donor_kind": "enterprise",
            "entry-to_party": party_of(team).pk,
            **lines(line_of(masks, 5530)),
        },
    )
    assert response.status_code == 302
    assert balance(party_of(team), masks) == 5530
    totals = client.get(reverse("supplies:totals"), {"by": "team"}).context["totals"]
    assert [(row.label, row.quantity) for row in totals.goods] == [(team.name, 5530)]


def test_a_negative_value_or_nothing_to_count_is_refused_on_its_line(
    client_for, secretary, community, party_of, masks, money
):
    response = client_for(secretary).post(
        record_url("donation"),
        donation(
            party_of(community),
            line_of(masks, 10, value="-5"),
            line_of(masks, 0),
            line_of(money, 100, value="100"),
            line_of(masks, 3, in_packs=True),
        ),
    )
    assert response.status_code == 400
    forms = response.context["lines"].forms
    assert "The value cannot be negative." in str(forms[0].errors)
    assert "The quantity must be more than zero." in str(forms[1].errors)
    assert "Money has no estimated value" in str(forms[2].errors)
    assert "does not come in packs" in str(forms[3].errors)
    assert LedgerEntry.objects.count() == 0


def test_a_team_account_brings_coordinated_goods_to_a_community_it_covers(
    client_for, team_member, team, community, far_community, party_of
):
    page = client_for(team_member).get("/supplies/record/coordination/")
    choices = page.context["form"].fields["to_party"].queryset
    assert party_of(community) in choices
    assert party_of(team) in choices
    assert party_of(far_community) not in choices
