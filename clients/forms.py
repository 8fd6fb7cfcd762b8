"""Forms check shape and types only; the rules live in ``clients.services``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from casemgmt.accounts.selectors import staff_list, team_list
from casemgmt.lib.forms import StyledForm, StyledFormMixin

from .models import (
    Client,
    ClientStatus,
    CodeKind,
    Diagnosis,
    DiagnosisCategory,
    DiagnosisStatus,
    DischargeReason,
    EmergencyReason,
    Race,
    RiskFlagKind,
)
from .services import EDITABLE_FIELDS, TRANSITIONS

if TYPE_CHECKING:
    from django.http import QueryDict

    from casemgmt.accounts.models import Team, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _ModelForm(StyledFormMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "preferred_language" in self.fields:
            self.fields["preferred_language"].required = False

    def clean_preferred_language(self):
        return self.cleaned_data.get("preferred_language") or "English"

    def _post_clean(self):
        # Model validation is the service's job; forms never write the instance.
        pass


def _people(user):
    field = forms.ModelChoiceField(
        queryset=staff_list(user=user),
        required=False,
        label="Primary case manager",
        help_text="Must be a member of the chosen team.",
    )
    field.label_from_instance = lambda u: u.display_name
    return field


class ClientIntakeForm(_ModelForm):
    confirm_new = forms.BooleanField(
        required=False,
        label="None of these is the same person: register a new client",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "sex_at_birth",
            "gender_identity",
            "preferred_language",
            "interpreter_needed",
            "phone",
            "status",
            "team",
            "primary_case_manager",
        ]
        widgets = {"date_of_birth": DATE}
        help_texts = {
            "preferred_name": "What the client wants to be called, if not their legal name.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(user=user)
        self.fields["primary_case_manager"] = _people(user)
        self.fields["primary_case_manager"].widget.attrs["class"] = "form-select"
        self.fields["status"].choices = [
            c for c in ClientStatus.choices if c[0] in ("referred", "intake", "active")
        ]
        self.needs_confirmation = False

    def show_confirm(self):
        """Possible duplicates found: ask the user to confirm with a visible checkbox."""
        self.needs_confirmation = True
        field = self.fields["confirm_new"]
        field.widget = forms.CheckboxInput(attrs={"class": "form-check-input"})


class ClientEditForm(_ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    race = forms.MultipleChoiceField(
        choices=Race.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Optional. The client may choose several, or decline.",
    )

    class Meta:
        model = Client
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "date_of_birth": DATE,
            "cultural_considerations": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.changed_by_others: list[str] = []

    def show_current(self, fresh: Client, changed_fields: list[str]) -> None:
        """After an edit conflict: keep what the user typed, show next to each field that
        someone else changed what it holds now, and take the new version so a second
        save (after review) goes through."""
        data = cast("QueryDict", self.data).copy()
        data["version"] = str(fresh.version)
        self.data = data
        self.changed_by_others = [f for f in changed_fields if f in self.fields]
        for name in self.changed_by_others:
            value = getattr(fresh, name)
            shown = ", ".join(value) if isinstance(value, list) else (value or "(empty)")
            note = f"Saved meanwhile by someone else: {shown}"
            self.fields[name].help_text = note
            self[name].help_text = note  # the bound field copied the old text already


class StatusForm(StyledForm):
    status = forms.ChoiceField(label="New status")
    effective_on = forms.DateField(
        label="Effective date", required=False, widget=DATE, help_text="Leave empty for today."
    )
    discharge_reason = forms.ChoiceField(
        choices=[("", "—")] + DischargeReason.choices,
        required=False,
        help_text="Required for a discharge.",
    )
    reason = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[client.status]
        self.fields["status"].choices = [c for c in ClientStatus.choices if c[0] in allowed]


class TransferForm(StyledForm):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(queryset=None)
    primary_case_manager: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, required=False
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the client is being reassigned; kept in the history.",
    )

    def __init__(self, *args, user, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(user=user)
        self.fields["primary_case_manager"] = _people(user)
        self.fields["primary_case_manager"].widget.attrs["class"] = "form-select"
        if not self.is_bound:
            self.initial = {
                "team": client.team_id,
                "primary_case_manager": client.primary_case_manager_id,
            }


class DiagnosisForm(StyledForm):
    icd10_code = forms.CharField(
        label="ICD-10-CM code",
        max_length=10,
        widget=forms.TextInput(attrs={"list": "icd10-codes", "autocomplete": "off"}),
        help_text="Pick from the list or type any billable ICD-10-CM code, e.g. F10.20.",
    )
    description = forms.CharField(
        max_length=255,
        required=False,
        help_text="Filled in from the ICD-10-CM table when left empty.",
    )
    category = forms.ChoiceField(
        choices=[("", "From the code")] + DiagnosisCategory.choices, required=False
    )
    status = forms.ChoiceField(
        choices=[("", "From the code")]
        + [c for c in DiagnosisStatus.choices if c[0] != "entered_in_error"],
        required=False,
        help_text="From the code: in remission for a remission code (e.g. F10.21), else active.",
    )
    onset_date = forms.DateField(required=False, widget=DATE)
    source = forms.CharField(max_length=120, required=False, label="Diagnosed by")

    def clean(self):
        data = super().clean()
        data["category"] = data.get("category") or None  # None: the service infers it
        data["status"] = data.get("status") or None  # None: from the code
        return data


class DiagnosisEditForm(_ModelForm):
    class Meta:
        model = Diagnosis
        fields = ["status", "onset_date", "description", "source"]
        widgets = {"onset_date": DATE}


class DiagnosisReclassifyForm(StyledForm):
    """A clinician's own classification of one diagnosis for the dual-diagnosis rule."""

    kind = forms.ChoiceField(
        label="Classify as",
        choices=[("", "As the code table says")] + CodeKind.choices,
        required=False,
    )
    counts_toward_dual = forms.BooleanField(
        label="Counts toward dual diagnosis",
        required=False,
        help_text="Only a mental disorder or a substance use disorder can count.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this diagnosis is classified this way. Kept with it.",
        error_messages={"required": "Say why this diagnosis is classified differently."},
    )

    def __init__(self, *args, diagnosis: Diagnosis, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and diagnosis.reclassified_at is not None:
            self.initial = {
                "kind": diagnosis.kind,
                "counts_toward_dual": diagnosis.counts_toward_dual,
            }

    def clean(self):
        data = super().clean()
        data["kind"] = data.get("kind") or None  # None: back to the table
        return data


class FlagSetForm(StyledForm):
    kind = forms.ChoiceField(choices=RiskFlagKind.choices, label="Risk flag")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class FlagClearForm(StyledForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Why the risk no longer applies."
    )


class EmergencyAccessForm(StyledForm):
    client_number = forms.CharField(
        max_length=20, help_text="The exact client number, e.g. C0001234."
    )
    reason_code = forms.ChoiceField(
        label="Kind of emergency",
        choices=[("", "Choose…"), *EmergencyReason.choices],
    )
    reason = forms.CharField(
        label="What is happening",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the emergency is. The supervisors of the client's team will see this.",
    )
