"""HEDIS follow-up windows after a care transition (pure date arithmetic).

Measures, per NCQA HEDIS MY2025 technical specifications (Volume 2):

- **FUH** (Follow-Up After Hospitalization for Mental Illness): a follow-up visit
  within 7 and within 30 days *after* discharge. "Do not include visits that occur on
  the date of discharge": the window is discharge + 1 day .. discharge + 7 (or + 30).
- **FUM** (Follow-Up After Emergency Department Visit for Mental Illness) and **FUA**
  (... for Substance Use): a follow-up visit within 7 and 30 days of the ED visit
  (8 and 31 total days): a visit on the date of the ED visit counts. Window: visit day
  .. visit day + 7 (or + 30).
- **FUI** (Follow-Up After High-Intensity Care for Substance Use Disorder: inpatient,
  residential or withdrawal management): a follow-up "within the 7 [30] days after the
  visit or discharge" (NCQA measure description); the follow-up must be on a different
  date than the discharge (as health plans summarise the specification, e.g. BCBS New
  Mexico provider news, March 2024). Window, as for FUH: discharge + 1 day .. discharge
  + 7 (or + 30). (An earlier version counted the discharge day, reading "8 total days"
  of the ED measures into FUI; that phrase belongs to FUM/FUA only.)

Our rule for a *completed follow-up visit*: a **signed** contact note
(``clients.ContactNote``) of type in person, video or phone whose contact time falls, in
the team's time zone, on a day inside the window. Collateral contacts (about the client,
with someone else) and outreach attempts (the client was not reached) do not count: HEDIS
counts visits *with the member*, in person, by telehealth or by telephone (NCQA HEDIS
MY2025 FUH/FUM/FUA/FUI, Numerators: "a follow-up visit", telehealth and telephone visits
included). An unsigned draft is not yet a record of a visit: the window shows "pending:
unsigned note on <date>" until it is signed.

Which transitions are in a denominator at all (readmissions, direct transfers, ED visits
followed by an admission, several ED visits in 31 days) is ``denominator_statuses``
below; the result is stored on each transition (``CareTransition.denominator``) by
``referrals.services.transitions`` so that the pages, the API, the sweep and the SQL of
the dashboards read one answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .models import DenominatorStatus, LevelOfCare, Measure, VisitFocus

WINDOW_DAYS = (7, 30)
# Measures for which a visit on the discharge (or ED visit) day counts.
SAME_DAY_COUNTS = frozenset({Measure.FUM, Measure.FUA})
QUALIFYING_CONTACT_TYPES = ("in_person", "video", "phone")
# Escalate to supervisors when the 7-day follow-up is still open on day 5 of its window.
ESCALATION_WINDOW_DAY = 5


# Settings, as the HEDIS specifications class them. Acute inpatient: the hospital
# (psychiatric or medical). Nonacute inpatient: residential treatment and withdrawal
# management stays. Partial hospitalisation and intensive outpatient are *follow-up
# visits* in FUH/FUM/FUA/FUI (Numerators), not inpatient settings, so they neither
# supersede nor exclude a discharge.
ACUTE_INPATIENT = frozenset({LevelOfCare.INPATIENT_PSYCH.value})
NONACUTE_INPATIENT = frozenset({LevelOfCare.RESIDENTIAL.value, LevelOfCare.WITHDRAWAL.value})
INPATIENT = ACUTE_INPATIENT | NONACUTE_INPATIENT
# FUI's high-intensity care: acute inpatient, residential and withdrawal management.
HIGH_INTENSITY = INPATIENT
FOLLOW_UP_PERIOD_DAYS = 30  # readmissions and admissions are looked for this long
ONE_PER_DAYS = 31  # FUM, FUA, FUI: one visit or episode per 31-day period
DIRECT_TRANSFER_DAYS = 1  # admission at most one calendar day after the discharge


def measure_for(from_level: str, focus: str = VisitFocus.MENTAL_HEALTH) -> str:
    """The HEDIS measure a discharge from ``from_level`` for ``focus`` falls under ('' if
    none).

    - FUH (NCQA HEDIS MY2025 FUH, Eligible population, Event/diagnosis): an *acute
      inpatient* discharge with a principal diagnosis of mental illness or intentional
      self-harm. An acute stay for substance use is not FUH.
    - FUM / FUA (MY2025 FUM and FUA, Event/diagnosis): an ED visit with a principal
      diagnosis of mental illness (FUM) or of substance use disorder or drug overdose
      (FUA).
    - FUI (MY2025 FUI, Description and Event/diagnosis): an acute inpatient stay, a
      residential treatment stay or a withdrawal management visit with a principal
      diagnosis of substance use disorder. A residential stay for mental illness is in
      neither FUH (not acute) nor FUI (not substance use); withdrawal management is for
      substance use by definition.
    """
    substance = focus == VisitFocus.SUBSTANCE_USE
    if from_level == LevelOfCare.INPATIENT_PSYCH:
        return Measure.FUI if substance else Measure.FUH
    if from_level == LevelOfCare.EMERGENCY:
        return Measure.FUA if substance else Measure.FUM
    if from_level == LevelOfCare.WITHDRAWAL:
        return Measure.FUI
    if from_level == LevelOfCare.RESIDENTIAL:
        return Measure.FUI if substance else ""
    return ""


# ------------------------------------------------------------------ denominators
@dataclass(frozen=True)
class Stay:
    """What the denominator rules read of one care transition of one client."""

    id: int
    from_level: str
    to_level: str
    focus: str
    admitted_on: date | None
    discharged_on: date | None
    measure: str

    @property
    def start(self) -> date | None:
        """The day the stay (or ED visit) began: the admission, else the discharge."""
        return self.admitted_on or self.discharged_on


def _d(day: date) -> str:
    return f"{day:%-d %b}"


def _level(level: str) -> str:
    return str(LevelOfCare(level).label).lower() if level in LevelOfCare.values else level


def _admissions(stay: Stay, stays: list[Stay], *, levels: frozenset[str], days: int) -> list[Stay]:
    """Other stays in ``levels`` that began on the day ``stay`` ended or within ``days``
    after it, earliest first."""
    assert stay.discharged_on is not None
    last = stay.discharged_on + timedelta(days=days)
    found = [
        s
        for s in stays
        if s.id != stay.id
        and s.from_level in levels
        and s.start is not None
        and stay.discharged_on <= s.start <= last
    ]
    return sorted(found, key=lambda s: (s.start, s.id))


Verdict = tuple[str, str]  # (DenominatorStatus, reason shown to people)
COUNTED: Verdict = (DenominatorStatus.COUNTED, "")


def fuh_verdict(stay: Stay, stays: list[Stay]) -> Verdict:
    """FUH: readmissions and direct transfers within the 30-day follow-up period.

    NCQA HEDIS MY2025 FUH, Eligible population, Event/diagnosis:

    - "Acute readmission or direct transfer: If the discharge is followed by readmission
      or direct transfer to an acute inpatient care setting for a principal mental health
      diagnosis within the 30-day follow-up period, count only the last discharge."
      Here: superseded, "the later discharge counts".
    - "Nonacute readmission or direct transfer: Exclude discharges followed by
      readmission or direct transfer to a nonacute inpatient care setting within the
      30-day follow-up period, regardless of principal diagnosis." Here: residential or
      withdrawal management, excluded.
    - Discharges followed by readmission or direct transfer to an acute inpatient setting
      for a principal diagnosis that is not mental health are excluded (same section);
      here an acute stay for substance use.

    The 30-day period runs from the discharge day (a same-day admission is a direct
    transfer) through discharge + 30; an admission on day 31 is a new episode (NCQA FAQ
    12.15.2020: "30 days after discharge (the denominator event)").
    """
    assert stay.discharged_on is not None
    if stay.to_level in NONACUTE_INPATIENT:
        return (
            DenominatorStatus.EXCLUDED,
            f"transferred to {_level(stay.to_level)} on {_d(stay.discharged_on)}: "
            "nonacute care within 30 days excludes the discharge",
        )
    later = _admissions(stay, stays, levels=INPATIENT, days=FOLLOW_UP_PERIOD_DAYS)
    nonacute = [s for s in later if s.from_level in NONACUTE_INPATIENT]
    if nonacute:
        s = nonacute[0]
        assert s.start is not None
        return (
            DenominatorStatus.EXCLUDED,
            f"admitted to {_level(s.from_level)} on {_d(s.start)}: nonacute care within "
            "30 days excludes the discharge",
        )
    if later:
        s = later[0]
        assert s.start is not None
        if s.focus == VisitFocus.SUBSTANCE_USE:
            return (
                DenominatorStatus.EXCLUDED,
                f"readmitted on {_d(s.start)} for substance use: an acute readmission "
                "not for mental illness excludes the discharge",
            )
        return (
            DenominatorStatus.SUPERSEDED,
            f"readmitted on {_d(s.start)}: the later discharge counts",
        )
    if stay.to_level in ACUTE_INPATIENT:
        return (
            DenominatorStatus.SUPERSEDED,
            f"transferred to acute inpatient care on {_d(stay.discharged_on)}: the later "
            "discharge counts",
        )
    return COUNTED


def ed_verdict(stay: Stay, stays: list[Stay]) -> Verdict:
    """FUM / FUA: an ED visit followed by an admission is excluded.

    NCQA HEDIS MY2025 FUM and FUA, Eligible population, Event/diagnosis ("ED visits
    followed by inpatient admission"): exclude ED visits that result in an inpatient
    stay and ED visits followed by an admission to an acute or nonacute inpatient care
    setting on the date of the ED visit or within the 30 days after it, regardless of
    the principal diagnosis for the admission. Here: the ED transition's own "to"
    setting is inpatient, or another stay in an inpatient setting began on the visit
    day .. visit day + 30.
    """
    assert stay.discharged_on is not None
    if stay.to_level in INPATIENT:
        return (
            DenominatorStatus.EXCLUDED,
            f"admitted to {_level(stay.to_level)} from the ED on {_d(stay.discharged_on)}: "
            "an ED visit followed by an admission is excluded",
        )
    later = _admissions(stay, stays, levels=INPATIENT, days=FOLLOW_UP_PERIOD_DAYS)
    if later:
        s = later[0]
        assert s.start is not None
        return (
            DenominatorStatus.EXCLUDED,
            f"admitted to {_level(s.from_level)} on {_d(s.start)}: an ED visit followed "
            "by an admission within 30 days is excluded",
        )
    return COUNTED


def fui_verdict(stay: Stay, stays: list[Stay]) -> Verdict:
    """FUI: direct transfers between high-intensity settings.

    NCQA HEDIS MY2025 FUI, Eligible population, Event/diagnosis ("Direct transfers"):
    when an episode of acute inpatient, residential or withdrawal management care is
    followed by a direct transfer to another of these settings, the episode is counted
    once, on the discharge from the *last* setting. A direct transfer (HEDIS General
    Guidelines, definitions): the discharge from the first setting precedes the
    admission to the second by one calendar day or less. Here: the transition's own
    "to" setting is high-intensity, or another high-intensity stay began on the
    discharge day or the day after. A transfer to a high-intensity stay that is not for
    substance use (a psychiatric admission) ends the FUI episode without a discharge to
    the community: excluded.
    """
    assert stay.discharged_on is not None
    later = _admissions(stay, stays, levels=HIGH_INTENSITY, days=DIRECT_TRANSFER_DAYS)
    if later:
        s = later[0]
        assert s.start is not None
        if s.measure == Measure.FUI or measure_for(s.from_level, s.focus) == Measure.FUI:
            return (
                DenominatorStatus.SUPERSEDED,
                f"transferred to {_level(s.from_level)} on {_d(s.start)}: the later "
                "discharge counts",
            )
        return (
            DenominatorStatus.EXCLUDED,
            f"transferred to {_level(s.from_level)} for mental illness on {_d(s.start)}: "
            "excluded from FUI",
        )
    if stay.to_level in HIGH_INTENSITY:
        return (
            DenominatorStatus.SUPERSEDED,
            f"transferred to {_level(stay.to_level)} on {_d(stay.discharged_on)}: the "
            "later discharge counts",
        )
    return COUNTED


def _one_per_31_days(measure: str, verdicts: dict[int, Verdict], stays: list[Stay]) -> None:
    """FUM, FUA, FUI: "Multiple visits in a 31-day period: if a member has more than
    one [ED visit / visit or discharge] in a 31-day period, include only the first
    eligible" one (NCQA HEDIS MY2025 FUM, FUA and FUI, Eligible population). Exclusions
    are applied first ("eligible"); then, chronologically, a counted one opens a 31-day
    period (its day .. day + 30) in which later ones are left out; the next one on or
    after day + 31 counts and opens the next period. ``verdicts`` is updated."""
    eligible = sorted(
        (s for s in stays if s.measure == measure and verdicts.get(s.id) == COUNTED),
        key=lambda s: (s.discharged_on, s.id),
    )
    opened: date | None = None
    for s in eligible:
        assert s.discharged_on is not None
        if opened is not None and s.discharged_on < opened + timedelta(days=ONE_PER_DAYS):
            what = "ED visit" if measure in (Measure.FUM, Measure.FUA) else "discharge"
            verdicts[s.id] = (
                DenominatorStatus.SUPERSEDED,
                f"{measure} {what} on {_d(opened)} counts: one per 31 days",
            )
        else:
            opened = s.discharged_on


def denominator_statuses(stays: Iterable[Stay]) -> dict[int, Verdict]:
    """For every care transition of *one client*: is the discharge (or ED visit) in its
    measure's denominator? ``(status, reason)``: counted; superseded (a later discharge
    or an earlier visit counts instead); excluded; or ``("", "")`` for a transition
    under no measure or not yet discharged. The rules, each with its source, are
    ``fuh_verdict``, ``ed_verdict``, ``fui_verdict`` and ``_one_per_31_days``."""
    stays = list(stays)
    verdicts: dict[int, Verdict] = {}
    for s in stays:
        if not s.measure or s.discharged_on is None:
            verdicts[s.id] = (DenominatorStatus.NONE, "")
        elif s.measure == Measure.FUH:
            verdicts[s.id] = fuh_verdict(s, stays)
        elif s.measure in (Measure.FUM, Measure.FUA):
            verdicts[s.id] = ed_verdict(s, stays)
        else:
            verdicts[s.id] = fui_verdict(s, stays)
    for measure in (Measure.FUM, Measure.FUA, Measure.FUI):
        _one_per_31_days(measure, verdicts, stays)
    return verdicts


@dataclass(frozen=True)
class Window:
    measure: str
    days: int
    first_day: date
    last_day: date

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def window_day(self, day: date) -> int:
        """1 for the first day of the window."""
        return (day - self.first_day).days + 1


def window(measure: str, discharged_on: date, days: int) -> Window:
    first = discharged_on if measure in SAME_DAY_COUNTS else discharged_on + timedelta(days=1)
    return Window(measure, days, first, discharged_on + timedelta(days=days))


def windows(measure: str, discharged_on: date) -> list[Window]:
    return [window(measure, discharged_on, days) for days in WINDOW_DAYS]


def escalation_day(w: Window) -> date:
    """Day 5 of the window (the first day is day 1)."""
    return w.first_day + timedelta(days=ESCALATION_WINDOW_DAY - 1)


def first_visit_in(w: Window, visit_days: list[date]) -> date | None:
    """The earliest day in ``visit_days`` inside the window, or ``None``."""
    inside = [d for d in visit_days if w.contains(d)]
    return min(inside) if inside else None
