from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from casemgmt.lib.forms import StyledForm, version_field
from referrals.models import VisitFocus

if TYPE_CHECKING:
    from clients.models import CareTeamMember
    from referrals.models import CareTransition

from .medlist import MEDICATIONS
from .models import Adherence, CrisisAction, CrisisType, MedicationStatus, Route, SupplyKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MedicationForm(StyledForm):
    name = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"list": "medication-names", "autocomplete": "off"}),
        help_text="Pick from the list or type any medication.",
    )
    dose = forms.CharField(max_length=60, help_text="e.g. 16 mg")
    route = forms.ChoiceField(choices=Route.choices)
    frequency = forms.CharField(max_length=60, help_text="e.g. once daily, every 4 weeks")
    started_on = forms.DateField(widget=DATE, label="Start date")
    prescriber_member: forms.ModelChoiceField[CareTeamMember] = forms.ModelChoiceField(
        queryset=None, required=False, label="Prescriber (care team)"
    )
    prescriber_name = forms.CharField(
        max_length=150, required=False, label="Prescriber (outside the care team)"
    )
    reason = forms.CharField(max_length=200, required=False)
    is_moud = forms.BooleanField(required=False, label="Medication for addiction treatment")
    is_psychiatric = forms.BooleanField(required=False, label="Psychiatric medication")

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prescriber_member"].queryset = client.care_team.filter(ended_on__isnull=True)
        self.fields["prescriber_member"].label_from_instance = lambda m: (
            f"{m.display_name} ({m.get_role_display()})"
        )
        self.medication_names = [name for name, _ in MEDICATIONS]

    def clean(self):
        data = super().clean()
        # Unticked boxes on a listed medication: let the pick-list decide.
        if not self.data.get("is_moud") and not self.data.get("is_psychiatric"):
            data["is_moud"] = data["is_psychiatric"] = None
        return data


class MedicationChangeForm(StyledForm):
    edit_version = version_field()
    dose = forms.CharField(max_length=60)
    frequency = forms.CharField(max_length=60)
    route = forms.ChoiceField(choices=Route.choices)
    started_on = forms.DateField(
        widget=DATE,
        label="Start date",
        required=False,
        help_text="Correct it if it was recorded wrong; not after the first check-in.",
    )
    status = forms.ChoiceField(choices=[c for c in MedicationStatus.choices if c[0] != "stopped"])

    def clean(self):
        data = super().clean()
        if data.get("started_on") is None:
            data.pop("started_on", None)  # left empty: unchanged
        return data


class StopForm(StyledForm):
    stopped_on = forms.DateField(widget=DATE, label="Stop date")
    reason = forms.CharField(max_length=200, label="Reason")


class CheckInForm(StyledForm):
    checked_on = forms.DateField(widget=DATE, label="Date")
    adherence = forms.ChoiceField(
        choices=Adherence.choices, widget=forms.RadioSelect, label="How has it been taken?"
    )
    side_effects = forms.CharField(max_length=255, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReconciliationForm(StyledForm):
    reconciled_on = forms.DateField(widget=DATE, label="Date")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What changed",
        help_text="Compare the list before and after the stay.",
    )
    confirmed_with = forms.CharField(
        max_length=150, required=False, help_text="e.g. discharge summary, prescriber, pharmacy"
    )
    transition_id: forms.ModelChoiceField[CareTransition] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="For the care transition",
        help_text='Ticks that transition\'s "medications reconciled" item.',
        empty_label="Not tied to a transition",
    )

    def __init__(self, *args, client, user, **kwargs):
        super().__init__(*args, **kwargs)
        from referrals.selectors import transition_list

        field = self.fields["transition_id"]
        field.queryset = transition_list(user=user).filter(client=client)
        field.label_from_instance = lambda t: (
            f"{t.get_from_level_display()} at {t.facility}"
            + (f", discharged {t.discharged_on:%b %-d, %Y}" if t.discharged_on else "")
        )


class CrisisForm(StyledForm):
    occurred_at = forms.DateTimeField(widget=DATETIME, label="When")
    crisis_type = forms.ChoiceField(choices=CrisisType.choices, label="Type of crisis")
    actions = forms.MultipleChoiceField(
        choices=CrisisAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What was done",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What happened")
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    responders = forms.CharField(max_length=255, required=False, label="Who responded")
    ed_visit_record = forms.BooleanField(
        required=False,
        label="Record the ED visit as a care transition",
        help_text="Starts the 7- and 30-day follow-up after an ED visit (FUM for mental "
        "illness, FUA for substance use) once the client has left the ED.",
    )
    ed_facility = forms.CharField(
        max_length=255, required=False, label="Hospital", help_text="Whose ED it was."
    )
    ed_focus = forms.ChoiceField(
        choices=[("", "From the type of crisis"), *VisitFocus.choices],
        required=False,
        label="ED visit for",
        help_text="An overdose or intoxication is a visit for substance use (FUA); "
        "the other crises for mental illness (FUM).",
    )
    ed_discharged_on = forms.DateField(
        widget=DATE,
        required=False,
        label="Left the ED on",
        help_text="Leave empty while the client is still there; record the discharge on "
        "the transition later.",
    )

    ED_FIELDS = ("ed_visit_record", "ed_facility", "ed_focus", "ed_discharged_on")

    def clean(self):
        """The service takes the ED visit as one ``EdVisit`` (or None)."""
        from .services import EdVisit

        data = super().clean()
        record = data.pop("ed_visit_record", False)
        facility = data.pop("ed_facility", "")
        focus = data.pop("ed_focus", "")
        discharged_on = data.pop("ed_discharged_on", None)
        data["ed_visit"] = (
            EdVisit(facility=facility or "", focus=focus or "", discharged_on=discharged_on)
            if record
            else None
        )
        return data


class SupplyForm(StyledForm):
    kind = forms.ChoiceField(choices=SupplyKind.choices, label="What was given")
    given_on = forms.DateField(widget=DATE, label="Date")
    quantity = forms.IntegerField(min_value=1, max_value=100, initial=1)
    training_done = forms.BooleanField(required=False, label="Overdose-response education given")
    note = forms.CharField(max_length=255, required=False)
