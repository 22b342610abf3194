from django.urls import path

from .views import measures, overview, problems, reports, teams

app_name = "supervision"

urlpatterns = [
    path("supervision/", overview.OverviewView.as_view(), name="overview"),
    path("teams/", teams.TeamListView.as_view(), name="teams"),
    path("teams/<int:pk>/", teams.TeamDetailView.as_view(), name="team-detail"),
    path("reports/", reports.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="report-detail"),
    path("problems/", problems.ProblemListView.as_view(), name="problems"),
    path("problems/<int:pk>/", problems.ProblemDetailView.as_view(), name="problem-detail"),
    path("problems/evidence/<int:pk>/", problems.EvidenceView.as_view(), name="evidence"),
    path(
        "supervision/communities/<int:pk>/measures/",
        measures.CommunityMeasuresView.as_view(),
        name="community-measures",
    ),
]
