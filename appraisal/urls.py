from django.urls import path

from .views import appraisals, commendations, periods

app_name = "appraisal"

urlpatterns = [
    path("appraisal/", periods.PeriodListView.as_view(), name="periods"),
    path(
        "appraisal/commendations/",
        commendations.CommendationListView.as_view(),
        name="commendations",
    ),
    path(
        "appraisal/appraisals/<int:pk>/",
        appraisals.AppraisalDetailView.as_view(),
        name="appraisal-detail",
    ),
    path("appraisal/<int:pk>/", periods.PeriodDetailView.as_view(), name="period-detail"),
    path(
        "appraisal/<int:pk>/cadres/",
        appraisals.AppraisalListView.as_view(),
        name="appraisals",
    ),
    path("appraisal/<int:pk>/quota/", periods.QuotaSetView.as_view(), name="quota-set"),
    path("appraisal/<int:pk>/sync/", periods.PeriodSyncView.as_view(), name="period-sync"),
    path("appraisal/<int:pk>/close/", periods.PeriodCloseView.as_view(), name="period-close"),
    path("appraisal/<int:pk>/workbook/", periods.WorkbookView.as_view(), name="workbook"),
    path(
        "appraisal/<int:pk>/upload/",
        periods.WorkbookUploadView.as_view(),
        name="workbook-upload",
    ),
]
