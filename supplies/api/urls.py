from rest_framework.routers import SimpleRouter

from .views import BalanceViewSet, ItemViewSet, LedgerEntryViewSet, PartyViewSet

router = SimpleRouter()
router.register("items", ItemViewSet, basename="item")
router.register("parties", PartyViewSet, basename="party")
router.register("ledger-entries", LedgerEntryViewSet, basename="ledger-entry")
router.register("balances", BalanceViewSet, basename="balance")
