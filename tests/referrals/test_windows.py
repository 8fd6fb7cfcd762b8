"""HEDIS window arithmetic at its edges: discharge day, day 7, day 8, day 30, day 31."""

from datetime import date, timedelta

import pytest

from referrals.models import LevelOfCare, Measure, VisitFocus
from referrals.windows import escalation_day, first_visit_in, measure_for, window

D = date(2026, 3, 2)  # a discharge (or ED visit) day


def day(n: int) -> date:
    return D + timedelta(days=n)


@pytest.mark.parametrize(
    ("offset", "in_7", "in_30"),
    [
        (0, False, False),
        (1, True, True),
        (7, True, True),
        (8, False, True),
        (30, False, True),
        (31, False, False),
    ],
)
@pytest.mark.parametrize("measure", [Measure.FUH, Measure.FUI])
def test_fuh_and_fui_do_not_count_the_discharge_day(measure, offset, in_7, in_30):
    assert window(measure, D, 7).contains(day(offset)) is in_7
    assert window(measure, D, 30).contains(day(offset)) is in_30


@pytest.mark.parametrize("measure", [Measure.FUM, Measure.FUA])
@pytest.mark.parametrize(
    ("offset", "in_7", "in_30"),
    [
        (-1, False, False),
        (0, True, True),
        (7, True, True),
        (8, False, True),
        (30, False, True),
        (31, False, False),
    ],
)
def test_fum_fua_count_a_same_day_visit(measure, offset, in_7, in_30):
    assert window(measure, D, 7).contains(day(offset)) is in_7
    assert window(measure, D, 30).contains(day(offset)) is in_30


def test_first_visit_is_the_earliest_inside_the_window():
    w = window(Measure.FUH, D, 7)
    assert first_visit_in(w, [day(0), day(9), day(3), day(5)]) == day(3)
    assert first_visit_in(w, [day(0), day(8)]) is None


def test_escalation_is_on_day_5_of_the_7_day_window():
    assert escalation_day(window(Measure.FUH, D, 7)) == day(5)  # window starts the day after
    assert escalation_day(window(Measure.FUM, D, 7)) == day(4)  # window starts on the day


@pytest.mark.parametrize(
    ("level", "focus", "measure"),
    [
        (LevelOfCare.INPATIENT_PSYCH, VisitFocus.MENTAL_HEALTH, Measure.FUH),
        (LevelOfCare.EMERGENCY, VisitFocus.MENTAL_HEALTH, Measure.FUM),
        (LevelOfCare.EMERGENCY, VisitFocus.SUBSTANCE_USE, Measure.FUA),
        (LevelOfCare.WITHDRAWAL, VisitFocus.SUBSTANCE_USE, Measure.FUI),
        (LevelOfCare.RESIDENTIAL, VisitFocus.SUBSTANCE_USE, Measure.FUI),
        (LevelOfCare.OUTPATIENT, VisitFocus.MENTAL_HEALTH, ""),
    ],
)
def test_measure_follows_the_level_of_care_left(level, focus, measure):
    assert measure_for(level, focus) == measure
