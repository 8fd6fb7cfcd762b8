"""PHQ-9 depression outcomes as the published measures define them.

One implementation, used by the measures page (team figures and drill-down) and by a
client's PHQ-9 trend. Pure functions over plain values; the queries that feed them are
in ``assessments.selectors.outcomes``.

Sources:

- **Depression Remission at Twelve Months**, CMS159v12 (eCQM, 2024 performance period),
  CBE/NQF 0710e, steward MN Community Measurement.
- **Depression Remission at Six Months**, CCBHC DEP-REM-6 (SAMHSA CCBHC Quality Measures
  Technical Specifications, 2024), the same definitions at six months.
- **Depression Response at Six Months - Progress Towards Remission**, NQF 1884 (MN
  Community Measurement): a PHQ-9 "reduced by 50 % or greater" from the index score.

Definitions as the sources state them:

- **Index event**: the first PHQ-9 above nine (``> 9``) while the client has a diagnosis
  of major depression or dysthymia, in the *denominator identification period*. Clients
  aged 12 or older (CMS159v12: adolescents 12-17 and adults).
- **Denominator identification period**: for the twelve-month measure, "14 months to two
  months prior to the start of the measurement period" (CMS159v12, Definitions), i.e.
  the measurement period moved back 14 months. The six-month measures move it back 8
  months (six months plus the same two). This keeps "enough time following index for
  the patients to have the opportunity to reach remission ... +/- 60 days".
- **Measure assessment period**: the index date plus 12 (or 6) months, with a grace of
  60 days before and after: "the point in time from the index event date extending out
  twelve months and then allowing a grace period of sixty days prior to and sixty days
  after this date". It is fixed: it "does not start over with a higher PHQ-9".
- **Numerator**: remission is "the most recent ... PHQ-9 ... score of less than five" in
  that window; response is the most recent PHQ-9 in the window at most half the index
  score (a reduction of 50 % or more). A client with no PHQ-9 in the window stays in the
  denominator as not met.
- **Denominator exclusions** (CMS159v12), any time before the end of the measure
  assessment period: died; hospice or palliative care; bipolar disorder; personality
  disorder emotionally labile; schizophrenia or psychotic disorder; pervasive
  developmental disorder. Death is the effective day of a discharge with the reason
  "deceased"; palliative care a recorded ICD-10-CM Z51.5 ("Encounter for palliative
  care"); the diagnoses come from the client's problem list (not "entered in error",
  onset on or before the end of the period, or no onset recorded). Permanent
  nursing-home residence, in older versions, is not recorded here.

The value sets are stated as ICD-10-CM code prefixes (the eCQM value sets also carry
SNOMED CT codes, which this system does not record).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

INDEX_ABOVE = 9  # "an initial PHQ-9 ... score greater than nine"
REMISSION_BELOW = 5  # "a PHQ-9 ... score of less than five"
GRACE_DAYS = 60  # "+/- 60 days"
MIN_AGE = 12  # "adolescent patients 12 to 17 years of age and adult patients 18 ..."
LOOKBACK_EXTRA_MONTHS = 2  # "14 months to two months prior": the window plus two months

# Major Depression Including Remission (F32.0-F32.5, F32.9, F33.x) and Dysthymia (F34.1).
DEPRESSION_CODES: tuple[str, ...] = (
    "F32.0",
    "F32.1",
    "F32.2",
    "F32.3",
    "F32.4",
    "F32.5",
    "F32.9",
    "F33",
    "F34.1",
)
# CMS159v12 denominator exclusions that are diagnoses, by the name the spec gives them.
EXCLUSION_CODES: dict[str, tuple[str, ...]] = {
    "bipolar disorder": ("F30", "F31"),
    "personality disorder emotionally labile": ("F60.3",),
    "schizophrenia or psychotic disorder": tuple(f"F{n}" for n in range(20, 30)),
    "pervasive developmental disorder": ("F84",),
    "palliative care": ("Z51.5",),
}
RELEVANT_CODES: tuple[str, ...] = DEPRESSION_CODES + tuple(
    p for prefixes in EXCLUSION_CODES.values() for p in prefixes
)


@dataclass(frozen=True)
class DepressionMeasure:
    key: str
    label: str
    source: str
    months: int
    outcome: Literal["remission", "response"]

    @property
    def definition(self) -> str:
        if self.outcome == "remission":
            goal = f"the most recent PHQ-9 in that window is below {REMISSION_BELOW}"
        else:
            goal = "the most recent PHQ-9 in that window is at most half the index score"
        back = self.months + LOOKBACK_EXTRA_MONTHS
        return (
            f"{self.source}. Clients (12 or older) with major depression or dysthymia "
            f"whose first PHQ-9 above {INDEX_ABOVE} (the index) fell between {back} "
            f"months before the period and {back} months before its end. Met when "
            f"{goal}, {self.months} months after the index, give or take {GRACE_DAYS} "
            "days. No PHQ-9 in that window counts as not met. Excluded: death, palliative "
            "care, bipolar disorder, emotionally labile personality disorder, "
            "schizophrenia or a psychotic disorder, pervasive developmental disorder."
        )

    def met(self, index_total: int, total: int) -> bool:
        if self.outcome == "remission":
            return total < REMISSION_BELOW
        return 2 * total <= index_total  # reduced by 50 % or more

    def identification_period(self, start: date, end: date) -> tuple[date, date]:
        """The days (inclusive) in which an index event puts a client in the denominator
        of the measurement period [``start``, ``end``]."""
        back = -(self.months + LOOKBACK_EXTRA_MONTHS)
        return add_months(start, back), add_months(end + timedelta(days=1), back) - timedelta(
            days=1
        )

    def window(self, index_day: date) -> tuple[date, date]:
        """The measure assessment window (inclusive) of an index event on ``index_day``."""
        anchor = add_months(index_day, self.months)
        return anchor - timedelta(days=GRACE_DAYS), anchor + timedelta(days=GRACE_DAYS)


MEASURES: tuple[DepressionMeasure, ...] = (
    DepressionMeasure(
        "dep_rem_12",
        "Depression remission at 12 months",
        "CMS159v12 / NQF 0710e",
        12,
        "remission",
    ),
    DepressionMeasure(
        "dep_rem_6",
        "Depression remission at 6 months",
        "CCBHC DEP-REM-6",
        6,
        "remission",
    ),
    DepressionMeasure(
        "dep_resp_6",
        "Depression response at 6 months",
        "NQF 1884",
        6,
        "response",
    ),
)
MEASURES_BY_KEY = {m.key: m for m in MEASURES}


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; a day past the end of the target month is
    that month's last day (31 Jan + 1 month = 28 or 29 Feb), as date arithmetic in CQL."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def code_in(code: str, prefixes: Iterable[str]) -> bool:
    """Whether an ICD-10-CM ``code`` (dotted or not) falls under one of ``prefixes``."""
    normal = code.strip().upper().replace(".", "")
    return any(normal.startswith(p.replace(".", "")) for p in prefixes)


@dataclass(frozen=True)
class Score:
    day: date  # the team-local day it was given
    total: int


@dataclass(frozen=True)
class Dx:
    code: str
    onset: date | None


@dataclass
class Episode:
    """One client's place in one measure."""

    measure: DepressionMeasure
    index: Score
    window: tuple[date, date]
    status: Literal["met", "not_met", "no_score", "open", "not_yet", "excluded"]
    last: Score | None = None  # the most recent PHQ-9 in the window, up to ``as_of``
    exclusion: str = ""
    scores_in_window: list[Score] = field(default_factory=list)

    @property
    def in_denominator(self) -> bool:
        return self.status != "excluded"

    @property
    def counts_as_met(self) -> bool:
        return self.status == "met"

    @property
    def label(self) -> str:
        low, high = self.window
        span = f"{low:%b} {low.day}, {low.year} to {high:%b} {high.day}, {high.year}"
        if self.status == "excluded":
            return f"Not counted: {self.exclusion}"
        if self.status == "not_yet":
            return f"Not yet: the window opens on {low:%b} {low.day}, {low.year}"
        if self.status == "no_score":
            return f"Not met: no PHQ-9 between {span}"
        assert self.last is not None or self.status == "open"
        if self.status == "open" and self.last is None:
            return f"Open: give a PHQ-9 between {span}"
        assert self.last is not None
        verdict = {"met": "Met", "not_met": "Not met", "open": "So far"}[self.status]
        met = self.measure.met(self.index.total, self.last.total)
        so_far = " (met)" if self.status == "open" and met else ""
        return (
            f"{verdict}{so_far}: PHQ-9 {self.last.total} on {self.last.day:%b} "
            f"{self.last.day.day}, {self.last.day.year} (window {span})"
        )


