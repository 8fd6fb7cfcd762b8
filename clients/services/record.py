"""Writes of the client record: create, edit (optimistic locking), status lifecycle,
caseload transfer. Each runs in one transaction and writes the audit trail and timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import team_list
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record, versioned_update
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import NotificationKind
from casemgmt.notifications.services import notification_create

from ..models import Assignment, Client, ClientStatus, DischargeReason, StatusChange
from ..search import phonetic_keys, search_vector
from .timeline import timeline_record

# Fields edited through the record form / PATCH. Status, team and case manager have
# verbs of their own (status change, transfer) so their history is kept.
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "sex_at_birth",
    "gender_identity",
    "preferred_language",
    "interpreter_needed",
    "cultural_considerations",
    "race",
    "ethnicity",
    "phone",
    "email",
    "preferred_contact_method",
    "ok_to_leave_message",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "insurance_type",
    "insurance_member_id",
)
NAME_FIELDS = ("first_name", "last_name", "preferred_name")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# The status lifecycle: referred -> intake -> active <-> inactive -> discharged, with
# shortcuts a team uses in practice; a discharged client can be re-opened.
TRANSITIONS: dict[str, set[str]] = {
    ClientStatus.REFERRED: {ClientStatus.INTAKE, ClientStatus.ACTIVE, ClientStatus.DISCHARGED},
    ClientStatus.INTAKE: {ClientStatus.ACTIVE, ClientStatus.DISCHARGED},
    ClientStatus.ACTIVE: {ClientStatus.INACTIVE, ClientStatus.DISCHARGED},
    ClientStatus.INACTIVE: {ClientStatus.ACTIVE, ClientStatus.DISCHARGED},
    ClientStatus.DISCHARGED: {ClientStatus.REFERRED, ClientStatus.INTAKE, ClientStatus.ACTIVE},
    # Only a merge sets it and only its undo leaves it (clients.services.merge).
    ClientStatus.MERGED: set(),
}
INITIAL_STATUSES = (ClientStatus.REFERRED, ClientStatus.INTAKE, ClientStatus.ACTIVE)


def client_numbers_allocate(count: int = 1) -> list[str]:
    """Client numbers from a PostgreSQL sequence (never reused)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval('clients_client_number_seq') FROM generate_series(1, %s)", [count]
        )
        return [f"C{n:07d}" for (n,) in cursor.fetchall()]


def client_search_refresh(*, client_ids: list[int] | None = None) -> int:
    """Recompute the stored search document (and, for given ids, the phonetic keys)."""
    qs = Client.objects.all()
    if client_ids is not None:
        qs = qs.filter(pk__in=client_ids)
        for client in qs.only("id", *NAME_FIELDS):
            keys = phonetic_keys(client.first_name, client.last_name, client.preferred_name)
            Client.objects.filter(pk=client.pk).update(name_phonetic=keys)
    else:
        qs = qs.filter(search_document__isnull=True)
    return qs.update(search_document=search_vector())


def _require(
    errors: dict[str, list[str]], field: str, message: str = "This field is required."
) -> None:
    errors.setdefault(field, []).append(message)


