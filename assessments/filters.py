"""FilterSets shared by the pages and the API."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from casemgmt.lib.forms import StyledForm

from .models import ComprehensiveAssessment, InstrumentResponse


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class InstrumentResponseFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id", label="Client id")
    instrument = django_filters.ChoiceFilter(
        choices=InstrumentResponse._meta.get_field("instrument").choices
    )

    class Meta:
        model = InstrumentResponse
        fields = ["client", "instrument"]
        form = StyledForm


class ComprehensiveAssessmentFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id", label="Client id")

    class Meta:
        model = ComprehensiveAssessment
        fields = ["client"]
        form = StyledForm
