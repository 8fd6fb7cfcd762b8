"""Contact notes in DAP format: drafts (edited by their author, optimistic locking),
signing (locks the note), and addenda (the only way to add to a signed note).

Nothing is deleted. Create and sign are on the client timeline; every write is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import NotificationKind
from casemgmt.notifications.services import notification_create, notifications_mark_done

from ..models import Client, Consent, ContactNote, ContactType, NoteAddendum, RelatedPerson
from ..selectors.clinical import client_has_substance_use_diagnosis
from ..selectors.consents import related_person_disclosure_check
from .timeline import timeline_record

NOTE_FIELDS = ("contact_at", "contact_type", "duration_minutes", "data", "assessment", "plan")
# What a collateral contact adds (``note_collateral_gate``); ``consent`` is kept by the gate.
COLLATERAL_FIELDS = ("related_person", "discloses_substance_use")
GATE_FIELDS = (*COLLATERAL_FIELDS, "consent")
TEXT_FIELDS = ("data", "assessment", "plan")
MIN_DURATION, MAX_DURATION = 1, 600

# Short names for timeline lines and headings ("Phone contact, 20 min").
CONTACT_LABELS: dict[str, str] = {
    ContactType.IN_PERSON: "In-person contact",
    ContactType.PHONE: "Phone contact",
    ContactType.VIDEO: "Video contact",
    ContactType.COLLATERAL: "Collateral contact",
    ContactType.OUTREACH: "Outreach attempt",
}


def note_heading(note: ContactNote) -> str:
    """'Phone contact, 20 min': what the note is about, in a few words."""
    label = CONTACT_LABELS.get(note.contact_type, note.get_contact_type_display())
    return f"{label}, {note.duration_minutes} min"


def _note_link(note: ContactNote) -> str:
    return reverse("clients:note_detail", args=[note.client_id, note.pk])


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def note_validate(values: dict[str, Any]) -> None:
    """The rules for a note's content, the same for a new draft and an edit (forms call
    it too, to show every problem at once). Raises ``ValidationError`` naming fields."""
    errors: dict[str, list[str]] = {}
    contact_at = values.get("contact_at")
    if contact_at is None:
        _add(errors, "contact_at", "Enter the date and time of the contact.")
    elif not isinstance(contact_at, datetime) or timezone.is_naive(contact_at):
        _add(errors, "contact_at", "Enter a date and time with a time zone.")
    elif contact_at > timezone.now():
        _add(errors, "contact_at", "The contact cannot be in the future.")
    contact_type = values.get("contact_type")
    if contact_type not in ContactType.values:
        _add(errors, "contact_type", "Choose the type of contact.")
    duration = values.get("duration_minutes")
    if duration is None or duration == "":
        _add(errors, "duration_minutes", "Enter how long the contact took, in minutes.")
    elif (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not MIN_DURATION <= duration <= MAX_DURATION
    ):
        _add(
            errors,
            "duration_minutes",
            f"The duration must be between {MIN_DURATION} and {MAX_DURATION} minutes.",
        )
    if not values.get("data"):
        _add(errors, "data", "Describe what was observed and said (data).")
    if not values.get("assessment") and contact_type != ContactType.OUTREACH:
        _add(
            errors,
            "assessment",
            "Give your assessment. Only an outreach attempt can be saved without one.",
        )
    if not values.get("plan"):
        _add(errors, "plan", "Say what happens next (plan).")
    if errors:
        raise ValidationError(errors)


COLLATERAL_PERSON_MISSING = (
    "Choose who the collateral contact was with, from the client's related persons "
    "(add them on the Family and contacts tab first)."
)
PERSON_ONLY_COLLATERAL = "Only a collateral contact names a related person."


def note_collateral_gate(
    *,
    client: Client,
    contact_type: str | None,
    related_person: RelatedPerson | None,
    discloses_substance_use: bool | None,
    contact_at: datetime | None,
) -> tuple[bool, Consent | None]:
    """The consent gate of a collateral contact (with someone else about the client):
    it names the related person, and what was shared with them needs a consent covering
    them on the day of the contact (``clients.selectors.related_person_disclosure_check``:
    a release of information naming them; a 42 CFR Part 2 consent naming them when
    substance use information is shared). ``discloses_substance_use`` None: presumed
    when the client has a substance use diagnosis on record, as for referrals.

    Returns (shares substance use information, the consent that covers it); raises
    ``ValidationError`` on ``related_person`` with the reason when refused. Any other
    contact type names no related person."""
    if contact_type != ContactType.COLLATERAL:
        if related_person is not None:
            raise ValidationError({"related_person": [PERSON_ONLY_COLLATERAL]})
        return False, None
    if related_person is None:
        raise ValidationError({"related_person": [COLLATERAL_PERSON_MISSING]})
    if related_person.client_id != client.pk:
        raise ValidationError({"related_person": ["Choose a person related to this client."]})
    shares = (
        client_has_substance_use_diagnosis(client=client)
        if discloses_substance_use is None
        else bool(discloses_substance_use)
    )
    related_person.client = client
    check = related_person_disclosure_check(
        person=related_person, substance_use=shares, when=contact_at
    )
    if not check.allowed:
        raise ValidationError({"related_person": [f"Not saved: {check.reason}"]})
    return shares, check.consent


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v or "").strip() if k in TEXT_FIELDS else v for k, v in values.items()}


def _when(moment: datetime, *, with_time: bool = True) -> str:
    """'Mar 4, 2025 14:05' in the current (the team's) time zone."""
    local = timezone.localtime(moment)
    text = f"{local:%b} {local.day}, {local:%Y}"
    return f"{text} {local:%H:%M}" if with_time else text


def _signed_refusal(note: ContactNote, doing: str) -> Conflict:
    assert note.signed_at is not None  # only a signed note is refused this way
    who = note.signed_by.display_name if note.signed_by is not None else "its author"
    return Conflict(
        f"This note was signed by {who} on {_when(note.signed_at)} and is locked: "
        f"it cannot be {doing}. Add an addendum instead.",
        extra={"signed_at": note.signed_at.isoformat(), "version": note.version},
    )


def _require_author(actor: User, note: ContactNote, doing: str) -> None:
    if note.author_id != actor.pk:
        raise PermissionDenied(
            f"Only the author of this note, {note.author.display_name}, can {doing} it."
        )


def _locked(note: ContactNote) -> ContactNote:
    """The note row, locked for the rest of the transaction, with its people loaded."""
    return (
        ContactNote.objects.select_for_update(of=("self",))
        .select_related("author", "signed_by", "cosigned_by", "client__team", "related_person")
        .get(pk=note.pk)
    )


@transaction.atomic
def note_create(
    *,
    actor: User,
    client: Client,
    contact_at: datetime | None,
    contact_type: str,
    duration_minutes: int | None,
    data: str,
    plan: str,
    assessment: str = "",
    related_person: RelatedPerson | None = None,
    discloses_substance_use: bool | None = None,
) -> ContactNote:
    """Write a draft note. The author is the actor; it stays editable until signed.
    A collateral contact names the related person and passes the consent gate
    (``note_collateral_gate``): refused with the reason, nothing saved."""
    values = _clean(
        {
            "contact_at": contact_at,
            "contact_type": contact_type,
            "duration_minutes": duration_minutes,
            "data": data,
            "assessment": assessment,
            "plan": plan,
        }
    )
    note_validate(values)
    shares, consent = note_collateral_gate(
        client=client,
        contact_type=values["contact_type"],
        related_person=related_person,
        discloses_substance_use=discloses_substance_use,
        contact_at=values["contact_at"],
    )
    note = ContactNote.objects.create(
        client=client,
        author=actor,
        related_person=related_person,
        discloses_substance_use=shares,
        consent=consent,
        **values,
    )
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=note,
        client_id=client.pk,
        detail={"version": note.version}
        | (
            {"related_person": related_person.pk, "consent": consent.pk}
            if related_person is not None and consent is not None
            else {}
        ),
    )
    timeline_record(
        client=client,
        kind="note",
        summary=f"{note_heading(note)} — draft",
        actor=actor,
        obj=note,
        link=_note_link(note),
        occurred_at=note.contact_at,
    )
    return note


