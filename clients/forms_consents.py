"""Forms for consents and releases of information, and the FilterSet of the consents API.

Forms check shape and types; the rules live in ``clients.services.consents``. The
consent form runs the service's checks in ``clean`` so every missing element shows next
to its field at once, in the service's own words (the service checks again on save).
"""

from __future__ import annotations

from typing import cast

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.lib.forms import StyledForm, version_field

from .directory import directory_organisations
from .forms_notes import IdFilter
from .models import Client, Consent, ConsentKind, ExpiryKind, SignatureMethod
from .selectors.consents import consent_active_q
from .services.consents import (
    HIPAA_REDISCLOSURE_STATEMENT,
    HOW_TO_REVOKE_DEFAULT,
    MISSING,
    REVOKE_REASON_MISSING,
    consent_normalise,
    consent_validate,
    recipients_clean,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# What each kind asks for, in the order of the form, grouped in fieldsets.
_WHO_WHAT = ("patient_name", "discloser", "information_description")
_TO_WHOM = (
    "is_tpo",
    "recipient_organizations",
    "recipients",
    "recipient_class",
    "intermediary_name",
    "intermediary_participants",
    "purpose",
)
_EXPIRY = ("expiry_kind", "expires_on", "expiry_event")
_SIGNATURE = ("signed_by", "signer_relationship", "signed_on", "signature_method")
FIELDSETS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    ConsentKind.PART2: [
        ("The client and the information", _WHO_WHAT),
        ("Who receives it, and why", _TO_WHOM),
        (
            "Redisclosure, right to revoke and expiry",
            ("hipaa_redisclosure_statement", "right_to_revoke_explained", "how_to_revoke")
            + _EXPIRY,
        ),
        ("Signature", _SIGNATURE),
    ],
    ConsentKind.RELEASE: [
        ("The information", ("discloser", "information_description")),
        ("Who receives it, and why", ("recipient_organizations", "recipients", "purpose")),
        ("Expiry", _EXPIRY),
        ("Signature", _SIGNATURE),
    ],
    ConsentKind.TREATMENT: [
        ("The consent", ("purpose",)),
        ("Expiry", _EXPIRY),
        ("Signature", _SIGNATURE),
    ],
}
KIND_HELP: dict[str, str] = {
    ConsentKind.TREATMENT: "The client agrees to receive services from the team.",
    ConsentKind.RELEASE: "Share information that is not about substance use (e.g. mental "
    "health or housing) with a named person or organisation.",
    ConsentKind.PART2: "Needed before any information about the client's substance use "
    "leaves the program (referrals, letters, records). Holds every element of 42 CFR 2.31.",
}


