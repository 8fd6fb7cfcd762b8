from rest_framework import serializers

from casemgmt.lib.locking import version_input

from ..models import (
    AdherenceCheckIn,
    CrisisEpisode,
    HarmReductionSupply,
    Medication,
    Reconciliation,
)


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdherenceCheckIn
        fields = [
            "id",
            "medication",
            "checked_on",
            "adherence",
            "side_effects",
            "note",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class CheckInListSerializer(serializers.ModelSerializer):
    """A check-in as listed at /adherence-check-ins/: with its client and medication."""

    client = serializers.IntegerField(source="medication.client_id", read_only=True)
    medication_name = serializers.CharField(source="medication.name", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True)

    class Meta:
        model = AdherenceCheckIn
        fields = [
            "id",
            "client",
            "medication",
            "medication_name",
            "checked_on",
            "adherence",
            "side_effects",
            "note",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = fields


class MedicationSerializer(serializers.ModelSerializer):
    prescriber = serializers.CharField(read_only=True)
    check_ins = CheckInSerializer(many=True, read_only=True)

    class Meta:
        model = Medication
        fields = [
            "id",
            "client",
            "name",
            "dose",
            "route",
            "frequency",
            "prescriber_member",
            "prescriber_name",
            "prescriber",
            "reason",
            "is_moud",
            "is_psychiatric",
            "started_on",
            "stopped_on",
            "stop_reason",
            "status",
            "recorded_by",
            "recorded_at",
            "edit_version",
            "check_ins",
        ]
        read_only_fields = fields


class MedicationCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    name = serializers.CharField(max_length=120)
    dose = serializers.CharField(max_length=60)
    route = serializers.CharField(max_length=20, required=False)
    frequency = serializers.CharField(max_length=60)
    started_on = serializers.DateField()
    prescriber_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_moud = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_psychiatric = serializers.BooleanField(required=False, allow_null=True, default=None)


class MedicationUpdateSerializer(serializers.Serializer):
    edit_version = version_input()
    dose = serializers.CharField(max_length=60, required=False)
    frequency = serializers.CharField(max_length=60, required=False)
    route = serializers.CharField(max_length=20, required=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    started_on = serializers.DateField(
        required=False,
        help_text="A corrected start date: not in the future, not after the earliest check-in "
        "(400 naming started_on). Audited, on the timeline.",
    )
    status = serializers.CharField(max_length=10, required=False)


class StopSerializer(serializers.Serializer):
    stopped_on = serializers.DateField()
    reason = serializers.CharField()


class CheckInCreateSerializer(serializers.Serializer):
    checked_on = serializers.DateField()
    adherence = serializers.CharField()
    side_effects = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class ReconciliationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "client",
            "transition_id",
            "reconciled_on",
            "summary",
            "changes",
            "confirmed_with",
            "confirmed_by",
            "recorded_at",
        ]
        read_only_fields = fields


class ReconciliationCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    transition_id = serializers.IntegerField(required=False, allow_null=True)
    reconciled_on = serializers.DateField()
    summary = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField(), required=False)
    confirmed_with = serializers.CharField(required=False, allow_blank=True)


class CrisisEpisodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CrisisEpisode
        fields = [
            "id",
            "client",
            "occurred_at",
            "crisis_type",
            "actions",
            "description",
            "outcome",
            "responders",
            "recorded_by",
            "recorded_at",
            "ed_transition_id",
        ]
        read_only_fields = fields


class EdVisitSerializer(serializers.Serializer):
    facility = serializers.CharField(max_length=255, help_text="The hospital.")
    focus = serializers.ChoiceField(
        choices=["mental_health", "substance_use"],
        required=False,
        allow_blank=True,
        default="",
        help_text="What the visit was for (FUM / FUA); empty: from the type of crisis.",
    )
    discharged_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Null while still in the ED."
    )


class CrisisEpisodeCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    crisis_type = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField(), required=False)
    description = serializers.CharField()
    outcome = serializers.CharField()
    responders = serializers.CharField(required=False, allow_blank=True)
    ed_visit = EdVisitSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="The emergency department visit, recorded as a care transition "
        "(ed_transition_id) so the FUM/FUA follow-up starts; errors name ed_facility, "
        "ed_focus, ed_discharged_on.",
    )

    def validate_ed_visit(self, value):
        from ..services import EdVisit

        return EdVisit(**value) if value else None


class SupplySerializer(serializers.ModelSerializer):
    class Meta:
        model = HarmReductionSupply
        fields = [
            "id",
            "client",
            "kind",
            "given_on",
            "quantity",
            "training_done",
            "note",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class SupplyCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    kind = serializers.CharField()
    given_on = serializers.DateField()
    quantity = serializers.IntegerField(required=False, default=1)
    training_done = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True)
