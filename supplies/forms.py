"""Forms of the supplies pages. They collect input; the services decide.

Quick entry is a header (date, who gave, who received, team, note) and up to five item lines.
An item is typed into a text box with a <datalist> of the catalogue whose options show the unit
(“消毒液 500毫升（瓶；箱=20瓶）”); the line finds the item again by that text, or by its name."""

import uuid
from decimal import Decimal

from django import forms
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supervision.models import Team

from .choices import HOLDER_KINDS, OUTSIDE_KINDS, EntryKind, PartyKind
from .models import Item, LedgerEntry, Party
from .services import EntryLine

MAX_LINES = 5
AMOUNT = {"max_digits": 14, "decimal_places": 2}


def item_label(item: Item) -> str:
    """What the item box shows and the datalist offers: the name and the unit, and the pack."""
    name = f"{item.name} {item.specification}" if item.specification else item.name
    if item.pack_size:
        return gettext("%(item)s (%(unit)s; %(pack_unit)s = %(size)s %(unit)s)") % {
            "item": name,
            "unit": item.get_unit_display(),
            "pack_unit": item.get_pack_unit_display(),
            "size": item.pack_size,
        }
    return gettext("%(item)s (%(unit)s)") % {"item": name, "unit": item.get_unit_display()}


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


class Catalogue:
    """The items a line may name, found by the datalist's text, “name specification”, or the
    name alone when no other item has it. One query, made when first asked."""

    def __init__(self, items=None):
        self._items = items if items is not None else Item.objects.all()
        self._options: list[tuple[str, Item]] | None = None
        self._by_text: dict[str, Item] = {}

    @property
    def options(self) -> list[tuple[str, Item]]:
        return self._load()

    def find(self, text: str) -> Item | None:
        self._load()
        return self._by_text.get(_key(text))

    def _load(self) -> list[tuple[str, Item]]:
        if self._options is None:
            items = list(self._items)
            self._options = [(item_label(item), item) for item in items]
            names: dict[str, int] = {}
            for item in items:
                names[_key(item.name)] = names.get(_key(item.name), 0) + 1
            for label, item in self._options:
                for text in (label, f"{item.name}{item.specification}", str(item)):
                    self._by_text.setdefault(_key(text), item)
                if names[_key(item.name)] == 1:
                    self._by_text.setdefault(_key(item.name), item)
        return self._options


class LineForm(forms.Form):
    """One item of an arrival or an outgoing; a line left empty is skipped."""

    item = forms.CharField(
        label=_("Item"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "supplies-items", "autocomplete": "off"}),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        **AMOUNT,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )
    in_packs = forms.BooleanField(label=_("in packs"), required=False)
    value = forms.DecimalField(
        label=_("Value (yuan)"),
        required=False,
        **AMOUNT,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )

    def __init__(self, *args, catalogue: Catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("item") or data.get("quantity") is not None or data.get("value"))

    def clean(self):
        data = super().clean()
        if self.is_blank:
            return data
        text = data.get("item", "")
        item = self.catalogue.find(text) if text else None
        if item is None:
            self.add_error("item", gettext("Choose an item from the list."))
        elif data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", gettext("Give the quantity."))
        data["found"] = item
        return data

    def entry_line(self) -> EntryLine:
        data = self.cleaned_data
        quantity: Decimal = data["quantity"]
        if data["in_packs"]:
            return EntryLine(item=data["found"], packs=quantity, value=data["value"])
        return EntryLine(item=data["found"], quantity=quantity, value=data["value"])


LineFormSet = forms.formset_factory(
    LineForm, extra=MAX_LINES, max_num=MAX_LINES, absolute_max=MAX_LINES, validate_max=True
)


def holders(queryset):
    """Holders in a useful order: the county stock, each township followed by its communities,
    then work units and teams."""
    rank = Case(
        *(When(kind=kind, then=Value(index)) for index, kind in enumerate(HOLDER_KINDS)),
        output_field=IntegerField(),
    )
    area_first = Case(When(area__isnull=False, then=Value(0)), default=Value(1))
    return (
        queryset.filter(kind__in=HOLDER_KINDS)
        .select_related("area", "work_unit", "team")
        .order_by(area_first, "area__path", rank, "work_unit__name", "team__name", "id")
    )


