"""Writes for medications, adherence, reconciliation, crisis episodes and harm reduction.

Each runs in one transaction, writes the audit trail and the client timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record, versioned_update
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import NotificationKind
from casemgmt.notifications.services import notification_create
from clients.models import CareTeamMember, Client, RiskFlagKind
from clients.services import risk_flag_set, timeline_record

from . import links
from .medlist import flags_for
from .models import (
    NON_ADHERENT,
    Adherence,
    AdherenceCheckIn,
    CrisisAction,
    CrisisEpisode,
    CrisisType,
    HarmReductionSupply,
    Medication,
    MedicationStatus,
    Reconciliation,
    Route,
    SupplyKind,
)

# The risk flag a crisis of each type raises (none for housing or "other").
CRISIS_FLAGS: dict[str, RiskFlagKind] = {
    CrisisType.SUICIDAL: RiskFlagKind.SUICIDE,
    CrisisType.OVERDOSE: RiskFlagKind.OVERDOSE,
    CrisisType.VIOLENCE: RiskFlagKind.VIOLENCE,
    CrisisType.INTOXICATION: RiskFlagKind.MEDICAL,
}
CRISIS_FOLLOW_UP_HOURS = 24
# What an emergency department visit recorded with a crisis was for, when not said: the
# HEDIS measure follows it (FUA for substance use, FUM for mental illness).
CRISIS_ED_FOCUS: dict[str, str] = {
    CrisisType.OVERDOSE: "substance_use",
    CrisisType.INTOXICATION: "substance_use",
}


@dataclass(frozen=True)
class EdVisit:
    """The emergency department visit of a crisis, to record as a care transition:
    the hospital, what it was for (``VisitFocus``; empty: from the type of crisis) and the
    day the client left the ED (None while still there)."""

    facility: str
    focus: str = ""
    discharged_on: date | None = None


def _err(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- medications
MEDICATION_FIELDS = (
    "dose",
    "route",
    "frequency",
    "reason",
    "prescriber_member",
    "prescriber_name",
    "is_moud",
    "is_psychiatric",
)


def _validate_medication(
    values: dict[str, Any], errors: dict[str, list[str]], client: Client
) -> None:
    for field in ("name", "dose", "frequency"):
        if not (values.get(field) or "").strip():
            _err(errors, field, "This field is required.")
    if values.get("route") not in Route.values:
        _err(errors, "route", "Choose a route.")
    started = values.get("started_on")
    if started is None:
        _err(errors, "started_on", "This field is required.")
    elif started > _today():
        _err(errors, "started_on", "The start date cannot be in the future.")
    member = values.get("prescriber_member")
    if member is not None and member.client_id != client.pk:
        _err(errors, "prescriber_member", "Choose someone on this client's care team.")


@transaction.atomic
def medication_add(
    *,
    actor: User,
    client: Client,
    name: str,
    dose: str,
    frequency: str,
    started_on: date,
    route: str = Route.ORAL,
    reason: str = "",
    prescriber_member: CareTeamMember | None = None,
    prescriber_name: str = "",
    is_moud: bool | None = None,
    is_psychiatric: bool | None = None,
) -> Medication:
    """Add a medication. On the pick-list, the MOUD and psychiatric flags come from it
    unless given."""
    listed_moud, listed_psych = flags_for(name)
    values = {
        "name": (name or "").strip(),
        "dose": (dose or "").strip(),
        "frequency": (frequency or "").strip(),
        "started_on": started_on,
        "route": route,
        "reason": (reason or "").strip(),
        "prescriber_member": prescriber_member,
        "prescriber_name": (prescriber_name or "").strip(),
        "is_moud": listed_moud if is_moud is None else is_moud,
        "is_psychiatric": listed_psych if is_psychiatric is None else is_psychiatric,
    }
    errors: dict[str, list[str]] = {}
    _validate_medication(values, errors, client)
    if errors:
        raise ValidationError(errors)
    medication = Medication.objects.create(client=client, recorded_by=actor, **values)
    audit_record(user=actor, action=AuditAction.CREATE, obj=medication, client_id=client.pk)
    timeline_record(
        client=client,
        kind="medication",
        actor=actor,
        obj=medication,
        summary=f"Medication started: {medication.name} {medication.dose}, {medication.frequency}",
        link=reverse("health:medication", args=[client.pk, medication.pk]),
    )
    return medication


@transaction.atomic
def medication_update(
    *,
    actor: User,
    medication: Medication,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Medication:
    """Change dose, route, frequency, reason, prescriber or flags; correct the start date
    (``started_on``: not in the future, and not after the earliest check-in); or put on
    hold / resume (``status``). History is the audit trail and the timeline: nothing is overwritten
    silently. A stopped medication does not change (start it again as a new one). With
    ``expected_version`` (the ``edit_version`` the editor loaded), a save over someone
    else's newer save is refused with ``Conflict`` naming who changed which fields."""
    allowed = set(MEDICATION_FIELDS) | {"status", "started_on"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            {f: ["This cannot be changed; stop it and add a new one."] for f in unknown}
        )
    current = Medication.objects.select_for_update().get(pk=medication.pk)
    if current.status == MedicationStatus.STOPPED:
        raise Conflict("This medication was stopped; add it again to restart it.", field="status")
    if data.get("status") == MedicationStatus.STOPPED:
        raise ValidationError({"status": ["Use Stop, which records the date and reason."]})
    values = {f: getattr(current, f) for f in ("name", "started_on", *MEDICATION_FIELDS)}
    values |= {k: v for k, v in data.items() if k != "status"}
    errors: dict[str, list[str]] = {}
    _validate_medication(values, errors, current.client)
    if "status" in data and data["status"] not in MedicationStatus.values:
        _err(errors, "status", "Choose active or on hold.")
    started = data.get("started_on")
    if started is not None and started != current.started_on and "started_on" not in errors:
        # A corrected start date keeps every check-in after the start (checkin_record's
        # rule): a later date than the earliest check-in is refused, naming it.
        earliest = (
            AdherenceCheckIn.objects.filter(medication=current)
            .order_by("checked_on")
            .values_list("checked_on", flat=True)
            .first()
        )
        if earliest is not None and started > earliest:
            _err(
                errors,
                "started_on",
                f"A check-in was recorded on {earliest:%b %-d, %Y}: the start date cannot "
                "be after it.",
            )
    if errors:
        raise ValidationError(errors)
    before = {f: getattr(current, f) for f in data}
    changed = versioned_update(
        actor=actor,
        obj=current,
        values=dict(data),
        expected_version=expected_version,
        what="this medication",
        client_id=current.client_id,
    )
    if not changed:
        return current
    described = "; ".join(
        f"{f.replace('_', ' ')} {before[f] or '—'} → {data[f] or '—'}"
        for f in changed
        if f in ("dose", "frequency", "route", "status")
    )
    if "started_on" in changed:
        corrected = f"start date corrected {before['started_on']:%b %-d, %Y} → "
        corrected += f"{data['started_on']:%b %-d, %Y}"
        described = f"{described}; {corrected}" if described else corrected
    timeline_record(
        client=current.client_id,
        kind="medication",
        actor=actor,
        obj=current,
        summary=f"Medication changed: {current.name}" + (f" ({described})" if described else ""),
    )
    return current


