"""The one API router: every app's viewsets are registered here, under /api/v1/."""

from rest_framework.routers import DefaultRouter

from assessments.api.views import InstrumentViewSet
from casemgmt.audit.api.views import AuditEventViewSet
from clients.api.careteam import CareTeamMemberViewSet
from clients.api.consents import ConsentViewSet
from clients.api.notes import ContactNoteViewSet
from clients.api.views import (
    ClientViewSet,
    DiagnosisViewSet,
    EmergencyAccessViewSet,
    RiskFlagViewSet,
)

router = DefaultRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("diagnoses", DiagnosisViewSet, basename="diagnosis")
router.register("risk-flags", RiskFlagViewSet, basename="riskflag")
router.register("notes", ContactNoteViewSet, basename="contactnote")
router.register("care-team-members", CareTeamMemberViewSet, basename="careteammember")
router.register("consents", ConsentViewSet, basename="consent")
router.register("emergency-access", EmergencyAccessViewSet, basename="emergency-access")
router.register("audit-events", AuditEventViewSet, basename="auditevent")
router.register("instruments", InstrumentViewSet, basename="instrument")

urlpatterns = router.urls
