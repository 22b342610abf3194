"""The ledger (movements by period, with its Excel export), an entry with the others recorded
with it and its reversal, and the printable donation receipt."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView
from django_filters.views import FilterView

from cadres.views.base import (
    ExportMixin,
    FilteredListMixin,
    add_service_errors,
    lost_race_message,
)
from supplies import exports, services
from supplies.choices import EntryKind
from supplies.filters import LedgerEntryFilterSet
from supplies.forms import ReverseForm
from supplies.models import LedgerEntry, StockMovement
from supplies.selectors import entries_for_list

from .base import SuppliesPageMixin


def reversed_by(entry: LedgerEntry) -> LedgerEntry | None:
    """The entry that reverses this one, if any (already fetched by `entries_for_list`)."""
    return getattr(entry, "reversed_by", None)


def visible_entries(user):
    return entries_for_list(LedgerEntry.objects.visible_to(user))


class LedgerView(SuppliesPageMixin, ExportMixin, FilteredListMixin, FilterView):
    """Every movement the user sees, newest first. Filtered by one party, each row shows that
    party's balance after it (its stock card)."""

    template_name = "supplies/ledger_list.html"
    filterset_class = LedgerEntryFilterSet
    context_object_name = "entries"
    paginate_by = 50
    export = staticmethod(exports.entries_xlsx)

    def get_queryset(self):
        return visible_entries(self.request.user).order_by("-entry_date", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(context["entries"])
        party = self.filterset.form.cleaned_data.get("party") if self.filterset.is_valid() else None
        balances = {}
        if party is not None and entries:
            balances = dict(
                StockMovement.objects.filter(entry__in=entries, holder=party).values_list(
                    "entry_id", "balance_after"
                )
            )
        for entry in entries:
            entry.reversal = reversed_by(entry)
            entry.balance_after = balances.get(entry.pk)
        context.update(entries=entries, card_party=party)
        return context


class EntryDetailView(SuppliesPageMixin, DetailView):
    """One entry: what moved, the balances it left, its reversal, the other entries recorded with
    it; and, for whoever keeps the books, a form to reverse it (a reason is required)."""

    template_name = "supplies/entry_detail.html"
    context_object_name = "entry"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return visible_entries(self.request.user)

    def may_reverse(self) -> bool:
        entry = self.object
        if entry.is_reversal or reversed_by(entry) is not None:
            return False
        holder = services.acting_party(entry.kind, entry.from_party, entry.to_party)
        return services.may_record(self.request.user, entry.kind, holder, entry.team)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        batch = []
        if entry.batch:
            batch = list(
                self.get_queryset().filter(batch=entry.batch).exclude(pk=entry.pk).order_by("id")
            )
        for each in (entry, *batch):
            each.reversal = reversed_by(each)
        may_reverse = self.may_reverse()
        context.update(
            batch=batch,
            movements=StockMovement.objects.filter(entry=entry)
            .select_related("holder__area", "holder__work_unit", "holder__team")
            .order_by("id"),
            has_receipt=entry.kind == EntryKind.DONATION and not entry.is_reversal,
            may_reverse=may_reverse,
        )
        if may_reverse:
            context.setdefault("form", ReverseForm())
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ReverseForm(request.POST)
        if form.is_valid():
            try:
                reversal = services.entry_reverse(
                    actor=request.user, entry=self.object, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except IntegrityError:
                form.add_error(None, lost_race_message())
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(
                    request,
                    _("Voucher %(reversal)s reverses voucher %(voucher)s.")
                    % {"reversal": reversal.voucher, "voucher": self.object.voucher},
                )
                return redirect("supplies:entry-detail", pk=self.object.pk)
        self.object = self.get_object()
        context = self.get_context_data(form=form)
        context["may_reverse"] = True
        return self.render_to_response(context, status=400)


class ReceiptView(DetailView):
    """The donation receipt (捐赠接收凭证) of an arrival: every entry recorded with it, their
    vouchers, quantities and values, and lines to sign. Lines reversed since are struck out and
    left out of the totals."""

    template_name = "supplies/entry_receipt.html"
    context_object_name = "entry"

    def get_queryset(self):
        return visible_entries(self.request.user).filter(
            kind=EntryKind.DONATION, reverses__isnull=True
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        if entry.batch:
            lines = list(self.get_queryset().filter(batch=entry.batch).order_by("number", "id"))
        else:
            lines = [entry]
        value, money = Decimal(0), Decimal(0)
        for line in lines:
            line.reversal = reversed_by(line)
            if line.reversal is not None:
                continue
            if line.item.is_money:
                money += line.quantity
            else:
                value += line.value or 0
        context.update(
            lines=lines,
            vouchers=[line.voucher for line in lines],
            value_total=value,
            money_total=money,
            has_goods=any(not line.item.is_money for line in lines),
            has_money=any(line.item.is_money for line in lines),
        )
        return context
