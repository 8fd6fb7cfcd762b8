"""FilterSets shared by the API (and any HTML list) of the health app."""

import django_filters

from casemgmt.lib.forms import StyledForm

from .models import Adherence


class CheckInFilter(django_filters.FilterSet):
    """Adherence check-ins: by client, medication, adherence and date (both ends inclusive)."""

    client = django_filters.NumberFilter(field_name="medication__client_id", label="Client")
    medication = django_filters.NumberFilter(field_name="medication_id", label="Medication")
    adherence = django_filters.ChoiceFilter(choices=Adherence.choices, empty_label="Any")
    checked_after = django_filters.DateFilter(field_name="checked_on", lookup_expr="gte")
    checked_before = django_filters.DateFilter(field_name="checked_on", lookup_expr="lte")

    class Meta:
        form = StyledForm
        fields: list[str] = []
