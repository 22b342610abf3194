"""Writes of the supplies ledger. Entries are only ever added: recorded, or reversed by a new
entry that undoes one exactly. The database numbers vouchers and keeps balances (migration 0002);
these functions check who may write, convert packs, and refuse to hand out more than is held,
with the balance in the message, under the balance rows' locks."""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Area, User

from .choices import INFLOW_KINDS, OUTFLOW_KINDS, OUTSIDE_KINDS, EntryKind
from .models import MONEY, Balance, Item, LedgerEntry, Party


@dataclass
class EntryLine:
    """One item of an arrival or a hand-out: a quantity in the item's unit, or in its packs."""

    item: Item
    quantity: Decimal | None = None
    packs: Decimal | None = None
    value: Decimal | None = None


def acting_party(kind: str, from_party: Party | None, to_party: Party | None) -> Party | None:
    """The holder whose books an entry is written in: the receiver of a donation or a
    coordination, the giver of a transfer or a hand-out."""
    return from_party if kind in OUTFLOW_KINDS else to_party


def may_record(actor: User, kind: str, holder: Party | None, team=None) -> bool:
    """Whoever keeps the holder's books, and for a coordination also the coordinating team's
    own accounts, for the places their team covers."""
    if holder is not None and Party.objects.held_by(actor).filter(pk=holder.pk).exists():
        return True
    return (
        kind == EntryKind.COORDINATION
        and team is not None
        and team.accounts.filter(pk=actor.pk).exists()
        and holder is not None
        and Party.objects.covered_for(actor).filter(pk=holder.pk).exists()
    )


def _quantity(line: EntryLine) -> Decimal:
    """The quantity in the item's unit; packs are converted exactly (a pack holds whole units,
    so nothing is ever rounded)."""
    item = line.item
    if line.packs is None:
        if line.quantity is None:
            raise ValidationError({"quantity": _("Give the quantity.")})
        return line.quantity
    if not item.pack_size:
        raise ValidationError(
            {"packs": _("%(item)s does not come in packs.") % {"item": item.name}}
        )
    quantity = line.packs * item.pack_size
    if line.quantity is not None and line.quantity != quantity:
        raise ValidationError(
            {
                "quantity": _(
                    "%(packs)s %(pack_unit)s of %(item)s are %(quantity)s %(unit)s, not %(given)s."
                )
                % {
                    "packs": line.packs,
                    "pack_unit": item.get_pack_unit_display(),
                    "item": item.name,
                    "quantity": quantity,
                    "unit": item.get_unit_display(),
                    "given": line.quantity,
                }
            }
        )
    return quantity


def _lock_balances(parties: list[Party], item: Item) -> dict[int, Decimal]:
    """Locks the holders' balance rows of the item, in the order of the holders' ids (the
    trigger locks them in that order too), and returns what each holds now."""
    rows = (
        Balance.objects.select_for_update()
        .filter(holder__in=[party.pk for party in parties], item=item)
        .order_by("holder_id")
        .values_list("holder_id", "quantity")
    )
    return dict(rows)


def _check_stock(holder: Party, item: Item, quantity: Decimal, held: dict[int, Decimal]) -> None:
    balance = held.get(holder.pk, Decimal(0))
    if balance < quantity:
        raise ValidationError(
            {
                "quantity": _(
                    "%(holder)s holds only %(balance)s %(unit)s of %(item)s; %(quantity)s "
                    "cannot be given out."
                )
                % {
                    "holder": holder,
                    "balance": _plain(balance),
                    "unit": item.get_unit_display(),
                    "item": item.name,
                    "quantity": _plain(quantity),
                }
            }
        )


# The most a balance row can hold (numeric(16, 2)); past it the database would refuse the entry.
BALANCE_MAX = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"]) - Decimal("0.01")


