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

Our rule for a *completed follow-up visit*: a contact note (``clients.ContactNote``) of
type in person, video or phone whose contact time falls, in the team's time zone, on a
day inside the window. Collateral contacts and outreach attempts do not count (HEDIS
counts visits with the member, including telehealth and telephone visits).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .models import LevelOfCare, Measure, VisitFocus

WINDOW_DAYS = (7, 30)
# Measures for which a visit on the discharge (or ED visit) day counts.
SAME_DAY_COUNTS = frozenset({Measure.FUM, Measure.FUA})
QUALIFYING_CONTACT_TYPES = ("in_person", "video", "phone")
# Escalate to supervisors when the 7-day follow-up is still open on day 5 of its window.
ESCALATION_WINDOW_DAY = 5


def measure_for(from_level: str, focus: str = VisitFocus.MENTAL_HEALTH) -> str:
    """The HEDIS measure a discharge from ``from_level`` falls under ('' if none)."""
    if from_level == LevelOfCare.INPATIENT_PSYCH:
        return Measure.FUH
    if from_level == LevelOfCare.EMERGENCY:
        return Measure.FUA if focus == VisitFocus.SUBSTANCE_USE else Measure.FUM
    if from_level in (LevelOfCare.WITHDRAWAL, LevelOfCare.RESIDENTIAL):
        return Measure.FUI
    return ""


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
