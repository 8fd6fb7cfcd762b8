"""FilterSets of the portal's API."""

import django_filters

from casemgmt.lib.forms import StyledForm

from .models import CheckInStatus


class CheckInFilter(django_filters.FilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=CheckInStatus.choices, empty_label="Any")

    class Meta:
        form = StyledForm
        fields: list[str] = []