@transaction.atomic
def medication_stop(
    *, actor: User, medication: Medication, stopped_on: date, reason: str
) -> Medication:
    asked, medication = medication, Medication.objects.select_for_update().get(pk=medication.pk)
    errors: dict[str, list[str]] = {}
    if medication.status == MedicationStatus.STOPPED:
        raise Conflict("This medication is already stopped.", field="stopped_on")
    if stopped_on is None:
        _err(errors, "stopped_on", "This field is required.")
    elif stopped_on < medication.started_on:
        _err(
            errors,
            "stopped_on",
            f"The stop date cannot be before the start ({medication.started_on:%b %-d, %Y}).",
        )
    elif stopped_on > _today():
        _err(errors, "stopped_on", "The stop date cannot be in the future.")
    if not (reason or "").strip():
        _err(errors, "reason", "Say why it was stopped.")
    if errors:
        raise ValidationError(errors)
    # Through the lock too, so that a change loaded before the stop is told who stopped it.
    versioned_update(
        actor=actor,
        obj=medication,
        values={
            "status": MedicationStatus.STOPPED,
            "stopped_on": stopped_on,
            "stop_reason": reason.strip(),
        },
        expected_version=None,
        what="this medication",
        client_id=medication.client_id,
    )
    timeline_record(
        client=medication.client_id,
        kind="medication",
        actor=actor,
        obj=medication,
        summary=f"Medication stopped: {medication.name} ({medication.stop_reason})",
    )
    for field in ("status", "stopped_on", "stop_reason", "edit_version", "updated_at"):
        setattr(asked, field, getattr(medication, field))  # the caller's copy, as before
    return asked


