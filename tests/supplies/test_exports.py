"""The Excel exports of the ledger, read back with openpyxl: the entries with the stock cards
they touch (the running balance, also across a reversal), the balances and the totals (goods
and money apart), numbers as numbers and dates as dates, in a fixed number of queries."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from supplies import selectors, services
from supplies.exports import balances_xlsx, entries_xlsx, totals_xlsx
from supplies.filters import LedgerEntryFilterSet
from supplies.models import Balance, LedgerEntry
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Headers in English, whatever the Chinese catalogue holds."""
    with translation.override("en"):
        yield


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_of(sheet) -> list[dict]:
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def ledger(admin_user, secretary, community, county, donor, disinfectant, money, party_of):
    """Three cases of disinfectant arrive at the community, 15 bottles go to residents, 10 more
    by mistake (reversed), and the county stock gets 5,000 yuan."""
    mine = party_of(community)
    arrival = services.entry_record(
        actor=secretary,
        kind="donation",
        line=services.EntryLine(item=disinfectant, packs=Decimal(3), value=Decimal("1200.50")),
        entry_date=days_ago(3),
        from_party=donor,
        to_party=mine,
        note="第一批",
    )
    handed = services.entry_record(
        actor=secretary,
        kind="issue",
        line=services.EntryLine(item=disinfectant, quantity=Decimal(15)),
        entry_date=days_ago(2),
        from_party=mine,
        recipient="居民",
    )
    mistake = services.entry_record(
        actor=secretary,
        kind="issue",
        line=services.EntryLine(item=disinfectant, quantity=Decimal(10)),
        entry_date=days_ago(1),
        from_party=mine,
        recipient="东门卡点",
    )
    reversal = services.entry_reverse(actor=secretary, entry=mistake, note="录错了")
    cash = services.entry_record(
        actor=admin_user,
        kind="donation",
        line=services.EntryLine(item=money, quantity=Decimal("5000.25")),
        entry_date=days_ago(1),
        from_party=donor,
        to_party=party_of(county),
    )
    return {
        "arrival": arrival,
        "handed": handed,
        "mistake": mistake,
        "reversal": reversal,
        "cash": cash,
    }


def by_voucher(rows: list[dict]) -> dict[str, dict]:
    return {row["Voucher"]: row for row in rows}


def test_entries_sheet_has_every_column_typed(ledger, admin_user):
    book = workbook_of(entries_xlsx(LedgerEntry.objects.visible_to(admin_user)))

    assert book.sheetnames == ["Entries", "Ledger"]
    sheet = book["Entries"]
    rows = by_voucher(rows_of(sheet))
    assert len(rows) == 5
    arrival = rows[ledger["arrival"].voucher]
    assert arrival["Date"] == datetime.combine(days_ago(3), datetime.min.time())
    assert arrival["Kind"] == "Donation received"
    assert arrival["Item"] == "消毒液 500毫升"
    assert arrival["Unit"] == "bottles"
    assert arrival["Quantity"] == 60 and isinstance(arrival["Quantity"], int)
    assert arrival["Packs"] == 3
    assert arrival["Pack"] == "cases = 20 bottles"
    assert arrival["Given by"] == "铁岭某药业公司"
    assert arrival["Received by"] == "水木华园社区"
    assert arrival["Value (yuan)"] == 1200.5
    assert arrival["Note"] == "第一批"
    assert arrival["Reverses"] is None and arrival["Reversed by"] is None
    assert arrival["Recorded by"] == str(ledger["arrival"].recorded_by)
    assert isinstance(arrival["Recorded at"], datetime)
    handed = rows[ledger["handed"].voucher]
    assert handed["Received by"] == "居民"
    assert handed["Packs"] is None and handed["Value (yuan)"] is None
    cash = rows[ledger["cash"].voucher]
    assert cash["Quantity"] == 5000.25 and cash["Unit"] == "yuan"
    assert cash["Received by"].endswith("county stock")
    # The formats say what the numbers are: dates, whole goods, money to the fen.
    cells = {cell.value: cell for cell in sheet[1]}
    column = {name: cells[name].column_letter for name in cells}
    line = next(row for row in range(2, 7) if sheet[f"A{row}"].value == ledger["cash"].voucher)
    assert sheet[f"{column['Date']}{line}"].number_format == "yyyy-mm-dd"
    assert sheet[f"{column['Quantity']}{line}"].number_format == "#,##0.00"
    arrival_line = next(
        row for row in range(2, 7) if sheet[f"A{row}"].value == ledger["arrival"].voucher
    )
    assert sheet[f"{column['Quantity']}{arrival_line}"].number_format == "#,##0"


