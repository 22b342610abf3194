from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.AuditEntryListView.as_view(), name="events"),
    path(
        "audit/events/<str:model>/<int:event_id>/",
        views.AuditEntryDetailView.as_view(),
        name="event-detail",
    ),
    path("audit/access/", views.AccessLogListView.as_view(), name="access"),
]
