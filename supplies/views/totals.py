"""Totals of the movements of a period by item, donor, recipient or team; goods and money
apart; with their Excel export."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView

from cadres.views.base import ExportMixin, FilteredListMixin
from supplies import exports
from supplies.filters import LedgerEntryFilterSet
from supplies.models import LedgerEntry
from supplies.selectors import totals

from .base import Link, SuppliesPageMixin

BY_LABELS = {
    "item": _("By item"),
    "donor": _("By donor"),
    "recipient": _("By recipient"),
    "team": _("By team"),
}
FIRST_COLUMN = {
    "item": _("Item"),
    "donor": _("Donor"),
    "recipient": _("Recipient"),
    "team": _("Coordinated by"),
}


class TotalsFilterSet(LedgerEntryFilterSet):
    """The ledger's filters and what to total by (`by`: the item unless given)."""

    by = django_filters.ChoiceFilter(
        label=_("Totals by"),
        choices=list(BY_LABELS.items()),
        method="keep",
        empty_label=None,
        widget=forms.HiddenInput,
    )

    class Meta(LedgerEntryFilterSet.Meta):
        fields = ["by", *LedgerEntryFilterSet.Meta.fields]

    def keep(self, queryset, name, value):
        return queryset

    def dimension(self) -> str:
        return self.form.cleaned_data.get("by") or "item"


class TotalsView(SuppliesPageMixin, ExportMixin, FilteredListMixin, FilterView):
    template_name = "supplies/totals.html"
    filterset_class = TotalsFilterSet

    def get_queryset(self):
        return LedgerEntry.objects.visible_to(self.request.user)

    def export_response(self, queryset):
        # The filters (`by` among them) were checked before this is called.
        by = self.request.GET.get("by") or "item"
        return exports.totals_xlsx(totals(queryset, by))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        valid = self.filterset.is_valid()
        by = self.filterset.dimension() if valid else "item"
        query = self.request.GET.copy()
        query.pop("page", None)
        tabs = []
        for key, label in BY_LABELS.items():
            query["by"] = key
            tabs.append(Link(label, f"?{query.urlencode()}", key == by))
        context.update(
            by=by,
            tabs=tabs,
            first_column=FIRST_COLUMN[by],
            filters_changed=[name for name in self.filterset.form.changed_data if name != "by"],
            # The columns before the total's: the label, the item (unless by item), the kind,
            # and for goods the quantity.
            goods_span=3 if by == "item" else 4,
            money_span=2 if by == "item" else 3,
            totals=totals(self.object_list, by) if valid else None,
        )
        return context
