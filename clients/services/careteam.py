"""The care team: staff users and outside contacts (prescriber, therapist, family, ...).

Members are ended, never deleted, so the team's history stays readable. Every change is
audited and on the client timeline (kind ``care_team``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.accounts.selectors import staff_list
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict

from ..models import CareTeamMember, CareTeamRole, Client, RelatedPerson
from .timeline import timeline_record

OUTSIDE_FIELDS = ("organisation", "phone", "email")


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _member_label(member: CareTeamMember) -> str:
    """'Dr Ana Lee (Psychiatrist / prescriber, Eastside Clinic)'."""
    details = [member.get_role_display()]
    if member.organisation:
        details.append(member.organisation)
    return f"{member.display_name} ({', '.join(details)})"


@transaction.atomic
def care_team_member_add(
    *,
    actor: User,
    client: Client,
    role: str,
    user: User | None = None,
    related_person: RelatedPerson | None = None,
    name: str = "",
    organisation: str = "",
    phone: str = "",
    email: str = "",
    notes: str = "",
    started_on: date | None = None,
) -> CareTeamMember:
    """Add a staff user (from the actor's pick-list of active staff) or an outside
    contact (a name, with organisation, phone and email): exactly one of the two. An
    outside contact may be picked from the client's related persons (``related_person``):
    their name, phone and email are copied unless given."""
    errors: dict[str, list[str]] = {}
    if related_person is not None:
        if related_person.client_id != client.pk:
            _add(errors, "related_person", "Choose a person related to this client.")
        elif not related_person.is_active:
            _add(errors, "related_person", f"{related_person.name} is marked inactive.")
        elif user is not None:
            _add(errors, "related_person", "Choose a staff member or a related person, not both.")
        elif CareTeamMember.objects.filter(
            client=client, related_person=related_person, ended_on__isnull=True
        ).exists():
            _add(errors, "related_person", f"{related_person.name} is already on the care team.")
        if errors:
            raise ValidationError(errors)
        name = name or related_person.name
        phone = phone or related_person.phone
        email = email or related_person.email
    name, notes = (name or "").strip(), (notes or "").strip()
    outside = {
        "organisation": (organisation or "").strip(),
        "phone": (phone or "").strip(),
        "email": (email or "").strip(),
    }
    if role not in CareTeamRole.values:
        _add(errors, "role", "Choose the member's role.")
    if user is not None and name:
        _add(
            errors,
            "name",
            "Choose a staff member or enter an outside contact's name, not both.",
        )
    elif user is None and not name:
        _add(errors, "user", "Choose a staff member, or enter an outside contact's name.")
    elif user is not None:
        if not staff_list(user=actor).filter(pk=user.pk).exists():
            _add(errors, "user", f"{user.display_name} is not active staff in your teams.")
        elif CareTeamMember.objects.filter(
            client=client, user=user, role=role, ended_on__isnull=True
        ).exists():
            _add(errors, "user", f"{user.display_name} is already on the care team in this role.")
        for field in OUTSIDE_FIELDS:
            if outside[field]:
                _add(
                    errors,
                    field,
                    "Only for an outside contact: a staff member's details come from their "
                    "account.",
                )
    if outside["email"]:
        try:
            validate_email(outside["email"])
        except ValidationError:
            _add(errors, "email", "Enter a valid email address.")
    if started_on and started_on > timezone.localdate():
        _add(errors, "started_on", "The start date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    member = CareTeamMember.objects.create(
        client=client,
        role=role,
        user=user,
        related_person=related_person,
        name=name,
        notes=notes,
        started_on=started_on or timezone.localdate(),
        added_by=actor,
        **outside,
    )
    audit_record(user=actor, action=AuditAction.CREATE, obj=member, client_id=client.pk)
    timeline_record(
        client=client,
        kind="care_team",
        summary=f"Care team: {_member_label(member)} added",
        actor=actor,
        obj=member,
    )
    return member


@transaction.atomic
def care_team_member_end(
    *, actor: User, member: CareTeamMember, ended_on: date | None = None
) -> CareTeamMember:
    """End a membership (kept as history). A member already ended is a ``Conflict``."""
    ended_on = ended_on or timezone.localdate()
    current = (
        CareTeamMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk)
    )
    if current.ended_on is not None:
        raise Conflict(
            f"{current.display_name} already left the care team on "
            f"{current.ended_on:%b} {current.ended_on.day}, {current.ended_on:%Y}.",
            field="ended_on",
        )
    errors: dict[str, list[str]] = {}
    if ended_on > timezone.localdate():
        _add(errors, "ended_on", "The end date cannot be in the future.")
    elif current.started_on and ended_on < current.started_on:
        _add(errors, "ended_on", "The end date cannot be before the start date.")
    if errors:
        raise ValidationError(errors)
    current.ended_on = ended_on
    current.save(update_fields=["ended_on"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={"fields": ["ended_on"]},
    )
    timeline_record(
        client=current.client_id,
        kind="care_team",
        summary=f"Care team: {_member_label(current)} ended",
        actor=actor,
        obj=current,
    )
    return current
