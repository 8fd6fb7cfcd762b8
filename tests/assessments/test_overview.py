"""The chart Overview's "Latest scores": one line per instrument from
``InstrumentSummary`` (one query however many), the trend against the result before the
latest in words, dates in the team's time zone, and the page that shows it."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.selectors import latest_scores, overview_scores_panel, relative_day
from assessments.services import instrument_response_record
from clients import chart
from tests.factories import ClientFactory

from .helpers import give, phq9

CSSRS_NONE = ["no", "no", None, None, None, "no", None]  # 3-5 and 7 skipped


def _lines(client):
    return {line.code: line for line in latest_scores(client=client)}


@pytest.mark.django_db
def test_one_line_per_instrument_with_the_way_it_moved(case_manager, client_record):
    give(case_manager, client_record, answers=phq9(14), days_ago=30)
    give(case_manager, client_record, answers=phq9(9), days_ago=3)
    give(case_manager, client_record, code="gad7", answers=[1] * 7, days_ago=40)
    give(case_manager, client_record, code="gad7", answers=[2] * 7, days_ago=2)
    give(case_manager, client_record, code="dast10", answers=["no"] * 10, days_ago=20)
    give(case_manager, client_record, code="dast10", answers=["no"] * 10, days_ago=1)
    give(case_manager, client_record, code="audit", answers=[1] * 8 + [0, 0], days_ago=5)
    give(case_manager, client_record, code="cssrs_screen", answers=CSSRS_NONE, days_ago=9)
    give(case_manager, client_record, code="cssrs_screen", answers=CSSRS_NONE, days_ago=0)

    lines = latest_scores(client=client_record)
    assert [line.code for line in lines] == ["phq9", "gad7", "audit", "dast10", "cssrs_screen"]
    by_code = {line.code: line for line in lines}
    phq = by_code["phq9"]
    assert (phq.name, phq.total, phq.band, phq.previous_total) == ("PHQ-9", 9, "mild", 14)
    assert (phq.direction, phq.arrow, phq.meaning) == ("down", "↓", "better")
    gad = by_code["gad7"]
    assert (gad.total, gad.previous_total, gad.direction, gad.meaning) == (14, 7, "up", "worse")
    dast = by_code["dast10"]
    assert (dast.direction, dast.arrow, dast.meaning) == ("same", "→", "no change")
    audit = by_code["audit"]  # one result: nothing to compare with
    assert (audit.total, audit.previous_total, audit.direction, audit.meaning) == (
        8,
        None,
        None,
        None,
    )
    cssrs = by_code["cssrs_screen"]  # no total: the band only, never an arrow
    assert (cssrs.total, cssrs.band, cssrs.direction, cssrs.arrow) == (None, "none", None, "")


@pytest.mark.django_db
def test_a_corrected_latest_result_is_compared_as_corrected(case_manager, client_record):
    give(case_manager, client_record, answers=phq9(10), days_ago=20)
    wrong = give(case_manager, client_record, answers=phq9(18), days_ago=2)
    assert _lines(client_record)["phq9"].meaning == "worse"
    give(case_manager, client_record, answers=phq9(6), days_ago=2, amends=wrong)
    phq = _lines(client_record)["phq9"]
    assert (phq.total, phq.previous_total, phq.meaning) == (6, 10, "better")


@pytest.mark.django_db
def test_the_date_is_the_team_local_date(case_manager, team):
    """23:00 yesterday in Honolulu is already today in UTC: the line says "yesterday"."""
    team.time_zone = "Pacific/Honolulu"
    team.save(update_fields=["time_zone"])
    client = ClientFactory(team=team)
    zone = timezone.get_fixed_timezone(-10 * 60)  # Honolulu keeps no daylight saving
    local_today = timezone.localdate(timezone=zone)
    late_last_night = datetime.combine(local_today, time(23, 0), tzinfo=zone) - timedelta(days=1)
    give(case_manager, client, answers=phq9(5), days_ago=0)
    give(case_manager, client, code="gad7", answers=[0] * 7, days_ago=0)
    instrument_response_record(
        actor=case_manager,
        client=client,
        instrument="k10",
        answers=[1] * 10,
        administered_at=late_last_night,
    )
    lines = _lines(client)
    assert lines["k10"].when == "yesterday"
    assert lines["phq9"].when == "today"


def test_the_app_registers_the_panel_on_the_chart_overview():
    panel = chart._PANELS["scores"]
    assert (panel.template, panel.context) == (
        "assessments/_overview_scores.html",
        overview_scores_panel,
    )


def test_relative_day_wording():
    today = date(2026, 3, 31)
    cases = {0: "today", 1: "yesterday", 5: "5 days ago", 13: "13 days ago", 14: "2 weeks ago"}
    cases |= {59: "8 weeks ago", 60: "2 months ago", 400: "13 months ago", 800: "2 years ago"}
    for days, words in cases.items():
        assert relative_day(today - timedelta(days=days), today) == words


@pytest.mark.django_db
def test_the_panel_is_one_query_at_one_and_at_many_instruments(
    case_manager, client_record, django_assert_num_queries
):
    give(case_manager, client_record, answers=phq9(12), days_ago=10)
    with django_assert_num_queries(1):
        assert len(overview_scores_panel(client_record)["lines"]) == 1
    for code, answers in [
        ("gad7", [1] * 7),
        ("audit", [0] * 10),
        ("dast10", ["no"] * 10),
        ("k10", [1] * 10),
        ("pcl5", [1] * 20),
        ("cssrs_screen", CSSRS_NONE),
    ]:
        give(case_manager, client_record, code=code, answers=answers, days_ago=5)
        give(case_manager, client_record, code=code, answers=answers, days_ago=1)
    with django_assert_num_queries(1):
        assert len(overview_scores_panel(client_record)["lines"]) == 7


# ---------------------------------------------------------------------- the Overview page
def _overview(browser_as, user, client):
    return browser_as(user).get(reverse("clients:detail", args=[client.pk]))


@pytest.mark.django_db
def test_overview_shows_latest_scores_with_trend_in_words(browser_as, case_manager, client_record):
    give(case_manager, client_record, answers=phq9(14), days_ago=30)
    give(case_manager, client_record, answers=phq9(9), days_ago=3)
    give(case_manager, client_record, code="cssrs_screen", answers=CSSRS_NONE, days_ago=1)
    cssrs = _lines(client_record)["cssrs_screen"]
    page = _overview(browser_as, case_manager, client_record).content.decode()

    assert 'id="scores-heading">Latest scores</h2>' in page
    trend_url = reverse("assessments:trend", args=[client_record.pk, "phq9"])
    assert f'href="{trend_url}"' in page
    assert "<strong>9</strong> mild" in page
    assert '<span aria-hidden="true">↓ from 14, better</span>' in page
    assert '<span class="visually-hidden">down from 14, better</span>' in page
    assert ">3 days ago</time>" in page
    # The C-SSRS screener: band only, no arrow, linked to its latest result (no chart).
    result_url = reverse(
        "assessments:response_detail", args=[client_record.pk, cssrs.latest_response_id]
    )
    assert f'href="{result_url}"' in page
    assert "risk: <strong>none</strong>" in page
    assert page.count('visually-hidden">down from') == 1


@pytest.mark.django_db
def test_overview_without_results_says_what_to_do(browser_as, case_manager, client_record):
    page = _overview(browser_as, case_manager, client_record).content.decode()
    assert "No screening results yet. Give an instrument from the" in page
    assert reverse("assessments:client_assessments", args=[client_record.pk]) in page


@pytest.mark.django_db
def test_outsider_sees_no_scores(browser_as, case_manager, outsider, client_record):
    give(case_manager, client_record, answers=phq9(14), days_ago=3)
    assert _overview(browser_as, outsider, client_record).status_code == 404


@pytest.mark.django_db
def test_overview_query_count_does_not_grow_with_instruments(
    browser_as, case_manager, client_record, django_assert_max_num_queries
):
    browser = browser_as(case_manager)
    url = reverse("clients:detail", args=[client_record.pk])
    give(case_manager, client_record, answers=phq9(14), days_ago=3)
    with django_assert_max_num_queries(15) as one:
        browser.get(url)
    for code, answers in [("gad7", [1] * 7), ("audit", [0] * 10), ("k10", [1] * 10)]:
        give(case_manager, client_record, code=code, answers=answers, days_ago=5)
        give(case_manager, client_record, code=code, answers=answers, days_ago=1)
    with django_assert_max_num_queries(15) as many:
        page = browser.get(url).content.decode()
    assert page.count('class="score-line"') == 4
    assert len(many.captured_queries) == len(one.captured_queries)
