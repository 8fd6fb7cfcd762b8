"""The client timeline: one chronological record written by every app through here."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from ..models import Client, TimelineEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from casemgmt.accounts.models import User


def timeline_record(
    *,
    client: Client | int,
    kind: str,
    summary: str,
    actor: User | AnonymousUser | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    link: str = "",
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    """Add one line to a client's timeline.

    Apps above ``clients`` (assessments, care plans, referrals) call this for what they
    record, so the timeline shows everything without ``clients`` importing them.
    ``summary`` is a short staff-facing line ("Status: intake -> active").
    """
    return TimelineEntry.objects.create(
        client_id=client if isinstance(client, int) else client.pk,
        occurred_at=occurred_at or timezone.now(),
        kind=kind,
        summary=summary[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        link=link,
    )
