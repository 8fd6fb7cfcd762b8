"""Asking another team about a possible duplicate, without learning who it is."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.notifications.models import NotificationKind
from casemgmt.notifications.services import notification_create

from ..selectors import client_possible_duplicates

# The one answer, whether or not another team holds a match: the asker learns nothing
# beyond what the duplicate check already said.
DUPLICATE_INQUIRY_SENT = (
    "If another team holds a matching client, its supervisors have been asked to contact "
    "you. Nothing about that client is shown to you."
)


@transaction.atomic
def duplicate_inquiry_send(
    *, actor: User, first_name: str, last_name: str, date_of_birth: date, note: str = ""
) -> int:
    """Ask the supervisors of the teams holding a possible duplicate out of ``actor``'s
    reach to get in touch. The asker is told neither the client's number nor name nor
    team; the supervisors see their own client (a link in their team's reach) and who
    asks. Audited. Returns how many supervisors were asked (for tests and logs only)."""
    _, elsewhere = client_possible_duplicates(
        user=actor, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    )
    asked = 0
    teams = ", ".join(t.name for t in actor.teams.all()) or "no team"
    for client in elsewhere:
        for supervisor in client.team.supervisors.filter(is_active=True).exclude(pk=actor.pk):
            notification_create(
                recipient=supervisor,
                kind=NotificationKind.ESCALATION,
                title=f"Possible duplicate of your client {client.client_number}",
                body=f"{actor.display_name} ({teams}) is registering someone with the same "
                "date of birth and a similar name. Contact them if it is the same person."
                + (f" Their note: {note.strip()}" if (note or "").strip() else ""),
                link=reverse("clients:detail", args=[client.pk]),
            )
            asked += 1
    audit_record(
        user=actor,
        action=AuditAction.VIEW,
        object_type="clients.duplicate_inquiry",
        detail={"clients": [c.pk for c in elsewhere], "supervisors_asked": asked},
    )
    return asked
