"""Care transitions: record an admission/discharge; a discharge under a HEDIS measure
creates the 7-day and 30-day follow-ups (see ``referrals.windows``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record, versioned_update
from casemgmt.lib.errors import Conflict
from clients.models import Client
from clients.services import timeline_record

from ..models import (
    CareTransition,
    DenominatorStatus,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    LevelOfCare,
    Measure,
    VisitFocus,
)
from ..windows import Stay, denominator_statuses, escalation_day, measure_for, windows
from .followups import followup_create

CHECKLIST_FIELDS = CareTransition.CHECKLIST
# "Medications reconciled" is ticked by recording a reconciliation (health app), never by
# a bare checkbox (issue: medications, crisis and harm reduction).
MANUAL_CHECKLIST = tuple(f for f in CHECKLIST_FIELDS if f != "medications_reconciled")
EDITABLE = (
    "facility",
    "admitted_on",
    "followup_appointment_at",
    "followup_appointment_with",
    "notes",
    *MANUAL_CHECKLIST,
)


def _validate(values: dict[str, Any], *, today: date) -> None:
    """``today``: the client's team's date (``Team.local_date``), never the server's."""
    errors: dict[str, list[str]] = {}
    for field in ("from_level", "to_level"):
        if values.get(field) not in LevelOfCare.values:
            errors[field] = ["Choose a level of care."]
    if values.get("focus") not in VisitFocus.values:
        errors["focus"] = ["Choose mental illness or substance use."]
    if not (values.get("facility") or "").strip():
        errors["facility"] = ["Name the facility."]
    admitted, discharged = values.get("admitted_on"), values.get("discharged_on")
    if admitted and admitted > today:
        errors["admitted_on"] = ["The admission date cannot be in the future."]
    if discharged and discharged > today:
        errors["discharged_on"] = ["The discharge date cannot be in the future."]
    if admitted and discharged and discharged < admitted:
        errors["discharged_on"] = ["The discharge date cannot be before the admission date."]
    if errors:
        raise ValidationError(errors)


def transitions_classify(*, client_id: int, actor: User | None = None) -> list[CareTransition]:
    """Decide again which of the client's discharges are in their measure's denominator
    (``referrals.windows.denominator_statuses``: readmissions, direct transfers, ED
    visits followed by an admission, one per 31 days) and store it on each transition.
    The open window follow-ups of a discharge that no longer counts are cancelled with
    the reason, so that neither the Today page nor the sweep's reminders and
    escalations chase a window that is not measured. With ``actor``, a discharge that
    counts again (the stay that superseded it was entered in error) gets its window
    follow-ups again. Returns the transitions whose answer changed. Two queries, plus
    one update per changed row."""
    rows = list(
        CareTransition.objects.filter(
            client_id=client_id, entered_in_error_at__isnull=True
        ).select_for_update()
    )
    verdicts = denominator_statuses(
        Stay(t.pk, t.from_level, t.to_level, t.focus, t.admitted_on, t.discharged_on, t.measure)
        for t in rows
    )
    changed = []
    for t in rows:
        status, reason = verdicts[t.pk]
        if (t.denominator, t.denominator_reason) != (status, reason):
            t.denominator, t.denominator_reason = status, reason
            t.save(update_fields=["denominator", "denominator_reason"])
            changed.append(t)
    dropped = [t.pk for t in changed if t.denominator != DenominatorStatus.COUNTED]
    for t in changed:
        if t.pk in dropped and t.measure:
            FollowUp.objects.filter(
                transition=t, reason=FollowUpReason.TRANSITION, status=FollowUpStatus.OPEN
            ).update(
                status=FollowUpStatus.CANCELLED,
                outcome_note=f"Not measured ({t.measure}): {t.denominator_reason}."[:500],
                closed_at=timezone.now(),
                next_check_at=None,
            )
    if actor is not None:
        for t in changed:
            counts_again = t.denominator == DenominatorStatus.COUNTED and t.measure
            if counts_again and not t.followups.filter(status=FollowUpStatus.OPEN).exists():
                _create_window_followups(actor=actor, transition=t)
    return changed


def _team_date(client_id: int) -> date:
    return Client.objects.select_related("team").get(pk=client_id).team.local_date()


def _create_window_followups(*, actor: User, transition: CareTransition) -> list[FollowUp]:
    measure = transition.measure
    if not measure or transition.discharged_on is None:
        return []
    if transition.denominator != DenominatorStatus.COUNTED:
        return []  # superseded or excluded: no window is measured
    client = transition.client
    followups = []
    for w in windows(measure, transition.discharged_on):
        followups.append(
            followup_create(
                actor=actor,
                client=client,
                assignee=None,
                reason=FollowUpReason.TRANSITION,
                title=f"{w.days}-day follow-up visit after discharge from "
                f"{transition.get_from_level_display().lower()} ({measure})",
                due_on=w.last_day,
                transition=transition,
                window_days=w.days,
                escalate_on=escalation_day(w) if w.days == 7 else None,
            )
        )
    return followups


