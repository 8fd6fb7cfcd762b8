"""Depression remission and response as the published measures define them.

Expectations are written from the specifications, not from the code:

- CMS159v12 "Depression Remission at Twelve Months" (NQF 0710e, MN Community
  Measurement), Definitions: the denominator identification period is "14 months to two
  months prior to the start of the measurement period"; the index event is "the first
  instance of elevated PHQ-9 ... greater than nine and diagnosis of depression or
  dysthymia"; twelve months is "the index event date extending out twelve months and then
  allowing a grace period of sixty days prior to and sixty days after this date"; the
  assessment period "does not start over with a higher PHQ-9"; remission is "the most
  recent ... PHQ-9 ... score of less than five"; exclusions: died, hospice or palliative
  care, bipolar disorder, personality disorder emotionally labile, schizophrenia or
  psychotic disorder, pervasive developmental disorder. Ages 12 and older.
- ONC eCQM issue tracker CQM-3410 (CMS159): for the measurement period 1 Jan - 31 Dec
  2019 the identification period is 1 Nov 2017 up to (not including) 1 Nov 2018.
- CCBHC DEP-REM-6: the same at six months; its identification period begins 8 months
  before the measurement year and ends 4 months after its start.
- NQF 1884 "Depression Response at Six Months": a PHQ-9 "reduced by 50 % or greater"
  from the index score, six months (+/- 60 days) after the index.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse

from assessments.depression_outcomes import (
    MEASURES_BY_KEY,
    Dx,
    Score,
    add_months,
    current_episode,
    measurement_episode,
)

REM12 = MEASURES_BY_KEY["dep_rem_12"]
REM6 = MEASURES_BY_KEY["dep_rem_6"]
RESP6 = MEASURES_BY_KEY["dep_resp_6"]
MDD = [Dx("F33.1", None)]  # major depressive disorder, recurrent, moderate
ADULT = date(1980, 6, 1)
LONG_AFTER = date(2030, 1, 1)


def _episode(measure, scores, diagnoses=MDD, *, birth=ADULT, died_on=None, as_of=LONG_AFTER):
    """The episode for the measurement year 2025."""
    return measurement_episode(
        measure,
        [Score(d, t) for d, t in scores],
        diagnoses,
        birth=birth,
        died_on=died_on,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        as_of=as_of,
    )


def test_calendar_months_end_on_the_last_day_of_a_short_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 3, 15), 12) == date(2025, 3, 15)
    assert add_months(date(2025, 1, 1), -14) == date(2023, 11, 1)


def test_identification_periods_as_published():
    # CQM-3410: measurement period 2019 -> 1 Nov 2017 .. 31 Oct 2018.
    assert REM12.identification_period(date(2019, 1, 1), date(2019, 12, 31)) == (
        date(2017, 11, 1),
        date(2018, 10, 31),
    )
    # DEP-REM-6: 8 months before the year to 4 months after its start.
    assert REM6.identification_period(date(2025, 1, 1), date(2025, 12, 31)) == (
        date(2024, 5, 1),
        date(2025, 4, 30),
    )


def test_twelve_month_window_is_sixty_days_each_side():
    # 15 Mar 2024 + 12 months = 15 Mar 2025; 60 days before is 14 Jan, after is 14 May.
    assert REM12.window(date(2024, 3, 15)) == (date(2025, 1, 14), date(2025, 5, 14))
    # Six months: 15 Sep 2024, from 17 Jul to 14 Nov.
    assert REM6.window(date(2024, 3, 15)) == (date(2024, 7, 17), date(2024, 11, 14))


@pytest.mark.parametrize(
    ("follow_up", "status"),
    [
        ((date(2025, 3, 1), 4), "met"),  # below five
        ((date(2025, 3, 1), 5), "not_met"),  # five is not "less than five"
        ((date(2025, 1, 14), 2), "met"),  # first day of the window
        ((date(2025, 5, 14), 2), "met"),  # last day of the window
        ((date(2025, 1, 13), 2), "no_score"),  # a day early: not in the window
        ((date(2025, 5, 15), 2), "no_score"),  # a day late
    ],
)
def test_remission_at_twelve_months_edges(follow_up, status):
    episode = _episode(REM12, [(date(2024, 3, 15), 16), follow_up])
    assert episode is not None and episode.status == status
    assert episode.in_denominator  # no score in the window: in the denominator, not met


def test_the_most_recent_score_in_the_window_decides():
    index = (date(2024, 3, 15), 16)
    assert _episode(REM12, [index, (date(2025, 2, 1), 3), (date(2025, 4, 1), 7)]).status == (
        "not_met"
    )
    assert _episode(REM12, [index, (date(2025, 2, 1), 7), (date(2025, 4, 1), 3)]).status == "met"


def test_the_window_does_not_start_over_with_a_higher_score():
    scores = [(date(2024, 3, 15), 12), (date(2024, 6, 1), 24), (date(2025, 3, 1), 3)]
    episode = _episode(REM12, scores)
    assert episode.index.day == date(2024, 3, 15) and episode.status == "met"


@pytest.mark.parametrize(
    ("index_total", "follow_up", "met"),
    [(20, 10, True), (20, 11, False), (15, 7, True), (15, 8, False)],
)
def test_response_is_a_reduction_of_half_or_more(index_total, follow_up, met):
    # Index 1 Jun 2024 (in DEP-REM-6's period); six months: 1 Dec 2024 +/- 60 days.
    episode = _episode(RESP6, [(date(2024, 6, 1), index_total), (date(2024, 12, 1), follow_up)])
    assert episode.status == ("met" if met else "not_met")


def test_index_needs_above_nine_a_depression_diagnosis_and_age_twelve():
    day = date(2024, 3, 15)
    assert _episode(REM12, [(day, 9)]) is None  # nine is not "greater than nine"
    assert _episode(REM12, [(day, 10)]) is not None
    assert _episode(REM12, [(day, 20)], diagnoses=[Dx("F41.1", None)]) is None  # anxiety
    assert _episode(REM12, [(day, 20)], diagnoses=[Dx("F34.1", None)]) is not None  # dysthymia
    assert _episode(REM12, [(day, 20)], birth=date(2012, 6, 1)) is None  # 11 years old
    assert _episode(REM12, [(day, 20)], birth=date(2012, 3, 15)) is not None  # 12 that day
    # The diagnosis came later: the first elevated PHQ-9 with the diagnosis is the index.
    later = [Dx("F32.1", date(2024, 4, 1))]
    episode = _episode(REM12, [(day, 20), (date(2024, 5, 1), 18)], diagnoses=later)
    assert episode.index == Score(date(2024, 5, 1), 18)


def test_index_outside_the_identification_period_is_not_in_this_year():
    assert _episode(REM12, [(date(2023, 10, 31), 20)]) is None
    assert _episode(REM12, [(date(2024, 11, 1), 20)]) is None
    assert _episode(REM12, [(date(2023, 11, 1), 20)]) is not None
    assert _episode(REM12, [(date(2024, 10, 31), 20)]) is not None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("F31.81", "bipolar disorder"),
        ("F60.3", "personality disorder emotionally labile"),
        ("F20.9", "schizophrenia or psychotic disorder"),
        ("F25.0", "schizophrenia or psychotic disorder"),
        ("F84.0", "pervasive developmental disorder"),
        ("Z51.5", "palliative care"),
    ],
)
def test_exclusions_by_diagnosis(code, reason):
    episode = _episode(REM12, [(date(2024, 3, 15), 16)], diagnoses=[*MDD, Dx(code, None)])
    assert episode.status == "excluded" and episode.exclusion == reason
    assert not episode.in_denominator


def test_exclusions_apply_before_the_end_of_the_assessment_period_only():
    index = [(date(2024, 3, 15), 16)]  # window ends 14 May 2025
    late = [*MDD, Dx("F31.0", date(2025, 5, 15))]
    assert _episode(REM12, index, diagnoses=late).status == "no_score"
    on_time = [*MDD, Dx("F31.0", date(2025, 5, 14))]
    assert _episode(REM12, index, diagnoses=on_time).status == "excluded"
    assert _episode(REM12, index, died_on=date(2025, 5, 14)).exclusion == "died"
    assert _episode(REM12, index, died_on=date(2025, 5, 15)).status == "no_score"
    # Antisocial personality disorder (F60.2) is not "emotionally labile".
    assert _episode(REM12, index, diagnoses=[*MDD, Dx("F60.2", None)]).status == "no_score"


def test_open_window_and_not_yet():
    index = [(date(2024, 3, 15), 16), (date(2025, 2, 1), 3)]
    assert _episode(REM12, index, as_of=date(2025, 1, 13)).status == "not_yet"
    assert _episode(REM12, index, as_of=date(2025, 3, 1)).status == "open"
    assert _episode(REM12, index, as_of=date(2025, 5, 15)).status == "met"


def test_a_clients_latest_episode_starts_after_the_last_window_closed():
    scores = [
        Score(date(2023, 1, 10), 18),  # episode 1; 12-month window to 11 Mar 2024
        Score(date(2024, 1, 10), 20),  # inside episode 1: no new episode
        Score(date(2024, 3, 12), 15),  # the day after: episode 2
    ]
    episode = current_episode(REM12, scores, MDD, birth=ADULT, died_on=None, as_of=LONG_AFTER)
    assert episode.index == Score(date(2024, 3, 12), 15)
    assert episode.status == "no_score"


# ------------------------------------------------------------------ through the database
def _give(user, client, total, day):
    from assessments.services import instrument_response_record
    from tests.assessments.helpers import phq9

    instrument_response_record(
        actor=user,
        client=client,
        instrument="phq9",
        answers=phq9(total),
        administered_at=datetime.combine(day, time(10), client.team.zone),
    )


def _diagnose(user, client, code, onset=None):
    from clients.models import Diagnosis

    Diagnosis.objects.create(
        client=client,
        category="mental_health",
        icd10_code=code,
        description="(test)",
        onset_date=onset,
        recorded_by=user,
    )


@pytest.mark.django_db
def test_measures_page_counts_and_drills_down(browser_as, supervisor, case_manager, team):
    from tests.factories import ClientFactory

    met, missed, no_dx, bipolar = (ClientFactory(team=team) for _ in range(4))
    for client in (met, missed, bipolar):
        _diagnose(case_manager, client, "F33.1")
    _diagnose(case_manager, bipolar, "F31.81")
    for client in (met, missed, no_dx, bipolar):
        _give(case_manager, client, 16, date(2024, 3, 15))  # index; window 14 Jan-14 May
    _give(case_manager, met, 4, date(2025, 3, 1))
    _give(case_manager, missed, 4, date(2025, 1, 13))  # a day before the window
    _give(case_manager, bipolar, 4, date(2025, 3, 1))
    browser = browser_as(supervisor)
    period = {"start": "2025-01-01", "end": "2025-12-31"}
    response = browser.get(reverse("dashboard:measures"), period)
    rows = {m.key: m for m in response.context["measures"]}
    assert (rows["dep_rem_12"].numerator, rows["dep_rem_12"].denominator) == (1, 2)
    assert "1 excluded" in rows["dep_rem_12"].note
    assert "CMS159v12" in response.content.decode()
    assert "phq9_remission" not in rows  # the "latest vs first" figure is gone
    drill = browser.get(reverse("dashboard:clients"), {"measure": "dep_rem_12", **period})
    assert {c.pk for c in drill.context["page"].object_list} == {missed.pk}


@pytest.mark.django_db
def test_measure_queries_do_not_grow_with_clients(
    case_manager, team, django_assert_max_num_queries
):
    from assessments.selectors import depression_outcomes
    from tests.factories import ClientFactory

    def run():
        return depression_outcomes(
            team_ids=[team.pk], start=date(2025, 1, 1), end=date(2025, 12, 31), as_of=LONG_AFTER
        )

    client = ClientFactory(team=team)
    _diagnose(case_manager, client, "F32.1")
    _give(case_manager, client, 14, date(2024, 5, 1))
    with django_assert_max_num_queries(3) as one:
        assert run()["dep_rem_12"]["denominator"] == 1
    for client in ClientFactory.create_batch(8, team=team):
        _diagnose(case_manager, client, "F32.1")
        _give(case_manager, client, 14, date(2024, 5, 1))
        _give(case_manager, client, 2, date(2024, 11, 1))
    with django_assert_max_num_queries(3) as many:
        figures = run()
    assert len(many.captured_queries) == len(one.captured_queries)
    # 1 May 2024 + 6 months = 1 Nov 2024: eight in remission and responding at six months.
    assert figures["dep_rem_6"]["numerator"] == 8 and figures["dep_resp_6"]["numerator"] == 8


@pytest.mark.django_db
def test_trend_page_shows_the_published_outcomes(browser_as, case_manager, team):
    from tests.factories import ClientFactory

    client = ClientFactory(team=team, primary_case_manager=case_manager)
    _diagnose(case_manager, client, "F33.1")
    today = team.local_date()
    _give(case_manager, client, 20, today - timedelta(days=450))
    _give(case_manager, client, 3, today - timedelta(days=60))
    page = (
        browser_as(case_manager)
        .get(reverse("assessments:trend", args=[client.pk, "phq9"]))
        .content.decode()
    )
    assert 'id="outcome-dep_rem_12"' in page and "CMS159v12" in page
    # 390 days after the index: inside 12 months +/- 60 days, a window closed 25 days ago.
    assert "Met: PHQ-9 3" in page
    assert 'id="trend-remission"' not in page
