from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("communities.urls")),
    path("", include("cadres.urls")),
    path("", include("supervision.urls")),
    path("", include("supplies.urls")),
    path("", include("appraisal.urls")),
    path("", include("audit.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(require_POST(set_language)), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_router", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script is served as a file (the split view) so no inline script is
    # needed; its page has an inline <style> and the UI sets style attributes, allowed here only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
]

# A database out of reach is a 503 (page or JSON), anything else the 500 page.
handler500 = "communities.unavailable.server_error"
# Under /api/, a path no route matches and a request Django refuses to read answer JSON like the
# rest of the API.
handler400 = "communities.api.errors.bad_request"
handler404 = "communities.api.errors.page_not_found"
