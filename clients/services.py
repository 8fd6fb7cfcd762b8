"""Writes of client data. Each runs in one transaction and writes the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import team_list
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from .models import Client, ClientStatus

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "status",
    "team",
    "primary_case_manager",
)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def client_numbers_allocate(count: int = 1) -> list[str]:
    """Client numbers from a PostgreSQL sequence (gap-free enough, never reused)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval('clients_client_number_seq') FROM generate_series(1, %s)", [count]
        )
        return [f"C{n:07d}" for (n,) in cursor.fetchall()]


def _validate(*, actor: User, values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for field in ("first_name", "last_name"):
        if not (values.get(field) or "").strip():
            errors.setdefault(field, []).append("This field is required.")
    dob = values.get("date_of_birth")
    if dob is None:
        errors.setdefault("date_of_birth", []).append("This field is required.")
    elif dob > timezone.localdate():
        errors.setdefault("date_of_birth", []).append("Date of birth cannot be in the future.")
    elif dob < EARLIEST_BIRTH_DATE:
        errors.setdefault("date_of_birth", []).append("Date of birth must be after 1900.")
    if values.get("status") not in ClientStatus.values:
        errors.setdefault("status", []).append("Choose one of the listed statuses.")
    team: Team | None = values.get("team")
    if team is None:
        errors.setdefault("team", []).append("This field is required.")
    elif not team_list(user=actor).filter(pk=team.pk).exists():
        errors.setdefault("team", []).append("You can only place clients in your own teams.")
    manager: User | None = values.get("primary_case_manager")
    if manager is not None and team is not None and not errors.get("team"):
        if not manager.is_active or not team.members.filter(pk=manager.pk).exists():
            errors.setdefault("primary_case_manager", []).append(
                f"{manager.display_name} is not a member of {team.name}."
            )
    if errors:
        raise ValidationError(errors)


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
    preferred_name: str = "",
    status: str = ClientStatus.REFERRED,
    primary_case_manager: User | None = None,
) -> Client:
    values = _clean_text(
        {
            "first_name": first_name,
            "last_name": last_name,
            "preferred_name": preferred_name,
            "date_of_birth": date_of_birth,
            "status": status,
            "team": team,
            "primary_case_manager": primary_case_manager,
        }
    )
    _validate(actor=actor, values=values)
    client = Client.objects.create(client_number=client_numbers_allocate()[0], **values)
    audit_record(user=actor, action=AuditAction.CREATE, obj=client, client_id=client.pk)
    return client


@transaction.atomic
def client_update(*, actor: User, client: Client, data: dict[str, Any]) -> Client:
    """Change the given fields of ``client``; unknown fields are refused."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    data = _clean_text(data)
    values = {field: getattr(client, field) for field in EDITABLE_FIELDS} | data
    _validate(actor=actor, values=values)
    changed = [f for f in EDITABLE_FIELDS if f in data and getattr(client, f) != data[f]]
    if not changed:
        return client
    for field in changed:
        setattr(client, field, data[field])
    client.save(update_fields=[*changed, "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=client,
        client_id=client.pk,
        detail={"fields": changed},
    )
    return client
