"""Forms and FilterSets for contact notes and the care team.

Forms check shape and types; the rules live in ``clients.services.notes`` and
``clients.services.careteam``. The FilterSets serve the Notes tab and the API alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from casemgmt.accounts.selectors import staff_list
from casemgmt.lib.forms import StyledForm

if TYPE_CHECKING:
    from django.http import QueryDict

    from casemgmt.accounts.models import User

from .models import (
    CareTeamMember,
    CareTeamRole,
    Client,
    ContactNote,
    ContactType,
    RelatedPerson,
)
from .services.notes import MAX_DURATION, MIN_DURATION, note_validate

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class RelatedPersonChoiceField(forms.ModelChoiceField):
    """A pick-list of the client's related persons: "Ana Ruiz (Sister)"."""

    def label_from_instance(self, obj: RelatedPerson) -> str:
        return f"{obj.name} ({obj.relationship_label})"


# -------------------------------------------------------------------------------- notes
class NoteForm(StyledForm):
    """A draft note. ``version`` (hidden) is what the editor loaded, for an edit."""

    contact_at = forms.DateTimeField(
        label="Date and time of contact",
        error_messages={"required": "Enter the date and time of the contact."},
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    contact_type = forms.ChoiceField(
        label="Type of contact",
        choices=[("", "Choose…"), *ContactType.choices],
        error_messages={"required": "Choose the type of contact."},
    )
    related_person = RelatedPersonChoiceField(
        queryset=RelatedPerson.objects.none(),
        required=False,
        label="With whom (collateral contact only)",
        empty_label="— Not a collateral contact —",
        help_text="The family member or other person the contact was with. A release "
        "naming them must be on file.",
    )
    discloses_substance_use = forms.BooleanField(
        label="Substance use information was shared (collateral contact only)",
        required=False,
        help_text="Needs a 42 CFR Part 2 consent naming the person.",
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        error_messages={"required": "Enter how long the contact took, in minutes."},
        widget=forms.NumberInput(
            attrs={"min": MIN_DURATION, "max": MAX_DURATION, "inputmode": "numeric"}
        ),
    )
    # The form's metaclass moves declared fields into base_fields, so ``self.data`` stays
    # the submitted data; the stubs see a field shadowing BaseForm.data.
    data = forms.CharField(  # type: ignore[assignment]
        label="Data",
        error_messages={"required": "Describe what was observed and said (data)."},
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was observed and said: the facts.",
    )
    assessment = forms.CharField(
        label="Assessment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Your clinical interpretation. Required, except for an outreach attempt.",
    )
    plan = forms.CharField(
        label="Plan",
        error_messages={"required": "Say what happens next (plan)."},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happens next, who does it, by when.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        note: ContactNote | None = None,
        client: Client | None = None,
        presume_substance_use: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.changed_by_others: list[str] = []
        person = cast(RelatedPersonChoiceField, self.fields["related_person"])
        if client is not None:
            person.queryset = client.related_persons.filter(inactive_on__isnull=True).order_by(
                "name", "id"
            )
        if self.is_bound:
            return
        if note is None:  # a new note: most are written just after the contact
            self.initial.setdefault("contact_at", timezone.localtime().replace(second=0))
            self.initial.setdefault("discloses_substance_use", presume_substance_use)
        else:
            self.initial = {
                "contact_at": timezone.localtime(note.contact_at),
                "contact_type": note.contact_type,
                "related_person": note.related_person_id,
                "discloses_substance_use": note.discloses_substance_use,
                "duration_minutes": note.duration_minutes,
                "data": note.data,
                "assessment": note.assessment,
                "plan": note.plan,
                "version": note.version,
            }

    def clean(self):
        """Run the service's content rules too, so every problem shows at once (the
        service checks again when it saves)."""
        data = super().clean()
        values = {name: data.get(name) for name in self.fields if name != "version"}
        try:
            note_validate(values)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    for message in messages:
                        self.add_error(field, message)
        return data

    def note_values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def show_current(self, fresh: ContactNote) -> None:
        """After an edit conflict: keep what the user typed, say next to each field what
        is saved now, and take the new version so a second save (after review) goes
        through."""
        data = cast("QueryDict", self.data).copy()
        data["version"] = str(fresh.version)
        self.data = data  # type: ignore[assignment]  # the `data` field shadows it (above)
        for name in ("contact_type", "duration_minutes", "data", "assessment", "plan"):
            saved = getattr(fresh, name)
            if str(self.cleaned_data.get(name, "")) != str(saved):
                self.changed_by_others.append(name)
                shown = fresh.get_contact_type_display() if name == "contact_type" else saved
                # BoundFields copy help_text when created (during validation): set both.
                text = f"Saved meanwhile: {shown or '(empty)'}"
                self.fields[name].help_text = self[name].help_text = text


class NoteSignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddendumForm(StyledForm):
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A correction or something learned later. The signed note stays as it was.",
    )


class ContactNoteFilter(django_filters.FilterSet):
    """Filters for the Notes tab and ``/api/v1/notes/``."""

    client = IdFilter(field_name="client_id", label="Client id")
    signed = django_filters.BooleanFilter(
        method="filter_signed",
        label="Signed (true) or drafts (false)",
        widget=forms.Select(
            choices=[("", "All notes"), ("false", "Drafts"), ("true", "Signed")],
            attrs={"class": "w-auto"},
        ),
    )
    contact_type = django_filters.ChoiceFilter(
        choices=[(value, label.split(" (")[0]) for value, label in ContactType.choices],
        label="Type",
        empty_label="Any type",
        widget=forms.Select(attrs={"class": "w-auto"}),
    )

    class Meta:
        model = ContactNote
        fields = ["client", "signed", "contact_type"]
        form = StyledForm

    def filter_signed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(signed_at__isnull=not value)


# ---------------------------------------------------------------------------- care team
class CareTeamMemberForm(StyledForm):
    role = forms.ChoiceField(choices=[("", "Choose…"), *CareTeamRole.choices])
    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Staff member",
        empty_label="— Not staff: outside contact below —",
    )
    related_person = RelatedPersonChoiceField(
        queryset=RelatedPerson.objects.none(),
        required=False,
        label="Or someone from Family & contacts",
        empty_label="— Not from Family & contacts —",
        help_text="Their name, phone and email are copied.",
    )
    name = forms.CharField(
        label="Outside contact's name",
        max_length=150,
        required=False,
        help_text="Someone outside your teams: a prescriber, GP, sponsor, family member.",
    )
    organisation = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.CharField(max_length=254, required=False)
    notes = forms.CharField(
        max_length=255,
        required=False,
        help_text="e.g. best time to call, release of information on file.",
    )
    started_on = forms.DateField(
        label="On the team since", required=False, widget=DATE, help_text="Empty means today."
    )

    def __init__(self, *args, user, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        person = cast(RelatedPersonChoiceField, self.fields["related_person"])
        if client is not None:
            person.queryset = client.related_persons.filter(inactive_on__isnull=True).order_by(
                "name", "id"
            )
        self.has_related_persons = client is not None and person.queryset.exists()
        field = self.fields["user"]
        field.queryset = staff_list(user=user)
        field.label_from_instance = lambda u: (
            f"{u.display_name}, {u.title}" if u.title else u.display_name
        )


class CareTeamEndForm(StyledForm):
    ended_on = forms.DateField(
        label="Left the team on", required=False, widget=DATE, help_text="Empty means today."
    )


class CareTeamMemberFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id", label="Client id")
    active = django_filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label="Current members only"
    )
    role = django_filters.ChoiceFilter(choices=CareTeamRole.choices)

    class Meta:
        model = CareTeamMember
        fields = ["client", "active", "role"]
