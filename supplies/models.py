"""The supplies ledger (物资台账): items, parties, entries, and the balances they keep.

Entries are append-only: the database refuses to change or delete one, and a mistake is
corrected by a reversing entry. Triggers (migration 0002) number each entry's voucher without
gaps per county and year, and keep each holder's balance of each item current, with a stock
card row (`StockMovement`) per side moved; a balance can never go negative (a check constraint).
"""

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from cadres.models import WorkUnit
from communities.choices import AreaLevel, Role
from communities.models import Area, ScopedQuerySet, TimeStampedModel
from supervision.models import CountyWideQuerySet, Team

from .choices import (
    AREA_PARTY_KINDS,
    HOLDER_KINDS,
    INFLOW_KINDS,
    OUTFLOW_KINDS,
    OUTSIDE_KINDS,
    EntryKind,
    ItemCategory,
    ItemUnit,
    PartyKind,
)

MONEY = {"max_digits": 16, "decimal_places": 2}


class Item(TimeStampedModel):
    """A kind of goods (or money) in the catalogue, counted in `unit`; it may also come in packs
    (a 箱 of 20 瓶), which the ledger converts to units, never rounding."""

    name = models.CharField(_("name"), max_length=50)
    specification = models.CharField(_("specification"), max_length=50, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=ItemCategory.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=ItemUnit.choices)
    pack_unit = models.CharField(
        _("pack unit"), max_length=10, choices=ItemUnit.choices, blank=True
    )
    pack_size = models.PositiveIntegerField(
        _("units per pack"), null=True, blank=True, help_text=_("E.g. 20 for a case of 20 bottles.")
    )
    is_money = models.BooleanField(
        _("money"), default=False, help_text=_("Cash donations: counted in yuan, never in packs.")
    )

    constraint_error_fields: ClassVar[dict[str, str]] = {
        "name_taken": "name",
        "pack_incomplete": "pack_size",
        "money_in_yuan": "unit",
    }

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["category", "name", "specification"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "specification"],
                name="supplies_item_unique_name",
                violation_error_message=_("An item of this name and specification exists."),
                violation_error_code="name_taken",
            ),
            models.CheckConstraint(
                condition=(Q(pack_unit="") & Q(pack_size__isnull=True))
                | (~Q(pack_unit="") & Q(pack_size__gte=2)),
                name="supplies_item_pack_complete",
                violation_error_message=_(
                    "A pack needs both its unit and how many units it holds (at least 2)."
                ),
                violation_error_code="pack_incomplete",
            ),
            models.CheckConstraint(
                condition=Q(is_money=False)
                | Q(unit=ItemUnit.YUAN, pack_unit="", category=ItemCategory.MONEY),
                name="supplies_item_money_in_yuan",
                violation_error_message=_(
                    "Money is counted in yuan, in the money category, without packs."
                ),
                violation_error_code="money_in_yuan",
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.name} {self.specification}" if self.specification else self.name
        return f"{name}（{self.get_unit_display()}）"

    @property
    def pack_label(self) -> str:
        """“箱 = 20 瓶”, or empty."""
        if not self.pack_size:
            return ""
        return f"{self.get_pack_unit_display()} = {self.pack_size} {self.get_unit_display()}"


