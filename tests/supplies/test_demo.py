"""`seed_demo` fills the supplies ledger so that 铁岭县's totals read like the source: what the
teams coordinated, 县委统战部's and 县纪委监委's own lines, 李潇潇's 114 barrels of alcohol, the
enterprises' 65万元; hand-outs, transfers, an anonymous donor and a reversed mistake; a second
run adds nothing.

The demo is loaded once for this module (it takes a while) and the database is emptied after.
"""

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Sum
from django.utils import translation

from communities.demo import DemoRun
from communities.models import Area, User
from supplies import selectors
from supplies.choices import EntryKind, PartyKind
from supplies.demo import seed
from supplies.models import Balance, Item, LedgerEntry, Party, StockMovement

PASSWORD = "demo-pass-7"
MODELS = [Item, Party, LedgerEntry, Balance, StockMovement]
# The source: “协调酒精220桶、消毒液920桶、口罩17780个、手套370副、体温计30个、大衣70件 …”.
COORDINATED = {
    "酒精": 220,
    "消毒液": 920,
    "口罩": 17780,
    "手套": 370,
    "体温计": 30,
    "大衣": 70,
    "矿泉水": 400,
}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", password=PASSWORD, stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def county():
    return Area.objects.get(level="county", name="铁岭县")


def snapshot():
    counts = {model.__name__: model.objects.count() for model in MODELS}
    held = Balance.objects.aggregate(total=Sum("quantity"), latest=Max("updated_at"))
    return counts | held


def by_item(rows) -> dict[str, Decimal]:
    """Quantities by item (name and specification), over whatever the rows are grouped by."""
    summed: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        summed[f"{row.item.name}{row.item.specification}"] += row.quantity
    return dict(summed)


def test_running_the_step_again_adds_and_changes_nothing():
    before = snapshot()
    out = io.StringIO()

    seed(DemoRun(stdout=out, password=PASSWORD, admin=User.objects.get(username="admin")))

    assert snapshot() == before
    assert "(0 new this run)" in out.getvalue()
    assert before["LedgerEntry"] >= 40


def test_the_teams_coordinated_what_the_source_says_in_all(county):
    totals = selectors.totals(LedgerEntry.objects.filter(county=county), "team")

    summed = by_item(totals.goods)
    assert {name: summed[name] for name in COORDINATED} == COORDINATED
    assert totals.money == []
    assert {row.kind for row in totals.goods} == {EntryKind.COORDINATION}
    assert {row.label for row in totals.goods} == {
        "县委统战部督导小分队",
        "县纪委监委督导小分队",
        "县卫健局督导小分队",
        "横道镇督导小分队",
    }


def test_the_united_front_teams_line(county):
    team_rows = [
        row
        for row in selectors.totals(LedgerEntry.objects.filter(county=county), "team").goods
        if row.label == "县委统战部督导小分队"
    ]

    assert by_item(team_rows) == {"口罩": 5530, "消毒液500毫升": 100, "红外线温度计": 3}
    entries = LedgerEntry.objects.filter(team__name="县委统战部督导小分队")
    assert entries.filter(item__specification="500毫升").aggregate(Sum("packs")) == {
        "packs__sum": 5
    }
    assert set(entries.values_list("to_party__area__name", flat=True)) == {
        "大甸子镇",
        "官台新苑社区",
    }


def test_the_discipline_teams_line_with_food_worth_over_20000(county):
    entries = LedgerEntry.objects.filter(county=county, team__name="县纪委监委督导小分队")
    rows = selectors.totals(entries, "team").goods

    assert by_item(rows) == {
        "消毒液500毫升": 600,
        "酒精": 100,
        "口罩": 1000,
        "方便面": 300,
        "火腿肠": 200,
    }
    assert entries.filter(item__specification="500毫升").get().packs == 30
    food = entries.filter(item__name__in=["方便面", "火腿肠"]).aggregate(Sum("value"))
    assert 20000 < food["value__sum"] < 30000
    assert set(entries.values_list("to_party__area__name", flat=True)) == {"李千户镇"}


