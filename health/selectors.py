"""Reads for medications, crisis episodes and harm reduction. Each takes a client already
fetched through ``clients.selectors.client_get`` (so in reach)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client, RiskFlagKind

from .models import (
    AdherenceCheckIn,
    CrisisEpisode,
    HarmReductionSupply,
    Medication,
    Reconciliation,
    SupplyKind,
)


def medication_list(*, client: Client) -> QuerySet[Medication]:
    """Current medications first, each with its check-ins (newest first)."""
    return (
        client.medications.select_related("prescriber_member__user", "recorded_by")
        .prefetch_related(
            Prefetch("check_ins", queryset=AdherenceCheckIn.objects.order_by("-checked_on", "-id"))
        )
        .order_by("status", "name", "id")
    )


def medication_get(*, client: Client, medication_id: int) -> Medication:
    return get_object_or_404(medication_list(client=client), pk=medication_id)


def reconciliation_list(*, client: Client) -> QuerySet[Reconciliation]:
    return client.reconciliations.select_related("confirmed_by")


def crisis_list(*, client: Client) -> QuerySet[CrisisEpisode]:
    return client.crisis_episodes.select_related("recorded_by")


def supply_list(*, client: Client) -> QuerySet[HarmReductionSupply]:
    return client.harm_reduction.select_related("recorded_by")


def has_naloxone(*, client: Client) -> bool:
    return client.harm_reduction.filter(kind=SupplyKind.NALOXONE).exists()


def naloxone_warning(client: Client) -> str | None:
    """Banner warning: an active overdose risk flag and no naloxone on record."""
    flags = getattr(client, "active_flags", None)
    if flags is None:
        flags = list(client.risk_flags.filter(cleared_at__isnull=True))
    if any(f.kind == RiskFlagKind.OVERDOSE for f in flags) and not has_naloxone(client=client):
        return "No naloxone on record"
    return None


def adherence_points(medication: Medication) -> list[dict[str, Any]]:
    """Check-ins oldest first with a position for the small SVG chart (x in 0..100)."""
    points = sorted(medication.check_ins.all(), key=lambda c: (c.checked_on, c.id))
    order = {"as_prescribed": 0, "some_missed": 1, "stopped": 2, "unknown": 3}
    n = len(points)
    return [
        {"check_in": c, "x": 5 + (90 * i / (n - 1) if n > 1 else 45), "row": order[c.adherence]}
        for i, c in enumerate(points)
    ]


# Conditions on a Client queryset (``Exists`` on the outer client), for the dashboard.
def naloxone_on_record_exists() -> Exists:
    """A naloxone kit was ever recorded for the client (``has_naloxone``'s rule)."""
    return Exists(
        HarmReductionSupply.objects.filter(client=OuterRef("pk"), kind=SupplyKind.NALOXONE)
    )


def crisis_since_exists(*, since: datetime) -> Exists:
    """The client had a crisis episode at or after ``since``."""
    return Exists(CrisisEpisode.objects.filter(client=OuterRef("pk"), occurred_at__gte=since))
