"""The audit search: one filter set for the pages and ``/api/v1/audit-events/``."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.lib.forms import StyledForm

from . import extensions as registry
from .models import AuditAction, AuditEvent


def _day_start(day) -> datetime:
    """Midnight starting ``day`` in the current time zone (the user's team's)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditEventFilter(django_filters.FilterSet):
    client = django_filters.CharFilter(
        method="filter_client",
        label="Client number or name",
        help_text="e.g. C0001301, or a legal name; every team's clients.",
    )
    user = django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("last_name", "first_name", "username"),
        label="Staff member",
        empty_label="Anyone",
    )
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, empty_label="Any action")
    date_from = django_filters.DateFilter(method="filter_date_from", label="From (date)")
    date_to = django_filters.DateFilter(method="filter_date_to", label="To (date, included)")
    client_id = django_filters.NumberFilter(label="Client id")
    object_type = django_filters.CharFilter(lookup_expr="iexact", label="Object type")
    occurred_after = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label="From"
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", label="Until"
    )
    without_client = django_filters.BooleanFilter(
        field_name="client_id", lookup_expr="isnull", label="Only events naming no client"
    )
    without_user = django_filters.BooleanFilter(
        field_name="user", lookup_expr="isnull", label="Only events with no user"
    )

    class Meta:
        model = AuditEvent
        fields = ["client", "user", "action", "date_from", "date_to", "client_id", "object_type"]
        form = StyledForm

    def filter_client(self, queryset: QuerySet[AuditEvent], name: str, value: str):
        text = (value or "").strip()
        if not text:
            return queryset
        return queryset.filter(client_id__in=registry.client_search(text))

    def filter_date_from(self, queryset: QuerySet[AuditEvent], name: str, value):
        return queryset.filter(occurred_at__gte=_day_start(value)) if value else queryset

    def filter_date_to(self, queryset: QuerySet[AuditEvent], name: str, value):
        if not value:
            return queryset
        return queryset.filter(occurred_at__lt=_day_start(value + timedelta(days=1)))


# The search fields the audit pages show; the others come from links (a session's
# events, a client's page) and the API.
SEARCH_FIELDS = ("client", "user", "action", "date_from", "date_to")