def excluded_by(diagnoses: Sequence[Dx], *, died_on: date | None, until: date) -> str:
    """The first CMS159v12 denominator exclusion that applies before ``until`` (the end of
    the measure assessment period), or ""."""
    if died_on is not None and died_on <= until:
        return "died"
    for reason, prefixes in EXCLUSION_CODES.items():
        for dx in diagnoses:
            if (dx.onset is None or dx.onset <= until) and code_in(dx.code, prefixes):
                return reason
    return ""


def _has_depression(diagnoses: Sequence[Dx], day: date) -> bool:
    return any(
        (dx.onset is None or dx.onset <= day) and code_in(dx.code, DEPRESSION_CODES)
        for dx in diagnoses
    )


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def index_event(
    scores: Sequence[Score],
    diagnoses: Sequence[Dx],
    *,
    birth: date,
    low: date | None = None,
    high: date | None = None,
) -> Score | None:
    """The first PHQ-9 above nine in [``low``, ``high``] (days, inclusive; None: open)
    given while the client had a depression diagnosis and was 12 or older. ``scores``
    oldest first."""
    for s in scores:
        if low is not None and s.day < low:
            continue
        if high is not None and s.day > high:
            break
        if (
            s.total > INDEX_ABOVE
            and _age_on(birth, s.day) >= MIN_AGE
            and _has_depression(diagnoses, s.day)
        ):
            return s
    return None