class EntryHeaderForm(forms.Form):
    """What the lines of one recording share. Which fields there are depends on the kind:
    arrivals name a donor (typed, found or added by name) and the receiving holder; outgoings
    the giving holder and the receiving holder (transfer) or recipient (hand-out)."""

    entry_date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    donor_name = forms.CharField(
        label=_("Donor"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "supplies-donors", "autocomplete": "off"}),
        help_text=_("An enterprise or a person; a new name is added."),
    )
    donor_kind = forms.ChoiceField(
        label=_("Donor is"),
        choices=[(kind.value, kind.label) for kind in OUTSIDE_KINDS],
        initial=PartyKind.ENTERPRISE,
    )
    donor_anonymous = forms.BooleanField(
        label=_("The donor asked not to be named on the public notice"), required=False
    )
    from_party = forms.ModelChoiceField(label=_("Given by"), queryset=Party.objects.none())
    to_party = forms.ModelChoiceField(label=_("Received by"), queryset=Party.objects.none())
    recipient = forms.CharField(
        label=_("Recipient"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "supplies-recipients", "autocomplete": "off"}),
        help_text=_("E.g. residents of building 3, the Hengdao checkpoint."),
    )
    team = forms.ModelChoiceField(
        label=_("Coordinated by"), queryset=Team.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # One per form shown: the service records a form sent twice only once.
    batch = forms.UUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)

    FIELDS = {
        EntryKind.DONATION: ("donor_name", "donor_kind", "donor_anonymous", "to_party"),
        EntryKind.COORDINATION: ("team", "donor_name", "donor_kind", "to_party"),
        EntryKind.TRANSFER: ("from_party", "to_party"),
        EntryKind.ISSUE: ("from_party", "recipient"),
    }
    # A service error on a model field is shown on the header field that stands for it.
    FIELD_OF = {"from_party": "donor_name", "to_party": "recipient"}

    def __init__(self, *args, kind: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {"entry_date", *self.FIELDS[kind], "team", "note", "batch"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.order_fields(["entry_date", *self.FIELDS[kind]])
        self.fields["entry_date"].initial = timezone.localdate
        held = holders(Party.objects.held_by(user))
        acting = "from_party" if kind in (EntryKind.TRANSFER, EntryKind.ISSUE) else "to_party"
        self.fields[acting].queryset = held
        # The user's own holder (the first) is chosen to begin with: usually it is the only one.
        self.fields[acting].empty_label = None
        if kind == EntryKind.TRANSFER:
            self.fields["to_party"].queryset = holders(Party.objects.visible_to(user))
        if kind == EntryKind.COORDINATION:
            # A team's account brings what it coordinated to the places its team covers.
            covered = Party.objects.covered_for(user).values("pk")
            self.fields["to_party"].queryset = holders(
                Party.objects.filter(Q(pk__in=held.values("pk")) | Q(pk__in=covered))
            )
        self.fields["team"].queryset = Team.objects.visible_to(user).order_by("name")
        if kind == EntryKind.COORDINATION:
            self.fields["team"].required = True
            self.fields["donor_name"].required = False
            self.fields["donor_name"].label = _("Obtained from")
            self.fields["donor_name"].help_text = _("Optional: an enterprise or a person.")

    def field_for(self, model_field: str) -> str | None:
        """The header field a service error on `model_field` belongs on, or None."""
        name = model_field if model_field in self.fields else self.FIELD_OF.get(model_field)
        return name if name in self.fields else None

    def header(self) -> dict:
        """The keyword arguments of `entries_record`, less the donor (see `donor_fields`)."""
        data = self.cleaned_data
        header = {
            "entry_date": data["entry_date"],
            "team": data.get("team"),
            "note": data.get("note", ""),
            "batch": data.get("batch"),
        }
        for name in ("from_party", "to_party", "recipient"):
            if name in self.fields:
                header[name] = data[name]
        return header


def known_donors(user):
    """The outside parties the donor box offers, with their kind."""
    return Party.objects.visible_to(user).outside().order_by("name").only("name", "kind")[:500]


def known_recipients(user) -> list[str]:
    """The recipients named in the user's hand-outs, most used first."""
    return list(
        LedgerEntry.objects.visible_to(user)
        .filter(kind=EntryKind.ISSUE)
        .exclude(recipient="")
        .values_list("recipient", flat=True)
        .annotate(uses=Count("id"))
        .order_by("-uses", "recipient")[:50]
    )


class ReverseForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it reversed?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PeriodForm(forms.Form):
    """The period of a public notice."""

    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