def _check_room(holder: Party, item: Item, quantity: Decimal) -> None:
    # Read without a lock (a donation takes none before the trigger's, or two at once would
    # deadlock); a race at this bound is still refused by the database.
    rows = Balance.objects.filter(holder=holder, item=item).values_list("quantity", flat=True)
    if (rows.first() or Decimal(0)) + quantity > BALANCE_MAX:
        raise ValidationError(
            {
                "quantity": _("%(holder)s would then hold more %(item)s than the ledger can count.")
                % {"holder": holder, "item": item.name}
            }
        )


def _plain(number: Decimal) -> str:
    """12.00 → “12”, 12.50 → “12.5”."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# The ledger's earliest date: anything before is a typing slip, not an old voucher.
EARLIEST = date(2000, 1, 1)


def _check_date(entry_date: date) -> None:
    if entry_date > timezone.localdate():
        raise ValidationError({"entry_date": _("The date cannot be in the future.")})
    if entry_date < EARLIEST:
        raise ValidationError(
            {"entry_date": _("The date cannot be before %(date)s.") % {"date": EARLIEST}}
        )


@transaction.atomic
def entry_record(
    *,
    actor: User,
    kind: str,
    line: EntryLine,
    entry_date: date,
    from_party: Party | None = None,
    to_party: Party | None = None,
    recipient: str = "",
    team=None,
    note: str = "",
    batch: uuid.UUID | None = None,
) -> LedgerEntry:
    """Records one movement of one item. A hand-out or a transfer beyond what the giver holds is
    refused with the balance in the message; two at the same moment wait for each other on the
    balance row, and the second sees what the first left."""
    holder = acting_party(kind, from_party, to_party)
    if not may_record(actor, kind, holder, team):
        raise PermissionDenied(_("You do not keep this holder's books."))
    _check_date(entry_date)
    entry = LedgerEntry(
        county_id=holder.county_id if holder else (team.county_id if team else None),
        entry_date=entry_date,
        kind=kind,
        item=line.item,
        quantity=_quantity(line),
        packs=line.packs,
        from_party=from_party,
        to_party=to_party,
        recipient=recipient,
        team=team,
        value=line.value,
        note=note,
        batch=batch,
        recorded_by=actor,
    )
    entry.full_clean(exclude=["year", "number", "recorded_by"])
    if kind in OUTFLOW_KINDS:
        parties = [from_party, to_party] if kind == EntryKind.TRANSFER else [from_party]
        held = _lock_balances(parties, line.item)
        _check_stock(from_party, line.item, entry.quantity, held)
    if kind in INFLOW_KINDS:
        _check_room(to_party, line.item, entry.quantity)
    entry.save()
    return entry


@transaction.atomic
def entries_record(
    *, actor: User, kind: str, lines: list[EntryLine], batch: uuid.UUID | None = None, **header
) -> list:
    """Records several items that arrive or go out together (one receipt): all or none. A bad
    line's errors are raised keyed by its position, `{"lines": {0: …}}`. A `batch` the form
    was given records once: sent again (a double click, a reload), the entries recorded the
    first time are returned and nothing is added."""
    if not lines:
        raise ValidationError({"lines": _("Add at least one item.")})
    if batch is not None:
        with connection.cursor() as cursor:  # the same form sent twice at once waits here
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [batch.int >> 65])
        done = list(LedgerEntry.objects.filter(batch=batch).order_by("pk"))
        if done and all(entry.recorded_by_id == actor.pk for entry in done):
            return done
        if done:
            batch = None  # someone else's batch: never join their receipt
    batch = batch or uuid.uuid4()
    entries, errors = [], {}
    for index, line in enumerate(lines):
        try:
            entries.append(entry_record(actor=actor, kind=kind, line=line, batch=batch, **header))
        except ValidationError as error:
            errors[index] = error
    if errors:
        raise LineErrors(errors)
    return entries


class LineErrors(ValidationError):
    """The errors of several lines of one recording, by the line's position."""

    def __init__(self, by_line: dict[int, ValidationError]):
        self.by_line = by_line
        messages = [message for error in by_line.values() for message in error.messages]
        super().__init__(messages)