@transaction.atomic
def note_update(
    *, actor: User, note: ContactNote, data: dict[str, Any], expected_version: int
) -> ContactNote:
    """Change a draft. Only its author may; a signed note is refused (``Conflict``) and a
    save over a newer save (``expected_version`` is what the editor loaded) is refused
    with ``Conflict`` too, so nothing is silently overwritten."""
    unknown = set(data) - set(NOTE_FIELDS) - set(COLLATERAL_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    current = _locked(note)
    if current.is_signed:
        raise _signed_refusal(current, "changed")
    _require_author(actor, current, "edit")
    if current.version != expected_version:
        raise Conflict(
            f"This note changed since you opened it (saved {_when(current.updated_at)}). "
            "Your changes were not saved: review the current note and make your change again.",
            extra={"version": current.version},
        )
    data = _clean(data)
    values = {field: getattr(current, field) for field in NOTE_FIELDS} | {
        k: v for k, v in data.items() if k in NOTE_FIELDS
    }
    note_validate(values)
    person = data.get("related_person", current.related_person)
    if values["contact_type"] != ContactType.COLLATERAL and "related_person" not in data:
        person = None  # no longer a collateral contact: it names nobody
    shares, consent = note_collateral_gate(
        client=current.client,
        contact_type=values["contact_type"],
        related_person=person,
        discloses_substance_use=data.get(
            "discloses_substance_use", current.discloses_substance_use
        ),
        contact_at=values["contact_at"],
    )
    data = {k: v for k, v in data.items() if k in NOTE_FIELDS} | {
        "related_person": person,
        "discloses_substance_use": shares,
        "consent": consent,
    }
    changed = [
        f for f in (*NOTE_FIELDS, *GATE_FIELDS) if f in data and getattr(current, f) != data[f]
    ]
    if not changed:
        return current
    for field in changed:
        setattr(current, field, data[field])
    current.version += 1
    current.save(update_fields=[*changed, "version", "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={"fields": changed, "version": current.version},
    )
    return current


@transaction.atomic
def note_sign(
    *, actor: User, note: ContactNote, expected_version: int | None = None
) -> ContactNote:
    """Sign a draft: it is locked from now on and only takes addenda. Only its author
    signs. With ``expected_version``, signing a note that changed since the signer last
    read it is refused, so nobody signs text they have not seen."""
    current = _locked(note)
    if current.is_signed:
        raise _signed_refusal(current, "signed again")
    _require_author(actor, current, "sign")
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            "This note changed since you opened it. Read it again before signing.",
            extra={"version": current.version},
        )
    note_validate({field: getattr(current, field) for field in NOTE_FIELDS})
    fields = ["signed_at", "signed_by", "version", "updated_at"]
    if current.related_person_id is not None:  # the consent may have been revoked since
        _, consent = note_collateral_gate(
            client=current.client,
            contact_type=current.contact_type,
            related_person=current.related_person,
            discloses_substance_use=current.discloses_substance_use,
            contact_at=current.contact_at,
        )
        if consent is not None and consent.pk != current.consent_id:
            current.consent = consent
            fields.append("consent")
    team = current.client.team
    current.cosign_required = team.cosign_required.filter(pk=actor.pk).exists()
    current.signed_at = timezone.now()
    current.signed_by = actor
    current.version = current.version + 1
    current.save(update_fields=[*fields, "cosign_required"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={
            "fields": ["signed_at", "signed_by"],
            "signed": True,
            "version": current.version,
            "cosign_required": current.cosign_required,
        },
    )
    waiting = " — awaiting a supervisor's co-signature" if current.cosign_required else ""
    timeline_record(
        client=current.client_id,
        kind="note",
        summary=f"{note_heading(current)} — signed{waiting}",
        actor=actor,
        obj=current,
        link=_note_link(current),
    )
    if current.cosign_required:
        client = current.client
        for supervisor in team.supervisors.filter(is_active=True).exclude(pk=actor.pk):
            # In-app only: an email never names a client.
            notification_create(
                recipient=supervisor,
                kind=NotificationKind.APPROVAL,
                title=f"Note for {client.display_name} ({client.client_number}) by "
                f"{actor.display_name} awaits your co-signature",
                link=_note_link(current),
            )
    return current


@transaction.atomic
def note_cosign(*, actor: User, note: ContactNote) -> ContactNote:
    """Co-sign a signed note whose author needs a co-signature (``Team.cosign_required``:
    trainees, peer specialists). Only a supervisor of the client's team (or an admin) who
    is not the author co-signs; the note stays locked and shows both signatures. The
    co-signature requests are marked read, for every supervisor."""
    from casemgmt.accounts.selectors import user_supervises_team

    current = _locked(note)
    if not current.is_signed:
        raise Conflict("This note is still a draft: its author signs it first.")
    if not current.cosign_required:
        raise Conflict("This note does not need a co-signature.")
    if current.cosigned_at is not None:
        who = current.cosigned_by.display_name if current.cosigned_by else "a supervisor"
        raise Conflict(f"This note was co-signed already by {who} on {_when(current.cosigned_at)}.")
    if current.author_id == actor.pk:
        raise PermissionDenied("A supervisor other than the author co-signs this note.")
    if not user_supervises_team(user=actor, team=current.client.team):
        raise PermissionDenied(
            f"Only a supervisor of {current.client.team.name} can co-sign this note."
        )
    current.cosigned_at = timezone.now()
    current.cosigned_by = actor
    current.save(update_fields=["cosigned_at", "cosigned_by", "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={"fields": ["cosigned_at", "cosigned_by"], "cosigned": True},
    )
    timeline_record(
        client=current.client_id,
        kind="note",
        summary=f"{note_heading(current)} — co-signed",
        actor=actor,
        obj=current,
        link=_note_link(current),
    )
    notifications_mark_done(link=_note_link(current), kinds=[NotificationKind.APPROVAL])
    return current


@transaction.atomic
def note_addendum_add(*, actor: User, note: ContactNote, text: str) -> NoteAddendum:
    """Add to a signed note (a correction, a late entry). Anyone who can reach the client
    may; the caller has checked that. A draft is edited instead."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Write the addendum."]})
    current = _locked(note)
    if not current.is_signed:
        raise Conflict(
            "This note is still a draft: its author edits it. Addenda are for signed notes.",
            field="text",
        )
    addendum = NoteAddendum.objects.create(note=current, text=text, author=actor)
    audit_record(user=actor, action=AuditAction.CREATE, obj=addendum, client_id=current.client_id)
    day = _when(current.contact_at, with_time=False)
    timeline_record(
        client=current.client_id,
        kind="note",
        summary=f"Addendum to {note_heading(current).lower()} of {day}",
        actor=actor,
        obj=addendum,
        link=_note_link(current),
    )
    return addendum