@transaction.atomic
def checkin_record(
    *,
    actor: User,
    medication: Medication,
    checked_on: date,
    adherence: str,
    side_effects: str = "",
    note: str = "",
) -> AdherenceCheckIn:
    """Record an adherence check-in. Two non-adherent check-ins in a row (some doses
    missed, or stopped) raise a follow-up for the case manager."""
    if medication.status == MedicationStatus.STOPPED:
        raise Conflict(
            f"{medication.name} was stopped on {medication.stopped_on:%b %-d, %Y}: "
            "check-ins are for current medications.",
            field="medication",
        )
    errors: dict[str, list[str]] = {}
    if adherence not in Adherence.values:
        _err(errors, "adherence", "Choose how the medication was taken.")
    if checked_on is None:
        _err(errors, "checked_on", "This field is required.")
    elif checked_on > _today():
        _err(errors, "checked_on", "The check-in date cannot be in the future.")
    elif checked_on < medication.started_on:
        _err(
            errors,
            "checked_on",
            f"The check-in cannot be before the medication started "
            f"({medication.started_on:%b %-d, %Y}). If the start date was recorded wrong, "
            "correct it first (Change).",
        )
    if errors:
        raise ValidationError(errors)
    check_in = AdherenceCheckIn.objects.create(
        medication=medication,
        checked_on=checked_on,
        adherence=adherence,
        side_effects=(side_effects or "").strip(),
        note=(note or "").strip(),
        recorded_by=actor,
    )
    audit_record(
        user=actor, action=AuditAction.CREATE, obj=check_in, client_id=medication.client_id
    )
    last_two = list(
        AdherenceCheckIn.objects.filter(medication=medication)
        .order_by("-checked_on", "-id")
        .values_list("adherence", flat=True)[:2]
    )
    if len(last_two) == 2 and all(a in NON_ADHERENT for a in last_two):
        client = medication.client
        links.followup_create(
            actor=actor,
            client=client,
            due_at=timezone.now() + timedelta(days=2),
            reason="general",
            summary=f"Two check-ins in a row: {medication.name} not taken as prescribed",
        )
        timeline_record(
            client=client,
            kind="medication",
            actor=actor,
            obj=check_in,
            summary=f"Follow-up raised: {medication.name} not taken as prescribed "
            "at two check-ins in a row",
        )
    return check_in


@transaction.atomic
def reconciliation_record(
    *,
    actor: User,
    client: Client,
    reconciled_on: date,
    summary: str,
    changes: list[dict[str, Any]] | None = None,
    confirmed_with: str = "",
    transition_id: int | None = None,
) -> Reconciliation:
    """Record a medication reconciliation (what changed, who confirmed it). With a care
    transition, it ticks that transition's "medications reconciled" item."""
    errors: dict[str, list[str]] = {}
    if not (summary or "").strip():
        _err(errors, "summary", "Say what changed (or that nothing changed).")
    if reconciled_on is None:
        _err(errors, "reconciled_on", "This field is required.")
    elif reconciled_on > _today():
        _err(errors, "reconciled_on", "The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    reconciliation = Reconciliation.objects.create(
        client=client,
        reconciled_on=reconciled_on,
        summary=summary.strip(),
        changes=changes or [],
        confirmed_with=(confirmed_with or "").strip(),
        confirmed_by=actor,
        transition_id=transition_id,
    )
    audit_record(user=actor, action=AuditAction.CREATE, obj=reconciliation, client_id=client.pk)
    timeline_record(
        client=client,
        kind="medication",
        actor=actor,
        obj=reconciliation,
        summary=f"Medications reconciled: {reconciliation.summary}"[:300],
    )
    if transition_id:
        try:
            links.transition_mark_reconciled(
                actor=actor, transition_id=transition_id, reconciliation=reconciliation
            )
        except ValidationError as error:  # the transition is not this client's
            raise ValidationError({"transition_id": error.messages}) from None
    return reconciliation


