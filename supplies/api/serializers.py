"""Serializers of the supplies API.

Input serializers check shapes and types and turn ids into rows the caller sees (any other id
reads as unknown: a 400 on its field); whether the caller keeps the books the entry is written
in, and the ledger's rules (whole units, packs, stock on hand, dates), are the services' to say,
answering 403 or 400 through the one exception handler.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cadres.api.serializers import VisiblePrimaryKeyRelatedField
from communities.choices import AreaLevel
from communities.models import Area
from supervision.models import Team
from supplies.choices import OUTFLOW_KINDS, OUTSIDE_KINDS, EntryKind
from supplies.models import MONEY, Balance, Item, LedgerEntry, Party, StockMovement

# The parties typed in by name; holders of stock are made by the database.
OUTSIDE_KIND_CHOICES = [(kind.value, kind.label) for kind in OUTSIDE_KINDS]


def _amount(**kwargs) -> serializers.DecimalField:
    """A quantity, a number of packs or a value as the ledger stores it."""
    return serializers.DecimalField(
        **MONEY, required=False, allow_null=True, default=None, **kwargs
    )


def _name(value) -> str:
    return str(value) if value is not None else ""


# --- items ------------------------------------------------------------------------------------


class ItemSerializer(serializers.ModelSerializer):
    label = serializers.CharField(
        source="__str__", read_only=True, help_text=_("The name with its unit, as lists show it.")
    )
    unit_label = serializers.CharField(source="get_unit_display", read_only=True)
    pack_label = serializers.CharField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "name",
            "specification",
            "category",
            "unit",
            "unit_label",
            "pack_unit",
            "pack_size",
            "pack_label",
            "is_money",
            "label",
        ]
        read_only_fields = fields


# --- parties ----------------------------------------------------------------------------------


class PartySerializer(serializers.ModelSerializer):
    """A party as the ledger names it: an enterprise or person by its name, a holder by what it
    stands for (the county stock, a township, a community, a work unit, a team)."""

    name = serializers.CharField(source="__str__", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    holds_stock = serializers.BooleanField(read_only=True)

    class Meta:
        model = Party
        fields = [
            "id",
            "kind",
            "kind_label",
            "name",
            "county",
            "county_name",
            "area",
            "work_unit",
            "team",
            "anonymous",
            "holds_stock",
        ]
        read_only_fields = fields


def visible_counties(user):
    """The counties whose parties `user` sees."""
    return Area.objects.filter(
        level=AreaLevel.COUNTY, pk__in=Party.objects.visible_to(user).values("county_id")
    )


@extend_schema_field(OpenApiTypes.INT)
class CountyField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_counties(self.context["request"].user)


class PartyCreateSerializer(serializers.Serializer):
    """An enterprise, a person or another giver or receiver outside the stock, by name."""

    kind = serializers.ChoiceField(label=_("kind"), choices=OUTSIDE_KIND_CHOICES)
    county = CountyField(
        label=_("county"),
        required=False,
        help_text=_("May be left out by whoever works in one county only."),
    )
    name = serializers.CharField(label=_("name"), max_length=100)
    anonymous = serializers.BooleanField(label=_("anonymous in public notices"), default=False)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("county") is None:
            counties = list(self.fields["county"].get_queryset()[:2])
            if len(counties) != 1:
                raise serializers.ValidationError({"county": [gettext("Say which county.")]})
            attrs["county"] = counties[0]
        return attrs


# --- ledger entries ---------------------------------------------------------------------------


class StockMovementSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="holder.__str__", read_only=True)

    class Meta:
        model = StockMovement
        fields = ["holder", "holder_name", "quantity", "balance_after"]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer):
    """An entry of the ledger with its voucher, the names of what it refers to, and its net
    effect: the quantity (negative on a reversing entry) and what it did to the stock of each
    holder whose books the caller keeps."""

    voucher = serializers.CharField(read_only=True, help_text=_("Year and number: 2026-000123."))
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    unit_label = serializers.CharField(source="item.get_unit_display", read_only=True)
    is_money = serializers.BooleanField(source="item.is_money", read_only=True)
    from_party_name = serializers.SerializerMethodField()
    to_party_name = serializers.SerializerMethodField()
    receiver_name = serializers.CharField(read_only=True)
    team_name = serializers.SerializerMethodField()
    net_quantity = serializers.DecimalField(
        **MONEY,
        read_only=True,
        help_text=_("The quantity, negative on a reversing entry: sums of it are net."),
    )
    reverses_voucher = serializers.SerializerMethodField()
    reversed_by = serializers.SerializerMethodField()
    reversed_by_voucher = serializers.SerializerMethodField()
    recorded_by_name = serializers.CharField(source="recorded_by.__str__", read_only=True)
    movements = serializers.SerializerMethodField(
        help_text=_(
            "What the entry did to the stock of each holder whose books you keep, with the "
            "balance after it."
        )
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "voucher",
            "year",
            "number",
            "county",
            "entry_date",
            "kind",
            "kind_label",
            "item",
            "item_name",
            "unit",
            "unit_label",
            "is_money",
            "quantity",
            "packs",
            "net_quantity",
            "value",
            "from_party",
            "from_party_name",
            "to_party",
            "to_party_name",
            "recipient",
            "receiver_name",
            "team",
            "team_name",
            "note",
            "reverses",
            "reverses_voucher",
            "reversed_by",
            "reversed_by_voucher",
            "batch",
            "recorded_by",
            "recorded_by_name",
            "created_at",
            "movements",
        ]
        read_only_fields = fields

    def get_from_party_name(self, entry: LedgerEntry) -> str:
        return _name(entry.from_party)

    def get_to_party_name(self, entry: LedgerEntry) -> str:
        return _name(entry.to_party)

    def get_team_name(self, entry: LedgerEntry) -> str:
        return _name(entry.team)

    def get_reverses_voucher(self, entry: LedgerEntry) -> str:
        return entry.reverses.voucher if entry.reverses_id else ""

    @staticmethod
    def _reversal(entry: LedgerEntry) -> LedgerEntry | None:
        try:
            return entry.reversed_by
        except ObjectDoesNotExist:
            return None

    def get_reversed_by(self, entry: LedgerEntry) -> int | None:
        reversal = self._reversal(entry)
        return reversal.pk if reversal else None

    def get_reversed_by_voucher(self, entry: LedgerEntry) -> str:
        reversal = self._reversal(entry)
        return reversal.voucher if reversal else ""

    @extend_schema_field(StockMovementSerializer(many=True))
    def get_movements(self, entry: LedgerEntry) -> list:
        # Prefetched by the viewset, limited to the holders the caller keeps the books of.
        movements = getattr(entry, "visible_movements", [])
        return StockMovementSerializer(movements, many=True).data


class LedgerEntryCreateSerializer(serializers.Serializer):
    """One movement of one item, in units (`quantity`) or in packs (`packs`, converted exactly).
    Parties, items and teams are ids the caller sees."""

    kind = serializers.ChoiceField(label=_("kind"), choices=EntryKind.choices)
    entry_date = serializers.DateField(
        label=_("date"), required=False, help_text=_("Today (Beijing time) when left out.")
    )
    item = serializers.PrimaryKeyRelatedField(label=_("item"), queryset=Item.objects.all())
    quantity = _amount(label=_("quantity"), help_text=_("In the item's unit."))
    packs = _amount(label=_("packs"), help_text=_("Instead of the quantity, for items in packs."))
    value = _amount(label=_("estimated value (yuan)"))
    from_party = VisiblePrimaryKeyRelatedField(
        label=_("from"), queryset=Party.objects.all(), required=False, allow_null=True
    )
    to_party = VisiblePrimaryKeyRelatedField(
        label=_("to"), queryset=Party.objects.all(), required=False, allow_null=True
    )
    recipient = serializers.CharField(
        label=_("recipient"), max_length=100, allow_blank=True, default=""
    )
    team = VisiblePrimaryKeyRelatedField(
        label=_("coordinated by"), queryset=Team.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(label=_("note"), max_length=1000, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        # The side whose books the entry is written in must be named: without it the entry
        # would read as someone else's books (a 403) rather than a missing field.
        if attrs["kind"] in OUTFLOW_KINDS:
            if attrs.get("from_party") is None:
                raise serializers.ValidationError({"from_party": [gettext("Say who gave it.")]})
        elif attrs.get("to_party") is None:
            raise serializers.ValidationError({"to_party": [gettext("Say who received it.")]})
        if attrs.get("entry_date") is None:
            attrs["entry_date"] = timezone.localdate()
        return attrs


class EntryReverseSerializer(serializers.Serializer):
    note = serializers.CharField(
        label=_("reason"),
        max_length=1000,
        allow_blank=True,
        help_text=_("Why the entry is reversed."),
    )


# --- balances ---------------------------------------------------------------------------------


class BalanceSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="holder.__str__", read_only=True)
    holder_kind = serializers.CharField(source="holder.kind", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    unit_label = serializers.CharField(source="item.get_unit_display", read_only=True)

    class Meta:
        model = Balance
        fields = [
            "id",
            "holder",
            "holder_name",
            "holder_kind",
            "item",
            "item_name",
            "unit",
            "unit_label",
            "quantity",
            "updated_at",
        ]
        read_only_fields = fields
