"""Where health meets the apps beside it: follow-ups and care transitions (referrals)
and safety plans (careplans)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def followup_create(*, actor, client, due_at: datetime, reason: str, summary: str):
    """A follow-up for the client's case manager, due at ``due_at`` (local time)."""
    from referrals.services import followup_create as create

    local = timezone.localtime(due_at)
    return create(
        actor=actor,
        client=client,
        assignee=client.primary_case_manager,
        reason=reason,
        title=summary[:200],
        due_on=local.date(),
        due_time=local.time().replace(second=0, microsecond=0),
    )


def transition_mark_reconciled(*, actor, transition_id: int, reconciliation) -> None:
    """Tick the transition checklist's "medications reconciled" item."""
    from referrals.services import transition_mark_medications_reconciled

    transition_mark_medications_reconciled(
        actor=actor, transition_id=transition_id, client=reconciliation.client
    )


def ed_visit_record(
    *, actor, client, visited_on, facility: str, focus: str, discharged_on=None
) -> int:
    """Record an emergency department visit as a care transition (ED -> community), so
    the HEDIS FUM / FUA 7- and 30-day follow-ups start on its discharge. Returns its id.
    The transition's own checks apply (``ValidationError`` naming its fields)."""
    from referrals.models import LevelOfCare
    from referrals.services import transition_record

    transition = transition_record(
        actor=actor,
        client=client,
        from_level=LevelOfCare.EMERGENCY,
        to_level=LevelOfCare.COMMUNITY,
        focus=focus,
        facility=facility,
        admitted_on=visited_on,
        discharged_on=discharged_on,
        notes="Recorded with a crisis episode.",
    )
    return transition.pk


def ed_visit_focus_values() -> list[str]:
    from referrals.models import VisitFocus

    return list(VisitFocus.values)
