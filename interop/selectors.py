"""Reads of the interop app: the ADT feed, the review queue, a transition's messages."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from casemgmt.accounts.models import User
from clients.selectors import client_ids_in_reach
from referrals.models import CareTransition

from .models import AdtMessage, AdtStatus


def adt_message_list(*, user: User, status: str | None = None) -> QuerySet[AdtMessage]:
    """The feed: messages of the user's clients, and (for supervisors and admins, who
    work the queue) the messages not linked to any client yet."""
    qs = AdtMessage.objects.select_related("client", "transition").defer("raw")
    mine = Q(client_id__in=client_ids_in_reach(user=user))
    if user.is_admin_role or user.is_supervisor_role:
        mine |= Q(client__isnull=True)
    qs = qs.filter(mine)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-id")


def adt_review_queue(*, user: User) -> QuerySet[AdtMessage]:
    return adt_message_list(user=user, status=AdtStatus.REVIEW)


def adt_message_get(*, user: User, message_id: int) -> AdtMessage:
    """One message in the user's reach, else ``AdtMessage.DoesNotExist`` (a 404)."""
    return adt_message_list(user=user).get(pk=message_id)


def transition_messages(*, transition: CareTransition) -> QuerySet[AdtMessage]:
    return (
        AdtMessage.objects.filter(transition=transition).defer("raw").order_by("received_at", "id")
    )


def transition_messages_panel(transition: CareTransition) -> list[AdtMessage] | None:
    """The transition page's panel (registered in ``InteropConfig.ready``): the ADT
    messages behind the transition, none shown when there are none."""
    rows = list(transition_messages(transition=transition))
    return rows or None
