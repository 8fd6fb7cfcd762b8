from __future__ import annotations

from rest_framework import serializers

from careplans.models import Intervention
from casemgmt.accounts.models import User

from ..models import (
    Appointment,
    AppointmentKind,
    AppointmentLocation,
    Recurrence,
)


class AppointmentSerializer(serializers.ModelSerializer):
    staff = serializers.SerializerMethodField()
    interventions: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "client",
            "team",
            "staff",
            "starts_at",
            "ends_at",
            "kind",
            "location",
            "telehealth_link",
            "status",
            "cancellation_reason",
            "interventions",
            "recurrence",
            "occurrence_starts_at",
            "rescheduled_to",
            "contact_note",
            "checked_in_at",
            "edit_version",
            "created_at",
        ]
        read_only_fields = fields

    def get_staff(self, obj: Appointment) -> list[int]:
        return [row.user_id for row in obj.staff_rows]


class RecurrenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recurrence
        fields = [
            "id",
            "client",
            "team",
            "rule",
            "first_starts_at",
            "duration_minutes",
            "time_zone",
            "until",
            "generated_until",
            "kind",
            "location",
            "staff",
            "previous",
            "ended_at",
        ]
        read_only_fields = fields


def _staff(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True), **kwargs
    )


class AppointmentCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField(min_value=1, max_value=2**62)
    staff = _staff(allow_empty=False)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=AppointmentKind.choices)
    location = serializers.ChoiceField(choices=AppointmentLocation.choices)
    telehealth_link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    interventions = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Intervention.objects.select_related("goal__plan")
    )
    rule = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="RFC 5545 RRULE for a series, e.g. FREQ=WEEKLY;BYDAY=TU. Without COUNT "
        "or UNTIL the series is written 6 months ahead and extended by a nightly task.",
    )
    confirm_conflicts = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Book even though it overlaps another appointment of a staff member or "
        "the client (without it, an overlap is a 409 listing them).",
    )


class RescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    staff = _staff(allow_empty=False, required=False)
    scope = serializers.ChoiceField(
        choices=[("this", "This appointment"), ("following", "This and following")],
        default="this",
        help_text="For an appointment of a series: move only this one, or this and the "
        "following ones (the series is split).",
    )
    rule = serializers.CharField(required=False, allow_blank=True, max_length=200)
    confirm_conflicts = serializers.BooleanField(required=False, default=False)


class CancelSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=[("client", "Client"), ("staff", "Staff")])
    cancellation_reason = serializers.CharField(max_length=2000)


class EmptySerializer(serializers.Serializer):
    pass
