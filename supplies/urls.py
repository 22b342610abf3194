from django.urls import path

from .views import balances, ledger, notice, record, totals

app_name = "supplies"

urlpatterns = [
    path("supplies/", ledger.LedgerView.as_view(), name="ledger"),
    path("supplies/record/<str:kind>/", record.RecordView.as_view(), name="record"),
    path("supplies/entries/<int:pk>/", ledger.EntryDetailView.as_view(), name="entry-detail"),
    path("supplies/entries/<int:pk>/receipt/", ledger.ReceiptView.as_view(), name="receipt"),
    path("supplies/balances/", balances.BalanceListView.as_view(), name="balances"),
    path("supplies/totals/", totals.TotalsView.as_view(), name="totals"),
    path("supplies/notice/<int:area_pk>/", notice.NoticeView.as_view(), name="notice"),
]
