"""One FilterSet per list of the supplies ledger: pages, API and Excel exports share them.
Scoping stays in the base queryset; a filter's choices are what the requesting user sees."""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cadres.filters import visible
from supervision.filters import DateRangeFilterSet
from supervision.models import Team

from .choices import EntryKind, ItemCategory, PartyKind
from .models import Balance, Item, LedgerEntry, Party

VOUCHER = re.compile(r"(?:(\d{4})-)?0*(\d{1,9})")


def visible_parties(request):
    if request is None:
        return Party.objects.none()
    return Party.objects.visible_to(request.user).select_related("area", "work_unit", "team")


def held_parties(request):
    if request is None:
        return Party.objects.none()
    return Party.objects.held_by(request.user).select_related("area", "work_unit", "team")


def party_name_q(prefix: str, value: str) -> Q:
    """A party whose name (its own, or its area's, unit's or team's) contains `value`."""
    return (
        Q(**{f"{prefix}name__icontains": value})
        | Q(**{f"{prefix}area__name__icontains": value})
        | Q(**{f"{prefix}work_unit__name__icontains": value})
        | Q(**{f"{prefix}team__name__icontains": value})
    )


class ItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=ItemCategory.choices)

    class Meta:
        model = Item
        fields = ["category", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(specification__icontains=value))


class PartyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=PartyKind.choices)

    class Meta:
        model = Party
        fields = ["kind", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(party_name_q("", value))


class LedgerEntryFilterSet(DateRangeFilterSet):
    """Movements by period (`date_after`, `date_before`), kind, item, party and team; `q` finds
    a voucher number (“2020-000123” or “123”), a party, a recipient or a note."""

    date_field = "entry_date"

    q = django_filters.CharFilter(label=_("Voucher, party or note"), method="filter_q")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=EntryKind.choices)
    item = django_filters.ModelChoiceFilter(label=_("Item"), queryset=Item.objects.all())
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=ItemCategory.choices, field_name="item__category"
    )
    party = django_filters.ModelChoiceFilter(
        label=_("Party (giving or receiving)"), queryset=visible_parties, method="filter_party"
    )
    team = django_filters.ModelChoiceFilter(label=_("Coordinated by"), queryset=visible(Team))

    class Meta:
        model = LedgerEntry
        fields = [
            "date",
            "date_after",
            "date_before",
            "kind",
            "item",
            "category",
            "party",
            "team",
            "q",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_party(self, queryset, name, value):
        return queryset.filter(Q(from_party=value) | Q(to_party=value))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        condition = (
            party_name_q("from_party__", value)
            | party_name_q("to_party__", value)
            | Q(recipient__icontains=value)
            | Q(note__icontains=value)
        )
        voucher = VOUCHER.fullmatch(value)
        if voucher:
            year, number = voucher.groups()
            number_q = Q(number=int(number))
            condition |= number_q & Q(year=int(year)) if year else number_q
        return queryset.filter(condition)


class BalanceFilterSet(django_filters.FilterSet):
    holder = django_filters.ModelChoiceFilter(label=_("Holder"), queryset=held_parties)
    item = django_filters.ModelChoiceFilter(label=_("Item"), queryset=Item.objects.all())
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=ItemCategory.choices, field_name="item__category"
    )
    q = django_filters.CharFilter(label=_("Holder or item"), method="filter_q")
    empty = django_filters.BooleanFilter(label=_("Include what is used up"), method="filter_empty")

    class Meta:
        model = Balance
        fields = ["holder", "item", "category", "empty", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(party_name_q("holder__", value) | Q(item__name__icontains=value))

    def filter_empty(self, queryset, name, value):
        return queryset if value else queryset.filter(quantity__gt=0)
