from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token


def health(request):
    """Liveness and database check for load balancers; no data, no login."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    """Start page: a case manager's own caseload; everyone else the team client list."""
    url = reverse("clients:list")
    if request.user.primary_clients.exists():
        url += "?mine=true"
    return redirect(url)


urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("casemgmt.accounts.urls")),
    path("clients/", include("clients.urls")),
    path("audit/", include("casemgmt.audit.urls")),
    path("notifications/", include("casemgmt.notifications.urls")),
    path("api/v1/", include("casemgmt.api_router")),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler404 = "django.views.defaults.page_not_found"