def test_donations_the_couples_alcohol_and_the_enterprises_650000_yuan(county):
    totals = selectors.totals(LedgerEntry.objects.filter(county=county), "donor")

    assert totals.money_total == 650000
    assert len(totals.money) >= 3
    assert all(row.item.is_money and row.quantity > 0 for row in totals.money)
    donors = Party.objects.filter(entries_out__item__is_money=True).distinct()
    assert len(donors) >= 3
    assert {donor.kind for donor in donors} == {PartyKind.ENTERPRISE}
    county_stock = Party.objects.get(area=county)
    assert Balance.objects.get(holder=county_stock, item__is_money=True).quantity == 650000
    couple = LedgerEntry.objects.get(from_party__name="李潇潇夫妇")
    assert (couple.item.name, couple.quantity) == ("酒精", 114)
    assert couple.to_party.area.name == "莲花湖街道"


def test_goods_are_passed_on_and_handed_out(county):
    entries = LedgerEntry.objects.filter(county=county, reverses=None)

    transfers = entries.filter(kind=EntryKind.TRANSFER)
    assert transfers.exists()
    assert set(transfers.values_list("from_party__kind", "to_party__kind")) == {
        (PartyKind.TOWNSHIP, PartyKind.COMMUNITY)
    }
    recipients = set(entries.filter(kind=EntryKind.ISSUE).values_list("recipient", flat=True))
    assert "居民" in recipients
    assert any("卡点" in name for name in recipients)


def test_balances_are_never_negative_and_are_their_entries_sum(county):
    balances = Balance.objects.filter(holder__county=county)

    assert balances.exists()
    assert not balances.filter(quantity__lt=0).exists()
    assert balances.filter(quantity=0).exists()  # something was used up
    moved = (
        StockMovement.objects.filter(holder__county=county)
        .order_by()
        .values_list("holder", "item")
        .annotate(total=Sum("quantity"))
    )
    assert {(holder, item): total for holder, item, total in moved} == {
        (b.holder_id, b.item_id): b.quantity for b in balances
    }


def test_the_mistake_is_reversed_and_recorded_again(county):
    reversal = LedgerEntry.objects.select_related("reverses").get(
        county=county, reverses__isnull=False
    )
    mistake = reversal.reverses

    assert (mistake.kind, mistake.quantity, mistake.recipient) == (EntryKind.ISSUE, 800, "西门卡点")
    assert reversal.quantity == mistake.quantity and reversal.note
    assert reversal.recorded_by == mistake.recorded_by
    again = LedgerEntry.objects.get(county=county, recipient="西门卡点", reverses=None, quantity=80)
    assert again.pk > reversal.pk
    card = StockMovement.objects.filter(entry__in=[mistake, reversal]).order_by("id")
    assert [m.quantity for m in card] == [-800, 800]


def test_vouchers_run_without_gaps(county):
    years = LedgerEntry.objects.filter(county=county).values("year")
    for row in years.annotate(n=Count("id"), first=Min("number"), last=Max("number")):
        assert (row["first"], row["last"]) == (1, row["n"])


def test_the_anonymous_donor_stays_unnamed_on_the_notice():
    community = Area.objects.get(name="水木华园社区")

    with translation.override("en"):
        notice = selectors.notice(community)

    donors = {row.party for row in notice.received}
    assert "Anonymous" in donors
    assert "张先生" not in donors
    assert Party.objects.get(name="张先生").anonymous
    township_notice = selectors.notice(Area.objects.get(name="莲花湖街道"))
    assert "李****" in {row.party for row in township_notice.received}


def test_coordinations_are_recorded_by_the_teams_own_accounts(county):
    for entry in LedgerEntry.objects.filter(county=county, kind=EntryKind.COORDINATION):
        assert entry.team.accounts.filter(pk=entry.recorded_by_id).exists(), entry


def test_the_demo_says_what_it_made(demo):
    assert "Supplies:" in demo
