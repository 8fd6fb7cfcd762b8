from rest_framework import serializers

from ..models import (
    CareTransition,
    CompletionConfirmation,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    LevelOfCare,
    Organization,
    Referral,
    ReferralEvent,
    ReferralOutcome,
    Service,
    Urgency,
    VisitFocus,
)


class ServiceSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")

    class Meta:
        model = Service
        fields = [
            "id",
            "hsds_id",
            "organization",
            "organization_name",
            "name",
            "description",
            "category",
            "languages",
            "eligibility",
            "insurance_accepted",
            "address",
            "phone",
            "hours",
            "status",
            "waitlist",
            "last_verified_on",
        ]


class OrganizationServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "category", "status"]


class OrganizationSerializer(serializers.ModelSerializer):
    """A directory organisation (HSDS ``organization``) with its services in brief; each
    service in full at ``/services/{id}/``."""

    services = OrganizationServiceSerializer(many=True, read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "hsds_id", "name", "description", "email", "website", "services"]
        read_only_fields = fields


class ReferralEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name")

    class Meta:
        model = ReferralEvent
        fields = ["from_status", "to_status", "note", "actor", "actor_name", "occurred_at"]


class ReferralSerializer(serializers.ModelSerializer):
    recipient_name = serializers.CharField(read_only=True)
    is_closed_loop = serializers.BooleanField(read_only=True)
    events = ReferralEventSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "client",
            "service",
            "provider_name",
            "recipient_name",
            "reason",
            "urgency",
            "goal_id",
            "discloses_substance_use",
            "no_disclosure_reason",
            "status",
            "outcome",
            "completion_confirmation",
            "is_closed_loop",
            "consent_id",
            "sent_at",
            "response_due_on",
            "appointment_at",
            "closed_at",
            "created_at",
            "events",
        ]


class ReferralCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    provider_name = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    goal_id = serializers.IntegerField(required=False, allow_null=True)
    discloses_substance_use = serializers.BooleanField(
        default=True,
        help_text="Presumed true. For a client with a substance use diagnosis, false needs "
        "no_disclosure_reason.",
    )
    no_disclosure_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralMoveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(
        choices=ReferralOutcome.choices, required=False, allow_blank=True, default=""
    )
    completion_confirmation = serializers.ChoiceField(
        choices=CompletionConfirmation.choices, required=False, allow_blank=True, default=""
    )
    appointment_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class WindowSerializer(serializers.Serializer):
    measure = serializers.CharField(source="window.measure")
    days = serializers.IntegerField(source="window.days")
    first_day = serializers.DateField(source="window.first_day")
    last_day = serializers.DateField(source="window.last_day")
    state = serializers.ChoiceField(choices=["met", "pending", "missed", "open"])
    met_on = serializers.DateField(allow_null=True)
    pending_on = serializers.DateField(
        allow_null=True, help_text="An unsigned note in the window: sign it to count it."
    )
    text = serializers.CharField(source="label", help_text="As the pages say it.")


class CareTransitionSerializer(serializers.ModelSerializer):
    windows = serializers.SerializerMethodField()

    class Meta:
        model = CareTransition
        fields = [
            "id",
            "client",
            "from_level",
            "to_level",
            "focus",
            "facility",
            "admitted_on",
            "discharged_on",
            "measure",
            "denominator",
            "denominator_reason",
            "followup_appointment_at",
            "followup_appointment_with",
            *CareTransition.CHECKLIST,
            "notes",
            "windows",
            "created_at",
            "edit_version",
        ]

    def get_windows(self, obj) -> list[dict]:
        statuses = self.context.get("windows", {}).get(obj.pk)
        if statuses is None:
            from ..selectors import transition_windows

            statuses = transition_windows([obj]).get(obj.pk, [])
        # many=True builds a ListSerializer, whose data is a list; the stubs see the child.
        return WindowSerializer(statuses, many=True).data  # type: ignore[return-value]


class CareTransitionCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    from_level = serializers.ChoiceField(choices=LevelOfCare.choices)
    to_level = serializers.ChoiceField(choices=LevelOfCare.choices)
    focus = serializers.ChoiceField(choices=VisitFocus.choices, default=VisitFocus.MENTAL_HEALTH)
    facility = serializers.CharField(allow_blank=True)
    admitted_on = serializers.DateField(required=False, allow_null=True, default=None)
    discharged_on = serializers.DateField(required=False, allow_null=True, default=None)
    followup_appointment_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None
    )
    followup_appointment_with = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    discharge_summary_received = serializers.BooleanField(default=False)
    appointment_scheduled = serializers.BooleanField(default=False)
    safety_plan_reviewed = serializers.BooleanField(default=False)


class DischargeSerializer(serializers.Serializer):
    discharged_on = serializers.DateField()


class FollowUpSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "client",
            "assignee",
            "reason",
            "title",
            "due_on",
            "due_time",
            "due_at",
            "status",
            "state",
            "outcome_note",
            "referral",
            "transition",
            "window_days",
            "created_at",
            "closed_at",
        ]

    def get_state(self, obj) -> str:
        from ..selectors import followup_state

        return followup_state(obj)


class FollowUpCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    due_on = serializers.DateField()
    due_time = serializers.TimeField(required=False, allow_null=True, default=None)
    reason = serializers.ChoiceField(choices=FollowUpReason.choices, default="general")


class FollowUpRescheduleSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    due_time = serializers.TimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(allow_blank=True, help_text="Why it is moving (required).")


class FollowUpCloseSerializer(serializers.Serializer):
    outcome_note = serializers.CharField(required=False, allow_blank=True, default="")


__all__ = ["FollowUpStatus"]
