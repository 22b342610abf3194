"""Excel exports of the supplies ledger: the entries with the stock cards they touch (台账, the
running balance), the balances, and the totals (goods and money on sheets of their own, never
added together).

Each takes what the page already scoped and filtered and streams it through openpyxl's
write-only workbook: a fixed number of queries, read through server-side cursors, however many
rows. Numbers are numbers (whole goods as integers, money to the fen), dates are dates. A
reversing entry is written with negative quantities (红字冲销), so a column's sum is net.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from cadres.exports import CHUNK_SIZE, start_sheet
from supervision.exports import DATE_FORMAT, DATETIME_FORMAT, dated_response, local_time

from .choices import EntryKind, ItemCategory, PartyKind
from .models import Item, LedgerEntry, Party, StockMovement
from .selectors import PARTY_RELATED, TotalRow, Totals, balances_for_list, entries_for_list

GOODS_FORMAT = "#,##0"
# “Unit” alone is a stairwell unit (单元) elsewhere in the app; here it is a measure word (单位).
UNIT = pgettext_lazy("measure word", "Unit")
MONEY_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Column:
    """A column declared once: its header, how a cell is read from a row, its width and its
    number format (fixed, or chosen per row: goods and money rows share a quantity column)."""

    header: Promise | str
    value: Callable[[Any], Any]
    width: float
    number_format: str | Callable[[Any], str] = ""


def _write_sheet(workbook: Workbook, title: str, columns: list[Column], rows: Iterable) -> int:
    """Appends a sheet of `rows` (a bold frozen header, an auto filter); returns the row count."""
    sheet = start_sheet(workbook, title, [(c.header, c.width) for c in columns])

    def cell(column: Column, row):
        value = column.value(row)
        number_format = column.number_format
        if callable(number_format):
            number_format = number_format(row)
        if not number_format or value is None:
            return value
        formatted = WriteOnlyCell(sheet, value=value)
        formatted.number_format = number_format
        return formatted

    count = 0
    for row in rows:
        sheet.append([cell(column, row) for column in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


# --- numbers and names ------------------------------------------------------------------------


def amount(value: Decimal | None, item: Item) -> int | Decimal | None:
    """A quantity as Excel should hold it: whole goods as integers, money as it is (to the fen)."""
    if value is None:
        return None
    if not item.is_money and value == value.to_integral_value():
        return int(value)
    return value


def signed(value: Decimal | None, entry: LedgerEntry) -> Decimal | None:
    """Negative on a reversing entry (红字): sums of the column are net."""
    if value is None:
        return None
    return -value if entry.reverses_id else value


def item_name(item: Item) -> str:
    return f"{item.name} {item.specification}" if item.specification else item.name


def item_format(item: Item) -> str:
    return MONEY_FORMAT if item.is_money else GOODS_FORMAT


def party_name(party: Party | None) -> str:
    return str(party) if party is not None else ""


def _labels(choices) -> Callable[[str], str]:
    labels = {value: str(label) for value, label in choices.choices}
    return lambda value: labels.get(value, "")


# --- entries and their stock cards (台账) -----------------------------------------------------


def entry_columns() -> list[Column]:
    kind = _labels(EntryKind)

    def quantity(entry: LedgerEntry):
        return amount(signed(entry.quantity, entry), entry.item)

    def reversed_by(entry: LedgerEntry) -> str:
        reversal = getattr(entry, "reversed_by", None)
        return reversal.voucher if reversal is not None else ""

    return [
        Column(_("Voucher"), lambda e: e.voucher, 13),
        Column(_("Date"), lambda e: e.entry_date, 11, DATE_FORMAT),
        Column(_("Kind"), lambda e: kind(e.kind), 12),
        Column(_("Item"), lambda e: item_name(e.item), 18),
        Column(UNIT, lambda e: e.item.get_unit_display(), 6),
        Column(_("Quantity"), quantity, 11, lambda e: item_format(e.item)),
        Column(_("Packs"), lambda e: amount(signed(e.packs, e), e.item), 8),
        Column(_("Pack"), lambda e: e.item.pack_label if e.packs else "", 12),
        Column(_("Given by"), lambda e: party_name(e.from_party), 22),
        Column(_("Received by"), lambda e: e.receiver_name, 22),
        Column(_("Coordinated by"), lambda e: e.team.name if e.team_id else "", 22),
        Column(_("Value (yuan)"), lambda e: signed(e.value, e), 14, MONEY_FORMAT),
        Column(_("Note"), lambda e: e.note, 30),
        Column(_("Reverses"), lambda e: e.reverses.voucher if e.reverses_id else "", 13),
        Column(_("Reversed by"), reversed_by, 13),
        Column(_("Recorded by"), lambda e: str(e.recorded_by), 10),
        Column(_("Recorded at"), lambda e: local_time(e.created_at), 17, DATETIME_FORMAT),
    ]


def movement_columns() -> list[Column]:
    """A stock card (物资台账) row: what came in, what went out, and the balance after it."""
    kind = _labels(EntryKind)

    def incoming(movement: StockMovement) -> bool:
        return movement.holder_id == movement.entry.to_party_id

    def counterparty(movement: StockMovement) -> str:
        entry = movement.entry
        if not incoming(movement):
            return entry.receiver_name
        if entry.from_party_id:
            return str(entry.from_party)
        return entry.team.name if entry.team_id else ""

    def received(movement: StockMovement):
        return amount(movement.quantity, movement.item) if incoming(movement) else None

    def given(movement: StockMovement):
        return None if incoming(movement) else amount(-movement.quantity, movement.item)

    def number_format(movement: StockMovement) -> str:
        return item_format(movement.item)

    return [
        Column(_("Holder"), lambda m: str(m.holder), 22),
        Column(_("Item"), lambda m: item_name(m.item), 18),
        Column(UNIT, lambda m: m.item.get_unit_display(), 6),
        Column(_("Date"), lambda m: m.entry.entry_date, 11, DATE_FORMAT),
        Column(_("Voucher"), lambda m: m.entry.voucher, 13),
        Column(_("Kind"), lambda m: kind(m.entry.kind), 12),
        Column(_("Counterparty"), counterparty, 22),
        Column(_("In"), received, 10, number_format),
        Column(_("Out"), given, 10, number_format),
        Column(_("Balance"), lambda m: amount(m.balance_after, m.item), 11, number_format),
        Column(
            _("Reverses"), lambda m: m.entry.reverses.voucher if m.entry.reverses_id else "", 13
        ),
        Column(_("Note"), lambda m: m.entry.note, 30),
    ]


def _party_related(prefix: str) -> list[str]:
    return [prefix, *(f"{prefix}__{name}" for name in PARTY_RELATED)]


def entry_rows(entries: QuerySet):
    """The entries in the list's order, with everything a row shows: one query."""
    return entries_for_list(entries.prefetch_related(None)).iterator(chunk_size=CHUNK_SIZE)