# ------------------------------------------------------------------------- crisis episodes
@transaction.atomic
def crisis_record(
    *,
    actor: User,
    client: Client,
    occurred_at: datetime,
    crisis_type: str,
    description: str,
    outcome: str,
    actions: list[str] | None = None,
    responders: str = "",
    ed_visit: EdVisit | None = None,
) -> CrisisEpisode:
    """Record a crisis episode. It raises the matching risk flag, notifies the team's
    supervisors, prompts a safety-plan review, and creates a follow-up within 24 hours
    (SAMHSA National Guidelines for Behavioral Health Crisis Care, 2020: follow-up
    within 24 hours of a crisis contact).

    With ``ed_visit`` the emergency department visit is recorded in the same transaction
    as a care transition from the ED (``referrals.services.transition_record``), so the
    HEDIS MY2025 FUM or FUA follow-up windows start when its discharge is recorded
    (NCQA: follow-up after an ED visit for mental illness / for substance use). Its
    errors are named with the ``ed_`` prefix (``ed_facility``, ``ed_discharged_on``);
    nothing is saved then. It ticks "Emergency department" among the actions."""
    actions = list(dict.fromkeys(actions or []))
    if ed_visit is not None and CrisisAction.EMERGENCY_DEPARTMENT not in actions:
        actions.append(CrisisAction.EMERGENCY_DEPARTMENT)
    errors: dict[str, list[str]] = {}
    if crisis_type not in CrisisType.values:
        _err(errors, "crisis_type", "Choose the type of crisis.")
    if occurred_at is None:
        _err(errors, "occurred_at", "This field is required.")
    elif occurred_at > timezone.now() + timedelta(minutes=5):
        _err(errors, "occurred_at", "A crisis episode cannot be in the future.")
    unknown = [a for a in actions if a not in CrisisAction.values]
    if unknown:
        _err(errors, "actions", f"Unknown action: {', '.join(unknown)}.")
    for field, text in (("description", description), ("outcome", outcome)):
        if not (text or "").strip():
            _err(errors, field, "This field is required.")
    if ed_visit is not None:
        if not (ed_visit.facility or "").strip():
            _err(errors, "ed_facility", "Name the hospital whose emergency department it was.")
        if ed_visit.focus and ed_visit.focus not in links.ed_visit_focus_values():
            _err(errors, "ed_focus", "Choose mental illness or substance use.")
    if errors:
        raise ValidationError(errors)
    episode = CrisisEpisode.objects.create(
        client=client,
        occurred_at=occurred_at,
        crisis_type=crisis_type,
        actions=actions,
        description=description.strip(),
        outcome=outcome.strip(),
        responders=(responders or "").strip(),
        recorded_by=actor,
    )
    label = CrisisType(crisis_type).label
    audit_record(user=actor, action=AuditAction.CREATE, obj=episode, client_id=client.pk)
    link = reverse("health:crisis", args=[client.pk])
    timeline_record(
        client=client,
        kind="crisis",
        actor=actor,
        obj=episode,
        link=link,
        summary=f"Crisis: {label} — {episode.outcome}"[:300],
        occurred_at=occurred_at,
    )
    if crisis_type in CRISIS_FLAGS:
        risk_flag_set(
            actor=actor,
            client=client,
            kind=CRISIS_FLAGS[crisis_type],
            reason=f"{label} on {timezone.localtime(occurred_at):%b %-d, %Y}",
            source="crisis",
        )
    for supervisor in client.team.supervisors.filter(is_active=True):
        notification_create(
            recipient=supervisor,
            kind=NotificationKind.ESCALATION,
            title=f"Crisis recorded for {client.display_name} ({client.client_number}): {label}",
            link=link,
            email=True,
        )
    links.followup_create(
        actor=actor,
        client=client,
        due_at=occurred_at + timedelta(hours=CRISIS_FOLLOW_UP_HOURS),
        reason="general",
        summary=f"Follow up after crisis ({label.lower()})",
    )
    if ed_visit is not None:
        try:
            episode.ed_transition_id = links.ed_visit_record(
                actor=actor,
                client=client,
                visited_on=client.team.local_date(occurred_at),
                facility=ed_visit.facility.strip(),
                focus=ed_visit.focus or CRISIS_ED_FOCUS.get(crisis_type, "mental_health"),
                discharged_on=ed_visit.discharged_on,
            )
        except ValidationError as error:
            named = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            raise ValidationError(
                {(f"ed_{f}" if f else "ed_visit"): e for f, e in named.items()}
            ) from error
        episode.save(update_fields=["ed_transition_id"])
    return episode


# ------------------------------------------------------------------------- harm reduction
@transaction.atomic
def supply_give(
    *,
    actor: User,
    client: Client,
    kind: str,
    given_on: date,
    quantity: int = 1,
    training_done: bool = False,
    note: str = "",
) -> HarmReductionSupply:
    errors: dict[str, list[str]] = {}
    if kind not in SupplyKind.values:
        _err(errors, "kind", "Choose what was given.")
    if given_on is None:
        _err(errors, "given_on", "This field is required.")
    elif given_on > _today():
        _err(errors, "given_on", "The date cannot be in the future.")
    if not quantity or quantity < 1 or quantity > 100:
        _err(errors, "quantity", "Give a quantity from 1 to 100.")
    if errors:
        raise ValidationError(errors)
    supply = HarmReductionSupply.objects.create(
        client=client,
        kind=kind,
        given_on=given_on,
        quantity=quantity,
        training_done=training_done,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    audit_record(user=actor, action=AuditAction.CREATE, obj=supply, client_id=client.pk)
    timeline_record(
        client=client,
        kind="harm_reduction",
        actor=actor,
        obj=supply,
        summary=f"Harm reduction: {quantity} × {SupplyKind(kind).label.lower()}"
        + (" with overdose-response education" if training_done else ""),
    )
    return supply