@transaction.atomic
def entry_reverse(*, actor: User, entry: LedgerEntry, note: str) -> LedgerEntry:
    """Undoes an entry with a new one that repeats it with `reverses` set: the balances move
    back, both stay in the ledger. Refused when the goods received are already given on (the
    receiver's balance is in the message), for an entry already reversed, and for a reversal."""
    entry = LedgerEntry.objects.select_for_update().select_related("item").get(pk=entry.pk)
    holder = acting_party(entry.kind, entry.from_party, entry.to_party)
    if not may_record(actor, entry.kind, holder, entry.team):
        raise PermissionDenied(_("You do not keep this holder's books."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the entry is reversed.")})
    # A TextField's max_length is not checked by full_clean(); the admin's action has no form.
    try:
        MaxLengthValidator(LedgerEntry._meta.get_field("note").max_length)(note.strip())
    except ValidationError as error:
        raise ValidationError({"note": error.messages}) from error
    if entry.is_reversal:
        raise ValidationError(
            _("A reversing entry is not reversed itself; record the movement again instead.")
        )
    already = LedgerEntry.objects.filter(reverses=entry).first()
    if already is not None:
        raise ValidationError(
            _("Voucher %(voucher)s already reverses this entry.") % {"voucher": already.voucher}
        )
    if entry.kind in INFLOW_KINDS:
        parties = [entry.to_party]
        if entry.kind == EntryKind.TRANSFER:
            parties.append(entry.from_party)
        held = _lock_balances(parties, entry.item)
        _check_stock(entry.to_party, entry.item, entry.quantity, held)
    if entry.kind in OUTFLOW_KINDS:
        _check_room(entry.from_party, entry.item, entry.quantity)
    reversal = LedgerEntry(
        county_id=entry.county_id,
        entry_date=timezone.localdate(),
        kind=entry.kind,
        item=entry.item,
        quantity=entry.quantity,
        packs=entry.packs,
        from_party=entry.from_party,
        to_party=entry.to_party,
        recipient=entry.recipient,
        team=entry.team,
        value=entry.value,
        note=note.strip(),
        reverses=entry,
        recorded_by=actor,
    )
    reversal.full_clean(exclude=["year", "number", "recorded_by", "reverses"])
    reversal.save()
    return reversal


@transaction.atomic
def party_save(*, actor: User, party: Party) -> Party:
    """Adds or changes an enterprise, a person or another party outside the stock. Holders are
    made by the database with what they stand for and are not edited here."""
    if party.kind not in OUTSIDE_KINDS:
        raise ValidationError({"kind": _("Holders of stock are made with what they stand for.")})
    if not Party.objects.visible_to(actor).filter(county=party.county_id).exists():
        raise PermissionDenied(_("You do not work in this county."))
    if party.pk and not Party.objects.visible_to(actor).filter(pk=party.pk).exists():
        raise PermissionDenied(_("You do not work in this county."))
    party.name = party.name.strip()
    party.full_clean()
    party.save()
    return party


def outside_party(*, actor: User, county: Area, kind: str, name: str) -> Party:
    """The outside party of this name in the county, added when new (a donor typed in)."""
    existing = Party.objects.filter(county=county, kind=kind, name=name.strip()).first()
    if existing is not None:
        return existing
    return party_save(actor=actor, party=Party(county=county, kind=kind, name=name))


@transaction.atomic
def item_save(*, actor: User, item: Item) -> Item:
    """Adds or changes an item of the catalogue, which every county shares: administrators
    only. An item already in the ledger keeps its unit and pack, or its entries would change
    meaning."""
    if not actor.sees_everything:
        raise PermissionDenied(_("Only administrators change the catalogue of items."))
    if item.pk:
        before = Item.objects.get(pk=item.pk)
        changed = (before.unit, before.pack_size, before.is_money) != (
            item.unit,
            item.pack_size,
            item.is_money,
        )
        if changed and before.entries.exists():
            raise ValidationError(
                {"unit": _("This item is in the ledger: its unit and pack cannot change.")}
            )
    item.full_clean()
    item.save()
    return item
