"""API shapes of check-ins. The token never appears: it is not stored."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ..models import CheckIn, CheckInResult, DeliveryChannel
from ..services import CHECKIN_INSTRUMENTS


@extend_schema_serializer(component_name="PortalCheckInResult")
class CheckInResultSerializer(serializers.ModelSerializer):
    response: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = CheckInResult
        fields = ["part", "response", "flags", "recorded_at"]
        read_only_fields = fields


# health has its own "CheckIn" (medication adherence): this one is the client's home check-in.
@extend_schema_serializer(component_name="PortalCheckIn")
class CheckInSerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        read_only=True, help_text="sent, opened, completed, expired, revoked or locked"
    )
    channel = serializers.CharField(source="link.channel", read_only=True)
    expires_at = serializers.DateTimeField(source="link.expires_at", read_only=True)
    revoked_at = serializers.DateTimeField(source="link.revoked_at", read_only=True)
    results = CheckInResultSerializer(many=True, read_only=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "client",
            "instruments",
            "question_set",
            "status",
            "state",
            "channel",
            "sent_by",
            "automatic",
            "created_at",
            "expires_at",
            "revoked_at",
            "opened_at",
            "completed_at",
            "needs_look",
            "risk_at",
            "acknowledged_at",
            "acknowledged_by",
            "results",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="PortalCheckInCreate")
class CheckInCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField(help_text="A client in your teams.")
    instruments = serializers.ListField(
        child=serializers.ChoiceField(choices=list(CHECKIN_INSTRUMENTS)),
        allow_empty=True,
        max_length=len(CHECKIN_INSTRUMENTS),
        required=False,
        default=list,
        help_text="Self-report instruments: phq9, gad7, audit_c.",
    )
    question_set = serializers.IntegerField(
        required=False, allow_null=True, help_text="A question set of the client's team."
    )
    channel = serializers.ChoiceField(choices=DeliveryChannel.choices)


class EmptySerializer(serializers.Serializer):
    pass
