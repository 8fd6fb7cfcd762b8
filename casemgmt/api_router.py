"""The one API router: every app's viewsets are registered here, under /api/v1/."""

from rest_framework.routers import DefaultRouter

from casemgmt.audit.api.views import AuditEventViewSet
from clients.api.views import ClientViewSet

router = DefaultRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("audit-events", AuditEventViewSet, basename="auditevent")

urlpatterns = router.urls
