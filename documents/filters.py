"""FilterSet for the documents API."""

import django_filters

from casemgmt.lib.forms import StyledForm

from .models import DocumentKind, DocumentStatus


class DocumentFilter(django_filters.FilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices, empty_label="Any")
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices, empty_label="Any")
    consent = django_filters.NumberFilter(field_name="consent_id")
    transition = django_filters.NumberFilter(field_name="transition_id")
    referral = django_filters.NumberFilter(field_name="referral_id")
    holds_substance_use = django_filters.BooleanFilter()

    class Meta:
        form = StyledForm
        fields: list[str] = []
