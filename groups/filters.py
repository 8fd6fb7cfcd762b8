"""FilterSets of the groups API (and the group list)."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from .models import (
    GROUP_COMPONENTS,
    AttendanceStatus,
    Group,
    GroupSession,
    SessionAttendance,
    SessionStatus,
)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2_147_483_647)
        super().__init__(*args, **kwargs)


class GroupFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    active = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull")
    facilitator = IdFilter(field_name="facilitators", distinct=True)
    iddt_component = django_filters.ChoiceFilter(
        choices=[(c.value, c.label) for c in GROUP_COMPONENTS]
    )

    class Meta:
        model = Group
        fields = ["team", "active", "facilitator", "iddt_component"]


class SessionFilter(django_filters.FilterSet):
    group = IdFilter(field_name="group_id")
    status = django_filters.ChoiceFilter(choices=SessionStatus.choices)
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="starts_at", method="starts_from", label="Starts at or after (ISO 8601)"
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="starts_at", method="starts_until", label="Starts before (ISO 8601)"
    )
    facilitator = IdFilter(field_name="facilitators", distinct=True)

    class Meta:
        model = GroupSession
        fields = ["group", "status", "starts_after", "starts_before", "facilitator"]

    @staticmethod
    def _utc(value):
        """In UTC (PostgreSQL refuses offsets beyond +-15:59, which ISO 8601 allows)."""
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            message = "Give a date and time between years 1 and 9998."
            raise ValidationError({"starts_at": [message]}) from None

    def starts_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=self._utc(value))

    def starts_until(self, queryset, name, value):
        return queryset.filter(starts_at__lt=self._utc(value))


class AttendanceFilter(django_filters.FilterSet):
    session = IdFilter(field_name="session_id")
    group = IdFilter(field_name="session__group_id")
    client = IdFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=AttendanceStatus.choices)

    class Meta:
        model = SessionAttendance
        fields = ["session", "group", "client", "status"]


class MembershipFilter(django_filters.FilterSet):
    group = IdFilter(field_name="group_id")
    client = IdFilter(field_name="client_id")
    active = django_filters.BooleanFilter(field_name="left_on", lookup_expr="isnull")

    class Meta:
        from .models import GroupMembership

        model = GroupMembership
        fields = ["group", "client", "active"]
