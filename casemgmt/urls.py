from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from casemgmt import probes
from casemgmt.accounts import api as accounts_api
from dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.today, name="home"),
    path("follow-ups/", dashboard_views.my_followups, name="my_followups"),
    # Probes: /healthz/ the process is alive, /readyz/ PostgreSQL, Redis and a worker are.
    path("healthz/", probes.liveness, name="healthz"),
    path("readyz/", probes.readiness, name="readyz"),
    path("accounts/", include("casemgmt.accounts.urls")),
    path("drafts/", include("casemgmt.drafts.urls")),
    path("clients/", include("clients.urls")),
    path("careplans/", include("careplans.urls")),
    path("assessments/", include("assessments.urls")),
    path("health/", include("health.urls")),
    path("documents/", include("documents.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("groups/", include("groups.urls")),
    path("audit/", include("casemgmt.audit.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("notifications/", include("casemgmt.notifications.urls")),
    path("referrals/", include("referrals.urls")),
    path("interop/", include("interop.urls")),
    # The client portal: /p/... (no account, by secure link) and the chart's Check-ins tab.
    path("", include("portal.urls")),
    path("api/v1/", include("casemgmt.api_router")),
    # FHIR R4 read API (interop.fhir): application/fhir+json, token authentication.
    path("fhir/r4/", include("interop.fhir.urls")),
    path("api/v1/auth/token/", accounts_api.token_obtain, name="api-token"),
    path("api/v1/auth/logout/", accounts_api.token_logout, name="api-logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    # Django admin signs in through our login (password, throttling, two-factor).
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "casemgmt.lib.error_views.bad_request"
handler404 = "casemgmt.lib.error_views.not_found"
handler500 = "casemgmt.lib.error_views.server_error"
