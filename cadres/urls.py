from django.urls import path

from .views import branches, gaps, people, registrations, rosters, self_service, workbench

app_name = "cadres"

urlpatterns = [
    path("registrations/", workbench.RegistrationListView.as_view(), name="workbench"),
    path("registrations/bulk/", workbench.RegistrationBulkView.as_view(), name="registration-bulk"),
    path(
        "registrations/new/",
        registrations.RegistrationCreateView.as_view(),
        name="registration-new",
    ),
    path(
        "registrations/<int:pk>/",
        registrations.RegistrationDetailView.as_view(),
        name="registration-detail",
    ),
    path(
        "registrations/<int:pk>/confirm/",
        registrations.RegistrationConfirmView.as_view(),
        name="registration-confirm",
    ),
    path(
        "registrations/<int:pk>/return/",
        registrations.RegistrationReturnView.as_view(),
        name="registration-return",
    ),
    path(
        "registrations/<int:pk>/transfer/",
        registrations.RegistrationTransferView.as_view(),
        name="registration-transfer",
    ),
    path(
        "registrations/<int:pk>/posts/",
        registrations.PostAssignView.as_view(),
        name="post-assign",
    ),
    path("posts/<int:pk>/end/", registrations.PostEndView.as_view(), name="post-end"),
    path("rosters/import/", rosters.RosterImportView.as_view(), name="roster-import"),
    path("rosters/template/", rosters.RosterTemplateView.as_view(), name="roster-template"),
    path("gaps/", gaps.my_gaps, name="gaps"),
    path("communities/<int:pk>/gaps/", gaps.GapView.as_view(), name="community-gaps"),
    path("communities/<int:pk>/qr/", self_service.CommunityQrView.as_view(), name="community-qr"),
    path("register/<str:token>/", self_service.SelfServiceRegisterView.as_view(), name="register"),
    path(
        "register/<str:token>/done/",
        self_service.SelfServiceDoneView.as_view(),
        name="register-done",
    ),
    path("cadres/<int:pk>/", people.CadreDetailView.as_view(), name="cadre-detail"),
    path("work-units/", people.WorkUnitListView.as_view(), name="work-units"),
    path("work-units/<int:pk>/", people.WorkUnitDetailView.as_view(), name="work-unit-detail"),
    path("branches/", branches.BranchListView.as_view(), name="branches"),
    path("branches/new/", branches.BranchCreateView.as_view(), name="branch-new"),
    path("branches/<int:pk>/", branches.BranchDetailView.as_view(), name="branch-detail"),
    path(
        "branches/<int:pk>/<slug:action>/",
        branches.BranchActionView.as_view(),
        name="branch-action",
    ),
    path(
        "buildings/<int:pk>/party-group/",
        branches.BuildingGroupView.as_view(),
        name="building-group",
    ),
]
