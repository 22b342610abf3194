"""Demo data of the supplies ledger: a step of `seed_demo` (registered in `SuppliesConfig.ready`).

The catalogue of the source's goods, and two weeks of 铁岭县's ledger ending today, so that the
county's totals read like the source:

- the four teams of the supervision demo coordinated 酒精220桶, 消毒液920桶, 口罩17780个, 手套370副,
  体温计30个, 大衣70件 and 矿泉水400箱 in all; of them 县委统战部's team brought 大甸子镇 and
  官台新苑社区 口罩5530个, 消毒液5箱 and 红外线温度计3台, and 县纪委监委's team brought 李千户镇
  消毒液30箱, 酒精100桶, 口罩1000个 and food worth 2万余元;
- 李潇潇 and her husband gave 莲花湖街道 114桶 of alcohol; four enterprises gave the county stock
  65万元 in cash; a resident who asked not to be named gave masks;
- the township passed goods on to its communities (transfers), which handed them out to
  residents and checkpoints; one hand-out was recorded with a wrong quantity, reversed, and
  recorded again.

Every entry goes through the services, recorded by whoever keeps the holder's books (the
community's secretary, the township's staff, else the county's organisation department) or, for
a coordination, by the team's own account. Each receipt has a note of its own: a receipt whose
note is already in the ledger is not recorded again, so a second run adds nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from communities.choices import AreaLevel, Role
from communities.demo import DemoRun
from communities.models import Area, User
from supervision.models import Team

from . import services
from .choices import EntryKind, ItemCategory, ItemUnit, PartyKind
from .models import Item, LedgerEntry, Party

COUNTY = "铁岭县"


@dataclass(frozen=True)
class ItemPlan:
    name: str
    category: str
    unit: str
    specification: str = ""
    pack_unit: str = ""
    pack_size: int | None = None
    is_money: bool = False


# Key → the catalogue entry. 消毒液 comes in barrels and in 500 ml bottles, 20 to a case.
ITEMS = {
    "口罩": ItemPlan("口罩", ItemCategory.PROTECTION, ItemUnit.GE),
    "消毒液": ItemPlan("消毒液", ItemCategory.DISINFECTION, ItemUnit.TONG),
    "消毒液瓶": ItemPlan(
        "消毒液",
        ItemCategory.DISINFECTION,
        ItemUnit.PING,
        specification="500毫升",
        pack_unit=ItemUnit.XIANG,
        pack_size=20,
    ),
    "酒精": ItemPlan("酒精", ItemCategory.DISINFECTION, ItemUnit.TONG),
    "手套": ItemPlan("手套", ItemCategory.PROTECTION, ItemUnit.FU),
    "体温计": ItemPlan("体温计", ItemCategory.THERMOMETRY, ItemUnit.GE),
    "红外线温度计": ItemPlan("红外线温度计", ItemCategory.THERMOMETRY, ItemUnit.TAI),
    "大衣": ItemPlan("大衣", ItemCategory.LIVING, ItemUnit.JIAN),
    "矿泉水": ItemPlan("矿泉水", ItemCategory.LIVING, ItemUnit.XIANG),
    "方便面": ItemPlan("方便面", ItemCategory.LIVING, ItemUnit.XIANG),
    "火腿肠": ItemPlan("火腿肠", ItemCategory.LIVING, ItemUnit.XIANG),
    "现金": ItemPlan("现金", ItemCategory.MONEY, ItemUnit.YUAN, is_money=True),
}


@dataclass(frozen=True)
class Line:
    item: str  # a key of ITEMS
    quantity: int | str | None = None  # str for money: "200000.00"
    packs: int | None = None
    value: str | None = None


@dataclass(frozen=True)
class Donor:
    kind: str
    name: str
    anonymous: bool = False


@dataclass(frozen=True)
class Receipt:
    """Goods recorded together (one voucher each, one batch). Holders are named by their area
    (the county's name for the county stock); `note` is what tells a receipt apart."""

    days_ago: int
    kind: str
    note: str
    lines: tuple[Line, ...]
    to: str | None = None
    giver: str | None = None
    donor: Donor | None = None
    team: str | None = None
    recipient: str = ""


UNITED_FRONT = "县委统战部督导小分队"
DISCIPLINE = "县纪委监委督导小分队"
HEALTH = "县卫健局督导小分队"
HENGDAO = "横道镇督导小分队"
LI_COUPLE = Donor(PartyKind.INDIVIDUAL, "李潇潇夫妇")

COORDINATED = (
    Receipt(
        13,
        EntryKind.COORDINATION,
        "县卫健局督导小分队协调首批防疫物资，送莲花湖街道统一调配",
        (
            Line("消毒液", 300),
            Line("酒精", 40),
            Line("口罩", 4000),
            Line("手套", 200),
            Line("体温计", 20),
        ),
        to="莲花湖街道",
        team=HEALTH,
    ),
    Receipt(
        12,
        EntryKind.COORDINATION,
        "县委统战部协调爱心企业，送大甸子镇各卡点",
        (Line("口罩", 3000), Line("红外线温度计", 2)),
        to="大甸子镇",
        team=UNITED_FRONT,
    ),
    Receipt(
        11,
        EntryKind.COORDINATION,
        "县纪委监委协调防疫物资，送李千户镇",
        (Line("消毒液瓶", packs=30), Line("酒精", 100), Line("口罩", 1000)),
        to="李千户镇",
        team=DISCIPLINE,
    ),
    Receipt(
        10,
        EntryKind.COORDINATION,
        "横道镇督导小分队协调物资，保障横道镇卡点昼夜值守",
        (
            Line("消毒液", 400),
            Line("酒精", 80),
            Line("口罩", 5000),
            Line("手套", 170),
            Line("体温计", 10),
            Line("大衣", 70),
        ),
        to="横道镇",
        team=HENGDAO,
    ),
    Receipt(
        9,
        EntryKind.COORDINATION,
        "县委统战部协调，送官台新苑社区各区片卡点",
        (Line("口罩", 2530), Line("消毒液瓶", packs=5), Line("红外线温度计", 1)),
        to="官台新苑社区",
        team=UNITED_FRONT,
    ),
    Receipt(
        8,
        EntryKind.COORDINATION,
        "县纪委监委协调方便面、火腿肠，慰问李千户镇一线防疫人员",
        (Line("方便面", 300, value="10500.00"), Line("火腿肠", 200, value="9800.00")),
        to="李千户镇",
        team=DISCIPLINE,
    ),
    Receipt(
        7,
        EntryKind.COORDINATION,
        "县卫健局督导小分队协调，直送水木华园社区",
        (Line("消毒液", 220), Line("口罩", 2250), Line("矿泉水", 250)),
        to="水木华园社区",
        team=HEALTH,
    ),
    Receipt(
        5,
        EntryKind.COORDINATION,
        "横道镇督导小分队协调矿泉水，送横道河子村卡点",
        (Line("矿泉水", 150),),
        to="横道河子村",
        team=HENGDAO,
    ),
)

DONATED = (
    Receipt(
        12,
        EntryKind.DONATION,
        "企业捐款（第一笔）",
        (Line("现金", "200000.00"),),
        to=COUNTY,
        donor=Donor(PartyKind.ENTERPRISE, "铁岭县兴达建筑工程有限公司"),
    ),
    Receipt(
        10,
        EntryKind.DONATION,
        "企业捐款（第二笔）",
        (Line("现金", "150000.00"),),
        to=COUNTY,
        donor=Donor(PartyKind.ENTERPRISE, "铁岭鑫源粮油贸易有限公司"),
    ),
    Receipt(
        9,
        EntryKind.DONATION,
        "李潇潇和爱人自费购买酒精捐赠莲花湖街道",
        (Line("酒精", 114, value="11400.00"),),
        to="莲花湖街道",
        donor=LI_COUPLE,
    ),
    Receipt(
        8,
        EntryKind.DONATION,
        "企业捐款（第三笔）",
        (Line("现金", "180000.00"),),
        to=COUNTY,
        donor=Donor(PartyKind.ENTERPRISE, "辽宁铁北农业发展有限公司"),
    ),
    Receipt(
        7,
        EntryKind.DONATION,
        "居民捐赠口罩，本人要求不公开姓名",
        (Line("口罩", 2000),),
        to="水木华园社区",
        donor=Donor(PartyKind.INDIVIDUAL, "张先生", anonymous=True),
    ),
    Receipt(
        6,
        EntryKind.DONATION,
        "企业捐款（第四笔）",
        (Line("现金", "120000.00"),),
        to=COUNTY,
        donor=Donor(PartyKind.ENTERPRISE, "铁岭县恒通物流有限公司"),
    ),
    Receipt(
        6,
        EntryKind.DONATION,
        "药店捐赠消毒液、体温计",
        (Line("消毒液瓶", packs=10, value="1600.00"), Line("体温计", 5, value="150.00")),
        to="天嘉苑社区",
        donor=Donor(PartyKind.ENTERPRISE, "铁岭县惠民大药房"),
    ),
)

PASSED_ON = (
    Receipt(
        8,
        EntryKind.TRANSFER,
        "街道调拨水木华园社区",
        (Line("酒精", 40), Line("口罩", 1000)),
        giver="莲花湖街道",
        to="水木华园社区",
    ),
    Receipt(
        8,
        EntryKind.TRANSFER,
        "街道调拨天嘉苑社区",
        (Line("酒精", 30), Line("消毒液", 100)),
        giver="莲花湖街道",
        to="天嘉苑社区",
    ),
    Receipt(
        6,
        EntryKind.ISSUE,
        "东门卡点值守人员领用",
        (Line("口罩", 600), Line("酒精", 10)),
        giver="水木华园社区",
        recipient="东门卡点",
    ),
    Receipt(
        4,
        EntryKind.ISSUE,
        "按户发放口罩（一生活区）",
        (Line("口罩", 1500),),
        giver="水木华园社区",
        recipient="居民",
    ),
    Receipt(
        4,
        EntryKind.ISSUE,
        "发放李千户镇一线防疫人员",
        (Line("方便面", 120), Line("火腿肠", 80)),
        giver="李千户镇",
        recipient="李千户镇一线防疫人员",
    ),
    Receipt(
        3,
        EntryKind.ISSUE,
        "楼栋消杀用消毒液",
        (Line("消毒液瓶", 60),),
        giver="天嘉苑社区",
        recipient="居民",
    ),
    Receipt(
        2,
        EntryKind.ISSUE,
        "横道镇卡点夜间值守御寒大衣",
        (Line("大衣", 70),),
        giver="横道镇",
        recipient="横道镇卡点",
    ),
    Receipt(
        1,
        EntryKind.ISSUE,
        "十区卡点领用口罩，更换损坏的红外线温度计",
        (Line("口罩", 500), Line("红外线温度计", 1)),
        giver="官台新苑社区",
        recipient="十区卡点",
    ),
)

# A hand-out recorded with one zero too many, reversed today, and recorded again.
MISTAKE = Receipt(
    1,
    EntryKind.ISSUE,
    "西门卡点值守人员领用口罩",
    (Line("口罩", 800),),
    giver="水木华园社区",
    recipient="西门卡点",
)
REVERSAL_NOTE = "数量录入有误（应为80个），冲销后重新登记"
CORRECTED = Receipt(
    1,
    EntryKind.ISSUE,
    "西门卡点值守人员领用口罩（更正后重新登记）",
    (Line("口罩", 80),),
    giver="水木华园社区",
    recipient="西门卡点",
)


# --- the catalogue ----------------------------------------------------------------------------


def _items() -> dict[str, Item]:
    """The catalogue; an item already there is left as it is.

    Items are reference data that no service writes (the admin does); each is validated first."""
    items = {}
    for key, plan in ITEMS.items():
        item = Item.objects.filter(name=plan.name, specification=plan.specification).first()
        if item is None:
            item = Item(
                name=plan.name,
                specification=plan.specification,
                category=plan.category,
                unit=plan.unit,
                pack_unit=plan.pack_unit,
                pack_size=plan.pack_size,
                is_money=plan.is_money,
            )
            item.full_clean()
            item.save()
        items[key] = item
    return items


# --- who records ------------------------------------------------------------------------------


class Keepers:
    """Who records for a holder: its community's secretary or its township's staff where the
    demo has one, else the county's organisation department (else the administrator); a
    coordination is recorded by the team's own account."""

    def __init__(self, county: Area, admin: User):
        staff = User.objects.filter(
            Q(role=Role.SECRETARY) | Q(role=Role.TOWNSHIP_STAFF) | Q(role=Role.COUNTY_STAFF),
            is_active=True,
            area__path__startswith=county.path,
        ).order_by("username")
        self.by_area: dict[int, User] = {}
        for user in staff:
            self.by_area.setdefault(user.area_id, user)
        self.county = self.by_area.get(county.pk) or admin

    def of(self, holder: Party) -> User:
        return self.by_area.get(holder.area_id, self.county) if holder.area_id else self.county

    def of_team(self, team: Team, holder: Party) -> User:
        return team.accounts.order_by("username").first() or self.of(holder)


# --- recording --------------------------------------------------------------------------------


class Ledger:
    """The county's holders, teams and items, and the receipts already in its ledger."""

    def __init__(self, county: Area, admin: User):
        self.county = county
        self.keepers = Keepers(county, admin)
        self.items = _items()
        self.holders = {
            party.area.name: party
            for party in Party.objects.filter(county=county, area__isnull=False).select_related(
                "area"
            )
        }
        self.teams = {team.name: team for team in Team.objects.filter(county=county)}
        self.notes = set(
            LedgerEntry.objects.filter(county=county).values_list("note", flat=True).distinct()
        )
        self.today = timezone.localdate()

    def _donor(self, donor: Donor, actor: User) -> Party:
        existing = Party.objects.filter(county=self.county, kind=donor.kind, name=donor.name)
        party = existing.first()
        if party is not None:
            return party
        if donor.anonymous:
            party = Party(county=self.county, kind=donor.kind, name=donor.name, anonymous=True)
            return services.party_save(actor=actor, party=party)
        return services.outside_party(
            actor=actor, county=self.county, kind=donor.kind, name=donor.name
        )

    def _line(self, line: Line) -> services.EntryLine:
        return services.EntryLine(
            item=self.items[line.item],
            quantity=Decimal(line.quantity) if line.quantity is not None else None,
            packs=Decimal(line.packs) if line.packs is not None else None,
            value=Decimal(line.value) if line.value is not None else None,
        )

    def record(self, receipt: Receipt) -> list[LedgerEntry]:
        """Records the receipt unless its note is in the ledger already (or a party of it is
        missing from this demo): the entries made."""
        if receipt.note in self.notes:
            return []
        to_party = self.holders.get(receipt.to) if receipt.to else None
        giver = self.holders.get(receipt.giver) if receipt.giver else None
        team = self.teams.get(receipt.team) if receipt.team else None
        if (receipt.to and to_party is None) or (receipt.giver and giver is None):
            return []
        if receipt.team and team is None:
            return []
        holder = services.acting_party(receipt.kind, giver, to_party)
        actor = self.keepers.of_team(team, holder) if team else self.keepers.of(holder)
        if receipt.donor:
            giver = self._donor(receipt.donor, actor)
        entries = services.entries_record(
            actor=actor,
            kind=receipt.kind,
            lines=[self._line(line) for line in receipt.lines],
            entry_date=self.today - timedelta(days=receipt.days_ago),
            from_party=giver,
            to_party=to_party,
            recipient=receipt.recipient,
            team=team,
            note=receipt.note,
        )
        self.notes.add(receipt.note)
        return entries

    def reverse_mistake(self) -> int:
        """The mistaken hand-out, reversed (once) by the one who recorded it, and recorded
        again with the right quantity: the number of entries made."""
        made = len(self.record(MISTAKE))
        mistaken = (
            LedgerEntry.objects.filter(county=self.county, note=MISTAKE.note, reverses=None)
            .select_related("item", "from_party", "to_party", "team", "recorded_by")
            .first()
        )
        if mistaken is None:
            return made
        if not LedgerEntry.objects.filter(reverses=mistaken).exists():
            services.entry_reverse(actor=mistaken.recorded_by, entry=mistaken, note=REVERSAL_NOTE)
            made += 1
        return made + len(self.record(CORRECTED))


def seed(run: DemoRun) -> None:
    """The supplies demo step of `seed_demo`."""
    county = Area.objects.filter(level=AreaLevel.COUNTY, name=COUNTY).first()
    if county is None:
        return
    ledger = Ledger(county, run.admin)
    # In the order they happened, so that what is handed out has arrived before.
    receipts = sorted((*COORDINATED, *DONATED, *PASSED_ON), key=lambda receipt: -receipt.days_ago)
    made = sum(len(ledger.record(receipt)) for receipt in receipts)
    made += ledger.reverse_mistake()
    entries = LedgerEntry.objects.filter(county=county)
    run.stdout.write(
        f"Supplies: {len(ledger.items)} items, {entries.count()} ledger entries of {COUNTY} "
        f"({made} new this run), {entries.filter(reverses__isnull=False).count()} reversed."
    )