def episode_outcome(
    measure: DepressionMeasure,
    index: Score,
    scores: Sequence[Score],
    diagnoses: Sequence[Dx],
    *,
    died_on: date | None,
    as_of: date,
) -> Episode:
    """Where the episode started by ``index`` stands in ``measure`` on ``as_of``."""
    low, high = measure.window(index.day)
    reason = excluded_by(diagnoses, died_on=died_on, until=high)
    if reason:
        return Episode(measure, index, (low, high), "excluded", exclusion=reason)
    inside = [s for s in scores if low <= s.day <= high and s.day <= as_of]
    last = inside[-1] if inside else None
    if as_of < low:
        status: Literal["met", "not_met", "no_score", "open", "not_yet", "excluded"] = "not_yet"
    elif as_of <= high:
        status = "open"
    elif last is None:
        status = "no_score"
    else:
        status = "met" if measure.met(index.total, last.total) else "not_met"
    return Episode(measure, index, (low, high), status, last=last, scores_in_window=inside)


def measurement_episode(
    measure: DepressionMeasure,
    scores: Sequence[Score],
    diagnoses: Sequence[Dx],
    *,
    birth: date,
    died_on: date | None,
    start: date,
    end: date,
    as_of: date,
) -> Episode | None:
    """The client's episode in ``measure`` for the measurement period [``start``, ``end``]
    (None: no index event in its identification period)."""
    low, high = measure.identification_period(start, end)
    index = index_event(scores, diagnoses, birth=birth, low=low, high=min(high, as_of))
    if index is None:
        return None
    return episode_outcome(measure, index, scores, diagnoses, died_on=died_on, as_of=as_of)


def current_episode(
    measure: DepressionMeasure,
    scores: Sequence[Score],
    diagnoses: Sequence[Dx],
    *,
    birth: date,
    died_on: date | None,
    as_of: date,
) -> Episode | None:
    """A client's latest episode in ``measure``, for the trend: the first index event,
    then the first after its window has closed, and so on ("the assessment period is
    fixed and does not start over with a higher PHQ-9"), up to ``as_of``."""
    found: Episode | None = None
    after: date | None = None
    while True:
        index = index_event(scores, diagnoses, birth=birth, low=after, high=as_of)
        if index is None:
            return found
        found = episode_outcome(measure, index, scores, diagnoses, died_on=died_on, as_of=as_of)
        after = found.window[1] + timedelta(days=1)
