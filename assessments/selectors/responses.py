"""Reads of the instrument library, of a client's instrument responses, their trends
and the chart Overview's latest scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from casemgmt.accounts.models import User
from clients.models import Client
from clients.selectors import client_ids_in_reach

from ..instruments import INSTRUMENTS, InstrumentDefinition
from ..models import InstrumentResponse, InstrumentSummary


def instrument_list() -> list[InstrumentDefinition]:
    """Every instrument, in the library's order."""
    return list(INSTRUMENTS.values())


def instrument_get(code: str) -> InstrumentDefinition:
    """One instrument by code; ``Http404`` for an unknown code."""
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise Http404(f"No instrument {code!r}.") from None


# What a client page says under an instrument shown in English because it has no
# published translation into the client's language (translated in locale/).
ENGLISH_ONLY_NOTE = gettext_lazy("This questionnaire is only available in English.")


def instrument_in_language(code: str, language: str) -> tuple[InstrumentDefinition, bool]:
    """The instrument worded for a client reading ``language``: its published translation
    when it has one (``(definition, True)``), else the English (``(definition, False)``;
    show ``ENGLISH_ONLY_NOTE`` with it). Never a translation of our own; the scoring is
    the same in every language. ``Http404`` for an unknown code."""
    definition = instrument_get(code)
    worded = definition.in_language(language)
    return (worded, True) if worded is not None else (definition, False)


# ----------------------------------------------------------------------------- responses
def response_list_in_reach(*, user: User) -> QuerySet[InstrumentResponse]:
    """Instrument responses of clients in reach of ``user`` (admins: all), newest first,
    with client, who administered it and any correction (``amended_by``) loaded."""
    qs = InstrumentResponse.objects.select_related(
        "client", "administered_by", "amended_by", "amends"
    )
    return qs.filter(client_id__in=client_ids_in_reach(user=user))


def response_list(*, client: Client, code: str | None = None) -> QuerySet[InstrumentResponse]:
    """One client's responses (the caller has fetched the client in reach), newest first."""
    qs = InstrumentResponse.objects.filter(client=client).select_related(
        "administered_by", "amended_by", "amends"
    )
    return qs.filter(instrument=code) if code else qs


