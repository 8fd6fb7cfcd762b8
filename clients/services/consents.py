"""Consents to treatment and releases of information, with 42 CFR Part 2 consents.

A consent is recorded once and never changed or deleted; it ends by revoking it
(``consent_revoke``) or by its expiry date passing. Whether a consent is in effect on a
day, and whether it allows a disclosure, is read through ``clients.selectors.consents``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record, versioned_update
from casemgmt.lib.errors import Conflict

from ..models import Client, Consent, ConsentKind, ExpiryKind, RelatedPerson, SignatureMethod
from .related import consent_link_related_persons
from .timeline import timeline_record

# Every element of a Part 2 consent, with the message naming it when it is missing.
# The browser form shows the same words next to each field.
PART2_MISSING: dict[str, str] = {
    "patient_name": "A Part 2 consent must name the patient (42 CFR 2.31(a)(1)).",
    "discloser": "A Part 2 consent must name who may disclose the information (42 CFR 2.31(a)(2)).",
    "information_description": "A Part 2 consent must describe specifically which "
    "information may be disclosed (42 CFR 2.31(a)(3)).",
    "recipients": "A Part 2 consent must name each recipient (42 CFR 2.31(a)(4)).",
    "recipients_tpo": "Name each recipient, or give a general designation of recipients "
    "(42 CFR 2.31(a)(4)).",
    "purpose": "A Part 2 consent must state the purpose of the disclosure (42 CFR 2.31(a)(5)).",
    "right_to_revoke_explained": "A Part 2 consent must tell the client of the right to "
    "revoke it: confirm this was explained (42 CFR 2.31(a)(6)).",
    "how_to_revoke": "A Part 2 consent must say how the client may revoke it, e.g. in "
    "writing to the program (42 CFR 2.31(a)(6)).",
    "expiry_kind": "A Part 2 consent must say when it expires: on a date or an event "
    "(42 CFR 2.31(a)(7)).",
    "signed_by": "A Part 2 consent must be signed: enter who signed it (42 CFR 2.31(a)(8)).",
    "signature_method": "Say how the Part 2 consent was signed (42 CFR 2.31(a)(8)).",
    "signed_on": "A Part 2 consent must show the date it was signed (42 CFR 2.31(a)(9)).",
}
RELEASE_MISSING: dict[str, str] = {
    "information_description": "Describe which information may be released.",
    "recipients": "Name each recipient of the information.",
    "purpose": "State the purpose of the release.",
    "signed_by": "Enter who signed the release.",
    "signature_method": "Say how the release was signed.",
    "signed_on": "Enter the date the release was signed.",
}
TREATMENT_MISSING: dict[str, str] = {
    "signed_by": "Enter who signed the consent to treatment.",
    "signature_method": "Say how the consent was signed.",
    "signed_on": "Enter the date the consent was signed.",
}
MISSING: dict[str, dict[str, str]] = {
    ConsentKind.PART2: PART2_MISSING,
    ConsentKind.RELEASE: RELEASE_MISSING,
    ConsentKind.TREATMENT: TREATMENT_MISSING,
}
EXPIRES_ON_MISSING = "Enter the date the consent expires (42 CFR 2.31(a)(7))."
EXPIRY_EVENT_MISSING = "Describe the event on which the consent expires (42 CFR 2.31(a)(7))."
NO_EXPIRY_ONLY_TPO = (
    "Only a consent for treatment, payment and health care operations may have no expiry: "
    "give a date or an event (42 CFR 2.31(a)(7))."
)
CLASS_ONLY_TPO = (
    "A general designation is allowed only for a treatment, payment and health care "
    "operations consent: name each recipient (42 CFR 2.31(a)(4))."
)

INTERMEDIARY_PARTICIPANTS_MISSING = (
    "When the recipient is an intermediary, name its member participants, or give a "
    "general designation limited to participants who have a treating provider "
    "relationship with the client (42 CFR 2.31(a)(4)(ii))."
)
INTERMEDIARY_ONLY_PART2 = "Only a 42 CFR Part 2 consent records an intermediary."
REDISCLOSURE_MISSING = (
    "A consent for treatment, payment and health care operations must include the "
    "statement that the record may be redisclosed under HIPAA (42 CFR 2.31(a)(4)(iii))."
)
# 42 CFR 2.31(a)(4)(iii), as amended by the 2024 final rule (89 FR 12472).
HIPAA_REDISCLOSURE_STATEMENT = (
    "My record (or information contained in my record) may be redisclosed in accordance "
    "with the permissions contained in the HIPAA regulations, except for uses and "
    "disclosures for civil, criminal, administrative, and legislative proceedings "
    "against me."
)
HOW_TO_REVOKE_DEFAULT = (
    "Tell the program in writing (a letter, or the revocation form at the front desk) "
    "that you revoke this consent. It stops future disclosures; what was shared before "
    "stays shared."
)

REVOKE_REASON_MISSING = (
    "Say why the consent is revoked (e.g. the client asked in writing, or the expiry event "
    "happened)."
)

CONSENT_FIELDS = (
    "patient_name",
    "discloser",
    "information_description",
    "recipients",
    "recipient_directory_ids",
    "is_tpo",
    "recipient_class",
    "intermediary_name",
    "intermediary_participants",
    "hipaa_redisclosure_statement",
    "purpose",
    "right_to_revoke_explained",
    "how_to_revoke",
    "expiry_kind",
    "expires_on",
    "expiry_event",
    "signed_by",
    "signer_relationship",
    "signed_on",
    "signature_method",
)
_TEXT_FIELDS = (
    "patient_name",
    "discloser",
    "information_description",
    "recipient_class",
    "intermediary_name",
    "intermediary_participants",
    "hipaa_redisclosure_statement",
    "purpose",
    "how_to_revoke",
    "expiry_event",
    "signed_by",
    "signer_relationship",
)


def recipients_clean(recipients: list[str] | str | None) -> list[str]:
    """Recipient names trimmed, blanks dropped, duplicates (any case) dropped, in order.
    A string holds one name a line."""
    if isinstance(recipients, str):
        recipients = recipients.splitlines()
    names: list[str] = []
    seen: set[str] = set()
    for name in recipients or []:
        name = " ".join(str(name).split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def consent_normalise(values: dict[str, Any]) -> dict[str, Any]:
    """The values as they are stored: text trimmed, recipients cleaned; defaults filled."""
    values = dict(values)
    for field in _TEXT_FIELDS:
        values[field] = (values.get(field) or "").strip()
    values["recipients"] = recipients_clean(values.get("recipients"))
    values["recipient_directory_ids"] = sorted(
        {int(i) for i in values.get("recipient_directory_ids") or []}
    )
    values["is_tpo"] = bool(values.get("is_tpo"))
    values["right_to_revoke_explained"] = bool(values.get("right_to_revoke_explained"))
    values["expiry_kind"] = values.get("expiry_kind") or ""
    values["signature_method"] = values.get("signature_method") or ""
    values.setdefault("expires_on", None)
    values.setdefault("signed_on", None)
    if values.get("kind") != ConsentKind.PART2 and not values["expiry_kind"]:
        values["expiry_kind"] = ExpiryKind.NONE  # treatment and general releases
    if values["expiry_kind"] != ExpiryKind.DATE:
        values["expires_on"] = None
    if values["expiry_kind"] != ExpiryKind.EVENT:
        values["expiry_event"] = ""
    return values


def consent_validate(values: dict[str, Any], *, today: date) -> None:
    """Raise ``ValidationError`` naming every missing or inconsistent element at once.

    ``values`` are normalised (``consent_normalise``). The rules per kind:

    - ``part2``: every element of 42 CFR 2.31(a), as amended by the 2024 final rule
      (89 FR 12472, Feb. 16, 2024): (1) the patient's name, (2) who may disclose,
      (3) a specific description of the information, (4) the recipients by name, or a
      general designation only in a consent for treatment, payment and health care
      operations (TPO); (4)(ii) for an intermediary, its name and its participants (by
      name, or a general designation limited to treating providers); (4)(iii) for a TPO
      consent, the statement that the record may be redisclosed under HIPAA; (5) the
      purpose, (6) the right to revoke (confirmed explained) and how to revoke (text),
      (7) an expiry date or event ("none" only for a TPO consent), (8) the signature
      (who signed, and how: electronic signatures are allowed) and (9) the date signed.
      The other statements of 2.31(a)(10) (consequences of refusing) are part of the
      printed form the client signs and are not stored here.
    - ``release`` (general release of information, not for substance use records):
      recipients, information, purpose, signature and date.
    - ``treatment``: signature (who and how) and date.

    For every kind: an expiry date is not before the signing date, an event expiry
    describes the event, the signing date is not in the future.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind = values.get("kind")
    if kind not in ConsentKind.values:
        add("kind", "Choose the kind of consent: treatment, release of information, or Part 2.")
        raise ValidationError(errors)
    missing = MISSING[kind]
    part2 = kind == ConsentKind.PART2
    tpo = part2 and values["is_tpo"]

    for field in ("patient_name", "discloser", "information_description", "purpose"):
        if field in missing and not values[field]:
            add(field, missing[field])
    if part2 and not values["right_to_revoke_explained"]:
        add("right_to_revoke_explained", missing["right_to_revoke_explained"])
    if part2 and not values["how_to_revoke"]:
        add("how_to_revoke", missing["how_to_revoke"])
    # Intermediaries (2.31(a)(4)(ii)) and the HIPAA redisclosure statement (a)(4)(iii).
    if values["intermediary_name"] and not part2:
        add("intermediary_name", INTERMEDIARY_ONLY_PART2)
    elif values["intermediary_name"] and not values["intermediary_participants"]:
        add("intermediary_participants", INTERMEDIARY_PARTICIPANTS_MISSING)
    if tpo and not values["hipaa_redisclosure_statement"]:
        add("hipaa_redisclosure_statement", REDISCLOSURE_MISSING)

    # Recipients (2.31(a)(4)): named, or a general designation for TPO consents only.
    if "recipients" in missing and not values["recipients"]:
        if tpo and not values["recipient_class"]:
            add("recipients", missing["recipients_tpo"])
        elif not tpo:
            add("recipients", missing["recipients"])
    if values["recipient_class"] and part2 and not tpo:
        add("recipient_class", CLASS_ONLY_TPO)
    if values["is_tpo"] and not part2:
        add("is_tpo", "Only a 42 CFR Part 2 consent is recorded as a TPO consent.")

    # Expiry (2.31(a)(7)).
    expiry = values["expiry_kind"]
    if expiry and expiry not in ExpiryKind.values:
        add("expiry_kind", "Choose when the consent expires: on a date, on an event, or never.")
    elif not expiry and part2:
        add("expiry_kind", missing["expiry_kind"])
    elif expiry == ExpiryKind.NONE and part2 and not tpo:
        add("expiry_kind", NO_EXPIRY_ONLY_TPO)
    elif expiry == ExpiryKind.DATE:
        expires_on, signed_on = values["expires_on"], values["signed_on"]
        if expires_on is None:
            add("expires_on", EXPIRES_ON_MISSING)
        elif signed_on is not None and expires_on < signed_on:
            add("expires_on", "The consent cannot expire before the date it was signed.")
    elif expiry == ExpiryKind.EVENT and not values["expiry_event"]:
        add("expiry_event", EXPIRY_EVENT_MISSING)

    # Signature and date (2.31(a)(8)-(9)).
    if not values["signed_by"]:
        add("signed_by", missing["signed_by"])
    method = values["signature_method"]
    if not method:
        add("signature_method", missing["signature_method"])
    elif method not in SignatureMethod.values:
        add("signature_method", "Choose paper, on screen or electronic signature.")
    signed_on = values["signed_on"]
    if signed_on is None:
        add("signed_on", missing["signed_on"])
    elif signed_on > today:
        add("signed_on", "The date signed cannot be in the future.")
    if errors:
        raise ValidationError(errors)