class PartyQuerySet(CountyWideQuerySet):
    """Parties are names, no secret to anyone working in the county: every account sees the
    parties of the counties it works in. `held_by` is narrower: the holders whose books an
    account keeps."""

    def holders(self) -> "PartyQuerySet":
        return self.filter(kind__in=HOLDER_KINDS)

    def outside(self) -> "PartyQuerySet":
        return self.filter(kind__in=OUTSIDE_KINDS)

    def held_by(self, user) -> "PartyQuerySet":
        """The holders whose stock the user records and sees: the county's organisation
        department all of its county; township staff their township and its communities; a
        secretary their community; a team's account its team; unit staff their units."""
        holders = self.holders()
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return holders
        if user.is_unit_staff:
            return holders.filter(work_unit_id__in=user.work_unit_ids)
        if user.role == Role.TEAM_MEMBER:
            return holders.filter(team__accounts=user)
        if user.area_id is None:
            return self.none()
        if user.is_county_staff:
            return holders.filter(county__path__startswith=user.area.path)
        return holders.filter(area__path__startswith=user.area.path)

    def covered_for(self, user) -> "PartyQuerySet":
        """The holders a team's account may bring coordinated goods to: its team, and the
        townships and communities its team covers (and the communities under them)."""
        from supervision.models import TeamCoverage

        covered = TeamCoverage.objects.filter(
            StartsWith(OuterRef("area__path"), F("area__path")), team__accounts=user
        )
        return self.holders().filter(Q(team__accounts=user) | Exists(covered))