def movement_rows(entries: QuerySet):
    """The stock card rows of `entries`, by holder, item and order of writing: one query. Their
    balance after each is the holder's running balance over the whole ledger, not only over the
    entries chosen."""
    return (
        StockMovement.objects.filter(entry__in=entries.order_by().values("pk"))
        .select_related(
            "item",
            "entry__team",
            "entry__reverses",
            *_party_related("holder"),
            *_party_related("entry__from_party"),
            *_party_related("entry__to_party"),
        )
        .order_by("holder_id", "item_id", "id")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def write_entries(entries: QuerySet, fileobj: IO[bytes]) -> int:
    """Writes `entries` (scoped and filtered) and, on a second sheet 台账, the stock cards of
    the holders and items they moved; returns the number of entries. Two queries."""
    workbook = Workbook(write_only=True)
    count = _write_sheet(workbook, gettext("Entries"), entry_columns(), entry_rows(entries))
    _write_sheet(workbook, gettext("Ledger"), movement_columns(), movement_rows(entries))
    workbook.save(fileobj)
    return count


def entries_xlsx(entries: QuerySet) -> HttpResponse:
    """The ledger as a download, 物资台账-YYYYMMDD.xlsx."""
    return dated_response(write_entries, entries, gettext("Supplies ledger"), "supplies-ledger")


# --- balances ---------------------------------------------------------------------------------


def balance_columns() -> list[Column]:
    holder_kind, category = _labels(PartyKind), _labels(ItemCategory)
    return [
        Column(_("Holder"), lambda b: str(b.holder), 22),
        Column(_("Holder kind"), lambda b: holder_kind(b.holder.kind), 12),
        Column(_("Item"), lambda b: item_name(b.item), 18),
        Column(_("Category"), lambda b: category(b.item.category), 10),
        Column(UNIT, lambda b: b.item.get_unit_display(), 6),
        Column(
            _("Quantity"),
            lambda b: amount(b.quantity, b.item),
            12,
            lambda b: item_format(b.item),
        ),
        Column(_("Pack"), lambda b: b.item.pack_label, 12),
        Column(_("Updated"), lambda b: local_time(b.updated_at), 17, DATETIME_FORMAT),
    ]


def write_balances(balances: QuerySet, fileobj: IO[bytes]) -> int:
    """Writes `balances` (scoped and filtered), one row per holder and item: one query."""
    workbook = Workbook(write_only=True)
    rows = balances_for_list(balances.prefetch_related(None)).iterator(chunk_size=CHUNK_SIZE)
    count = _write_sheet(workbook, gettext("Stock on hand"), balance_columns(), rows)
    workbook.save(fileobj)
    return count


def balances_xlsx(balances: QuerySet) -> HttpResponse:
    return dated_response(write_balances, balances, gettext("Stock on hand"), "supplies-stock")


# --- totals -----------------------------------------------------------------------------------

TOTAL_LABELS = {
    "donor": _("Donor"),
    "recipient": _("Recipient"),
    "team": _("Coordinated by"),
}


@dataclass(frozen=True)
class TotalLine:
    """A row of a totals sheet: a total, or (`row` None) the sum of the sheet's yuan."""

    row: TotalRow | None
    sum: Decimal = Decimal(0)


def total_columns(by: str, money: bool) -> list[Column]:
    """The columns of a totals sheet; the sum line reads 合计 in the first column."""
    kind = _labels(EntryKind)
    total = gettext("Total")

    def of(read: Callable[[TotalRow], Any]) -> Callable[[TotalLine], Any]:
        return lambda line: read(line.row) if line.row is not None else None

    def yuan(read: Callable[[TotalRow], Any]) -> Callable[[TotalLine], Any]:
        return lambda line: read(line.row) if line.row is not None else line.sum

    if by in TOTAL_LABELS:
        first = Column(TOTAL_LABELS[by], lambda line: line.row.label if line.row else total, 24)
        columns = [first, Column(_("Item"), of(lambda r: item_name(r.item)), 18)]
    else:
        columns = [
            Column(_("Item"), lambda line: item_name(line.row.item) if line.row else total, 18)
        ]
    if money:
        return [
            *columns,
            Column(_("Kind"), of(lambda r: kind(r.kind)), 12),
            Column(_("Amount (yuan)"), yuan(lambda r: r.quantity), 16, MONEY_FORMAT),
            Column(_("Entries"), of(lambda r: r.entries), 8),
        ]
    return [
        *columns,
        Column(UNIT, of(lambda r: r.item.get_unit_display()), 6),
        Column(_("Kind"), of(lambda r: kind(r.kind)), 12),
        Column(_("Quantity"), of(lambda r: amount(r.quantity, r.item)), 12, GOODS_FORMAT),
        Column(_("Value (yuan)"), yuan(lambda r: r.value), 16, MONEY_FORMAT),
        Column(_("Entries"), of(lambda r: r.entries), 8),
    ]


def _with_sum(rows: list[TotalRow], total: Decimal) -> list[TotalLine]:
    """The rows, then a line with the sum of their yuan (value of goods, amount of money); the
    quantities of different goods are never added."""
    lines = [TotalLine(row) for row in rows]
    return [*lines, TotalLine(None, total)] if rows else lines


def write_totals(totals: Totals, fileobj: IO[bytes]) -> int:
    """Writes the totals: goods on one sheet, money on another; returns the number of totals."""
    workbook = Workbook(write_only=True)
    goods = _with_sum(totals.goods, totals.value_total)
    money = _with_sum(totals.money, totals.money_total)
    _write_sheet(workbook, gettext("Goods"), total_columns(totals.by, money=False), goods)
    _write_sheet(workbook, gettext("Money"), total_columns(totals.by, money=True), money)
    workbook.save(fileobj)
    return len(totals.goods) + len(totals.money)


def totals_xlsx(totals: Totals) -> HttpResponse:
    return dated_response(write_totals, totals, gettext("Totals"), f"supply-totals-{totals.by}")
