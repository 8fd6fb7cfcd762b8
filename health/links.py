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