class Party(TimeStampedModel):
    """Someone who gives, holds or receives goods. Holders (the county stock, townships,
    communities, work units, teams) are linked to what they are and get their party from a
    trigger when that is created; enterprises, individuals and others are typed in by name."""

    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices)
    county = models.ForeignKey(
        Area,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="supply_parties",
        limit_choices_to={"level": AreaLevel.COUNTY},
    )
    area = models.OneToOneField(
        Area,
        verbose_name=_("area"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supply_party",
    )
    work_unit = models.OneToOneField(
        WorkUnit,
        verbose_name=_("work unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supply_party",
    )
    team = models.OneToOneField(
        Team,
        verbose_name=_("supervision team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supply_party",
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("For enterprises, individuals, others.")
    )
    anonymous = models.BooleanField(
        _("anonymous in public notices"),
        default=False,
        help_text=_("The donor asked not to be named on the public notice."),
    )

    objects = PartyQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {
        "name_taken": "name",
        "name_required": "name",
    }

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["county_id", "kind", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AREA_PARTY_KINDS, area__isnull=False)
                | (~Q(kind__in=AREA_PARTY_KINDS) & Q(area__isnull=True)),
                name="supplies_party_area_kind",
                violation_error_message=_("Only the county, townships and communities are areas."),
            ),
            models.CheckConstraint(
                condition=Q(kind=PartyKind.WORK_UNIT, work_unit__isnull=False)
                | (~Q(kind=PartyKind.WORK_UNIT) & Q(work_unit__isnull=True)),
                name="supplies_party_work_unit_kind",
                violation_error_message=_("A work unit's party is linked to the work unit."),
            ),
            models.CheckConstraint(
                condition=Q(kind=PartyKind.TEAM, team__isnull=False)
                | (~Q(kind=PartyKind.TEAM) & Q(team__isnull=True)),
                name="supplies_party_team_kind",
                violation_error_message=_("A team's party is linked to the team."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=HOLDER_KINDS) | ~Q(name=""),
                name="supplies_party_name_required",
                violation_error_message=_("Give the name of the enterprise or person."),
                violation_error_code="name_required",
            ),
            models.UniqueConstraint(
                fields=["county", "kind", "name"],
                condition=Q(kind__in=OUTSIDE_KINDS),
                name="supplies_party_unique_name",
                violation_error_message=_("This county already has a party of this name."),
                violation_error_code="name_taken",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == PartyKind.COUNTY:
            return _("%(county)s county stock") % {"county": self.area.name}
        linked = self.area or self.work_unit or self.team
        return linked.name if linked else self.name

    @property
    def holds_stock(self) -> bool:
        return self.kind in HOLDER_KINDS

    def public_name(self) -> str:
        """The name a public notice shows: anonymous donors and private persons unnamed."""
        if self.anonymous:
            return str(_("Anonymous"))
        if self.kind == PartyKind.INDIVIDUAL:
            return self.name[:1] + "*" * max(len(self.name) - 1, 1)
        return str(self)


class LedgerEntryQuerySet(ScopedQuerySet):
    """The county's organisation department sees its county's whole ledger; everyone else the
    entries that move the stock of a holder whose books they keep, and a team's account also
    what its team coordinated."""

    area_field = "county"

    def visible_to(self, user) -> "LedgerEntryQuerySet":
        if not user.is_authenticated or not user.is_active or user.sees_everything:
            return super().visible_to(user)
        if user.is_county_staff:
            return super().visible_to(user)
        held = Party.objects.held_by(user).values("pk")
        seen = Q(from_party__in=held) | Q(to_party__in=held)
        if user.role == Role.TEAM_MEMBER:
            seen |= Q(team__accounts=user)
        return self.filter(seen)

    def net_quantity(self) -> models.Expression:
        """An entry's quantity, negative on a reversing entry: sums of it are net."""
        return models.Case(
            models.When(reverses__isnull=False, then=-models.F("quantity")),
            default=models.F("quantity"),
        )


class LedgerEntry(TimeStampedModel):
    """One movement of one item: a voucher numbered per county and year without gaps (by a
    trigger), never changed or deleted. A reversing entry (`reverses`) undoes one entry
    exactly; both stay in the ledger."""

    county = models.ForeignKey(
        Area,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        limit_choices_to={"level": AreaLevel.COUNTY},
    )
    year = models.PositiveSmallIntegerField(_("year"), db_default=0, editable=False)
    number = models.PositiveIntegerField(_("voucher number"), db_default=0, editable=False)
    entry_date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="entries"
    )
    quantity = models.DecimalField(_("quantity"), **MONEY, help_text=_("In the item's unit."))
    packs = models.DecimalField(
        _("packs"), **MONEY, null=True, blank=True, help_text=_("As entered, when in packs.")
    )
    from_party = models.ForeignKey(
        Party,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries_out",
    )
    to_party = models.ForeignKey(
        Party,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries_in",
    )
    recipient = models.CharField(
        _("recipient"),
        max_length=100,
        blank=True,
        help_text=_("Who got goods handed out, when not a party (e.g. residents, a checkpoint)."),
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("coordinated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    value = models.DecimalField(_("estimated value (yuan)"), **MONEY, null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    # Entries recorded together (one arrival of several goods) share a batch: one receipt.
    batch = models.UUIDField(_("batch"), null=True, blank=True, db_index=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )

    objects = LedgerEntryQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {
        "quantity_positive": "quantity",
        "value_not_negative": "value",
        "from_required": "from_party",
        "to_required": "to_party",
        "team_required": "team",
        "same_party": "to_party",
    }

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-entry_date", "-id"]
        indexes = [
            models.Index(fields=["county", "entry_date"], name="supplies_entry_county_date"),
            models.Index(fields=["from_party", "item"], name="supplies_entry_from_item"),
            models.Index(fields=["to_party", "item"], name="supplies_entry_to_item"),
            models.Index(fields=["team", "entry_date"], name="supplies_entry_team_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "number"], name="supplies_ledgerentry_voucher"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & (Q(packs__isnull=True) | Q(packs__gt=0)),
                name="supplies_ledgerentry_quantity_positive",
                violation_error_message=_("The quantity must be more than zero."),
                violation_error_code="quantity_positive",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="supplies_ledgerentry_value_not_negative",
                violation_error_message=_("The value cannot be negative."),
                violation_error_code="value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.COORDINATION) | Q(from_party__isnull=False),
                name="supplies_ledgerentry_from_required",
                violation_error_message=_("Say who gave it."),
                violation_error_code="from_required",
            ),
            models.CheckConstraint(
                condition=Q(to_party__isnull=False) | Q(kind=EntryKind.ISSUE, recipient__gt=""),
                name="supplies_ledgerentry_to_required",
                violation_error_message=_("Say who received it."),
                violation_error_code="to_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.COORDINATION) | Q(team__isnull=False),
                name="supplies_ledgerentry_team_required",
                violation_error_message=_("Say which team coordinated it."),
                violation_error_code="team_required",
            ),
            models.CheckConstraint(
                condition=~Q(from_party=models.F("to_party")),
                name="supplies_ledgerentry_same_party",
                violation_error_message=_("Giver and receiver are the same."),
                violation_error_code="same_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} {self.item} {self.quantity}"

    @property
    def voucher(self) -> str:
        """The voucher number as printed: “2020-000123” (none before it is saved)."""
        if not isinstance(self.number, int):
            return ""
        return f"{self.year}-{self.number:06d}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def receiver_name(self) -> str:
        return str(self.to_party) if self.to_party_id else self.recipient

    def clean(self) -> None:
        """The rules across an entry's rows (the database trigger holds them too): the moved
        sides hold stock, everything is of the entry's county, goods come in whole units."""
        super().clean()
        errors: dict = {}
        if self.kind in OUTFLOW_KINDS and self.from_party and not self.from_party.holds_stock:
            errors["from_party"] = _("Only a holder of stock can give this out.")
        if self.kind in INFLOW_KINDS and self.to_party and not self.to_party.holds_stock:
            errors["to_party"] = _("Only a holder of stock can receive this into the ledger.")
        for field in ("from_party", "to_party", "team"):
            other = getattr(self, field)
            if (
                self.county_id
                and other is not None
                and other.county_id != self.county_id
                and field not in errors
            ):
                errors[field] = _("This belongs to another county.")
        if self.item_id and self.quantity is not None and not self.item.is_money:
            if self.quantity != self.quantity.to_integral_value():
                errors["quantity"] = _("%(item)s is counted in whole %(unit)s.") % {
                    "item": self.item.name,
                    "unit": self.item.get_unit_display(),
                }
        if self.item_id and self.item.is_money and self.value is not None:
            errors["value"] = _("Money has no estimated value: the amount is the quantity.")
        if errors:
            raise ValidationError(errors)


class BalanceQuerySet(ScopedQuerySet):
    area_field = "holder__county"

    def visible_to(self, user) -> "BalanceQuerySet":
        if not user.is_authenticated or not user.is_active or user.sees_everything:
            return super().visible_to(user)
        return self.filter(holder__in=Party.objects.held_by(user).values("pk"))


class Balance(models.Model):
    """What a holder has of an item now: the sum of its entries, written only by the ledger's
    trigger, never negative."""

    holder = models.ForeignKey(
        Party, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="balances"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="balances"
    )
    quantity = models.DecimalField(_("quantity"), **MONEY)
    updated_at = models.DateTimeField(_("updated at"))

    objects = BalanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        ordering = ["holder_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "item"], name="supplies_balance_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="supplies_balance_not_negative",
                violation_error_message=_("A balance cannot go below zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.item} · {self.quantity}"


class StockMovement(models.Model):
    """One side of an entry on a holder's stock card, with the balance after it: the running
    balance, written by the ledger's trigger under the balance's row lock (so in order)."""

    entry = models.ForeignKey(
        LedgerEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="movements"
    )
    holder = models.ForeignKey(
        Party, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="movements"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="movements"
    )
    quantity = models.DecimalField(_("change"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)

    objects = BalanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["holder_id", "item_id", "id"]
        indexes = [
            models.Index(fields=["holder", "item", "id"], name="supplies_movement_card"),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.item} · {self.quantity:+}"


class VoucherCounter(models.Model):
    """The last voucher number of a county's year, advanced by the ledger's trigger in the
    entry's own transaction: a rolled-back entry gives its number back, so there are no gaps."""

    county = models.ForeignKey(
        Area, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"))

    class Meta:
        verbose_name = _("voucher counter")
        verbose_name_plural = _("voucher counters")
        ordering = ["county_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="supplies_counter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id}/{self.year}: {self.last}"