def consent_summary(consent: Consent) -> str:
    """A short staff-facing line: kind and recipients (never the information itself)."""
    if consent.kind == ConsentKind.TREATMENT:
        return "Consent to treatment"
    names = ", ".join(consent.recipients) or consent.recipient_class
    label = "42 CFR Part 2 consent" if consent.kind == ConsentKind.PART2 else "Release"
    return f"{label} for {names}" if names else label


@transaction.atomic
def consent_create(
    *,
    actor: User,
    client: Client,
    kind: str,
    patient_name: str = "",
    discloser: str = "",
    information_description: str = "",
    recipients: list[str] | None = None,
    recipient_directory_ids: list[int] | None = None,
    is_tpo: bool = False,
    recipient_class: str = "",
    intermediary_name: str = "",
    intermediary_participants: str = "",
    hipaa_redisclosure_statement: str = "",
    purpose: str = "",
    right_to_revoke_explained: bool = False,
    how_to_revoke: str = "",
    expiry_kind: str = "",
    expires_on: date | None = None,
    expiry_event: str = "",
    signed_by: str = "",
    signer_relationship: str = "",
    signed_on: date | None = None,
    signature_method: str = "",
    related_person_ids: list[int] | None = None,
) -> Consent:
    """Record a signed consent to treatment, release of information, or 42 CFR Part 2
    consent for ``client``. Nothing is saved unless every required element is there.

    A 42 CFR Part 2 consent must hold every element of 42 CFR 2.31(a), as amended by the
    2024 final rule (89 FR 12472): see ``consent_validate`` for the elements and how
    each is checked. An incomplete consent raises ``ValidationError`` naming every
    missing element, one message per field, each citing its paragraph of 2.31(a).

    ``recipients`` is a list of names (trimmed; blanks and repeats dropped);
    ``recipient_directory_ids`` the resource-directory organisations among them (the
    caller puts their names in ``recipients``; ``clients.chart`` checks the ids). For a
    treatment consent or a general release an empty ``expiry_kind`` means no expiry.
    ``related_person_ids``: the client's related persons the release or Part 2 consent
    names (their names are put first among the recipients); a typed recipient equal to a
    related person's name is linked to them too (``consent_link_related_persons``).
    Writes the audit trail and the client's timeline.
    """
    person_ids = list(dict.fromkeys(int(i) for i in related_person_ids or []))
    if person_ids:
        people = dict(
            RelatedPerson.objects.filter(client=client, pk__in=person_ids).values_list("pk", "name")
        )
        if set(person_ids) - set(people):
            raise ValidationError(
                {"related_person_ids": ["Choose people related to this client only."]}
            )
        if isinstance(recipients, str):
            recipients = recipients.splitlines()
        recipients = [people[i] for i in person_ids] + list(recipients or [])
    values = consent_normalise(
        {
            "kind": kind,
            "patient_name": patient_name,
            "discloser": discloser,
            "information_description": information_description,
            "recipients": recipients,
            "recipient_directory_ids": recipient_directory_ids,
            "is_tpo": is_tpo,
            "recipient_class": recipient_class,
            "intermediary_name": intermediary_name,
            "intermediary_participants": intermediary_participants,
            "hipaa_redisclosure_statement": hipaa_redisclosure_statement,
            "purpose": purpose,
            "right_to_revoke_explained": right_to_revoke_explained,
            "how_to_revoke": how_to_revoke,
            "expiry_kind": expiry_kind,
            "expires_on": expires_on,
            "expiry_event": expiry_event,
            "signed_by": signed_by,
            "signer_relationship": signer_relationship,
            "signed_on": signed_on,
            "signature_method": signature_method,
        }
    )
    consent_validate(values, today=client.team.local_date())
    values.pop("kind")
    consent = Consent.objects.create(client=client, kind=kind, recorded_by=actor, **values)
    consent_link_related_persons(consent=consent, person_ids=person_ids)
    audit_record(user=actor, action=AuditAction.CREATE, obj=consent, client_id=client.pk)
    timeline_record(
        client=client,
        kind="consent",
        actor=actor,
        obj=consent,
        summary=f"{consent_summary(consent)} recorded (signed {consent.signed_on:%Y-%m-%d})",
    )
    return consent


