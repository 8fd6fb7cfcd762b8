"""FilterSets shared by the API and the calendar pages."""

import django_filters

from casemgmt.lib.forms import StyledForm

from .models import Appointment, AppointmentKind, AppointmentStatus


class AppointmentFilter(django_filters.FilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    staff = django_filters.NumberFilter(method="by_staff", label="Staff member (user id)")
    kind = django_filters.MultipleChoiceFilter(choices=AppointmentKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=AppointmentStatus.choices)
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="ends_at", lookup_expr="gt", label="Ends after (ISO 8601)"
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label="Starts before (ISO 8601)"
    )
    recurrence = django_filters.NumberFilter(field_name="recurrence_id")

    class Meta:
        model = Appointment
        form = StyledForm
        fields: list[str] = []

    def by_staff(self, queryset, name, value):
        return queryset.filter(staff_links__user_id=value)