@transaction.atomic
def transition_record(
    *,
    actor: User,
    client: Client,
    from_level: str,
    to_level: str,
    facility: str,
    admitted_on: date | None = None,
    discharged_on: date | None = None,
    focus: str = VisitFocus.MENTAL_HEALTH,
    followup_appointment_at: datetime | None = None,
    followup_appointment_with: str = "",
    notes: str = "",
    **checklist: bool,
) -> CareTransition:
    """Record a transition. With a discharge date under FUH/FUM/FUA/FUI, the 7- and
    30-day follow-ups are created in the same transaction."""
    unknown = set(checklist) - set(MANUAL_CHECKLIST)
    if unknown:
        raise ValidationError({name: ["This field cannot be set here."] for name in unknown})
    values: dict[str, Any] = {
        "from_level": from_level,
        "to_level": to_level,
        "focus": focus or VisitFocus.MENTAL_HEALTH,
        "facility": (facility or "").strip(),
        "admitted_on": admitted_on,
        "discharged_on": discharged_on,
    }
    _validate(values, today=client.team.local_date())
    transition = CareTransition.objects.create(
        client=client,
        measure=measure_for(from_level, values["focus"]) if discharged_on else "",
        followup_appointment_at=followup_appointment_at,
        followup_appointment_with=(followup_appointment_with or "").strip(),
        notes=(notes or "").strip(),
        recorded_by=actor,
        **values,
        **{k: bool(v) for k, v in checklist.items()},
    )
    audit_record(user=actor, action=AuditAction.CREATE, obj=transition, client_id=client.pk)
    transitions_classify(client_id=client.pk)
    transition.refresh_from_db(fields=["denominator", "denominator_reason"])
    _timeline(actor, transition)
    _create_window_followups(actor=actor, transition=transition)
    return transition


def _measured(transition: CareTransition) -> str:
    if not transition.measure or not transition.discharged_on:
        return ""
    if transition.denominator == DenominatorStatus.COUNTED:
        return f", {transition.measure} follow-ups due"
    return f", not in {transition.measure}: {transition.denominator_reason}"


def _timeline(actor: User, transition: CareTransition) -> None:
    what = (
        f"Discharged {transition.discharged_on:%Y-%m-%d}"
        if transition.discharged_on
        else "Admitted"
    )
    timeline_record(
        client=transition.client_id,
        kind="transition",
        summary=f"{what}: {transition.get_from_level_display()} → "
        f"{transition.get_to_level_display()} ({transition.facility})" + _measured(transition),
        actor=actor,
        obj=transition,
        link=reverse("referrals:transition_detail", args=[transition.client_id, transition.pk]),
    )


@transaction.atomic
def transition_discharge(
    *, actor: User, transition: CareTransition, discharged_on: date
) -> CareTransition:
    """Record the discharge of an open admission; creates the HEDIS follow-ups."""
    transition = CareTransition.objects.select_for_update().get(pk=transition.pk)
    if transition.discharged_on is not None:
        raise Conflict("This transition already has a discharge date.", field="discharged_on")
    values = {
        "from_level": transition.from_level,
        "to_level": transition.to_level,
        "focus": transition.focus,
        "facility": transition.facility,
        "admitted_on": transition.admitted_on,
        "discharged_on": discharged_on,
    }
    if discharged_on is None:
        raise ValidationError({"discharged_on": ["Give the discharge date."]})
    _validate(values, today=_team_date(transition.client_id))
    versioned_update(  # unchecked, but a checklist loaded before it hears of it
        actor=actor,
        obj=transition,
        values={
            "discharged_on": discharged_on,
            "measure": measure_for(transition.from_level, transition.focus),
        },
        expected_version=None,
        what="this care transition",
        client_id=transition.client_id,
    )
    transitions_classify(client_id=transition.client_id)
    transition.refresh_from_db(fields=["denominator", "denominator_reason"])
    _timeline(actor, transition)
    _create_window_followups(actor=actor, transition=transition)
    return transition