@transaction.atomic
def consent_revoke(
    *,
    actor: User,
    consent: Consent,
    reason: str,
    revoked_on: date | None = None,
    expected_version: int | None = None,
) -> Consent:
    """Revoke a consent from ``revoked_on`` (default: today in the team's time zone).

    The client may revoke a consent at any time (42 CFR 2.31(a)(6)); disclosures made in
    reliance on it before then stay lawful. A consent that expires "on an event" is
    ended the same way when the event happens: revoke it with the event as the reason.
    The consent stays on record with the date, the reason and who recorded it. A consent
    already revoked raises ``Conflict`` (HTTP 409) saying when and by whom; nothing is
    deleted. With ``expected_version`` (the ``edit_version`` the editor loaded), a consent
    changed since is refused with ``Conflict`` naming who changed which fields.
    """
    locked = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("client__team", "revoked_by")
        .get(pk=consent.pk)
    )
    if locked.revoked_on is not None:
        by = f" by {locked.revoked_by.display_name}" if locked.revoked_by else ""
        raise Conflict(
            f"This consent was already revoked on {locked.revoked_on:%Y-%m-%d}{by}.",
            field="revoked_on",
        )
    today = locked.client.team.local_date()
    revoked_on = revoked_on or today
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [REVOKE_REASON_MISSING]
    if revoked_on > today:
        errors["revoked_on"] = ["The revocation date cannot be in the future."]
    elif locked.signed_on and revoked_on < locked.signed_on:
        errors["revoked_on"] = [
            f"The consent was signed on {locked.signed_on:%Y-%m-%d}: it cannot be revoked "
            "before then."
        ]
    if errors:
        raise ValidationError(errors)
    versioned_update(
        actor=actor,
        obj=locked,
        values={"revoked_on": revoked_on, "revoked_reason": reason, "revoked_by": actor},
        expected_version=expected_version,
        what="this consent",
        client_id=locked.client_id,
        detail={"verb": "revoke"},
    )
    timeline_record(
        client=locked.client_id,
        kind="consent",
        actor=actor,
        obj=locked,
        summary=f"{consent_summary(locked)} revoked from {revoked_on:%Y-%m-%d}",
    )
    for field in ("revoked_on", "revoked_reason", "revoked_by", "edit_version"):
        setattr(consent, field, getattr(locked, field))
    return consent


