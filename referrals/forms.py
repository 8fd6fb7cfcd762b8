"""Forms: shape and types only; the rules live in ``referrals.services``."""

from __future__ import annotations

from django import forms

from casemgmt.lib.forms import QuickSelect, StyledForm, version_field

from .models import (
    CompletionConfirmation,
    FollowUpReason,
    FollowUpStatus,
    LevelOfCare,
    ReferralOutcome,
    Service,
    ServiceStatus,
    Urgency,
    VisitFocus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ReferralForm(StyledForm):
    service = forms.ModelChoiceField(
        queryset=Service.objects.exclude(status=ServiceStatus.INACTIVE)
        .select_related("organization")
        .order_by("name", "id"),
        required=False,
        empty_label="(not in the directory)",
        widget=QuickSelect(attrs={"data-filter": "services"}),
        help_text="Type in the search box to narrow the list by service, organisation or "
        "category, or browse the directory.",
    )
    provider_name = forms.CharField(label="Or provider (free text)", required=False, max_length=255)
    reason = forms.CharField(label="Reason for referral", widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.ROUTINE)
    goal_id = forms.TypedChoiceField(
        label="Care-plan goal",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "(none)")],
        help_text="The goal of the client's current care plan this referral serves.",
    )
    discloses_substance_use = forms.BooleanField(
        label="Shares substance use information",
        required=False,
        initial=True,
        help_text="Then sending or printing the packet needs an active 42 CFR Part 2 consent "
        "naming the recipient.",
    )
    no_disclosure_reason = forms.CharField(
        label="If it shares none: why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the client has a substance use diagnosis. The packet then "
        "leaves out the reason for referral.",
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal_id"].choices = [("", "(none)"), *goals]
        if not goals:
            self.fields["goal_id"].help_text = "No current care plan with goals."
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.name} ({s.organization.name}) · {s.get_category_display()}"
            + ("" if s.status == ServiceStatus.ACTIVE else f" · {s.get_status_display()}")
        )


class ReferralMoveForm(StyledForm):
    status = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(
        choices=[("", "---------"), *ReferralOutcome.choices], required=False
    )
    completion_confirmation = forms.ChoiceField(
        label="How completion was confirmed",
        choices=[("", "---------"), *CompletionConfirmation.choices],
        required=False,
    )
    appointment_at = forms.DateTimeField(
        label="Appointment", required=False, widget=DATETIME, input_formats=DATETIME_FORMATS
    )


class TransitionForm(StyledForm):
    from_level = forms.ChoiceField(label="From level of care", choices=LevelOfCare.choices)
    to_level = forms.ChoiceField(label="To level of care", choices=LevelOfCare.choices)
    focus = forms.ChoiceField(
        label="Visit for",
        choices=VisitFocus.choices,
        help_text="What the stay or visit was for: an acute hospital stay for mental illness "
        "is FUH, for substance use FUI; an ED visit FUM or FUA; residential care counts "
        "(FUI) only for substance use.",
    )
    facility = forms.CharField(max_length=255)
    admitted_on = forms.DateField(label="Admission date", required=False, widget=DATE)
    discharged_on = forms.DateField(
        label="Discharge date",
        required=False,
        widget=DATE,
        help_text="Leave empty while the client is still admitted.",
    )
    followup_appointment_at = forms.DateTimeField(
        label="Follow-up appointment",
        required=False,
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
    )
    followup_appointment_with = forms.CharField(
        label="Appointment with", required=False, max_length=255
    )
    discharge_summary_received = forms.BooleanField(required=False)
    appointment_scheduled = forms.BooleanField(required=False)
    safety_plan_reviewed = forms.BooleanField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DischargeForm(StyledForm):
    discharged_on = forms.DateField(label="Discharge date", widget=DATE)


class EnteredInErrorForm(StyledForm):
    reason = forms.CharField(
        label="Why was it recorded in error?",
        max_length=300,
        help_text="For example: the hospital cancelled the admission; recorded twice.",
    )


class ChecklistForm(StyledForm):
    """ "Medications reconciled" is not here: it is ticked by recording a reconciliation."""

    discharge_summary_received = forms.BooleanField(required=False)
    appointment_scheduled = forms.BooleanField(required=False)
    safety_plan_reviewed = forms.BooleanField(required=False)
    edit_version = version_field()


class FollowUpForm(StyledForm):
    title = forms.CharField(label="What must happen", max_length=200)
    due_on = forms.DateField(label="Due date", widget=DATE)
    due_time = forms.TimeField(
        label="Due time", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.ChoiceField(choices=FollowUpReason.choices, initial=FollowUpReason.GENERAL)


class FollowUpRescheduleForm(StyledForm):
    due_on = forms.DateField(
        label="New due date",
        widget=DATE,
        error_messages={"required": "Give the new due date."},
    )
    due_time = forms.TimeField(
        label="New due time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Leave empty for any time that day.",
    )
    reason = forms.CharField(
        label="Why is it moving?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it is being moved."},
        help_text='Kept with the follow-up\'s history, e.g. "Client asked to move it to Thursday."',
    )


class FollowUpCloseForm(StyledForm):
    status = forms.ChoiceField(
        choices=[
            (FollowUpStatus.DONE, "Done"),
            (FollowUpStatus.MISSED, "Missed"),
            (FollowUpStatus.CANCELLED, "Cancelled"),
        ]
    )
    outcome_note = forms.CharField(label="Outcome", required=False, max_length=2000)


HSDS_OPTIONAL = (
    "locations",
    "addresses",
    "service_at_locations",
    "phones",
    "languages",
    "schedules",
    "taxonomy_terms",
    "attributes",
)


class HsdsImportForm(StyledForm):
    organizations = forms.FileField(label="organizations.csv")
    services = forms.FileField(label="services.csv")
    locations = forms.FileField(label="locations.csv", required=False)
    addresses = forms.FileField(label="addresses.csv", required=False)
    service_at_locations = forms.FileField(label="service_at_locations.csv", required=False)
    phones = forms.FileField(label="phones.csv", required=False)
    languages = forms.FileField(label="languages.csv", required=False)
    schedules = forms.FileField(label="schedules.csv", required=False)
    taxonomy_terms = forms.FileField(label="taxonomy_terms.csv", required=False)
    attributes = forms.FileField(label="attributes.csv", required=False)
    dry_run = forms.BooleanField(
        label="Dry run: check the files, save nothing", required=False, initial=True
    )

    def files_as_text(self) -> dict[str, str]:
        files = {}
        for name in ("organizations", "services", *HSDS_OPTIONAL):
            upload = self.cleaned_data.get(name)
            if upload:
                files[f"{name}.csv"] = upload.read().decode("utf-8-sig", errors="replace")
        return files
