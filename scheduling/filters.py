"""FilterSets shared by the API and the calendar pages."""

from datetime import UTC, datetime

import django_filters

from casemgmt.lib.forms import StyledForm

from .models import Appointment, AppointmentKind, AppointmentStatus


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 instant compared in UTC: PostgreSQL refuses offsets beyond 15:59
    (a 500 otherwise), and an instant beyond year 9999 once in UTC is clamped."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                latest, earliest = (
                    datetime.max.replace(tzinfo=UTC),
                    datetime.min.replace(tzinfo=UTC),
                )
                value = latest if value.year > 1 else earliest
        return super().filter(qs, value)


class AppointmentFilter(django_filters.FilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    staff = django_filters.NumberFilter(method="by_staff", label="Staff member (user id)")
    kind = django_filters.MultipleChoiceFilter(choices=AppointmentKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=AppointmentStatus.choices)
    starts_after = UtcDateTimeFilter(
        field_name="ends_at", lookup_expr="gt", label="Ends after (ISO 8601)"
    )
    starts_before = UtcDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label="Starts before (ISO 8601)"
    )
    recurrence = django_filters.NumberFilter(field_name="recurrence_id")

    class Meta:
        model = Appointment
        form = StyledForm
        fields: list[str] = []

    def by_staff(self, queryset, name, value):
        return queryset.filter(staff_links__user_id=value)