def test_a_reversal_is_in_red_ink_and_both_entries_say_so(ledger, admin_user):
    rows = by_voucher(rows_of(workbook_of(entries_xlsx(LedgerEntry.objects.all()))["Entries"]))

    mistake, reversal = ledger["mistake"], ledger["reversal"]
    assert rows[mistake.voucher]["Quantity"] == 10
    assert rows[mistake.voucher]["Reversed by"] == reversal.voucher
    assert rows[reversal.voucher]["Quantity"] == -10
    assert rows[reversal.voucher]["Reverses"] == mistake.voucher
    assert rows[reversal.voucher]["Note"] == "录错了"
    # Net of the reversal, what went out of the community is what the balance says.
    disinfectant = [r for r in rows.values() if r["Unit"] == "bottles"]
    out = sum(r["Quantity"] for r in disinfectant if r["Kind"] == "Handed out or used")
    assert out == 15
    assert Balance.objects.get(item=mistake.item).quantity == 60 - out


def test_the_ledger_sheet_runs_the_balance_across_the_reversal(ledger, admin_user):
    sheet = workbook_of(entries_xlsx(LedgerEntry.objects.all()))["Ledger"]
    rows = rows_of(sheet)

    assert list(rows[0]) == [
        "Holder",
        "Item",
        "Unit",
        "Date",
        "Voucher",
        "Kind",
        "Counterparty",
        "In",
        "Out",
        "Balance",
        "Reverses",
        "Note",
    ]
    card = [r for r in rows if r["Holder"] == "水木华园社区"]
    assert [r["Voucher"] for r in card] == [
        ledger[name].voucher for name in ("arrival", "handed", "mistake", "reversal")
    ]
    assert [(r["In"], r["Out"], r["Balance"]) for r in card] == [
        (60, None, 60),
        (None, 15, 45),
        (None, 10, 35),
        (None, -10, 45),
    ]
    assert [r["Counterparty"] for r in card] == ["铁岭某药业公司", "居民", "东门卡点", "东门卡点"]
    assert card[3]["Reverses"] == ledger["mistake"].voucher
    assert isinstance(card[0]["Date"], datetime)
    # Every card ends at the holder's balance now.
    for balance in Balance.objects.select_related("holder__area", "item"):
        last = [r for r in rows if r["Holder"] == str(balance.holder)][-1]
        assert Decimal(str(last["Balance"])) == balance.quantity
    cash = next(r for r in rows if r["Unit"] == "yuan")
    assert cash["In"] == 5000.25 and cash["Balance"] == 5000.25


def test_a_transfer_is_on_both_cards(
    admin_user, county, community, township, township_staff, disinfectant, give_stock, party_of
):
    give_stock(township, disinfectant, 50)
    transfer = services.entry_record(
        actor=township_staff,
        kind="transfer",
        line=services.EntryLine(item=disinfectant, quantity=Decimal(20)),
        entry_date=timezone.localdate(),
        from_party=party_of(township),
        to_party=party_of(community),
    )

    rows = rows_of(workbook_of(entries_xlsx(LedgerEntry.objects.filter(pk=transfer.pk)))["Ledger"])

    assert {(r["Holder"], r["In"], r["Out"], r["Balance"], r["Counterparty"]) for r in rows} == {
        ("莲花湖街道", None, 20, 30, "水木华园社区"),
        ("水木华园社区", 20, None, 20, "莲花湖街道"),
    }


def test_the_export_holds_what_the_filter_and_the_scope_let_through(
    ledger, secretary, other_secretary, community
):
    chosen = LedgerEntryFilterSet(
        {"kind": ["issue"]}, queryset=LedgerEntry.objects.visible_to(secretary)
    ).qs
    book = workbook_of(entries_xlsx(chosen))

    entries = rows_of(book["Entries"])
    assert {r["Voucher"] for r in entries} == {
        ledger[name].voucher for name in ("handed", "mistake", "reversal")
    }
    card = rows_of(book["Ledger"])
    # Only the chosen entries' rows, each with the running balance of the whole ledger.
    assert [(r["Out"], r["Balance"]) for r in card] == [(15, 45), (10, 35), (-10, 45)]

    nothing = workbook_of(entries_xlsx(LedgerEntry.objects.visible_to(other_secretary)))
    assert rows_of(nothing["Entries"]) == [] and rows_of(nothing["Ledger"]) == []


