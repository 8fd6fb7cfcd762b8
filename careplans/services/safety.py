"""Writes for the Stanley-Brown safety plan and the relapse-prevention plan. Each save is
a new version; the previous one is kept, marked superseded. A save says which version
its editor loaded (``expected_version``; 0: there was none yet): a save over a newer one
is refused with ``Conflict`` naming who changed which steps, never a silent overwrite."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record, conflict_from_changes
from casemgmt.lib.errors import Conflict
from clients.models import Client
from clients.selectors import related_person_list
from clients.services import timeline_record

from ..models import RelapsePreventionPlan, SafetyPlan

SAFETY_REQUIRED = {
    "warning_signs": "List at least one warning sign.",
    "internal_coping": "List at least one thing the client can do on their own.",
    "social_distraction": "List people or places that help.",
    "people_to_ask": "List at least one person the client can ask for help.",
    "professionals": "List professionals or agencies to contact.",
    "crisis_lines": "Keep at least one crisis line (988 in the US).",
    "environment_safe": "Say how the environment is made safe (lethal means).",
}
RELAPSE_REQUIRED = {
    "triggers": "List at least one trigger.",
    "warning_signs": "List at least one early warning sign.",
    "coping": "List at least one coping strategy.",
    "supports": "List at least one support.",
    "after_slip": "Say what to do after a slip.",
}


_Plan = TypeVar("_Plan", SafetyPlan, RelapsePreventionPlan)


def _stale_save(
    model: type[_Plan], client: Client, expected: int, current: int, label: str
) -> Conflict:
    """Who saved which fields in the versions after ``expected`` (each against the one
    before it): the versions are the history, so it is read from them."""
    rows = list(
        model.objects.filter(client=client, version__gte=expected)
        .select_related("created_by")
        .order_by("version")
    )
    before = rows[0] if rows and rows[0].version == expected else None
    changes: list[dict[str, Any]] = []
    for row in rows:
        if row.version <= expected:
            continue
        fields = [
            f for f in model.FIELDS if before is None or getattr(before, f) != getattr(row, f)
        ]
        changes.append(
            {"fields": fields, "by": row.created_by.display_name, "at": row.created_at.isoformat()}
        )
        before = row
    return conflict_from_changes(
        changes=changes, what=f"the {label.lower()}", current=current, key="version"
    )


def _save_version(
    *,
    model: type[_Plan],
    required: dict[str, str],
    actor: User,
    client: Client,
    values: dict[str, Any],
    label: str,
    url_name: str,
    expected_version: int | None,
) -> _Plan:
    unknown = set(values) - set(model.FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in unknown})
    clean = {f: (values.get(f) or "").strip() for f in model.FIELDS}
    errors = {f: [msg] for f, msg in required.items() if not clean[f]}
    if errors:
        raise ValidationError(errors)
    Client.objects.select_for_update().filter(pk=client.pk).first()  # saves take turns
    latest = model.objects.filter(client=client).aggregate(v=Max("version"))["v"] or 0
    if expected_version is not None and expected_version != latest:
        raise _stale_save(model, client, expected_version, latest, label)
    now = timezone.now()
    model.objects.filter(client=client, superseded_at__isnull=True).update(superseded_at=now)
    version = latest + 1
    plan = model.objects.create(client=client, version=version, created_by=actor, **clean)
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=plan,
        client_id=client.pk,
        detail={"version": version},
    )
    timeline_record(
        client=client,
        kind="careplan",
        summary=f"{label} version {version} saved",
        actor=actor,
        obj=plan,
        link=reverse(url_name, args=[client.pk]),
    )
    return plan


def safety_plan_people_lines(*, client: Client, related_person_ids: list[int]) -> list[str]:
    """One line of "People I can ask for help" per related person picked (active people
    of the client's Family & contacts): "Ana Ruiz (sister): 555-0100". ``ValidationError``
    on ``related_person_ids`` for anyone else."""
    wanted = list(dict.fromkeys(int(i) for i in related_person_ids))
    people = {
        p.pk: p
        for p in related_person_list(client=client).filter(pk__in=wanted, inactive_on__isnull=True)
    }
    if set(wanted) - set(people):
        raise ValidationError(
            {"related_person_ids": ["Choose active people from the client's Family & contacts."]}
        )
    lines = []
    for pk in wanted:
        person = people[pk]
        line = f"{person.name} ({person.relationship_label.lower()})"
        lines.append(f"{line}: {person.phone}" if person.phone else line)
    return lines


@transaction.atomic
def safety_plan_save(
    *,
    actor: User,
    client: Client,
    values: dict[str, Any],
    expected_version: int | None = None,
    related_person_ids: list[int] | None = None,
) -> SafetyPlan:
    """Save the client's safety plan as its next version. ``expected_version``: the
    version the editor loaded (0: none yet; ``None``: not checked).
    ``related_person_ids``: people from the client's Family & contacts to add to step 4,
    "People I can ask for help" (one line each, with their phone; a person already
    named there is not added twice)."""
    values = dict(values)
    if related_person_ids:
        typed = (values.get("people_to_ask") or "").strip()
        have = {line.split(" (")[0].split(":")[0].strip().casefold() for line in typed.splitlines()}
        added = [
            line
            for line in safety_plan_people_lines(
                client=client, related_person_ids=related_person_ids
            )
            if line.split(" (")[0].casefold() not in have
        ]
        values["people_to_ask"] = "\n".join([typed, *added] if typed else added)
    if not (values.get("crisis_lines") or "").strip() and "crisis_lines" not in values:
        values["crisis_lines"] = SafetyPlan.DEFAULT_CRISIS_LINES
    return _save_version(
        model=SafetyPlan,
        required=SAFETY_REQUIRED,
        actor=actor,
        client=client,
        values=values,
        label="Safety plan",
        url_name="careplans:safety_plan",
        expected_version=expected_version,
    )


@transaction.atomic
def relapse_plan_save(
    *,
    actor: User,
    client: Client,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> RelapsePreventionPlan:
    """Save the client's relapse-prevention plan as its next version (``expected_version``
    as for ``safety_plan_save``)."""
    return _save_version(
        model=RelapsePreventionPlan,
        required=RELAPSE_REQUIRED,
        actor=actor,
        client=client,
        values=values,
        label="Relapse-prevention plan",
        url_name="careplans:relapse_plan",
        expected_version=expected_version,
    )