def _validate_record(values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for field in ("first_name", "last_name"):
        if not (values.get(field) or "").strip():
            _require(errors, field)
    dob = values.get("date_of_birth")
    if dob is None:
        _require(errors, "date_of_birth")
    elif dob > timezone.localdate():
        _require(errors, "date_of_birth", "Date of birth cannot be in the future.")
    elif dob < EARLIEST_BIRTH_DATE:
        _require(errors, "date_of_birth", "Date of birth must be after 1900.")
    race = values.get("race") or []
    if "declined" in race and len(race) > 1:
        _require(errors, "race", "Choose races, or 'Declined to answer', not both.")


def _validate_team(
    actor: User, team: Team | None, manager: User | None, errors: dict[str, list[str]]
) -> None:
    if team is None:
        _require(errors, "team")
        return
    if not team_list(user=actor).filter(pk=team.pk).exists():
        _require(errors, "team", "You can only place clients in your own teams.")
        return
    if manager is not None and (
        not manager.is_active or not team.members.filter(pk=manager.pk).exists()
    ):
        _require(
            errors,
            "primary_case_manager",
            f"{manager.display_name} is not a member of {team.name}.",
        )


def _clean_text(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


@transaction.atomic
def client_create(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    team: Team,
    status: str = ClientStatus.REFERRED,
    primary_case_manager: User | None = None,
    **details: Any,
) -> Client:
    """Register a client at referral or intake. ``details`` are other record fields."""
    unknown = set(details) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be set here."] for name in unknown})
    values = _clean_text(
        {"first_name": first_name, "last_name": last_name, "date_of_birth": date_of_birth} | details
    )
    errors: dict[str, list[str]] = {}
    _validate_record(values, errors)
    if status not in INITIAL_STATUSES:
        _require(errors, "status", "A new client starts as referred, intake or active.")
    _validate_team(actor, team, primary_case_manager, errors)
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    client = Client.objects.create(
        client_number=client_numbers_allocate()[0],
        status=status,
        team=team,
        primary_case_manager=primary_case_manager,
        enrolled_on=today if status == ClientStatus.ACTIVE else None,
        name_phonetic=phonetic_keys(first_name, last_name, values.get("preferred_name", "")),
        **values,
    )
    client_search_refresh(client_ids=[client.pk])
    StatusChange.objects.create(
        client=client, to_status=status, effective_on=today, changed_by=actor, reason="Registered"
    )
    Assignment.objects.create(
        client=client,
        to_team=team,
        to_case_manager=primary_case_manager,
        reason="Registered",
        assigned_by=actor,
    )
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=client,
        client_id=client.pk,
        detail={"version": 1},
    )
    timeline_record(
        client=client, kind="record", summary=f"Registered ({status})", actor=actor, obj=client
    )
    if primary_case_manager is not None and primary_case_manager != actor:
        _notify_assignment(client, primary_case_manager)
    return client


@transaction.atomic
def client_update(
    *, actor: User, client: Client, data: dict[str, Any], expected_version: int | None = None
) -> Client:
    """Change record fields. With ``expected_version`` (what the editor loaded), a save
    over someone else's newer save is refused with ``Conflict`` naming what changed:
    never a silent overwrite."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    data = _clean_text(data)
    values = {field: getattr(client, field) for field in EDITABLE_FIELDS} | data
    errors: dict[str, list[str]] = {}
    _validate_record(values, errors)
    if errors:
        raise ValidationError(errors)
    changed = versioned_update(
        actor=actor,
        obj=client,
        values={f: data[f] for f in EDITABLE_FIELDS if f in data},
        expected_version=client.version if expected_version is None else expected_version,
        what="this client",
        client_id=client.pk,
        field="version",
        unnamed="status or assignment",
    )
    if not changed:
        return client
    if set(changed) & set(NAME_FIELDS):
        client_search_refresh(client_ids=[client.pk])
    timeline_record(
        client=client,
        kind="record",
        summary=f"Record updated: {', '.join(changed)}",
        actor=actor,
        obj=client,
    )
    return client


@transaction.atomic
def client_change_status(
    *,
    actor: User,
    client: Client,
    status: str,
    effective_on: date | None = None,
    reason: str = "",
    discharge_reason: str = "",
) -> Client:
    """Move a client along the lifecycle. Discharge needs a reason; a discharged client
    can be re-opened (a new episode: enrolment date reset, discharge cleared)."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if status not in ClientStatus.values:
        raise ValidationError({"status": [f"Unknown status '{status}'."]})
    if status not in TRANSITIONS[client.status]:
        allowed = ", ".join(sorted(ClientStatus(s).label for s in TRANSITIONS[client.status]))
        raise Conflict(
            f"A {client.get_status_display().lower()} client cannot become "
            f"{ClientStatus(status).label.lower()}. Allowed next: {allowed}.",
            field="status",
        )
    effective_on = effective_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if effective_on > timezone.localdate():
        _require(errors, "effective_on", "The date cannot be in the future.")
    if status == ClientStatus.DISCHARGED:
        if discharge_reason not in DischargeReason.values:
            _require(errors, "discharge_reason", "Give the reason for discharge.")
    elif discharge_reason:
        _require(errors, "discharge_reason", "Only a discharge takes a discharge reason.")
    if errors:
        raise ValidationError(errors)
    previous = client.status
    fields = ["status", "version", "updated_at"]
    client.status = status
    if status == ClientStatus.DISCHARGED:
        client.discharged_on, client.discharge_reason = effective_on, discharge_reason
        fields += ["discharged_on", "discharge_reason"]
    elif previous == ClientStatus.DISCHARGED:  # re-opening: a new episode of care
        client.discharged_on, client.discharge_reason = None, ""
        client.enrolled_on = effective_on if status == ClientStatus.ACTIVE else None
        fields += ["discharged_on", "discharge_reason", "enrolled_on"]
    elif status == ClientStatus.ACTIVE and client.enrolled_on is None:
        client.enrolled_on = effective_on
        fields.append("enrolled_on")
    client.version += 1
    client.save(update_fields=fields)
    StatusChange.objects.create(
        client=client,
        from_status=previous,
        to_status=status,
        effective_on=effective_on,
        reason=reason,
        discharge_reason=discharge_reason,
        changed_by=actor,
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=client,
        client_id=client.pk,
        detail={"fields": ["status"], "version": client.version},
    )
    label = f"Status: {ClientStatus(previous).label} → {ClientStatus(status).label}"
    if discharge_reason:
        label += f" ({DischargeReason(discharge_reason).label})"
    timeline_record(client=client, kind="status", summary=label, actor=actor, obj=client)
    return client


def _notify_assignment(client: Client, manager: User) -> None:
    notification_create(
        recipient=manager,
        kind=NotificationKind.INFO,
        title=f"{client.display_name} ({client.client_number}) is now on your caseload",
        link=reverse("clients:detail", args=[client.pk]),
        email=True,
    )


@transaction.atomic
def client_transfer(
    *,
    actor: User,
    client: Client,
    team: Team,
    primary_case_manager: User | None,
    reason: str,
) -> Client:
    """Reassign the team and/or primary case manager, with a reason kept in history.
    The new case manager gets an in-app notification (and an email, on commit)."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        _require(errors, "reason", "Say why the client is being reassigned.")
    _validate_team(actor, team, primary_case_manager, errors)
    if (
        not errors.get("team")
        and team.pk == client.team_id
        and getattr(primary_case_manager, "pk", None) == client.primary_case_manager_id
    ):
        _require(errors, "primary_case_manager", "This is already the current assignment.")
    if errors:
        raise ValidationError(errors)
    Assignment.objects.create(
        client=client,
        from_team_id=client.team_id,
        to_team=team,
        from_case_manager_id=client.primary_case_manager_id,
        to_case_manager=primary_case_manager,
        reason=reason.strip(),
        assigned_by=actor,
    )
    manager_changed = getattr(primary_case_manager, "pk", None) != client.primary_case_manager_id
    client.team, client.primary_case_manager = team, primary_case_manager
    client.version += 1
    client.save(update_fields=["team", "primary_case_manager", "version", "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=client,
        client_id=client.pk,
        detail={"fields": ["team", "primary_case_manager"], "version": client.version},
    )
    who = primary_case_manager.display_name if primary_case_manager else "no case manager"
    timeline_record(
        client=client,
        kind="assignment",
        summary=f"Assigned to {who}, {team.name}",
        actor=actor,
        obj=client,
    )
    if manager_changed and primary_case_manager is not None and primary_case_manager != actor:
        _notify_assignment(client, primary_case_manager)
    return client
