"""The supplies API: the item catalogue, parties, the ledger (recorded and reversed, never
changed or deleted) and balances.

Reads start from `visible_to(user)` (out of scope is 404); every write is a service of
`supplies.services`, which says who may make it (403) and checks the ledger's rules (400, with
the balance in the message when more is handed out than is held). A lost race is a 409 (the one
exception handler).
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action

from cadres.api.views import CadresViewSet
from supplies import services
from supplies.filters import BalanceFilterSet, ItemFilterSet, LedgerEntryFilterSet, PartyFilterSet
from supplies.models import Balance, Item, LedgerEntry, Party, StockMovement
from supplies.selectors import PARTY_RELATED, balances_for_list, entries_for_list

from .serializers import (
    BalanceSerializer,
    EntryReverseSerializer,
    ItemSerializer,
    LedgerEntryCreateSerializer,
    LedgerEntrySerializer,
    PartyCreateSerializer,
    PartySerializer,
)

REFUSED = OpenApiResponse(description="You do not keep the books of the holder it is written in.")
LOST_RACE = OpenApiResponse(description="The data changed meanwhile; nothing was saved.")


class SuppliesViewSet(CadresViewSet):
    """Reads what the caller sees; creates through a service; nothing is changed or deleted
    (PUT, PATCH and DELETE are 405)."""

    http_method_names = ["get", "post", "head", "options"]


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue of goods (and money): the same for everyone; changed in the admin."""

    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    filterset_class = ItemFilterSet


@extend_schema_view(
    create=extend_schema(
        summary="Add an enterprise, a person or another party outside the stock",
        request=PartyCreateSerializer,
        responses={201: PartySerializer, 403: REFUSED, 409: LOST_RACE},
    )
)
class PartyViewSet(SuppliesViewSet):
    """Who gives, holds or receives goods, in the counties the caller works in. Holders are made
    by the database with what they stand for; enterprises, persons and others are added here."""

    queryset = Party.objects.select_related("county", *PARTY_RELATED)
    serializer_class = PartySerializer
    filterset_class = PartyFilterSet

    def create(self, request, *args, **kwargs):
        party = services.party_save(
            actor=request.user, party=Party(**self.validated(PartyCreateSerializer))
        )
        return self.respond(party, status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(
        summary="Record a movement of one item",
        description="A donation or a coordination received, a transfer or a hand-out, in units "
        "or in packs. Handing out more than the giver holds is a 400 naming the balance, and "
        "nothing is stored. Ids of parties, items or teams the caller does not see read as "
        "unknown (400 on the field); a holder whose books the caller does not keep is a 403.",
        request=LedgerEntryCreateSerializer,
        responses={201: LedgerEntrySerializer, 403: REFUSED, 409: LOST_RACE},
    )
)
class LedgerEntryViewSet(SuppliesViewSet):
    """The ledger (台账): every movement with its voucher, newest first. Entries are recorded
    and reversed, never changed or deleted."""

    queryset = LedgerEntry.objects.all()
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerEntryFilterSet

    def get_queryset(self):
        entries = super().get_queryset()
        movements = StockMovement.objects.visible_to(self.request.user).select_related(
            *(f"holder__{name}" for name in PARTY_RELATED)
        )
        return (
            entries_for_list(entries)
            .annotate(net_quantity=LedgerEntry.objects.net_quantity())
            .prefetch_related(
                Prefetch("movements", queryset=movements, to_attr="visible_movements")
            )
        )

    def create(self, request, *args, **kwargs):
        data = self.validated(LedgerEntryCreateSerializer)
        line = services.EntryLine(
            item=data.pop("item"),
            quantity=data.pop("quantity"),
            packs=data.pop("packs"),
            value=data.pop("value"),
        )
        entry = services.entry_record(actor=request.user, line=line, **data)
        return self.respond(entry, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reverse an entry",
        description="Records a reversing entry that undoes this one exactly; both stay in the "
        "ledger. Refused (400) for an entry already reversed, for a reversing entry, and when "
        "the goods received are already given on (the balance is in the message).",
        request=EntryReverseSerializer,
        responses={201: LedgerEntrySerializer, 403: REFUSED, 409: LOST_RACE},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        entry = self.get_object()
        note = self.validated(EntryReverseSerializer)["note"]
        reversal = services.entry_reverse(actor=request.user, entry=entry, note=note)
        return self.respond(reversal, status.HTTP_201_CREATED)


class BalanceViewSet(viewsets.ReadOnlyModelViewSet):
    """What each holder whose books the caller keeps has of each item now."""

    queryset = Balance.objects.all()
    serializer_class = BalanceSerializer
    filterset_class = BalanceFilterSet

    def get_queryset(self):
        return balances_for_list(self.queryset.visible_to(self.request.user))