@transaction.atomic
def transition_update(
    *,
    actor: User,
    transition: CareTransition,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> CareTransition:
    """Edit the checklist, appointment, facility, admission date or notes. With
    ``expected_version`` (the ``edit_version`` the editor loaded), a save over someone
    else's newer save of any of the same fields is refused with ``Conflict`` naming who
    changed which (other fields saved meanwhile merge)."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    transition = CareTransition.objects.select_for_update().get(pk=transition.pk)
    values = {
        "from_level": transition.from_level,
        "to_level": transition.to_level,
        "focus": transition.focus,
        "facility": data.get("facility", transition.facility),
        "admitted_on": data.get("admitted_on", transition.admitted_on),
        "discharged_on": transition.discharged_on,
    }
    _validate(values, today=_team_date(transition.client_id))
    versioned_update(
        actor=actor,
        obj=transition,
        values=dict(data),
        expected_version=expected_version,
        what="this care transition",
        client_id=transition.client_id,
        merge_other_fields=True,
    )
    if "admitted_on" in data:  # an admission date moves readmissions in or out of 30 days
        transitions_classify(client_id=transition.client_id)
        transition.refresh_from_db(fields=["denominator", "denominator_reason"])
    return transition


@transaction.atomic
def transition_mark_medications_reconciled(
    *, actor: User, transition_id: int, client: Client
) -> CareTransition:
    """Tick the checklist's "medications reconciled" (called by the health app after a
    medication reconciliation). The transition must belong to ``client``."""
    transition = (
        CareTransition.objects.select_for_update().filter(pk=transition_id, client=client).first()
    )
    if transition is None:
        raise ValidationError({"transition": ["No such care transition for this client."]})
    versioned_update(
        actor=actor,
        obj=transition,
        values={"medications_reconciled": True},
        expected_version=None,
        what="this care transition",
        client_id=client.pk,
    )
    return transition


@transaction.atomic
def transition_discharge_cancel(
    *, actor: User, transition: CareTransition, reason: str
) -> CareTransition:
    """Undo a discharge that was recorded in error (an HL7 A13 "cancel discharge"): the
    transition is an open admission again, its open window follow-ups are cancelled with
    the reason, and the history stays (audit trail, timeline, the cancelled follow-ups).
    The client's denominators are decided again."""
    transition = CareTransition.objects.select_for_update().get(pk=transition.pk)
    if transition.discharged_on is None:
        raise Conflict("This transition has no discharge to cancel.", field="discharged_on")
    was = transition.discharged_on
    versioned_update(
        actor=actor,
        obj=transition,
        values={"discharged_on": None, "measure": ""},
        expected_version=None,
        what="this care transition",
        client_id=transition.client_id,
    )
    FollowUp.objects.filter(
        transition=transition, reason=FollowUpReason.TRANSITION, status=FollowUpStatus.OPEN
    ).update(
        status=FollowUpStatus.CANCELLED,
        outcome_note=f"Discharge of {was:%Y-%m-%d} cancelled ({reason})."[:500],
        closed_at=timezone.now(),
        next_check_at=None,
    )
    transitions_classify(client_id=transition.client_id)
    transition.refresh_from_db()
    timeline_record(
        client=transition.client_id,
        kind="transition",
        summary=f"Discharge of {was:%Y-%m-%d} cancelled: {transition.get_from_level_display()} "
        f"({transition.facility}) is an open admission again",
        actor=actor,
        obj=transition,
        link=reverse("referrals:transition_detail", args=[transition.client_id, transition.pk]),
    )
    return transition


@transaction.atomic
def transition_enter_in_error(
    *, actor: User, transition: CareTransition, reason: str
) -> CareTransition:
    """Mark a transition as recorded in error (an HL7 A11 "cancel admit", or a case
    manager's correction): nothing is deleted; it keeps its history and the reason, leaves
    every measure (``measure`` and ``denominator`` cleared), its open follow-ups are
    cancelled with the reason, and the client's other discharges are classified again
    without it (a readmission it superseded counts again)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ["Say why this transition was recorded in error."]})
    transition = CareTransition.objects.select_for_update().get(pk=transition.pk)
    if transition.entered_in_error_at is not None:
        raise Conflict("This transition is already marked as entered in error.", field="reason")
    now = timezone.now()
    before = ["measure", "denominator"]
    transition.entered_in_error_at = now
    transition.entered_in_error_reason = reason[:300]
    transition.measure = ""
    transition.denominator, transition.denominator_reason = DenominatorStatus.NONE, ""
    transition.edit_version += 1
    transition.save(
        update_fields=[
            "entered_in_error_at",
            "entered_in_error_reason",
            "measure",
            "denominator",
            "denominator_reason",
            "edit_version",
            "updated_at",
        ]
    )
    FollowUp.objects.filter(transition=transition, status=FollowUpStatus.OPEN).update(
        status=FollowUpStatus.CANCELLED,
        outcome_note=f"Care transition entered in error ({reason})."[:500],
        closed_at=now,
        next_check_at=None,
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=transition,
        client_id=transition.client_id,
        detail={"changed": ["entered_in_error_at", "entered_in_error_reason", *before]},
    )
    transitions_classify(client_id=transition.client_id, actor=actor)
    timeline_record(
        client=transition.client_id,
        kind="transition",
        summary=f"{transition.get_from_level_display()} ({transition.facility}) entered in "
        f"error: {reason}"[:300],
        actor=actor,
        obj=transition,
        link=reverse("referrals:transition_detail", args=[transition.client_id, transition.pk]),
    )
    return transition


__all__ = [
    "Measure",
    "transition_enter_in_error",
    "transition_discharge",
    "transition_discharge_cancel",
    "transition_mark_medications_reconciled",
    "transition_record",
    "transition_update",
    "transitions_classify",
]