def test_balances_export_one_row_per_holder_and_item(ledger, admin_user):
    sheet = workbook_of(balances_xlsx(Balance.objects.visible_to(admin_user))).active
    rows = rows_of(sheet)

    assert sheet.title == "Stock on hand"
    by_item = {r["Item"]: r for r in rows}
    bottles = by_item["消毒液 500毫升"]
    assert bottles["Holder"] == "水木华园社区"
    assert bottles["Holder kind"] == "Community or village"
    assert bottles["Category"] == "Disinfection"
    assert bottles["Quantity"] == 45 and isinstance(bottles["Quantity"], int)
    assert bottles["Pack"] == "cases = 20 bottles"
    assert isinstance(bottles["Updated"], datetime)
    cash = by_item["现金"]
    assert cash["Quantity"] == 5000.25 and cash["Unit"] == "yuan"
    assert cash["Holder kind"] == "County stock"


def test_balances_export_only_in_scope(ledger, other_secretary):
    sheet = workbook_of(balances_xlsx(Balance.objects.visible_to(other_secretary))).active
    assert rows_of(sheet) == []


@pytest.mark.parametrize("by", ["item", "donor", "recipient", "team"])
def test_totals_keep_goods_and_money_on_sheets_of_their_own(
    by, ledger, admin_user, team, team_member, township, party_of
):
    coordinated = services.entry_record(
        actor=team_member,
        kind="coordination",
        line=services.EntryLine(item=ItemFactory(name="口罩"), quantity=Decimal(5530)),
        entry_date=days_ago(1),
        to_party=party_of(township),
        team=team,
    )
    totals = selectors.totals(LedgerEntry.objects.visible_to(admin_user), by)

    book = workbook_of(totals_xlsx(totals))

    assert book.sheetnames == ["Goods", "Money"]
    goods, money = rows_of(book["Goods"]), rows_of(book["Money"])
    first = {"item": "Item", "donor": "Donor", "recipient": "Recipient", "team": "Coordinated by"}
    assert next(iter(goods[0])) == first[by]
    *goods_rows, goods_sum = goods
    assert goods_sum[first[by]] == "Total"
    assert goods_sum.get("Quantity") is None  # different goods are never added up
    assert [(r["Quantity"], r["Entries"]) for r in goods_rows] == [
        (row.quantity, row.entries) for row in totals.goods
    ]
    assert all(isinstance(r["Quantity"], int) for r in goods_rows)
    if by == "team":
        assert goods_rows == [
            {
                "Coordinated by": "县委统战部督导小分队",
                "Item": "口罩",
                "Unit": "pieces (ge)",
                "Kind": "Obtained by coordination",
                "Quantity": 5530,
                "Value (yuan)": None,
                "Entries": 1,
            }
        ]
        assert money == []
        assert coordinated.team_id == team.pk
        return
    if by in ("item", "donor"):
        assert goods_sum["Value (yuan)"] == 1200.5
        *money_rows, money_sum = money
        assert [r["Amount (yuan)"] for r in money_rows] == [5000.25]
        assert money_sum["Amount (yuan)"] == 5000.25
        assert "Unit" not in money_rows[0]


def test_totals_net_of_the_reversal(ledger, admin_user):
    totals = selectors.totals(LedgerEntry.objects.filter(kind="issue"), "recipient")
    goods = rows_of(workbook_of(totals_xlsx(totals))["Goods"])

    assert {r["Recipient"]: r["Quantity"] for r in goods[:-1]} == {"居民": 15}


@pytest.mark.parametrize("size", [2, 20])
def test_export_query_counts_do_not_grow_with_the_rows(
    size, admin_user, secretary, community, disinfectant, give_stock, django_assert_num_queries
):
    for n in range(size):
        give_stock(community, disinfectant, n + 1, note=f"第{n}批")
    entries = LedgerEntry.objects.visible_to(secretary)
    balances = Balance.objects.visible_to(secretary)

    # The entries, the stock card rows.
    with django_assert_num_queries(2):
        book = workbook_of(entries_xlsx(entries))
    assert len(rows_of(book["Entries"])) == size
    assert len(rows_of(book["Ledger"])) == size
    with django_assert_num_queries(1):
        sheet = workbook_of(balances_xlsx(balances)).active
    assert len(rows_of(sheet)) == 1
