"""The one API router: every app's viewsets are registered here, under /api/v1/."""

from django.urls import path

from assessments.api.views import (
    ComprehensiveAssessmentViewSet,
    InstrumentResponseViewSet,
    InstrumentViewSet,
)
from careplans.api.views import (
    CarePlanViewSet,
    GoalViewSet,
    InterventionViewSet,
    ObjectiveViewSet,
    ProblemViewSet,
    RelapsePlanViewSet,
    ReviewViewSet,
    SafetyPlanViewSet,
)
from casemgmt.audit.api.views import AuditEventViewSet
from casemgmt.lib.routers import NumericIdRouter
from casemgmt.notifications.api import NotificationViewSet
from clients.api.careteam import CareTeamMemberViewSet
from clients.api.consents import ConsentViewSet
from clients.api.notes import ContactNoteViewSet
from clients.api.related import RelatedPersonViewSet
from clients.api.views import (
    ClientViewSet,
    DiagnosisViewSet,
    EmergencyAccessViewSet,
    RiskFlagViewSet,
)
from dashboard.api.views import DashboardViewSet
from documents.api.views import DocumentViewSet
from groups.api.views import (
    AttendanceViewSet,
    FamilySessionViewSet,
    GroupMembershipViewSet,
    GroupSessionViewSet,
    GroupViewSet,
)
from health.api.views import (
    AdherenceCheckInViewSet,
    CrisisEpisodeViewSet,
    HarmReductionViewSet,
    MedicationViewSet,
    ReconciliationViewSet,
)
from interop.api.views import adt_post
from portal.api.views import CheckInViewSet
from referrals.api.views import (
    CareTransitionViewSet,
    FollowUpViewSet,
    OrganizationViewSet,
    ReferralViewSet,
    ServiceViewSet,
)
from scheduling.api.views import AppointmentViewSet, RecurrenceViewSet

router = NumericIdRouter()  # ids are digits: /follow-ups/abc/ is a 404 at routing
router.register("clients", ClientViewSet, basename="client")
router.register("diagnoses", DiagnosisViewSet, basename="diagnosis")
router.register("risk-flags", RiskFlagViewSet, basename="riskflag")
router.register("notes", ContactNoteViewSet, basename="contactnote")
router.register("care-team-members", CareTeamMemberViewSet, basename="careteammember")
router.register("consents", ConsentViewSet, basename="consent")
router.register("related-persons", RelatedPersonViewSet, basename="relatedperson")
router.register("emergency-access", EmergencyAccessViewSet, basename="emergency-access")
router.register("audit-events", AuditEventViewSet, basename="auditevent")
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("careplans", CarePlanViewSet, basename="careplan")
router.register("careplan-problems", ProblemViewSet, basename="careplan-problem")
router.register("careplan-goals", GoalViewSet, basename="careplan-goal")
router.register("careplan-objectives", ObjectiveViewSet, basename="careplan-objective")
router.register("careplan-interventions", InterventionViewSet, basename="careplan-intervention")
router.register("careplan-reviews", ReviewViewSet, basename="careplan-review")
router.register("safety-plans", SafetyPlanViewSet, basename="safety-plan")
router.register("relapse-plans", RelapsePlanViewSet, basename="relapse-plan")
router.register("instrument-responses", InstrumentResponseViewSet, basename="instrumentresponse")
router.register(
    "comprehensive-assessments",
    ComprehensiveAssessmentViewSet,
    basename="comprehensiveassessment",
)

router.register("medications", MedicationViewSet, basename="medication")
router.register("adherence-check-ins", AdherenceCheckInViewSet, basename="adherencecheckin")
router.register("reconciliations", ReconciliationViewSet, basename="reconciliation")
router.register("crisis-episodes", CrisisEpisodeViewSet, basename="crisisepisode")
router.register("harm-reduction", HarmReductionViewSet, basename="harmreduction")
router.register("services", ServiceViewSet, basename="service")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("checkins", CheckInViewSet, basename="checkin")
router.register("care-transitions", CareTransitionViewSet, basename="caretransition")
router.register("follow-ups", FollowUpViewSet, basename="followup")
router.register("groups", GroupViewSet, basename="group")
router.register("group-memberships", GroupMembershipViewSet, basename="groupmembership")
router.register("group-sessions", GroupSessionViewSet, basename="groupsession")
router.register("group-attendance", AttendanceViewSet, basename="groupattendance")
router.register("family-sessions", FamilySessionViewSet, basename="familysession")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("documents", DocumentViewSet, basename="document")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("recurrences", RecurrenceViewSet, basename="recurrence")

urlpatterns = [
    path(
        "dashboard/caseload/",
        DashboardViewSet.as_view({"get": "caseload"}),
        name="dashboard-caseload",
    ),
    path(
        "dashboard/measures/",
        DashboardViewSet.as_view({"get": "measures"}),
        name="dashboard-measures",
    ),
    path("dashboard/today/", DashboardViewSet.as_view({"get": "today"}), name="dashboard-today"),
    path("adt/", adt_post, name="adt"),
    *router.urls,
]