class ConsentForm(StyledForm):
    """A signed consent of one ``kind``; only that kind's fields are shown."""

    kind = forms.ChoiceField(choices=ConsentKind.choices, widget=forms.HiddenInput)
    patient_name = forms.CharField(
        label="Client's name, as written on the consent",
        max_length=200,
        required=False,
    )
    discloser = forms.CharField(
        label="Who may disclose",
        max_length=255,
        required=False,
        help_text="The program or person allowed to share the information.",
    )
    information_description = forms.CharField(
        label="Information to be disclosed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Specific, e.g. “substance use diagnosis, medications and attendance "
        "since January 2026”. Not “all records”.",
    )
    is_tpo = forms.BooleanField(
        label="Consent for treatment, payment and health care operations (TPO)",
        required=False,
        help_text="One consent for all future uses for treatment, payment and health care "
        "operations. Only a TPO consent may give a general designation of recipients "
        "instead of names, or have no expiry.",
    )
    recipient_organizations = forms.TypedMultipleChoiceField(
        label="Recipients from the resource directory",
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Choose each organisation of the directory that may receive it (Ctrl or "
        "⌘ to choose several). A referral to it is then covered whatever its full name.",
    )
    recipients = forms.CharField(
        label="Other recipients, by name",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line: each person or organisation not in the directory that may "
        "receive it, e.g. “Dr Amal Reyes, St Luke's Clinic”.",
    )
    intermediary_name = forms.CharField(
        label="Intermediary (if the recipient is one)",
        max_length=255,
        required=False,
        help_text="e.g. a health information exchange or care coordination organisation "
        "that passes the record on to its participants.",
    )
    intermediary_participants = forms.CharField(
        label="The intermediary's participants",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Their names, or a general designation limited to participants who have "
        "a treating provider relationship with the client (42 CFR 2.31(a)(4)(ii)).",
    )
    hipaa_redisclosure_statement = forms.CharField(
        label="Statement on redisclosure under HIPAA, as on the consent",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required in a TPO consent (42 CFR 2.31(a)(4)(iii)).",
    )
    how_to_revoke = forms.CharField(
        label="How the client may revoke it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="As written on the consent (42 CFR 2.31(a)(6)).",
    )
    recipient_class = forms.CharField(
        label="General designation of recipients (TPO consents only)",
        max_length=255,
        required=False,
        help_text="e.g. “my treating providers, health plans, third-party payers, and "
        "people helping to operate this program”.",
    )
    purpose = forms.CharField(
        label="Purpose of the disclosure",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why it is shared, e.g. “coordinate detox admission and aftercare”.",
    )
    right_to_revoke_explained = forms.BooleanField(
        label="The client was told they may revoke this consent at any time, and how",
        required=False,
    )
    expiry_kind = forms.ChoiceField(label="The consent expires", required=False, choices=[])
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        widget=DATE,
        help_text="When it expires on a date: the last day it is in effect.",
    )
    expiry_event = forms.CharField(
        label="Expiry event",
        max_length=255,
        required=False,
        help_text="When it expires on an event, e.g. “discharge from Harbor Detox”. When "
        "the event happens, revoke the consent with the event as the reason.",
    )
    signed_by = forms.CharField(
        label="Signed by (name)",
        max_length=200,
        required=False,
        help_text="The client's name if they signed themselves.",
    )
    signer_relationship = forms.CharField(
        label="Signer's relationship to the client",
        max_length=60,
        required=False,
        help_text="Leave blank when the client signed. Otherwise e.g. guardian, parent, "
        "personal representative.",
    )
    signed_on = forms.DateField(label="Date signed", required=False, widget=DATE)
    signature_method = forms.ChoiceField(
        label="How it was signed",
        required=False,
        choices=[("", "Choose…"), *SignatureMethod.choices],
    )

    def __init__(self, *args, client: Client, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.consent_kind = kind
        self.kind_label = ConsentKind(kind).label
        shown = {name for _, names in FIELDSETS[kind] for name in names}
        self.directory = directory_organisations() if "recipient_organizations" in shown else {}
        if not self.directory:
            shown.discard("recipient_organizations")
            if "recipients" in shown:
                self.fields["recipients"].label = "Recipients, by name"
        for name in [n for n in self.fields if n not in shown and n != "kind"]:
            del self.fields[name]
        if "recipient_organizations" in self.fields:
            chosen = cast(forms.TypedMultipleChoiceField, self.fields["recipient_organizations"])
            chosen.choices = list(self.directory.items())
        # Required elements are marked, and say what is missing in the service's words.
        for name, message in MISSING[kind].items():
            if name in self.fields:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message
        # Recipients come from the directory, typed names or (TPO) a general designation:
        # the service decides and names what is missing.
        if "recipients" in self.fields:
            self.fields["recipients"].required = False
        expiry = cast(forms.ChoiceField, self.fields["expiry_kind"])
        if kind == ConsentKind.PART2:
            expiry.choices = [("", "Choose…"), *ExpiryKind.choices]
            expiry.required = True
            expiry.error_messages["required"] = MISSING[kind]["expiry_kind"]
            recipients, purpose = self.fields["recipients"], self.fields["purpose"]
            recipients.help_text += " Required, except in a TPO consent with a general designation."
            purpose.help_text += (
                " For a TPO consent: “treatment, payment and health care operations”."
            )
        else:
            expiry.choices = [
                (ExpiryKind.NONE, "No expiry"),
                (ExpiryKind.DATE, ExpiryKind.DATE.label),
                (ExpiryKind.EVENT, ExpiryKind.EVENT.label),
            ]
        if kind == ConsentKind.TREATMENT:
            purpose = self.fields["purpose"]
            purpose.label = "Services the client consents to"
            purpose.help_text = "Optional, e.g. “integrated dual-diagnosis case management”."
        if kind == ConsentKind.RELEASE:
            self.fields["purpose"].label = "Purpose of the release"
        if not self.is_bound:
            self.initial.update(
                {
                    "kind": kind,
                    "patient_name": client.legal_name,
                    "discloser": client.team.name,
                    "signed_on": client.team.local_date(),
                    "expiry_kind": "" if kind == ConsentKind.PART2 else ExpiryKind.NONE,
                    "how_to_revoke": HOW_TO_REVOKE_DEFAULT,
                    "hipaa_redisclosure_statement": HIPAA_REDISCLOSURE_STATEMENT,
                }
            )

    def fieldsets(self) -> list[tuple[str, list]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in FIELDSETS[self.consent_kind]
        ]

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if kind != self.consent_kind:
            raise ValidationError("The kind of consent changed: start again.")
        return kind

    def clean_recipients(self) -> list[str]:
        return recipients_clean(self.cleaned_data.get("recipients"))

    def clean(self):
        """Run the service's rules too, so every problem shows at once."""
        data = super().clean()
        try:
            consent_validate(
                consent_normalise({"kind": self.consent_kind, **self.consent_values()}),
                today=self.client.team.local_date(),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in self.errors:
                    continue
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data

    def consent_values(self) -> dict:
        """The cleaned values for ``consent_create`` (without ``kind``): the directory's
        organisations chosen come first among the recipients, by name, with their ids; a
        typed name that is a directory organisation's is linked to it."""
        values = {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name not in ("kind", "recipient_organizations") and name in self.cleaned_data
        }
        chosen = [int(i) for i in self.cleaned_data.get("recipient_organizations") or []]
        by_name = {name.casefold(): pk for pk, name in self.directory.items()}
        typed = values.get("recipients") or []
        chosen += [by_name[n.casefold()] for n in typed if n.casefold() in by_name]
        ids = list(dict.fromkeys(chosen))
        values["recipients"] = recipients_clean([self.directory[i] for i in ids] + typed)
        values["recipient_directory_ids"] = ids
        return values


class ConsentRevokeForm(StyledForm):
    edit_version = version_field()
    revoked_on = forms.DateField(
        label="Revoked on",
        required=False,
        widget=DATE,
        help_text="The day the client revoked it, or the expiry event happened. Empty means today.",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REVOKE_REASON_MISSING},
        help_text="e.g. “Client asked in writing on the revocation form”, or the expiry "
        "event (“Discharged from Harbor Detox”).",
    )


class ConsentFilter(django_filters.FilterSet):
    """Filters for ``/api/v1/consents/``."""

    client = IdFilter(field_name="client_id", label="Client id")
    kind = django_filters.ChoiceFilter(choices=ConsentKind.choices)
    active = django_filters.BooleanFilter(
        method="filter_active",
        label="In effect today (true) or revoked, expired or not yet in effect (false)",
    )

    class Meta:
        model = Consent
        fields = ["client", "kind", "active"]

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        active = consent_active_q(timezone.localdate())
        return queryset.filter(active) if value else queryset.exclude(active)