def response_get(*, client: Client, response_id: int) -> InstrumentResponse:
    try:
        return response_list(client=client).get(pk=int(response_id))
    except (InstrumentResponse.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def latest_responses(*, client: Client) -> list[InstrumentResponse]:
    """The newest current (not corrected) response of each instrument, in library order."""
    rows = (
        InstrumentResponse.objects.filter(client=client, amended_by__isnull=True)
        .order_by("instrument", "-administered_at", "-id")
        .distinct("instrument")
    )
    order = list(INSTRUMENTS)
    return sorted(rows, key=lambda r: order.index(r.instrument))


# ------------------------------------------------------------------------------- trends
def instrument_trend(*, client: Client, code: str) -> dict[str, Any]:
    """Totals of one instrument over time for one client, for measurement-based care.

    Corrected responses are left out (their correction counts). Returns ``code``, ``name``,
    ``full_name``, ``points`` (oldest first: ``id``, ``administered_at``, ``total``,
    ``band``, ``source``), ``baseline`` and ``latest`` (points or None), ``change``
    (latest - baseline),
    ``change_pct`` (drop from baseline in %, None when the baseline is 0), ``response``
    (True when the latest total is at most half the baseline; None with fewer than two
    totals or a zero baseline; the PHQ-9's published response and remission are
    ``client_depression_episodes``),
    ``thresholds`` (``value``, ``label``: where each band above the lowest starts, or the
    screening cut-off) and ``min_total`` / ``max_total``. ``Http404`` for an unknown code.
    """
    definition = instrument_get(code)
    rows = (
        InstrumentResponse.objects.filter(
            client=client, instrument=code, amended_by__isnull=True, total__isnull=False
        )
        .order_by("administered_at", "id")
        .values("id", "administered_at", "total", "band", "source")
    )
    # Each with the band as a reader should see it (AUDIT zones with their meaning).
    points: list[dict[str, Any]] = [
        {**row, "band_text": definition.band_meaning(row["band"])} for row in rows
    ]
    baseline = points[0] if points else None
    latest = points[-1] if points else None
    change = change_pct = response = None
    if baseline is not None and latest is not None and len(points) > 1:
        first, last = baseline["total"], latest["total"]
        assert first is not None and last is not None  # total__isnull=False above
        change = last - first
        if first > 0:
            change_pct = round(100 * (first - last) / first)
            response = 2 * last <= first
    if definition.bands and definition.screen_labels is None:
        thresholds = [{"value": b.low, "label": b.label} for b in definition.bands[1:]]
    elif definition.cutoff is not None:
        thresholds = [{"value": definition.cutoff, "label": "cut-off"}]
    else:
        thresholds = [
            {"value": v, "label": f"cut-off ({sex})"}
            for sex, v in sorted(definition.cutoff_by_sex.items())
        ]
    return {
        "code": definition.code,
        "name": definition.name,
        "full_name": definition.full_name,
        "points": points,
        "baseline": baseline,
        "latest": latest,
        "change": change,
        "change_pct": change_pct,
        "response": response,
        "thresholds": thresholds,
        "min_total": definition.min_total,
        "max_total": definition.max_total,
    }


# ------------------------------------------------------------------ chart Overview
@dataclass(frozen=True)
class ScoreLine:
    """One instrument's latest (uncorrected) result for the chart Overview, with the way
    it moved since the result before it."""

    code: str
    name: str
    full_name: str
    total: int | None  # None for triage instruments (C-SSRS screener): band only
    band: str
    at: datetime
    when: str  # "today", "3 days ago", ... (the team's local date)
    previous_total: int | None
    lower_is_better: bool
    latest_response_id: int

    @property
    def band_text(self) -> str:
        """The band with its published meaning where the definition gives one (AUDIT)."""
        return INSTRUMENTS[self.code].band_meaning(self.band)

    @property
    def direction(self) -> str | None:
        """ "down", "up", "same"; None without a total or a previous total."""
        if self.total is None or self.previous_total is None:
            return None
        if self.total == self.previous_total:
            return "same"
        return "down" if self.total < self.previous_total else "up"

    @property
    def meaning(self) -> str | None:
        """ "better", "worse", "no change" (None where there is no direction)."""
        direction = self.direction
        if direction is None:
            return None
        if direction == "same":
            return "no change"
        return "better" if (direction == "down") == self.lower_is_better else "worse"

    @property
    def arrow(self) -> str:
        return {"down": "↓", "up": "↑", "same": "→"}.get(self.direction or "", "")


def relative_day(day: date, today: date) -> str:
    """ "today", "yesterday", "5 days ago", "3 weeks ago", "4 months ago", "2 years ago"."""
    days = (today - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def latest_scores(*, client: Client) -> list[ScoreLine]:
    """The latest result of each instrument ``client`` has taken, in library order, with
    the total before it (the caller has fetched the client in reach; its team is used
    for the local date). One query, however many instruments: ``InstrumentSummary``."""
    today = client.team.local_date()
    rows = InstrumentSummary.objects.filter(client=client).values(
        "instrument",
        "latest_total",
        "latest_band",
        "latest_at",
        "previous_total",
        "latest_response_id",
    )
    order = list(INSTRUMENTS)
    lines = []
    for row in sorted(rows, key=lambda r: order.index(r["instrument"])):
        definition = INSTRUMENTS[row["instrument"]]
        lines.append(
            ScoreLine(
                code=definition.code,
                name=definition.name,
                full_name=definition.full_name,
                total=row["latest_total"],
                band=row["latest_band"],
                at=row["latest_at"],
                when=relative_day(client.team.local_date(row["latest_at"]), today),
                previous_total=row["previous_total"],
                lower_is_better=definition.lower_is_better,
                latest_response_id=row["latest_response_id"],
            )
        )
    return lines


def overview_scores_panel(client: Client) -> dict[str, Any]:
    """The context of the chart Overview's "Latest scores" panel (registered in
    ``AssessmentsConfig.ready``). One query."""
    return {"lines": latest_scores(client=client), "time_zone": client.team.time_zone}


def risk_answer_since_exists(*, since: datetime) -> Exists:
    """The client (outer queryset) gave a suicide-risk answer on a screening at or after
    ``since``: a response whose flags hold ``suicide_risk`` (PHQ-9 item 9 answered, a
    C-SSRS screen at moderate or high risk), as ``instrument_response_record`` flags it."""
    return Exists(
        InstrumentResponse.objects.filter(
            client=OuterRef("pk"), administered_at__gte=since, flags__contains=["suicide_risk"]
        )
    )
