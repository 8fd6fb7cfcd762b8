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

from ..models import Client, ContactNote, ContactType, NoteAddendum
from .timeline import timeline_record

NOTE_FIELDS = ("contact_at", "contact_type", "duration_minutes", "data", "assessment", "plan")
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
        .select_related("author", "signed_by")
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
) -> ContactNote:
    """Write a draft note. The author is the actor; it stays editable until signed."""
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
    note = ContactNote.objects.create(client=client, author=actor, **values)
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=note,
        client_id=client.pk,
        detail={"version": note.version},
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
    unknown = set(data) - set(NOTE_FIELDS)
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
    values = {field: getattr(current, field) for field in NOTE_FIELDS} | data
    note_validate(values)
    changed = [f for f in NOTE_FIELDS if f in data and getattr(current, f) != data[f]]
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
    current.signed_at = timezone.now()
    current.signed_by = actor
    current.version = current.version + 1
    current.save(update_fields=["signed_at", "signed_by", "version", "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={"fields": ["signed_at", "signed_by"], "signed": True, "version": current.version},
    )
    timeline_record(
        client=current.client_id,
        kind="note",
        summary=f"{note_heading(current)} — signed",
        actor=actor,
        obj=current,
        link=_note_link(current),
    )
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
