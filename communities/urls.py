from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("areas/<int:pk>/", views.AreaDetailView.as_view(), name="area-detail"),
]
