from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casemgmt.accounts.models import Team, User

from ..models import (
    Client,
    ClientStatus,
    CodeKind,
    ContactMethod,
    Diagnosis,
    DiagnosisCategory,
    DiagnosisStatus,
    DischargeReason,
    EmergencyReason,
    Ethnicity,
    InsuranceType,
    Race,
    RiskFlag,
    RiskFlagKind,
    SexAtBirth,
    TimelineEntry,
)
from ..services import EDITABLE_FIELDS


class RiskFlagSerializer(serializers.ModelSerializer):
    set_by_name = serializers.CharField(source="set_by.display_name", default=None)
    cleared_by_name = serializers.CharField(source="cleared_by.display_name", default=None)

    class Meta:
        model = RiskFlag
        fields = [
            "id",
            "client",
            "kind",
            "reason",
            "source",
            "set_by",
            "set_by_name",
            "set_at",
            "cleared_by",
            "cleared_by_name",
            "cleared_at",
            "clear_reason",
            "is_active",
        ]
        read_only_fields = fields


class ClientSerializer(serializers.ModelSerializer):
    """What the API returns for a client."""

    team_name = serializers.CharField(source="team.name", read_only=True)
    primary_case_manager_name = serializers.SerializerMethodField()
    display_name = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True)
    risk_flags = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "id",
            "client_number",
            *EDITABLE_FIELDS,
            "display_name",
            "age",
            "status",
            "team",
            "team_name",
            "primary_case_manager",
            "primary_case_manager_name",
            "enrolled_on",
            "discharged_on",
            "discharge_reason",
            "is_dual_diagnosis",
            "risk_flags",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_primary_case_manager_name(self, client: Client) -> str | None:
        manager = client.primary_case_manager
        return manager.display_name if manager else None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(RiskFlagKind.choices)))
    def get_risk_flags(self, client: Client) -> list[str]:
        flags = getattr(client, "active_flags", None)
        if flags is None:
            flags = client.risk_flags.filter(cleared_at__isnull=True)
        return [flag.kind for flag in flags]


class _RecordFields(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    pronouns = serializers.CharField(max_length=40, required=False, allow_blank=True)
    date_of_birth = serializers.DateField()
    sex_at_birth = serializers.ChoiceField(SexAtBirth.choices, required=False, allow_blank=True)
    gender_identity = serializers.CharField(max_length=60, required=False, allow_blank=True)
    preferred_language = serializers.CharField(max_length=60, required=False)
    interpreter_needed = serializers.BooleanField(required=False)
    cultural_considerations = serializers.CharField(required=False, allow_blank=True)
    race = serializers.ListField(child=serializers.ChoiceField(Race.choices), required=False)
    ethnicity = serializers.ChoiceField(Ethnicity.choices, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    preferred_contact_method = serializers.ChoiceField(
        ContactMethod.choices, required=False, allow_blank=True
    )
    ok_to_leave_message = serializers.BooleanField(required=False)
    address_line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=40, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    emergency_contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    emergency_contact_relationship = serializers.CharField(
        max_length=60, required=False, allow_blank=True
    )
    emergency_contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    insurance_type = serializers.ChoiceField(
        InsuranceType.choices, required=False, allow_blank=True
    )
    insurance_member_id = serializers.CharField(max_length=60, required=False, allow_blank=True)


class ClientCreateSerializer(_RecordFields):
    """What POST accepts; types only, the rules are in ``clients.services``."""

    status = serializers.ChoiceField(ClientStatus.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    primary_case_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )


class ClientUpdateSerializer(_RecordFields):
    """What PUT/PATCH accept: record fields and the ``version`` the caller last read.
    A save over a newer version answers 409 with what changed."""

    version = serializers.IntegerField(min_value=1)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(ClientStatus.choices)
    effective_on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True)
    discharge_reason = serializers.ChoiceField(
        DischargeReason.choices, required=False, allow_blank=True
    )


class TransferSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    primary_case_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True
    )
    reason = serializers.CharField()


class DuplicateQuerySerializer(serializers.Serializer):
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField()


class DuplicateInquirySerializer(DuplicateQuerySerializer):
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="For the other team's supervisors."
    )


class DuplicatesSerializer(serializers.Serializer):
    in_reach = ClientSerializer(many=True)
    possible_duplicate_elsewhere = serializers.BooleanField(
        help_text="A similar client exists in a team out of your reach. Nothing about it is "
        "shown; POST the same fields to `duplicates/ask/` to ask that team to contact you."
    )


class DuplicateInquiryAnswerSerializer(serializers.Serializer):
    detail = serializers.CharField()


class DiagnosisSerializer(serializers.ModelSerializer):
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True)

    class Meta:
        model = Diagnosis
        fields = [
            "id",
            "client",
            "category",
            "icd10_code",
            "description",
            "status",
            "onset_date",
            "source",
            "kind",
            "counts_toward_dual",
            "reclassified_reason",
            "reclassified_by",
            "reclassified_at",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = fields


class DiagnosisCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    icd10_code = serializers.CharField(max_length=10)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    category = serializers.ChoiceField(DiagnosisCategory.choices, required=False)
    status = serializers.ChoiceField(DiagnosisStatus.choices, required=False)
    onset_date = serializers.DateField(required=False, allow_null=True)
    # The serializer metaclass moves declared fields aside: no clash with Field.source.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=120, required=False, allow_blank=True
    )


class DiagnosisUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(DiagnosisStatus.choices, required=False)
    onset_date = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(max_length=255, required=False)
    # The serializer metaclass moves declared fields aside: no clash with Field.source.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=120, required=False, allow_blank=True
    )


class DiagnosisReclassifySerializer(serializers.Serializer):
    """``kind`` null: back to the code-range table's classification."""

    kind = serializers.ChoiceField(CodeKind.choices, allow_null=True)
    counts_toward_dual = serializers.BooleanField(default=False)
    reason = serializers.CharField(allow_blank=True)


class RiskFlagCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    kind = serializers.ChoiceField(RiskFlagKind.choices)
    reason = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name", default=None)

    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "occurred_at",
            "kind",
            "summary",
            "actor",
            "actor_name",
            "object_type",
            "object_id",
            "link",
        ]
        read_only_fields = fields


class EmergencyAccessSerializer(serializers.Serializer):
    client_number = serializers.CharField()
    reason_code = serializers.ChoiceField(
        choices=EmergencyReason.choices, help_text="The kind of emergency (42 CFR 2.51)."
    )
    reason = serializers.CharField(help_text="What the emergency is (at least 10 characters).")
    client = serializers.IntegerField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
