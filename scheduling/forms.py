"""Forms of the appointment pages. Times are read in the team's time zone (the views
activate it with ``team.local_time()``)."""

from __future__ import annotations

from django import forms

from casemgmt.lib.forms import StyledFormMixin
from clients.models import ContactType

from .models import AppointmentKind, AppointmentLocation

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

REPEAT_CHOICES = [
    ("", "Does not repeat"),
    ("FREQ=WEEKLY", "Every week"),
    ("FREQ=WEEKLY;INTERVAL=2", "Every other week"),
    ("FREQ=MONTHLY", "Every month (same date)"),
    ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
    ("custom", "Custom rule (RFC 5545)"),
]


def _when(label: str, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        **kwargs,
    )


class AppointmentForm(StyledFormMixin, forms.Form):
    starts_at = _when("Starts")
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=720, initial=60
    )
    staff: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Staff",
        help_text="Everyone who will be there.",
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(choices=AppointmentKind.choices, label="Kind")
    location = forms.ChoiceField(choices=AppointmentLocation.choices, label="Where")
    telehealth_link = forms.URLField(
        label="Video link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="For telehealth only.",
    )
    interventions: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Care-plan interventions worked on",
        widget=forms.CheckboxSelectMultiple,
    )
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, required=False, label="Repeats")
    repeat_until = forms.DateField(
        required=False,
        label="Until (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Without an end the series is written 6 months ahead and kept going.",
    )
    rule = forms.CharField(
        required=False,
        max_length=200,
        label="Custom rule",
        help_text="Only for a custom rule, e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
    )
    confirm_conflicts = forms.BooleanField(
        required=False, label="Book anyway, even though it overlaps"
    )

    def __init__(self, *args, staff_queryset, interventions_queryset, series=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_queryset
        self.fields["staff"].label_from_instance = lambda u: u.display_name
        self.fields["interventions"].queryset = interventions_queryset
        self.fields["interventions"].label_from_instance = lambda i: (
            f"{i.get_category_display()}: {i.goal.text[:80]}"
        )
        if not series:
            for name in ("repeat", "repeat_until", "rule"):
                del self.fields[name]

    def rrule(self) -> str:
        repeat = self.cleaned_data.get("repeat") or ""
        if not repeat:
            return ""
        rule = (self.cleaned_data.get("rule") or "").strip() if repeat == "custom" else repeat
        until = self.cleaned_data.get("repeat_until")
        if until and rule and "UNTIL" not in rule and "COUNT" not in rule:
            rule += f";UNTIL={until:%Y%m%d}T235959"
        return rule or "custom"

    def service_values(self) -> dict:
        from datetime import timedelta

        data = self.cleaned_data
        starts = data.get("starts_at")
        return {
            "staff": list(data.get("staff") or []),
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=data["duration_minutes"]) if starts else None,
            "kind": data.get("kind", ""),
            "location": data.get("location", ""),
            "telehealth_link": data.get("telehealth_link", ""),
            "interventions": list(data.get("interventions") or []),
            "confirm_conflicts": bool(data.get("confirm_conflicts")),
        }


class RescheduleForm(StyledFormMixin, forms.Form):
    starts_at = _when("New start")
    duration_minutes = forms.IntegerField(label="Length (minutes)", min_value=5, max_value=720)
    scope = forms.ChoiceField(
        choices=[("this", "Only this appointment"), ("following", "This and all following")],
        initial="this",
        widget=forms.RadioSelect,
        label="Change",
    )
    confirm_conflicts = forms.BooleanField(
        required=False, label="Move anyway, even though it overlaps"
    )

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        if not series:
            del self.fields["scope"]


class CancelForm(StyledFormMixin, forms.Form):
    by = forms.ChoiceField(
        choices=[("client", "The client cancelled"), ("staff", "We cancelled")],
        widget=forms.RadioSelect,
        label="Who cancelled",
    )
    cancellation_reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class VisitNoteForm(StyledFormMixin, forms.Form):
    """The contact note of a completed appointment (DAP), prefilled from it."""

    contact_at = _when("Date and time of the contact")
    contact_type = forms.ChoiceField(choices=ContactType.choices, label="Type of contact")
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=1, max_value=600)
    data = forms.CharField(  # type: ignore[assignment]  # the DAP "data", as clients.NoteForm
        label="Data",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was observed and said.",
    )
    assessment = forms.CharField(
        label="Assessment", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    plan = forms.CharField(label="Plan", widget=forms.Textarea(attrs={"rows": 3}))


class CalendarFilterForm(StyledFormMixin, forms.Form):
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Everyone"
    )
    kind = forms.ChoiceField(choices=[("", "All kinds"), *AppointmentKind.choices], required=False)

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_queryset
        self.fields["staff"].label_from_instance = lambda u: u.display_name
