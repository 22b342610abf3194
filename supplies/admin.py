"""The admin of the supplies ledger. Items and outside parties save through the services;
entries are added through `services.entry_record` and never changed or deleted (the database
refuses too): the action "reverse" records a reversing entry with the reason given. Balances and
stock cards are read only: the ledger's triggers write them."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from communities.admin import ServiceAdmin

from . import services
from .models import Balance, Item, LedgerEntry, Party, StockMovement


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the ledger's triggers write: seen within the user's scope, never edited here."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(ServiceAdmin):
    list_display = ["name", "specification", "category", "unit", "pack_label", "is_money"]
    list_filter = ["category", "is_money"]
    search_fields = ["name", "specification"]

    @admin.display(description=_("pack"))
    def pack_label(self, obj):
        return obj.pack_label

    def service_save(self, request, obj, form, change):
        return services.item_save(actor=request.user, item=obj)


@admin.register(Party)
class PartyAdmin(ServiceAdmin):
    """Enterprises, persons and others are added and renamed here; holders come with what they
    stand for (an area, a work unit, a team) and are only read."""

    list_display = ["__str__", "kind", "county", "anonymous"]
    list_filter = ["kind", "anonymous"]
    search_fields = ["name", "area__name", "work_unit__name", "team__name"]
    list_select_related = ["county", "area", "work_unit", "team"]
    fields = ["kind", "county", "name", "anonymous"]
    autocomplete_fields = ["county"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.holds_stock:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change):
        return services.party_save(actor=request.user, party=obj)


class ReverseForm(ActionForm):
    note = forms.CharField(label=_("Reason"), required=False)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ServiceAdmin):
    list_display = [
        "voucher",
        "entry_date",
        "kind",
        "item",
        "quantity",
        "from_party",
        "receiver_name",
        "team",
        "reverses",
    ]
    list_filter = ["kind", "item__category", "entry_date"]
    search_fields = ["note", "recipient", "from_party__name", "to_party__name", "item__name"]
    list_select_related = [
        "item",
        "team",
        "reverses",
        "from_party__area",
        "from_party__work_unit",
        "from_party__team",
        "to_party__area",
        "to_party__work_unit",
        "to_party__team",
    ]
    fields = [
        "kind",
        "entry_date",
        "item",
        "quantity",
        "packs",
        "value",
        "from_party",
        "to_party",
        "recipient",
        "team",
        "note",
    ]
    autocomplete_fields = ["item", "from_party", "to_party", "team"]
    date_hierarchy = "entry_date"
    action_form = ReverseForm
    actions = ["reverse_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("voucher number"), ordering="number")
    def voucher(self, obj):
        return obj.voucher

    @admin.display(description=_("to"))
    def receiver_name(self, obj):
        return obj.receiver_name

    def has_change_permission(self, request, obj=None):
        # An entry is a record: its page only shows it; a mistake is reversed.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change):
        return services.entry_record(
            actor=request.user,
            kind=obj.kind,
            line=services.EntryLine(
                item=obj.item, quantity=obj.quantity, packs=obj.packs, value=obj.value
            ),
            entry_date=obj.entry_date,
            from_party=obj.from_party,
            to_party=obj.to_party,
            recipient=obj.recipient,
            team=obj.team,
            note=obj.note,
        )

    @admin.action(description=_("Reverse selected entries (give the reason)"))
    def reverse_selected(self, request, queryset):
        entries = list(queryset)
        note = request.POST.get("note", "")

        def reverse(actor, entries):
            for entry in entries:
                services.entry_reverse(actor=actor, entry=entry, note=note)

        success = ngettext(
            "%(count)d entry reversed.", "%(count)d entries reversed.", len(entries)
        ) % {"count": len(entries)}
        self.run_service(request, reverse, success, entries=entries)


@admin.register(Balance)
class BalanceAdmin(ReadOnlyAdmin):
    list_display = ["holder", "item", "quantity", "updated_at"]
    list_filter = ["item__category", "holder__kind"]
    search_fields = ["holder__name", "holder__area__name", "item__name"]
    list_select_related = ["item", "holder__area", "holder__work_unit", "holder__team"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["holder", "item", "entry", "quantity", "balance_after"]
    list_filter = ["item__category"]
    list_select_related = [
        "item",
        "entry__item",
        "holder__area",
        "holder__work_unit",
        "holder__team",
    ]
