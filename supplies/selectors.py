"""Reads of the supplies ledger: lists with what they show, totals by item, donor, recipient and
team (net of reversals; goods and money apart), and the public notice of an area. Each answers
in a fixed number of queries, however many entries."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, F, Q, Sum, When

from communities.models import Area
from supervision.models import Team

from .choices import EntryKind
from .models import Item, LedgerEntry, Party

PARTY_RELATED = ("area", "work_unit", "team")


def _party_related(prefix: str) -> list[str]:
    return [f"{prefix}__{name}" for name in PARTY_RELATED]


def entries_for_list(queryset):
    """Entries with their item, parties, team, recorder and reversals: one query."""
    return queryset.select_related(
        "item",
        "team",
        "recorded_by",
        "reverses",
        "reversed_by",
        *_party_related("from_party"),
        *_party_related("to_party"),
    )


def balances_for_list(queryset):
    return queryset.select_related("item", *_party_related("holder")).order_by(
        "holder__kind", "holder_id", "item__category", "item__name"
    )


def net(field_name: str):
    """The field, negative on a reversing entry: sums of it are net of reversals."""
    return Case(When(reverses__isnull=False, then=-F(field_name)), default=F(field_name))


@dataclass
class TotalRow:
    label: str
    item: Item
    kind: str
    quantity: Decimal
    value: Decimal | None
    entries: int

    @property
    def kind_label(self) -> str:
        return EntryKind(self.kind).label


@dataclass
class Totals:
    """Goods (with their estimated value) and money (in yuan) are never added together."""

    by: str
    goods: list[TotalRow] = field(default_factory=list)
    money: list[TotalRow] = field(default_factory=list)

    @property
    def value_total(self) -> Decimal:
        return sum((row.value or Decimal(0) for row in self.goods), Decimal(0))

    @property
    def money_total(self) -> Decimal:
        return sum((row.quantity for row in self.money), Decimal(0))


# What each total looks at, and what it groups by besides the item and the kind.
DIMENSIONS = {
    "item": (Q(), ()),
    "donor": (Q(kind=EntryKind.DONATION), ("from_party",)),
    "recipient": (Q(to_party__isnull=False) | ~Q(recipient=""), ("to_party", "recipient")),
    "team": (Q(kind=EntryKind.COORDINATION), ("team",)),
}


def totals(entries, by: str) -> Totals:
    """Net totals of the (scoped, filtered) entries by `by` (a key of DIMENSIONS): four
    queries, whatever the number of entries."""
    condition, keys = DIMENSIONS[by]
    rows = list(
        entries.order_by()
        .filter(condition)
        .values(*keys, "item", "kind")
        .annotate(quantity=Sum(net("quantity")), value=Sum(net("value")), entries=Count("id"))
    )
    items = Item.objects.in_bulk({row["item"] for row in rows})
    parties = Party.objects.select_related(*PARTY_RELATED).in_bulk(
        {row.get(key) for row in rows for key in ("from_party", "to_party") if row.get(key)}
    )
    teams = Team.objects.in_bulk({row["team"] for row in rows if row.get("team")})
    result = Totals(by=by)
    for row in rows:
        if not row["quantity"]:
            continue  # reversed to nothing
        if by == "item":
            label = str(items[row["item"]])
        elif by == "team":
            label = str(teams[row["team"]])
        else:
            party = parties.get(row.get("from_party") or row.get("to_party"))
            label = str(party) if party else row.get("recipient", "")
        item = items[row["item"]]
        target = result.money if item.is_money else result.goods
        target.append(
            TotalRow(label, item, row["kind"], row["quantity"], row["value"], row["entries"])
        )
    for rows_ in (result.goods, result.money):
        rows_.sort(key=lambda r: (r.label, r.item.category, r.item.name, r.kind))
    return result


@dataclass
class NoticeRow:
    party: str
    item: Item
    quantity: Decimal
    value: Decimal | None


@dataclass
class Notice:
    """What an area received, from whom, and where it went (公示)."""

    area: Area
    received: list[NoticeRow]
    given: list[NoticeRow]


def _notice_rows(entries, party_field: str) -> list[NoticeRow]:
    rows = list(
        entries.order_by()
        .values(party_field, "team", "recipient", "item")
        .annotate(quantity=Sum(net("quantity")), value=Sum(net("value")))
    )
    items = Item.objects.in_bulk({row["item"] for row in rows})
    parties = Party.objects.select_related(*PARTY_RELATED).in_bulk(
        {row[party_field] for row in rows if row[party_field]}
    )
    teams = Team.objects.in_bulk({row["team"] for row in rows if row["team"]})
    result = []
    for row in rows:
        if not row["quantity"]:
            continue
        party = parties.get(row[party_field])
        if party is not None:
            name = party.public_name()
        elif row["team"]:
            name = str(teams[row["team"]])
        else:
            name = row["recipient"]
        result.append(NoticeRow(name, items[row["item"]], row["quantity"], row["value"]))
    result.sort(key=lambda r: (r.party, r.item.category, r.item.name))
    return result


def notice(area: Area, *, since: date | None = None, until: date | None = None) -> Notice:
    """The public notice of a community, a township or a county: donations and coordinated
    goods its holders received, and what they handed out or passed outside the area. Donors who
    asked are anonymous; private persons are shown by surname only."""
    entries = LedgerEntry.objects.filter(county_id__in=_ancestor_or_self_ids(area))
    if since:
        entries = entries.filter(entry_date__gte=since)
    if until:
        entries = entries.filter(entry_date__lte=until)
    inside = Q(to_party__area__path__startswith=area.path)
    received = entries.filter(inside, kind__in=(EntryKind.DONATION, EntryKind.COORDINATION))
    given = entries.filter(from_party__area__path__startswith=area.path).filter(
        Q(kind=EntryKind.ISSUE) | (Q(kind=EntryKind.TRANSFER) & ~inside)
    )
    return Notice(area, _notice_rows(received, "from_party"), _notice_rows(given, "to_party"))


def _ancestor_or_self_ids(area: Area) -> list[int]:
    return [int(part) for part in area.path.split("/") if part]
