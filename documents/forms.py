"""Forms: shape and types only; the rules live in ``documents.services``."""

from __future__ import annotations

from django import forms
from django.conf import settings

from casemgmt.lib.forms import StyledForm
from clients.models import Consent
from referrals.models import CareTransition, Referral

from .models import DocumentKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentUploadForm(StyledForm):
    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/tiff,image/heic"}
        ),
    )
    kind = forms.ChoiceField(choices=[("", "---------"), *DocumentKind.choices], label="What it is")
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="e.g. ROI to Harbor Detox, signed; empty: the kind.",
    )
    document_date = forms.DateField(
        widget=DATE,
        required=False,
        label="Date on the document",
        help_text="Signed, issued, discharged ...",
    )
    holds_substance_use = forms.BooleanField(
        required=False,
        label="Holds substance use information (42 CFR Part 2)",
        help_text="Outside organisations then see it only under a Part 2 consent naming them. "
        "Set for you when it is attached to a Part 2 consent, a stay for substance use or a "
        "referral sharing it.",
    )
    consent: forms.ModelChoiceField[Consent] = forms.ModelChoiceField(
        queryset=None, required=False, label="Attached to a consent", empty_label="(none)"
    )
    transition: forms.ModelChoiceField[CareTransition] = forms.ModelChoiceField(
        queryset=None, required=False, label="Attached to a care transition", empty_label="(none)"
    )
    referral: forms.ModelChoiceField[Referral] = forms.ModelChoiceField(
        queryset=None, required=False, label="Attached to a referral", empty_label="(none)"
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note"
    )

    def __init__(self, *args, consents, transitions, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.DOCUMENT_MAX_MB
        self.fields["file"].help_text = (
            f"A PDF or an image (JPEG, PNG, TIFF, HEIC), up to {limit} MB. The type is checked "
            "from the file's content."
        )
        self.fields["consent"].queryset = consents
        self.fields["consent"].label_from_instance = lambda c: (
            f"{c.get_kind_display()}, signed {c.signed_on:%b %-d, %Y}"
            if c.signed_on
            else c.get_kind_display()
        )
        self.fields["transition"].queryset = transitions
        self.fields["transition"].label_from_instance = lambda t: (
            f"{t.get_from_level_display()} at {t.facility}"
            + (f", discharged {t.discharged_on:%b %-d, %Y}" if t.discharged_on else "")
        )
        self.fields["referral"].queryset = referrals
        self.fields["referral"].label_from_instance = lambda r: (
            f"To {r.recipient_name}, {r.created_at:%b %-d, %Y} ({r.get_status_display()})"
        )


class EnteredInErrorForm(StyledForm):
    reason = forms.CharField(
        max_length=500,
        label="Why it was entered in error",
        help_text="e.g. wrong client, wrong file",
    )
