"""Forms and the FilterSet for related persons (family, friends, collateral contacts).

Forms check shape and types; the rules live in ``clients.services.related``. The
FilterSet serves the chart tab and ``/api/v1/related-persons/`` alike.
"""

from __future__ import annotations

import django_filters
from django import forms

from casemgmt.lib.forms import StyledForm, version_field

from .forms_notes import DATE, IdFilter
from .models import RelatedPerson, Relationship


class RelatedPersonForm(StyledForm):
    name = forms.CharField(max_length=150, error_messages={"required": "Enter the person's name."})
    relationship = forms.ChoiceField(
        label="How they are related to the client",
        choices=[("", "Choose…"), *Relationship.choices],
        error_messages={"required": "Choose how they are related to the client."},
    )
    relationship_detail = forms.CharField(
        label="In the client's words", max_length=100, required=False, help_text="e.g. older sister"
    )
    in_support_network = forms.BooleanField(
        label="Part of the client's support network",
        required=False,
        initial=True,
        help_text="Someone the client counts on, who can appear on the safety plan.",
    )
    phone = forms.CharField(max_length=40, required=False)
    email = forms.CharField(max_length=254, required=False)
    address = forms.CharField(max_length=255, required=False)
    preferred_language = forms.CharField(max_length=60, required=False, initial="English")
    interpreter_needed = forms.BooleanField(required=False)
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. best time to call; what the client wants them to know or not know.",
    )


class RelatedPersonEditForm(RelatedPersonForm):
    edit_version = version_field()

    @classmethod
    def for_person(cls, person: RelatedPerson, data=None) -> RelatedPersonEditForm:
        initial = {f: getattr(person, f) for f in cls.base_fields}
        return cls(data, initial=initial)


class RelatedPersonInactiveForm(StyledForm):
    reason = forms.CharField(
        label="Why",
        max_length=255,
        error_messages={"required": "Say why (e.g. moved away, asked not to be contacted)."},
        help_text="e.g. moved away, the client asked us not to contact them.",
    )
    inactive_on = forms.DateField(
        label="Inactive from", required=False, widget=DATE, help_text="Empty means today."
    )


class RelatedPersonFilter(django_filters.FilterSet):
    """Filters for ``/api/v1/related-persons/``."""

    client = IdFilter(field_name="client_id", label="Client id")
    active = django_filters.BooleanFilter(
        field_name="inactive_on", lookup_expr="isnull", label="Active people only"
    )
    in_support_network = django_filters.BooleanFilter(label="Part of the support network")
    relationship = django_filters.ChoiceFilter(choices=Relationship.choices)

    class Meta:
        model = RelatedPerson
        fields = ["client", "active", "in_support_network", "relationship"]