def consent_expiry_reminders_send(*, on: date | None = None) -> int:
    """Remind each client's primary case manager, once, of a consent or release that
    expires within 30 days (``selectors.consents_expiring``): an in-app notification
    naming the client and an email announcing it (no client data), both written in one
    transaction (the email through the outbox). Each consent is claimed with a
    conditional UPDATE of ``expiry_reminded_at``, so a sweep that runs twice, or two
    workers at once, remind once. Returns how many reminders were written. Run by celery
    beat (``clients.tasks.consent_expiry_sweep``) and ``manage.py consent_expiry_remind``."""
    from django.urls import reverse
    from django.utils import timezone

    from casemgmt.notifications.models import NotificationKind
    from casemgmt.notifications.services import notification_create

    from ..selectors.consents import consents_expiring

    on = on or timezone.localdate()
    due = consents_expiring(team_ids=None, on=on).filter(
        expiry_reminded_at__isnull=True, client__primary_case_manager__isnull=False
    )
    sent = 0
    for consent in due.iterator(chunk_size=500):
        with transaction.atomic():
            claimed = Consent.objects.filter(pk=consent.pk, expiry_reminded_at__isnull=True).update(
                expiry_reminded_at=timezone.now()
            )
            if not claimed:
                continue
            client = consent.client
            manager = client.primary_case_manager
            assert manager is not None  # filtered above
            days = (consent.expires_on - on).days if consent.expires_on else 0
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            notification_create(
                recipient=manager,
                kind=NotificationKind.REMINDER,
                title=f"{consent.get_kind_display()} for {client.display_name} "
                f"({client.client_number}) expires {when}",
                body=f"Expires on {consent.expires_on:%b %d, %Y}. Ask the client whether to "
                "renew it, and record the new one before it lapses.",
                link=reverse("clients:consent_detail", args=[client.pk, consent.pk]),
                email=True,  # the email says only "a new notification", with a link
            )
            sent += 1
    return sent
